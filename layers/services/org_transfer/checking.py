"""A transfer file checked before anything is written: it parses, has the shape and version this code
reads, and its slug is free."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug

from roles.models import (
    Organization,
)
from wholeproduct.errors import DomainError

from .spec import FORMAT, LIST_SECTIONS, SECTION_KEYS, VERSION

SLUG_MAX = Organization._meta.get_field("slug").max_length


class TransferFileError(DomainError):
    """The file cannot be restored as it is; nothing was written."""

    code = "invalid_file"


def loads(raw: bytes | str) -> dict[str, Any]:
    """Parse an organization file and check its shape (format, version, keys of every row)."""
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise TransferFileError("The file is not UTF-8 text, so it is not an organization export.") from None
    except RecursionError:  # "[[[[…" deeper than Python's parser goes
        raise TransferFileError("The file is nested too deeply to be an organization export.") from None
    except json.JSONDecodeError as exc:
        raise TransferFileError(
            f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    check_shape(data)
    return data


def check_shape(data: Any) -> None:
    if not isinstance(data, dict):
        raise TransferFileError(f"The file holds a JSON {type(data).__name__}, not an organization export.")
    if data.get("format") != FORMAT:
        raise TransferFileError(f'This is not a Whole Product Map organization export: "format" is not "{FORMAT}".')
    if "version" not in data:
        raise TransferFileError('The file has no "version" field, so it cannot be read safely.')
    _check_version(data["version"])
    missing = [key for key in ("organization", *LIST_SECTIONS) if key not in data]
    if missing:
        raise TransferFileError(f"The file lacks the key{'s' if len(missing) > 1 else ''} {', '.join(missing)}.")
    _check_rows("organization", [data["organization"]])
    for section in LIST_SECTIONS:
        rows = _check_rows(section, data[section])
        nested = {"partnerships": "check_ins", "campaigns": "reminders"}.get(section)
        for index, row in enumerate(rows if nested else []):
            _check_rows(nested, row[nested], parent=f"{section} #{index + 1}")


def _check_version(version: Any) -> None:
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise TransferFileError(f'The file\'s "version" must be a whole number from 1, not {version!r}.')
    if version > VERSION:
        raise TransferFileError(
            f"The file is format version {version}; this instance reads version {VERSION}. "
            "Restore it with the version of Whole Product Map that made it, or a newer one."
        )


def _check_rows(section: str, rows: Any, *, parent: str = "") -> list[dict[str, Any]]:
    where = f"{parent}: {section}" if parent else section
    if section != "organization" and not isinstance(rows, list):
        raise TransferFileError(f'"{where}" must be a list.')
    for index, row in enumerate(rows):
        label = where if section == "organization" else f"{where} #{index + 1}"
        if not isinstance(row, dict):
            raise TransferFileError(f"{label} must be an object with keys, not a {type(row).__name__}.")
        missing = SECTION_KEYS[section] - row.keys()
        if missing:
            raise TransferFileError(f"{label} lacks {', '.join(sorted(missing))}.")
    return rows


def check_slug(slug: Any) -> str:
    if not isinstance(slug, str) or not slug or len(slug) > SLUG_MAX:
        raise TransferFileError(f"An organization's slug is 1 to {SLUG_MAX} characters, not {slug!r}.")
    try:
        validate_slug(slug)
    except ValidationError:
        raise TransferFileError(f"{slug!r} is not a slug: use letters, digits, - and _ only.") from None
    if Organization.objects.filter(slug=slug).exists():
        raise TransferFileError(
            f"An organization with the slug {slug!r} already exists, and a restore never overwrites one. "
            "Restore it under another slug (restore_org FILE --slug NEW)."
        )
    return slug
