"""The gaps come out in `_gap_order` (severity, kind, then name, case-folded first, and target),
each once, and each layer's contributors in `name_order`, whatever the rows: names that tie when
case-folded, fold to several letters, or are empty."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.coverage.compute import assemble_coverage, name_order
from domain.coverage.gaps import _gap_order
from domain.coverage.rows import LAYERS, AssignmentRow, FunctionRow, PartnershipRow, Tally

# Names that tie once case-folded, or differ only by case, or fold to several letters (ß → ss).
NAMES = ("Sales", "sales", "SALES", "Straße", "STRASSE", "strasse", "Édition", "edition", "Zoë", "zoe", "R&D", "")
TODAY = date(2026, 3, 15)
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


@st.composite
def organizations(draw):
    count = draw(st.integers(1, 12))
    functions = {i: FunctionRow(i, draw(st.sampled_from(NAMES)), "building") for i in range(1, count + 1)}
    assigned, tallies, next_id = [], {}, 100
    for function_id in functions:
        for spec in LAYERS:
            if draw(st.booleans()):
                continue
            emphasis = draw(st.sampled_from(("lead", "contributor")))
            next_id += draw(st.integers(1, 3))
            assigned.append(AssignmentRow(next_id, function_id, spec.key, emphasis))
    staff = {a.function_id: draw(st.integers(0, 3)) for a in assigned}
    for a in assigned:
        reviewed = draw(st.integers(0, staff[a.function_id]))
        current = draw(st.integers(0, reviewed))
        tallies[a.id] = Tally(reviewed, current, draw(st.integers(0, current)), draw(st.integers(0, reviewed)))
    ids = list(functions)
    partnerships = [
        PartnershipRow(
            pk,
            functions[a].name,
            functions[b].name,
            draw(st.integers(1, 5)),
            draw(st.one_of(st.none(), st.dates(TODAY - timedelta(days=400), TODAY))),
            a,
            b,
            draw(st.booleans()),
        )
        for pk, (a, b) in enumerate(draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=8)))
        if a != b
    ]
    disrupted = {
        f: datetime(2026, 3, day, tzinfo=UTC)
        for f, day in draw(st.dictionaries(st.sampled_from(ids), st.integers(1, 14))).items()
    }
    return {
        "functions": functions,
        "assigned": assigned,
        "staff": staff,
        "tallies": tallies,
        "partnerships": partnerships,
        "disrupted": disrupted,
        "now": NOW,
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organizations())
def test_the_gaps_are_in_gap_order(rows):
    coverage = assemble_coverage(**rows)
    gaps = list(coverage.gaps)

    assert gaps == sorted(gaps, key=_gap_order)
    assert len({(g.kind, tuple(sorted(g.target.items()))) for g in gaps}) == len(gaps)  # no gap twice
    for row in coverage.layers:
        assert list(row.contributors) == sorted(row.contributors, key=name_order)
        contributors = [a for a in rows["assigned"] if a.layer_key == row.key and a.emphasis == "contributor"]
        assert sorted(row.contributors) == sorted(rows["functions"][a.function_id].name for a in contributors)
