"""Chart geometry for inline SVG: numbers only; the templates draw (and escape) them.

Charts are SVG in the page, so they read without JavaScript, print, and scale to a phone's
width through the viewBox.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ccmtool.site.data import BOUND, Fact, Instrument, Meeting

COLOURS = ("#0b5394", "#b45f06", "#38761d", "#741b47")
BAR_H = 16


@dataclass
class Bar:
    label: str
    title: str
    href: str
    label_x: float
    label_y: float
    bar_x: float
    bar_y: float
    recorded_w: float
    reported_w: float | None
    value_x: float
    value: str


@dataclass
class BarChart:
    width: int
    height: int
    narrow: bool
    anchor: str  # text-anchor of the labels
    bar_h: int
    bars: list[Bar]
    ticks: list[tuple[float, int]] = field(default_factory=list)
    axis_top: float = 0
    axis_bottom: float = 0


def _nice_max(value: int) -> int:
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= step * 6:
            return max(step, -(-value // step) * step)
    return value


def participation(meetings: list[Meeting], root: str, *, narrow: bool = False) -> BarChart:
    """Recorded against reported participation, one bar per meeting in date order.

    Wide: labels beside the bars. Narrow (a phone): labels above the bars, so the text stays
    legible when the chart is scaled down to the screen's width.
    """
    width, label_w, value_w, row_h = (360, 8, 74, 38) if narrow else (720, 150, 110, 24)
    top = _nice_max(max([1] + [max(m.main_reported or 0, len(m.present)) for m in meetings]))
    area = width - label_w - value_w
    bars = []
    for i, m in enumerate(meetings):
        recorded = len(m.present)
        reported = m.main_reported
        value = (
            f"{recorded} of {reported}" if reported is not None else f"{recorded} (none reported)"
        )
        y = i * row_h + (18 if narrow else 4)
        recorded_w = round(area * recorded / top, 1)
        reported_w = None if reported is None else round(area * reported / top, 1)
        bars.append(
            Bar(
                label=m.short,
                title=f"{m.name}: {recorded} recorded"
                + (f" of {reported} reported" if reported is not None else ""),
                href=f"{root}meetings/{m.page}",
                label_x=0 if narrow else label_w - 8,
                label_y=y - 5 if narrow else y + BAR_H - 4,
                bar_x=label_w,
                bar_y=y,
                recorded_w=recorded_w,
                reported_w=reported_w,
                value_x=label_w + max(recorded_w, reported_w or 0) + 6,
                value=value,
            )
        )
    step = top // 5 if top >= 5 else 1
    ticks = [(label_w + round(area * v / top, 1), v) for v in range(0, top + 1, step)]
    bottom = len(meetings) * row_h + (8 if narrow else 4)
    return BarChart(
        width,
        bottom + 24,
        narrow,
        "start" if narrow else "end",
        BAR_H,
        bars,
        ticks,
        axis_top=0 if not narrow else 4,
        axis_bottom=bottom,
    )


@dataclass
class Series:
    name: str
    colour: str
    points: str  # SVG polyline points
    total: int
    undated: int


@dataclass
class LineChart:
    width: int
    height: int
    left: int
    top: int
    plot_w: float
    plot_h: float
    series: list[Series]
    years: list[tuple[float, str]]
    levels: list[tuple[float, int]]


def _when(date: str) -> float:
    """A date at any precision as a fractional year, at the start of its period."""
    year = int(date[:4])
    month = int(date[5:7]) if len(date) >= 7 else 1
    day = int(date[8:10]) if len(date) >= 10 else 1
    return year + (month - 1) / 12 + (day - 1) / 365


def _series_facts(instrument: Instrument) -> list[tuple[str, list[Fact]]]:
    by = instrument.by_record()
    out = []
    for name, records in (
        ("endorsed", ("endorsed",)),
        ("signed", ("signed",)),
        ("bound (ratified, acceded, approved, accepted)", BOUND),
        ("withdrew", ("withdrew",)),
    ):
        facts = [f for r in records for f in by.get(r, [])]
        if facts:
            out.append((name, facts))
    return out


def over_time(instrument: Instrument) -> LineChart | None:
    """Cumulative endorsers, signatories and parties by date; undated facts are counted aside."""
    groups = _series_facts(instrument)
    dated = [_when(f.date) for _, facts in groups for f in facts if f.date]
    if not dated:
        return None
    first, last = int(min(dated)), int(max(dated)) + 1
    if last - first < 2:
        last = first + 2
    top = _nice_max(max(sum(1 for f in facts if f.date) for _, facts in groups))
    left, margin_top, plot_w, plot_h = 44, 10, 540.0, 220.0

    def x(when: float) -> float:
        return round(left + plot_w * (when - first) / (last - first), 1)

    def y(n: int) -> float:
        return round(margin_top + plot_h * (1 - n / top), 1)

    series = []
    for i, (name, facts) in enumerate(groups):
        whens = sorted(_when(f.date) for f in facts if f.date)
        points = [(x(first), y(0))]
        for n, when in enumerate(whens, start=1):
            points.append((x(when), points[-1][1]))
            points.append((x(when), y(n)))
        points.append((x(last), points[-1][1]))
        series.append(
            Series(
                name=name,
                colour=COLOURS[i % len(COLOURS)],
                points=" ".join(f"{px},{py}" for px, py in points),
                total=len(whens),
                undated=len(facts) - len(whens),
            )
        )
    span = last - first
    every = 1 if span <= 8 else 2 if span <= 16 else 5
    years = [(x(year), str(year)) for year in range(first, last + 1, every)]
    step = max(1, top // 4)
    levels = [(y(n), n) for n in range(0, top + 1, step)]
    height = int(margin_top + plot_h + 30)
    return LineChart(
        left + int(plot_w) + 16, height, left, margin_top, plot_w, plot_h, series, years, levels
    )
