"""Logging a disruption: when it counts, what it flags, which reviews it makes stale — with dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from domain.review_state import PairStatus, format_day, pair_state
from layers.models import Assignment, Review
from layers.readmodel.gap_page import coverage_page
from layers.readmodel.oracle import rebuild_everything
from layers.readmodel.read import live_coverage
from roles.models import Disruption, Function, Partnership
from roles.selectors.web import web_links
from roles.services.disruptions import apply_due_disruptions, disruption_log, effective_moment
from roles.services.partnerships import checkin_record
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, ReviewFactory, StakeholderFactory, layer
from wholeproduct.errors import DomainError

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 12, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """Set "now" for the services (and for auto_now fields written meanwhile)."""

    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    set_now(NOW)
    return set_now


def make(org, name: str, category: str = Function.Category.BUILDING) -> Function:
    return FunctionFactory(organization=org, name=name, category=category)


def link(org, a, b, trust=3, checked=date(2026, 3, 1)) -> Partnership:
    first, second = sorted((a, b), key=lambda f: f.pk)
    return Partnership.objects.create(
        organization=org, function_a=first, function_b=second, trust=trust, last_checked_on=checked
    )


def review(assignment: Assignment, stakeholder, created_at: datetime, verdict: str = "agree") -> Review:
    r = ReviewFactory(assignment=assignment, stakeholder=stakeholder, verdict=verdict, comment="Not quite")
    Review.objects.filter(pk=r.pk).update(created_at=created_at)
    r.refresh_from_db()
    return r


MARCH_1 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def assignment(product, function, key: str, changed_at: datetime = MARCH_1) -> Assignment:
    a = AssignmentFactory(product=product, function=function, layer=layer(key))
    Assignment.objects.filter(pk=a.pk).update(changed_at=changed_at)
    a.refresh_from_db()
    return a


@pytest.fixture
def sales(org):
    return make(org, "Sales & Account Management", Function.Category.CUSTOMER_FACING)


@pytest.fixture
def web(org, sales):
    """Sales with 3 people, mapped 4 times (2 products by 2 layers), every pair reviewed on 2 March;
    4 partnerships touch Sales, 1 does not."""
    engineering, pm = make(org, "Engineering"), make(org, "Product Management")
    legal = make(org, "Legal", Function.Category.CROSS_FUNCTIONAL)
    finance = make(org, "Finance", Function.Category.CROSS_FUNCTIONAL)
    people = [StakeholderFactory(function=sales) for _ in range(3)]
    products = [ProductFactory(organization=org, slug=slug) for slug in ("insights", "connect")]
    cells = [assignment(product, sales, key) for product in products for key in ("augmented", "expected")]
    reviews = [review(a, person, at(2)) for a in cells for person in people]
    touching = [link(org, sales, other) for other in (engineering, pm, legal, finance)]
    apart = link(org, engineering, pm)
    return {"people": people, "cells": cells, "reviews": reviews, "touching": touching, "apart": apart}


def log(org, functions, *, occurred_on=date(2026, 3, 5), kind="reorg", title="Sales reorganized", by=None):
    return disruption_log(
        organization=org,
        kind=kind,
        title=title,
        note="Regional pods",
        occurred_on=occurred_on,
        function_ids=[f.pk for f in functions],
        by=by,
    )


# --- when a disruption counts ---------------------------------------------------------------------


def test_a_past_disruption_counts_from_the_moment_it_is_logged(settings):
    settings.TIME_ZONE = "Europe/Paris"
    assert effective_moment(date(2026, 3, 5), NOW) == NOW
    assert effective_moment(date(2026, 3, 10), NOW) == NOW  # today started before now


def test_a_future_disruption_counts_from_the_start_of_its_day_in_the_site_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    # Midnight in Paris on 1 April is 22:00 UTC on 31 March (summer time).
    assert effective_moment(date(2026, 4, 1), NOW) == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    settings.TIME_ZONE = "UTC"
    assert effective_moment(date(2026, 4, 1), NOW) == datetime(2026, 4, 1, 0, 0, tzinfo=UTC)


# --- what logging does ----------------------------------------------------------------------------------


def test_logging_a_reorg_flags_the_partnerships_and_says_what_it_did(clock, org, sales, web, leader):
    effects = log(org, [sales], by=leader)

    d = effects.disruption
    assert (d.kind, d.title, d.note, d.occurred_on, d.effective_at, d.created_by) == (
        "reorg",
        "Sales reorganized",
        "Regional pods",
        date(2026, 3, 5),
        NOW,
        leader,
    )
    assert list(d.functions.all()) == [sales]
    assert effects.summary() == (
        "12 reviews of Sales & Account Management now need re-confirming; 4 partnerships flagged for a trust check."
    )
    flagged = set(Partnership.objects.filter(needs_trust_check=True).values_list("pk", flat=True))
    assert flagged == {p.pk for p in web["touching"]}
    # The flag is not an edit: a leader's form open on the partnership does not conflict.
    assert set(Partnership.objects.values_list("version", flat=True)) == {1}


def test_a_review_before_a_logged_disruption_turns_stale_and_one_after_stays_current(clock, org, sales, web):
    cell, bob = web["cells"][0], web["people"][1]
    before = web["reviews"][0]  # Ann's review of 2 March
    effects = log(org, [sales], occurred_on=date(2026, 3, 5))  # logged on 10 March at noon
    moment = effects.disruption.effective_at
    after = review(cell, bob, at(10, hour=15))

    assert moment == NOW
    ann_state = pair_state(reviews=[before], changed_at=cell.changed_at, disruptions=[moment], now=at(11))
    bob_state = pair_state(reviews=[after], changed_at=cell.changed_at, disruptions=[moment], now=at(11))
    assert ann_state.state == PairStatus.STALE
    assert ann_state.stale_since == moment
    assert "a disruption touched the function on 10 Mar 2026" in ann_state.reason
    assert bob_state.state == PairStatus.CURRENT
    # Before the disruption was logged, Ann's review was current.
    assert pair_state(reviews=[before], changed_at=cell.changed_at, disruptions=[], now=at(9)).state == "current"


def test_a_future_dated_disruption_counts_only_from_its_date(clock, org, sales, web):
    cell, before = web["cells"][0], web["reviews"][0]

    effects = log(org, [sales], occurred_on=date(2026, 4, 1), title="Planned reorg")

    moment = effects.disruption.effective_at
    assert moment == datetime(2026, 4, 1, tzinfo=UTC)
    assert effects.planned
    assert effects.summary() == (
        "Counts from 1 Apr 2026: then 12 current reviews of Sales & Account Management will need re-confirming "
        "and 4 partnerships a trust check."
    )
    assert pair_state(reviews=[before], changed_at=cell.changed_at, disruptions=[moment], now=at(20)).state == (
        PairStatus.CURRENT
    )
    assert pair_state(reviews=[before], changed_at=cell.changed_at, disruptions=[moment], now=at(2, month=4)).state == (
        PairStatus.STALE
    )
    # Partnerships are not flagged before the date; the beat task applies it on its date (issue 13:
    # no page computes "is it past yet"), which flags them.
    assert not Partnership.objects.filter(needs_trust_check=True).exists()
    due_now = {link.partnership.pk for link in web_links(org, now=at(20)) if link.overdue}
    assert due_now == set()
    clock(at(2, month=4))
    assert apply_due_disruptions() == 1
    due_then = {link.partnership.pk for link in web_links(org, now=at(2, month=4)) if link.overdue}
    assert due_then == {p.pk for p in web["touching"]}


def test_only_current_reviews_of_the_functions_own_people_are_counted(clock, org, sales, web):
    cell = web["cells"][0]
    ann = web["people"][0]
    # Ann reviewed again after the cell changed: still one pair, counted once.
    review(cell, ann, at(3))
    # A cell changed after its reviews: those are already stale, not made stale by the reorg.
    Assignment.objects.filter(pk=web["cells"][1].pk).update(changed_at=at(4))
    # Someone of another function reviewing a Sales cell is not a review pair.
    outsider = StakeholderFactory(function=make(org, "Finance team"))
    review(cell, outsider, at(3))
    rebuild_everything()  # the raw dating above bypassed the services that keep the read model

    effects = log(org, [sales])

    assert effects.reviews_made_stale == 9  # 12 pairs, minus the 3 of the changed cell


def test_reviews_an_earlier_disruption_made_stale_are_not_counted_again(clock, org, sales, web):
    clock(at(6))
    log(org, [sales], title="First reorg")
    clock(NOW)
    effects = log(org, [sales], title="Second reorg")
    assert effects.reviews_made_stale == 0
    assert effects.summary() == (
        "No current review of Sales & Account Management was affected; 4 partnerships flagged for a trust check."
    )


def test_a_disruption_of_two_functions_counts_each(clock, org, sales, web):
    cs = make(org, "Customer Success", Function.Category.CUSTOMER_FACING)
    person = StakeholderFactory(function=cs)
    review(assignment(web["cells"][0].product, cs, "augmented"), person, at(2))
    effects = log(org, [cs, sales])
    assert effects.reviews_by_function == {"Customer Success": 1, "Sales & Account Management": 12}
    assert effects.summary().startswith(
        "13 reviews of Customer Success and Sales & Account Management now need re-confirming;"
    )


def test_a_check_in_after_the_disruption_clears_the_flag(clock, org, sales, web):
    log(org, [sales])
    p = web["touching"][0]
    p.refresh_from_db()
    assert p.needs_trust_check
    checkin_record(partnership=p, trust=4, checked_on=date(2026, 3, 10))
    p.refresh_from_db()
    assert not p.needs_trust_check


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Los_Angeles", "UTC"])
def test_the_web_and_the_coverage_gaps_count_a_trust_checks_days_in_the_site_calendar(clock, org, sales, web, zone):
    """A check-in is entered as a day of the site's calendar, so the disruption's day and today are
    that calendar's too, on the web and in coverage alike. In Berlin, a disruption logged at 23:30
    UTC on 5 March happened at 00:30 on 6 March: after a check on 5 March, the link is due."""
    with override_settings(TIME_ZONE=zone):
        logged = datetime(2026, 3, 5, 23, 30, tzinfo=UTC)
        local_day = timezone.localtime(logged).date()
        clock(logged)
        log(org, [sales], occurred_on=date(2026, 3, 5))
        p = web["touching"][0]
        checkin_record(partnership=p, trust=4, checked_on=date(2026, 3, 5))  # clears the flag
        product = web["cells"][0].product
        rebuild_everything()

        def coverage_says() -> tuple[bool, str]:
            gaps = [
                gap
                for gap in live_coverage(product).coverage.gaps
                if gap.kind == "unchecked_partnership" and gap.target == {"partnership_id": p.pk}
            ]
            page = coverage_page(product, start=0, size=1000).coverage.gaps
            assert [gap for gap in page if gap in gaps] == gaps  # the API's page judges it alike
            return bool(gaps), gaps[0].message if gaps else ""

        def web_says(now: datetime) -> bool:
            return next(link for link in web_links(org, now=now) if link.partnership.pk == p.pk).overdue

        due, message = coverage_says()
        assert due == web_says(logged) == (local_day > date(2026, 3, 5))
        if due:  # the day it names is the site's
            assert message.endswith(f"since a disruption on {format_day(local_day)}.")
        # 90 days after a check on that day, at 00:30 in the site's zone (in Berlin, still the
        # 89th day in UTC): due on both.
        Partnership.objects.filter(pk=p.pk).update(last_checked_on=local_day, needs_trust_check=False)
        late = timezone.make_aware(datetime.combine(local_day + timedelta(days=90), time(0, 30)))
        clock(late)
        assert coverage_says() == (True, message_for_age := coverage_says()[1])
        assert web_says(late) and message_for_age.endswith(f"was last checked 90 days ago, on {format_day(local_day)}.")


def test_it_touches_nothing_of_another_organization(clock, org, other_org, sales, web):
    their_sales = make(other_org, "Sales & Account Management", Function.Category.CUSTOMER_FACING)
    theirs = link(other_org, their_sales, make(other_org, "Engineering"))
    log(org, [sales])
    theirs.refresh_from_db()
    assert not theirs.needs_trust_check


# --- refusals -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kind": "earthquake"}, "kind", "Choose a kind: Reorganization, Leadership change, New hires"),
        ({"title": "   "}, "title", "Say what happened, in a few words."),
        ({"title": "x" * 201}, "title", "Keep the title to 200 characters (it has 201)."),
        ({"note": "x" * 2001}, "note", "Keep the note to 2000 characters"),
        ({"occurred_on": "2026-03-05"}, "occurred_on", "Give the day it happened"),
        ({"function_ids": []}, "functions", "Choose at least one function the disruption touches."),
        ({"function_ids": ["abc"]}, "functions", "Choose functions of this organization only."),
    ],
)
def test_a_bad_disruption_is_refused_and_writes_nothing(clock, org, sales, web, overrides, field, message):
    values = {
        "organization": org,
        "kind": "reorg",
        "title": "Reorg",
        "note": "",
        "occurred_on": date(2026, 3, 5),
        "function_ids": [sales.pk],
    }
    values.update(overrides)
    with pytest.raises(DomainError) as caught:
        disruption_log(**values)
    assert caught.value.fields[field][0].startswith(message)
    assert not Disruption.objects.exists()
    assert not Partnership.objects.filter(needs_trust_check=True).exists()


def test_a_function_of_another_organization_is_refused_and_nothing_is_written(clock, org, other_org, sales, web):
    foreign = make(other_org, "Globex Sales")
    with pytest.raises(DomainError) as caught:
        log(org, [sales, foreign])
    assert caught.value.fields == {"functions": ["Choose functions of this organization only."]}
    assert "Globex" not in caught.value.detail
    assert not Disruption.objects.exists()
    assert not Partnership.objects.filter(needs_trust_check=True).exists()


def test_logging_runs_a_fixed_number_of_queries(clock, org, sales, web):
    def count(title: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            log(org, [sales], title=title)
        return len(ctx.captured_queries)

    few = count("First")
    for i in range(20):
        other = make(org, f"Team {i}")
        link(org, sales, other)
        person = StakeholderFactory(function=sales)
        for cell in web["cells"]:
            review(cell, person, at(9) + timedelta(minutes=i))
    many = count("Second")
    assert many == few


def test_what_a_disruption_touched_is_read_alike_both_ways(org, other_org):
    """`touched` reads PostgreSQL's rows by each function's key (`_touched_rows`); the ORM's window
    statement (`_touched`, SQLite's) gives the same rows: the first names by name, the counts."""
    from roles.selectors.disruptions import _touched, _touched_rows, touched
    from tests.services import require_postgres

    require_postgres()
    functions = [
        FunctionFactory(organization=org, name=name) for name in ("Sales", "ops", "Ops EMEA", "Legal", "ÉQUIPE", "b")
    ]
    theirs = FunctionFactory(organization=other_org, name="Aardvarks")
    big = Disruption.objects.create(organization=org, kind="reorg", title="Reorg", occurred_on=date(2026, 3, 1),
                                    effective_at=at(1))  # fmt: skip
    big.functions.set([*functions, theirs])  # a foreign function never counts
    small = Disruption.objects.create(organization=org, kind="leaver", title="Leaver", occurred_on=date(2026, 3, 2),
                                      effective_at=at(2))  # fmt: skip
    small.functions.set(functions[:1])
    empty = Disruption.objects.create(organization=org, kind="other", title="Nothing", occurred_on=date(2026, 3, 3),
                                      effective_at=at(3))  # fmt: skip
    ids = [big.pk, small.pk, empty.pk]
    for first in (1, 3, 10):
        assert _touched_rows(ids, first, org.pk) == [tuple(row) for row in _touched(ids, first, org.pk)]
    found = touched(ids, first=3, organization_id=org.pk)
    assert found[big.pk].count == 6 and len(found[big.pk].functions) == 3 and found[empty.pk].count == 0
    assert _touched_rows([], 3, org.pk) == []
