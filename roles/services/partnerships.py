"""Writes of the Whole Product Partnership web (003_…): links between functions and their trust.

A partnership joins two functions of one organization. The pair is stored in id order
(function_a < function_b), so "Sales ↔ Engineering" and "Engineering ↔ Sales" are one
row: every write normalizes the order before it looks or saves.

Trust is a reading taken on a day. Every reading goes into the check-in history
(PartnershipCheckIn), so the trend survives each change: creating a link records its
first reading, a check-in records the next, and an edit that changes trust records one
too. The partnership row holds the latest reading (trust, last_checked_on).

Updates and deletes are optimistic-locked on `version` (None skips the check); a stale
version raises Conflict carrying the partnership as it is now.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from domain.partnerships import calendar_day
from wholeproduct.errors import Conflict, DomainError, NotFound

from .. import hooks, web_cache
from ..models import Function, Organization, Partnership, PartnershipCheckIn
from ..selectors.disruptions import latest_disruptions

TRUST_MIN, TRUST_MAX = 1, 5
GOAL_MAX = Partnership._meta.get_field("shared_goal").max_length
FEEDBACK_MAX = Partnership._meta.get_field("feedback_carried").max_length
NOTE_MAX = PartnershipCheckIn._meta.get_field("note").max_length
TRUST_MESSAGE = f"Trust is a whole number from {TRUST_MIN} (broken) to {TRUST_MAX} (strong)."


class DuplicatePartnership(DomainError):
    """The two functions are already linked (in either order)."""

    code = "duplicate"

    def __init__(self, detail: str, *, existing: Partnership, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.existing = existing


class _Errors:
    """Collects every field's problem so one refusal names them all (forms and the API)."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise DomainError(first, fields=self.fields)


# --- checks ---------------------------------------------------------------------------------------


def check_trust(trust: Any, errors: _Errors, field: str = "trust") -> None:
    # bool is an int in Python; True is not a trust level.
    if isinstance(trust, bool) or not isinstance(trust, int) or not TRUST_MIN <= trust <= TRUST_MAX:
        errors.add(field, TRUST_MESSAGE)


def _check_text(value: str, limit: int | None, field: str, label: str, errors: _Errors) -> str:
    value = (value or "").strip()
    if limit is not None and len(value) > limit:
        errors.add(field, f"Keep the {label} to {limit} characters (it has {len(value)}).")
    return value


def _check_cadence(cadence: str, errors: _Errors) -> None:
    if cadence not in Partnership.Cadence.values:
        errors.add("cadence", f"Choose a cadence: {', '.join(Partnership.Cadence.labels)}.")


def _check_day(day: date, field: str, what: str, errors: _Errors) -> None:
    if day > timezone.localdate():
        errors.add(field, f"The {what} cannot be in the future.")


def _resolve_function(organization: Organization, value: Function | int | None, field: str) -> Function:
    """A function of this organization, from an instance or an id, or a refusal naming the field."""
    if value is None or value == "":
        raise DomainError("Choose two functions to link.", fields={field: ["Choose a function."]})
    if isinstance(value, Function):
        function: Function | None = value
    else:
        function = Function.objects.filter(organization=organization, pk=value).first()
    if function is None or function.organization_id != organization.pk:
        # Same words whether it exists elsewhere or not at all: another tenant's ids do not leak.
        message = "That function is not in this organization."
        raise DomainError(message, fields={field: [message]})
    return function


def ordered_pair(first: Function, second: Function) -> tuple[Function, Function]:
    """The stored order of a pair: lower id first."""
    return (first, second) if first.pk < second.pk else (second, first)


def _check_pair(first: Function, second: Function, *, exclude_pk: int | None) -> tuple[Function, Function]:
    if first.pk == second.pk:
        message = f"{first.name} cannot be its own partner: choose two different functions."
        raise DomainError(message, fields={"function_b": [message]})
    a, b = ordered_pair(first, second)
    existing = _existing(a, b, exclude_pk=exclude_pk)
    if existing is not None:
        raise _duplicate(existing)
    return a, b


def _existing(a: Function, b: Function, *, exclude_pk: int | None) -> Partnership | None:
    qs = Partnership.objects.filter(function_a=a, function_b=b)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("function_a", "function_b").first()


def _duplicate(existing: Partnership) -> DuplicatePartnership:
    message = (
        f"{existing.function_a.name} and {existing.function_b.name} are already partners "
        f"(trust {existing.trust}/5): edit or check in on that partnership instead."
    )
    return DuplicatePartnership(message, existing=existing, fields={"function_b": [message]})


def _save_pair(partnership: Partnership) -> None:
    # The check in _check_pair can lose a race with a concurrent insert; the unique
    # constraint has the last word and is reported the same way.
    try:
        with transaction.atomic():
            partnership.save()
    except IntegrityError:
        existing = _existing(partnership.function_a, partnership.function_b, exclude_pk=partnership.pk)
        if existing is None:
            raise
        raise _duplicate(existing) from None


# --- create, update, delete -----------------------------------------------------------------------


@transaction.atomic
def partnership_create(
    *,
    organization: Organization,
    function_a: Function | int,
    function_b: Function | int,
    trust: int,
    shared_goal: str = "",
    cadence: str = Partnership.Cadence.MONTHLY,
    feedback_carried: str = "",
    last_checked_on: date | None = None,
    by: Any = None,
) -> Partnership:
    """Link two functions. Setting trust is a reading: it is recorded as the first check-in,
    dated `last_checked_on` (today when not given)."""
    first = _resolve_function(organization, function_a, "function_a")
    second = _resolve_function(organization, function_b, "function_b")
    errors = _Errors()
    check_trust(trust, errors)
    _check_cadence(cadence, errors)
    shared_goal = _check_text(shared_goal, GOAL_MAX, "shared_goal", "shared goal", errors)
    feedback_carried = _check_text(feedback_carried, FEEDBACK_MAX, "feedback_carried", "feedback", errors)
    checked_on = last_checked_on or timezone.localdate()
    _check_day(checked_on, "last_checked_on", "last check", errors)
    errors.raise_if_any()
    a, b = _check_pair(first, second, exclude_pk=None)
    partnership = Partnership(
        organization=organization,
        function_a=a,
        function_b=b,
        trust=trust,
        shared_goal=shared_goal,
        cadence=cadence,
        feedback_carried=feedback_carried,
        last_checked_on=checked_on,
    )
    _save_pair(partnership)
    web_cache.changed(organization.pk)
    hooks.partnerships_changed(organization_id=organization.pk, partnership_ids=[partnership.pk])
    PartnershipCheckIn.objects.create(
        partnership=partnership, trust=trust, checked_on=checked_on, note="Partnership recorded.", by=by
    )
    return partnership


def _lock(partnership: Partnership, expected_version: int | None) -> Partnership:
    """The row as it is now, locked for this transaction; Conflict when the caller's copy is stale."""
    current = (
        Partnership.objects.select_for_update()
        .filter(pk=partnership.pk, organization_id=partnership.organization_id)
        .first()
    )
    if current is None:
        raise NotFound("This partnership no longer exists: someone deleted it.")
    if expected_version is not None and expected_version != current.version:
        fresh = Partnership.objects.select_related("function_a", "function_b").get(pk=current.pk)
        raise Conflict(
            f"Someone changed the partnership between {fresh.function_a.name} and {fresh.function_b.name} "
            f"after you opened it (version {expected_version}, now {fresh.version}). "
            "Review its current state and try again.",
            current=fresh,
        )
    return current


@transaction.atomic
def partnership_update(
    *,
    partnership: Partnership,
    expected_version: int | None,
    function_a: Function | int | None = None,
    function_b: Function | int | None = None,
    trust: int | None = None,
    shared_goal: str | None = None,
    cadence: str | None = None,
    feedback_carried: str | None = None,
    by: Any = None,
) -> Partnership:
    """Change a partnership; None keeps a value. A change of trust is recorded as a check-in
    today. A write that changes nothing returns the row untouched (no version bump)."""
    current = _lock(partnership, expected_version)
    organization = current.organization
    first = _resolve_function(organization, function_a, "function_a") if function_a is not None else None
    second = _resolve_function(organization, function_b, "function_b") if function_b is not None else None
    errors = _Errors()
    values: dict[str, Any] = {}
    if trust is not None:
        check_trust(trust, errors)
        values["trust"] = trust
    if cadence is not None:
        _check_cadence(cadence, errors)
        values["cadence"] = cadence
    if shared_goal is not None:
        values["shared_goal"] = _check_text(shared_goal, GOAL_MAX, "shared_goal", "shared goal", errors)
    if feedback_carried is not None:
        values["feedback_carried"] = _check_text(feedback_carried, FEEDBACK_MAX, "feedback_carried", "feedback", errors)
    errors.raise_if_any()
    if first is not None or second is not None:
        a, b = _check_pair(first or current.function_a, second or current.function_b, exclude_pk=current.pk)
        values["function_a_id"], values["function_b_id"] = a.pk, b.pk
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    if not changed:
        return current
    trust_changed = "trust" in changed
    for name in changed:
        setattr(current, name, values[name])
    current.version += 1
    if trust_changed:
        _take_reading(
            current, trust=current.trust, checked_on=timezone.localdate(), note="Trust changed in an edit.", by=by
        )
    _save_pair(current)
    if "function_a_id" in changed or "function_b_id" in changed:
        web_cache.changed(current.organization_id)
    if {"function_a_id", "function_b_id", "feedback_carried"} & set(changed):  # which loops it makes
        hooks.partnerships_changed(organization_id=current.organization_id, partnership_ids=[current.pk])
    return current


@transaction.atomic
def partnership_delete(*, partnership: Partnership, expected_version: int | None = None, by: Any = None) -> None:
    """Remove a link and its check-in history."""
    current = _lock(partnership, expected_version)
    current.delete()
    web_cache.changed(current.organization_id)


# --- check-ins ------------------------------------------------------------------------------------


def last_disruption_day(partnership: Partnership) -> date | None:
    """The day of the latest disruption that has happened touching either function (applied by the
    disruption service yet or not: the flag a check-in clears was set by the applied ones)."""
    latest = latest_disruptions(
        organization_id=partnership.organization_id,
        function_ids=[partnership.function_a_id, partnership.function_b_id],
        now=timezone.now(),
        applied_only=False,
    )
    moment = max(latest.values(), default=None)
    return calendar_day(moment, timezone.localtime()) if moment else None


def _take_reading(partnership: Partnership, *, trust: int, checked_on: date, note: str, by: Any) -> PartnershipCheckIn:
    """Record a reading; when it is the latest one, it becomes the partnership's trust.

    A back-dated reading (older than the last check) only adds to the history. The flag a
    disruption set is cleared by a reading taken on or after the disruption's day, as the
    coverage report counts it (domain.coverage.compute: a check on the day of the disruption answers it).
    """
    check_in = PartnershipCheckIn.objects.create(
        partnership=partnership, trust=trust, checked_on=checked_on, note=note, by=by
    )
    if partnership.last_checked_on is None or checked_on >= partnership.last_checked_on:
        partnership.trust = trust
        partnership.last_checked_on = checked_on
        disrupted_on = last_disruption_day(partnership)
        if disrupted_on is None or checked_on >= disrupted_on:
            partnership.needs_trust_check = False
    return check_in


@transaction.atomic
def checkin_record(
    *,
    partnership: Partnership,
    trust: int,
    note: str = "",
    checked_on: date | None = None,
    by: Any = None,
    expected_version: int | None = None,
) -> PartnershipCheckIn:
    """A leader's reading of trust on a day (today when not given): the trend's next point."""
    errors = _Errors()
    check_trust(trust, errors)
    note = _check_text(note, NOTE_MAX, "note", "note", errors)
    checked_on = checked_on or timezone.localdate()
    _check_day(checked_on, "checked_on", "check-in date", errors)
    errors.raise_if_any()
    current = _lock(partnership, expected_version)
    check_in = _take_reading(current, trust=trust, checked_on=checked_on, note=note, by=by)
    current.version += 1
    current.save(update_fields=["trust", "last_checked_on", "needs_trust_check", "version", "updated_at"])
    # The caller's instance reflects the write, as for the other services.
    for name in ("trust", "last_checked_on", "needs_trust_check", "version"):
        setattr(partnership, name, getattr(current, name))
    return check_in
