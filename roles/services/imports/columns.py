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
    "manager": "Manager Email",
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
    "manager": "Manager (email or name)",
}

# Aliases in order of preference: with both "Department" and "Team", Department wins. They are
# compared with the header's qualifiers taken off (see `header_key`), so "Work Email",
# "Email Address [Required]", "Email - Primary Work" and "Work Contact: Work Email" all meet "email".
# The vendors' own headers (Google Workspace, Entra ID, Okta, BambooHR, Personio, Rippling, HiBob,
# Workday, Gusto, Deel, ADP) are covered here and tested with a sample file each.
ALIASES: dict[str, tuple[str, ...]] = {
    "email": (
        "email",
        "emailaddress",
        "mail",
        "companyemail",
        "corporateemail",
        "emailaddresswork",
        "primaryemailaddress",
        "userprincipalname",  # Entra ID's sign-in name: an address, used when "mail" is absent
    ),
    "first_name": ("firstname", "givenname", "forename", "namefirstname"),
    "last_name": ("lastname", "surname", "familyname", "namelastname"),
    "full_name": (
        "fullname",
        "name",
        "displayname",
        "employeename",
        "employee",
        "worker",
        "workername",
        "personname",
        "employeefullname",
        *("lastnamefirstname", "namelastfirst", "employeenamelastfirst", "fullnamelastfirst", "payrollname"),
    ),
    "title": (
        "jobtitle",
        "title",
        "position",
        "positiontitle",
        "employeetitle",
        "jobtitledescription",
        "jobrole",
        "role",
        "designation",
        "jobprofile",
    ),
    "function": (
        "department",
        "departmentname",
        "homedepartment",
        "homedepartmentdescription",
        "departmentdescription",
        "team",
        "function",
        "teamname",
        "functionname",
        "dept",
        "supervisoryorganization",
        "orgunitpath",  # Google Workspace: "/Sales/EMEA"
    ),
    "category": ("category", "functioncategory"),
    "parent": ("parentfunction", "parent", "parentdepartment", "parentteam"),
    # By email first: an address names one person; a name may be shared.
    "manager": (
        "manageremail",
        "managersemail",
        "manageremailaddress",
        "reportstoemail",
        "supervisoremail",
        "directmanageremail",
        "linemanageremail",
        "manager",
        "managername",
        "reportsto",
        "reportstoname",
        "supervisor",
        "supervisorname",
        "directmanager",
        "linemanager",
    ),
}
# Headers that say the name column holds "Last, First".
LAST_FIRST = frozenset(
    {"lastnamefirstname", "namelastfirst", "employeenamelastfirst", "fullnamelastfirst", "payrollname"}
)

# Words that qualify a header without changing the field: taken off before comparing.
# Not "company": Entra's "companyName" is not a name.
_QUALIFIERS = frozenset({"legal", "preferred", "primary", "work", "business", "official", "contact"})
# How much a qualified column is worth when several hold the same field: preferred names first.
PREFERRED, PLAIN, LEGAL = 0, 1, 2
_RANK_OF_ALIAS = {"displayname": PREFERRED, "payrollname": LEGAL}

# Words that hint at a field when no header matches exactly: only a first guess shown on
# the mapping form, which the user confirms ("Org Unit" is probably the function).
HINTS: dict[str, tuple[str, ...]] = {
    "email": ("mail",),
    "manager": ("manager", "supervisor", "reportsto"),
    "full_name": ("name",),
    "title": ("title", "position", "role"),
    "function": ("department", "dept", "team", "unit", "division", "function", "group", "organization"),
    "category": ("category",),
    "parent": ("parent",),
}

Mapping = dict[str, int]


def normalize(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _words(header: str) -> list[str]:
    """The header's words: brackets dropped ("[Required]"), camelCase and snake_case split."""
    text = re.sub(r"\[[^\]]*\]", " ", header)
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)
    return re.findall(r"[^\W_]+", text.casefold())


def header_key(header: str) -> tuple[str, int]:
    """(the header's key without qualifiers, its rank): "Legal first name" -> ("firstname", LEGAL)."""
    words = _words(header)
    rank = PREFERRED if "preferred" in words else LEGAL if "legal" in words else PLAIN
    kept = [w for w in words if w not in _QUALIFIERS] or words
    # Workday: "Legal Name - First Name", "Preferred Name - Last Name".
    if len(kept) > 1 and kept[0] == "name" and kept[1] in {"first", "last", "middle"}:
        kept = kept[1:]
    # A bare "Preferred Name" (BambooHR, Deel) is what someone is called: a first name.
    if kept == ["name"] and rank == PREFERRED:
        kept = ["first", "name"]
    key = "".join(kept)
    return key, _RANK_OF_ALIAS.get(key, rank)


def candidates(headers: Sequence[str]) -> dict[str, list[int]]:
    """Every column holding each field, best first (alias order, then preferred before legal)."""
    keys = [header_key(h) for h in headers]
    found: dict[str, list[int]] = {}
    for field, aliases in ALIASES.items():
        ranked = sorted((aliases.index(key), rank, column) for column, (key, rank) in enumerate(keys) if key in aliases)
        if ranked:
            found[field] = [column for *_, column in ranked]
    return found


def recognize(headers: Sequence[str]) -> Mapping:
    """The fields whose column the header names; a column serves one field at most."""
    mapping: Mapping = {}
    for field, columns in candidates(headers).items():
        column = next((c for c in columns if c not in mapping.values()), None)
        if column is not None:
            mapping[field] = column
    if "first_name" in mapping and "last_name" not in mapping and _bare_preferred(headers[mapping["first_name"]]):
        # "Preferred name" beside a "Full name" and no last name column (Deel): the name someone goes by, whole.
        mapping["full_name"] = mapping.pop("first_name")
    if "full_name" in mapping and ("first_name" in mapping or "last_name" in mapping):
        # The better-qualified name wins: a preferred first name beats a legal/payroll full name,
        # a display name beats first/last; at equal rank a full name column says it all.
        full_rank = header_key(headers[mapping["full_name"]])[1]
        first_rank = header_key(headers[mapping["first_name"]])[1] if "first_name" in mapping else LEGAL
        if full_rank <= first_rank or not {"first_name", "last_name"} <= mapping.keys():
            mapping.pop("first_name", None)
            mapping.pop("last_name", None)
        else:
            mapping.pop("full_name")
    return mapping


def _bare_preferred(header: str) -> bool:
    words = [w for w in _words(header) if w not in _QUALIFIERS]
    return words == ["name"] and "preferred" in _words(header)


def alternates(headers: Sequence[str], mapping: Mapping) -> dict[str, list[int]]:
    """Other columns of the same field, read when the mapped one is empty ("Preferred first name" blank)."""
    found = candidates(headers)
    extra = {
        field: [c for c in found.get(field, []) if c != column and c not in mapping.values()]
        for field, column in mapping.items()
        if field in ("first_name", "last_name", "full_name", "email")
    }
    if "full_name" in mapping:
        # An empty display name (Okta, Entra guests) falls back to the first and last name columns.
        for part in ("first_name", "last_name"):
            extra[part] = [c for c in found.get(part, []) if c not in mapping.values()]
    return extra


def names_last_first(headers: Sequence[str], mapping: Mapping) -> bool:
    """Whether the header of the name column says its values are "Last, First"."""
    return "full_name" in mapping and header_key(headers[mapping["full_name"]])[0] in LAST_FIRST


def ignored(headers: Sequence[str], mapping: Mapping) -> list[str]:
    """The headers of the columns the import does not read, as the preview lists them."""
    used = set(mapping.values()) | {c for extra in alternates(headers, mapping).values() for c in extra}
    return [header or f"(no header, column {column_letter(i)})" for i, header in enumerate(headers) if i not in used]


def suggest(headers: Sequence[str], samples: Sequence[Sequence[str]] = ()) -> Mapping:
    """The recognized columns plus guesses: words inside the other headers, values that are emails."""
    mapping = recognize(headers)
    if "email" not in mapping:
        looks_like_email = [
            bool(s) and all("@" in v for v in s) and i not in mapping.values() for i, s in enumerate(samples)
        ]
        if any(looks_like_email):
            mapping["email"] = looks_like_email.index(True)
    normalized = [header_key(h)[0] for h in headers]
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
