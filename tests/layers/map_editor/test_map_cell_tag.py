"""`{% map_cell %}`, the one place a map cell is written (the page's 200 and an edit's answer)."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template

from layers.models import Assignment
from layers.views.map_shapes import Cell
from tests.factories import AssignmentFactory, FunctionFactory, layer

BASE = "/o/acme/p/insights/map/cell/"


def draw(cells: list[Cell], *, can_edit: bool, token: str = "tok3n") -> str:  # noqa: S107 (a test token)
    template = Template("{% load map_cells %}{% for cell in cells %}{% map_cell cell %}{% endfor %}")
    return template.render(Context({"cells": cells, "can_edit": can_edit, "csrf_token": token}))


@pytest.fixture
def hostile(org):
    return FunctionFactory(organization=org, name='<script>alert("x")</script> & Co')


def test_an_editor_gets_a_menu_of_the_other_choices_and_the_current_one_marked(insights, hostile, pm):
    lead = AssignmentFactory(product=insights, function=pm, layer=layer("core"), emphasis="lead")
    cell = Cell(hostile, layer("core"), None, BASE, lead=pm)
    html = draw([cell], can_edit=True)
    assert f'<td id="cell-{hostile.pk}-core" class="map-cell layer-core is-none">' in html
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
    assert (
        'name="emphasis" value="none" aria-current="true" disabled><span aria-hidden="true">✓ </span>Not assigned'
        in html
    )
    assert f'value="replace">Make lead, replacing {pm.name}</button>' in html
    assert f'<p class="cell-menu-note">{pm.name} stays on as a contributor.</p>' in html
    assert '<input type="hidden" name="version" value="0">' in html
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="tok3n">' in html
    assert f'action="{BASE}{hostile.pk}/core/"' in html and f'hx-get="{BASE}{hostile.pk}/core/history/"' in html
    assert "map-contribution" not in html  # nothing to contribute to before the function is on the layer
    assert lead.pk


def test_the_lead_cell_offers_lead_as_current_with_its_version_and_contribution(insights, pm):
    long = "Owns the product specification end to end, " * 4
    assignment = AssignmentFactory(
        product=insights, function=pm, layer=layer("core"), emphasis="lead", contribution=long
    )
    Assignment.objects.filter(pk=assignment.pk).update(version=7)
    assignment.refresh_from_db()
    html = draw([Cell(pm, layer("core"), assignment, BASE, lead=pm)], can_edit=True)
    assert "is-lead" in html and ">★ Lead</summary>" in html
    assert 'value="lead" aria-current="true" disabled>' in html and "replacing" not in html
    assert '<input type="hidden" name="version" value="7">' in html
    shown = re.search(r'class="map-contribution" hx-get="[^"]+contribution/">([^<]+)<', html).group(1)
    assert len(shown) == 90 and shown.endswith("…")


def test_an_empty_contribution_invites_one(insights, pm):
    assignment = AssignmentFactory(
        product=insights, function=pm, layer=layer("expected"), emphasis="contributor", contribution=""
    )
    html = draw([Cell(pm, layer("expected"), assignment, BASE)], can_edit=True)
    assert 'class="map-contribution is-empty"' in html and "Add a contribution…" in html


def test_a_reader_sees_the_state_and_the_contribution_without_a_form(insights, pm, cs_function):
    lead = AssignmentFactory(product=insights, function=pm, layer=layer("core"), emphasis="lead", contribution="Spec.")
    html = draw(
        [Cell(pm, layer("core"), lead, BASE), Cell(cs_function, layer("core"), None, BASE, lead=pm)], can_edit=False
    )
    assert "<form" not in html and "csrfmiddlewaretoken" not in html
    assert '<span class="map-toggle">★ Lead</span>' in html
    assert '<span class="map-toggle"><span class="visually-hidden">Not assigned</span></span>' in html
    assert '<p class="map-contribution">Spec.</p>' in html
    assert html.count("map-history-btn") == 2  # a reader may still read a cell's history


def test_an_edit_error_and_a_conflict_are_announced(insights, pm):
    cell = Cell(pm, layer("core"), None, BASE, error="Choose one of the offered states.", conflict="Lee changed it <b>")
    html = draw([cell], can_edit=True)
    assert "has-alert" in html
    assert '<p class="map-alert map-error" role="alert">Choose one of the offered states.</p>' in html
    assert '<p class="map-alert map-conflict" role="alert">Lee changed it &lt;b&gt;</p>' in html


def test_without_a_csrf_token_no_empty_input_is_written(insights, pm):
    html = draw([Cell(pm, layer("core"), None, BASE)], can_edit=True, token="NOTPROVIDED")
    assert "csrfmiddlewaretoken" not in html


def test_the_menus_written_once_per_state_and_replaced_lead_are_each_cells_own(insights, hostile, pm, org):
    """The buttons are kept per (state, lead replaced) and a repeated name escaped once: every cell
    still gets the buttons its own `Cell.options` says, whatever was drawn before it."""
    from layers.templatetags import map_cells

    other = FunctionFactory(organization=org, name="Other <lead>")
    contributor = AssignmentFactory(product=insights, function=hostile, layer=layer("expected"), emphasis="contributor")
    cells = [
        Cell(hostile, layer("core"), None, BASE, lead=pm),
        Cell(hostile, layer("core"), None, BASE, lead=other),
        Cell(hostile, layer("expected"), contributor, BASE, lead=None),
        Cell(hostile, layer("expected"), contributor, BASE, lead=hostile),
        Cell(hostile, layer("core"), None, BASE, lead=pm),
    ]
    map_cells._options.cache_clear()
    for cell in cells:
        html = draw([cell], can_edit=True)
        for option in cell.options:
            label = option.label.replace("<", "&lt;").replace(">", "&gt;")
            assert f'value="{option.value}"' in html and label in html
        assert html.count('class="cell-menu-item') == len(cell.options)
    assert draw(cells[:1], can_edit=True) == draw(cells[4:], can_edit=True)
    assert (
        map_cells._options.cache_info().currsize == 3
    )  # (none, pm), (none, other), (contributor, none): its own lead replaces none
