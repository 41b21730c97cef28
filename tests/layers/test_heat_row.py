"""`{% heat_row %}`: a product's row of the dashboard's heat map, written in Python (decision
0014): the HTML the dashboard's template and its sparkline partial wrote, for every state."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

from layers.models import CoverageReport
from layers.views.dashboard import Cell, HeatRow
from shared.charts import sparkline

from ..factories import REPORT_FIGURES, ProductFactory

pytestmark = pytest.mark.django_db

# The dashboard's row and its sparkline partial as they were before the tag (the dashboards of
# four tenants were compared too).
SPARKLINE = """{% load l10n %}{% localize off %}{% if spark.points %}<svg class="sparkline" viewBox="0 0 {{ spark.width }} {{ spark.height }}" role="img" aria-label="{{ name }}: scores of the last {{ spark.points|length }} report{{ spark.points|length|pluralize }}, latest {{ spark.last.value }}">
  <line x1="0" x2="{{ spark.width }}" y1="{{ spark.height }}" y2="{{ spark.height }}" stroke="#e3e6ee" stroke-width="1"/>
  {% if spark.points|length > 1 %}<polyline points="{{ spark.polyline }}" fill="none" stroke="{{ colour|default:'#3730a3' }}" stroke-width="1.8" stroke-linejoin="round" stroke-linecap="round"/>{% endif %}
  <circle cx="{{ spark.last.x }}" cy="{{ spark.last.y }}" r="2.6" fill="{{ colour|default:'#3730a3' }}"/>
</svg>{% else %}<span class="muted small">—</span>{% endif %}{% endlocalize %}
"""  # noqa: E501
ROW = """{% load reports %}        <tr>
          <th scope="row" class="hm-product">
            <a href="{% url 'product-detail' org=org.slug product=row.product.slug %}">{% if row.colour %}<svg class="series-key" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="3" fill="{{ row.colour }}"/></svg>{% endif %}{{ row.product.name }}</a>
            {% if row.latest %}<div class="muted small">Built {{ row.latest.generated_at|date:"j M, H:i" }} ({{ row.latest.get_trigger_display|lower }}) · <a href="{% url 'report-detail' org=org.slug pk=row.latest.pk %}">report</a></div>
            {% else %}<div class="muted small">No report yet</div>{% endif %}
          </th>
          <td class="num hm-score">
            <span class="score score-{{ row.score|score_band }}" title="Live: as of the last change">{{ row.score }}</span>
            {% if row.delta %}<div class="delta {% if row.delta > 0 %}up{% else %}down{% endif %}" title="Between its last two reports">{% if row.delta > 0 %}▲ {{ row.delta }}{% else %}▼ {{ row.delta_size }}{% endif %}</div>{% endif %}
          </td>
          <td class="hm-spark">{% if row.latest %}{% include sparkline with spark=row.spark name=row.product.name colour=row.colour %}{% else %}<span class="muted small">Not built yet.{% if can_build %} Use <strong>Rebuild reports</strong> for its first report.{% endif %}</span>{% endif %}</td>
          {% for cell in row.cells %}
          <td class="hm-cell hm-{{ cell.state }}">
            <a href="{{ cell.url|default:'#' }}" title="{{ cell.name }}: {{ cell.label }}">
              <span class="hm-lead">{% if cell.lead %}{{ cell.lead }}{% else %}No lead{% endif %}</span>
              <span class="hm-note">{% if cell.state == "disputed" %}{{ cell.disputes }} open dispute{{ cell.disputes|pluralize }}{% elif cell.state == "unowned" %}Name a lead{% else %}{{ cell.reviewed_pct }}% reviewed{% endif %}</span>
            </a>
          </td>
          {% endfor %}
        </tr>"""  # noqa: E501
HOSTILE = '<script>alert("x")</script> & Co'


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin"])
def test_the_row_is_the_templates_row_in_every_state(zone):
    product = ProductFactory(name=HOSTILE)
    report = CoverageReport.objects.create(
        organization=product.organization,
        product=product,
        run_key="heat",
        generated_at=datetime(2026, 12, 5, 23, 30, tzinfo=UTC),
        layers=[],
        data={},
        **REPORT_FIGURES,
    )
    cells = [
        Cell("core", "Core product", "disputed", "Disputed", HOSTILE, 40, 1, "/x#layer-core"),
        Cell("expected", "Expected product", "disputed", "Disputed", "Sales", 10, 3, ""),
        Cell("augmented", "Augmented product", "unowned", "No lead", None, 0, 0, "/x#augmented"),
        Cell("potential", "Potential product", "reviewed", "Reviewed", "R&D <b>", 83, 0, "/x#potential"),
    ]
    sparklines = (sparkline([]), sparkline([40]), sparkline([40, 55, 52]), sparkline([90, 70]))
    captured = {"sparkline": Template(SPARKLINE)}
    with timezone.override(zone):
        for latest in (report, None):
            for spark in sparklines:
                for colour in ("#e11d48", None):
                    for can_build in (True, False):
                        row = HeatRow(product=product, latest=latest, cells=cells, spark=spark, score=63, colour=colour)
                        context = {"row": row, "org": product.organization, "can_build": can_build, **captured}
                        tag = Template("{% load heat_rows %}{% heat_row row %}").render(Context(context))
                        assert tag == Template(ROW).render(Context(context)), (latest, spark, colour, can_build)
                        assert "<script>" not in tag and "<b>" not in tag
    day = "6 Dec, 00:30" if zone == "Europe/Berlin" else "5 Dec, 23:30"
    with timezone.override(zone):
        row = HeatRow(product=product, latest=report, cells=cells, spark=sparklines[2], score=63, colour=None)
        html = Template("{% load heat_rows %}{% heat_row row %}").render(
            Context({"row": row, "org": product.organization})
        )
    assert f"Built {day}" in html and "▼ 3" in html and "3 open disputes" in html and "1 open dispute<" in html
