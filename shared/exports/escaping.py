"""The one formula-escaping rule of every export (CSV and XLSX), and its inverse for imports.

A spreadsheet runs a cell whose text starts with "=", "+", "-", "@" (and, in some programs,
"|" for DDE or "%"), and a leading tab or carriage return hides such a start from a naive
check (OWASP, "CSV injection"). The rule is defusedcsv's characters plus tab and CR: such a
text gets a leading "'", which spreadsheets read as "this is text".

Two differences from defusedcsv, both so the people export reads back exactly:
- numbers are written as numbers by our formats, so every *text* that starts with a trigger
  is escaped ("-5" typed as a name comes back as "-5", not as a number);
- "|" inside the text is left as it is (the leading "'" already makes the cell text).
A text that already starts with "'" before an escapable text is escaped too, so
`unescape_formula` can tell an escaped cell from a typed quote: the rule is reversible.
"""

from __future__ import annotations

# defusedcsv's characters ("=", "+", "-", "@", "|", "%") and the whitespace that hides them.
TRIGGERS = frozenset("=+-@|%\t\r")
QUOTE = "'"


def needs_escape(text: str) -> bool:
    """True when a spreadsheet could run `text`, or when it would read as an escaped cell."""
    index = 0
    while index < len(text) and text[index] == QUOTE:
        index += 1  # "''=x" must become "'''=x", or the import would take one quote too many
    return index < len(text) and text[index] in TRIGGERS


def escape_formula(text: str) -> str:
    """`=HYPERLINK(…)` → `'=HYPERLINK(…)`; text a spreadsheet would not run is left alone."""
    return QUOTE + text if needs_escape(text) else text


def unescape_formula(text: str) -> str | None:
    """The text an escaped cell stands for, or None when the cell was not escaped."""
    if text.startswith(QUOTE) and needs_escape(text[1:]):
        return text[1:]
    return None
