"""Which column of an HR export holds which field: recognized from the header, or chosen by the user.

Headers are compared lowercased with punctuation and spacing removed, so "E-mail",
"Work Email" and "WORK_EMAIL" all count. A mapping is {field: column index}.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from wholeproduct.errors import DomainError

# The import format, which is also the people export's header (round trip).
EXPORT_HEADERS: dict[str, str] = {
    "full_name": "Full Name",
    "email": "Email",
    "title": "Job Title",
    "function": "Department",
    "category": "Category",
    "parent": "Parent Function",
}

FIELD_LABELS: dict[str, str] = {
    "full_name": "Full name",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "title": "Job title",
    "function": "Function (department or team)",
    "category": "Category",
    "parent": "Parent function",
}

# Aliases in order of preference: with both "Department" and "Team", Department wins.
ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("email", "workemail", "emailaddress", "workemailaddress", "businessemail", "primaryemail", "mail"),
    "first_name": ("firstname", "givenname", "forename", "preferredfirstname"),
    "last_name": ("lastname", "surname", "familyname"),
    "full_name": ("fullname", "name", "employeename", "displayname", "preferredname", "employee"),
    "title": ("jobtitle", "title", "position", "positiontitle", "businesstitle", "jobrole", "role"),
    "function": ("department", "team", "function", "departmentname", "teamname", "functionname", "dept"),
    "category": ("category", "functioncategory"),
    "parent": ("parentfunction", "parent", "parentdepartment", "parentteam"),
}

# Words that hint at a field when no header matches exactly: only a first guess shown on
# the mapping form, which the user confirms ("Org Unit" is probably the function).
HINTS: dict[str, tuple[str, ...]] = {
    "email": ("mail",),
    "full_name": ("name",),
    "title": ("title", "position", "role"),
    "function": ("department", "dept", "team", "unit", "division", "function", "group"),
    "category": ("category",),
    "parent": ("parent",),
}

Mapping = dict[str, int]


def normalize(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def recognize(headers: Sequence[str]) -> Mapping:
    """The fields whose column the header names; a column serves one field at most."""
    normalized = [normalize(h) for h in headers]
    mapping: Mapping = {}
    for field, aliases in ALIASES.items():
        for alias in aliases:
            column = next((i for i, h in enumerate(normalized) if h == alias and i not in mapping.values()), None)
            if column is not None:
                mapping[field] = column
                break
    if "full_name" in mapping and ("first_name" in mapping or "last_name" in mapping):
        # A full name column says it all; first/last would only be a second opinion.
        mapping.pop("first_name", None)
        mapping.pop("last_name", None)
    return mapping


def suggest(headers: Sequence[str], samples: Sequence[Sequence[str]] = ()) -> Mapping:
    """The recognized columns plus guesses: words inside the other headers, values that are emails."""
    mapping = recognize(headers)
    if "email" not in mapping:
        looks_like_email = [bool(s) and all("@" in v for v in s) for s in samples]
        if any(looks_like_email):
            mapping["email"] = looks_like_email.index(True)
    normalized = [normalize(h) for h in headers]
    for field, words in HINTS.items():
        if field in mapping or (field == "full_name" and {"first_name", "last_name"} & mapping.keys()):
            continue
        for column, header in enumerate(normalized):
            if column not in mapping.values() and any(word in header for word in words):
                mapping[field] = column
                break
    return mapping


def missing(mapping: Mapping) -> list[str]:
    """Labels of the required fields the mapping lacks (empty: the mapping can be used)."""
    gaps = []
    if not {"full_name", "first_name", "last_name"} & mapping.keys():
        gaps.append("Full name (or First name and Last name)")
    gaps.extend(FIELD_LABELS[field] for field in ("email", "function") if field not in mapping)
    return gaps


def check(mapping: Mapping, headers: Sequence[str]) -> Mapping:
    """A mapping chosen by a user, or refused with the reason on the field concerned."""
    errors: dict[str, list[str]] = {}
    seen: dict[int, str] = {}
    for field, column in mapping.items():
        if field not in FIELD_LABELS:
            raise DomainError(f"'{field}' is not a field of the import.")
        if not 0 <= column < len(headers):
            errors.setdefault(field, []).append("Choose one of the file's columns.")
        elif column in seen:
            message = f"Column {column_name(headers, column)} is already used for {FIELD_LABELS[seen[column]]}."
            errors.setdefault(field, []).append(message)
        else:
            seen[column] = field
    gaps = missing(mapping)
    if gaps:
        errors.setdefault("__all__", []).append(f"Choose a column for: {', '.join(gaps)}.")
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first, fields=errors)
    return dict(mapping)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_name(headers: Sequence[str], index: int) -> str:
    """How a message names a column: its header and, as in a spreadsheet, its letter."""
    header = headers[index] if index < len(headers) and headers[index] else "(no header)"
    return f'"{header}" ({column_letter(index)})'
