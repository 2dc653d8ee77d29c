"""Bar charts drawn on the server as SVG geometry (no JavaScript library): the template
`charts.html` turns a `BarChart` into inline SVG; every chart is also shown as a data table
for screen readers. Coordinates are SVG user units (the viewBox is WIDTH x HEIGHT)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 220
LABEL_SPACE = 40
"""Below the bars, for the labels."""
TOP = 20
"""Above the tallest bar, for its value."""


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    shown: str
    """The value as written on the chart."""
    x: float
    y: float
    width: float
    height: float
    secondary_height: float = 0.0
    """Height of the part of the bar drawn in the second colour (e.g. resolved calls)."""


@dataclass(frozen=True, slots=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]
    width: int = WIDTH
    height: int = HEIGHT
    label_every: int = 1
    """Write one label every N bars (long series)."""

    @property
    def baseline(self) -> int:
        return self.height - LABEL_SPACE


def bar_chart(title: str, items: Sequence[tuple[str, float]],
              secondary: Sequence[float] | None = None, unit: str = "") -> BarChart:
    """Vertical bars for (label, value) items; `secondary` gives, per item, the part of the
    value drawn in the second colour."""
    count = max(1, len(items))
    slot = WIDTH / count
    peak = max((value for _, value in items), default=0) or 1
    room = HEIGHT - LABEL_SPACE - TOP
    bars = []
    for index, (label, value) in enumerate(items):
        height = room * value / peak
        part = room * secondary[index] / peak if secondary is not None else 0.0
        shown = f"{value:g}{unit}"
        bars.append(Bar(label, value, shown, x=index * slot + slot * 0.15,
                        y=HEIGHT - LABEL_SPACE - height, width=slot * 0.7, height=height,
                        secondary_height=part))
    return BarChart(title, tuple(bars), label_every=max(1, len(items) // 10))


def hbar_chart(title: str, items: Sequence[tuple[str, float]]) -> BarChart:
    """Horizontal bars (long labels such as transfer reasons): `x` is where the bar starts,
    `width` its length; labels are written above each bar."""
    row = 34
    peak = max((value for _, value in items), default=0) or 1
    bars = tuple(
        Bar(label, value, f"{value:g}", x=0, y=index * row + 16, width=(WIDTH - 60) * value / peak,
            height=row - 20)
        for index, (label, value) in enumerate(items))
    return BarChart(title, bars, height=max(row, row * len(items)))
