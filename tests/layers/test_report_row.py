"""`{% report_row %}`: a report's row of the reports list, written in Python (decision 0014)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import timezone

from layers.models import CoverageReport

from ..factories import REPORT_FIGURES, ProductFactory

pytestmark = pytest.mark.django_db

# The row as the list's template wrote it before the tag (the page's HTML was compared too).
TEMPLATE_ROW = """{% load reports %}        <tr>
          <td class="pick"><input type="radio" name="a" value="{{ report.pk }}" aria-label="Compare from {{ report.product.name }}, {{ report.generated_at|date:'j M Y H:i' }}"{% if report.pk == pick_a %} checked{% endif %}></td>
          <td class="pick"><input type="radio" name="b" value="{{ report.pk }}" aria-label="Compare to {{ report.product.name }}, {{ report.generated_at|date:'j M Y H:i' }}"{% if report.pk == pick_b %} checked{% endif %}></td>
          <td><a class="row-title" href="{% url 'report-detail' org=org.slug pk=report.pk %}">{{ report.product.name }}</a></td>
          <td class="nowrap">{{ report.generated_at|date:"j M Y, H:i" }} <span class="badge trigger-{{ report.trigger }}">{{ report.get_trigger_display }}</span></td>
          <td class="num"><span class="score score-{{ report.score|score_band }}">{{ report.score }}</span></td>
          <td class="num">{{ report.layer_coverage|pct }}%</td>
          <td class="num">{{ report.function_coverage|pct }}%</td>
          <td class="num">{{ report.review_coverage|pct }}%</td>
          <td class="num">{{ report.agreement|pct }}%</td>
          <td class="row-actions"><a class="btn btn-small" href="{% url 'report-detail' org=org.slug pk=report.pk %}">Open</a></td>
        </tr>"""  # noqa: E501


def render(source: str, report: CoverageReport, pick_a, pick_b) -> str:
    context = {"report": report, "org": report.product.organization, "pick_a": pick_a, "pick_b": pick_b}
    return Template(source).render(Context(context))


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Los_Angeles"])
def test_the_row_is_the_templates_row_escaped_and_in_the_sites_time_zone(zone):
    product = ProductFactory(name='<script>alert("x")</script> & Co')
    figures = REPORT_FIGURES | {"score": 63, "layer_coverage": 0.625, "agreement": 1.0, "review_coverage": 0.0}
    reports = [
        CoverageReport.objects.create(
            organization=product.organization,
            product=product,
            run_key=f"row-{n}",
            generated_at=datetime(2026, 12, 5, 23, 30, tzinfo=UTC),
            layers=[],
            data={},
            **figures,
        )
        for n in range(2)
    ]
    with override_settings(TIME_ZONE=zone), timezone.override(zone):
        for report in reports:
            report = CoverageReport.objects.select_related("product__organization").get(pk=report.pk)
            for pick_a, pick_b in ((report.pk, None), (None, report.pk), (None, None)):
                tag = render("{% load reports %}{% report_row report pick_a pick_b %}", report, pick_a, pick_b)
                assert tag == render(TEMPLATE_ROW, report, pick_a, pick_b)
        assert "<script>" not in tag and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in tag
        day = "6 Dec 2026, 00:30" if zone == "Europe/Berlin" else "5 Dec 2026, 15:30" if zone != "UTC" else None
        assert day is None or day in tag
        assert '<td class="num">63%</td>' in tag and '<td class="num">0%</td>' in tag
