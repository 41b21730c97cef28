"""POST /api/v1/auth/token/ (throttled), auth/tokens/ (list, revoke), organizations and layers.

Tokens are django-rest-knox's (issue 16): the database keeps a digest, never the key, and each
expires after API_TOKEN_DAYS.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

from .conftest import token_client, url

pytestmark = pytest.mark.django_db

TOKEN = url("auth/token/")
TOKENS = url("auth/tokens/")


def obtain(client, email: str = "leader@acme.test", password: str = PASSWORD):
    return client.post(TOKEN, {"email": email, "password": password}, format="json")


def signed(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_it_trades_an_email_and_password_for_a_token(anon, leader):
    response = obtain(anon, "LEADER@acme.test")
    assert response.status_code == 200
    body = response.json()
    key = body["token"]
    row = AuthToken.objects.get(user=leader)
    assert body["id"] == key[:8] == row.token_key[:8]
    assert signed(key).get(url("orgs/acme/functions/")).status_code == 200
    # Each sign-in issues a new token; the first keeps working.
    second = obtain(anon).json()["token"]
    assert second != key and AuthToken.objects.filter(user=leader).count() == 2
    assert signed(key).get(url("orgs/")).status_code == 200


def test_a_token_is_stored_hashed_never_in_clear(anon, leader):
    key = obtain(anon).json()["token"]
    row = AuthToken.objects.get(user=leader)
    assert len(row.digest) == 128 and key not in row.digest and row.digest != key
    stored = " ".join(str(v) for v in AuthToken.objects.values_list("digest", "token_key").get())
    assert key not in stored  # only the first characters, to find it


def test_a_token_expires_after_the_configured_days(anon, leader, settings):
    body = obtain(anon).json()
    row = AuthToken.objects.get(user=leader)
    assert timedelta(days=29, hours=23) < row.expiry - timezone.now() <= timedelta(days=30)
    assert body["expiry"].startswith(str(timezone.localtime(row.expiry).date()))
    AuthToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    response = signed(body["token"]).get(url("orgs/"))
    assert response.status_code == 401 and response.json()["error"] == "authentication_failed"
    assert not AuthToken.objects.exists()  # an expired token is dropped


def test_a_request_reads_its_token_once_and_expired_ones_go_at_the_next_sign_in(anon, leader):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    old, key = obtain(anon).json()["token"], obtain(anon).json()["token"]
    expired = AuthToken.objects.filter(token_key=old[: CONSTANTS.TOKEN_KEY_LENGTH])
    assert expired.update(expiry=timezone.now() - timedelta(seconds=1)) == 1
    with CaptureQueriesContext(connection) as read:
        assert signed(key).get(url("orgs/")).status_code == 200
    assert sum("knox_authtoken" in q["sql"] for q in read.captured_queries) == 1  # knox read them all
    assert AuthToken.objects.filter(user=leader).count() == 2  # the expired one stays unusable...
    assert signed(old).get(url("orgs/")).status_code == 401  # ...refused and dropped when presented
    assert AuthToken.objects.filter(user=leader).count() == 1
    AuthToken.objects.filter(user=leader).update(expiry=timezone.now() - timedelta(seconds=1))
    obtain(anon)
    assert AuthToken.objects.filter(user=leader).count() == 1  # a sign-in deletes the expired ones


def test_a_user_keeps_at_most_the_configured_number_of_tokens(anon, leader, settings):
    settings.API_TOKENS_PER_USER = 2
    keys = [obtain(anon).json()["token"] for _ in range(3)]
    assert AuthToken.objects.filter(user=leader).count() == 2
    assert signed(keys[0]).get(url("orgs/")).status_code == 401  # the oldest was revoked
    assert signed(keys[2]).get(url("orgs/")).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"email": "leader@acme.test", "password": "wrong"},
        {"email": "nobody@acme.test", "password": PASSWORD},
        {"email": "leader@acme.test"},
        {"email": 7, "password": PASSWORD},
    ],
)
def test_it_refuses_bad_credentials_without_saying_which_part(anon, leader, body):
    response = anon.post(TOKEN, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert not AuthToken.objects.exists()


def test_a_bad_credentials_message_does_not_tell_whether_the_account_exists(anon, leader):
    wrong_password = obtain(anon, password="x").json()
    no_account = obtain(anon, "ghost@acme.test", "x").json()
    assert wrong_password == no_account


def test_guessing_is_throttled(anon, leader, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    # The rate is read once, when DRF loads; the test narrows it to see the fourth guess refused.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"api-token": "3/minute"})
    statuses = [obtain(anon, password=f"guess{i}").status_code for i in range(4)]
    assert statuses == [400, 400, 400, 429]
    blocked = obtain(anon)
    assert blocked.status_code == 429
    assert blocked.json()["error"] == "throttled"
    assert int(blocked["Retry-After"]) > 0
    assert not AuthToken.objects.exists()


def test_the_default_rate_is_configured():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api-token"] == "20/minute"


def test_an_owner_lists_and_revokes_their_token(anon, leader):
    key = obtain(anon).json()["token"]
    client = signed(key)
    listed = client.get(TOKENS).json()
    row = AuthToken.objects.get(user=leader)
    assert listed["count"] == 1 and listed["results"][0]["id"] == key[:8]
    assert listed["results"][0]["expiry"] and listed["results"][0]["created"]
    assert key not in str(listed) and row.digest not in str(listed)  # never the key, nor its digest
    assert client.delete(url(f"auth/tokens/{key[:8]}/")).status_code == 204
    assert not AuthToken.objects.filter(user=leader).exists()
    assert client.get(TOKENS).status_code == 401


def test_nobody_revokes_someone_elses_token(leader, outsider):
    theirs, key = AuthToken.objects.create(user=outsider)
    for token_id in (key[:8], key[:3], "x" * 80):
        response = token_client(leader).delete(url(f"auth/tokens/{token_id}/"))
        assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert AuthToken.objects.filter(pk=theirs.pk).exists()


def test_a_revoked_or_made_up_token_is_401(anon):
    anon.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = anon.get(url("orgs/"))
    assert response.status_code == 401
    assert response.json()["error"] == "authentication_failed"


def test_old_plain_text_tokens_are_deleted_by_the_migration(db):
    """The data migration drops DRF's plain-text tokens (README, "API tokens")."""
    from importlib import import_module

    from django.apps import apps
    from rest_framework.authtoken.models import Token

    from tests.factories import UserFactory

    Token.objects.create(user=UserFactory(email="old@acme.test"))
    migration = import_module("roles.migrations.0005_drop_plain_text_api_tokens")
    migration.drop_plain_text_tokens(apps, None)
    assert not Token.objects.exists()


def test_orgs_lists_only_the_users_organizations(leader, org, other_org):
    from roles.models import Membership

    Membership.objects.create(user=leader, organization=other_org, access="stakeholder")
    body = token_client(leader).get(url("orgs/")).json()
    assert [(o["slug"], o["access"]) for o in body["results"]] == [("acme", "leader"), ("globex", "stakeholder")]


def test_an_organization_one_does_not_belong_to_is_404(outsider_api, org):
    assert outsider_api.get(url("orgs/acme/")).status_code == 404
    assert outsider_api.get(url("orgs/no-such-org/functions/")).status_code == 404


def test_layers_are_the_four_rings(leader_api):
    body = leader_api.get(url("layers/")).json()
    assert [(layer["key"], layer["ring"]) for layer in body] == [
        ("core", 1),
        ("expected", 2),
        ("augmented", 3),
        ("potential", 4),
    ]
    assert leader_api.get(url("layers/potential/")).json()["name"] == "Potential product"
    assert leader_api.get(url("layers/mantle/")).status_code == 404


# --- the token read with the requester's organization context -----------------------------------


@pytest.mark.usefixtures("drawn")
def test_an_organization_request_reads_its_token_with_the_context_in_one_statement(leader_api, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    leader_api.get(url("orgs/acme/disruptions/"))
    with CaptureQueriesContext(connection) as read:
        assert leader_api.get(url("orgs/acme/disruptions/")).status_code == 200
    sql = [q["sql"] for q in read.captured_queries]
    assert sum("knox_authtoken" in q for q in sql) == 1 and sum("roles_membership" in q for q in sql) == 1
    assert any("knox_authtoken" in q and "roles_membership" in q for q in sql), sql


def test_a_token_read_with_a_context_is_refused_and_checked_as_knox_checks_it(anon, leader, outsider, org):
    body = obtain(anon).json()
    assert signed(body["token"]).get(url("orgs/acme/disruptions/")).status_code == 200
    assert signed(body["token"] + "x").get(url("orgs/acme/disruptions/")).status_code == 401  # not its digest
    assert signed("0" * len(body["token"])).get(url("orgs/acme/disruptions/")).status_code == 401
    from roles.services.tokens import token_issue

    _, stranger = token_issue(user=outsider)
    assert signed(stranger).get(url("orgs/acme/disruptions/")).status_code == 404  # no membership: not found
    assert signed(stranger).get(url("orgs/nowhere/disruptions/")).status_code == 404
    leader.is_active = False
    leader.save()
    response = signed(body["token"]).get(url("orgs/acme/disruptions/"))
    assert response.status_code == 401 and response.json()["error"] == "authentication_failed"
    leader.is_active = True
    leader.save()
    AuthToken.objects.filter(user=leader).update(expiry=timezone.now() - timedelta(seconds=1))
    assert signed(body["token"]).get(url("orgs/acme/disruptions/")).status_code == 401
    assert not AuthToken.objects.filter(user=leader).exists()  # an expired token is dropped


def test_the_token_and_user_read_with_the_context_are_the_ones_the_orm_reads(leader, org):
    from django.contrib.auth.models import User
    from django.db import connection

    from roles.api.authentication import _tokens_keyed, _tokens_with_context
    from roles.permissions import org_context
    from roles.services.tokens import token_issue

    token_issue(user=leader)
    token = AuthToken.objects.get(user=leader)
    (read,) = _tokens_with_context(token.token_key, "acme")
    (expected,) = _tokens_keyed(token.token_key)
    for model, got, want in ((AuthToken, read, expected), (User, read.user, expected.user)):
        for field in model._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(want, field.attname), field.name
    assert read.user.is_active is True and read._state.db == connection.alias and not read._state.adding
    ctx = org_context(read.user, "acme", row=read.read_ahead.row_for(read.user, "acme"))
    assert ctx.organization == org and ctx.access == "leader"
    assert read.read_ahead.row_for(read.user, "globex") is None  # another organization's: read again
