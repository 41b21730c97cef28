"""Production hardening (issue 8 item 3): deploy checks, headers, cookies, the Content-Security-
Policy, sign-in throttling with its lockout page, password rules and session expiry."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from roles.models import Membership, Stakeholder
from roles.services import invites
from tests.factories import FunctionFactory, MembershipFactory, OrganizationFactory, StakeholderFactory, UserFactory
from wholeproduct.security import client_ip, login_username

pytestmark = pytest.mark.django_db

BASE = Path(settings.BASE_DIR)
PASSWORD = "pw-for-tests-1"
PRODUCTION = {
    "DATABASE_URL": "postgres://wpm:secret@127.0.0.1:9/wholeproduct",  # never connected to
    "REDIS_URL": "redis://127.0.0.1:9/0",
    "ALLOWED_HOSTS": "map.example.com",
}


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    import os

    env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "PYTHONPATH"}}
    env |= PRODUCTION | {"SECRET_KEY": secrets.token_urlsafe(50), "WHOLEPRODUCT_STATE_DIR": str(tmp_path)} | extra
    return env


def _manage(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE,
        env=_production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- manage.py check --deploy -------------------------------------------------------------------


def test_the_deploy_checks_pass_with_production_settings(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("extra", "warning"),
    [({"DEBUG": "true"}, "security.W018"), ({"SECRET_KEY": "short"}, "security.W009")],
    ids=["debug-on", "weak-secret-key"],
)
def test_the_deploy_checks_fail_on_an_unsafe_production(tmp_path, extra, warning):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **extra)
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


SETTINGS_PROBE = """
import json
from django.conf import settings as s
import django; django.setup()
print(json.dumps({name: getattr(s, name, None) for name in %r}, default=str))
"""
HARDENED = [
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "CONTENT_SECURITY_POLICY",
    "AUTHENTICATION_BACKENDS",
    "AUTH_PASSWORD_VALIDATORS",
    "MIDDLEWARE",
]


def test_production_settings_are_hardened(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE % (HARDENED,)],
        cwd=BASE,
        env=_production_env(tmp_path, DJANGO_SETTINGS_MODULE="wholeproduct.settings"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["CSRF_COOKIE_SECURE"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert 0 < values["SESSION_COOKIE_AGE"] <= 12 * 3600
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["AUTHENTICATION_BACKENDS"][0] == "wholeproduct.security.LoginThrottleBackend"
    assert values["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"
    assert "csp.middleware.CSPMiddleware" in values["MIDDLEWARE"]
    validators = {v["NAME"].rsplit(".", 1)[-1] for v in values["AUTH_PASSWORD_VALIDATORS"]}
    assert validators == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }
    _assert_strict_policy(values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"])


def _assert_strict_policy(directives: dict) -> None:
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    everything = json.dumps(directives)
    assert "unsafe-inline" not in everything and "unsafe-eval" not in everything and "*" not in everything


def test_the_browsable_api_alone_gets_inline_styles(admin_client_, org):
    page = admin_client_.get("/api/v1/layers/", HTTP_ACCEPT="text/html")
    assert page["Content-Type"].startswith("text/html")
    assert _policy(page)["style-src"] == ["'self'", "'unsafe-inline'"]
    assert _policy(page)["script-src"] == ["'self'"]
    data = admin_client_.get("/api/v1/layers/")
    assert _policy(data)["style-src"] == ["'self'"]


# --- headers and cookies ------------------------------------------------------------------------


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize("path", ["/accounts/login/", "/o/acme/", "/api/v1/layers/", "/api/docs/", "/healthz"])
def test_every_answer_carries_the_security_headers(admin_client_, path, monkeypatch):
    from wholeproduct import health

    monkeypatch.setattr(health, "CHECKS", {})
    response = admin_client_.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    # Swagger UI injects <style> elements: its page alone allows inline styles.
    assert policy["style-src"] == (["'self'", "'unsafe-inline'"] if path == "/api/docs/" else ["'self'"])


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True)
def test_https_answers_carry_hsts(client):
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_the_session_and_csrf_cookies_are_secure_httponly_and_same_site(leader):
    client = Client()
    page = client.get("/accounts/login/")
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post("/accounts/login/", {"username": leader.email, "password": PASSWORD})
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert int(session["max-age"]) == settings.SESSION_COOKIE_AGE <= 12 * 3600


def test_an_expired_session_signs_the_user_out(leader_client, org, leader):
    assert leader_client.get("/o/acme/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    # Sessions are read through a cache (cached_db) whose entries expire with the session itself;
    # drop them so the database's expiry is what the next request reads.
    caches["sessions"].clear()
    response = leader_client.get("/o/acme/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- templates and scripts that a strict policy would break --------------------------------------

# E-mails and the PDFs are never served under the policy: mail clients and WeasyPrint read them.
NOT_SERVED = ("emails/", "layers/pdf/", "scenarios/pdf/")
TEMPLATES = sorted(
    path
    for path in (BASE / "templates").rglob("*.html")
    if not str(path.relative_to(BASE / "templates")).startswith(NOT_SERVED)
)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(BASE / "templates")))
def test_served_templates_have_no_inline_script_handler_or_style(template):
    source = template.read_text()
    inline_scripts = [m.group(0) for m in re.finditer(r"<script\b[^>]*>", source) if "src=" not in m.group(0)]
    handlers = re.findall(r"""\son[a-z]+\s*=\s*["']""", source)
    styles = re.findall(r"""\sstyle\s*=\s*["']|<style\b""", source)
    assert inline_scripts == [], "inline <script>: move it into static/js/"
    assert handlers == [], "on*= handlers: bind them in static/js/"
    assert styles == [], "style attributes: use a class of static/css/"
    assert "javascript:" not in source


def test_our_scripts_neither_eval_nor_write_style_attributes():
    for script in (BASE / "static" / "js").glob("*.js"):
        source = script.read_text()
        assert not re.search(r"\beval\(|new Function\(|setAttribute\(\s*['\"]style", source), script.name


def test_htmx_keeps_its_inline_indicator_style_off():
    base = (BASE / "templates" / "base.html").read_text()
    assert '"includeIndicatorStyles": false' in base


# --- sign-in throttling (django-axes) -----------------------------------------------------------


@pytest.fixture
def private_cache(settings):
    """The API token endpoint's own rate limit counts in the cache: a fresh one per test."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }


def _sign_in(email: str, password: str, ip: str = "198.51.100.7") -> object:
    return Client(REMOTE_ADDR=ip).post("/accounts/login/", {"username": email, "password": password})


def _fail(email: str, times: int, ip: str = "198.51.100.7") -> list[int]:
    return [_sign_in(email, "not-the-password", ip).status_code for _ in range(times)]


def test_five_wrong_passwords_pause_the_account_with_a_clear_page(leader):
    limit = settings.AXES_FAILURE_LIMIT
    # The form says the password is wrong four times; the fifth wrong one pauses sign-in.
    assert _fail(leader.email, limit) == [200] * (limit - 1) + [429]
    response = _sign_in(leader.email, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in paused" in html
    assert "There were 5 failed sign-ins for this account or from this address" in html
    assert "paused for 15 minutes" in html
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in response.wsgi_request.session


def test_four_wrong_passwords_do_not_pause_and_a_success_resets_the_count(leader):
    assert _fail(leader.email, settings.AXES_FAILURE_LIMIT - 1) == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert _sign_in(leader.email, PASSWORD).status_code == 302
    _fail(leader.email, settings.AXES_FAILURE_LIMIT - 1)
    assert _sign_in(leader.email, PASSWORD).status_code == 302


def test_guesses_during_a_pause_do_not_get_through(leader):
    from axes.models import AccessAttempt

    _fail(leader.email, settings.AXES_FAILURE_LIMIT)
    assert _fail(leader.email, 3) == [429, 429, 429]
    assert _sign_in(leader.email, PASSWORD).status_code == 429
    assert AccessAttempt.objects.filter(username=leader.email).get().failures_since_start == 5


def test_the_account_is_paused_whatever_address_the_guesses_come_from_and_whatever_its_case(leader):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _fail(leader.email.upper() if n % 2 else leader.email, 1, ip=f"203.0.113.{n + 1}")
    assert _sign_in(leader.email, PASSWORD, ip="203.0.113.200").status_code == 429


def test_an_address_spraying_many_accounts_is_paused_but_others_are_not(leader, admin_user):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _fail(f"guess{n}@acme.test", 1, ip="192.0.2.66")
    assert _sign_in(leader.email, PASSWORD, ip="192.0.2.66").status_code == 429
    assert _sign_in(admin_user.email, PASSWORD, ip="192.0.2.99").status_code == 302


def test_the_pause_ends_by_itself(leader):
    from axes.models import AccessAttempt

    _fail(leader.email, settings.AXES_FAILURE_LIMIT)
    assert _sign_in(leader.email, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=5))
    assert _sign_in(leader.email, PASSWORD).status_code == 302


def test_the_api_token_endpoint_is_throttled_too_and_answers_in_the_api_shape(leader, private_cache):
    client = Client(REMOTE_ADDR="198.51.100.8")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        wrong = client.post(
            "/api/v1/auth/token/", {"email": leader.email, "password": "nope"}, content_type="application/json"
        )
        assert wrong.status_code in {400, 429}
    response = client.post(
        "/api/v1/auth/token/", {"email": leader.email, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 429
    body = response.json()
    assert body["error"] == "locked_out" and "Try again in 15 minutes" in body["detail"]
    assert "token" not in body


def test_a_paused_sign_in_leaves_other_people_signed_in(leader, admin_client_, org):
    _fail(leader.email, settings.AXES_FAILURE_LIMIT)
    assert admin_client_.get("/o/acme/").status_code == 200


def test_the_lockout_page_is_its_own_template_and_escapes_nothing_typed(leader):
    _fail("<script>alert(1)</script>@x.test", settings.AXES_FAILURE_LIMIT)
    response = _sign_in("<script>alert(1)</script>@x.test", "whatever")
    assert response.status_code == 429
    assert "<script>alert(1)" not in response.content.decode()
    assert "registration/lockout.html" in [t.name for t in response.templates]


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1", "10.0.0.1"),  # no proxy of ours: the header is the client's own words
        (1, "6.6.6.6, 198.51.100.7", "10.0.0.1", "198.51.100.7"),  # the proxy appended the real address
        (1, "", "10.0.0.1", "10.0.0.1"),
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "10.0.0.1", "198.51.100.7"),
    ],
)
def test_the_client_address_trusts_only_our_own_proxies(settings, proxies, forwarded, remote, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_the_account_is_named_by_its_email_in_any_case():
    request = RequestFactory().post("/accounts/login/", {"username": " Ann@Example.TEST "})
    assert login_username(request, None) == "ann@example.test"
    assert login_username(request, {"email": "BOB@x.test"}) == "bob@x.test"


def test_signing_in_without_a_request_is_not_throttled(leader):
    """The shell, management commands and the test client's login() pass no request: nothing to count."""
    assert Client().login(username=leader.email, password=PASSWORD)


# --- passwords ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1!", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("8675309123", "This password is entirely numeric."),
        ("robin.reviewer", "The password is too similar to the"),
    ],
)
def test_a_new_password_must_pass_djangos_validators(password, message):
    org = OrganizationFactory(slug="pw-org")
    person = StakeholderFactory(
        function=FunctionFactory(organization=org), full_name="Robin Reviewer", email="robin.reviewer@pw.test"
    )
    invite = invites.invite_create(stakeholder=person, by=None)
    response = Client().post(
        f"/invite/{invites.token_for(invite)}/", {"new_password1": password, "new_password2": password}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Membership.objects.filter(organization=org).exists()
    assert Stakeholder.objects.get(pk=person.pk).user_id is None


def test_factories_still_sign_in(org):
    """Guard for the fixtures above: the cast's password is the one these tests send."""
    user = UserFactory(email="guard@acme.test")
    MembershipFactory(user=user, organization=org)
    assert _sign_in(user.email, PASSWORD, ip="198.51.100.250").status_code == 302
