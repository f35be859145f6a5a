"""Geometry of the results pages' charts, kept apart from the SVG markup (templates/results/
_charts.html) so it can be tested: where a bar segment, a dot or an interval falls, as a
percentage of the plot's width.

Every chart is drawn in percentages of its width (SVG accepts `x="25%"`), so the same markup
fills a phone and a desktop column without scaling its text: the labels are HTML beside it.
Colours are colour-blind safe and stay apart when printed in grey: ColorBrewer's RdBu
diverging scheme for scales (darker at both ends, the side tells them apart), Okabe-Ito for
groups, and black dots with grey intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# ColorBrewer RdBu, 5 classes (the neutral a light grey so it shows on white), and for 7 points.
DIVERGING = {
    3: ("#ca0020", "#d9d9d9", "#0571b0"),
    4: ("#ca0020", "#f4a582", "#92c5de", "#0571b0"),
    5: ("#ca0020", "#f4a582", "#d9d9d9", "#92c5de", "#0571b0"),
    6: ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"),
    7: ("#b2182b", "#ef8a62", "#fddbc7", "#d9d9d9", "#d1e5f0", "#67a9cf", "#2166ac"),
}
OKABE_ITO = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000")
DOT = "#000000"
INTERVAL = "#595959"


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


@dataclass(frozen=True)
class Segment:
    """One option's part of a stacked bar: from `x` (percent of the width), `width` wide."""

    x: float
    width: float
    colour: str
    label: str
    text: str


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class Axis:
    """A linear scale from `low` to `high` onto 0-100 percent of the plot's width."""

    low: float
    high: float

    def x(self, value: float) -> float:
        span = self.high - self.low
        position = (value - self.low) / span * 100.0 if span > 0 else 50.0
        return round(min(100.0, max(0.0, position)), 2)


@dataclass(frozen=True)
class Dot:
    """An estimate and its interval on an axis; `x` is None for a suppressed figure."""

    x: float | None
    x_low: float | None
    x_high: float | None
    colour: str = DOT


def dot(axis: Axis, value: float, low: float, high: float, colour: str = DOT) -> Dot:
    if not _finite(value):
        return Dot(None, None, None, colour)
    return Dot(
        axis.x(value),
        axis.x(low) if _finite(low) else None,
        axis.x(high) if _finite(high) else None,
        colour,
    )


@dataclass(frozen=True)
class Pair:
    """Two figures of the same respondents on one axis, joined by a line from the first to the
    second, with the interval of their difference drawn from the first: where the second lies,
    give or take chance. The difference is significant when that interval leaves out the
    first figure. All None when a figure is suppressed (nothing is drawn)."""

    x_from: float | None
    x_to: float | None
    x_low: float | None
    x_high: float | None


def pair(axis: Axis, first: float, second: float, low: float, high: float) -> Pair:
    """`first` and `second` (e.g. acceptance without and with conditions), and the interval
    `low`-`high` of `second - first` placed at `first + low` to `first + high`."""
    if not all(_finite(v) for v in (first, second, low, high)):
        return Pair(None, None, None, None)
    return Pair(axis.x(first), axis.x(second), axis.x(first + low), axis.x(first + high))


def diverging_span(bars: Sequence[Sequence[float]]) -> float:
    """Half-width of a diverging axis that holds every bar (shares of the substantive options
    in scale order), rounded up to a quarter, at most 1."""
    widest = 0.0
    for shares in bars:
        left, right = _sides([s if _finite(s) else 0.0 for s in shares])
        widest = max(widest, left, right)
    return min(1.0, max(0.25, math.ceil(widest * 4 - 1e-9) / 4))


def _sides(shares: Sequence[float]) -> tuple[float, float]:
    """How far a diverging bar reaches left and right of the centre: the negative options and
    half the neutral one (an odd number of options has one in the middle)."""
    k = len(shares)
    half = k // 2
    middle = shares[half] / 2 if k % 2 else 0.0
    return sum(shares[:half]) + middle, sum(shares[k - half :]) + middle


def diverging_bar(
    shares: Sequence[float], labels: Sequence[str], texts: Sequence[str], span: float
) -> list[Segment]:
    """Segments of a diverging stacked bar: the options of a scale in order, the negative ones
    left of the centre line (50%), the positive ones right, a neutral middle option across it.
    A suppressed share (NaN) takes no width; its row in the table says why."""
    k = len(shares)
    colours = DIVERGING.get(k) or tuple(OKABE_ITO[i % len(OKABE_ITO)] for i in range(k))
    clean = [s if _finite(s) else 0.0 for s in shares]
    left, _ = _sides(clean)
    axis = Axis(-span, span)
    position = -left
    segments = []
    for share, colour, label, text in zip(clean, colours, labels, texts, strict=True):
        start = axis.x(position)
        end = axis.x(position + share)
        segments.append(Segment(start, round(end - start, 2), colour, label, text))
        position += share
    return segments


def diverging_ticks(span: float, percent: str = "{}%") -> list[Tick]:
    """Ticks of a diverging axis: 0 in the middle, the shares either side as positive numbers."""
    axis = Axis(-span, span)
    steps = [-span, -span / 2, 0.0, span / 2, span] if span in (0.5, 1.0) else [-span, 0.0, span]
    return [Tick(axis.x(v), percent.format(round(abs(v) * 100))) for v in steps]


def share_axis(highs: Sequence[float]) -> Axis:
    """0 to 100%, or to a round 25% step above the largest interval end when all are small."""
    top = max([h for h in highs if _finite(h)], default=1.0)
    return Axis(0.0, min(1.0, max(0.25, math.ceil(top * 4 - 1e-9) / 4)))


def difference_axis(values: Sequence[float], symmetric: bool = True) -> Axis:
    """Symmetric around 0, wide enough for every difference and interval end; or, not
    `symmetric`, from 0 or the lowest value to 0 or the highest (differences of one sign use
    the whole width), in steps of 5 or 10 points."""
    finite = [v for v in values if _finite(v)]
    widest = max([abs(v) for v in finite], default=0.1)
    step = 0.05 if widest <= 0.2 else 0.1
    if not symmetric:
        low = math.ceil(max(0.0, -min(finite, default=0.0)) / step - 1e-9) * step
        high = math.ceil(max(0.0, max(finite, default=0.0)) / step - 1e-9) * step
        return Axis(-round(low, 2), round(max(high, step), 2))
    span = max(step, math.ceil(widest / step - 1e-9) * step)
    return Axis(-span, span)


def number_axis(values: Sequence[float]) -> Axis:
    """From the lowest to the highest value, padded to whole numbers."""
    finite = [v for v in values if _finite(v)]
    if not finite:
        return Axis(0.0, 1.0)
    low, high = math.floor(min(finite)), math.ceil(max(finite))
    return Axis(float(low), float(high if high > low else low + 1))


def share_ticks(axis: Axis) -> list[Tick]:
    """Ticks of a share axis at round percentages: every 25, 10 or 5."""
    step = 0.25 if axis.high > 0.5 else (0.1 if axis.high > 0.25 else 0.05)
    return ticks(axis, max(1, round((axis.high - axis.low) / step)), "{}%", 100)


def difference_ticks(axis: Axis) -> list[Tick]:
    """Ticks of a difference axis (`difference_axis`) in signed percentage points ("−10", "0",
    "+10"), at most 7, every 5, 10, 20, 25 or 50 points from its low end."""
    span = axis.high - axis.low
    values = [axis.low, 0.0, axis.high] if axis.low < 0 < axis.high else [axis.low, axis.high]
    for step in (0.05, 0.1, 0.2, 0.25, 0.5):
        count, start = span / step, axis.low / step
        if round(count) <= 6 and abs(count - round(count)) + abs(start - round(start)) < 1e-6:
            values = [axis.low + i * step for i in range(round(count) + 1)]
            break
    out = []
    for value in values:
        whole = round(value * 100)
        sign = "+" if whole > 0 else ("−" if whole < 0 else "")
        out.append(Tick(axis.x(value), f"{sign}{abs(whole)}"))
    return out


def ticks(axis: Axis, count: int, label: str = "{}", scale: float = 1.0) -> list[Tick]:
    """`count`+1 evenly spaced ticks; `scale` turns a share into percent points (100)."""
    out = []
    for i in range(count + 1):
        value = axis.low + (axis.high - axis.low) * i / count
        shown = value * scale
        number = round(shown) if abs(shown - round(shown)) < 1e-6 else round(shown, 1)
        out.append(Tick(axis.x(value), label.format(number)))
    return out
