"""Where people land after signing in, what the sign-in error says, and our own error pages (issue 15)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client

from tests.conftest import PASSWORD
from tests.workers import embedded_env


def sign_in(email: str, *, next_path: str = "", password: str = PASSWORD):
    client = Client()
    data = {"username": email, "password": password}
    if next_path:
        data["next"] = next_path
    return client, client.post("/accounts/login/", data, follow=True)


def test_a_stakeholder_lands_on_their_own_role(stakeholder_user):
    _, response = sign_in(stakeholder_user.email)

    assert response.redirect_chain[-1][0] == "/o/acme/me/"
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["leader", "admin_user"])
def test_leaders_and_admins_land_on_the_dashboard(request, who):
    user = request.getfixturevalue(who)

    _, response = sign_in(user.email)

    assert response.redirect_chain[-1][0] == "/o/acme/"


def test_a_next_link_still_wins_over_the_landing_page(stakeholder_user):
    _, response = sign_in(stakeholder_user.email, next_path="/o/acme/reports/")

    assert [url for url, _ in response.redirect_chain] == ["/o/acme/reports/"]


def test_a_wrong_password_names_the_email_not_a_username(leader):
    _, response = sign_in(leader.email, password="not-the-password")

    error = re.search(r'<div class="form-error" role="alert">(.*?)</div>', response.content.decode()).group(1)
    assert error == f"No account matches the email {leader.email} with this password. Check both and try again."
    assert "_auth_user_id" not in response.client.session


def test_an_unknown_page_answers_our_404_in_the_site_layout(leader_client, settings):
    settings.DEBUG = False

    response = leader_client.get("/o/acme/no-such-page/")

    assert response.status_code == 404
    text = response.content.decode()
    assert "This page doesn't exist" in text
    assert 'class="topbar"' in text and 'href="/"' in text  # the layout, and a way home


def test_another_organizations_page_is_our_404_too(outsider_client, org, settings):
    settings.DEBUG = False

    response = outsider_client.get("/o/acme/functions/")

    assert response.status_code == 404
    assert "This page doesn't exist" in response.content.decode()


def test_a_refused_action_answers_our_403_without_access_codes(stakeholder_client, settings):
    settings.DEBUG = False

    response = stakeholder_client.get("/o/acme/functions/new/")

    assert response.status_code == 403
    text = response.content.decode()
    assert "You can't do this here" in text and 'href="/"' in text
    assert "stakeholder)" not in text  # no raw access code from the exception


def test_the_500_page_renders_on_its_own_with_a_way_home(db):
    # Django renders 500.html with no request and no context processors: nothing may depend on them.
    text = render_to_string("500.html")

    assert "Something went wrong on our side" in text
    assert 'href="/"' in text and "/static/css/app.css" in text


PROBE = """
import json, os, django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
css = client.get("/static/css/app.css")
missing = client.get("/no-such-page/")
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "css": css.status_code,
    "css_body": b"".join(css.streaming_content)[:40].decode() if css.status_code == 200 else "",
    "missing": missing.status_code,
    "ours": "This page doesn't exist" in missing.content.decode(),
}))
"""


@pytest.mark.slow
def test_embedded_mode_serves_static_files_and_our_404_with_debug_off(tmp_path):
    env = embedded_env(tmp_path / "state")
    env.pop("DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["DEBUG"] is False
    assert answer["css"] == 200 and answer["css_body"].startswith("/*")
    assert answer["missing"] == 404 and answer["ours"] is True
