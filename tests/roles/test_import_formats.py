"""How files are read (issue 14): header qualifiers, names, encodings and limits. No database needed
except where a refusal must be shown to write nothing."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from roles.models import Function, ImportJob, Stakeholder
from roles.services.imports import ImportFileError, read_table
from roles.services.imports.columns import ignored, names_last_first, recognize
from roles.services.imports.names import full_name, joined

# Header qualifiers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["First Name [Required]", "Last Name [Required]", "Email Address [Required]", "Department"],
            {"first_name": 0, "last_name": 1, "email": 2, "function": 3},
        ),
        (
            ["Legal first name", "Legal last name", "Preferred first name", "Email - Primary Work", "Team"],
            {"first_name": 2, "last_name": 1, "email": 3, "function": 4},
        ),
        (["userPrincipalName", "displayName", "mail", "department"], {"email": 2, "full_name": 1, "function": 3}),
        (["full_name", "work_email", "job_title", "dept"], {"full_name": 0, "email": 1, "title": 2, "function": 3}),
        (["Name (legal)", "E-mail (work)", "Department"], {"full_name": 0, "email": 1, "function": 2}),
        (
            ["Employee", "Work Email", "Supervisory Organization", "Reports To"],
            {"full_name": 0, "email": 1, "function": 2, "manager": 3},
        ),
        (
            ["Name", "Email", "Department", "Manager", "Manager Email"],
            {"full_name": 0, "email": 1, "function": 2, "manager": 4},
        ),
    ],
)
def test_it_recognizes_headers_with_qualifiers_and_cases(headers, expected):
    assert recognize(headers) == expected


def test_a_display_name_beats_first_and_last_and_a_preferred_first_name_beats_a_payroll_name():
    assert recognize(["Display name", "First name", "Last name", "Email", "Dept"])["full_name"] == 0
    mapping = recognize(
        ["Payroll Name", "Legal First Name", "Legal Last Name", "Preferred First Name", "Email", "Dept"]
    )
    assert (mapping["first_name"], mapping["last_name"], "full_name" in mapping) == (3, 2, False)


def test_the_legal_column_is_read_when_the_preferred_one_is_empty(org):
    from roles.services import imports

    content = (
        b"Legal first name,Preferred first name,Last name,Email,Department\r\nRobert,Bob,Moses,b@acme.test,Ops\r\n"
    )
    content += b"Grace,,Hopper,g@acme.test,Ops\r\n"
    table = read_table(content=content)
    plan = imports.build_plan(organization=org, table=table, mapping=recognize(table.headers))
    assert [row.full_name for row in plan.rows] == ["Bob Moses", "Grace Hopper"]
    assert ignored(table.headers, recognize(table.headers)) == []  # the legal column is read, as a fallback


# Names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("Kobayashi, Hana", "Hana Kobayashi"),
        ("van der Berg, Anna", "Anna van der Berg"),
        ("de la Cruz, María José", "María José de la Cruz"),
        ("Hopper, Jr., Grace", "Grace Hopper Jr."),
        ("King, Martin Luther, Jr.", "Martin Luther King Jr."),
        ("O'Brien III, Conan", "Conan O'Brien III"),
        ("Ada Lovelace", "Ada Lovelace"),
        ("Madonna", "Madonna"),
        ("  Turing,   Alan  ", "Alan Turing"),
    ],
)
def test_a_name_column_is_read_first_name_first(written, read):
    assert full_name(written) == read


def test_a_last_name_first_header_turns_two_word_names_round():
    headers = ["Last Name, First Name", "Email", "Dept"]
    assert names_last_first(headers, recognize(headers))
    assert full_name("Kobayashi Hana", last_first=True) == "Hana Kobayashi"
    assert full_name("Kobayashi, Hana", last_first=True) == "Hana Kobayashi"


def test_first_and_last_columns_are_joined_with_particles_and_suffixes_kept():
    assert joined("Anna", "van der Berg") == "Anna van der Berg"
    assert joined("Grace", "Hopper, Jr.") == "Grace Hopper Jr."
    assert joined("", "Madonna") == "Madonna"


# Encodings ---------------------------------------------------------------------------------------

PEOPLE = (
    "Name,Email,Department\r\nJosé Müller,jose@acme.test,Ventes\r\nRenée O\u2019Neil,renee@acme.test,Ingénierie\r\n"
)
JAPANESE = "Name,Email,Department\r\n小林 花子,hana@acme.test,開発\r\n山田 太郎,taro@acme.test,営業\r\n"


@pytest.mark.parametrize(
    ("content", "encoding", "guessed"),
    [
        (PEOPLE.encode("utf-8"), "UTF-8", False),
        (b"\xef\xbb\xbf" + PEOPLE.encode("utf-8"), "UTF-8 (with byte-order mark)", False),
        (PEOPLE.encode("utf-16"), "UTF-16 (with byte-order mark)", False),
        (b"\xfe\xff" + PEOPLE.encode("utf-16-be"), "UTF-16 (with byte-order mark)", False),
        (PEOPLE.encode("cp1252"), "Windows-1252", True),
    ],
)
def test_it_reads_each_encoding_right_and_names_it(content, encoding, guessed):
    table = read_table(content=content, filename="people.csv")
    assert (table.encoding, table.encoding_guessed) == (encoding, guessed)
    assert [row.cells[0] for row in table.rows] == ["José Müller", "Renée O\u2019Neil"]
    assert table.rows[1].cells[2] == "Ingénierie"


def test_it_reads_shift_jis_and_says_it_guessed():
    table = read_table(content=JAPANESE.encode("shift_jis"), filename="people.csv")
    assert (table.encoding, table.encoding_guessed) == ("Shift-JIS", True)
    assert [row.cells[0] for row in table.rows] == ["小林 花子", "山田 太郎"]


def test_it_reads_a_cyrillic_windows_file_as_such_not_as_western_letters():
    text = "Имя,Email,Отдел\r\nИван Петров,ivan@a.test,Продажи\r\n"  # noqa: RUF001
    text += "Мария Иванова,maria@a.test,Разработка\r\nСергей Смирнов,s@a.test,Маркетинг\r\n"  # noqa: RUF001
    table = read_table(content=text.encode("cp1251"), filename="people.csv")
    assert table.rows[0].cells[0] == "Иван Петров"
    assert table.encoding_guessed


@pytest.mark.parametrize(
    "content",
    [
        b"Name,Email,Dept\r\nBad\x81\x8d,x@acme.test,Eng\r\n",  # bytes no encoding makes sense of
        b"\xff\xfeN\x00a\x00\x00\xd8",  # UTF-16 with a broken surrogate
        b"\xef\xbb\xbfName,Email\r\n\xc3\x28,x@acme.test\r\n",  # a UTF-8 BOM over invalid UTF-8
    ],
)
def test_an_undecodable_file_is_refused_clearly(content):
    with pytest.raises(ImportFileError, match="This file is not readable text in any encoding it could be"):
        read_table(content=content, filename="people.csv")


def upload(client, name: str, content: bytes):
    return client.post(reverse("import", kwargs={"org": "acme"}), {"file": SimpleUploadedFile(name, content)})


def nothing_written(org) -> bool:
    return not (
        ImportJob.objects.exists()
        or Stakeholder.objects.filter(organization=org).exists()
        or Function.objects.filter(organization=org).exists()
    )


def test_an_undecodable_upload_writes_nothing(leader_client, org):
    response = upload(leader_client, "people.csv", b"Name,Email,Dept\r\nBad\x81\x8d,x@acme.test,Eng\r\n")
    assert response.status_code == 400
    assert "This file is not readable text in any encoding it could be" in response.content.decode()
    assert nothing_written(org)


def test_the_preview_names_a_guessed_encoding(leader_client, org):
    response = upload(leader_client, "people.csv", JAPANESE.encode("shift_jis"))
    page = leader_client.get(response["Location"]).content.decode()
    assert "Read as Shift-JIS (guessed)." in page
    assert "小林 花子" in page


# Limits -------------------------------------------------------------------------------------------


def wide_csv(columns: int, rows: int = 1) -> bytes:
    header = ",".join(["Name", "Email", "Department"] + [f"Extra {i}" for i in range(columns - 3)])
    line = ",".join(["Ada", "ada@acme.test", "Eng"] + ["x"] * (columns - 3))
    return ("\r\n".join([header] + [line.replace("ada@", f"ada{i}@") for i in range(rows)]) + "\r\n").encode()


def test_200_columns_are_accepted_and_201_refused_naming_both_figures(leader_client, org):
    assert len(read_table(content=wide_csv(200)).headers) == 200
    response = upload(leader_client, "wide.csv", wide_csv(201))
    assert response.status_code == 400
    assert "The file has 201 columns; the limit is 200." in response.content.decode()
    assert nothing_written(org)


def test_a_million_columns_are_refused(leader_client, org):
    header = ",".join(f"c{i}" for i in range(1_000_000))
    response = upload(leader_client, "wide.csv", (header + "\r\nx\r\n").encode())
    assert response.status_code == 400
    assert "The file has 1,000,000 columns; the limit is 200." in response.content.decode()
    assert nothing_written(org)


def test_more_than_a_million_cells_are_refused(leader_client, org):
    content = wide_csv(100, rows=10_001)  # 1,000,100 cells
    response = upload(leader_client, "cells.csv", content)
    assert response.status_code == 400
    assert "The file has 1,000,100 cells (10,001 rows by 100 columns); the limit is 1,000,000." in (
        response.content.decode()
    )
    assert nothing_written(org)


def test_the_limits_are_settings(settings):
    settings.IMPORT_MAX_COLUMNS = 3
    with pytest.raises(ImportFileError, match=r"The file has 4 columns; the limit is 3\."):
        read_table(content=wide_csv(4))
    settings.IMPORT_MAX_CELLS = 5
    with pytest.raises(ImportFileError, match=r"The file has 6 cells \(2 rows by 3 columns\); the limit is 5\."):
        read_table(content=wide_csv(3, rows=2))


def xlsx_of(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_wider_than_the_limit_is_refused(leader_client, org):
    content = xlsx_of([[f"H{i}" for i in range(250)], ["x"] * 250])
    response = upload(leader_client, "wide.xlsx", content)
    assert response.status_code == 400
    assert "The file has 250 columns; the limit is 200." in response.content.decode()
    assert nothing_written(org)


def bomb(ratio_members: int = 1) -> bytes:
    """An XLSX whose sheet is 60 MB of one repeated byte: a few dozen KB packed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (60 * 1024 * 1024))
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_by_its_ratio_before_it_is_parsed(leader_client, org):
    content = bomb()
    assert len(content) < 200_000
    response = upload(leader_client, "bomb.xlsx", content)
    assert response.status_code == 400
    text = response.content.decode()
    assert "This XLSX file unpacks to" in text and "times its size; the limit is 100 times." in text
    assert nothing_written(org)


def test_a_zip_bomb_is_refused_by_its_unpacked_size(settings):
    settings.IMPORT_MAX_XLSX_UNPACKED = 50 * 1024 * 1024
    with pytest.raises(ImportFileError, match=r"This XLSX file unpacks to 60.0 MB; the limit is 50.0 MB\."):
        read_table(content=bomb(), filename="bomb.xlsx")


def test_the_mapping_page_draws_at_most_200_columns(leader_client, org):
    header = ",".join(f"Column {i}" for i in range(200))
    response = upload(leader_client, "wide.csv", (header + "\r\n" + ",".join("x" * 200) + "\r\n").encode())
    page = leader_client.get(response["Location"]).content.decode()
    assert page.count('class="col-letter"') == 200
    assert page.count("<option") == 9 * 201  # each field's choice: none, or one of the 200 columns
    assert upload(leader_client, "wider.csv", (header + ",Column 200\r\n" + "x\r\n").encode()).status_code == 400


def with_dimension(content: bytes, ref: str | None) -> bytes:
    """The XLSX with its sheet's <dimension> rewritten (None: removed), as other programs write it."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                replacement = b"" if ref is None else f'<dimension ref="{ref}"/>'.encode()
                data = re.sub(rb"<dimension [^>]*/>", replacement, data)
            archive.writestr(info, data)
    return out.getvalue()


def people_xlsx(count: int, extra_columns: int = 0) -> bytes:
    extra = [f"Extra {i}" for i in range(extra_columns)]
    rows = [["Name", "Email", "Department", *extra]]
    rows += [[f"P{i}", f"p{i}@acme.test", "Sales", *["x"] * extra_columns] for i in range(count)]
    return xlsx_of(rows)


@pytest.mark.parametrize("ref", ["A1", "A1:C3", None])
def test_an_xlsx_is_read_to_its_last_row_whatever_its_dimension_says(ref):
    # Read-only openpyxl stops at the dimension's last row: a stale one dropped people unseen.
    table = read_table(content=with_dimension(people_xlsx(10), ref), filename="people.xlsx")
    assert [row.cells[1] for row in table.rows] == [f"p{i}@acme.test" for i in range(10)]


def test_an_xlsx_formatted_far_below_its_people_is_accepted():
    table = read_table(content=with_dimension(people_xlsx(3), "A1:C1048576"), filename="people.xlsx")
    assert len(table.rows) == 3


def test_xlsx_rows_keep_only_the_cells_the_file_has():
    table = read_table(content=people_xlsx(3), filename="people.xlsx")
    assert [len(row.cells) for row in table.rows] == [3, 3, 3]  # not padded to the column limit


def counting_cells(monkeypatch) -> list[int]:
    from roles.services.imports import reading

    read = [0]
    original = reading._xlsx_text

    def count(cell):
        read[0] += 1
        return original(cell)

    monkeypatch.setattr(reading, "_xlsx_text", count)
    return read


def test_an_xlsx_over_the_row_limit_is_refused_without_reading_the_rest(leader_client, org, settings, monkeypatch):
    settings.IMPORT_MAX_ROWS = 50
    read = counting_cells(monkeypatch)
    response = upload(leader_client, "many.xlsx", people_xlsx(400))
    assert response.status_code == 400
    assert "The file has 400 rows of people; the limit is 50." in response.content.decode()
    assert read[0] <= 52 * (settings.IMPORT_MAX_COLUMNS + 1)  # the header and 51 rows, not 401
    assert nothing_written(org)


def test_an_xlsx_over_the_cell_limit_is_refused_without_reading_the_rest(leader_client, org, settings, monkeypatch):
    settings.IMPORT_MAX_CELLS = 100
    read = counting_cells(monkeypatch)
    response = upload(leader_client, "cells.xlsx", people_xlsx(300, extra_columns=7))
    assert response.status_code == 400
    assert "The file has 3,000 cells (300 rows by 10 columns); the limit is 100." in response.content.decode()
    assert read[0] <= 12 * (settings.IMPORT_MAX_COLUMNS + 1)  # the header and 11 rows
    assert nothing_written(org)


def test_without_a_dimension_the_refusal_says_more_than_the_limit(settings):
    settings.IMPORT_MAX_ROWS = 50
    with pytest.raises(ImportFileError, match=r"The file has more than 50 rows of people; the limit is 50\."):
        read_table(content=with_dimension(people_xlsx(400), None), filename="many.xlsx")
    settings.IMPORT_MAX_CELLS = 100
    with pytest.raises(ImportFileError, match=r"The file has more than 100 cells \(over 10 rows by 10 columns\)"):
        read_table(content=with_dimension(people_xlsx(300, extra_columns=7), None), filename="cells.xlsx")


def test_a_zip_bomb_refused_by_its_unpacked_size_writes_nothing(leader_client, org, settings):
    settings.IMPORT_MAX_XLSX_UNPACKED = 50 * 1024 * 1024
    response = upload(leader_client, "bomb.xlsx", bomb())
    assert response.status_code == 400
    assert "This XLSX file unpacks to 60.0 MB; the limit is 50.0 MB." in response.content.decode()
    assert nothing_written(org)
