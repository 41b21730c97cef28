"""People's names as HR exports write them: "Last, First" turned round, particles and suffixes kept.

"Kobayashi, Hana" -> "Hana Kobayashi"; "van der Berg, Anna" -> "Anna van der Berg";
"Hopper, Jr., Grace" and "Hopper Jr., Grace" -> "Grace Hopper Jr."; "Martin Luther King, Jr."
-> "Martin Luther King Jr." (what follows the comma is a suffix, not a first name).
"""

from __future__ import annotations

import re

# Generational and professional suffixes, compared without dots and case.
SUFFIXES = frozenset(
    {
        "jr",
        "sr",
        "ii",
        "iii",
        "iv",
        "v",
        "phd",
        "md",
        "dds",
        "esq",
        "mba",
        "cpa",
        "pe",
        "rn",
        "jd",
        "dphil",
        "obe",
        "mbe",
    }
)


def _is_suffix(part: str) -> bool:
    return re.sub(r"[.\s]", "", part).casefold() in SUFFIXES


def full_name(value: str, *, last_first: bool = False) -> str:
    """The name in reading order. `last_first`: the header says the column is "Last Name, First Name"."""
    value = " ".join(value.split())
    if "," not in value:
        words = value.split(" ")
        # "Kobayashi Hana" under a "Last Name, First Name" header: two words, swapped.
        return f"{words[1]} {words[0]}" if last_first and len(words) == 2 else value
    parts = [p.strip() for p in value.split(",") if p.strip()]
    suffixes = [p for p in parts if _is_suffix(p)]
    rest = [p for p in parts if not _is_suffix(p)]
    if len(rest) == 2:
        last, first = rest
        return " ".join([first, last, *suffixes])
    if len(rest) == 1:
        return " ".join([rest[0], *suffixes])
    return value  # three names between commas: no safe reading, kept as written


def joined(first: str, last: str) -> str:
    """First and last name columns as one name; a suffix written in the last name stays at the end."""
    return " ".join(part for part in (first.strip(), full_name(last) if last else "") if part)


def name_key(value: str) -> str:
    """How a manager named in a cell is compared with people's names: order, case and accents aside."""
    import unicodedata

    text = unicodedata.normalize("NFKD", full_name(value)).encode("ascii", "ignore").decode() or value
    return " ".join(re.findall(r"\w+", text.casefold()))
