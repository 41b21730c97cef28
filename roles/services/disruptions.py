"""Logging a disruption (003_…: leadership change, reorgs, new hires, sustained pressure).

A disruption is dated. It starts to count at `effective_at` = the later of "now" and the
start of `occurred_on` in the site's time zone: logging a past reorg makes today's reviews
need re-confirming (we cannot tell which of the reviews made since took it into account),
and a reorg planned for next month counts from next month (domain.review_state ignores a
disruption dated after "now").

A disruption counts once applied (`applied_at`): at once when its moment has come, else
on its date by the beat task `roles.apply_due_disruptions` (claimed with skip_locked,
idempotent). Applying it, in one transaction: stamps `applied_at`, sets `needs_trust_check`
on every partnership touching its functions, and recounts those functions' review pairs
in the read model (through roles.hooks): reviews made before it are stale from then on.

`disruption_log` returns what it did, so the page can say it: "12 reviews of Sales &
Account Management now need re-confirming; 4 partnerships flagged for a trust check."
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from domain.review_state import format_day
from wholeproduct.errors import DomainError

from .. import hooks
from ..models import Disruption, Function, Organization, Partnership

TITLE_MAX = Disruption._meta.get_field("title").max_length
NOTE_MAX = Disruption._meta.get_field("note").max_length


@dataclass(frozen=True)
class DisruptionEffects:
    """What logging one disruption did (or, for a planned one, will do on its date)."""

    disruption: Disruption
    function_names: tuple[str, ...]
    # Review pairs whose review was current and is no longer (planned: will no longer be).
    reviews_by_function: dict[str, int] = field(default_factory=dict)
    partnerships_flagged: int = 0
    planned: bool = False  # effective_at lies in the future

    @property
    def reviews_made_stale(self) -> int:
        return sum(self.reviews_by_function.values())

    def summary(self) -> str:
        """One sentence for the page: what now needs re-confirming and checking."""
        names = _join(list(self.function_names))
        reviews = self.reviews_made_stale
        links = self.partnerships_flagged
        if self.planned:
            when = format_day(self.disruption.effective_at, timezone.get_current_timezone())
            return (
                f"Counts from {when}: then {_n(reviews, 'current review')} of {names} will need re-confirming "
                f"and {_n(links, 'partnership')} a trust check."
            )
        if reviews:
            verb = "needs" if reviews == 1 else "need"
            first = f"{_n(reviews, 'review')} of {names} now {verb} re-confirming"
        else:
            first = f"No current review of {names} was affected"
        second = f"{_n(links, 'partnership')} flagged for a trust check" if links else "no partnership to flag"
        return f"{first}; {second}."


def effective_moment(occurred_on: date, now: datetime) -> datetime:
    """When a disruption starts to count: max(now, start of its day in the site's time zone)."""
    start = timezone.make_aware(datetime.combine(occurred_on, time.min), timezone.get_default_timezone())
    return max(now, start)


# --- checks ---------------------------------------------------------------------------------------


def _clean(kind: str, title: str, note: str, occurred_on: Any) -> tuple[str, str]:
    fields: dict[str, list[str]] = {}
    if kind not in Disruption.Kind.values:
        fields["kind"] = [f"Choose a kind: {', '.join(Disruption.Kind.labels)}."]
    title = " ".join((title or "").split())
    if not title:
        fields["title"] = ["Say what happened, in a few words."]
    elif len(title) > TITLE_MAX:
        fields["title"] = [f"Keep the title to {TITLE_MAX} characters (it has {len(title)})."]
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        fields["note"] = [f"Keep the note to {NOTE_MAX} characters (it has {len(note)})."]
    if not isinstance(occurred_on, date) or isinstance(occurred_on, datetime):
        fields["occurred_on"] = ["Give the day it happened (or will happen)."]
    if fields:
        raise DomainError(next(iter(fields.values()))[0], fields=fields)
    return title, note


def _functions(organization: Organization, function_ids: Iterable[int | Function]) -> list[Function]:
    wanted = {f.pk if isinstance(f, Function) else f for f in function_ids}
    if not wanted:
        message = "Choose at least one function the disruption touches."
        raise DomainError(message, fields={"functions": [message]})
    try:
        ids = {int(pk) for pk in wanted}
    except (TypeError, ValueError):
        ids = set()
    found = list(Function.objects.filter(organization=organization, pk__in=ids).order_by("name")) if ids else []
    if len(found) != len(wanted):
        # The same words whether the ids exist in another organization or nowhere.
        message = "Choose functions of this organization only."
        raise DomainError(message, fields={"functions": [message]})
    return found


# --- the effects ------------------------------------------------------------------------------------


def _touching(organization_id: int, function_ids: set[int]) -> Q:
    return Q(organization_id=organization_id) & (Q(function_a_id__in=function_ids) | Q(function_b_id__in=function_ids))


def _reviews_turning_stale(organization: Organization, functions: list[Function], moment: datetime) -> dict[str, int]:
    """Per function name: review pairs current now whose latest review is not newer than `moment`
    (`review_state.is_current` is strict), asked of the read model through `roles.hooks`."""
    counts = hooks.current_reviews_until(
        organization_id=organization.pk, function_ids=[f.pk for f in functions], moment=moment
    )
    names = {f.pk: f.name for f in functions}
    return {names[function_id]: n for function_id, n in counts.items() if n}


def _apply(disruption: Disruption, function_ids: set[int], now: datetime) -> int:
    """Make a disruption count: stamp it, flag its partnerships, age its functions' pairs."""
    disruption.applied_at = now
    Disruption.objects.filter(pk=disruption.pk).update(applied_at=now)
    touching = Partnership.objects.filter(_touching(disruption.organization_id, function_ids))
    # One statement; `version` is left alone: the flag is not an edit a leader could lose.
    flagged = touching.update(needs_trust_check=True, updated_at=now)
    hooks.disruption_applied(organization_id=disruption.organization_id, function_ids=function_ids)
    return flagged


@transaction.atomic
def disruption_log(
    *,
    organization: Organization,
    kind: str,
    title: str,
    note: str = "",
    occurred_on: date,
    function_ids: Iterable[int | Function],
    by: Any = None,
) -> DisruptionEffects:
    """Record a disruption touching some functions, and flag what it puts in question."""
    title, note = _clean(kind, title, note, occurred_on)
    functions = _functions(organization, function_ids)
    now = timezone.now()
    moment = effective_moment(occurred_on, now)
    # Counted before the disruption counts, so "was current" means current without it.
    by_function = _reviews_turning_stale(organization, functions, moment)
    disruption = Disruption.objects.create(
        organization=organization,
        kind=kind,
        title=title,
        note=note,
        occurred_on=occurred_on,
        effective_at=moment,
        created_by=by if getattr(by, "pk", None) else None,
    )
    disruption.functions.add(*functions)
    ids = {f.pk for f in functions}
    planned = moment > now
    if planned:  # it takes effect on its date, through `apply_due_disruptions`
        flagged = Partnership.objects.filter(_touching(organization.pk, ids)).count()
    else:
        flagged = _apply(disruption, ids, now)
    ordered = {name: by_function[name] for name in (f.name for f in functions) if name in by_function}
    return DisruptionEffects(
        disruption=disruption,
        function_names=tuple(f.name for f in functions),
        reviews_by_function=ordered,
        partnerships_flagged=flagged,
        planned=planned,
    )


def apply_due_disruptions(*, now: datetime | None = None) -> int:
    """Apply every planned disruption whose moment has come (the beat task; idempotent).

    Each is claimed in its own transaction with `select_for_update(skip_locked=True)`, so two
    workers running at once apply each once, and a worker never waits on another's row.
    """
    now = now or timezone.now()
    due = Disruption.objects.filter(applied_at__isnull=True, effective_at__lte=now)
    applied = 0
    for pk in list(due.order_by("effective_at", "pk").values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            disruption = due.select_for_update(skip_locked=True).filter(pk=pk).first()
            if disruption is None:
                continue  # taken by another worker, or applied meanwhile
            ids = set(disruption.functions.values_list("pk", flat=True))
            _apply(disruption, ids, now)
            applied += 1
    return applied


# --- words ------------------------------------------------------------------------------------------


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
