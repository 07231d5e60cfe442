"""Small SVG charts drawn as strings: cheap enough to redraw at every frame of an animation."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

PALETTE = ("#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f")
"""Tableau 10 without its grey; colours are given out by position, never at random."""

FONT = "font-family='sans-serif' font-size='11'"


def colour(index: int) -> str:
    """The palette's colour for position `index`."""
    return PALETTE[index % len(PALETTE)]


@dataclass
class Marker:
    """A point drawn over a chart, with a hover title."""

    x: float
    y: float
    colour: str
    title: str


@dataclass
class LineChart:
    """A chart of series over steps.

    Attributes:
        title: Heading inside the chart.
        x: Shared x values (steps).
        series: Name to values (None for a gap), each as long as `x`.
        colours: Name to colour.
        y_low: Bottom of the y axis.
        y_high: Top of the y axis.
        y_ticks: (value, label) pairs on the y axis.
        rules: Horizontal reference lines as (y, label).
        markers: Points drawn over the lines.
        stepped: Draw series as steps (a rung holds until the next move).
        x_label: Axis title under the chart.
    """

    title: str
    x: Sequence[float]
    series: dict[str, Sequence[float | None]]
    colours: dict[str, str]
    y_low: float = 0.0
    y_high: float = 1.0
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    rules: list[tuple[float, str]] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    stepped: bool = False
    x_label: str = "step"
    width: int = 560
    height: int = 230
    left: int = 150

    def svg(self) -> str:
        """The chart as an ``<svg>`` element."""
        top, bottom = 40, 34
        right = 120 if self.rules else 20
        plot_w, plot_h = self.width - self.left - right, self.height - top - bottom
        x_max = max(max(self.x, default=1), 1)

        def px(value: float) -> float:
            return self.left + plot_w * value / x_max

        def py(value: float) -> float:
            span = (self.y_high - self.y_low) or 1.0
            return top + plot_h * (1 - (value - self.y_low) / span)

        parts = [
            f"<svg xmlns='http://www.w3.org/2000/svg' width='{self.width}' height='{self.height}' "
            f"viewBox='0 0 {self.width} {self.height}' role='img' aria-label='{escape(self.title)}'>",
            f"<text x='{self.left}' y='14' {FONT} font-weight='bold'>{escape(self.title)}</text>",
            f"<rect x='{self.left}' y='{top}' width='{plot_w}' height='{plot_h}' fill='#fafafa' stroke='#ccc'/>",
        ]
        ticks = self.y_ticks or [(v, f"{v:g}") for v in _nice_ticks(self.y_low, self.y_high)]
        for value, label in ticks:
            y = py(value)
            parts.append(f"<line x1='{self.left}' x2='{self.left + plot_w}' y1='{y:.1f}' y2='{y:.1f}' stroke='#eee'/>")
            parts.append(f"<text x='{self.left - 4}' y='{y + 3.5:.1f}' text-anchor='end' {FONT}>{escape(label)}</text>")
        for value in _nice_ticks(0, x_max, count=6):
            x = px(value)
            parts.append(f"<text x='{x:.1f}' y='{top + plot_h + 13}' text-anchor='middle' {FONT}>{value:g}</text>")
        parts.append(
            f"<text x='{self.left + plot_w / 2:.1f}' y='{self.height - 4}' text-anchor='middle' {FONT}>"
            f"{escape(self.x_label)}</text>"
        )
        for value, label in self.rules:
            y = py(value)
            parts.append(
                f"<line x1='{self.left}' x2='{self.left + plot_w}' y1='{y:.1f}' y2='{y:.1f}' stroke='#999' "
                f"stroke-dasharray='4 3'><title>{escape(label)}</title></line>"
            )
            parts.append(
                f"<text x='{self.left + plot_w + 4}' y='{y + 3.5:.1f}' {FONT} fill='#666'>{escape(label[:20])}</text>"
            )
        for name, values in self.series.items():
            for run in _runs(self.x, values, self.stepped):
                points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in run)
                parts.append(
                    f"<polyline points='{points}' fill='none' stroke='{self.colours.get(name, '#333')}' "
                    f"stroke-width='2'><title>{escape(name)}</title></polyline>"
                )
        for marker in self.markers:
            parts.append(
                f"<circle cx='{px(marker.x):.1f}' cy='{py(marker.y):.1f}' r='4.5' fill='{marker.colour}' "
                f"stroke='white'><title>{escape(marker.title)}</title></circle>"
            )
        parts.extend(self._legend())
        parts.append("</svg>")
        return "".join(parts)

    def _legend(self) -> list[str]:
        """Legend in one row under the title: the series, or the movers when moves are marked."""
        names = list(dict.fromkeys(m.colour for m in self.markers)) if self.markers else list(self.series)
        labels = {c: n for n, c in self.colours.items() if n not in self.series} if self.markers else {}
        parts, x = [], self.left
        for name in names:
            text = labels.get(name, "other") if self.markers else name
            fill = name if self.markers else self.colours.get(name, "#333")
            parts.append(f"<rect x='{x}' y='22' width='10' height='10' fill='{fill}'/>")
            parts.append(f"<text x='{x + 14}' y='31' {FONT}>{escape(text)}</text>")
            x += 24 + 6.5 * len(text)
        return parts


def _runs(x: Sequence[float], values: Sequence[float | None], stepped: bool) -> list[list[tuple[float, float]]]:
    """Split a series into runs without gaps; a stepped run holds each value until the next x."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for position, (xv, yv) in enumerate(zip(x, values, strict=True)):
        if yv is None or (isinstance(yv, float) and math.isnan(yv)):
            if current:
                runs.append(current)
            current = []
            continue
        if stepped and current and position > 0:
            current.append((xv, current[-1][1]))
        current.append((xv, float(yv)))
    if current:
        runs.append(current)
    return runs


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values from `low` to `high`."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks
