"""API lists page in a stable order (issue 13 item 9): a client ordering by a column with ties
reads every row exactly once across the pages."""

from __future__ import annotations

import pytest

from roles.models import Function, Stakeholder

pytestmark = pytest.mark.django_db


def _read_all(client, url: str) -> list[int]:
    seen, page = [], url
    while page:
        body = client.get(page).json()
        seen += [row["id"] for row in body["results"]]
        page = body["next"]
    return seen


def test_ordering_by_a_column_with_ties_pages_every_row_once(leader_api, org):
    Function.objects.bulk_create(
        Function(organization=org, name=f"Team {n:03}", category=["building", "partner"][n % 2]) for n in range(45)
    )
    url = "/api/v1/orgs/acme/functions/?ordering=category&page_size=10"
    ids = _read_all(leader_api, url)
    expected = list(Function.objects.filter(organization=org).order_by("category", "pk").values_list("pk", flat=True))
    assert ids == expected and len(set(ids)) == 45


def test_descending_ordering_breaks_ties_by_id_too(leader_api, org, cs_function):
    Stakeholder.objects.bulk_create(
        Stakeholder(organization=org, function=cs_function, full_name="Same Name", email=f"p{n}@acme.test")
        for n in range(12)
    )
    ids = _read_all(leader_api, "/api/v1/orgs/acme/stakeholders/?ordering=-full_name&page_size=5")
    expected = list(
        Stakeholder.objects.filter(organization=org).order_by("-full_name", "pk").values_list("pk", flat=True)
    )
    assert ids == expected
