"""The long lists written by tags: `{% feedback_loop_rows %}`, `{% gap_items %}`, `{% effect_items %}`,
`{% suggestion_items %}` and `{% map_rows %}` write what the template loops they replace wrote, value for value."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from layers.selectors.feedback import FeedbackLoop

# The loop as the product page's feedback table wrote it before the tag.
TEMPLATE_LOOP = """{% for loop in feedback_loops %}
        <tr>
          <td><span class="cat-dot cat-{{ loop.from_function.category }}" aria-hidden="true"></span>{{ loop.from_function.name }}</td>
          <td><span class="cat-dot cat-{{ loop.to_function.category }}" aria-hidden="true"></span>{{ loop.to_function.name }}</td>
          <td>{{ loop.feedback }}</td>
          <td class="num">{% if loop.weak %}<span class="badge badge-danger">{{ loop.trust }}/5</span>{% else %}{{ loop.trust }}/5{% endif %}</td>
          <td>{{ loop.last_checked_on|date:"j M Y"|default:"never" }}</td>
        </tr>
        {% endfor %}"""  # noqa: E501


def _function(name: str, category: str) -> SimpleNamespace:
    return SimpleNamespace(name=name, category=category)


def test_the_rows_are_the_template_loops_html():
    hostile = _function('<script>alert("x")</script> & Sons', "customer_facing")
    loops = [
        FeedbackLoop(hostile, _function("Engineering", "building"), "What <b>prospects</b> find critical", 1, 1,
                     date(2026, 1, 9)),
        FeedbackLoop(_function("Sales", "customer_facing"), _function("R&D", "building"), "", 4, 2, None),
        FeedbackLoop(_function("CS", "customer_facing"), _function("Core 'team'", "building"), "On-boarding", 2, 3,
                     date(2025, 12, 31)),
    ]  # fmt: skip
    context = {"feedback_loops": loops}
    with translation.override("en-us"):
        expected = Template(TEMPLATE_LOOP).render(Context(context))
        written = Template("{% load feedback_rows %}{% feedback_loop_rows feedback_loops %}").render(Context(context))
    assert written == expected
    assert "<script>" not in written and "badge-danger" in written and "never" in written
    assert Template("{% load feedback_rows %}{% feedback_loop_rows loops %}").render(Context({"loops": []})) == ""


# The report page's list of gaps as its template wrote it before `gap_items`.
TEMPLATE_GAPS = """{% for gap, link in gaps %}
      <li class="gap gap-{{ gap.severity }}">
        <span class="sev sev-{{ gap.severity }}">{{ gap.severity }}</span>
        <div class="gap-body">{{ gap.message }}</div>
        {% if link %}<a class="btn btn-small" href="{{ link.url }}">{{ link.label }}</a>{% endif %}
      </li>
      {% endfor %}"""


def test_the_report_pages_gap_items_are_the_template_loops_html():
    from layers.reporting import GapLink

    gaps = [
        ({"severity": "high", "message": 'No lead on <b>"Core"</b> & co'}, GapLink("/o/a/p/x/map/?q=a&b=1", "Map it")),
        ({"severity": "low", "message": "Sales' review is stale"}, None),
    ]
    with translation.override("en-us"):
        expected = Template(TEMPLATE_GAPS).render(Context({"gaps": gaps}))
        written = Template("{% load reports %}{% gap_items gaps %}").render(Context({"gaps": gaps}))
    assert written == expected and "<b>" not in written and "&amp;b=1" in written


# A disruption's effects on the dashboard as its template wrote them before `effect_items`.
TEMPLATE_EFFECTS = """{% for effect in entry.effects %}<li>{{ effect.product.name }} <strong>{{ effect.before }} → {{ effect.after }}</strong> <span class="delta {% if effect.delta > 0 %}up{% elif effect.delta < 0 %}down{% else %}flat{% endif %}">{% if effect.delta > 0 %}+{% endif %}{{ effect.delta }}</span></li>{% endfor %}"""  # noqa: E501


def test_the_dashboards_effect_items_are_the_template_loops_html():
    from layers.views.dashboard import Effect

    product = SimpleNamespace(name="<i>Insights</i> & Co")
    effects = [Effect(product, 40, 52), Effect(product, 70, 61), Effect(SimpleNamespace(name="Flat"), 5, 5)]
    context = {"entry": SimpleNamespace(effects=effects)}
    expected = Template(TEMPLATE_EFFECTS).render(Context(context))
    written = Template("{% load heat_rows %}{% effect_items entry.effects %}").render(Context(context))
    assert written == expected and "<i>" not in written and "+12" in written and "down" in written


# The map editor's suggestions as its panel's template wrote them before `suggestion_items`.
TEMPLATE_SUGGESTIONS = """    {% for item in panel.shown %}{% with s=item.suggestion %}
    <li class="sugg sugg-{{ s.status }}">
      <div class="sugg-head">
        <span class="chip chip-sm cat-{{ s.category }}">{{ s.function_name }}</span>
        <span aria-hidden="true">→</span>
        <span class="layer-pill layer-{{ s.layer_key }}">{% if s.emphasis == "lead" %}★ Lead, {% endif %}{{ item.layer_name }}</span>
      </div>
      <p class="sugg-reason" title="{{ s.reason }}">{{ s.reason }}</p>
      {% if s.playbook_name|lower != s.function_name|lower %}<p class="sugg-match small muted">Matched as {{ s.playbook_name }}</p>{% endif %}
      <div class="sugg-foot">
        <span class="badge sugg-status sugg-status-{{ s.status }}">{{ item.status_label }}</span>
        {% if s.note %}<span class="small muted">{{ s.note }}</span>{% endif %}
        <span class="sugg-actions">
          {% if s.actionable %}
          <form method="post" action="{{ apply_url }}" hx-post="{{ apply_url }}">{% csrf_token %}<input type="hidden" name="function" value="{{ s.function_id }}"><input type="hidden" name="layer" value="{{ s.layer_key }}"><input type="hidden" name="category" value="{{ filters.category }}"><input type="hidden" name="q" value="{{ filters.q }}"><input type="hidden" name="page" value="{{ filters.page }}"><button class="btn btn-small" type="submit">Accept<span class="visually-hidden">: {{ s.function_name }} on the {{ item.layer_name }}</span></button></form>
          {% endif %}
          {% if item.dismissable %}
          <form method="post" action="{{ dismiss_url }}" hx-post="{{ dismiss_url }}">{% csrf_token %}<input type="hidden" name="function" value="{{ s.function_id }}"><input type="hidden" name="layer" value="{{ s.layer_key }}"><input type="hidden" name="category" value="{{ filters.category }}"><input type="hidden" name="q" value="{{ filters.q }}"><input type="hidden" name="page" value="{{ filters.page }}"><button class="btn btn-link btn-small" type="submit">Dismiss<span class="visually-hidden">: {{ s.function_name }} on the {{ item.layer_name }}</span></button></form>
          {% endif %}
        </span>
      </div>
    </li>
    {% endwith %}{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("with_token", [True, False])
def test_the_map_editors_suggestion_items_are_the_template_loops_html(with_token):
    from layers.services import mapping
    from layers.views.map_shapes import Filters, PanelItem

    def item(status: str, **facts) -> PanelItem:
        s = mapping.Suggestion(
            function_id=facts.pop("pk", 7),
            function_name=facts.pop("name", "Sales"),
            category="customer_facing",
            layer_key=facts.pop("key", "augmented"),
            emphasis=facts.pop("emphasis", "contributor"),
            reason=facts.pop("reason", 'Sales tells us "what prospects find critical"'),
            playbook_name=facts.pop("playbook", "Sales"),
            status=status,
            note=facts.pop("note", ""),
        )
        return PanelItem(s, facts.pop("layer", "Augmented product"), status.replace("_", " ").title())

    items = [
        item(mapping.NEW, name="<b>Sales</b> & Ops", playbook="Sales", emphasis="lead"),
        item(mapping.DIFFERS, pk=9, name="SALES", playbook="sales", note="Today a contributor"),
        item(mapping.LEAD_TAKEN, name="Field Sales", playbook="Sales", note="Engineering leads it", key="core"),
        item(mapping.APPLIED, name="Support", playbook="Customer Success"),
    ]
    context = {
        "panel": SimpleNamespace(shown=items),
        "apply_url": "/o/a/p/x/map/apply/",
        "dismiss_url": "/o/a/p/x/map/dismiss/",
        "filters": Filters(category="partner", q='<"x">', page=2),
        "csrf_token": "t" * 64 if with_token else None,
    }
    expected = Template(TEMPLATE_SUGGESTIONS).render(Context(context))
    written = Template("{% load map_cells %}    {% suggestion_items panel.shown apply_url dismiss_url %}").render(
        Context(context)
    )
    assert written == expected
    assert "<b>" not in written and written.count("<form") == 5 and ("t" * 64 in written) == with_token


# The map's rows as its body's template wrote them before `map_rows` (the cells are `map_cell`'s
# either way, and the map editor's page tests read them).
TEMPLATE_ROWS = """{% for row in group.rows %}
          <tr id="fn-{{ row.function.pk }}"{% if row.unmatched %} class="is-unmatched"{% endif %}>
            <th scope="row" class="map-fn"><span class="map-fn-name">{{ row.function.name }}</span>{% if row.function.is_external %} <span class="badge">External</span>{% endif %}{% if row.unmatched %}<span class="map-hint">No playbook match{% if row.hints %} — closest: {{ row.hints|join:", " }}{% endif %}</span>{% endif %}</th>
            {% for cell in row.cells %}{% map_cell cell %}{% endfor %}
          </tr>
          {% endfor %}"""  # noqa: E501


def test_the_map_rows_are_the_template_loops_html():
    from layers.views.map_shapes import Row

    def function(pk: int, name: str, external: bool = False) -> SimpleNamespace:
        return SimpleNamespace(pk=pk, name=name, is_external=external)

    rows = [
        Row(function(1, "<b>Sales</b> & Ops"), []),
        Row(function(2, "Channel Partners", external=True), [], hints=["Partners", 'Resellers "EMEA"']),
        Row(function(3, "Growth Hackers"), [], hints=[]),
    ]
    context = {"group": SimpleNamespace(rows=rows)}
    expected = Template("{% load map_cells %}" + TEMPLATE_ROWS).render(Context(context))
    written = Template("{% load map_cells %}{% map_rows group.rows %}").render(Context(context))
    assert written == expected and "<b>" not in written and written.count("is-unmatched") == 2
