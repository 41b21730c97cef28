"""Isolation probe (issue 8 item 1): every URL pattern of the project, taken from the resolver,
requested by the admin of another organization with the victim's real slugs and ids, with
every HTTP method: 404 everywhere, no trace of the victim in any answer, nothing written.

Three ways in:
- the victim's own addresses (`/o/victim-co/functions/1/edit/`);
- the victim's object ids under the attacker's own organization (`/o/attacker-co/functions/1/edit/`),
  where the attacker is admin, so only the object lookup stands in the way;
- the addresses outside any organization (sign-in, API tokens, the admin site …), each with
  what the outsider may see there.

An answer other than 404 passes only when it is a refusal of the method or an OPTIONS
description that is byte for byte what a made-up slug or id gets: then it tells nothing.

Also here: no GET or HEAD changes anything, for any member (DESIGN: no state change on GET),
and the meta-test that fails when a URL pattern exists that the probe does not cover.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from .conftest import body_text, changed_tables, client_as, fingerprint
from .endpoints import ALL_METHODS, Endpoint, endpoints
from .routes import ROUTES, send, url_for
from .world import MARKER, World

pytestmark = [pytest.mark.django_db, pytest.mark.read_model_built]  # the module world rebuilt it

ENDPOINTS = endpoints()
ORG_SCOPED = [e for e in ENDPOINTS if e.is_org_scoped]
IDOR = [e for e in ORG_SCOPED if ROUTES[e.key].names_objects]
ADMIN_SITE = [e for e in ENDPOINTS if e.is_admin_site]
GLOBAL = [e for e in ENDPOINTS if not e.is_org_scoped and not e.is_admin_site]


def answers(default: int | set[int] = 405, **by_method: int | set[int]) -> dict[str, set[int]]:
    """What the outsider gets from each method of an address outside any organization."""

    def as_set(value: int | set[int]) -> set[int]:
        return value if isinstance(value, set) else {value}

    return {method: as_set(by_method.get(method, default)) for method in ALL_METHODS}


READ_ONLY = answers(GET=200, HEAD=200, OPTIONS=200)
# The outsider, signed in, at every address that belongs to no organization.
GLOBAL_ANSWERS: dict[str, dict[str, set[int]]] = {
    "home": answers(GET=302, HEAD=302),  # to the outsider's own dashboard
    "login": answers(default=302),  # already signed in: sent on, whatever the method
    "logout": answers(POST=302, OPTIONS=200),
    "healthz": answers(GET={200, 503}),
    "healthz-ready": answers(GET={200, 503}),
    "healthz-live": answers(GET=200),
    # The invite link is a capability: whoever holds it may read it (a forged one: see below).
    # Signed in as someone else, it asks them to sign out first and accepts nothing (409).
    "invite-accept": answers(GET=200, POST=409),
    # Password reset is Django's; a made-up link shows "this link no longer works".
    "password_reset": answers(GET=200, HEAD=200, OPTIONS=200, POST=302),
    "password_reset_done": READ_ONLY,
    "password_reset_confirm": answers(GET=200, HEAD=200, OPTIONS=200, POST=200),
    "password_reset_complete": READ_ONLY,
    "api:token-obtain": answers(POST=400, OPTIONS=200),
    "api:layer-list": READ_ONLY,
    "api:layer-detail": READ_ONLY,
    "api:org-list": READ_ONLY,  # their own organizations only (no marker: checked)
    "api:token-list": READ_ONLY,  # their own tokens only
    "api:token-detail": answers(DELETE=404, OPTIONS=200),  # the victim admin's token: not theirs
    "api:schema": READ_ONLY,
    "api:docs": answers(GET=200, HEAD=200),
    "api:api/^.*$": answers(default=404),
}
# Answers that may name the victim: the invitee reads their own invitation.
MAY_NAME_THE_VICTIM = {"invite-accept"}


def _looks_alike(first: Any, second: Any) -> bool:
    return (first.status_code, body_text(first), first.get("Allow")) == (
        second.status_code,
        body_text(second),
        second.get("Allow"),
    )


def _refusal_that_tells_nothing(
    response: Any, client: Any, method: str, endpoint: Endpoint, world: World, **where: Any
) -> bool:
    """A 405, or DRF's OPTIONS description, exactly as a made-up organization or object gets it."""
    if not (response.status_code == 405 or (method == "OPTIONS" and response.status_code == 200)):
        return False
    control = send(client, method, url_for(endpoint, world, method, fake=True, **where), endpoint, world)
    return _looks_alike(response, control)


def _leaks(response: Any) -> bool:
    return MARKER in body_text(response).lower() or MARKER in response.get("Location", "").lower()


def _probe(world: World, endpoint: Endpoint, *, org_slug: str | None = None) -> list[str]:
    """Every method against one address as the outsider; the list of what went wrong."""
    client = client_as(world, "outsider")
    problems = []
    for method in ALL_METHODS:
        url = url_for(endpoint, world, method, org_slug=org_slug)
        response = send(client, method, url, endpoint, world)
        status = response.status_code
        if status != 404 and not _refusal_that_tells_nothing(
            response, client, method, endpoint, world, org_slug=org_slug
        ):
            problems.append(f"{method} {url} answered {status}, not 404")
        if _leaks(response):
            problems.append(f"{method} {url} showed the victim's data")
    return problems


@pytest.mark.parametrize("endpoint", ORG_SCOPED, ids=lambda e: e.key)
def test_the_victims_addresses_answer_404_to_another_organizations_admin(world, endpoint):
    before = fingerprint()
    problems = _probe(world, endpoint)
    assert not problems, "\n".join(problems)
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.parametrize("endpoint", IDOR, ids=lambda e: e.key)
def test_the_victims_ids_answer_404_under_the_attackers_own_organization(world, endpoint):
    before = fingerprint()
    problems = _probe(world, endpoint, org_slug=world.attacker.slug)
    assert not problems, "\n".join(problems)
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.parametrize("endpoint", GLOBAL, ids=lambda e: e.key)
def test_addresses_outside_organizations_show_the_outsider_nothing_of_the_victim(world, endpoint):
    expected = GLOBAL_ANSWERS[endpoint.key]
    before = fingerprint()
    problems = []
    for method in ALL_METHODS:
        client = client_as(world, "outsider")  # a fresh one: logout must not sign out the next method
        url = url_for(endpoint, world, method)
        response = send(client, method, url, endpoint, world)
        if response.status_code not in expected[method]:
            problems.append(f"{method} {url} answered {response.status_code}, expected {sorted(expected[method])}")
        if endpoint.key not in MAY_NAME_THE_VICTIM and _leaks(response):
            problems.append(f"{method} {url} showed the victim's data")
    assert not problems, "\n".join(problems)
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.parametrize("endpoint", ADMIN_SITE, ids=lambda e: e.key)
def test_the_admin_site_sends_a_non_staff_outsider_to_its_login(world, endpoint):
    """The Django admin is for the operator's staff accounts only; no member of any organization is staff."""
    before = fingerprint()
    problems = []
    for method in ALL_METHODS:
        url = url_for(endpoint, world, method)
        response = send(client_as(world, "outsider"), method, url, endpoint, world)
        location = response.get("Location", "")
        to_login = response.status_code == 302 and location.startswith("/admin/login/")
        login_page = endpoint.key == "admin:login" and response.status_code in {200, 405}
        signed_out = endpoint.key == "admin:logout" and response.status_code == 302 and location == "/admin/"
        if not (to_login or login_page or signed_out):
            problems.append(f"{method} {url} answered {response.status_code} {location}")
        if _leaks(response):
            problems.append(f"{method} {url} showed the victim's data")
    assert not problems, "\n".join(problems)
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.parametrize("kind", ["forged", "the-right-id-with-a-guessed-nonce", "revoked"])
def test_an_invite_link_that_is_not_a_live_invitation_shows_nothing(world, kind):
    from django.core import signing

    from roles.services import invites

    if kind == "forged":
        token = world.invite_token[:-4] + "AAAA"
    elif kind == "the-right-id-with-a-guessed-nonce":
        token = signing.dumps({"i": world.invite.pk, "n": "guessed"}, salt=invites.SALT)
    else:
        invites.invite_revoke(invite=world.invite, by=world.users["admin"])
        token = world.invite_token
    before = fingerprint()
    response = client_as(world, "outsider").get(f"/invite/{token}/")
    if kind == "revoked":
        assert response.status_code == 410  # its holder was invited once: they may read that it was withdrawn
    else:
        assert response.status_code == 404
        assert not _leaks(response)
    assert changed_tables(before, fingerprint()) == []


# --- no state change on GET ---------------------------------------------------------------------

# The admin reaches every page; a stakeholder goes through the paths of their own function
# (the outsider's GETs are checked by the probe above, the anonymous visitor's only redirect).
READERS = ("admin", "own")


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if not e.is_admin_site], ids=lambda e: e.key)
def test_no_get_or_head_changes_anything(world, endpoint):
    before = fingerprint()
    for role in READERS:
        client = client_as(world, role)
        for method in ("GET", "HEAD"):
            response = send(client, method, url_for(endpoint, world, method), endpoint, world)
            assert response.status_code < 500, f"{role} {method} {endpoint.key}: {response.status_code}"
        assert changed_tables(before, fingerprint()) == [], f"{role}'s GET of {endpoint.key} wrote rows"


# --- the meta-test ------------------------------------------------------------------------------


def test_every_url_pattern_is_covered_by_the_probe():
    """A new URL pattern must be given its arguments in routes.py (or, outside organizations, its
    expected answers here) before this passes: nothing the project serves goes unprobed."""
    keys = {e.key for e in ENDPOINTS}
    # Two patterns under one name: reverse() reaches only one, so the other would go unprobed.
    assert len(keys) == len(ENDPOINTS), "two URL patterns share a name"
    unprobed = sorted(e.key for e in ENDPOINTS if not e.is_admin_site and e.key not in ROUTES)
    no_expectation = sorted(e.key for e in GLOBAL if e.key not in GLOBAL_ANSWERS)
    stale = sorted((set(ROUTES) | set(GLOBAL_ANSWERS)) - keys)
    assert unprobed == [], f"URL patterns the probe cannot call yet (add them to tests/security/routes.py): {unprobed}"
    assert no_expectation == [], f"addresses outside organizations with no expected answers: {no_expectation}"
    assert stale == [], f"routes.py names patterns that no longer exist: {stale}"
    assert len(ORG_SCOPED) >= 70 and len(ADMIN_SITE) >= 40  # the walk found the project, not an empty resolver


def test_the_probe_finds_a_leak_when_there_is_one(world, monkeypatch):
    """The probe's own test: an organization check that is switched off is caught."""
    from django.http import Http404

    import roles.permissions as permissions
    from roles.models import Membership

    def careless(user: Any, org_slug: str, **_read_ahead: Any) -> permissions.OrgContext:
        membership = Membership.objects.filter(organization__slug=org_slug).select_related("organization").first()
        if membership is None:
            raise Http404
        return permissions.OrgContext(organization=membership.organization, membership=membership)

    monkeypatch.setattr(permissions, "org_context", careless)
    endpoint = next(e for e in ORG_SCOPED if e.key == "function-list")
    with transaction.atomic():
        problems = _probe(world, endpoint)
        transaction.set_rollback(True)
    assert any("showed the victim's data" in problem for problem in problems)
