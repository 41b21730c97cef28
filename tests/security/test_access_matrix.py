"""Access matrix (issue 8 item 2): DESIGN §5 as one table of URL name, method and requester, run in full.

The requesters, all against the victim organization of tests/security/world.py:
  anon      nobody signed in
  admin     an admin of the organization
  leader    a leader
  own       a stakeholder of Customer Success, the function mapped on the product `insights`
            (the product, assignment, review and report in the URLs below are theirs)
  other     a stakeholder of Engineering, mapped on the product `connect` only
  outsider  an admin of another organization

A cell is the status the request must answer. LOGIN is a redirect to the sign-in page; 401
the API's answer to a request without credentials. Every request carries a valid payload
(routes.py), so a refusal comes from the access rule, never from a malformed body; every
refusal (LOGIN, 401, 403, 404) is also checked to have written nothing.

Reading the table against DESIGN §5:
- see dashboards, map, reports: everyone of the organization; stakeholders only their own
  products (`other` gets 404 on `insights`: to them it does not exist);
- edit functions, people, products, assignments, partnerships: admin and leader (403 for a
  stakeholder; 404 when the product is not even visible to them);
- review an assignment: a person's verdict on their own function's (DESIGN §2) — `own` on
  the Customer Success assignment; admins and leaders without a person record in that
  function have nothing to review there (404), as has `other`;
- resolve disputes, run review campaigns: admin and leader;
- export reports, manage members and invites, export the organization: admin only (the
  people export in the import format stays with the editors: it is how people are edited in
  bulk and holds nothing the People page does not show them);
- another organization: 404, never 403.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from .conftest import body_text, changed_tables, client_as, fingerprint
from .endpoints import METHODS, Endpoint, endpoints
from .routes import send, url_for
from .world import ROLES

pytestmark = [pytest.mark.django_db, pytest.mark.read_model_built]  # the module world rebuilt it

LOGIN = "login"
ADMIN_LOGIN = "admin-login"

# fmt: off
MATRIX: list[tuple[str, str, Any, Any, Any, Any, Any, Any]] = [
    # url name                        method    anon   admin  leader own   other  outsider
    # -- outside any organization
    ("home",                          "GET",    LOGIN, 302,   302,   302,  302,   302),
    ("login",                         "GET",    200,   302,   302,   302,  302,   302),
    ("login",                         "POST",   200,   302,   302,   302,  302,   302),
    # Django's form views take PUT as they take POST
    ("login",                         "PUT",    200,   302,   302,   302,  302,   302),
    ("logout",                        "POST",   302,   302,   302,   302,  302,   302),
    ("healthz",                       "GET",    200,   200,   200,   200,  200,   200),
    ("healthz-ready",                 "GET",    200,   200,   200,   200,  200,   200),
    ("healthz-live",                  "GET",    200,   200,   200,   200,  200,   200),
    ("invite-accept",                 "GET",    200,   200,   200,   200,  200,   200),
    # Password reset (issue 16): Django's views, open to anyone; a made-up link shows "no longer works".
    ("password_reset",                "GET",    200,   200,   200,   200,  200,   200),
    ("password_reset",                "POST",   302,   302,   302,   302,  302,   302),
    ("password_reset_done",           "GET",    200,   200,   200,   200,  200,   200),
    ("password_reset_confirm",        "GET",    200,   200,   200,   200,  200,   200),
    ("password_reset_confirm",        "POST",   200,   200,   200,   200,  200,   200),
    ("password_reset_complete",       "GET",    200,   200,   200,   200,  200,   200),
    # Signed in as anyone but the invitee: "sign out first", nothing accepted (issue 16).
    ("invite-accept",                 "POST",   200,   409,   409,   409,  409,   409),
    # -- dashboard, products, the whole product and its map
    ("dashboard",                     "GET",    LOGIN, 200,   200,   200,  200,   404),
    ("org-switcher",                  "GET",    LOGIN, 200,   200,   200,  200,   404),
    ("product-list",                  "GET",    LOGIN, 200,   200,   200,  200,   404),
    ("product-create",                "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("product-create",                "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("product-edit",                  "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("product-edit",                  "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("product-detail",                "GET",    LOGIN, 200,   200,   200,  404,   404),
    ("product-map",                   "GET",    LOGIN, 200,   200,   200,  404,   404),
    ("product-map-apply",             "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("product-map-dismiss",           "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("product-map-restore",           "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("product-map-undo",              "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("product-map-cell",              "GET",    LOGIN, 200,   200,   200,  404,   404),
    ("product-map-cell",              "POST",   LOGIN, 302,   302,   403,  404,   404),
    ("product-map-contribution",      "GET",    LOGIN, 200,   200,   403,  404,   404),
    ("product-map-contribution",      "POST",   LOGIN, 302,   302,   403,  404,   404),
    ("product-map-history",           "GET",    LOGIN, 200,   200,   200,  404,   404),
    # -- functions, people, import
    ("function-list",                 "GET",    LOGIN, 200,   200,   200,  200,   404),
    ("function-search",               "GET",    LOGIN, 200,   200,   200,  200,   404),
    ("function-create",               "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("function-create",               "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("function-edit",                 "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("function-edit",                 "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("function-delete",               "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("function-delete",               "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("people-list",                   "GET",    LOGIN, 200,   200,   200,  200,   404),
    ("person-search",                 "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("person-create",                 "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("person-create",                 "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("person-edit",                   "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("person-edit",                   "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("person-delete",                 "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("person-delete",                 "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("people-export",                 "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("import",                        "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("import",                        "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("import-mapping",                "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("import-mapping",                "POST",   LOGIN, 400,   400,   403,  403,   404),
    ("import-preview",                "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("import-commit",                 "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("import-job",                    "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("import-joins",                  "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("import-rejected",               "GET",    LOGIN, 200,   200,   403,  403,   404),
    # -- the partnership web and disruptions
    ("web",                           "GET",    LOGIN, 200,   200,   200,  200,   404),
    ("partnership-create",            "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("partnership-create",            "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("partnership-edit",              "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("partnership-edit",              "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("partnership-delete",            "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("partnership-delete",            "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("partnership-checkin",           "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("partnership-checkin",           "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("disruption-list",               "GET",    LOGIN, 200,   200,   200,  200,   404),
    ("disruption-create",             "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("disruption-create",             "POST",   LOGIN, 302,   302,   403,  403,   404),
    # -- my role, reviews, campaigns
    ("me",                            "GET",    LOGIN, 200,   200,   200,  200,   404),
    ("me-picture",                    "GET",    LOGIN, 404,   404,   200,  404,   404),
    ("me-review",                     "POST",   LOGIN, 404,   404,   302,  404,   404),
    ("review-inbox",                  "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("review-detail",                 "GET",    LOGIN, 200,   200,   200,  404,   404),
    ("review-resolve",                "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("review-resolve",                "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("campaign-list",                 "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("campaign-create",               "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("campaign-create",               "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("campaign-detail",               "GET",    LOGIN, 200,   200,   403,  403,   404),
    ("campaign-close",                "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("campaign-remind",               "POST",   LOGIN, 302,   302,   403,  403,   404),
    # -- reports (compare names a report of `connect` and one of `insights`)
    ("report-list",                   "GET",    LOGIN, 200,   200,   200,  200,   404),
    ("report-compare",                "GET",    LOGIN, 200,   200,   404,  404,   404),
    ("report-build",                  "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("report-job",                    "GET",    LOGIN, 200,   200,   403,  403,   404),
    # a job with no failed build: nothing to retry, said on the list page
    ("report-job-retry",              "POST",   LOGIN, 302,   302,   403,  403,   404),
    ("report-detail",                 "GET",    LOGIN, 200,   200,   200,  404,   404),
    ("report-export",                 "GET",    LOGIN, 200,   403,   403,  403,   404),
    # an export built by a worker: its admin's only (another organization's admin: 404)
    ("export-job",                    "GET",    LOGIN, 200,   403,   403,  403,   404),
    ("export-download",               "GET",    LOGIN, 200,   403,   403,  403,   404),
    # -- members, invites, the organization export: admins only
    ("members",                       "GET",    LOGIN, 200,   403,   403,  403,   404),
    ("member-access",                 "POST",   LOGIN, 302,   403,   403,  403,   404),
    ("member-remove",                 "POST",   LOGIN, 302,   403,   403,  403,   404),
    ("invite-create",                 "GET",    LOGIN, 200,   403,   403,  403,   404),
    ("invite-create",                 "POST",   LOGIN, 302,   403,   403,  403,   404),
    ("invite-resend",                 "POST",   LOGIN, 302,   403,   403,  403,   404),
    ("invite-revoke",                 "POST",   LOGIN, 302,   403,   403,  403,   404),
    ("activity",                      "GET",    LOGIN, 200,   403,   403,  403,   404),
    ("org-export",                    "GET",    LOGIN, 200,   403,   403,  403,   404),
    ("org-export",                    "POST",   LOGIN, 200,   403,   403,  403,   404),
    # -- scenarios (issue 18): leaders and admins; a stakeholder gets 404, as an outsider does
    ("scenario-list",                 "GET",    LOGIN, 200,   200,   404,  404,   404),
    ("scenario-create",               "GET",    LOGIN, 200,   200,   404,  404,   404),
    ("scenario-create",               "POST",   LOGIN, 302,   302,   404,  404,   404),
    ("scenario-compare",              "GET",    LOGIN, 200,   200,   404,  404,   404),
    ("scenario-detail",               "GET",    LOGIN, 200,   200,   404,  404,   404),
    ("scenario-change-add",           "POST",   LOGIN, 302,   302,   404,  404,   404),
    ("scenario-change-move",          "POST",   LOGIN, 302,   302,   404,  404,   404),
    ("scenario-change-remove",        "POST",   LOGIN, 302,   302,   404,  404,   404),
    ("scenario-function-search",      "GET",    LOGIN, 200,   200,   404,  404,   404),
    ("scenario-apply",                "GET",    LOGIN, 200,   200,   404,  404,   404),
    ("scenario-apply",                "POST",   LOGIN, 302,   302,   404,  404,   404),
    ("scenario-rebase",               "POST",   LOGIN, 302,   302,   404,  404,   404),
    ("scenario-export",               "GET",    LOGIN, 200,   200,   404,  404,   404),
    ("scenario-delete",               "GET",    LOGIN, 200,   200,   404,  404,   404),
    ("scenario-delete",               "POST",   LOGIN, 302,   302,   404,  404,   404),
    # -- the API outside organizations
    ("api:token-obtain",              "POST",   400,   400,   400,   400,  400,   400),
    ("api:layer-list",                "GET",    401,   200,   200,   200,  200,   200),
    ("api:layer-detail",              "GET",    401,   200,   200,   200,  200,   200),
    ("api:org-list",                  "GET",    401,   200,   200,   200,  200,   200),
    ("api:token-list",                "GET",    401,   200,   200,   200,  200,   200),
    ("api:token-detail",              "DELETE", 401,   204,   404,   404,  404,   404),
    ("api:schema",                    "GET",    200,   200,   200,   200,  200,   200),
    ("api:docs",                      "GET",    200,   200,   200,   200,  200,   200),
    ("api:api/^.*$",                  "GET",    404,   404,   404,   404,  404,   404),
    ("api:api/^.*$",                  "POST",   404,   404,   404,   404,  404,   404),
    ("api:api/^.*$",                  "PUT",    404,   404,   404,   404,  404,   404),
    ("api:api/^.*$",                  "PATCH",  404,   404,   404,   404,  404,   404),
    ("api:api/^.*$",                  "DELETE", 404,   404,   404,   404,  404,   404),
    # -- the API of one organization
    ("api:org-detail",                "GET",    401,   200,   200,   200,  200,   404),
    ("api:function-list",             "GET",    401,   200,   200,   200,  200,   404),
    ("api:function-list",             "POST",   401,   201,   201,   403,  403,   404),
    ("api:function-detail",           "GET",    401,   200,   200,   200,  200,   404),
    ("api:function-detail",           "PUT",    401,   200,   200,   403,  403,   404),
    ("api:function-detail",           "PATCH",  401,   200,   200,   403,  403,   404),
    ("api:function-detail",           "DELETE", 401,   200,   200,   403,  403,   404),  # answers what moved
    ("api:stakeholder-list",          "GET",    401,   200,   200,   200,  200,   404),
    ("api:stakeholder-list",          "POST",   401,   201,   201,   403,  403,   404),
    ("api:stakeholder-detail",        "GET",    401,   200,   200,   200,  200,   404),
    ("api:stakeholder-detail",        "PUT",    401,   200,   200,   403,  403,   404),
    ("api:stakeholder-detail",        "PATCH",  401,   200,   200,   403,  403,   404),
    ("api:product-list",              "GET",    401,   200,   200,   200,  200,   404),
    ("api:product-list",              "POST",   401,   201,   201,   403,  403,   404),
    ("api:product-detail",            "GET",    401,   200,   200,   200,  404,   404),
    ("api:product-detail",            "PUT",    401,   200,   200,   403,  403,   404),
    ("api:product-detail",            "PATCH",  401,   200,   200,   403,  403,   404),
    ("api:assignment-list",           "GET",    401,   200,   200,   200,  404,   404),
    ("api:assignment-list",           "POST",   401,   201,   201,   403,  403,   404),
    ("api:assignment-detail",         "GET",    401,   200,   200,   200,  404,   404),
    ("api:assignment-detail",         "PATCH",  401,   200,   200,   403,  403,   404),
    ("api:assignment-detail",         "DELETE", 401,   204,   204,   403,  403,   404),
    ("api:suggestions",               "GET",    401,   200,   200,   200,  404,   404),
    ("api:suggestions",               "POST",   401,   200,   200,   403,  403,   404),
    ("api:suggestions-unmatched",     "GET",    401,   200,   200,   200,  404,   404),
    ("api:product-coverage",          "GET",    401,   200,   200,   200,  404,   404),
    ("api:review-list",               "GET",    401,   200,   200,   200,  200,   404),
    ("api:review-list",               "POST",   401,   403,   403,   201,  400,   404),  # not their product: a bad id
    ("api:review-detail",             "GET",    401,   200,   200,   200,  404,   404),
    ("api:review-resolve",            "POST",   401,   200,   200,   403,  403,   404),
    ("api:report-list",               "GET",    401,   200,   200,   200,  200,   404),
    ("api:report-list",               "POST",   401,   202,   202,   403,  403,   404),
    ("api:report-job",                "GET",    401,   200,   200,   403,  403,   404),
    ("api:report-detail",             "GET",    401,   200,   200,   200,  404,   404),
    ("api:report-export",             "GET",    401,   200,   403,   403,  403,   404),
    ("api:report-export-job",         "GET",    401,   200,   403,   403,  403,   404),
    ("api:report-export-download",    "GET",    401,   200,   403,   403,  403,   404),
    ("api:partnership-list",          "GET",    401,   200,   200,   200,  200,   404),
    ("api:partnership-list",          "POST",   401,   201,   201,   403,  403,   404),
    ("api:partnership-detail",        "GET",    401,   200,   200,   200,  200,   404),
    ("api:partnership-detail",        "PATCH",  401,   200,   200,   403,  403,   404),
    ("api:partnership-detail",        "DELETE", 401,   204,   204,   403,  403,   404),
    ("api:partnership-check-in",      "POST",   401,   201,   201,   403,  403,   404),
    ("api:disruption-list",           "GET",    401,   200,   200,   200,  200,   404),
    ("api:disruption-list",           "POST",   401,   201,   201,   403,  403,   404),
    ("api:disruption-detail",         "GET",    401,   200,   200,   200,  200,   404),
    # scenarios (issue 18): leaders and admins; a stakeholder gets 404, as an outsider does
    ("api:scenario-list",             "GET",    401,   200,   200,   404,  404,   404),
    ("api:scenario-list",             "POST",   401,   201,   201,   404,  404,   404),
    ("api:scenario-detail",           "GET",    401,   200,   200,   404,  404,   404),
    ("api:scenario-detail",           "DELETE", 401,   204,   204,   404,  404,   404),
    ("api:scenario-add-change",       "POST",   401,   201,   201,   404,  404,   404),
    ("api:scenario-remove-change",    "DELETE", 401,   200,   200,   404,  404,   404),
    ("api:scenario-move-change",      "POST",   401,   200,   200,   404,  404,   404),
    ("api:scenario-impact",           "GET",    401,   200,   200,   404,  404,   404),
    ("api:scenario-apply",            "POST",   401,   200,   200,   404,  404,   404),
    ("api:scenario-rebase",           "POST",   401,   200,   200,   404,  404,   404),
]
# fmt: on

ENDPOINTS = {e.key: e for e in endpoints()}
# The Django admin is the operator's (staff accounts); no member of an organization is staff,
# so every one of its pages sends every requester of the table to its sign-in.
ADMIN_SITE_METHODS = ("GET", "POST")


def _admin_site_rows() -> list[tuple[Any, ...]]:
    rows = []
    for key in sorted(k for k in ENDPOINTS if k.startswith("admin:")):
        for method in ADMIN_SITE_METHODS:
            if key == "admin:login":
                rows.append((key, method, 200, 200, 200, 200, 200, 200))
            elif key == "admin:logout":
                rows.append((key, method, 302, 302, 302, 302, 302, 302))
            else:
                rows.append((key, method, *[ADMIN_LOGIN] * len(ROLES)))
    return rows


ROWS = MATRIX + _admin_site_rows()
CASES = [(row[0], row[1], role, row[2 + i]) for row in ROWS for i, role in enumerate(ROLES)]
# Refusals are checked to have written nothing (the admin site's redirect happens before any
# of its views runs; the probe checks its tables for the outsider).
DENIALS = {LOGIN, 401, 403, 404}


def _matches(response: Any, expected: Any) -> bool:
    location = response.get("Location", "")
    if expected == LOGIN:
        return response.status_code == 302 and location.startswith("/accounts/login/?next=")
    if expected == ADMIN_LOGIN:
        return response.status_code == 302 and location.startswith("/admin/login/?next=")
    return response.status_code == expected


@pytest.mark.parametrize(("key", "method", "role", "expected"), CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_access(world, key, method, role, expected):
    endpoint = ENDPOINTS[key]
    client = client_as(world, role)
    before = fingerprint() if expected in DENIALS else None
    response = send(client, method, url_for(endpoint, world, method), endpoint, world)
    assert _matches(response, expected), (
        f"{role} {method} {key}: {response.status_code} {response.get('Location', '')} "
        f"{body_text(response)[:300]!r}, expected {expected}"
    )
    if before is not None:
        assert changed_tables(before, fingerprint()) == [], f"a refused {method} {key} by {role} wrote rows"


# --- the meta-tests -----------------------------------------------------------------------------


def _accepted_methods(world: Any, endpoint: Endpoint) -> set[str]:
    """The methods a pattern's view takes: those that neither the anonymous visitor nor the
    victim's admin get 405 for (each tried in a savepoint that is rolled back)."""
    accepted = set()
    for method in METHODS:
        refused = False
        for role in ("anonymous", "admin"):
            with transaction.atomic():
                response = send(client_as(world, role), method, url_for(endpoint, world, method), endpoint, world)
                transaction.set_rollback(True)
            refused = refused or response.status_code == 405
        if not refused:
            accepted.add(method)
    return accepted


def test_every_url_pattern_and_method_is_in_the_matrix(world):
    """Fails when a URL pattern, or a method a view takes, has no row: DESIGN §5 must be decided for it."""
    rows = {(row[0], row[1]) for row in ROWS}
    missing, stale = [], []
    for key, endpoint in ENDPOINTS.items():
        if endpoint.is_admin_site:
            continue
        accepted = _accepted_methods(world, endpoint)
        missing += [f"{key} {method}" for method in sorted(accepted) if (key, method) not in rows]
        stale += [f"{key} {method}" for (k, method) in sorted(rows) if k == key and method not in accepted]
    unknown = sorted(f"{k} {m}" for k, m in rows if k not in ENDPOINTS)
    assert missing == [], f"methods with no row in the access matrix: {missing}"
    assert stale == [], f"rows for methods the view refuses (405): {stale}"
    assert unknown == [], f"rows for URL names that no longer exist: {unknown}"


def test_the_matrix_has_one_row_per_url_and_method():
    pairs = [(row[0], row[1]) for row in ROWS]
    assert len(pairs) == len(set(pairs))
    assert all(len(row) == 2 + len(ROLES) for row in ROWS)
