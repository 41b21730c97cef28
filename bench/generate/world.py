"""The generator's shared state: sizes, the world a run builds, bulk inserts, the published password."""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from domain.playbook.catalog import PLAYBOOK
from domain.playbook.model import PlaybookEntry
from layers.models import Layer, Product, Review
from roles.models import Function, Organization, Stakeholder
from wholeproduct.errors import DomainError

PASSWORD = "bench"  # noqa: S105 - the documented password of generated logins, like seed_demo's "demo"


SNAPSHOTS = 30  # nightly reports per product: a month of trend


BATCH = 2000


HISTORY_DAYS = 75  # the map was made this long ago; reviews and disruptions come after


ENTRY = {entry.name: entry for entry in PLAYBOOK}


@dataclass
class Sizes:
    functions: int = 1000
    people: int = 20_000
    products: int = 10
    reviews: int = 100_000

    def check(self) -> None:
        if self.functions < 1 or self.products < 1:
            raise DomainError("An organization needs at least one function and one product.")
        if self.reviews < 0:
            raise DomainError("The number of reviews cannot be negative.")
        if self.people < 3:
            raise DomainError("Generate at least 3 people: the admin, the leader and a stakeholder are people too.")


@dataclass
class Generated:
    """What a run made, for the command to print and the benchmark to use."""

    organization: Organization
    logins: dict[str, str]  # access -> email; every password is PASSWORD
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    stakeholder_email: str = ""


@dataclass
class _Team:
    """A function before it is saved: its playbook family and whether the playbook matches its name."""

    name: str
    entry: PlaybookEntry
    matched: bool
    parent: int | None  # index in the team list
    weight: float


@dataclass
class _World:
    org: Organization
    rng: random.Random
    now: datetime
    layers: dict[str, Layer]
    teams: list[_Team] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    people: list[Stakeholder] = field(default_factory=list)
    people_of: dict[int, list[int]] = field(default_factory=dict)  # function id -> stakeholder ids
    disrupted: set[int] = field(default_factory=set)  # functions a disruption touched
    products: list[Product] = field(default_factory=list)
    leader: Any = None
    logins: dict[str, str] = field(default_factory=dict)
    stakeholder_email: str = ""
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    timings: dict[str, float] = field(default_factory=dict)


def new_slug() -> str:
    """A slug no run has used: the time plus a random suffix."""
    return f"gen-{timezone.now():%y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def _layers() -> dict[str, Layer]:
    layers = {layer.key: layer for layer in Layer.objects.all()}
    if len(layers) != 4:
        raise DomainError("The four layers are missing: run `manage.py migrate` first.")
    return layers


def _bulk(
    model: type[models.Model], rows: Iterable[models.Model], organization: Organization | None = None
) -> list[Any]:
    rows = list(rows)
    if organization is not None:  # the tenant key: bulk_create skips the save() that derives it
        for row in rows:
            row.organization_id = organization.pk
    return model.objects.bulk_create(rows, batch_size=BATCH)


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate.casefold() in taken:
        candidate, number = f"{name} {number}", number + 1
    taken.add(candidate.casefold())
    return candidate


@contextmanager
def _keeping_created_at() -> Iterator[None]:
    """Let bulk_create store the reviews' past `created_at` instead of stamping "now".

    `auto_now_add` would stamp every row, and re-dating 100,000 rows afterwards costs as much as
    inserting them again. The flag is put back whatever happens; the generator runs alone in
    its process (a command or the benchmark), so no other thread saves a review meanwhile.
    """
    created_at = Review._meta.get_field("created_at")
    saved = created_at.auto_now_add
    created_at.auto_now_add = False
    try:
        yield
    finally:
        created_at.auto_now_add = saved
