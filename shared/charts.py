"""Every chart as plain geometry, in one module (issue 17): the dashboard's sparklines, the score
trend with its disruption markers (the dashboard and the PDF report, issue 5), a campaign's
burn-up, a partnership's trust over time, and a report's score dial. Templates draw the SVG from
these numbers; nothing here touches the database.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from django.utils import timezone

from domain.coverage.bands import FAIR, GOOD, POOR, score_band
from domain.review_state import format_day

# Lines are coloured with SVG presentation attributes (not classes) so the same partial draws
# on a page and in WeasyPrint, whose SVG renderer does not see the page's stylesheets.
PALETTE = ("#3730a3", "#c2410c", "#0f766e", "#9d174d", "#0369a1", "#4d7c0f", "#7e22ce", "#b45309")


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int
    label: str = ""


@dataclass(frozen=True)
class Sparkline:
    width: float
    height: float
    points: tuple[Point, ...]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)

    @property
    def last(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def delta(self) -> int | None:
        """Change since the previous snapshot (None with fewer than two)."""
        if len(self.points) < 2:
            return None
        return self.points[-1].value - self.points[-2].value


def _y(score: float, top: float, bottom: float) -> float:
    """Scores are 0 to 100 on every chart, so two charts side by side compare honestly."""
    return round(bottom - (bottom - top) * max(0.0, min(score, 100.0)) / 100, 1)


def sparkline(scores: Sequence[int], *, width: float = 120, height: float = 30, pad: float = 3) -> Sparkline:
    """Scores evenly spaced left to right (oldest first); a single score is a dot at the right.
    Drawn once per series of scores (`_sparkline`: the dashboard draws the same ten on every load)."""
    return _sparkline(tuple(scores), width, height, pad)


@functools.lru_cache(maxsize=256)
def _sparkline(scores: tuple[int, ...], width: float, height: float, pad: float) -> Sparkline:
    n = len(scores)
    step = (width - 2 * pad) / (n - 1) if n > 1 else 0.0
    points = tuple(
        Point(x=round(pad + (i * step if n > 1 else width - 2 * pad), 1), y=_y(s, pad, height - pad), value=s)
        for i, s in enumerate(scores)
    )
    return Sparkline(width=width, height=height, points=points)


@dataclass(frozen=True)
class TrendLine:
    name: str
    colour: str
    points: tuple[Point, ...]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)

    @property
    def last(self) -> Point | None:
        return self.points[-1] if self.points else None


@dataclass(frozen=True)
class Marker:
    """A disruption on the time axis; `number` ties the chart's flag to the timeline's entry."""

    x: float
    number: int
    label: str


@dataclass(frozen=True)
class Tick:
    at: float
    label: str
    anchor: str = "middle"  # the edge labels hang inside the chart


@dataclass(frozen=True)
class TrendChart:
    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    lines: tuple[TrendLine, ...]
    markers: tuple[Marker, ...] = ()
    x_ticks: tuple[Tick, ...] = ()
    y_ticks: tuple[Tick, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not any(line.points for line in self.lines)

    @property
    def y_label_x(self) -> float:
        return self.left - 6

    @property
    def x_label_y(self) -> float:
        return self.height - 8

    @property
    def flag_y(self) -> float:
        return self.top + 2


def trend_chart(
    series: Sequence[tuple[str, Sequence[tuple[datetime, int]]]],
    *,
    markers: Sequence[tuple[datetime, str]] = (),
    width: float = 720,
    height: float = 220,
    zone: tzinfo | None = None,
) -> TrendChart:
    """Each series' scores on a shared time axis, with disruption markers on the same axis.

    `series` is (name, [(moment, score), …]) per product; `markers` (moment, label) per
    disruption, numbered from 1 in the order given. Moments outside the series' span are
    clamped to its edges so a disruption just before the first snapshot still shows. With a
    `zone`, the moments (aware ones) are first taken to it (`timezone.localtime`: the days the
    labels name are that zone's).

    A chart is a function of these arguments alone, so each is drawn once (`_trend_chart`, a
    bounded memo): the dashboard's ten products of 30 snapshots cost 2.7 ms to lay out on every
    load, though they change only when a report is built or a disruption logged.
    """
    # Each moment's zone is part of the key: moments equal as instants (20:00 UTC, 05:00 in Tokyo
    # the next day) name different days.
    return _trend_chart(
        tuple((name, tuple((moment, moment.tzinfo, score) for moment, score in values)) for name, values in series),
        tuple((moment, moment.tzinfo, label) for moment, label in markers),
        width,
        height,
        zone,
    )


@functools.lru_cache(maxsize=64)
def _trend_chart(
    keyed: tuple[tuple[str, tuple[tuple[datetime, tzinfo | None, int], ...]], ...],
    keyed_markers: tuple[tuple[datetime, tzinfo | None, str], ...],
    width: float,
    height: float,
    zone: tzinfo | None,
) -> TrendChart:
    def local(moment: datetime) -> datetime:
        return timezone.localtime(moment, zone) if zone is not None else moment

    series = [(name, [(local(m), score) for m, _zone, score in values]) for name, values in keyed]
    markers = [(local(m), label) for m, _zone, label in keyed_markers]
    left, right, top, bottom = 34.0, width - 12.0, 12.0, height - 26.0
    moments = [m for _, values in series for m, _ in values] + [m for m, _ in markers]
    start, end = (min(moments), max(moments)) if moments else (None, None)

    def x_of(moment: datetime) -> float:
        if start is None or end is None or end == start:
            return round((left + right) / 2, 1)
        share = (moment - start) / (end - start)
        return round(left + (right - left) * max(0.0, min(1.0, share)), 1)

    lines = tuple(
        TrendLine(
            name=name,
            colour=PALETTE[i % len(PALETTE)],
            points=tuple(Point(x_of(m), _y(score, top, bottom), score, f"{m:%d %b}") for m, score in values),
        )
        for i, (name, values) in enumerate(series)
    )
    flags = tuple(Marker(x_of(m), i, label) for i, (m, label) in enumerate(markers, start=1))
    y_ticks = tuple(Tick(_y(v, top, bottom), str(v)) for v in (0, 25, 50, 75, 100))
    return TrendChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        lines=lines,
        markers=flags,
        x_ticks=_x_ticks(start, end, x_of),
        y_ticks=y_ticks,
    )


def _x_ticks(start: datetime | None, end: datetime | None, x_of) -> tuple[Tick, ...]:
    if start is None or end is None:
        return ()
    if end == start:
        return (Tick(x_of(start), f"{start:%d %b}"),)
    count = 5
    moments = [start + (end - start) * i / (count - 1) for i in range(count)]
    fmt = "%d %b %H:%M" if (end - start).days < 2 else "%d %b"
    anchors = ["start"] + ["middle"] * (count - 2) + ["end"]
    return tuple(Tick(x_of(m), m.strftime(fmt), a) for m, a in zip(moments, anchors, strict=True))


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    value: int
    day: date


@dataclass(frozen=True)
class BurnUp:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    total: int
    points: tuple[ChartPoint, ...]
    ticks: tuple[tuple[float, str], ...]  # (y, label) for the value axis
    x_labels: tuple[tuple[float, str], ...]
    deadline_x: float | None
    today_x: float | None

    @property
    def line(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)

    @property
    def area(self) -> str:
        if not self.points:
            return ""
        return f"{self.points[0].x},{self.bottom} {self.line} {self.points[-1].x},{self.bottom}"

    @property
    def total_y(self) -> float:
        return self.top

    @property
    def tick_x(self) -> float:
        return self.left - 8

    @property
    def today_anchor(self) -> str:
        """The "today" label reads away from the nearer edge: clear of the value axis's top label."""
        return "start" if self.today_x is not None and self.today_x < (self.left + self.right) / 2 else "end"

    @property
    def last(self) -> ChartPoint | None:
        return self.points[-1] if self.points else None


def burnup_chart(
    *,
    start: date,
    deadline: date,
    today: date,
    values: Sequence[int],
    total: int,
    width: int = 640,
    height: int = 260,
) -> BurnUp:
    """Coordinates of the burn-up: `values[i]` is the count at the end of day `start + i`.

    The x axis spans the whole campaign (start to deadline), so the line's distance from the
    top right corner shows how far there is to go.
    """
    left, right, top, bottom = 44.0, width - 14.0, 14.0, height - 28.0
    span = max((deadline - start).days, 1)
    ceiling = max(total, max(values, default=0), 1)

    def x_of(day: date) -> float:
        return round(left + (right - left) * (day - start).days / span, 1)

    def y_of(value: int) -> float:
        return round(bottom - (bottom - top) * value / ceiling, 1)

    points = tuple(
        ChartPoint(x_of(start + timedelta(days=i)), y_of(v), v, start + timedelta(days=i)) for i, v in enumerate(values)
    )
    ticks = tuple((y_of(v), str(v)) for v in sorted({0, ceiling // 2, ceiling}))
    labels = [(x_of(start), _short_day(start)), (x_of(deadline), _short_day(deadline))]
    return BurnUp(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        total=total,
        points=points,
        ticks=ticks,
        x_labels=tuple(labels),
        deadline_x=x_of(deadline),
        today_x=x_of(today) if start <= today <= deadline else None,
    )


def _short_day(day: date) -> str:
    return f"{day.day} {day.strftime('%b')}"


# ---------------------------------------------------------------- a partnership's trust over time


@dataclass(frozen=True)
class TrustDot:
    x: float
    y: float
    trust: int
    day: date


@dataclass(frozen=True)
class TrustChart:
    width: int
    height: int
    dots: tuple[TrustDot, ...]
    y_ticks: tuple[tuple[float, int], ...]  # (y, trust level)
    x_ticks: tuple[tuple[float, str], ...]  # (x, "3 Nov 2025")

    @property
    def points(self) -> str:
        return " ".join(f"{d.x:.1f},{d.y:.1f}" for d in self.dots)

    @property
    def left(self) -> int:
        return TRUST_PAD_L

    @property
    def right(self) -> int:
        return self.width - TRUST_PAD_R


TRUST_PAD_L, TRUST_PAD_R, TRUST_PAD_T, TRUST_PAD_B = 30, 16, 12, 26


def trust_chart(readings: Sequence[tuple[date, int]], *, width: int = 560, height: int = 170) -> TrustChart:
    """Trust readings (oldest first) on a time axis: trust 1 at the bottom, 5 at the top."""
    inner_w = width - TRUST_PAD_L - TRUST_PAD_R
    inner_h = height - TRUST_PAD_T - TRUST_PAD_B

    def y_of(trust: int) -> float:
        return round(TRUST_PAD_T + inner_h - (trust - 1) / 4 * inner_h, 1)

    y_ticks = tuple((y_of(level), level) for level in range(1, 6))
    if not readings:
        return TrustChart(width, height, (), y_ticks, ())
    first, last = readings[0][0], readings[-1][0]
    span = (last - first).days

    def x_of(day: date) -> float:
        if not span:
            return round(TRUST_PAD_L + inner_w / 2, 1)
        return round(TRUST_PAD_L + (day - first).days / span * inner_w, 1)

    dots = tuple(TrustDot(x_of(day), y_of(trust), trust, day) for day, trust in readings)
    days = [first] if not span else [first, last]
    x_ticks = tuple((x_of(day), format_day(day)) for day in days)
    return TrustChart(width, height, dots, y_ticks, x_ticks)


# ---------------------------------------------------------------- a report's score dial

DIAL_COLOURS = {GOOD: "#067647", FAIR: "#b54708", POOR: "#b42318"}  # the badges' colours, as SVG attributes


def dial(score: int, radius: float = 44) -> dict[str, Any]:
    """The score's arc on a 100 by 100 dial: a dash as long as the score's share of the circle."""
    circumference = 2 * math.pi * radius
    colour = DIAL_COLOURS[score_band(score)]
    return {"circumference": round(circumference, 2), "dash": round(circumference * score / 100, 2), "colour": colour}
