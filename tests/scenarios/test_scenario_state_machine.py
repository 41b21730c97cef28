"""A scenario's draft under random edits (issue 18): whatever sequence of adds, removals, moves
and rebases a leader makes, the stored steps stay numbered 1…n, replay without an error, every
refused edit writes nothing, and every accepted one bumps the version."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from layers.models import Product
from roles.models import Function, Organization, Stakeholder
from scenarios import services
from scenarios.changes import InvalidChange, replay
from scenarios.models import Scenario

pytestmark = pytest.mark.django_db


class DraftMachine(RuleBasedStateMachine):
    org: Organization

    def __init__(self) -> None:
        super().__init__()
        self.scenario = services.create_scenario(organization=self.org, by=None, name="Machine")
        self.functions = list(
            Function.objects.filter(organization=self.org).order_by("pk").values_list("pk", flat=True)
        )
        self.people = list(
            Stakeholder.objects.filter(organization=self.org).order_by("pk").values_list("pk", flat=True)
        )
        self.product = Product.objects.filter(organization=self.org).order_by("pk").first().pk
        self.refs: list[str] = []

    def _edit(self, call, **kwargs) -> None:
        before = (self.scenario.version, self._steps())
        try:
            call(scenario=self.scenario, **kwargs)
        except (InvalidChange, services.DomainError):
            assert (Scenario.objects.get(pk=self.scenario.pk).version, self._steps()) == before
            return
        assert Scenario.objects.get(pk=self.scenario.pk).version > before[0]
        self.scenario.refresh_from_db()

    def _steps(self) -> list[tuple[int, int, str]]:
        return list(self.scenario.changes.order_by("position").values_list("pk", "position", "kind"))

    def _function(self, i: int):
        pool = self.functions + self.refs
        return pool[i % len(pool)]

    @rule(i=st.integers(0, 999), j=st.integers(0, 999))
    def merge(self, i: int, j: int) -> None:
        self._edit(
            services.add_change, by=None, kind="merge_function", function=self._function(i), into=self._function(j)
        )

    @rule(i=st.integers(0, 999), j=st.integers(0, 999))
    def move_person(self, i: int, j: int) -> None:
        person = self.people[i % len(self.people)]
        self._edit(services.add_change, by=None, kind="move_person", person=person, to=self._function(j))

    @rule(i=st.integers(0, 999))
    def create(self, i: int) -> None:
        before = self.scenario.changes.count()
        self._edit(services.add_change, by=None, kind="create_function", name=f"Team {i}", category="building")
        if self.scenario.changes.count() > before:
            self.refs.append(f"new:{self.scenario.changes.order_by('-position').first().pk}")

    @rule(i=st.integers(0, 999), lead=st.booleans())
    def assign(self, i: int, lead: bool) -> None:
        self._edit(
            services.add_change, by=None, kind="set_assignment", product=self.product, function=self._function(i),
            layer="augmented", emphasis="lead" if lead else "contributor",
        )  # fmt: skip

    @rule(i=st.integers(0, 999))
    def remove(self, i: int) -> None:
        steps = self._steps()
        if steps:
            self._edit(services.remove_change, change_id=steps[i % len(steps)][0])

    @rule(i=st.integers(0, 999), to=st.integers(1, 12))
    def move(self, i: int, to: int) -> None:
        steps = self._steps()
        if steps:
            self._edit(services.move_change, change_id=steps[i % len(steps)][0], position=min(to, len(steps)))

    @rule()
    def rebase(self) -> None:
        self._edit(services.rebase, by=None)

    @invariant()
    def steps_are_numbered_and_replay_cleanly(self) -> None:
        steps = list(self.scenario.changes.order_by("position"))
        assert [c.position for c in steps] == list(range(1, len(steps) + 1))
        assert replay(self.org.pk, steps).errors == []


@pytest.fixture
def northwind(db):
    call_command("seed_demo", verbosity=0)
    return Organization.objects.get(slug="northwind")


def test_random_edits_keep_the_draft_consistent(northwind):
    DraftMachine.org = northwind
    machine = DraftMachine.TestCase
    machine.settings = settings(
        max_examples=10,
        stateful_step_count=12,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    machine().runTest()
