"""`{% me_card %}` writes what `layers/me_assignment.html` writes for a card with its blank form, for
every review state, with and without a latest review, a dispute and its answer, the "shared with"
list or its placeholder, and hostile names; a card with a bound form or a thank-you is the template's."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from domain.review_state import PairState, PairStatus
from domain.rings.shapes import Member
from layers.selectors.me import MyAssignment, SharedLayer
from layers.views.me import DrawnForm

HOSTILE = "<script>alert(\"x\")</script> & 'Sons'"
TOKEN = re.compile(r'name="(form_token|_form_token|[a-z_]*token[a-z_]*)" value="[0-9a-f]{32}"')


def _assignment(pk: int, *, emphasis: str = "contributor", contribution: str = "", layer_key: str = "augmented"):
    layer = SimpleNamespace(key=layer_key, name=f"{layer_key.title()} <layer>", ring=3)
    product = SimpleNamespace(name=f"Insights {HOSTILE}", slug="insights")
    function = SimpleNamespace(name=f"Customer Success {HOSTILE}")
    return SimpleNamespace(
        pk=pk, layer=layer, product=product, function=function, emphasis=emphasis, contribution=contribution
    )


def _review(pk: int, **fields):
    base = {
        "pk": pk, "verdict": "agree", "suggested_layer": None, "comment": "", "resolution": "", "resolved_by": None,
        "resolved_at": None, "resolution_note": "",
    }  # fmt: skip
    return SimpleNamespace(**(base | fields))


def _state(status: str, *, is_open: bool = False) -> PairState:
    return PairState(PairStatus(status), None, is_open, f"Because <{status}> & so on.")


def _items():
    leader = SimpleNamespace(get_full_name=lambda: "", email="lead@acme.test")
    named = SimpleNamespace(get_full_name=lambda: f"Lee {HOSTILE}", email="lee@acme.test")
    resolved = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)
    shared = SharedLayer(
        7, [Member(1, f"Sales {HOSTILE}", "customer_facing", is_lead=True, contribution="Sells <it>"),
            Member(2, "Legal", "cross_functional")], unloaded=3,
    )  # fmt: skip
    cases = [
        (_assignment(11, contribution="Onboards & trains"), _state("pending"), None, "Onboards & trains", None),
        (_assignment(12, emphasis="lead"), _state("current"), _review(91), "Placed by <a leader>", shared),
        (_assignment(13), _state("stale", is_open=True),
         _review(92, verdict="disagree", comment="Not <us>", suggested_layer=SimpleNamespace(key="core", name="Core")),
         "why", SharedLayer(13)),
        (_assignment(14), _state("current", is_open=True),
         _review(93, verdict="disagree", comment="Wrong", resolution="kept", resolved_by=leader,
                 resolved_at=resolved, resolution_note="We <keep> it"), "why", None),
        (_assignment(15), _state("current"),
         _review(94, verdict="disagree", comment="Wrong", resolution="changed", resolved_by=named,
                 resolved_at=resolved), "why", SharedLayer(15, [], unloaded=2)),
        (_assignment(16), _state("stale"), _review(95, verdict="disagree", comment="x", resolved_by=None,
                                                  resolved_at=resolved, resolution="kept"), "", None),
    ]  # fmt: skip
    items = []
    for assignment, state, latest, why, shared_with in cases:
        item = MyAssignment(assignment, state, latest, why, shared_with)
        item.form = DrawnForm(f'<fieldset id="a{assignment.pk}-fields">drawn &amp; ready</fieldset>')
        items.append(item)
    return items


def _render(source: str, item, **extra) -> str:
    context = {"org": SimpleNamespace(slug="acme"), "item": item, "csrf_token": "t" * 64, **extra}
    with translation.override("en-us"):
        return TOKEN.sub("TOKEN", Template(source).render(Context(context)))


@pytest.mark.parametrize("index", range(6))
def test_the_card_is_the_templates_html(index):
    item = _items()[index]
    expected = _render('{% include "layers/me_assignment.html" %}', item)
    written = _render("{% load me_cards %}{% me_card item %}", item)
    assert written == expected
    assert "<script>" not in written and "TOKEN" in written and 'value="' + "t" * 64 + '"' in written


def test_a_card_with_a_bound_form_or_thanks_is_the_templates():
    item = _items()[0]
    thanked = _render("{% load me_cards %}{% me_card item %}", item, thanks="Thank you <3")
    assert thanked == _render('{% include "layers/me_assignment.html" %}', item, thanks="Thank you <3")
    assert "Thank you &lt;3" in thanked
    item.form = SimpleNamespace(errors={"verdict": ["Pick one."]}, non_field_errors=lambda: [], drawn="")
    bound = _render("{% load me_cards %}{% me_card item %}", item)
    assert bound == _render('{% include "layers/me_assignment.html" %}', item)
    assert "Please correct the highlighted field." in bound
