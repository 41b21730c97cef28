"""The one rule for text people type: which characters a name, a short text and a long text may hold.

Refused everywhere, because such text displays as something other than what is stored
(Trojan Source, spoofed names), corrupts CSV files and terminals, or cannot be stored at all:
- control characters (C0, DEL, C1), NUL included: PostgreSQL cannot store a NUL;
- bidirectional overrides, embeddings and isolates (U+202A to U+202E, U+2066 to U+2069) and the
  direction marks U+200E, U+200F and U+061C;
- invisible characters: zero-width spaces and joiners, the word joiner, the byte-order mark,
  soft hyphens, invisible operators, Unicode tags (every "format" character, category Cf),
  the Hangul fillers and the combining grapheme joiner, which display as nothing;
- line and paragraph separators (U+2028, U+2029) and lone surrogates.

Names and short text (one line) also refuse tabs and line breaks. Long text (descriptions,
notes, comments) allows tabs and line breaks, and the zero-width joiner and non-joiner
(U+200D, U+200C), which emoji sequences and Persian or Indic words need.

Every refusal names the character and where it is: "contains an invisible character U+200B
(ZERO WIDTH SPACE) at position 3". `SHORT_TEXT` and `LONG_TEXT` are Django validators (models,
forms and DRF serializers take them; drf-spectacular writes their regex into the OpenAPI
schema as `pattern`), the input guard (wholeproduct/security.py) and the org-chart import call
`text_problem` directly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.deconstruct import deconstructible

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
DIRECTION_MARKS = frozenset("\u200e\u200f\u061c")
JOINERS = frozenset("\u200c\u200d")
# Letters and marks that display as nothing (not "format" characters, so named one by one).
BLANK_LOOKALIKES = frozenset("\u034f\u115f\u1160\u3164\uffa0")
MULTILINE_ALLOWED = frozenset("\t\n\r") | JOINERS

# The same rule as a regex character class for the OpenAPI schema's `pattern`, written with
# \\uXXXX escapes that Python and ECMAScript both read. It lists the Basic Multilingual Plane
# only (an ECMAScript pattern without the u flag cannot name a character beyond it): the few
# format characters out there (Unicode tags …) are refused by the validator all the same. Nor
# does it name the surrogates: no valid text holds one (Rust's and other regex engines refuse
# the range), and the validator refuses a lone one that a JSON escape ("\\ud800") smuggles in.
_REFUSED_RANGES = [
    (0x00, 0x1F),
    (0x7F, 0x9F),
    (0xAD, 0xAD),
    (0x034F, 0x034F),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0x3164, 0x3164),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF9, 0xFFFB),
]


def _char_class(allowed: frozenset[str]) -> str:
    codes = [cp for start, end in _REFUSED_RANGES for cp in range(start, end + 1) if chr(cp) not in allowed]
    ranges: list[tuple[int, int]] = []
    for cp in codes:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    parts = [f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges]
    return "[^" + "".join(parts) + "]"


# "+", not "*": drf-spectacular offers a blank-allowed field as oneOf(pattern, maxLength 0), and
# an empty string must match only the second.
SHORT_PATTERN = "^" + _char_class(frozenset()) + "+$"
LONG_PATTERN = "^" + _char_class(MULTILINE_ALLOWED) + "+$"

# Control characters have no Unicode name; these are the ones people meet.
CONTROL_NAMES = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x09: "CHARACTER TABULATION",
    0x0A: "LINE FEED",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
}


@dataclass(frozen=True)
class TextProblem:
    kind: str  # "a control character", "an invisible character" …
    char: str
    position: int  # 1-based, as a person counts

    @property
    def code_point(self) -> str:
        return f"U+{ord(self.char):04X}"

    @property
    def char_name(self) -> str:
        code = ord(self.char)
        if code in CONTROL_NAMES:
            return CONTROL_NAMES[code]
        if 0xD800 <= code <= 0xDFFF:
            return "SURROGATE"
        name = unicodedata.name(self.char, "")
        if name:
            return name
        return "C0 CONTROL" if code < 0x20 else "C1 CONTROL" if 0x80 <= code <= 0x9F else "UNNAMED"

    def describe(self) -> str:
        """ "an invisible character U+200B (ZERO WIDTH SPACE) at position 3" """
        return f"{self.kind} {self.code_point} ({self.char_name}) at position {self.position}"

    def message(self, field: str = "") -> str:
        subject = f"“{field}”" if field else "This text"
        return f"{subject} contains {self.describe()}, which cannot be stored: remove it and send again."


def _kind(char: str, multiline: bool) -> str | None:
    if multiline and char in MULTILINE_ALLOWED:
        return None
    if char in "\n\r":
        return "a line break"
    if char == "\t":
        return "a tab"
    category = unicodedata.category(char)
    if category == "Cc":
        return "a control character"
    if char in BIDI_CONTROLS or char in DIRECTION_MARKS:
        return "a text-direction control"
    if category in {"Zl", "Zp"}:
        return "a line separator"
    if category == "Cs":
        return "an invalid character"
    if category == "Cf" or char in BLANK_LOOKALIKES:
        return "an invisible character"
    return None


def text_problem(value: str, *, multiline: bool = False) -> TextProblem | None:
    """The first character the rule refuses in `value`, or None when all of it may be stored."""
    for index, char in enumerate(value):
        if (kind := _kind(char, multiline)) is not None:
            return TextProblem(kind, char, index + 1)
    return None


@deconstructible
class TextValidator(RegexValidator):
    """The rule as a validator: a RegexValidator so that the schema states it as a `pattern`,
    though it judges with `text_problem` (which also covers characters beyond the regex's reach)."""

    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline
        super().__init__(LONG_PATTERN if multiline else SHORT_PATTERN, code="invisible_character")

    def __call__(self, value: object) -> None:
        if isinstance(value, str) and (problem := text_problem(value, multiline=self.multiline)) is not None:
            raise ValidationError(problem.message(), code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextValidator) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash(self.multiline)


SHORT_TEXT = TextValidator(multiline=False)
LONG_TEXT = TextValidator(multiline=True)


def check_text(value: str, *, multiline: bool = False, field: str = "") -> None:
    """Raise Django's ValidationError naming the first refused character (for services and forms)."""
    if (problem := text_problem(value, multiline=multiline)) is not None:
        raise ValidationError(problem.message(field), code="invisible_character")


# Compiled once for tests and callers who want the regex itself.
SHORT_REGEX = re.compile(SHORT_PATTERN)
LONG_REGEX = re.compile(LONG_PATTERN)
