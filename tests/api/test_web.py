"""The partnership web: partnerships (version-locked, with check-ins) and disruptions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from roles.models import Disruption, Partnership, PartnershipCheckIn
from tests.factories import FunctionFactory

from .conftest import url

pytestmark = pytest.mark.django_db

PARTNERSHIPS = url("orgs/acme/partnerships/")
DISRUPTIONS = url("orgs/acme/disruptions/")


def links():
    return list(Partnership.objects.order_by("pk").values())


def test_a_leader_links_two_functions(leader_api, org, engineering, cs_function, leader):
    body = {"function_a": engineering.pk, "function_b": cs_function.pk, "trust": 2, "shared_goal": "Fewer escalations"}
    response = leader_api.post(PARTNERSHIPS, body, format="json")
    assert response.status_code == 201, response.json()
    link = Partnership.objects.get(organization=org)
    assert (link.trust, link.shared_goal, link.version) == (2, "Fewer escalations", 1)
    assert PartnershipCheckIn.objects.get(partnership=link).by == leader
    assert {response.json()["function_a_name"], response.json()["function_b_name"]} == {
        "Engineering",
        "Customer Success",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"trust": 6}, "trust"),
        ({"trust": "3"}, "trust"),
        ({"trust": 3, "cadence": "hourly"}, "cadence"),
        ({"trust": 3, "shared_goal": "g" * 301}, "shared_goal"),
        ({"trust": 3, "last_checked_on": "2999-01-01"}, "last_checked_on"),
        ({"trust": 3, "same": True}, "function_b"),
    ],
)
def test_it_refuses_a_bad_partnership(leader_api, engineering, cs_function, body, field):
    second = engineering.pk if body.pop("same", False) else cs_function.pk
    response = leader_api.post(
        PARTNERSHIPS, {"function_a": engineering.pk, "function_b": second, **body}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Partnership.objects.exists()


def test_a_pair_is_linked_once_in_either_order(leader_api, world, engineering, cs_function):
    before = links()
    body = {"function_a": engineering.pk, "function_b": cs_function.pk, "trust": 4}
    response = leader_api.post(PARTNERSHIPS, body, format="json")
    assert response.status_code == 400 and response.json()["error"] == "duplicate"
    assert links() == before


def test_an_update_names_its_version(leader_api, world):
    path = url(f"orgs/acme/partnerships/{world['partnership']}/")
    response = leader_api.patch(path, {"version": 1, "trust": 5, "cadence": "weekly"}, format="json")
    assert response.status_code == 200, response.json()
    link = Partnership.objects.get(pk=world["partnership"])
    assert (link.trust, link.cadence, link.version) == (5, "weekly", 2)
    before = links()
    stale = leader_api.patch(path, {"version": 1, "trust": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current"]["trust"] == 5 and stale.json()["current"]["version"] == 2
    assert links() == before
    assert leader_api.patch(path, {"trust": 1}, format="json").status_code == 400
    assert links() == before


def test_a_delete_with_a_stale_version_deletes_nothing(leader_api, world):
    path = url(f"orgs/acme/partnerships/{world['partnership']}/")
    assert leader_api.delete(path + "?version=4").status_code == 409
    assert Partnership.objects.filter(pk=world["partnership"]).exists()
    assert leader_api.delete(path + "?version=1").status_code == 204
    assert not Partnership.objects.filter(pk=world["partnership"]).exists()


def test_a_check_in_records_a_trust_reading(leader_api, world):
    path = url(f"orgs/acme/partnerships/{world['partnership']}/check-ins/")
    response = leader_api.post(path, {"trust": 1, "note": "Escalations again."}, format="json")
    assert response.status_code == 201, response.json()
    link = Partnership.objects.get(pk=world["partnership"])
    assert link.trust == 1 and link.check_ins.count() == 2
    assert leader_api.post(path, {"trust": 0}, format="json").status_code == 400
    assert leader_api.post(path, {"trust": 3, "version": 1}, format="json").status_code == 409
    assert link.check_ins.count() == 2


def test_partnerships_filter_by_function_and_trust(leader_api, world, org, engineering):
    other = FunctionFactory(organization=org, name="Sales")
    Partnership.objects.create(organization=org, function_a=engineering, function_b=other, trust=5)
    count = lambda query: leader_api.get(PARTNERSHIPS + query).json()["count"]  # noqa: E731
    assert count("") == 2
    assert count(f"?function={other.pk}") == 1
    assert count("?trust_max=3") == 1
    assert count("?needs_trust_check=true") == 1  # the world's reorg touched Engineering
    assert count("?needs_trust_check=false") == 1


def test_a_leader_logs_a_disruption_and_hears_its_effects(leader_api, org, engineering, cs_function, world):
    body = {
        "kind": "leadership_change",
        "title": "New CTO",
        "occurred_on": str(date(2025, 3, 3)),
        "functions": [engineering.pk],
    }
    response = leader_api.post(DISRUPTIONS, body, format="json")
    assert response.status_code == 201, response.json()
    disruption = Disruption.objects.get(title="New CTO")
    assert list(disruption.functions.values_list("pk", flat=True)) == [engineering.pk]
    effects = response.json()["effects"]
    assert effects["partnerships_flagged"] == 1 and effects["planned"] is False
    assert "partnership flagged for a trust check" in effects["summary"]
    assert response.json()["disruption"]["functions"] == [engineering.pk]
    assert Partnership.objects.get(pk=world["partnership"]).needs_trust_check


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "earthquake"}, "kind"),
        ({"functions": []}, "functions"),
        ({"title": "t" * 201}, "title"),
        ({"occurred_on": "03/03/2025"}, "occurred_on"),
        ({"functions": ["1"]}, "functions"),
    ],
)
def test_it_refuses_a_bad_disruption(leader_api, engineering, body, field):
    base = {"kind": "reorg", "title": "Split", "occurred_on": "2025-03-03", "functions": [engineering.pk]}
    response = leader_api.post(DISRUPTIONS, {**base, **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"] or f"{field}.0" in response.json()["fields"]
    assert not Disruption.objects.exists()


def test_a_disruption_only_touches_functions_of_this_organization(leader_api, other_org):
    theirs = FunctionFactory(organization=other_org)
    body = {"kind": "reorg", "title": "Split", "occurred_on": "2025-03-03", "functions": [theirs.pk]}
    response = leader_api.post(DISRUPTIONS, body, format="json")
    assert response.status_code == 400
    assert not Disruption.objects.exists()


def test_disruptions_filter_by_kind_function_and_day(leader_api, world, engineering, cs_function):
    count = lambda query: leader_api.get(DISRUPTIONS + query).json()["count"]  # noqa: E731
    assert count("?kind=reorg") == 1 and count("?kind=new_hires") == 0
    assert count(f"?function={engineering.pk}") == 1 and count(f"?function={cs_function.pk}") == 0
    today = timezone.localdate()
    assert count(f"?occurred_on_after={today - timedelta(days=5000)}&occurred_on_before=2025-01-06") == 1
    assert count("?occurred_on_after=2025-01-07") == 0
    assert leader_api.get(DISRUPTIONS + "?occurred_on_after=").status_code == 400
