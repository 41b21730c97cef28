"""Every export format of a report read back: CSV (one table a file) with the csv module, the zip
with zipfile, XLSX with openpyxl, the PDF's text with pdftotext and its first page as a PNG, and
JSON compared with the snapshot. Labels, never codes; percentages rounded; formulas defused."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import zipfile
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from layers.exports import API_FORMATS, EXPORTERS, TABLES, get_exporter, report_tables
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


def render(report, fmt: str, table: str | None = None) -> tuple[str, str, bytes]:
    return get_exporter(fmt).render(report, table=table)


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_formats_are_registered_and_the_api_keeps_its_four():
    assert list(EXPORTERS) == ["csv", "xlsx", "pdf", "json", "zip"]
    assert API_FORMATS == ("csv", "xlsx", "pdf", "json")
    assert get_exporter("docx") is None and get_exporter("zip", api=True) is None
    assert get_exporter("zip").render  # the page offers it


def test_the_tables_are_the_ones_the_page_offers(report):
    assert [(table.name, table.title) for table in report_tables(report)] == list(TABLES.items())


def test_csv_is_one_table_per_file_the_gaps_by_default(report):
    filename, content_type, content = render(report, "csv")

    assert filename.startswith("coverage-insights-cloud-") and filename.endswith("-gaps.csv")
    assert content_type.startswith("text/csv")
    gaps = csv_rows(content)
    assert gaps[0] == ["Severity", "Kind", "About", "Message", "Count"]
    assert gaps[1][:2] == ["High", "Layer without a lead"]  # labels, never "unowned_layer"
    assert len(gaps) - 1 == len(report.gaps)
    assert not any("_" in cell for row in gaps for cell in row[:2])


def test_csv_summary_shows_percentages_rounded_never_raw_ratios(report):
    filename, _, content = render(report, "csv", "summary")

    assert filename.endswith("-summary.csv")
    header, row = csv_rows(content)
    summary = dict(zip(header, row, strict=True))
    assert summary["Product"] == "Insights Cloud" and summary["Trigger"] == "Manual"
    assert summary["Score"] == str(SCORE)
    assert summary["Agreement (%)"] == "66.7"  # 2 of 3 current reviews agree: never 0.6667
    assert summary["Review coverage (%)"] == "75" and summary["Layer coverage (%)"] == "50"
    assert summary["Function coverage (%)"] == "80"
    assert len(summary["Generated at"]) == len("2026-12-04 17:30")


def test_csv_layers_and_trend_read_back(report):
    layers = csv_rows(render(report, "csv", "layers")[2])
    assert layers[0][:4] == ["Ring", "Layer", "Lead", "Lead disputed"]
    assert layers[1][:4] == ["1", "Core product", "Product Management", "No"]
    assert layers[2][2] == ""  # the expected layer has no lead
    trend = csv_rows(render(report, "csv", "trend")[2])
    assert trend[0][:3] == ["Generated at", "Trigger", "Score"]
    assert [row[2] for row in trend[1:]] == [str(SCORE)] * 3
    assert {row[6] for row in trend[1:]} == {"66.7"}


def test_the_zip_holds_every_table_as_a_csv(report):
    filename, content_type, content = render(report, "zip")

    assert filename.endswith(".zip") and content_type == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(content))
    stem = filename.removesuffix(".zip")
    assert archive.namelist() == [f"{stem}/{n}-{name}.csv" for n, name in enumerate(TABLES, start=1)]
    assert csv_rows(archive.read(f"{stem}/2-layers.csv"))[1][1] == "Core product"


def test_xlsx_has_one_sheet_per_table_frozen_filtered_labelled_with_real_numbers(report):
    filename, content_type, content = render(report, "xlsx")

    assert filename.endswith(".xlsx") and "spreadsheetml" in content_type
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Summary", "Layers", "Gaps", "Trend"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert all(cell.font.bold for cell in sheet[1])
        assert all(sheet.column_dimensions[cell.column_letter].width >= 6 for cell in sheet[1])
    header = [cell.value for cell in book["Summary"][1]]
    summary = dict(zip(header, [cell.value for cell in book["Summary"][2]], strict=True))
    assert summary["Score"] == SCORE and isinstance(summary["Score"], int)
    assert summary["Layer coverage"] == 0.5 and summary["Agreement"] == 0.6667
    agreement = book["Summary"].cell(2, header.index("Agreement") + 1)
    assert agreement.number_format == "0.0%"  # shown as 66.7%
    assert isinstance(summary["Generated at"], datetime)
    core = next(book["Layers"].iter_rows(min_row=2, values_only=True))
    assert core[:4] == (1, "Core product", "Product Management", "No")
    assert core[5] == 3 and core[7] == 1.0  # stakeholders reached, reviewed share
    gaps = list(book["Gaps"].iter_rows(min_row=2, values_only=True))
    assert gaps[0][:2] == ("High", "Layer without a lead")
    assert {row[0] for row in gaps} <= {"High", "Medium", "Low"}
    assert book["Gaps"].column_dimensions["D"].width > book["Gaps"].column_dimensions["E"].width  # messages
    trend = list(book["Trend"].iter_rows(min_row=2, values_only=True))
    assert len(trend) == 3 and all(isinstance(row[0], datetime) and row[1] == "Manual" for row in trend)


def test_xlsx_of_one_table(report):
    book = load_workbook(io.BytesIO(render(report, "xlsx", "gaps")[2]))
    assert book.sheetnames == ["Gaps"]


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


@pytest.fixture
def hostile(scenario):
    """A function whose name is a formula, mapped as the expected layer's lead."""
    evil = FunctionFactory(organization=scenario.org, name='=HYPERLINK("http://evil","x")')
    AssignmentFactory(product=scenario.product, function=evil, layer=layer("expected"), emphasis="lead")
    return build(scenario.product)


def test_csv_defuses_a_name_that_is_a_formula(hostile):
    expected = csv_rows(render(hostile, "csv", "layers")[2])[2]
    assert expected[2] == '\'=HYPERLINK("http://evil","x")'


def test_xlsx_defuses_a_name_that_is_a_formula(hostile):
    book = load_workbook(io.BytesIO(render(hostile, "xlsx")[2]))
    cell = book["Layers"]["C3"]
    assert cell.value == '\'=HYPERLINK("http://evil","x")'
    assert cell.data_type == "s"


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs pdftoppm (poppler-utils)")
def test_the_pdf_renders_to_pages_an_image_tool_reads(report, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(render(report, "pdf")[2])
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2
    assert all(page.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and page.stat().st_size > 2000 for page in pages)
