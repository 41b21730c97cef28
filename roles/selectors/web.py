"""Reads of the Whole Product Partnership web (003_…), scoped to one organization.

Every function here runs a fixed number of queries whatever the number of functions,
links or check-ins, so the web page's query count does not grow with the organization.

A link "needs a trust check" (is overdue) when it was never checked, was last checked
`UNCHECKED_AFTER_DAYS` days ago or more, carries the `needs_trust_check` flag a disruption
set, or a disruption touching either function happened after the day of its last check
(one rule with the coverage report: domain.partnerships.trust_check_due; a planned reorg counts
once the beat task has applied it on its date). It is weak at trust `WEAK_TRUST` or below.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from domain.partnerships import (
    UNCHECKED_AFTER_DAYS,
    WEAK_TRUST,
    calendar_day,
    disrupted_after_sql,
    partnership_disruption_day,
    trust_check_disrupted_sql,
    trust_check_due,
    trust_check_due_sql,
)
from shared.prepared import first_of, prepared
from shared.sql import NO_LIMIT, array_text, contains_sql, like_pattern, values_table
from shared.window import Window

from .. import linkcounts
from ..models import Disruption, Function, Organization, Partnership, PartnershipCheckIn
from ..rowcounts import count_rows
from .disruptions import latest_disruptions_query

# Left to right as the web is drawn: building, then the spanning and framing ones, customer-facing last.
SIDE_ORDER = {
    Function.Category.BUILDING: 0,
    Function.Category.LEADERSHIP: 1,
    Function.Category.CROSS_FUNCTIONAL: 2,
    Function.Category.PARTNER: 3,
    Function.Category.CUSTOMER_FACING: 4,
}
TREND_POINTS = 8  # check-ins drawn in a row's sparkline


def functions_of(organization: Organization | int) -> QuerySet[Function]:
    return Function.objects.filter(organization=organization)


# What the web shows of a function (its box, its name in a row): the rest is not read (a function's
# description and playbook hints, JSON decoded, were a third of reading 300 links' ends).
FUNCTION_SHOWN = ("id", "organization_id", "name", "category", "is_external")
# What a row and a line show of a link.
LINK_SHOWN = (
    "id",
    "organization_id",
    "function_a_id",
    "function_b_id",
    "trust",
    "shared_goal",
    "cadence",
    "feedback_carried",
    "last_checked_on",
    "needs_trust_check",
)


@prepared
def functions_by_name(organization_id: int) -> QuerySet[Function]:
    return functions_of(organization_id).only(*FUNCTION_SHOWN).order_by("name")


def partnerships_of(organization: Organization | int) -> QuerySet[Partnership]:
    return Partnership.objects.filter(organization=organization).select_related("function_a", "function_b")


def partnership_of(organization: Organization, pk: int) -> Partnership | None:
    return partnerships_of(organization).filter(pk=pk).first()


def check_ins_of(partnership: Partnership) -> QuerySet[PartnershipCheckIn]:
    """The history, newest first."""
    return partnership.check_ins.select_related("by").order_by("-checked_on", "-id")


def disruption_moments(organization: Organization, *, now: datetime) -> dict[int, datetime]:
    """When the latest applied disruption that has happened touched each function (one query)."""
    return dict(_moments(organization.pk, now))


@prepared
def _moments(organization_id: int, now: datetime) -> QuerySet[Any]:
    return latest_disruptions_query(organization_id=organization_id, now=now)


def disruption_days(
    organization: Organization, *, now: datetime, moments: dict[int, datetime] | None = None
) -> dict[int, date]:
    """The day of the latest disruption that has happened, per function id, in the site's calendar
    as the coverage gaps take it (`calendar_day`): one query, none when the `disruption_moments`
    are given."""
    latest = disruption_moments(organization, now=now) if moments is None else moments
    local = timezone.localtime(now)
    return {function_id: calendar_day(moment, local) for function_id, moment in latest.items()}


# --- trend --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """Trust readings over time, oldest first, and which way the last one moved."""

    points: tuple[tuple[date, int], ...]

    @property
    def direction(self) -> str:
        if len(self.points) < 2:
            return "flat"
        before, last = self.points[-2][1], self.points[-1][1]
        return "up" if last > before else "down" if last < before else "flat"

    @property
    def sparkline(self) -> str:
        """SVG polyline points in a 60 by 16 box (trust 1 at the bottom, 5 at the top)."""
        points = self.points[-TREND_POINTS:]
        if len(points) < 2:
            return ""
        step = 56 / (len(points) - 1)
        return " ".join(f"{2 + i * step:.1f},{14 - (trust - 1) * 3:.0f}" for i, (_, trust) in enumerate(points))

    @property
    def summary(self) -> str:
        values = [str(trust) for _, trust in self.points[-TREND_POINTS:]]
        return " → ".join(values) if values else "no readings"


# --- the web's links ------------------------------------------------------------------------------------


@dataclass
class Link:
    """One partnership as the page shows it: ordered for reading, with its flags and trend."""

    partnership: Partnership
    first: Function  # drawn/listed first: the building side, or the function filtered to
    second: Function
    trend: Trend | None  # None until read: only a table's rows draw it (`with_trends`)
    reasons: list[str] = field(default_factory=list)  # why a trust check is due
    days_since_check: int | None = None

    @property
    def trust(self) -> int:
        return self.partnership.trust

    @property
    def weak(self) -> bool:
        return self.partnership.trust <= WEAK_TRUST

    @property
    def overdue(self) -> bool:
        return bool(self.reasons)

    @property
    def disrupted(self) -> bool:
        return is_disrupted(self.partnership.needs_trust_check, self.reasons)

    @property
    def label(self) -> str:
        return f"{self.first.name} ↔ {self.second.name}"

    def touches(self, function_id: int) -> bool:
        return function_id in (self.partnership.function_a_id, self.partnership.function_b_id)


def check_due_reasons(partnership: Partnership, disrupted_on: dict[int, date], today: date) -> list[str]:
    """Why a trust check is due, in words; empty when it is not (see the module docstring)."""
    ends = (partnership.function_a_id, partnership.function_b_id)
    day = partnership_disruption_day(ends, disrupted_on)
    return _reasons(partnership.needs_trust_check, partnership.last_checked_on, day, today)


def is_disrupted(flagged: bool, reasons: Iterable[str]) -> bool:
    """A link put in question by a disruption: flagged, or an end disrupted since its check."""
    return flagged or any(r.startswith("disrupted") for r in reasons)


def _reasons(flagged: bool, last_checked_on: date | None, disruption_day: date | None, today: date) -> list[str]:
    reasons: list[str] = []
    due = trust_check_due(flagged=flagged, last_checked_on=last_checked_on, disruption_day=disruption_day, today=today)
    if due.disrupted:
        # No date here: a disruption counts from when it was logged, which can differ from the day it
        # happened that the timeline shows; two dates for one event would only confuse.
        reasons.append("disrupted since the last check")
    if due.never:
        reasons.append("never checked")
    elif due.age is not None:
        reasons.append(f"unchecked for {due.age} days")
    return reasons


def _link_columns() -> list[str]:
    """The columns of a link and its two ends that a row and a line show (`.only`)."""
    ends = [f"{end}__{name}" for end in ("function_a", "function_b") for name in FUNCTION_SHOWN]
    return [*LINK_SHOWN, *ends]


def _ordered(p: Partnership, focus_id: int | None) -> tuple[Function, Function]:
    a, b = p.function_a, p.function_b
    if focus_id is not None:
        return (a, b) if a.pk == focus_id else (b, a)
    key_a = (SIDE_ORDER.get(a.category, 2), a.name.casefold())
    key_b = (SIDE_ORDER.get(b.category, 2), b.name.casefold())
    return (a, b) if key_a <= key_b else (b, a)


def _link(p: Partnership, focus_id: int | None, disrupted_on: dict[int, date], today: date) -> Link:
    """The link of `p`, its trend not read (`with_trends`)."""
    first, second = _ordered(p, focus_id)
    checked = p.last_checked_on
    return Link(
        partnership=p,
        first=first,
        second=second,
        trend=None,
        reasons=check_due_reasons(p, disrupted_on, today),
        days_since_check=(today - checked).days if checked else None,
    )


@prepared
def _web_links(organization_id: int, focus_id: int | None) -> QuerySet[Partnership]:
    """The organization's links (only those of `focus_id`), without their check-ins: the picture
    draws every link, the table a page of them (`with_trends`)."""
    partnerships = (
        partnerships_of(organization_id)
        .filter(function_a__organization=organization_id, function_b__organization=organization_id)
        .only(*_link_columns())
    )
    if focus_id is not None:
        partnerships = partnerships.filter(Q(function_a_id=focus_id) | Q(function_b_id=focus_id))
    return partnerships


def web_links(
    organization: Organization,
    *,
    focus_id: int | None = None,
    now: datetime | None = None,
    disrupted_on: dict[int, date] | None = None,
) -> list[Link]:
    """Every link of the organization (or only those of `focus_id`), with flags but no trend (see
    `with_trends`): two queries (one with the `disruption_days` given)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if disrupted_on is None:
        disrupted_on = disruption_days(organization, now=now)
    # Both functions' organization too (it is the link's): PostgreSQL then reads the organization's
    # functions from its index rather than hashing every tenant's (150 links of a 100-function
    # organization beside a 5,000-function one: 8 ms -> 0.5).
    links = [_link(p, focus_id, disrupted_on, today) for p in _web_links(organization.pk, focus_id)]
    links.sort(key=lambda link: (link.first.name.casefold(), link.second.name.casefold()))
    return links


def with_trends(organization: Organization, links: Iterable[Link]) -> list[Link]:
    """`links` with their trends, from their last `TREND_POINTS` check-ins read in one query: a
    table's page of links (the web's picture draws every link and no trend; 300 links' check-ins
    cost a third of it). A row draws no more of a trend than that (its sparkline, its summary and
    the last move), so a link checked in every week for years costs a page what a new one does."""
    links = list(links)  # a page's object list
    readings: dict[int, list[tuple[date, int]]] = {link.partnership.pk: [] for link in links}
    if readings:
        for partnership_id, checked_on, trust in _last_readings(organization.pk, list(readings)):
            readings[partnership_id].append((checked_on, trust))
    return [replace(link, trend=Trend(points=tuple(readings[link.partnership.pk]))) for link in links]


def _last_readings(organization_id: int, partnership_ids: list[int]) -> list[tuple[int, date, int]]:
    """(partnership, day, trust) of each link's last `TREND_POINTS` check-ins, oldest first within
    a link (by day, then as recorded). On PostgreSQL each link's are read from the end of its index
    (`checkin_latest`) and cut there; SQLite reads them all and cuts them here."""
    if connection.vendor != "postgresql":
        found = list(_readings_of(organization_id, partnership_ids))
        kept: dict[int, list[tuple[int, date, int]]] = defaultdict(list)
        for row in found:
            kept[row[0]].append(row)
        return [row for rows in kept.values() for row in rows[-TREND_POINTS:]]
    sql = f"""SELECT x.partnership_id, x.checked_on, x.trust FROM unnest(%s::bigint[]) AS p(id) CROSS JOIN LATERAL (
    SELECT c.partnership_id, c.checked_on, c.trust, c.id FROM {PartnershipCheckIn._meta.db_table} c
    WHERE c.partnership_id = p.id AND c.organization_id = %s
    ORDER BY c.checked_on DESC, c.id DESC LIMIT %s
) x ORDER BY x.partnership_id, x.checked_on, x.id"""  # noqa: S608 (a table name; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [array_text(partnership_ids), organization_id, TREND_POINTS])
        return cursor.fetchall()


@prepared
def _readings_of(organization_id: int, partnership_ids: list[int]) -> QuerySet[Any]:
    return (
        PartnershipCheckIn.objects.filter(organization=organization_id, partnership_id__in=partnership_ids)
        .order_by("checked_on", "id")
        .values_list("partnership_id", "checked_on", "trust")
    )


def focus_on(links: list[Link], focus: Function | None) -> list[Link]:
    """Only the links of `focus`, each with `focus` first, ordered by partner; all links when None."""
    if focus is None:
        return links
    mine = []
    for link in links:
        if link.touches(focus.pk):
            partner = link.second if link.first.pk == focus.pk else link.first
            mine.append(replace(link, first=focus, second=partner))
    mine.sort(key=lambda link: link.second.name.casefold())
    return mine


@dataclass(frozen=True)
class WebStats:
    links: int
    average_trust: float | None
    weak: int
    overdue: int
    disrupted: int


def web_stats(links: Sequence[Link]) -> WebStats:
    """The figures of these links, in one pass (7,500 links in a large web)."""
    trust = weak = overdue = disrupted = 0
    for link in links:
        trust += link.trust
        weak += link.weak
        overdue += link.overdue
        disrupted += link.disrupted
    return WebStats(
        links=len(links),
        average_trust=round(trust / len(links), 1) if links else None,
        weak=weak,
        overdue=overdue,
        disrupted=disrupted,
    )


# --- disruptions ----------------------------------------------------------------------------------------


@prepared(shaped=("bottom", "top"))
def disruptions_page(organization_id: int, bottom: int, top: int) -> QuerySet[Disruption]:
    return disruptions_of(organization_id)[bottom:top]


@prepared
def disruption_count(organization_id: int) -> QuerySet[Any]:
    return count_rows(disruptions_of(organization_id))


@prepared
def latest_disruption(organization_id: int) -> QuerySet[Disruption]:
    """The first of `disruptions_of` (the web's banner)."""
    return first_of(disruptions_of(organization_id))


def disruptions_of(organization: Organization | int) -> QuerySet[Disruption]:
    """Newest first, with who logged them (what each touched: `disruptions.touched`)."""
    return (
        Disruption.objects.filter(organization=organization)
        .select_related("created_by")
        .order_by("-occurred_on", "-id")
    )


def recently_disrupted(
    organization: Organization,
    *,
    now: datetime,
    days: int = UNCHECKED_AFTER_DAYS,
    moments: dict[int, datetime] | None = None,
) -> set[int]:
    """Function ids touched by a disruption that happened within the last `days` days. From the
    `disruption_moments` when given (no query): a function's latest one is within them when any is."""
    since = now - timedelta(days=days)
    if moments is not None:
        return {function_id for function_id, moment in moments.items() if since <= moment <= now}
    return set(
        Disruption.functions.through.objects.filter(
            disruption__organization=organization,
            disruption__effective_at__lte=now,
            disruption__effective_at__gte=since,
        ).values_list("function_id", flat=True)
    )


def functions_for_disruption_form(organization: Organization) -> QuerySet[Function]:
    """Functions with how many people and partnerships a disruption of each would touch."""
    return (
        functions_of(organization)
        .annotate(
            people_count=Count("stakeholders", distinct=True),
            link_count=Count("partnerships_as_a", distinct=True) + Count("partnerships_as_b", distinct=True),
        )
        .order_by("name")
    )


# --- a large web: summarized, filtered and paged (issue 13 item 9) ------------------------------------


class LinkFilter(NamedTuple):
    """Which links of a large web its table lists: those of a function, of a category, needing
    attention (weak or due a check) or holding, or whose functions' names hold `query`."""

    focus_id: int | None = None
    category: str = ""
    show: str = ""  # "attention", "holding" or "" (both)
    query: str = ""


@dataclass(frozen=True)
class LargeWeb:
    """A large web summed up by the database: its links in all, the focused function's, the
    figures of the chosen ones, what the clustered picture sums, and the chosen links a page at a
    time."""

    total: int  # every link of the organization
    mine: int  # the links of the focused function (0 without one)
    stats: WebStats  # of the chosen links
    # (category, category, trust, due, how many links) of the links the picture sums: the focused
    # function's, or all of them
    groups: list[tuple[str, str, int, bool, int]]
    links: Window  # the chosen links as the table's rows (Link), in its order (names, then id)


def large_web(
    organization: Organization, *, now: datetime, disrupted_on: dict[int, date] | None = None, chosen: LinkFilter
) -> LargeWeb:
    """A large web in two statements whatever its number of links: one sums every link by
    (categories, trust, due, disrupted, chosen, mine), from the kept link sums when it can
    (`_kept_summary`); one reads a page of the chosen links with their functions (their check-ins
    are `with_trends`' read). The trust-check rule is judged in SQL (`trust_check_due_sql`), as
    `domain.partnerships.trust_check_due` words it (tests hold the two equal); a page's links are
    worded in Python, as every table row is (`_link`)."""
    today = timezone.localdate(now)
    if disrupted_on is None:
        disrupted_on = disruption_days(organization, now=now)
    where, where_params = _chosen_sql(chosen)
    if chosen.focus_id is None and not chosen.query and linkcounts.readable(today):
        rows = _kept_summary(organization.pk, disrupted_on, today, where, where_params)
    else:
        links_sql, links_params = _judged(organization.pk, disrupted_on, today)
        mine, mine_params = ("a = %s OR b = %s", [chosen.focus_id] * 2) if chosen.focus_id else ("1 = 0", list[Any]())
        sql = f"""{links_sql}
SELECT cat_a, cat_b, trust, due, disrupted,
       CASE WHEN {where} THEN 1 ELSE 0 END, CASE WHEN {mine} THEN 1 ELSE 0 END, COUNT(*)
FROM links GROUP BY 1, 2, 3, 4, 5, 6, 7"""  # noqa: S608 (constants; values are parameters)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*links_params, *where_params, *mine_params])
            rows = cursor.fetchall()
    total = sum(row[-1] for row in rows)
    in_focus = sum(row[-1] for row in rows if row[6])
    picked = [row for row in rows if row[5]]
    links = sum(row[-1] for row in picked)
    trust = sum(row[2] * row[-1] for row in picked)
    stats = WebStats(
        links=links,
        average_trust=round(trust / links, 1) if links else None,
        weak=sum(row[-1] for row in picked if row[2] <= WEAK_TRUST),
        overdue=sum(row[-1] for row in picked if row[3]),
        disrupted=sum(row[-1] for row in picked if row[4]),
    )
    summed = [row for row in rows if row[6]] if chosen.focus_id else rows
    groups = [(cat_a, cat_b, trust, bool(due), n) for cat_a, cat_b, trust, due, _d, _c, _m, n in summed]

    # A page of the table needs the judgement only to filter by it.
    page_sql, page_params = _judged(organization.pk, disrupted_on, today, judged=bool(chosen.show))

    def fetch(offset: int, limit: int | None) -> list[Link]:
        # The page's ids, ordered and cut in SQL, as the partnerships' own statement's condition.
        ids = RawSQL(  # noqa: S611 (constants; values are parameters)
            f"""SELECT id FROM ({page_sql}
SELECT id FROM links WHERE {where} ORDER BY name_a, name_b, id LIMIT %s OFFSET %s) AS page_ids""",  # noqa: S608 (constants; values are parameters)
            [*page_params, *where_params, NO_LIMIT if limit is None else limit, offset],
        )
        partnerships = (
            partnerships_of(organization)
            .filter(pk__in=ids)
            .only(*_link_columns())
            .order_by("function_a__name", "function_b__name", "pk")
        )
        return [_link(p, chosen.focus_id, disrupted_on, today) for p in partnerships]

    return LargeWeb(total, in_focus, stats, groups, Window(lambda: links, fetch))


def _kept_summary(
    organization_id: int, disrupted_on: dict[int, date], today: date, where: str, where_params: list[Any]
) -> list[tuple[Any, ...]]:
    """`large_web`'s sums (no focus, no name searched) from the links' kept sums (roles.linkcounts),
    judged by each link's own facts, corrected for the links an end's disruption after their last
    check makes due and disrupted: those are read one by one, from the disrupted functions' side
    (two index reads), counted out as the kept rows judge them and in as due and disrupted. The
    same rows as `_judged`'s statement, from rows bounded whatever the number of links (decision
    0018: 22.6 -> 12.2 ms for `large_web` at 7,500 links, timed alternately).

    A flagged link is left out of the correction: the kept rows judge it due and disrupted
    already, so counting it out and in again changed nothing. Applying a disruption flags the
    links of what it touched, so the links read one by one are the unflagged ones, found by end
    and check day in two partial indexes (`partnership_a_unflagged`, `partnership_b_unflagged`)
    rather than by end alone, each then read for its day: the statement 8.3 -> 5.8 ms at 7,500
    links, and 22.5 -> 13.6 ms under two years of disruptions (150 touching 3,000 functions);
    what remains grows with the functions ever disrupted (an index probe each)."""
    # The days as two arrays: two parameters, not two per function (628 at 5,000 functions).
    ordered = sorted(disrupted_on.items())
    days_sql = "days(function_id, day) AS (SELECT * FROM unnest(%s::bigint[], %s::date[]))"
    days_params: list[Any] = [array_text(f for f, _ in ordered), array_text(d for _, d in ordered)]
    function, partnership = Function._meta.db_table, Partnership._meta.db_table
    cutoff = today - timedelta(days=UNCHECKED_AFTER_DAYS)
    columns = "p.id, p.function_a_id, p.function_b_id, p.trust, p.needs_trust_check, p.last_checked_on"
    sql = f"""WITH {days_sql},
kept AS ({linkcounts.kept_sql()}),
later AS (
    SELECT DISTINCT t.* FROM days d CROSS JOIN LATERAL (
        SELECT {columns} FROM {partnership} p
         WHERE p.function_a_id = d.function_id AND p.last_checked_on < d.day AND NOT p.needs_trust_check
           AND p.organization_id = %s
        UNION ALL
        SELECT {columns} FROM {partnership} p
         WHERE p.function_b_id = d.function_id AND p.last_checked_on < d.day AND NOT p.needs_trust_check
           AND p.organization_id = %s
    ) t
),
moved AS (
    SELECT fa.category AS cat_a, fb.category AS cat_b, p.trust,
           CASE WHEN {trust_check_due_sql("p.last_checked_on", "p.needs_trust_check")} THEN 1 ELSE 0 END AS due,
           CASE WHEN {trust_check_disrupted_sql("p.last_checked_on", "p.needs_trust_check")} THEN 1 ELSE 0 END
           AS disrupted
    FROM later p
    JOIN {function} fa ON fa.id = p.function_a_id
    JOIN {function} fb ON fb.id = p.function_b_id
),
links AS (
    SELECT cat_a, cat_b, trust, due, disrupted, n FROM kept
    UNION ALL SELECT cat_a, cat_b, trust, due, disrupted, -1 FROM moved
    UNION ALL SELECT cat_a, cat_b, trust, 1, 1, 1 FROM moved
)
SELECT cat_a, cat_b, trust, due, disrupted, CASE WHEN {where} THEN 1 ELSE 0 END, 0, SUM(n)
FROM links GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING SUM(n) <> 0
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, COUNT(*) FROM kept WHERE NOT folded"""  # noqa: S608 (constants; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [*days_params, cutoff, organization_id, organization_id, organization_id, cutoff, *where_params]
        )
        rows = cursor.fetchall()
    unfolded = next(row[-1] for row in rows if row[0] is None)
    if unfolded > linkcounts.COMPACT_AT:
        linkcounts.fold(organization_id)
    return [(*row[:-1], int(row[-1])) for row in rows if row[0] is not None]


def _judged(
    organization_id: int, disrupted_on: dict[int, date], today: date, *, judged: bool = True
) -> tuple[str, list[Any]]:
    """A WITH clause of the organization's links (`links`), each with its functions' categories and
    names, and judged as `trust_check_due` judges it: `due` (never checked, flagged, checked
    `UNCHECKED_AFTER_DAYS` days ago or more, or an end disrupted on a later day than the check) and
    `disrupted` (flagged, or an end disrupted since the check), 1 or 0. The ends' disruption days
    are the page's own (`disruption_days`), sent as a table of constants; `judged=False` leaves
    them and the two columns out. The links are read from the first function's side, in the
    order of its name index (`function_org_name`): a page of the table, ordered by the two names,
    is then read from the first few functions, not sorted out of every link (1 ms against 11 at
    7,500 links)."""
    days_sql, days_params = values_table(
        "days", [("function_id", "BIGINT"), ("day", "DATE")], sorted(disrupted_on.items()) if judged else []
    )
    later = disrupted_after_sql("p.last_checked_on", "da.day", "db.day")
    columns = (
        f""",
           CASE WHEN {trust_check_due_sql("p.last_checked_on", "p.needs_trust_check", later)}
                THEN 1 ELSE 0 END AS due,
           CASE WHEN {trust_check_disrupted_sql("p.last_checked_on", "p.needs_trust_check", later)}
                THEN 1 ELSE 0 END AS disrupted"""
        if judged
        else ""
    )
    days = (
        """
    LEFT JOIN days da ON da.function_id = p.function_a_id
    LEFT JOIN days db ON db.function_id = p.function_b_id"""
        if judged
        else ""
    )
    function, partnership = Function._meta.db_table, Partnership._meta.db_table
    sql = f"""WITH {days_sql},
links AS (
    SELECT p.id, p.function_a_id AS a, p.function_b_id AS b, fa.category AS cat_a, fb.category AS cat_b,
           fa.name AS name_a, fb.name AS name_b, p.trust, p.last_checked_on, p.needs_trust_check{columns}
    FROM {function} fa
    JOIN {partnership} p ON p.function_a_id = fa.id AND p.organization_id = fa.organization_id
    JOIN {function} fb ON fb.id = p.function_b_id AND fb.organization_id = fa.organization_id{days}
    WHERE fa.organization_id = %s
)"""  # noqa: S608 (table names; values are parameters)
    cutoff = [today - timedelta(days=UNCHECKED_AFTER_DAYS)] if judged else []
    return sql, [*days_params, *cutoff, organization_id]


def _chosen_sql(chosen: LinkFilter) -> tuple[str, list[Any]]:
    """The filter of a large web's table as a condition on `links` (`_judged`)."""
    parts: list[str] = ["1 = 1"]
    params: list[Any] = []
    if chosen.focus_id:
        parts.append("(a = %s OR b = %s)")
        params += [chosen.focus_id, chosen.focus_id]
    if chosen.category:
        parts.append("(cat_a = %s OR cat_b = %s)")
        params += [chosen.category, chosen.category]
    if chosen.show:
        parts.append("(trust <= %s OR due = 1)" if chosen.show == "attention" else "(trust > %s AND due = 0)")
        params.append(WEAK_TRUST)
    if chosen.query:
        pattern = like_pattern(chosen.query)
        parts.append(f"({contains_sql('name_a')} OR {contains_sql('name_b')})")
        params += [pattern, pattern]
    return " AND ".join(parts), params
