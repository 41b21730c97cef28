"""POST /api/v1/auth/token/ (throttled), auth/tokens/ (list, revoke), organizations and layers."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

from .conftest import token_client, url

pytestmark = pytest.mark.django_db

TOKEN = url("auth/token/")
TOKENS = url("auth/tokens/")


def test_it_trades_an_email_and_password_for_a_token(anon, leader):
    response = anon.post(TOKEN, {"email": "LEADER@acme.test", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=leader).key == key
    assert response.json()["id"] == key[:8]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(url("orgs/acme/functions/")).status_code == 200
    # The same token until it is revoked.
    assert anon.post(TOKEN, {"email": "leader@acme.test", "password": PASSWORD}, format="json").json()["token"] == key


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
    assert not Token.objects.exists()


def test_a_bad_credentials_message_does_not_tell_whether_the_account_exists(anon, leader):
    wrong_password = anon.post(TOKEN, {"email": "leader@acme.test", "password": "x"}, format="json").json()
    no_account = anon.post(TOKEN, {"email": "ghost@acme.test", "password": "x"}, format="json").json()
    assert wrong_password == no_account


def test_guessing_is_throttled(anon, leader, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    # The rate is read once, when DRF loads; the test narrows it to see the fourth guess refused.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"api-token": "3/minute"})
    statuses = [
        anon.post(TOKEN, {"email": "leader@acme.test", "password": f"guess{i}"}, format="json").status_code
        for i in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
    blocked = anon.post(TOKEN, {"email": "leader@acme.test", "password": PASSWORD}, format="json")
    assert blocked.status_code == 429
    assert blocked.json()["error"] == "throttled"
    assert int(blocked["Retry-After"]) > 0
    assert not Token.objects.exists()


def test_the_default_rate_is_configured():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api-token"] == "20/minute"


def test_an_owner_lists_and_revokes_their_token(leader):
    client = token_client(leader)
    key = Token.objects.get(user=leader).key
    listed = client.get(TOKENS).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == key[:8]
    assert key not in str(listed)  # a listed token never shows its whole key again
    assert client.delete(url(f"auth/tokens/{key[:8]}/")).status_code == 204
    assert not Token.objects.filter(user=leader).exists()
    assert client.get(TOKENS).status_code == 401


def test_nobody_revokes_someone_elses_token(leader, outsider):
    theirs = Token.objects.create(user=outsider)
    response = token_client(leader).delete(url(f"auth/tokens/{theirs.key[:8]}/"))
    assert response.status_code == 404
    assert Token.objects.filter(pk=theirs.pk).exists()


def test_a_revoked_or_made_up_token_is_401(anon):
    anon.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = anon.get(url("orgs/"))
    assert response.status_code == 401
    assert response.json()["error"] == "authentication_failed"


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
