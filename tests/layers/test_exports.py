"""Every export format read back: CSV with the csv module, XLSX with openpyxl, the PDF's text with
pdftotext, and JSON compared with the snapshot. Cells a spreadsheet would run are defused."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from layers.exports import EXPORTERS, get_exporter
from layers.exports.base import safe_text
from layers.exports.pdf import rings_svg
from tests.factories import AssignmentFactory, FunctionFactory, layer

from .reports_scenario import SCORE, build, insights


@pytest.fixture
def scenario(org):
    return insights(org)


@pytest.fixture
def report(scenario):
    """The latest of three snapshots, so the trend has history."""
    now = timezone.now()
    build(scenario.product, at=now - timedelta(days=2))
    build(scenario.product, at=now - timedelta(days=1))
    return build(scenario.product)


def render(report, fmt: str) -> tuple[str, str, bytes]:
    return get_exporter(fmt).render(report)


def csv_sections(content: bytes) -> dict[str, list[list[str]]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] = []
    for row in rows:
        if not row:
            continue
        if len(row) == 1 and row[0] in {"Summary", "Layers", "Gaps", "Trend"}:
            current = sections.setdefault(row[0], [])
        else:
            current.append(row)
    return sections


def test_the_four_formats_are_registered():
    assert list(EXPORTERS) == ["csv", "xlsx", "pdf", "json"]
    assert get_exporter("docx") is None


def test_csv_reads_back_with_the_csv_module(report):
    filename, content_type, content = render(report, "csv")

    assert filename.startswith("coverage-insights-cloud-") and filename.endswith(".csv")
    assert content_type.startswith("text/csv")
    sections = csv_sections(content)
    assert list(sections) == ["Summary", "Layers", "Gaps", "Trend"]
    summary = dict(sections["Summary"][1:])
    assert summary["Product"] == "Insights Cloud"
    assert summary["Score"] == str(SCORE)
    assert float(summary["Review coverage"]) == 0.75
    layers = sections["Layers"]
    assert layers[0][:3] == ["Ring", "Layer", "Lead"]
    assert layers[1][:3] == ["1", "Core product", "Product Management"]
    assert layers[2][2] == ""  # the expected layer has no lead
    gaps = sections["Gaps"]
    assert gaps[1][:2] == ["High", "unowned_layer"]
    assert len(gaps) - 1 == len(report.gaps)
    trend = sections["Trend"]
    assert [row[2] for row in trend[1:]] == [str(SCORE)] * 3


def test_xlsx_has_one_sheet_per_section_with_a_bold_frozen_header_and_real_numbers(report):
    filename, content_type, content = render(report, "xlsx")

    assert filename.endswith(".xlsx") and "spreadsheetml" in content_type
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Summary", "Layers", "Gaps", "Trend"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Score"] == SCORE and isinstance(summary["Score"], int)
    assert summary["Layer coverage"] == 0.5
    assert book["Summary"]["B7"].number_format == "0.0%"  # layer coverage, shown as a percentage
    assert isinstance(summary["Generated at"], datetime)
    core = next(book["Layers"].iter_rows(min_row=2, values_only=True))
    assert core[:3] == (1, "Core product", "Product Management")
    assert core[5] == 3 and core[7] == 1.0  # stakeholders reached, reviewed share
    trend = list(book["Trend"].iter_rows(min_row=2, values_only=True))
    assert len(trend) == 3 and all(isinstance(row[0], datetime) for row in trend)


def test_json_is_the_snapshot_as_stored(report):
    filename, content_type, content = render(report, "json")

    data = json.loads(content)
    assert filename.endswith(".json") and content_type == "application/json"
    assert data["id"] == report.pk and data["run_key"] == report.run_key
    assert data["product"] == {"id": report.product_id, "slug": "insights", "name": "Insights Cloud"}
    for field in ("score", "layer_coverage", "function_coverage", "review_coverage", "agreement", "duration_ms"):
        assert data[field] == getattr(report, field)
    assert (data["layers"], data["gaps"], data["totals"], data["data"]) == (
        report.layers,
        report.gaps,
        report.totals,
        report.data,
    )
    assert datetime.fromisoformat(data["generated_at"]) == report.generated_at


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")
def test_the_pdf_carries_the_product_its_score_its_layers_and_its_gaps(report, tmp_path):
    filename, content_type, content = render(report, "pdf")

    assert content.startswith(b"%PDF") and content_type == "application/pdf" and filename.endswith(".pdf")
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Insights Cloud" in text and "Acme Analytics" in text
    dial = text[: text.index("SCORE / 100")].split()
    assert dial[-1] == str(SCORE)  # the figure on the dial, read where it is drawn
    for phrase in ("Layer by layer", "Score trend", "What needs attention", "The Expected product has no lead"):
        assert phrase in text
    assert "Page 1 of" in text


def test_the_pdf_draws_the_rings_from_the_tag_with_its_own_stylesheet(report):
    svg = str(rings_svg(report))
    assert svg.count("<svg") == 1 and "<style>" in svg
    assert "wp-ring-core" in svg and "★ Product Management" in svg
    assert "var(" not in svg.split("</style>")[0]  # WeasyPrint's SVG needs plain colours


# --- formula injection --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd"])
def test_a_cell_a_spreadsheet_would_run_is_defused(text):
    assert safe_text(text) == "'" + text


def test_ordinary_text_is_left_alone():
    assert safe_text("Customer Success") == "Customer Success"


@pytest.fixture
def hostile(scenario):
    """A function whose name is a formula, mapped as the expected layer's lead."""
    evil = FunctionFactory(organization=scenario.org, name='=HYPERLINK("http://evil","x")')
    AssignmentFactory(product=scenario.product, function=evil, layer=layer("expected"), emphasis="lead")
    return build(scenario.product)


def test_csv_defuses_a_name_that_is_a_formula(hostile):
    sections = csv_sections(render(hostile, "csv")[2])
    expected = sections["Layers"][2]
    assert expected[2] == '\'=HYPERLINK("http://evil","x")'


def test_xlsx_defuses_a_name_that_is_a_formula(hostile):
    book = load_workbook(io.BytesIO(render(hostile, "xlsx")[2]))
    cell = book["Layers"]["C3"]
    assert cell.value == '\'=HYPERLINK("http://evil","x")'
    assert cell.data_type == "s"
