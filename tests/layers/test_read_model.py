"""The maintained read model equals the oracle after any sequence of writes (issue 13 item 7).

A hypothesis state machine runs random sequences of the writes that touch review pairs, all
through the services: reviews, resolutions, assignment set/clear, the playbook's bulk apply,
people created, moved and deleted, functions created, renamed and deleted (their people moved), a
disruption logged now or dated in the future, and the clock moving past it (the beat task
applies it), the playbook's suggestions dismissed and taken back, functions linked (carrying
feedback or not) and unlinked. After every step, for every product, the stored pairs, counters,
suggestion rows and feedback loops equal a rebuild from raw rows, the suggestions read from those
rows equal the planner's, the loops read from theirs equal those found on the domain tables, and
live coverage equals
`compute_coverage` on raw rows; every window of
the coverage API's gaps equals the same slice of live coverage's. And the live
coverage endpoint answered from the state cache equals the same request drawn by the view: no
write in the sequence leaves an answer stored before it in use (roles.statecache).

Deterministic: derandomized, with a bounded number of examples and steps.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import astuple
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from layers.models import Assignment, Layer, Product, Review
from layers.readmodel import gap_page
from layers.readmodel.gap_page import coverage_page
from layers.readmodel.oracle import check_organization
from layers.readmodel.read import live_coverage
from layers.selectors.feedback import feedback_into_core, feedback_loops
from layers.selectors.suggestions import ProductSuggestions
from layers.services import assignments, mapping, products, reviews
from roles.models import Function, Membership, Organization, Partnership, Stakeholder
from roles.services import disruptions, functions, partnerships, people
from wholeproduct.errors import DomainError

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LAYERS = ("core", "expected", "augmented", "potential")
NAMES = ("Engineering", "Customer Success", "Sales", "Finance", "Board of Directors", "Partner Team")


class ReadModelMachine(RuleBasedStateMachine):
    examples = 0
    loops_seen = 0  # feedback loops met after the steps, summed: the sequences make some

    def __init__(self) -> None:
        super().__init__()
        ReadModelMachine.examples += 1
        self.now = START
        self._set_clock()
        n = ReadModelMachine.examples
        self.org = Organization.objects.create(slug=f"rm-{n}", name=f"Read model {n}")
        self.user = get_user_model().objects.create_user(username=f"lead{n}@x.test", email=f"lead{n}@x.test")
        Membership.objects.create(user=self.user, organization=self.org, access=Membership.Access.LEADER)
        self.client = Client()
        self.client.force_login(self.user)
        self.people_made = 0
        for name in NAMES[:3]:
            functions.function_create(organization=self.org, name=name, category=Function.Category.BUILDING)
        for index in range(4):
            self._new_person(self._functions()[index % 3])
        for slug in ("one", "two"):
            products.product_create(organization=self.org, name=f"Product {slug}", slug=slug)
        # Product one starts with a core and an augmented function, so a link between them carrying
        # feedback is a feedback loop that later steps can make, turn, and undo.
        first = self._products()[0]
        for function, layer in zip(self._functions()[:2], ("core", "augmented"), strict=True):
            assignments.assignment_set(
                product=first, function=function, layer=layer, emphasis="contributor", contribution="", by=self.user
            )

    # --- helpers ---

    def _set_clock(self) -> None:
        moment = self.now
        self.patch.setattr(timezone, "now", lambda: moment)

    def _tick(self, minutes: int = 1) -> None:
        self.now += timedelta(minutes=minutes)
        self._set_clock()

    def _functions(self) -> list[Function]:
        return list(Function.objects.filter(organization=self.org).order_by("pk"))

    def _people(self) -> list[Stakeholder]:
        return list(Stakeholder.objects.filter(organization=self.org).order_by("pk"))

    def _products(self) -> list[Product]:
        return list(Product.objects.filter(organization=self.org).order_by("pk"))

    def _new_person(self, function: Function) -> None:
        self.people_made += 1
        people.stakeholder_create(
            organization=self.org,
            full_name=f"Person {self.people_made}",
            email=f"p{self.people_made}@x.test",
            function=function,
        )

    @staticmethod
    def _pick(items: list[Any], index: int) -> Any:
        return items[index % len(items)] if items else None

    # --- the writes ---

    @rule(p=st.integers(0, 9), f=st.integers(0, 9), layer=st.sampled_from(LAYERS), lead=st.booleans())
    def set_assignment(self, p: int, f: int, layer: str, lead: bool) -> None:
        self._tick()
        product, function = self._pick(self._products(), p), self._pick(self._functions(), f)
        if product is None or function is None:
            return
        with suppress(DomainError):  # a second lead: refused, nothing written
            assignments.assignment_set(
                product=product,
                function=function,
                layer=layer,
                emphasis="lead" if lead else "contributor",
                contribution=f"Contribution at {self.now:%H%M}",
                by=self.user,
            )

    @rule(i=st.integers(0, 99))
    def clear_assignment(self, i: int) -> None:
        self._tick()
        cell = self._pick(list(Assignment.objects.filter(organization=self.org).order_by("pk")), i)
        if cell is not None:
            assignments.assignment_clear(product=cell.product, function=cell.function, layer=cell.layer, by=self.user)

    @rule(p=st.integers(0, 9))
    def apply_playbook(self, p: int) -> None:
        self._tick()
        product = self._pick(self._products(), p)
        if product is not None:
            mapping.apply(product=product, by=self.user)

    @rule(i=st.integers(0, 99), j=st.integers(0, 99), agree=st.booleans())
    def review(self, i: int, j: int, agree: bool) -> None:
        self._tick()
        cell = self._pick(list(Assignment.objects.filter(organization=self.org).order_by("pk")), i)
        if cell is None:
            return
        person = self._pick(list(Stakeholder.objects.filter(function_id=cell.function_id).order_by("pk")), j)
        if person is not None:
            reviews.review_submit(
                assignment=cell,
                stakeholder=person,
                verdict="agree" if agree else "disagree",
                comment="" if agree else "Not us.",
            )

    @rule(i=st.integers(0, 99))
    def resolve(self, i: int) -> None:
        self._tick()
        disputes = list(Review.objects.filter(organization=self.org, verdict="disagree", resolved_at__isnull=True))
        dispute = self._pick(sorted(disputes, key=lambda r: r.pk), i)
        if dispute is not None:
            with suppress(DomainError):  # reviewed again since: not open any more
                reviews.dispute_keep(review=dispute, note="It stays.", by=self.user)

    @rule(f=st.integers(0, 9))
    def add_person(self, f: int) -> None:
        self._tick()
        function = self._pick(self._functions(), f)
        if function is not None:
            self._new_person(function)

    @rule(i=st.integers(0, 99), f=st.integers(0, 9))
    def move_person(self, i: int, f: int) -> None:
        self._tick()
        person, function = self._pick(self._people(), i), self._pick(self._functions(), f)
        if person is not None and function is not None:
            people.stakeholder_update(
                stakeholder=person, full_name=person.full_name, email=person.email, function=function, title=""
            )

    @rule(i=st.integers(0, 99))
    def delete_person(self, i: int) -> None:
        self._tick()
        person = self._pick(self._people(), i)
        if person is not None:
            people.stakeholder_delete(stakeholder=person)

    @rule(n=st.integers(0, len(NAMES) - 1))
    def add_function(self, n: int) -> None:
        self._tick()
        with suppress(DomainError):  # the name is taken
            functions.function_create(organization=self.org, name=NAMES[n], category=Function.Category.BUILDING)

    @rule(i=st.integers(0, 9), n=st.integers(0, len(NAMES) - 1), category=st.sampled_from(Function.Category.values))
    def rename_function(self, i: int, n: int, category: str) -> None:
        """Renamed or moved to another category: where it sits on a ring (the cells' order)."""
        self._tick()
        function = self._pick(self._functions(), i)
        if function is None:
            return
        with suppress(DomainError):  # the name is taken
            functions.function_update(
                function=function,
                name=f"{NAMES[n]} {function.pk}" if n % 2 else NAMES[n].lower(),
                category=category,
                is_external=function.is_external,
                description=function.description,
                parent=function.parent,
            )

    @rule(i=st.integers(0, 9))
    def delete_function(self, i: int) -> None:
        self._tick()
        all_functions = self._functions()
        if len(all_functions) < 2:
            return
        doomed = self._pick(all_functions, i)
        target = next(f for f in all_functions if f.pk != doomed.pk)
        functions.function_delete(function=doomed, move_people_to=target)

    @rule(f=st.integers(0, 9), days_ahead=st.sampled_from([0, 0, 2]))
    def log_disruption(self, f: int, days_ahead: int) -> None:
        self._tick()
        function = self._pick(self._functions(), f)
        if function is not None:
            disruptions.disruption_log(
                organization=self.org,
                kind="reorg",
                title="A reorg",
                occurred_on=(self.now + timedelta(days=days_ahead)).date(),
                function_ids=[function.pk],
            )

    @rule(p=st.integers(0, 9), f=st.integers(0, 9), layer=st.sampled_from(LAYERS), undo=st.booleans())
    def dismiss_suggestion(self, p: int, f: int, layer: str, undo: bool) -> None:
        """A leader says no to the playbook on one cell, or takes the no back (the suggestions)."""
        self._tick()
        product, function = self._pick(self._products(), p), self._pick(self._functions(), f)
        if product is not None and function is not None:
            write = mapping.undismiss if undo else mapping.dismiss
            write(product=product, function=function, layer=layer, by=self.user)

    @rule(i=st.integers(0, 9), j=st.integers(0, 9), carries=st.sampled_from([True, True, False]))
    def link_functions(self, i: int, j: int, carries: bool) -> None:
        """Two functions linked, carrying feedback or not; when linked already, the feedback the
        link carries changes (the product page's feedback loops)."""
        self._tick()
        every = self._functions()
        if len(every) < 2:
            return
        a, b = every[i % len(every)], every[(i + 1 + j % (len(every) - 1)) % len(every)]  # two of them
        text = f"What customers asked at {self.now:%H%M}." if carries else ""
        pair = Q(function_a=a, function_b=b) | Q(function_a=b, function_b=a)
        link = Partnership.objects.filter(pair, organization=self.org).first()
        if link is None:
            partnerships.partnership_create(
                organization=self.org, function_a=a, function_b=b, trust=3, feedback_carried=text
            )
        else:
            partnerships.partnership_update(partnership=link, expected_version=link.version, feedback_carried=text)

    @rule(i=st.integers(0, 99))
    def unlink_functions(self, i: int) -> None:
        self._tick()
        link = self._pick(list(Partnership.objects.filter(organization=self.org).order_by("pk")), i)
        if link is not None:
            partnerships.partnership_delete(partnership=link)

    @rule()
    def time_passes(self) -> None:
        """Three days later, the beat task applies the disruptions whose date has come."""
        self._tick(3 * 24 * 60)
        disruptions.apply_due_disruptions()

    # --- the check ---

    @invariant()
    def maintained_equals_recomputed(self) -> None:
        report = check_organization(self.org, repair=False)
        assert report.differences == [], "\n".join(report.differences[:20])

    @invariant()
    def a_page_of_live_coverage_is_the_same_slice_of_the_whole(self) -> None:
        """The coverage API's windows (`gap_page`, windowed at any size here) equal live coverage's."""
        for product in self._products():
            whole = live_coverage(product)
            for start in range(0, len(whole.coverage.gaps) + 1, 4):
                page = coverage_page(product, start=start, size=4)
                assert page.coverage.gaps == whole.coverage.gaps[start : start + 4]
                assert page.gaps_count == len(whole.coverage.gaps)
            assert page.coverage.to_dict(gaps=False) == whole.coverage.to_dict(gaps=False)
            assert page.people == whole.people

    @invariant()
    def the_kept_feedback_loops_are_those_of_the_domain_tables(self) -> None:
        for product in self._products():
            expected = feedback_loops(product=product)
            loops, total, _unfed = feedback_into_core(product=product, limit=50)
            ReadModelMachine.loops_seen += total
            assert total == len(expected)
            assert [(x.from_function.pk, x.to_function.pk, x.partnership_id) for x in loops] == [
                (x.from_function.pk, x.to_function.pk, x.partnership_id) for x in expected
            ]

    @invariant()
    def the_suggestions_read_from_their_rows_are_the_planners(self) -> None:
        """The playbook's suggestions read from the kept rows equal the planner's, every status."""
        for product in self._products():
            planned = mapping.suggest(product=product)
            reader = ProductSuggestions(product)
            assert reader.counts() == planned.counts()
            assert [astuple(s) for s in reader.suggestions()[:]] == [astuple(s) for s in planned.suggestions]

    @invariant()
    def the_state_cache_never_answers_what_a_write_changed(self) -> None:
        for product in self._products():
            url = f"/api/v1/orgs/{self.org.slug}/products/{product.slug}/coverage/?gaps_page_size=1000"
            answered = self.client.get(url)  # from the cache when no write came since it was stored
            with override_settings(STATE_CACHE=False):
                drawn = self.client.get(url)
            assert answered.status_code == drawn.status_code == 200
            assert answered.json() == drawn.json()


@pytest.mark.raw_read_model
def test_the_read_model_equals_the_oracle_after_any_sequence_of_writes(db, monkeypatch):
    assert Layer.objects.count() == 4
    ReadModelMachine.patch = monkeypatch  # type: ignore[attr-defined]
    ReadModelMachine.loops_seen = 0
    monkeypatch.setattr(gap_page, "WINDOWED_ABOVE", -1)  # the coverage API windows its gaps at any size
    run_state_machine_as_test(
        ReadModelMachine,
        settings=settings(
            derandomize=True,
            max_examples=10,
            stateful_step_count=12,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert ReadModelMachine.loops_seen > 0  # the sequences linked an augmented function to a core one


# --- the scheduled work ---------------------------------------------------------------------------


def test_a_planned_disruption_takes_effect_through_the_beat_task_once(org, monkeypatch):
    from django_celery_beat.models import PeriodicTask

    from layers.models import ProductCounts
    from roles.models import Disruption
    from roles.tasks import apply_due_disruptions

    assert PeriodicTask.objects.filter(task="roles.apply_due_disruptions", enabled=True).exists()
    monkeypatch.setattr(timezone, "now", lambda: START)
    team = functions.function_create(organization=org, name="Sales", category="customer_facing")
    people.stakeholder_create(organization=org, full_name="Sam Seller", email="sam@x.test", function=team)
    product = products.product_create(organization=org, name="Planned", slug="planned")
    cell = assignments.assignment_set(product=product, function=team, layer="augmented", emphasis="lead", by=None)
    monkeypatch.setattr(timezone, "now", lambda: START + timedelta(minutes=5))
    reviews.review_submit(assignment=cell, stakeholder=team.stakeholders.get(), verdict="agree")
    effects = disruptions.disruption_log(
        organization=org, kind="reorg", title="Next week", occurred_on=(START + timedelta(days=7)).date(),
        function_ids=[team.pk],
    )  # fmt: skip
    assert effects.planned and effects.disruption.applied_at is None
    assert ProductCounts.objects.get(product=product).current == 1

    assert apply_due_disruptions() == 0  # not its day yet
    monkeypatch.setattr(timezone, "now", lambda: START + timedelta(days=8))
    assert apply_due_disruptions() == 1
    assert apply_due_disruptions() == 0  # idempotent: applied once

    assert Disruption.objects.get().applied_at == START + timedelta(days=8)
    assert (ProductCounts.objects.get(product=product).current, ProductCounts.objects.get(product=product).stale) == (
        0,
        1,
    )
    assert check_organization(org, repair=False).differences == []


def test_the_nightly_check_logs_drift_and_the_command_repairs_it(org, caplog):
    from io import StringIO

    from django.core.management import call_command

    from layers.models import ProductCounts
    from layers.readmodel.oracle import nightly_check
    from layers.tasks.readmodel import check_read_model

    team = functions.function_create(organization=org, name="Sales", category="customer_facing")
    people.stakeholder_create(organization=org, full_name="Sam Seller", email="sam@x.test", function=team)
    product = products.product_create(organization=org, name="Drifting", slug="drifting")
    assignments.assignment_set(product=product, function=team, layer="augmented", emphasis="lead", by=None)
    assert nightly_check(seed=1) == [] and check_read_model() == 0
    ProductCounts.objects.filter(product=product).update(pairs=7)  # drift, as a bug would leave it
    from layers.models import CellCounts

    CellCounts.objects.filter(product=product).update(pairs=7)

    assert any("pairs_reached" in line or "review_pairs" in line for line in nightly_check(seed=1))
    assert "read model drift" in caplog.text
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("rebuild_read_model", "--org", org.slug, "--check", stdout=out)
    assert exit_.value.code == 1 and "cell " in out.getvalue() and "pairs 7 -> 1" in out.getvalue()
    call_command("rebuild_read_model", "--org", org.slug, stdout=StringIO())
    assert ProductCounts.objects.get(product=product).pairs == 1
    check = StringIO()
    call_command("rebuild_read_model", "--org", org.slug, "--check", stdout=check)  # exits 0
    assert "consistent" in check.getvalue()


@pytest.mark.raw_read_model
def test_a_restored_organization_has_the_read_model_of_the_original(org, leader):
    import json

    from layers.models import ProductCounts
    from layers.services import org_transfer

    team = functions.function_create(organization=org, name="Customer Success", category="customer_facing")
    other = functions.function_create(organization=org, name="Engineering", category="building")
    for i in range(3):
        people.stakeholder_create(organization=org, full_name=f"P{i}", email=f"p{i}@x.test", function=team)
    product = products.product_create(organization=org, name="Copied", slug="copied")
    cell = assignments.assignment_set(product=product, function=team, layer="augmented", emphasis="lead", by=leader)
    assignments.assignment_set(product=product, function=other, layer="core", emphasis="lead", by=leader)
    first, second, _ = list(team.stakeholders.order_by("pk"))
    reviews.review_submit(assignment=cell, stakeholder=first, verdict="agree")
    reviews.review_submit(assignment=cell, stakeholder=second, verdict="disagree", comment="Not ours.")
    # A move between functions after the reviews: the mover's review no longer counts.
    people.stakeholder_update(stakeholder=first, full_name="P0", email="p0@x.test", function=other, title="")

    data = json.loads(org_transfer.dumps(org_transfer.export_organization(organization=org)))
    copy = org_transfer.restore_organization(data=data, slug="copy").organization

    fields = ("pairs", "reviewed", "current", "agreeing", "disagreeing", "open", "functions", "owned_layers")
    original = ProductCounts.objects.get(product=product)
    restored = ProductCounts.objects.get(product__organization=copy, product__slug="copied")
    assert [getattr(restored, f) for f in fields] == [getattr(original, f) for f in fields] == [3, 1, 1, 0, 1, 1, 2, 2]
    assert check_organization(copy, repair=False).differences == []
    assert check_organization(org, repair=False).differences == []
