"""What the organization holds now, read once for a scenario's replay (DESIGN §10)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.db.models.functions import Lower

from domain.coverage.rows import LEAD
from layers.models import Assignment, Product
from roles.models import Function, Stakeholder

from .models import ScenarioChange

# --- what the organization holds now (read once) ----------------------------------------------------


@dataclass(frozen=True)
class FunctionFact:
    id: int
    name: str
    category: str
    is_external: bool


@dataclass(frozen=True)
class PersonFact:
    id: int
    function_id: int
    full_name: str
    email: str


@dataclass(frozen=True)
class CellFact:
    assignment_id: int
    product_id: int
    function_id: int
    layer: str
    emphasis: str
    version: int
    changed_at: datetime


@dataclass
class Facts:
    """The rows a replay reads, loaded in a fixed number of queries: every function (names must
    stay unique), every product, the lead of every layer, and only the people, cells, head counts
    and emails the steps name."""

    organization_id: int
    functions: dict[int, FunctionFact]
    products: dict[int, tuple[str, str]]  # id -> (name, slug)
    people: dict[int, PersonFact]
    cells: dict[tuple[int, int, str], CellFact]  # (product, function, layer) of the named functions
    leads: dict[tuple[int, str], int]  # (product, layer) -> function id
    headcount: dict[int, int]  # of the named functions
    emails_taken: set[str]  # lowercased, of the hires' addresses

    @classmethod
    def load(cls, organization_id: int, changes: Sequence[ScenarioChange]) -> Facts:
        functions = {
            pk: FunctionFact(pk, name, category, external)
            for pk, name, category, external in Function.objects.filter(organization_id=organization_id).values_list(
                "pk", "name", "category", "is_external"
            )
        }
        products = {
            pk: (name, slug)
            for pk, name, slug in Product.objects.filter(organization_id=organization_id).values_list(
                "pk", "name", "slug"
            )
        }
        person_ids, function_ids, emails = _named(changes)
        people = {
            pk: PersonFact(pk, function_id, name, email)
            for pk, function_id, name, email in Stakeholder.objects.filter(
                organization_id=organization_id, pk__in=person_ids
            ).values_list("pk", "function_id", "full_name", "email")
        }
        function_ids |= {p.function_id for p in people.values()}
        return cls(
            organization_id=organization_id,
            functions=functions,
            products=products,
            people=people,
            cells=cells_of(organization_id, function_ids),
            leads=leads_of(organization_id),
            headcount=headcount_of(organization_id, function_ids),
            emails_taken=_emails_taken(organization_id, emails),
        )


def _named(changes: Sequence[ScenarioChange]) -> tuple[set[int], set[int], set[str]]:
    people: set[int] = set()
    functions: set[int] = set()
    emails: set[str] = set()
    for change in changes:
        p = change.payload
        for name in ("person",):
            if isinstance(p.get(name), int):
                people.add(p[name])
        people |= {ref for ref in p.get("people", ()) if isinstance(ref, int)}
        for name in ("to", "function", "into"):
            if isinstance(p.get(name), int):
                functions.add(p[name])
        functions |= {ref for ref in p.get("functions", ()) if isinstance(ref, int)}
        if p.get("email"):
            emails.add(p["email"].lower())
    return people, functions, emails


def cells_of(organization_id: int, function_ids: Iterable[int]) -> dict[tuple[int, int, str], CellFact]:
    rows = Assignment.objects.filter(organization_id=organization_id, function_id__in=list(function_ids)).values_list(
        "pk", "product_id", "function_id", "layer__key", "emphasis", "version", "changed_at"
    )
    return {(row[1], row[2], row[3]): CellFact(*row) for row in rows}


def leads_of(organization_id: int) -> dict[tuple[int, str], int]:
    rows = Assignment.objects.filter(organization_id=organization_id, emphasis=LEAD).values_list(
        "product_id", "layer__key", "function_id"
    )
    return {(product, layer): function for product, layer, function in rows}


def headcount_of(organization_id: int, function_ids: Iterable[int]) -> dict[int, int]:
    ids = list(function_ids)
    rows = (
        Stakeholder.objects.filter(organization_id=organization_id, function_id__in=ids)
        .order_by()
        .values_list("function_id")
        .annotate(n=Count("pk"))
    )
    return {**dict.fromkeys(ids, 0), **dict(rows)}


def _emails_taken(organization_id: int, emails: set[str]) -> set[str]:
    if not emails:
        return set()
    rows = Stakeholder.objects.filter(organization_id=organization_id).annotate(low=Lower("email"))
    return set(rows.filter(low__in=sorted(emails)).values_list("low", flat=True))
