"""Every URL pattern of the project, from the resolver, and how to call each with the world's ids.

`endpoints()` walks `get_resolver()`; nothing here lists URLs by hand except how to fill
their arguments (`ROUTES`) and what to send in a body (valid payloads: a refusal must come
from the access rule, not from a malformed request). A pattern with no entry in `ROUTES`
fails the meta-tests of test_isolation_probe.py and test_access_matrix.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from roles.models import Function

from .endpoints import Endpoint
from .world import FIXTURES, World

# --- how to call each pattern -------------------------------------------------------------------

Fill = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Route:
    kwargs: Fill
    query: str = ""
    bodies: dict[str, Fill] = field(default_factory=dict)
    path: Callable[[World], str] | None = None  # unnamed patterns
    # Another object for one method (DELETE a function that has no people).
    method_kwargs: dict[str, Fill] = field(default_factory=dict)
    # The IDOR variant: the same victim ids under the attacker's own organization slug.
    names_objects: bool = False

    def body(self, method: str, world: World) -> dict[str, Any] | None:
        fill = self.bodies.get(method)
        return fill(world) if fill else None


def org(w: World) -> dict[str, Any]:
    return {"org": w.org.slug}


def _with(**extra: Callable[[World], Any]) -> Fill:
    return lambda w: {"org": w.org.slug, **{key: make(w) for key, make in extra.items()}}


def _today(offset: int = 0) -> str:
    return (date.today() + timedelta(days=offset)).isoformat()


FUNCTION = _with(pk=lambda w: w.cs.pk)
EMPTY_FUNCTION = _with(pk=lambda w: w.empty_function.pk)
PERSON = _with(pk=lambda w: w.pending_person.pk)
JOB = _with(token=lambda w: w.import_job.token)
PARTNERSHIP = _with(pk=lambda w: w.partnership.pk)
MEMBER = _with(pk=lambda w: w.other_membership.pk)
INVITE = _with(pk=lambda w: w.invite.pk)
PRODUCT = _with(product=lambda w: w.product.slug)
CELL = _with(product=lambda w: w.product.slug, function=lambda w: w.empty_function.pk, layer=lambda w: "core")
LEAD_CELL = _with(product=lambda w: w.product.slug, function=lambda w: w.cs.pk, layer=lambda w: "augmented")
ASSIGNMENT = _with(pk=lambda w: w.assignment.pk)
REVIEW = _with(pk=lambda w: w.review.pk)
CAMPAIGN = _with(pk=lambda w: w.campaign.pk)
REPORT = _with(pk=lambda w: w.report.pk)
EXPORT_JOB = _with(token=lambda w: str(w.extra["export_job"].token))
SCENARIO = _with(pk=lambda w: w.extra["scenario"].pk)
SCENARIO_STEP = _with(pk=lambda w: w.extra["scenario"].pk, change=lambda w: w.extra["scenario_step"].pk)

PAGES: dict[str, Route] = {
    "home": Route(kwargs=lambda w: {}),
    "login": Route(
        kwargs=lambda w: {}, bodies={"POST": lambda w: {"username": "admin@quokka.test", "password": "wrong"}}
    ),
    "logout": Route(kwargs=lambda w: {}),
    "healthz": Route(kwargs=lambda w: {}),
    "healthz-ready": Route(kwargs=lambda w: {}),
    "healthz-live": Route(kwargs=lambda w: {}),
    "invite-accept": Route(kwargs=lambda w: {"token": w.invite_token}, bodies={"POST": lambda w: {}}),
    "password_reset": Route(kwargs=lambda w: {}, bodies={"POST": lambda w: {"email": "nobody@quokka.test"}}),
    "password_reset_done": Route(kwargs=lambda w: {}),
    "password_reset_confirm": Route(
        kwargs=lambda w: {"uidb64": "MQ", "token": "made-up"},
        bodies={"POST": lambda w: {"new_password1": "x", "new_password2": "x"}},
    ),
    "password_reset_complete": Route(kwargs=lambda w: {}),
    "dashboard": Route(kwargs=org),
    "org-switcher": Route(kwargs=org),
    "function-list": Route(kwargs=org),
    "function-search": Route(kwargs=org, query="q=a"),
    "function-create": Route(
        kwargs=org, bodies={"POST": lambda w: {"name": "Quokka Legal", "category": "cross_functional"}}
    ),
    "function-edit": Route(
        kwargs=FUNCTION,
        names_objects=True,
        bodies={
            "POST": lambda w: {"name": "Quokka Customer Success", "category": "customer_facing", "description": "x"}
        },
    ),
    "function-delete": Route(kwargs=EMPTY_FUNCTION, names_objects=True, bodies={"POST": lambda w: {"people_count": 0}}),
    "people-list": Route(kwargs=org),
    "person-search": Route(kwargs=org, query="q=a"),
    "person-create": Route(
        kwargs=org,
        bodies={
            "POST": lambda w: {"full_name": "New Quokka", "email": "new@quokka.test", "title": "", "function": w.cs.pk}
        },
    ),
    "person-edit": Route(
        kwargs=PERSON,
        names_objects=True,
        bodies={
            "POST": lambda w: {"full_name": "Pat Quokka", "email": "pat@quokka.test", "title": "x", "function": w.cs.pk}
        },
    ),
    "person-delete": Route(kwargs=PERSON, names_objects=True, bodies={"POST": lambda w: {}}),
    "import": Route(kwargs=org, bodies={"POST": lambda w: {"file": _upload("good.csv")}}),
    "import-mapping": Route(kwargs=JOB, names_objects=True, bodies={"POST": lambda w: {}}),
    "import-preview": Route(kwargs=JOB, names_objects=True),
    "import-commit": Route(kwargs=JOB, names_objects=True, bodies={"POST": lambda w: {}}),
    "import-job": Route(kwargs=JOB, names_objects=True),
    "import-joins": Route(kwargs=JOB, names_objects=True, bodies={"POST": lambda w: {}}),
    "import-rejected": Route(kwargs=JOB, names_objects=True),
    "people-export": Route(kwargs=_with(fmt=lambda w: "csv")),
    "web": Route(kwargs=org),
    "partnership-create": Route(
        kwargs=org,
        bodies={
            "POST": lambda w: {
                "function_a": w.cs.pk,
                "function_b": w.empty_function.pk,
                "trust": 4,
                "cadence": "monthly",
            }
        },
    ),
    "partnership-edit": Route(
        kwargs=PARTNERSHIP,
        names_objects=True,
        bodies={
            "POST": lambda w: {
                "function_a": w.partnership.function_a_id,
                "function_b": w.partnership.function_b_id,
                "trust": 3,
                "cadence": "weekly",
                "shared_goal": "Quokka handoffs",
                "feedback_carried": "",
                "version": 1,
            }
        },
    ),
    "partnership-delete": Route(kwargs=PARTNERSHIP, names_objects=True, bodies={"POST": lambda w: {"version": 1}}),
    "partnership-checkin": Route(
        kwargs=PARTNERSHIP,
        names_objects=True,
        bodies={"POST": lambda w: {"trust": 2, "checked_on": _today(), "note": "Quokka strain"}},
    ),
    "disruption-list": Route(kwargs=org),
    "disruption-create": Route(
        kwargs=org,
        bodies={
            "POST": lambda w: {
                "kind": "new_hires",
                "title": "Quokka hires",
                "occurred_on": _today(-1),
                "functions": [w.eng.pk],
                "note": "",
            }
        },
    ),
    "members": Route(kwargs=org),
    "member-access": Route(kwargs=MEMBER, names_objects=True, bodies={"POST": lambda w: {"access": "leader"}}),
    "member-remove": Route(kwargs=MEMBER, names_objects=True, bodies={"POST": lambda w: {}}),
    "invite-create": Route(kwargs=org, bodies={"POST": lambda w: {"scope": "person", "email": w.uninvited.email}}),
    "invite-resend": Route(kwargs=INVITE, names_objects=True, bodies={"POST": lambda w: {}}),
    "invite-revoke": Route(kwargs=INVITE, names_objects=True, bodies={"POST": lambda w: {}}),
    "activity": Route(kwargs=org),
    "org-export": Route(kwargs=org, bodies={"POST": lambda w: {}}),
    "product-list": Route(kwargs=org),
    "product-create": Route(
        kwargs=org, bodies={"POST": lambda w: {"name": "Quokka Lens", "slug": "lens", "description": ""}}
    ),
    "product-edit": Route(
        kwargs=PRODUCT,
        names_objects=True,
        bodies={"POST": lambda w: {"name": "Quokka Insights", "slug": "insights", "description": "x"}},
    ),
    "product-detail": Route(kwargs=PRODUCT, names_objects=True),
    "product-map": Route(kwargs=PRODUCT, names_objects=True),
    "product-map-apply": Route(kwargs=PRODUCT, names_objects=True, bodies={"POST": lambda w: {}}),
    "product-map-dismiss": Route(
        kwargs=PRODUCT, names_objects=True, bodies={"POST": lambda w: {"function": w.eng.pk, "layer": "core"}}
    ),
    "product-map-restore": Route(
        kwargs=PRODUCT, names_objects=True, bodies={"POST": lambda w: {"function": w.eng.pk, "layer": "core"}}
    ),
    "product-map-undo": Route(kwargs=PRODUCT, names_objects=True, bodies={"POST": lambda w: {"changes": "1"}}),
    "product-map-cell": Route(
        kwargs=CELL, names_objects=True, bodies={"POST": lambda w: {"emphasis": "contributor", "version": 0}}
    ),
    "product-map-contribution": Route(
        kwargs=LEAD_CELL,
        names_objects=True,
        bodies={"POST": lambda w: {"contribution": "Quokka onboarding, renewed.", "version": 1}},
    ),
    "product-map-history": Route(kwargs=LEAD_CELL, names_objects=True),
    "me": Route(kwargs=org),
    "me-picture": Route(kwargs=PRODUCT, names_objects=True),
    "me-review": Route(
        kwargs=ASSIGNMENT, names_objects=True, bodies={"POST": lambda w: {f"a{w.assignment.pk}-verdict": "agree"}}
    ),
    "review-inbox": Route(kwargs=org),
    "review-detail": Route(kwargs=REVIEW, names_objects=True),
    "review-resolve": Route(
        kwargs=REVIEW, names_objects=True, bodies={"POST": lambda w: {"action": "keep", "keep-note": "It stays."}}
    ),
    "campaign-list": Route(kwargs=org),
    "campaign-create": Route(
        kwargs=org,
        # `connect`: `insights` has its open campaign already.
        bodies={"POST": lambda w: {"product": w.other_product.pk, "name": "Quokka autumn", "deadline": _today(21)}},
    ),
    "campaign-detail": Route(kwargs=CAMPAIGN, names_objects=True),
    "campaign-close": Route(kwargs=CAMPAIGN, names_objects=True, bodies={"POST": lambda w: {}}),
    "campaign-remind": Route(kwargs=CAMPAIGN, names_objects=True, bodies={"POST": lambda w: {}}),
    "report-list": Route(kwargs=org),
    "report-compare": Route(kwargs=org, query="a={a}&b={b}"),
    "report-build": Route(kwargs=org, bodies={"POST": lambda w: {"product": w.product.slug}}),
    "report-job": Route(kwargs=_with(task_id=lambda w: w.job_id), names_objects=True),
    "report-job-retry": Route(
        kwargs=_with(task_id=lambda w: w.job_id), names_objects=True, bodies={"POST": lambda w: {}}
    ),
    "report-detail": Route(kwargs=REPORT, names_objects=True),
    "report-export": Route(kwargs=REPORT, names_objects=True, query="format=csv"),
    "export-job": Route(kwargs=EXPORT_JOB, names_objects=True),
    "export-download": Route(kwargs=EXPORT_JOB, names_objects=True),
    # Scenarios (issue 18): leaders and admins only; stakeholders get 404 like outsiders.
    "scenario-list": Route(kwargs=org),
    "scenario-create": Route(kwargs=org, bodies={"POST": lambda w: {"name": "Quokka split", "description": ""}}),
    "scenario-compare": Route(kwargs=org),
    "scenario-detail": Route(kwargs=SCENARIO, names_objects=True),
    "scenario-change-add": Route(
        kwargs=SCENARIO,
        names_objects=True,
        bodies={"POST": lambda w: {"kind": "leaver", "person": w.uninvited.pk}},
    ),
    "scenario-change-move": Route(
        kwargs=SCENARIO_STEP, names_objects=True, bodies={"POST": lambda w: {"direction": "down"}}
    ),
    "scenario-change-remove": Route(kwargs=SCENARIO_STEP, names_objects=True, bodies={"POST": lambda w: {}}),
    "scenario-function-search": Route(kwargs=SCENARIO, names_objects=True, query="q=quokka"),
    "scenario-apply": Route(
        kwargs=SCENARIO, names_objects=True, bodies={"POST": lambda w: {"version": w.extra["scenario"].version}}
    ),
    "scenario-rebase": Route(kwargs=SCENARIO, names_objects=True, bodies={"POST": lambda w: {}}),
    "scenario-export": Route(kwargs=SCENARIO, names_objects=True, query="format=xlsx"),
    "scenario-delete": Route(kwargs=SCENARIO, names_objects=True, bodies={"POST": lambda w: {}}),
}

API_ORG = _with()
API_FUNCTION = _with(pk=lambda w: w.cs.pk)
API_PERSON = _with(pk=lambda w: w.pending_person.pk)
API_PRODUCT = _with(product=lambda w: w.product.slug)
API_ASSIGNMENT = _with(product=lambda w: w.product.slug, pk=lambda w: w.assignment.pk)
API_REVIEW = _with(pk=lambda w: w.review.pk)
API_REPORT = _with(pk=lambda w: w.report.pk)
EXPORT_JOB = _with(token=lambda w: str(w.extra["export_job"].token))
API_PARTNERSHIP = _with(pk=lambda w: w.partnership.pk)
API_SCENARIO = _with(pk=lambda w: w.extra["scenario"].pk)
API_SCENARIO_STEP = _with(pk=lambda w: w.extra["scenario"].pk, change_id=lambda w: w.extra["scenario_step"].pk)


def _function_body(w: World) -> dict[str, Any]:
    return {"name": "Quokka CS", "category": "customer_facing", "is_external": False, "description": "", "parent": None}


def _person_body(w: World) -> dict[str, Any]:
    return {"full_name": "Pat Quokka", "email": "pat@quokka.test", "function": w.cs.pk, "title": "Lead"}


API: dict[str, Route] = {
    "api:token-obtain": Route(
        kwargs=lambda w: {}, bodies={"POST": lambda w: {"email": "admin@quokka.test", "password": "wrong"}}
    ),
    "api:layer-list": Route(kwargs=lambda w: {}),
    "api:layer-detail": Route(kwargs=lambda w: {"key": "core"}),
    "api:org-list": Route(kwargs=lambda w: {}),
    "api:org-detail": Route(kwargs=API_ORG),
    "api:function-list": Route(
        kwargs=API_ORG, bodies={"POST": lambda w: {"name": "Quokka Legal", "category": "cross_functional"}}
    ),
    "api:function-detail": Route(
        kwargs=API_FUNCTION,
        names_objects=True,
        bodies={"PUT": _function_body, "PATCH": lambda w: {"description": "Quokka care."}},
        method_kwargs={"DELETE": _with(pk=lambda w: w.empty_function.pk)},
    ),
    "api:stakeholder-list": Route(
        kwargs=API_ORG,
        bodies={"POST": lambda w: {"full_name": "New Quokka", "email": "new@quokka.test", "function": w.cs.pk}},
    ),
    "api:stakeholder-detail": Route(
        kwargs=API_PERSON, names_objects=True, bodies={"PUT": _person_body, "PATCH": lambda w: {"title": "Head"}}
    ),
    "api:product-list": Route(kwargs=API_ORG, bodies={"POST": lambda w: {"name": "Quokka Lens"}}),
    "api:product-detail": Route(
        kwargs=API_PRODUCT,
        names_objects=True,
        bodies={
            "PUT": lambda w: {"name": "Quokka Insights", "slug": "insights"},
            "PATCH": lambda w: {"description": "Quokka dashboards"},
        },
    ),
    "api:assignment-list": Route(
        kwargs=API_PRODUCT,
        names_objects=True,
        bodies={"POST": lambda w: {"function": w.empty_function.pk, "layer": "potential"}},
    ),
    "api:assignment-detail": Route(
        kwargs=API_ASSIGNMENT,
        names_objects=True,
        bodies={
            "PUT": lambda w: {"version": 1, "emphasis": "lead", "contribution": "Quokka onboarding."},
            "PATCH": lambda w: {"version": 1, "emphasis": "contributor"},
        },
    ),
    "api:suggestions": Route(kwargs=API_PRODUCT, names_objects=True, bodies={"POST": lambda w: {"all": True}}),
    "api:suggestions-unmatched": Route(kwargs=API_PRODUCT, names_objects=True),
    "api:product-coverage": Route(kwargs=API_PRODUCT, names_objects=True),
    "api:review-list": Route(
        kwargs=API_ORG, bodies={"POST": lambda w: {"assignment": w.assignment.pk, "verdict": "agree"}}
    ),
    "api:review-detail": Route(kwargs=API_REVIEW, names_objects=True),
    "api:review-resolve": Route(
        kwargs=API_REVIEW, names_objects=True, bodies={"POST": lambda w: {"action": "keep", "note": "It stays."}}
    ),
    "api:report-list": Route(kwargs=API_ORG, bodies={"POST": lambda w: {"product": w.product.slug}}),
    "api:report-job": Route(kwargs=_with(job_id=lambda w: w.job_id), names_objects=True),
    "api:report-detail": Route(kwargs=API_REPORT, names_objects=True),
    "api:report-export": Route(kwargs=API_REPORT, names_objects=True, query="format=csv"),
    "api:report-export-job": Route(kwargs=EXPORT_JOB, names_objects=True),
    "api:report-export-download": Route(kwargs=EXPORT_JOB, names_objects=True),
    "api:partnership-list": Route(
        kwargs=API_ORG,
        bodies={"POST": lambda w: {"function_a": w.cs.pk, "function_b": w.empty_function.pk, "trust": 4}},
    ),
    "api:partnership-detail": Route(
        kwargs=API_PARTNERSHIP,
        names_objects=True,
        bodies={
            "PUT": lambda w: {
                "version": 1,
                "function_a": w.partnership.function_a_id,
                "function_b": w.partnership.function_b_id,
                "trust": 5,
            },
            "PATCH": lambda w: {"version": 1, "trust": 5},
        },
    ),
    "api:partnership-check-in": Route(
        kwargs=API_PARTNERSHIP, names_objects=True, bodies={"POST": lambda w: {"trust": 2}}
    ),
    "api:disruption-list": Route(
        kwargs=API_ORG,
        bodies={
            "POST": lambda w: {
                "kind": "new_hires",
                "title": "Quokka hires",
                "occurred_on": _today(-1),
                "functions": [w.eng.pk],
            }
        },
    ),
    "api:disruption-detail": Route(kwargs=_with(pk=lambda w: w.disruption.pk), names_objects=True),
    "api:scenario-list": Route(kwargs=API_ORG, bodies={"POST": lambda w: {"name": "Quokka reorg"}}),
    "api:scenario-detail": Route(kwargs=API_SCENARIO, names_objects=True),
    "api:scenario-add-change": Route(
        kwargs=API_SCENARIO,
        names_objects=True,
        bodies={
            "POST": lambda w: {"kind": "create_function", "payload": {"name": "Quokka Ops", "category": "building"}}
        },
    ),
    "api:scenario-remove-change": Route(kwargs=API_SCENARIO_STEP, names_objects=True),
    "api:scenario-move-change": Route(
        kwargs=API_SCENARIO_STEP, names_objects=True, bodies={"POST": lambda w: {"position": 2}}
    ),
    "api:scenario-impact": Route(kwargs=API_SCENARIO, names_objects=True),
    "api:scenario-apply": Route(kwargs=API_SCENARIO, names_objects=True, bodies={"POST": lambda w: {}}),
    "api:scenario-rebase": Route(kwargs=API_SCENARIO, names_objects=True, bodies={"POST": lambda w: {}}),
    "api:token-list": Route(kwargs=lambda w: {}),
    "api:token-detail": Route(kwargs=lambda w: {"token_id": w.admin_token.token_key[:8]}),
    "api:schema": Route(kwargs=lambda w: {}),
    "api:docs": Route(kwargs=lambda w: {}),
    "api:api/^.*$": Route(kwargs=lambda w: {}, path=lambda w: "/api/v1/orgs/victim-co/nothing-here/"),
}

ROUTES: dict[str, Route] = {**PAGES, **API}


def _upload(name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, (FIXTURES / "import" / name).read_bytes(), content_type="text/csv")


def admin_site_kwargs(endpoint: Endpoint, world: World) -> dict[str, Any]:
    """The Django admin's patterns take generic arguments: fill them with the victim's objects."""
    values = {
        "object_id": str(world.cs.pk),
        "app_label": "roles",
        "content_type_id": ContentType.objects.get_for_model(Function).pk,
        "id": str(world.users["admin"].pk),
        "url": "victim/",
    }
    return {name: values[name] for name in endpoint.params}


def _fill_route(route: str, kwargs: dict[str, Any]) -> str:
    """An unnamed pattern's address: its converters and groups replaced by the arguments."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "")


MADE_UP_UUID = "00000000-0000-4000-8000-000000000000"
KEPT = {"org", "layer", "fmt", "key"}  # not objects of an organization


def made_up(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The same arguments with every object replaced by one that exists nowhere."""
    fake = {}
    for name, value in kwargs.items():
        if name in KEPT:
            fake[name] = value
        elif isinstance(value, int):
            fake[name] = 987654
        elif name in {"token", "task_id", "job_id"}:
            fake[name] = MADE_UP_UUID
        else:
            fake[name] = "no-such-thing"
    return fake


def url_for(
    endpoint: Endpoint, world: World, method: str = "GET", *, org_slug: str | None = None, fake: bool = False
) -> str:
    """The victim's address for a pattern; `org_slug` swaps in another organization (the IDOR
    variant), `fake` swaps every object for a made-up one (what an absent object looks like)."""
    if endpoint.is_admin_site:
        kwargs = admin_site_kwargs(endpoint, world)
        return reverse(endpoint.name, kwargs=kwargs) if endpoint.name else _fill_route(endpoint.route, kwargs)
    route = ROUTES[endpoint.key]
    if route.path is not None:
        return route.path(world)
    kwargs = route.method_kwargs.get(method, route.kwargs)(world)
    if org_slug is not None:
        kwargs["org"] = org_slug
    if fake:
        kwargs = made_up(kwargs)
    url = reverse(endpoint.name, kwargs=kwargs)
    if route.query:
        url += "?" + route.query.format(a=world.other_report.pk, b=world.report.pk)
    return url


def send(client: Client, method: str, url: str, endpoint: Endpoint, world: World, **extra: Any) -> Any:
    """One request: a form body for pages, JSON for the API, the route's valid payload when it has one."""
    route = ROUTES.get(endpoint.key)
    body = route.body(method, world) if route else None
    call = getattr(client, method.lower())
    if method in {"GET", "HEAD", "OPTIONS"}:
        return call(url, **extra)
    if endpoint.is_api:
        return call(url, data=json.dumps(body or {}), content_type="application/json", **extra)
    if method == "POST":
        return call(url, data=body or {}, **extra)
    return call(url, data="", content_type="application/x-www-form-urlencoded", **extra)
