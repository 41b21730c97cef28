"""The partnership trust-check rule (DESIGN §2), pure: when a partnership needs a trust check, and
why; and which disruption day counts for a partnership."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

UNCHECKED_AFTER_DAYS = 90
WEAK_TRUST = 2  # trust at or below this is a gap


@dataclass(frozen=True, slots=True)
class TrustCheck:
    """Why a partnership's trust check is due (`trust_check_due`); nothing set means it is not."""

    never: bool = False  # never checked
    disrupted: bool = False  # flagged by a disruption, or one touched either function since the check
    disruption_day: date | None = None  # that disruption's day, when it came after the check
    age: int | None = None  # days since the check, once UNCHECKED_AFTER_DAYS or more

    @property
    def due(self) -> bool:
        return self.never or self.disrupted or self.age is not None


def calendar_day(moment: datetime, now: datetime) -> date:
    """The day of the site's calendar that `moment` falls on, `now` being told in the site's time
    zone (`timezone.localtime()`). The days a trust check compares are calendar days: a check-in is
    entered as a day (`checked_on`), so a disruption's day and today are taken in the same zone, by
    the web and by the coverage gaps alike (a disruption logged at 00:30 in Berlin is on that day,
    not on the day before, which UTC would say)."""
    return moment.astimezone(now.tzinfo).date()


def trust_check_due(
    *, flagged: bool, last_checked_on: date | None, disruption_day: date | None, today: date
) -> TrustCheck:
    """The one rule for "this partnership needs a trust check" (the web and the coverage gaps):
    never checked; flagged by an applied disruption (`needs_trust_check`, cleared by a check-in);
    a disruption touching either function on a day after the check (a check on the disruption's
    own day answers it); or checked UNCHECKED_AFTER_DAYS days ago or more."""
    if last_checked_on is None:
        return TrustCheck(True, flagged or False, None, None)  # positional: coverage asks this of every link
    after = disruption_day if disruption_day and disruption_day > last_checked_on else None
    age = (today - last_checked_on).days
    return TrustCheck(False, flagged or after is not None, after, age if age >= UNCHECKED_AFTER_DAYS else None)


def disrupted_after_sql(checked: str, *days: str) -> str:
    """An SQL condition that an end of a link was disrupted on a later day than its last check
    (`checked`): `days` name each end's latest disruption day (NULL for an end not disrupted), the
    `later` of `trust_check_due_sql` and `trust_check_disrupted_sql`."""
    return "(" + " OR ".join(f"{day} > {checked}" for day in days) + ")"


def trust_check_due_sql(checked: str, flagged: str, later: str = "") -> str:
    """`trust_check_due` as an SQL condition, for the statements that judge many links at once:
    `checked` and `flagged` name a link's last check and flag, `later` (optional) is a condition
    that an end was disrupted on a later day than the check. Its one parameter is the last day of
    a check that is due by age (today less UNCHECKED_AFTER_DAYS). Tests hold the statements that
    use it equal to the rule."""
    return "(" + " OR ".join([f"{checked} IS NULL", flagged, f"{checked} <= %s", *([later] if later else [])]) + ")"


def trust_check_disrupted_sql(checked: str, flagged: str, later: str = "") -> str:
    """`trust_check_due`'s `disrupted` as an SQL condition (see `trust_check_due_sql`): flagged, or
    an end disrupted after a check there was (`later`); no parameter."""
    return f"({flagged} OR ({checked} IS NOT NULL AND {later}))" if later else flagged


def partnership_disruption_day(ends: tuple[int | None, int | None], disrupted_on: dict[int, date]) -> date | None:
    """The day of the latest disruption touching either function of a partnership, from the days per
    function (`roles.selectors.web.disruption_days`); None when neither was disrupted."""
    a, b = ends
    day_a = disrupted_on.get(a) if a is not None else None
    day_b = disrupted_on.get(b) if b is not None else None
    return day_a if day_b is None else day_b if day_a is None else max(day_a, day_b)
