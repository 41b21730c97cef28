"""Turn an uploaded file into a table of text cells, or refuse it with a clear reason.

Accepted: CSV (UTF-8, UTF-8 with BOM, else Windows-1252; comma, semicolon, tab or
pipe separated) and XLSX (first sheet). Refused before any row is looked at: an
empty or oversized file, a binary file, a legacy .xls, a damaged XLSX, too many rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from wholeproduct.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
# A 10 MB XLSX can inflate to gigabytes (a "zip bomb"); real org charts stay far below this.
MAX_XLSX_INFLATED = 200 * 1024 * 1024
CSV_DELIMITERS = ",;\t|"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls


class ImportFileError(DomainError):
    """The file as a whole cannot be read; no row was considered."""

    code = "import_file"


class FormulaCell(str):
    """The text of an XLSX formula cell: kept only to refuse it with its position."""

    __slots__ = ()


@dataclass(frozen=True)
class SourceRow:
    number: int  # as a spreadsheet shows it: the header is row 1 when it comes first
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    file_format: str  # "csv" | "xlsx"
    headers: tuple[str, ...]
    rows: tuple[SourceRow, ...]

    def samples(self, column: int, limit: int = 3) -> list[str]:
        found = []
        for row in self.rows:
            if column < len(row.cells) and row.cells[column].strip():
                found.append(row.cells[column].strip())
                if len(found) == limit:
                    break
        return found


def read_table(*, content: bytes, filename: str = "") -> Table:
    """The header row and data rows of an uploaded CSV or XLSX file."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(f"The file is {_megabytes(len(content))}; the limit is {_megabytes(MAX_BYTES)}.")
    if not content.strip():
        raise ImportFileError("The file is empty.")
    if content.startswith(OLE2_MAGIC) or filename.lower().endswith(".xls"):
        raise ImportFileError("Old Excel files (.xls) are not supported: save the sheet as .xlsx or CSV (UTF-8).")
    if content.startswith(ZIP_MAGIC) or filename.lower().endswith(".xlsx"):
        return _table("xlsx", _xlsx_rows(content))
    return _table("csv", _csv_rows(_decode(content)))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _table(file_format: str, records: Iterable[tuple[int, list[str]]]) -> Table:
    headers: tuple[str, ...] | None = None
    rows: list[SourceRow] = []
    for number, cells in records:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are not people, wherever they are
        if headers is None:
            headers = tuple(cell.strip() for cell in cells)
            continue
        if len(rows) == MAX_ROWS:
            raise ImportFileError(f"The file has more than {MAX_ROWS:,} rows; split it into smaller files.")
        rows.append(SourceRow(number, tuple(cells)))
    if headers is None:
        raise ImportFileError("The file is empty.")
    if not rows:
        raise ImportFileError("The file has a header row but no people under it.")
    return Table(file_format, headers, tuple(rows))


def _decode(content: bytes) -> str:
    # NUL never occurs in a text export; it does in binaries and in UTF-16 files.
    if b"\x00" in content:
        raise ImportFileError(
            "This is not a CSV or XLSX file (it contains binary data). "
            "Export the sheet as CSV (UTF-8) or XLSX and upload that."
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _mostly_control(text):
            break
        return text
    raise ImportFileError("This file is not readable text: save it as CSV (UTF-8) or XLSX and upload it again.")


def _mostly_control(text: str) -> bool:
    """Binary data decoded by cp1252 turns into many control characters; text has few."""
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return controls > max(8, len(sample) // 100)


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first_line.count) if any(d in first_line for d in CSV_DELIMITERS) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as exc:
        raise ImportFileError(f"Row {number + 1} could not be read as CSV ({exc}).") from None


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    _check_zip(content)
    import openpyxl  # imported here: only XLSX uploads pay for it

    workbook = None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        for number, row in enumerate(workbook.worksheets[0].iter_rows(), start=1):
            yield number, [_xlsx_text(cell) for cell in row]
    # openpyxl raises many kinds of errors on a damaged file; every one means the same to the user.
    except Exception:
        raise _damaged() from None
    finally:
        if workbook is not None:
            workbook.close()


def _check_zip(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_INFLATED:
                raise ImportFileError("This XLSX file unpacks to more than 200 MB; it cannot be an org chart.")
            if archive.testzip() is not None or "xl/workbook.xml" not in archive.namelist():
                raise _damaged()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        raise _damaged() from None


def _damaged() -> ImportFileError:
    return ImportFileError(
        "This XLSX file is damaged or incomplete (it may have been cut off while uploading or saving). "
        "Open it in your spreadsheet program, save it again and upload the new file."
    )


def _xlsx_text(cell: object) -> str:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f":
        return FormulaCell(getattr(value, "text", None) or str(value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
