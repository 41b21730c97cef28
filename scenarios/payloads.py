"""A scenario step's kinds and fields, and the check of a step's payload on its own (DESIGN §10):
what `changes.py` replays, cleaned first here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from domain.coverage.rows import LAYERS
from layers.models import Assignment
from roles.models import Disruption, Function, Stakeholder
from wholeproduct.errors import DomainError
from wholeproduct.text import text_problem

from .models import ScenarioChange

Kind = ScenarioChange.Kind
KINDS: dict[str, str] = dict(Kind.choices)
FIELDS: dict[str, tuple[str, ...]] = {
    Kind.MOVE_PERSON: ("person", "to"),
    Kind.HIRE: ("full_name", "email", "function", "title"),
    Kind.LEAVER: ("person",),
    Kind.CREATE_FUNCTION: ("name", "category", "is_external"),
    Kind.RENAME_FUNCTION: ("function", "name"),
    Kind.MERGE_FUNCTION: ("function", "into"),
    Kind.SPLIT_FUNCTION: ("function", "name", "people", "category"),
    Kind.SET_ASSIGNMENT: ("product", "function", "layer", "emphasis"),
    Kind.CLEAR_ASSIGNMENT: ("product", "function", "layer"),
    Kind.DISRUPTION: ("disruption_kind", "title", "occurred_on", "functions"),
}
OPTIONAL = {"title", "is_external", "category"}
LAYER_NAMES = {spec.key: spec.name for spec in LAYERS}
FUNCTION_NAME_MAX = Function._meta.get_field("name").max_length
PERSON_NAME_MAX = Stakeholder._meta.get_field("full_name").max_length
TITLE_MAX = Disruption._meta.get_field("title").max_length

Ref = int | str  # an existing row's id, or "new:<step id>"


class InvalidChange(DomainError):
    """A step that cannot be made where it stands in the scenario."""

    code = "invalid_change"


def invalid(message: str, field_name: str | None = None) -> InvalidChange:
    return InvalidChange(message, fields={field_name: [message]} if field_name else None)


# --- payloads ---------------------------------------------------------------------------------------


def _ref(value: Any, name: str) -> Ref:
    if isinstance(value, bool):
        raise invalid("Choose one from the list.", name)
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and int(text) > 0:
            return int(text)
        if text.startswith("new:") and text[4:].isdigit():
            return text
    raise invalid("Choose one from the list.", name)


def _text(value: Any, name: str, limit: int, *, required: bool = True) -> str:
    text = " ".join(str(value or "").split()) if value is None or isinstance(value, str) else None
    if text is None:
        raise invalid("Write it as text.", name)
    # Names and titles are short text (wholeproduct/text.py), as on the forms: the input guard
    # lets through what long text may hold (line breaks, tabs, joiners), and the services that
    # apply the step store what they are given.
    if (problem := text_problem(value or "")) is not None:
        raise invalid(problem.message(), name)
    if required and not text:
        raise invalid("This is required.", name)
    if len(text) > limit:
        raise invalid(f"Keep it to {limit} characters (it has {len(text)}).", name)
    return text


def _choice(value: Any, name: str, choices: Iterable[str], words: str) -> str:
    if not isinstance(value, str) or value not in set(choices):
        raise invalid(f"Choose {words}.", name)
    return value


def _day(value: Any, name: str) -> str:
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise invalid("Give a day as YYYY-MM-DD.", name) from None


def _refs(value: Any, name: str) -> list[Ref]:
    if not isinstance(value, list | tuple) or not value:
        raise invalid("Choose at least one.", name)
    seen: list[Ref] = []
    for item in value:
        ref = _ref(item, name)
        if ref not in seen:
            seen.append(ref)
    return seen


def clean_payload(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The payload of a step of `kind` from loose input (a form, JSON): types checked, text
    trimmed, unknown fields refused. Raises `InvalidChange` naming the field."""
    if kind not in KINDS:
        raise invalid(f"Choose a kind of change: {', '.join(KINDS.values()).lower()}.", "kind")
    wanted = FIELDS[kind]
    unknown = sorted(set(fields) - set(wanted))
    if unknown:
        raise invalid(f"A step of this kind has no field {unknown[0]!r}.", unknown[0])
    missing = [name for name in wanted if name not in OPTIONAL and fields.get(name) in (None, "", [])]
    if missing:
        raise invalid("This is required.", missing[0])
    out: dict[str, Any] = {}
    for name in wanted:
        value = fields.get(name)
        if name in {"person", "to", "function", "into"}:
            out[name] = _ref(value, name)
        elif name == "product":
            ref = _ref(value, name)
            if not isinstance(ref, int):
                raise invalid("Choose a product.", name)
            out[name] = ref
        elif name in {"people", "functions"}:
            out[name] = _refs(value, name)
        elif name == "name":
            out[name] = _text(value, name, FUNCTION_NAME_MAX)
        elif name == "full_name":
            out[name] = _text(value, name, PERSON_NAME_MAX)
        elif name == "title":
            out[name] = _text(value, name, TITLE_MAX, required=kind == Kind.DISRUPTION)
        elif name == "email":
            out[name] = _email(value)
        elif name == "category":
            if value not in (None, ""):
                out[name] = _choice(value, name, Function.Category.values, "a category")
        elif name == "is_external":
            out[name] = bool(value) if isinstance(value, bool) or value in (None, "", 0, 1) else True
        elif name == "layer":
            out[name] = _choice(value, name, LAYER_NAMES, "a layer")
        elif name == "emphasis":
            out[name] = _choice(value, name, Assignment.Emphasis.values, "lead or contributor")
        elif name == "disruption_kind":
            out[name] = _choice(value, name, Disruption.Kind.values, "a kind of disruption")
        elif name == "occurred_on":
            out[name] = _day(value, name)
    if kind == Kind.CREATE_FUNCTION and "category" not in out:
        raise invalid("This is required.", "category")
    return out


def _email(value: Any) -> str:
    email = str(value or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise invalid("Enter a valid email address.", "email") from None
    return email
