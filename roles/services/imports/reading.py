"""Turn an uploaded file into a table of text cells, or refuse it with a clear reason.

Accepted: CSV (UTF-8 with or without BOM, UTF-16 with BOM; else a guessed Windows-1252,
Shift-JIS or other legacy encoding, named in the preview; comma, semicolon, tab or pipe
separated) and XLSX (first sheet, read streamed). Refused before any row is kept: an empty or
oversized file, a binary or undecodable file, a legacy .xls, a damaged XLSX or a zip bomb,
and a file over the limits of columns, rows or cells (settings IMPORT_MAX_*), each refusal
naming the limit and the file's figure.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings

from wholeproduct.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024
# Defaults of the settings IMPORT_MAX_COLUMNS, IMPORT_MAX_ROWS, IMPORT_MAX_CELLS.
MAX_COLUMNS = 200
MAX_ROWS = 100_000
MAX_CELLS = 1_000_000
# A 10 MB XLSX can inflate to gigabytes (a "zip bomb"): refused by unpacked size or by how much
# it shrank. A real org chart of a million cells unpacks to about 60 MB at a ratio near 10.
MAX_XLSX_INFLATED = 150 * 1024 * 1024
MAX_XLSX_RATIO = 100
CSV_DELIMITERS = ",;\t|"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls


class ImportFileError(DomainError):
    """The file as a whole cannot be read; no row was considered."""

    code = "import_file"


class FormulaCell(str):
    """The text of an XLSX formula cell: kept only to refuse it with its position."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class SourceRow:
    number: int  # as a spreadsheet shows it: the header is row 1 when it comes first
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    file_format: str  # "csv" | "xlsx"
    headers: tuple[str, ...]
    rows: tuple[SourceRow, ...]
    encoding: str = ""  # how a CSV was decoded, as the preview names it ("UTF-8", "Shift-JIS")
    encoding_guessed: bool = False  # no byte-order mark or strict UTF-8 said so: the preview says it was guessed

    def samples(self, column: int, limit: int = 3) -> list[str]:
        found = []
        for row in self.rows:
            if column < len(row.cells) and row.cells[column].strip():
                found.append(row.cells[column].strip())
                if len(found) == limit:
                    break
        return found


def read_table(*, content: bytes, filename: str = "", keep: Collection[int] | None = None) -> Table:
    """The header row and data rows of an uploaded CSV or XLSX file.

    `keep`: the only columns whose values are needed (the others read as ""), so a worker importing
    100,000 rows does not hold the columns it ignores; cells past the last header are always kept.
    """
    if len(content) > MAX_BYTES:
        raise ImportFileError(f"The file is {_megabytes(len(content))}; the limit is {_megabytes(MAX_BYTES)}.")
    if not content.strip():
        raise ImportFileError("The file is empty.")
    if content.startswith(OLE2_MAGIC) or filename.lower().endswith(".xls"):
        raise ImportFileError("Old Excel files (.xls) are not supported: save the sheet as .xlsx or CSV (UTF-8).")
    if content.startswith(ZIP_MAGIC) or filename.lower().endswith(".xlsx"):
        sheet: dict[str, int] = {}
        return _table("xlsx", _xlsx_rows(content, sheet), keep=keep, sheet=sheet)
    text, encoding, guessed = decode(content)
    return _table("csv", _csv_rows(text), encoding, guessed, keep=keep)


def limits() -> tuple[int, int, int]:
    """(columns, rows, cells) an import accepts, from the settings."""
    return (
        getattr(settings, "IMPORT_MAX_COLUMNS", MAX_COLUMNS),
        getattr(settings, "IMPORT_MAX_ROWS", MAX_ROWS),
        getattr(settings, "IMPORT_MAX_CELLS", MAX_CELLS),
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _size(size: int) -> str:
    return _megabytes(size) if size >= 1024 * 1024 else f"{size / 1024:.1f} KB"


def _table(
    file_format: str,
    records: Iterable[tuple[int, list[str]]],
    encoding: str = "",
    guessed: bool = False,
    *,
    keep: Collection[int] | None = None,
    sheet: dict[str, int] | None = None,
) -> Table:
    """`sheet`: an XLSX sheet's size as its <dimension> says ({"rows": last row number}), filled in
    once the sheet is open: past a limit the sheet is not read on, its dimension gives the figure."""
    max_columns, max_rows, max_cells = limits()
    headers: tuple[str, ...] | None = None
    header_number = 0
    rows: list[SourceRow] = []
    count = 0
    stopped = False
    for number, cells in records:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are not people, wherever they are
        if headers is None:
            headers, header_number = _header(cells, max_columns), number
            continue
        count += 1
        if count <= max_rows and count * len(headers) <= max_cells:
            if keep is not None:
                cells = [c if i in keep or i >= len(headers) else "" for i, c in enumerate(cells)]
            rows.append(SourceRow(number, tuple(cells)))
        elif sheet is not None:
            # An XLSX past a limit: parsing the rest of the sheet would cost minutes and hundreds of MB.
            stopped = True
            break
        # A CSV past a limit is only counted (10 MB at most), so the refusal can say how many rows it has.
    if stopped:
        _close(records)
    if headers is None:
        raise ImportFileError("The file is empty.")
    # Stopped early, the figure is the sheet's own count of rows when it has one, else "more than".
    # (Only then: a sheet formatted far below its last person has a dimension far past it.)
    total = max(count, (sheet or {}).get("rows", 0) - header_number) if stopped else count
    exact = not stopped or total > count
    if total > max_rows:
        figure = f"{total:,}" if exact else f"more than {max_rows:,}"
        raise ImportFileError(
            f"The file has {figure} rows of people; the limit is {max_rows:,}. Split it into smaller files."
        )
    if not rows:
        raise ImportFileError("The file has a header row but no people under it.")
    cells_count = total * len(headers)
    if cells_count > max_cells:
        figure = (
            f"{cells_count:,} cells ({total:,} rows by {len(headers):,} columns)"
            if exact
            else f"more than {max_cells:,} cells (over {count - 1:,} rows by {len(headers):,} columns)"
        )
        raise ImportFileError(
            f"The file has {figure}; the limit is {max_cells:,}. "
            "Remove the columns the import does not need, or split the file."
        )
    return Table(file_format, headers, tuple(rows), encoding, guessed)


def _close(records: Iterable[object]) -> None:
    close = getattr(records, "close", None)
    if close is not None:
        close()  # a generator's finally (the workbook's file) runs now, not whenever it is collected


def _header(cells: list[str], max_columns: int) -> tuple[str, ...]:
    headers = [cell.strip() for cell in cells]
    while headers and not headers[-1]:
        headers.pop()  # spreadsheets pad rows with empty cells
    if len(headers) > max_columns:
        raise ImportFileError(
            f"The file has {len(headers):,} columns; the limit is {max_columns:,}. "
            "Remove the columns the import does not need and upload it again."
        )
    return tuple(headers)


NOT_BINARY = (
    "This is not a CSV or XLSX file (it contains binary data). Export the sheet as CSV (UTF-8) or XLSX and upload that."
)
NOT_TEXT = (
    "This file is not readable text in any encoding it could be (UTF-8, UTF-16, Windows-1252, Shift-JIS …): "
    "save it as CSV (UTF-8) or XLSX and upload it again."
)
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
# Punctuation Windows-1252 text really has beyond ASCII: quotes, dashes, bullets, currency …
_LATIN_PUNCTUATION = set(
    "\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026\u2022\u00b7\u00ab\u00bb\u20ac\u00a3\u00a5"
    "\u00a7\u00b0\u00a9\u00ae\u2122\u00bf\u00a1\u00aa\u00ba\u00d7\u00f7\u00bc\u00bd\u00be"
)


# What spreadsheet programs save as "CSV" besides UTF-8: Windows' ANSI code pages and the CJK ones.
_GUESSABLE: tuple[str, ...] = ("cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258")
_GUESSABLE += ("cp874", "gb18030", "big5", "cp949", "euc_jp", "koi8_r")


def decode(content: bytes) -> tuple[str, str, bool]:
    """(text, encoding as the preview names it, guessed?) — or ImportFileError, never garbled text.

    A byte-order mark or strict UTF-8 decides. Otherwise the candidates are read strictly and
    kept only if the characters make sense for them: Windows-1252 gives letters and typographic
    punctuation, Shift-JIS gives runs of Japanese; other encodings are charset-normalizer's guess
    when it recognizes a language in the text. Anything else is refused.
    """
    for bom, codec, label in _BOMS:
        if content.startswith(bom):
            try:
                return _text(content.decode(codec)), f"{label} (with byte-order mark)", False
            except UnicodeDecodeError:
                raise ImportFileError(NOT_TEXT) from None
    # NUL never occurs in a text export without a UTF-16 byte-order mark; it does in binaries.
    if b"\x00" in content:
        raise ImportFileError(NOT_BINARY)
    try:
        return _text(content.decode("utf-8")), "UTF-8", False
    except UnicodeDecodeError:
        pass
    shift_jis = _strict(content, "cp932")
    if shift_jis is not None and _looks_japanese(shift_jis):
        return _text(shift_jis), "Shift-JIS", True
    windows = _strict(content, "cp1252")
    if windows is not None and _looks_latin(windows):
        return _text(windows), "Windows-1252", True
    return _guess(content)


def _strict(content: bytes, codec: str) -> str | None:
    try:
        return content.decode(codec)
    except UnicodeDecodeError:
        return None


def _text(text: str) -> str:
    if _mostly_control(text):
        raise ImportFileError(NOT_TEXT)
    return text


def _non_ascii(text: str) -> list[str]:
    return [ch for ch in text if ord(ch) > 127]


def _looks_latin(text: str) -> bool:
    """Accented letters inside words of mostly plain letters, and typographic punctuation.

    Cyrillic or Greek bytes read as Windows-1252 also give letters ("Èâàí Ïåòðîâ"), but whole
    words of them: in Latin-script names an accent sits among plain letters.
    """
    if any(not (ch.isalpha() or ch in _LATIN_PUNCTUATION or ch == "\xa0") for ch in _non_ascii(text)):
        return False
    words = [w for w in re.findall(r"[^\W\d_]{2,}", text) if not w.isascii()]
    foreign = [w for w in words if sum(not ch.isascii() for ch in w) * 2 > len(w)]
    return len(foreign) * 5 <= len(words)


def _is_japanese(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3041 <= code <= 0x3096  # hiragana
        or 0x30A1 <= code <= 0x30FA  # katakana
        or 0x4E00 <= code <= 0x9FFF  # kanji
        or code in (0x3001, 0x3002, 0x30FC, 0x3005, 0x3000)  # 、 。 ー 々 and the ideographic space
        or 0xFF01 <= code <= 0xFF5E  # full-width forms
    )


def _looks_japanese(text: str) -> bool:
    """Runs of kana and kanji set apart from Latin letters, as Japanese names and departments are."""
    chars = _non_ascii(text)
    if not chars or not all(_is_japanese(ch) for ch in chars):
        return False
    # A lone "kanji" glued to Latin letters ("Bad∈") is Windows-1252 bytes read the wrong way.
    for before, ch, after in zip(" " + text[:-1], text, text[1:] + " ", strict=True):
        glued = (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha())
        if glued and _is_japanese(ch):
            return False
    return True


def _guess(content: bytes) -> tuple[str, str, bool]:
    import charset_normalizer  # imported here: only files that are neither UTF-8 nor 1252/Shift-JIS need it

    best = charset_normalizer.from_bytes(content, cp_isolation=list(_GUESSABLE)).best()
    # Without a language recognized in the text, a "decoding" of a few odd bytes is noise, not names.
    if best is None or best.chaos > 0.1 or best.coherence < 0.3:
        raise ImportFileError(NOT_TEXT)
    text = str(best)
    if any(unicodedata.category(ch) == "Co" or ch == "\ufffd" for ch in text):
        raise ImportFileError(NOT_TEXT)
    return _text(text), codecs.lookup(best.encoding).name, True


def _mostly_control(text: str) -> bool:
    """Binary data decoded by cp1252 turns into many control characters; text has few."""
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return controls > max(8, len(sample) // 100)


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    end = text.find("\n")
    first_line = text[: end if end >= 0 else len(text)]
    delimiter = max(CSV_DELIMITERS, key=first_line.count) if any(d in first_line for d in CSV_DELIMITERS) else ","
    # Lines fed one at a time: a StringIO of a 10 MB file holds it again four times over (UCS-4).
    reader = csv.reader(_lines(text), delimiter=delimiter)
    number = 0
    shared: dict[str, str] = {}
    try:
        for number, cells in enumerate(reader, start=1):
            # Repeated values (departments, titles, places) kept once: 100,000 rows repeat them a lot.
            yield number, [shared.setdefault(cell, cell) if len(cell) <= 40 else cell for cell in cells]
    except csv.Error as exc:
        raise ImportFileError(f"Row {number + 1} could not be read as CSV ({exc}).") from None


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their endings ("\r\n", "\n"; a lone "\r" stays inside a line, as csv wants)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def _xlsx_rows(content: bytes, size: dict[str, int] | None = None) -> Iterator[tuple[int, list[str]]]:
    """The sheet's rows as text cells (trailing empty cells dropped); `size` gets the sheet's own
    count of rows (its <dimension>) once the sheet is open."""
    _check_zip(content)
    import openpyxl  # imported here: only XLSX uploads pay for it

    max_columns = limits()[0]
    workbook = None
    try:
        # Read-only mode streams the sheet's XML: memory stays flat whatever the row count.
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        dimension_rows, dimension_columns = sheet.max_row or 0, sheet.max_column or 0
        if size is not None and dimension_rows:
            size["rows"] = dimension_rows
        # Read-only mode stops at the last row the sheet's <dimension> names, and some programs write a
        # stale one ("A1", or the size before rows were added): the rows past it would be dropped unseen.
        sheet.reset_dimensions()
        # One column past the limit is enough to refuse; the sheet's own dimension gives the figure.
        for number, row in enumerate(sheet.iter_rows(max_col=max_columns + 1), start=1):
            cells = [_xlsx_text(cell) for cell in row]
            if len(cells) > max_columns and cells[max_columns].strip():
                figure = f"{dimension_columns:,}" if dimension_columns > max_columns else f"more than {max_columns:,}"
                raise ImportFileError(
                    f"The file has {figure} columns; the limit is {max_columns:,}. "
                    "Remove the columns the import does not need and upload it again."
                )
            # Every row comes padded to max_col: 100,000 rows of 201 cells where the file has 10.
            while cells and not cells[-1]:
                cells.pop()
            yield number, cells
    except ImportFileError:
        raise
    # openpyxl raises many kinds of errors on a damaged file; every one means the same to the user.
    except Exception:
        raise _damaged() from None
    finally:
        if workbook is not None:
            workbook.close()


def _check_zip(content: bytes) -> None:
    """Refuse a zip bomb by what its directory says, before a byte of it is inflated."""
    limit = getattr(settings, "IMPORT_MAX_XLSX_UNPACKED", MAX_XLSX_INFLATED)
    max_ratio = getattr(settings, "IMPORT_MAX_XLSX_RATIO", MAX_XLSX_RATIO)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            unpacked = sum(info.file_size for info in members)
            if unpacked > limit:
                raise ImportFileError(
                    f"This XLSX file unpacks to {_size(unpacked)}; the limit is {_size(limit)}. "
                    "It cannot be an org chart (it may be a zip bomb)."
                )
            packed = sum(info.compress_size for info in members)
            ratio = unpacked / max(packed, 1)
            if unpacked > 1024 * 1024 and ratio > max_ratio:
                raise ImportFileError(
                    f"This XLSX file unpacks to {ratio:,.0f} times its size; the limit is {max_ratio:,} times. "
                    "It cannot be an org chart (it may be a zip bomb)."
                )
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
