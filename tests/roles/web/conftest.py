"""What the partnership web tests share: the addresses, functions and partnerships, and the forms'
data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from roles.models import Function, Partnership
from tests.factories import FunctionFactory

WEB = "/o/acme/web/"
NEW = WEB + "partnerships/new/"
DISRUPTIONS = WEB + "disruptions/"
LOG = DISRUPTIONS + "new/"


def edit_url(p: Partnership) -> str:
    return f"{WEB}partnerships/{p.pk}/edit/"


def delete_url(p: Partnership) -> str:
    return f"{WEB}partnerships/{p.pk}/delete/"


def checkin_url(p: Partnership) -> str:
    return f"{WEB}partnerships/{p.pk}/check-in/"


def make(org, name: str, category: str = Function.Category.BUILDING) -> Function:
    return FunctionFactory(organization=org, name=name, category=category)


def link(org, a, b, trust=3, checked_days_ago: int | None = 10, **extra) -> Partnership:
    first, second = sorted((a, b), key=lambda f: f.pk)
    checked = timezone.localdate() - timedelta(days=checked_days_ago) if checked_days_ago is not None else None
    return Partnership.objects.create(
        organization=org, function_a=first, function_b=second, trust=trust, last_checked_on=checked, **extra
    )


@pytest.fixture
def engineering(org):
    return make(org, "Engineering")


@pytest.fixture
def sales(org):
    return make(org, "Sales & Account Management", Function.Category.CUSTOMER_FACING)


@pytest.fixture
def partnership(org, engineering, sales):
    return link(org, engineering, sales, trust=3, shared_goal="Win deals")


def new_data(a, b, **overrides) -> dict:
    data = {"function_a": a.pk, "function_b": b.pk, "trust": "4", "cadence": "weekly", "shared_goal": "Ship"}
    data.update(overrides)
    return data


def edit_data(p: Partnership, **overrides) -> dict:
    data = {
        "function_a": p.function_a_id,
        "function_b": p.function_b_id,
        "cadence": "quarterly",
        "shared_goal": "New goal",
        "feedback_carried": "Onboarding challenges",
        "version": p.version,
    }
    data.update(overrides)
    return data


def log_data(*functions, **overrides) -> dict:
    data = {
        "kind": "reorg",
        "title": "Sales reorganized",
        "occurred_on": timezone.localdate().isoformat(),
        "functions": [f.pk for f in functions],
        "note": "Regional pods",
    }
    data.update(overrides)
    return data


ALL_PAGES = ["web", "new", "edit", "delete", "checkin", "disruptions", "log"]
WRITES = ["new", "edit", "delete", "checkin", "log"]


def url_of(name: str, p: Partnership) -> str:
    return {
        "web": WEB,
        "new": NEW,
        "edit": edit_url(p),
        "delete": delete_url(p),
        "checkin": checkin_url(p),
        "disruptions": DISRUPTIONS,
        "log": LOG,
    }[name]


def post_data(name: str, p: Partnership, sales: Function) -> dict:
    return {
        "new": new_data(p.function_a, make(p.organization, "Legal")) if name == "new" else {},
        "edit": edit_data(p),
        "delete": {"version": p.version},
        "checkin": {"trust": "5", "checked_on": timezone.localdate().isoformat()},
        "log": log_data(sales),
    }.get(name, {})


def snapshot(p: Partnership) -> tuple:
    p.refresh_from_db()
    return (p.trust, p.cadence, p.shared_goal, p.version, p.needs_trust_check, p.check_ins.count())


def reorgs(org, functions, plan) -> None:
    """A reorganization "Reorg N" N days ago (a future one when N < 0) of the functions at these
    places of `functions`, for each (N, places) of `plan`, logged as a leader logs one."""
    from roles.services.disruptions import disruption_log

    for days_ago, touched in plan:
        disruption_log(
            organization=org,
            kind="reorg",
            title=f"Reorg {days_ago}",
            occurred_on=timezone.localdate() - timedelta(days=days_ago),
            function_ids=[functions[i] for i in touched],
        )
