"""Score charts as plain geometry (issue 5): the dashboard's sparklines, the trend chart with its
disruption markers, and the same trend in the PDF report. Templates draw the SVG from these
numbers; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

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
    """Scores evenly spaced left to right (oldest first); a single score is a dot at the right."""
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
) -> TrendChart:
    """Each series' scores on a shared time axis, with disruption markers on the same axis.

    `series` is (name, [(moment, score), …]) per product; `markers` (moment, label) per
    disruption, numbered from 1 in the order given. Moments outside the series' span are
    clamped to its edges so a disruption just before the first snapshot still shows.
    """
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
