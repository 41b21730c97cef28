"""Coverage's rounding, partnership trust checks, inputs and a benchmark (DESIGN §4)."""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.coverage.compute import compute_coverage
from domain.coverage.result import Coverage, LayerCoverage, percent, round_half_up, share
from domain.coverage.rows import (
    LAYERS,
    DisruptionRow,
    PartnershipRow,
    ReviewRow,
    StakeholderRow,
)
from layers.models import Layer
from tests.domain.coverage_rows import NOW, assign, compute, fn, nov, people, review
from tests.domain.test_coverage import PM_CORE, SMALL_ORG


def test_round_half_up():
    assert [round_half_up(Fraction(n, 2)) for n in range(7)] == [0, 1, 1, 2, 2, 3, 3]  # 0, .5, 1, 1.5 … 3
    assert round(Fraction(125, 2)) == 62  # what banker's rounding would have given for 62.5
    assert round_half_up(Fraction(125, 2)) == 63
    assert round_half_up(Fraction(-5, 2)) == -3
    assert percent(1, 8) == 13  # 12.5
    assert percent(1, 3) == 33
    assert percent(2, 3) == 67
    assert percent(1, 0) == 0


@given(st.integers(min_value=-(10**9), max_value=10**9), st.integers(min_value=-(10**6), max_value=10**6))
def test_percent_is_the_exact_fraction_rounded_half_up(part, whole):
    """`percent` works in integers; it gives what rounding the exact fraction half up gives."""
    expected = round_half_up(100 * Fraction(part, whole)) if whole else 0
    assert percent(part, whole) == expected
    assert percent(part, 8) == round_half_up(100 * Fraction(part, 8))  # every half lands exactly


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=10**7))
def test_share_is_the_exact_fractions_float(part, whole):
    assert share(part, whole) == (float(Fraction(part, whole)) if whole else 0.0)


_counts = st.integers(min_value=0, max_value=10**5)


@given(st.integers(0, 4), _counts, _counts, _counts, _counts, _counts)
def test_the_score_and_ratios_are_the_exact_fractions(owned, mapped, functions, current, pairs, agreeing):
    """The score is the mean of the three exact ratios, rounded half up; each ratio the float of
    its Fraction (0 for an empty denominator): integer arithmetic gives the same."""
    c = Coverage(functions, mapped, 0, owned, pairs, current, agreeing, 0, 0, 0, layers=())

    def ratio(part: int, whole: int) -> Fraction:
        return Fraction(part, whole) if whole else Fraction(0)

    mean = (ratio(owned, 4) + ratio(mapped, functions) + ratio(current, pairs)) / 3
    assert c.score == round_half_up(100 * mean)
    assert (c.layer_coverage, c.function_coverage, c.review_coverage, c.agreement) == (
        float(ratio(owned, 4)), float(ratio(mapped, functions)), float(ratio(current, pairs)),
        float(ratio(agreeing, current)),
    )  # fmt: skip
    row = LayerCoverage("core", "Core", 1, None, None, False, (), pairs, current, agreeing, 0, 0, 0)
    assert (row.reviewed, row.agreement) == (float(ratio(current, pairs)), float(ratio(agreeing, current)))


def test_a_score_of_exactly_62_5_rounds_up_to_63():
    # One function (2 people) leads core, expected, augmented and contributes to potential;
    # Finance is unmapped. 5 of the 8 pairs have a current review.
    # layer 3/4 = 75 %, function 1/2 = 50 %, review 5/8 = 62.5 %; mean = 187.5 / 3 = 62.5 -> 63.
    assignments = [
        assign(101, 1, "core", "lead"),
        assign(102, 1, "expected", "lead"),
        assign(103, 1, "augmented", "lead"),
        assign(104, 1, "potential"),
    ]
    reviews = [review(101, 11), review(101, 12), review(102, 11), review(102, 12), review(103, 11)]

    c = compute(
        functions=[fn(1, "Product"), fn(2, "Finance")],
        stakeholders=people(1, 11, 12),
        assignments=assignments,
        reviews=reviews,
    )

    assert (c.layer_coverage, c.function_coverage, c.review_coverage) == (0.75, 0.5, 0.625)
    assert c.score == 63


def test_a_score_that_floats_would_get_wrong():
    # mean(1/4, 1/2, 7/10) = (0.25 + 0.5 + 0.7) / 3 = 0.48333 -> 48, computed exactly.
    stakeholders = people(1, *range(11, 21))  # 10 people
    reviews = [review(101, s) for s in range(11, 18)]  # 7 of them
    c = compute(
        functions=[fn(1, "Product"), fn(2, "Finance")],
        stakeholders=stakeholders,
        assignments=[assign(101, 1, "core", "lead")],
        reviews=reviews,
    )
    assert c.score == 48


def partnership(trust: int = 4, checked: date | None = date(2025, 11, 1), id_: int = 1) -> PartnershipRow:
    return PartnershipRow(id_, "Sales", "Engineering", trust, checked, a_function_id=1, b_function_id=2)


def partnership_gaps(*rows: PartnershipRow, disruptions=(), now: datetime = NOW) -> list[tuple[str, str]]:
    c = compute(functions=[fn(1, "Sales"), fn(2, "Engineering")], partnerships=rows, disruptions=disruptions, now=now)
    return [(str(g.kind), g.message) for g in c.gaps if "partnership" in g.kind]


def test_trust_of_two_is_weak_and_three_is_not():
    assert partnership_gaps(partnership(trust=2)) == [
        ("weak_partnership", "Trust between Sales and Engineering is 2/5.")
    ]
    assert partnership_gaps(partnership(trust=1))[0][0] == "weak_partnership"
    assert partnership_gaps(partnership(trust=3)) == []


def test_a_partnership_checked_89_days_ago_is_fine_and_90_or_91_is_not():
    today = NOW.date()  # 20 Nov 2025
    assert partnership_gaps(partnership(checked=today - timedelta(days=89))) == []
    assert partnership_gaps(partnership(checked=today - timedelta(days=90))) == [
        ("unchecked_partnership", "Trust between Sales and Engineering was last checked 90 days ago, on 22 Aug 2025.")
    ]
    assert partnership_gaps(partnership(checked=today - timedelta(days=91))) == [
        ("unchecked_partnership", "Trust between Sales and Engineering was last checked 91 days ago, on 21 Aug 2025.")
    ]


def test_a_partnership_never_checked_is_a_gap():
    assert partnership_gaps(partnership(checked=None)) == [
        ("unchecked_partnership", "Trust between Sales and Engineering has never been checked.")
    ]


def test_a_weak_and_unchecked_partnership_has_both_gaps():
    assert [kind for kind, _ in partnership_gaps(partnership(trust=2, checked=None))] == [
        "weak_partnership",
        "unchecked_partnership",
    ]


def test_a_disruption_after_the_check_flags_the_partnership():
    reorg = [DisruptionRow(function_ids=(2,), occurred_at=nov(10, hour=15))]

    assert partnership_gaps(partnership(checked=date(2025, 11, 9)), disruptions=reorg) == [
        (
            "unchecked_partnership",
            "Trust between Sales and Engineering has not been checked since a disruption on 10 Nov 2025.",
        )
    ]
    # Checked on the disruption's own day: answered.
    assert partnership_gaps(partnership(checked=date(2025, 11, 10)), disruptions=reorg) == []
    # A disruption of a function outside the partnership does not touch it.
    elsewhere = [DisruptionRow(function_ids=(3,), occurred_at=nov(10))]
    assert partnership_gaps(partnership(checked=date(2025, 11, 9)), disruptions=elsewhere) == []


def test_the_layers_match_the_data_migration():
    assert [(spec.key, spec.name) for spec in LAYERS] == list(Layer.Key.choices)
    assert [spec.ring for spec in LAYERS] == [1, 2, 3, 4]


def test_it_rejects_an_unknown_layer_or_emphasis():
    functions = [fn(1, "Sales")]
    with pytest.raises(ValueError, match="unknown layer 'outer'"):
        compute(functions=functions, assignments=[assign(101, 1, "outer")])
    with pytest.raises(ValueError, match="unknown emphasis 'owner'"):
        compute(functions=functions, assignments=[assign(101, 1, "core", "owner")])


def test_it_rejects_an_unknown_verdict():
    with pytest.raises(ValueError, match="Unknown review verdict"):
        compute(**PM_CORE, assignments=[assign(101, 1, "core", "lead")], reviews=[review(101, 11, "maybe")])


def test_it_accepts_generators():
    c = compute_coverage(
        functions=(f for f in SMALL_ORG["functions"]),
        assignments=(a for a in SMALL_ORG["assignments"]),
        stakeholders=(s for s in SMALL_ORG["stakeholders"]),
        reviews=(r for r in SMALL_ORG["reviews"]),
        disruptions=(d for d in SMALL_ORG["disruptions"]),
        partnerships=(p for p in SMALL_ORG["partnerships"]),
        now=NOW,
    )
    assert c == compute(**SMALL_ORG)


def large_org(seed: int = 1) -> dict:
    """1,000 functions, 20,000 people, 4,000 assignments, 40,000 reviews, 200 disruptions, 500 partnerships."""
    rng = random.Random(seed)
    layer_keys = [spec.key for spec in LAYERS]
    functions = [fn(f, f"Function {f}") for f in range(1, 1001)]
    stakeholders = [StakeholderRow(id=s, function_id=s % 1000 + 1) for s in range(20_000)]
    members: dict[int, list[int]] = {}
    for s in stakeholders:
        members.setdefault(s.function_id, []).append(s.id)
    assignments = [
        assign(f * 10 + i, f, layer_keys[i], "lead" if f == i + 1 else "contributor", changed=rng.randint(1, 5))
        for f in range(1, 1001)
        for i in range(4)
    ]
    reviews = []
    for n in range(40_000):
        a = assignments[n % 4000]
        reviews.append(
            ReviewRow(
                assignment_id=a.id,
                stakeholder_id=rng.choice(members[a.function_id]),
                verdict="agree" if rng.random() < 0.8 else "disagree",
                created_at=nov(rng.randint(1, 19), hour=rng.randint(0, 23)),
                id=n,
            )
        )
    disruptions = [DisruptionRow(frozenset(rng.sample(range(1, 1001), 5)), nov(rng.randint(1, 19))) for _ in range(200)]
    partnerships = [
        PartnershipRow(p, f"F{p}", f"G{p}", rng.randint(1, 5), date(2025, rng.randint(1, 11), 1), p % 1000 + 1, 1)
        for p in range(500)
    ]
    return {
        "functions": functions,
        "stakeholders": stakeholders,
        "assignments": assignments,
        "reviews": reviews,
        "disruptions": disruptions,
        "partnerships": partnerships,
    }


@pytest.mark.slow
def test_benchmark_a_large_organization(capsys):
    rows = large_org()
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        c = compute(**rows)
        timings.append(time.perf_counter() - started)
    with capsys.disabled():
        print(
            f"\ncompute_coverage on 1,000 functions / 20,000 people / 4,000 assignments / 40,000 reviews:"
            f" best {min(timings) * 1000:.0f} ms, median {sorted(timings)[2] * 1000:.0f} ms;"
            f" {len(c.gaps)} gaps, score {c.score}"
        )
    # 4,000 assignments x 20 people each = 80,000 pairs, all counted.
    assert c.review_pairs == 80_000
    assert c.owned_layers == 4
