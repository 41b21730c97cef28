"""Reading uploads and recognizing their columns: no database needed."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from roles.services.imports import ImportFileError, read_table
from roles.services.imports.columns import check, column_letter, missing, recognize, suggest
from roles.services.imports.reading import MAX_BYTES, MAX_ROWS, FormulaCell, limits
from roles.services.imports.rows import _unescape, escape_cell
from wholeproduct.errors import DomainError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_it_reads_a_utf8_csv_with_quoted_commas():
    table = read_table(content=fixture("good.csv"), filename="good.csv")
    assert table.file_format == "csv"
    assert table.headers[:2] == ("Full Name", "Work Email")
    assert len(table.rows) == 8
    assert table.rows[0].number == 2  # the header is row 1, as a spreadsheet shows it
    assert table.rows[6].cells[0] == "Hopper, Jr., Grace"


def test_it_strips_the_utf8_byte_order_mark():
    table = read_table(content=fixture("good_bom.csv"), filename="good_bom.csv")
    assert table.headers[0] == "Full Name"


def test_it_falls_back_to_windows_1252_and_detects_semicolons():
    table = read_table(content=fixture("cp1252.csv"), filename="cp1252.csv")
    assert table.headers == ("Name", "Email", "Title", "Department")
    assert table.rows[0].cells[0] == "José Müller"
    assert table.rows[1].cells[2] == "Analyste \N{EN DASH} Finance"


def test_it_reads_tab_separated_text():
    table = read_table(content=fixture("tab_separated.tsv"), filename="people.tsv")
    assert table.rows[0].cells == ("Ada Lovelace", "ada@acme.test", "Engineering")


def test_it_reads_the_first_sheet_of_an_xlsx():
    table = read_table(content=fixture("good.xlsx"), filename="good.xlsx")
    assert table.file_format == "xlsx"
    assert table.headers[3] == "Department"
    assert [row.cells[0] for row in table.rows] == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert table.rows[2].cells[2] == ""  # an empty cell is an empty string


def test_it_marks_xlsx_formula_cells():
    table = read_table(content=fixture("formula.xlsx"), filename="formula.xlsx")
    assert isinstance(table.rows[1].cells[2], FormulaCell)


def test_it_skips_blank_rows_but_keeps_row_numbers():
    content = b"Name,Email,Team\r\n\r\nAda,ada@acme.test,Eng\r\n,,\r\nAlan,alan@acme.test,Sales\r\n"
    table = read_table(content=content)
    assert [row.number for row in table.rows] == [3, 5]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "The file is empty."),
        ("blank_lines.csv", "The file is empty."),
        ("header_only.csv", "The file has a header row but no people under it."),
        ("header_only.xlsx", "The file has a header row but no people under it."),
        ("binary.csv", "This is not a CSV or XLSX file (it contains binary data)"),
        ("not_text.csv", "This file is not readable text"),
        ("undecodable.csv", "This file is not readable text"),
        ("truncated.xlsx", "This XLSX file is damaged or incomplete"),
        ("corrupt.xlsx", "This XLSX file is damaged or incomplete"),
        ("legacy.xls", "Old Excel files (.xls) are not supported"),
    ],
)
def test_it_refuses_files_it_cannot_read(name, message):
    with pytest.raises(ImportFileError) as caught:
        read_table(content=fixture(name), filename=name)
    assert message in caught.value.detail


def test_it_refuses_a_file_over_10_mb():
    content = b"Name,Email,Team\r\n" + b"x" * MAX_BYTES
    with pytest.raises(ImportFileError, match=r"the limit is 10.0 MB"):
        read_table(content=content)


def test_the_limits_default_to_200_columns_100000_rows_and_a_million_cells():
    assert limits() == (200, 100_000, 1_000_000)
    assert MAX_ROWS == 100_000


def test_it_refuses_more_rows_than_the_limit_naming_both(settings):
    settings.IMPORT_MAX_ROWS = 50
    rows = "".join(f"P{i},p{i}@a.test,T\r\n" for i in range(51))
    with pytest.raises(ImportFileError, match=r"The file has 51 rows of people; the limit is 50\."):
        read_table(content=("Name,Email,Team\r\n" + rows).encode())


def test_it_accepts_exactly_the_row_limit(settings):
    settings.IMPORT_MAX_ROWS = 50
    rows = "".join(f"P{i},p{i}@a.test,T\r\n" for i in range(50))
    assert len(read_table(content=("Name,Email,Team\r\n" + rows).encode()).rows) == 50


def test_it_refuses_an_xlsx_that_unpacks_to_a_zip_bomb(settings):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Name", "Email", "Team"])
    workbook.active.append(["A" * 30000, "a@a.test", "T"] * 1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    settings.IMPORT_MAX_XLSX_UNPACKED = 20_000
    with pytest.raises(ImportFileError, match=r"This XLSX file unpacks to \d+\.\d KB; the limit is 19.5 KB"):
        read_table(content=buffer.getvalue(), filename="bomb.xlsx")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Full Name", "Work Email", "Job Title", "Department"],
            {"full_name": 0, "email": 1, "title": 2, "function": 3},
        ),
        (["NAME", "E-mail", "Position", "Team"], {"full_name": 0, "email": 1, "title": 2, "function": 3}),
        (
            ["first_name", "Last Name", "email address", "Function"],
            {"first_name": 0, "last_name": 1, "email": 2, "function": 3},
        ),
        (
            ["Name", "Email", "Title", "Department", "Category", "Parent Function"],
            {"full_name": 0, "email": 1, "title": 2, "function": 3, "category": 4, "parent": 5},
        ),
        (["Name", "Email", "Team", "Department", "Parent"], {"full_name": 0, "email": 1, "function": 3, "parent": 4}),
    ],
)
def test_it_recognizes_common_hr_headers(headers, expected):
    assert recognize(headers) == expected
    assert missing(expected) == []


def test_an_unknown_layout_lacks_the_required_fields():
    mapping = recognize(["Employee Nm", "Courriel", "Org Unit"])
    assert missing(mapping) == ["Full name (or First name and Last name)", "Email", "Function (department or team)"]


def test_the_mapping_form_starts_from_guesses_for_unrecognized_headers():
    # "Manager Name" is the manager's column (issue 14), not the person's name.
    assert suggest(["Employee Nm", "Courriel", "Org Unit", "Manager Name"]) == {"function": 2, "manager": 3}
    assert suggest(["Staff Name", "Mail", "Dept."]) == {"email": 1, "full_name": 0, "function": 2}
    samples = [["Ada"], ["ada@acme.test", "alan@acme.test"], ["Eng"]]
    assert suggest(["Employee Nm", "Courriel", "Org Unit"], samples) == {"email": 1, "function": 2}


def test_a_chosen_mapping_may_not_use_a_column_twice():
    with pytest.raises(DomainError) as caught:
        check({"full_name": 0, "email": 0, "function": 1}, ["A", "B"])
    assert caught.value.fields["email"] == ['Column "A" (A) is already used for Full name.']


def test_a_chosen_mapping_needs_the_required_fields():
    with pytest.raises(DomainError, match="Choose a column for: Email"):
        check({"full_name": 0, "function": 1}, ["A", "B"])


def test_column_letters_go_past_z():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


@pytest.mark.parametrize("value", ["=1+1", "+A1", "-2", "@SUM(A1)", "'quoted", "''x", "plain", "-", "a=b", ""])
def test_escaping_for_export_is_undone_by_the_import(value):
    escaped = escape_cell(value)
    assert not escaped[:1] or escaped[0] not in "=+-@"
    restored = _unescape(escaped)
    assert (value if restored is None else restored) == value
