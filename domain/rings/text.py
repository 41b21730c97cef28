"""Text on the whole product picture: widths from Arial Bold's metrics, abbreviations, cuts and wraps."""

from __future__ import annotations

from .shapes import (
    CHIP_FONT,
    CHIP_PAD,
    ELLIPSIS,
    MIN_LABEL_CHARS,
    SMALL_FONT,
    RingInput,
)

# Chips are drawn in Arial (Liberation Sans, Helvetica: the same metrics), bold; these are its
# advance widths per 1000 em for printable ASCII, so a label's width is known before drawing.
# fmt: off
_ADVANCE = dict(
    zip(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
        (
            278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
            556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
            975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
            667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
            333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
            611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
        ),
        strict=True,
    )
)
# fmt: on
_ADVANCE |= {ELLIPSIS: 1000, "★": 900, "·": 278}


_OTHER = 640  # letters outside ASCII: a wide guess, so they never overflow


def text_width(text: str, font_size: float = CHIP_FONT) -> float:
    """Width of `text` in Arial Bold at `font_size`."""
    return sum(_ADVANCE.get(ch, _OTHER) for ch in text) * font_size / 1000


def chip_width(label: str, font_size: float = CHIP_FONT) -> float:
    return text_width(label, font_size) + 2 * CHIP_PAD


# Words organizations abbreviate themselves; tried before cutting a name short.
ABBREVIATIONS = {
    "account": "Acct",
    "administration": "Admin",
    "business": "Biz",
    "communications": "Comms",
    "customer": "Cust",
    "department": "Dept",
    "development": "Dev",
    "directors": "Dirs",
    "engineering": "Eng",
    "executive": "Exec",
    "experience": "Exp",
    "information": "Info",
    "international": "Intl",
    "management": "Mgmt",
    "marketing": "Mktg",
    "operations": "Ops",
    "partners": "Partners",
    "relations": "Rel",
    "research": "Research",
    "solutions": "Solns",
    "technical": "Tech",
    "technology": "Tech",
}


def abbreviate(name: str) -> str:
    return " ".join(ABBREVIATIONS.get(word.lower(), word) for word in name.split())


def _short_forms(name: str) -> list[str]:
    """The name, then shorter ways of saying the same thing, longest first."""
    bare = name.split("(")[0].strip() if "(" in name else name  # "Engineering (R&D)" → "Engineering"
    forms = [name, bare, abbreviate(bare)]
    return [form for i, form in enumerate(forms) if form and form not in forms[:i]]


def fit_label(name: str, max_width: float, *, prefix: str = "") -> tuple[str, float] | None:
    """The label and font size of the fullest form of `name` whose chip fits in `max_width`:
    the name, smaller, then shorter forms, then cut short; None if even a stub does not fit."""
    forms = _short_forms(name) or [name]
    for form in forms:
        for size in (CHIP_FONT, SMALL_FONT):
            if chip_width(prefix + form, size) <= max_width:
                return prefix + form, size
    base = forms[-1]
    for keep in range(len(base) - 1, MIN_LABEL_CHARS - 1, -1):
        stub = _cut(base, keep)
        if stub and chip_width(prefix + stub) <= max_width:
            return prefix + stub, CHIP_FONT
    return None


def _cut(text: str, keep: int) -> str | None:
    """`text` cut to `keep` characters and an ellipsis, never ending in a scrap of a word."""
    head = text[:keep]
    if keep < len(text) and text[keep] != " " and " " in head:
        scrap = head.rsplit(" ", 1)[1]
        if len(scrap) < MIN_LABEL_CHARS:  # "Sales & Acct Mg…" reads worse than "Sales & Acct…"
            head = head[: -len(scrap)]
    head = head.rstrip(" &-,/.")
    return head + ELLIPSIS if len(head) >= MIN_LABEL_CHARS else None


def wrap(text: str, max_width: float, font_size: float) -> tuple[str, ...]:
    """Greedy word wrap by estimated width."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", font_size) <= max_width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return tuple(lines)


def ring_label(ring: RingInput) -> str:
    label = ring.name.removesuffix(" product").removesuffix(" Product").upper()
    return label + (" · NO LEAD" if ring.members and ring.lead is None else "")


def empty_message(ring: RingInput) -> str:
    return f"No one owns the {ring.name} yet"
