"""Coverage (DESIGN §4), computed by hand: every expected number shows its arithmetic."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pytest

from domain.coverage.result import Coverage, GapKind, Severity
from domain.coverage.rows import (
    DisruptionRow,
    PartnershipRow,
    ReviewRow,
)
from tests.domain.coverage_rows import assign, compute, fn, gaps_of, kinds, nov, people, review

# --- a full small organization ------------------------------------------------------------------
#
# Functions: 1 Product Management (2 people: 11, 12), 2 Engineering (21, 22, 23),
# 3 Customer Success (31, 32), 4 CEO (41), 5 Finance (51, unmapped), 6 Legal (nobody).
# Assignments, all changed on 1 Nov:
#   101 PM core lead · 102 Engineering core contributor · 103 PM expected lead
#   104 Legal expected contributor · 105 CS augmented lead · 106 CEO potential contributor
# A disruption touched Customer Success on 5 Nov.

SMALL_ORG = {
    "functions": [
        fn(1, "Product Management"),
        fn(2, "Engineering"),
        fn(3, "Customer Success", "customer_facing"),
        fn(4, "CEO", "leadership"),
        fn(5, "Finance", "cross_functional"),
        fn(6, "Legal", "cross_functional"),
    ],
    "stakeholders": [*people(1, 11, 12), *people(2, 21, 22, 23), *people(3, 31, 32), *people(4, 41), *people(5, 51)],
    "assignments": [
        assign(101, 1, "core", "lead"),
        assign(102, 2, "core"),
        assign(103, 1, "expected", "lead"),
        assign(104, 6, "expected"),
        assign(105, 3, "augmented", "lead"),
        assign(106, 4, "potential"),
    ],
    "reviews": [
        review(101, 11),
        review(101, 12),
        review(102, 21),
        review(102, 22, "disagree"),  # open dispute on a contributor; 23 has not reviewed
        review(103, 11),
        review(103, 12, "disagree", resolved_at=nov(4), resolution="kept"),  # resolved, still current
        review(105, 31, day=3),
        review(105, 31, day=6),  # re-confirmed after the disruption: current
        review(105, 32, day=3),  # older than the disruption: stale
        review(101, 51),  # Finance is not in Product Management: not a pair, ignored
        review(999, 11),  # another product's assignment: ignored
    ],
    "disruptions": [DisruptionRow(function_ids=frozenset({3}), occurred_at=nov(5))],
    "partnerships": [
        PartnershipRow(1, "Product Management", "Engineering", 4, date(2025, 11, 10), 1, 2),
        # Weak, and checked before the disruption that touched Customer Success.
        PartnershipRow(2, "Customer Success", "Engineering", 2, date(2025, 11, 2), 3, 2),
    ],
}


def test_a_small_organization_by_hand():
    c = compute(**SMALL_ORG)

    # Owned layers: core, expected, augmented (potential has only a contributor) -> 3/4.
    assert (c.owned_layers, c.layer_coverage) == (3, 0.75)
    # Mapped functions: PM, Engineering, CS, CEO, Legal; Finance is not -> 5/6.
    assert (c.mapped_functions, c.functions, c.function_coverage) == (5, 6, 5 / 6)
    # Pairs: 101: 2, 102: 3, 103: 2, 104: 0 (Legal has nobody), 105: 2, 106: 1 -> 10.
    # Current: 101: 2, 102: 2, 103: 2, 105: 1 (31 re-confirmed, 32 is stale) -> 7.
    assert (c.review_pairs, c.current_reviews, c.review_coverage) == (10, 7, 0.7)
    # Agreeing among current: 101: 2, 102: 1, 103: 1, 105: 1 -> 5/7.
    assert (c.agreeing_reviews, c.agreement) == (5, 5 / 7)
    # Reviewed pairs 8 (2+2+2+2+0): stale 8 - 7 = 1 (32), pending 10 - 8 = 2 (23 on 102, 41 on 106).
    assert (c.stale_reviews, c.pending_reviews, c.open_disputes) == (1, 2, 1)
    # mean(3/4, 5/6, 7/10) = (45 + 50 + 42) / 60 / 3 = 137/180 = 0.7611 -> 76.
    assert c.score == 76


def test_the_small_organization_per_layer():
    c = compute(**SMALL_ORG)
    rows = {row.key: row for row in c.layers}

    assert [row.key for row in c.layers] == ["core", "expected", "augmented", "potential"]
    core = rows["core"]
    assert (core.lead, core.lead_function_id, core.contributors) == ("Product Management", 1, ("Engineering",))
    # Core pairs 2 + 3 = 5; current 4 (11, 12, 21, 22); agreeing 3; 23 pending; 22's dispute open.
    assert (core.stakeholders_reached, core.current_reviews, core.agreeing_reviews) == (5, 4, 3)
    assert (core.stale_reviews, core.pending_reviews, core.open_disputes, core.lead_disputed) == (0, 1, 1, False)
    assert (core.reviewed_pct, core.agreement_pct) == (80, 75)  # 4/5, 3/4
    expected = rows["expected"]
    assert (expected.lead, expected.contributors) == ("Product Management", ("Legal",))
    # Pairs 2 (PM) + 0 (Legal): both current, one agrees (the kept disagreement still counts as one).
    assert (expected.stakeholders_reached, expected.reviewed_pct, expected.agreement_pct) == (2, 100, 50)
    augmented = rows["augmented"]
    assert (augmented.lead, augmented.contributors, augmented.stale_reviews) == ("Customer Success", (), 1)
    assert (augmented.reviewed_pct, augmented.agreement_pct) == (50, 100)  # 1/2, 1/1
    potential = rows["potential"]
    assert (potential.lead, potential.owned, potential.contributors) == (None, False, ("CEO",))
    assert (potential.stakeholders_reached, potential.pending_reviews, potential.reviewed, potential.agreement) == (
        1,
        1,
        0.0,
        0.0,
    )


def test_the_small_organization_gaps_in_order():
    c = compute(**SMALL_ORG)

    assert [(str(g.severity), str(g.kind), g.name, g.count, g.target) for g in c.gaps] == [
        ("high", "unowned_layer", "Potential product", 1, {"layer": "potential"}),
        ("medium", "open_dispute", "Engineering", 1, {"assignment_id": 102, "function_id": 2, "layer": "core"}),
        ("medium", "unmapped_function", "Finance", 1, {"function_id": 5}),
        ("medium", "unstaffed_function", "Legal", 1, {"function_id": 6}),
        ("medium", "weak_partnership", "Customer Success ↔ Engineering", 1, {"partnership_id": 2}),
        ("low", "unchecked_partnership", "Customer Success ↔ Engineering", 1, {"partnership_id": 2}),
        ("low", "stale_review", "Customer Success", 1, {"function_id": 3}),
        ("low", "pending_review", "CEO", 1, {"function_id": 4}),
        ("low", "pending_review", "Engineering", 1, {"function_id": 2}),
    ]
    messages = [g.message for g in c.gaps]
    assert messages[0] == "The Potential product has no lead: name the one function accountable for it."
    assert messages[1] == "1 open dispute on Engineering as contributor of the Core product."
    assert messages[3] == "Legal is mapped to the Expected product but has nobody in it to review that."
    assert messages[4] == "Trust between Customer Success and Engineering is 2/5."
    assert (
        messages[5]
        == "Trust between Customer Success and Engineering has not been checked since a disruption on 5 Nov 2025."
    )
    assert messages[6] == "1 review from Customer Success need re-confirming after a change or a disruption."
    assert messages[8] == "1 review pending from Engineering."


def test_the_result_does_not_depend_on_the_order_of_the_rows():
    shuffled = {key: list(value) for key, value in SMALL_ORG.items()}
    for rows in shuffled.values():
        random.Random(3).shuffle(rows)

    assert compute(**shuffled) == compute(**SMALL_ORG)


def test_it_round_trips_through_json():
    c = compute(**SMALL_ORG)

    data = json.loads(json.dumps(c.to_dict()))

    assert data["score"] == 76
    assert data["review_coverage"] == 0.7
    assert data["counts"]["review_pairs"] == 10
    assert data["layers"][0]["contributors"] == ["Engineering"]
    assert data["layers"][0]["reviewed_pct"] == 80
    assert data["gaps"][0] == {
        "kind": "unowned_layer",
        "severity": "high",
        "message": "The Potential product has no lead: name the one function accountable for it.",
        "target": {"layer": "potential"},
        "name": "Potential product",
        "count": 1,
    }
    assert Coverage.from_dict(data) == c


def test_from_dict_refuses_an_unknown_schema():
    data = compute(**SMALL_ORG).to_dict() | {"schema": 99}
    with pytest.raises(ValueError, match="Unsupported coverage schema 99"):
        Coverage.from_dict(data)


# --- empty denominators: 0 and a gap, never a crash ---------------------------------------------


def test_no_functions_gives_zero_and_one_gap_for_the_chain():
    c = compute()

    assert (c.score, c.layer_coverage, c.function_coverage, c.review_coverage, c.agreement) == (0, 0, 0, 0, 0)
    # The whole chain (no assignments, no pairs, no current reviews) follows from no functions.
    assert kinds(c) == ["no_functions", *["unowned_layer"] * 4]
    assert c.gaps[0].target == {"page": "functions"}
    assert [g.target["layer"] for g in c.gaps[1:]] == ["core", "expected", "augmented", "potential"]
    assert all(row.reviewed_pct == 0 and row.agreement_pct == 0 for row in c.layers)
    json.dumps(c.to_dict())


def test_no_assignments_is_one_gap_not_one_per_function():
    c = compute(functions=[fn(1, "Sales"), fn(2, "Legal")], stakeholders=people(1, 11))

    assert (c.score, c.function_coverage, c.review_coverage) == (0, 0, 0)
    assert kinds(c) == ["no_assignments", *["unowned_layer"] * 4]
    assert c.gaps[0].message == "No function is mapped to this product yet: 2 functions to map."
    assert (c.gaps[0].count, c.gaps[0].target) == (2, {"page": "map"})


def test_no_review_pairs_when_mapped_functions_have_nobody():
    c = compute(functions=[fn(1, "Product Management")], assignments=[assign(101, 1, "core", "lead")])

    # mean(1/4, 1/1, 0) = 1.25 / 3 = 0.41666 -> 42
    assert (c.review_pairs, c.review_coverage, c.agreement, c.score) == (0, 0, 0, 42)
    assert kinds(c) == [*["unowned_layer"] * 3, "no_review_pairs", "unstaffed_function"]
    assert gaps_of(c, GapKind.NO_REVIEW_PAIRS)[0].target == {"page": "people"}
    assert "no_current_reviews" not in kinds(c)  # follows from having no pairs


def test_no_current_reviews_gives_zero_agreement_and_a_gap():
    c = compute(
        functions=[fn(1, "Product Management")],
        stakeholders=people(1, 11, 12),
        assignments=[assign(101, 1, "core", "lead", changed=5)],
        reviews=[review(101, 11, day=3)],  # older than the change: stale
    )

    assert (c.current_reviews, c.agreement, c.review_coverage) == (0, 0, 0)
    # mean(1/4, 1, 0) -> 42
    assert c.score == 42
    assert gaps_of(c, GapKind.NO_CURRENT_REVIEWS)[0].count == 2
    assert gaps_of(c, GapKind.STALE_REVIEW)[0].count == 1
    assert gaps_of(c, GapKind.PENDING_REVIEW)[0].count == 1


def test_a_layer_without_pairs_reports_zero_percent():
    c = compute(functions=[fn(1, "Legal")], assignments=[assign(101, 1, "expected")])
    row = c.layer("expected")
    assert (row.stakeholders_reached, row.reviewed, row.agreement, row.reviewed_pct, row.agreement_pct) == (
        0,
        0.0,
        0.0,
        0,
        0,
    )


# --- disputes -----------------------------------------------------------------------------------

ONE_LAYER = {
    "functions": [fn(1, "Sales", "customer_facing"), fn(2, "Product Marketing", "customer_facing")],
    "stakeholders": [*people(1, 11, 12), *people(2, 21)],
    "assignments": [assign(101, 1, "expected", "lead"), assign(102, 2, "expected")],
}


def test_a_disputed_lead_still_owns_the_layer_but_is_a_high_gap():
    c = compute(**ONE_LAYER, reviews=[review(101, 11, "disagree"), review(101, 12, "disagree"), review(102, 21)])

    row = c.layer("expected")
    assert row.owned and row.lead == "Sales" and row.lead_disputed
    assert row.open_disputes == 2
    (gap,) = gaps_of(c, GapKind.OPEN_DISPUTE)
    assert (gap.severity, gap.count, gap.target) == (
        Severity.HIGH,
        2,
        {"assignment_id": 101, "function_id": 1, "layer": "expected"},
    )
    assert gap.message == "2 open disputes on Sales as lead of the Expected product."
    # Current 3 of 3, agreeing 1 of 3: disputes lower agreement, not review coverage.
    assert (c.review_coverage, c.agreement, c.layer("expected").agreement_pct) == (1.0, 1 / 3, 33)


def test_a_stale_dispute_stays_open():
    reviews = [review(101, 11, "disagree", day=3)]
    disruption = [DisruptionRow(function_ids=(1,), occurred_at=nov(5))]

    c = compute(**ONE_LAYER, reviews=reviews, disruptions=disruption)

    assert (c.current_reviews, c.stale_reviews, c.open_disputes) == (0, 1, 1)
    assert c.layer("expected").lead_disputed


def test_resolving_a_dispute_closes_it():
    kept = review(101, 11, "disagree", day=3, resolved_at=nov(4), resolution="kept")

    c = compute(**ONE_LAYER, reviews=[kept])

    assert c.open_disputes == 0
    assert not c.layer("expected").lead_disputed
    assert "open_dispute" not in kinds(c)
    # Still a current review that disagrees: agreement 0/1.
    assert (c.current_reviews, c.agreement) == (1, 0)


def test_agreeing_after_disputing_withdraws_the_dispute():
    c = compute(**ONE_LAYER, reviews=[review(101, 11, "disagree", day=3), review(101, 11, day=4)])
    assert (c.open_disputes, c.agreeing_reviews) == (0, 1)


def test_a_function_disputed_on_two_layers_lists_them_in_ring_order():
    c = compute(
        functions=[fn(1, "Sales")],
        stakeholders=people(1, 11),
        assignments=[assign(102, 1, "augmented"), assign(101, 1, "expected")],
        reviews=[review(102, 11, "disagree"), review(101, 11, "disagree")],
    )
    assert [g.target["layer"] for g in gaps_of(c, GapKind.OPEN_DISPUTE)] == ["expected", "augmented"]


# --- staleness ----------------------------------------------------------------------------------

PM_CORE = {
    "functions": [fn(1, "Product Management"), fn(2, "Engineering")],
    "stakeholders": [*people(1, 11), *people(2, 21)],
}


def test_an_assignment_change_makes_its_reviews_stale():
    before = compute(**PM_CORE, assignments=[assign(101, 1, "core", "lead", changed=1)], reviews=[review(101, 11)])
    after = compute(**PM_CORE, assignments=[assign(101, 1, "core", "lead", changed=5)], reviews=[review(101, 11)])

    assert (before.current_reviews, before.stale_reviews) == (1, 0)
    assert (after.current_reviews, after.stale_reviews, after.review_coverage) == (0, 1, 0)
    # Before: mean(1/4, 1/2, 1/1) = 1.75/3 = 0.5833 -> 58. After: mean(1/4, 1/2, 0) = 0.25 -> 25.
    assert (before.score, after.score) == (58, 25)
    (gap,) = gaps_of(after, GapKind.STALE_REVIEW)
    assert (gap.count, gap.target) == (1, {"function_id": 1})


def test_a_re_review_after_the_change_makes_it_current_again():
    c = compute(
        **PM_CORE,
        assignments=[assign(101, 1, "core", "lead", changed=5)],
        reviews=[review(101, 11, day=3), review(101, 11, day=6)],
    )
    assert (c.current_reviews, c.stale_reviews, c.pending_reviews) == (1, 0, 0)
    assert "stale_review" not in kinds(c)


def test_a_disruption_makes_only_its_functions_reviews_stale():
    c = compute(
        **PM_CORE,
        assignments=[assign(101, 1, "core", "lead"), assign(102, 2, "core")],
        reviews=[review(101, 11), review(102, 21)],
        disruptions=[DisruptionRow(function_ids=frozenset({2}), occurred_at=nov(5))],
    )
    assert (c.current_reviews, c.stale_reviews) == (1, 1)
    assert gaps_of(c, GapKind.STALE_REVIEW)[0].name == "Engineering"


def test_a_disruption_after_now_does_not_count_yet():
    rows = {
        **PM_CORE,
        "assignments": [assign(101, 1, "core", "lead")],
        "reviews": [review(101, 11)],
        "disruptions": [DisruptionRow(function_ids=(1,), occurred_at=nov(25))],
    }
    assert compute(**rows).stale_reviews == 0  # now = 20 Nov
    assert compute(**rows, now=nov(26)).stale_reviews == 1


def test_ties_with_the_change_or_a_disruption_are_stale():
    at_change = ReviewRow(101, 11, "agree", created_at=nov(5))
    c = compute(**PM_CORE, assignments=[assign(101, 1, "core", "lead", changed=5)], reviews=[at_change])
    assert (c.current_reviews, c.stale_reviews) == (0, 1)

    at_disruption = ReviewRow(101, 11, "agree", created_at=nov(7))
    c = compute(
        **PM_CORE,
        assignments=[assign(101, 1, "core", "lead")],
        reviews=[at_disruption],
        disruptions=[DisruptionRow(function_ids=(1,), occurred_at=nov(7))],
    )
    assert (c.current_reviews, c.stale_reviews) == (0, 1)

    a_microsecond_later = ReviewRow(101, 11, "agree", created_at=nov(7) + timedelta(microseconds=1))
    c = compute(
        **PM_CORE,
        assignments=[assign(101, 1, "core", "lead")],
        reviews=[a_microsecond_later],
        disruptions=[DisruptionRow(function_ids=(1,), occurred_at=nov(7))],
    )
    assert c.current_reviews == 1


def test_two_reviews_in_the_same_instant_go_to_the_higher_id():
    reviews = [
        ReviewRow(101, 11, "agree", created_at=nov(3), id=2),
        ReviewRow(101, 11, "disagree", created_at=nov(3), id=1),
    ]
    c = compute(**PM_CORE, assignments=[assign(101, 1, "core", "lead")], reviews=reviews)
    assert (c.agreeing_reviews, c.open_disputes) == (1, 0)


def test_a_reviewer_who_left_the_function_is_not_counted():
    # 21 is in Engineering: their review of PM's assignment is not a pair of P.
    c = compute(**PM_CORE, assignments=[assign(101, 1, "core", "lead")], reviews=[review(101, 21, "disagree")])
    assert (c.review_pairs, c.current_reviews, c.pending_reviews, c.open_disputes) == (1, 0, 1, 0)


def test_a_layer_row_stores_and_reads_back_without_the_pages_count_of_unnamed_contributors():
    from domain.coverage.result import LayerCoverage

    row = LayerCoverage("core", "Core", 1, "Engineering", 7, False, ("Design",), 3, 2, 1, 1, 0, 0, contributors_more=40)
    stored = row.to_dict()
    assert "contributors_more" not in stored  # snapshots and the API keep their shape
    assert LayerCoverage.from_dict(stored) == LayerCoverage(
        "core", "Core", 1, "Engineering", 7, False, ("Design",), 3, 2, 1, 1, 0, 0
    )
