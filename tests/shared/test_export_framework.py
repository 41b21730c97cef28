"""The export framework on its own (shared.exports): the one escaping rule, and every format
read back — CSV with the csv module, the zip with zipfile, XLSX with openpyxl, JSON with json."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from defusedcsv.csv import _escape as defusedcsv_escape
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from shared.exports import FORMATS, Column, Kind, Table, UnknownTable, escape_formula, unescape_formula

HOSTILE = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1", "|calc", "%0A"]


# --- the one rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cell_a_spreadsheet_would_run_is_prefixed_with_a_quote(text):
    assert escape_formula(text) == "'" + text


@pytest.mark.parametrize("text", ["Customer Success", "'quoted", "a=b", "", "Zoë Çelik", "R&D"])
def test_ordinary_text_is_left_alone(text):
    assert escape_formula(text) == text


@given(st.text(max_size=12))
def test_the_rule_escapes_everything_defusedcsv_escapes_and_leading_tab_and_cr(text):
    if defusedcsv_escape(text) != text or text[:1] in ("\t", "\r"):
        assert escape_formula(text).startswith("'")
    assert escape_formula(text)[:1] not in ("=", "+", "-", "@", "|", "%", "\t", "\r")


@given(st.text(max_size=12))
def test_the_importer_takes_the_escape_off_again_exactly(text):
    escaped = escape_formula(text)
    restored = unescape_formula(escaped)
    assert (escaped if restored is None else restored) == text


def test_a_typed_quote_before_a_formula_survives_the_round_trip():
    assert escape_formula("'=1") == "''=1"
    assert unescape_formula("''=1") == "'=1"
    assert unescape_formula("'plain") is None


# --- formats ------------------------------------------------------------------------------------------


def _tables() -> list[Table]:
    columns = [
        Column("name", "Name"),
        Column("people", "People", Kind.INTEGER),
        Column("reviewed", "Reviewed", Kind.PERCENT),
        Column("at", "Checked at", Kind.DATETIME),
        Column("external", "External", Kind.BOOLEAN),
        Column("cost", "Cost", Kind.NUMBER),
    ]
    at = datetime(2026, 12, 4, 9, 30, 42, tzinfo=UTC)
    rows = [
        ['=HYPERLINK("http://evil","x")', 3, 2 / 3, at, False, 1 / 3],
        ["Customer Success", 12, 1.0, None, True, None],
    ]
    other = Table("notes", "Notes", [Column("note", "Note")], [["\tcmd"], ["<script>alert(1)</script>"]])
    return [Table("functions", "Functions", columns, rows), other]


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_is_one_table_under_its_header_row_with_rounded_numbers():
    filename, content_type, content = FORMATS["csv"].render(_tables(), stem="acme")

    assert (filename, content_type) == ("acme-functions.csv", "text/csv; charset=utf-8")
    assert content.startswith("\ufeff".encode())
    assert _csv(content) == [
        ["Name", "People", "Reviewed (%)", "Checked at", "External", "Cost"],
        ['\'=HYPERLINK("http://evil","x")', "3", "66.7", "2026-12-04 09:30", "No", "0.33"],
        ["Customer Success", "12", "100", "", "Yes", ""],
    ]


def test_csv_exports_the_table_it_is_asked_for_and_names_the_choices_otherwise():
    filename, _, content = FORMATS["csv"].render(_tables(), stem="acme", table="notes")
    assert filename == "acme-notes.csv"
    assert _csv(content) == [["Note"], ["'\tcmd"], ["<script>alert(1)</script>"]]
    with pytest.raises(UnknownTable, match="choose one of functions, notes"):
        FORMATS["csv"].render(_tables(), stem="acme", table="nope")


def test_the_zip_holds_one_csv_per_table():
    filename, content_type, content = FORMATS["zip"].render(_tables(), stem="acme")

    assert (filename, content_type) == ("acme.zip", "application/zip")
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.namelist() == ["acme/1-functions.csv", "acme/2-notes.csv"]
    assert _csv(archive.read("acme/2-notes.csv"))[1] == ["'\tcmd"]


def test_xlsx_has_a_frozen_filtered_header_real_numbers_and_no_formula():
    filename, _, content = FORMATS["xlsx"].render(_tables(), stem="acme")

    assert filename == "acme.xlsx"
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Functions", "Notes"]
    sheet = book["Functions"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F3"
    assert [cell.value for cell in sheet[1]] == ["Name", "People", "Reviewed", "Checked at", "External", "Cost"]
    assert all(cell.font.bold for cell in sheet[1])
    name, people, reviewed, at, external, cost = sheet[2]
    assert name.value == '\'=HYPERLINK("http://evil","x")' and name.data_type == "s"
    assert people.value == 3
    assert reviewed.value == 0.6667 and reviewed.number_format == "0.0%"
    assert at.value == datetime(2026, 12, 4, 9, 30) and at.number_format == "yyyy-mm-dd hh:mm"
    assert external.value == "No" and cost.value == 0.33
    assert [cell.value for cell in sheet[3]][:3] == ["Customer Success", 12, 1.0]
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABC"}
    assert widths["A"] == len('\'=HYPERLINK("http://evil","x")') + 1  # the longest name fits
    assert 6 <= widths["B"] < widths["A"] and widths["C"] == len("Reviewed") + 4
    cells = [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert book["Notes"]["A2"].value == "'\tcmd"


def test_xlsx_drops_characters_xml_cannot_hold():
    table = Table("t", "T", [Column("v", "Value")], [["bell\x07 and nul\x00"]])
    book = load_workbook(io.BytesIO(FORMATS["xlsx"].render([table], stem="x").content))
    assert book["T"]["A2"].value == "bell and nul"


def test_json_writes_records_by_column_key():
    data = json.loads(FORMATS["json"].render(_tables(), stem="acme").content)
    assert list(data) == ["functions", "notes"]
    first = data["functions"][0]
    assert first["name"] == '=HYPERLINK("http://evil","x")'  # JSON is not a spreadsheet: as typed
    assert first["people"] == 3 and first["external"] == "No"
    assert first["at"] == "2026-12-04T09:30:00"
