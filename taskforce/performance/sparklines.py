"""Sparklines: a word-sized line of an indicator's actuals against its trajectory.

Worked out here as coordinates; the template `sparkline` macro draws them as inline SVG
with presentation attributes only (the content security policy refuses style attributes),
so the dashboard needs no image request for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from taskforce.performance.charts import RAG_COLOURS
from taskforce.performance.services import SeriesPoint

WIDTH, HEIGHT, PAD = 120, 28, 3
SHOWN = 12


@dataclass(frozen=True)
class Sparkline:
    trajectory: str  # SVG polyline points, "x,y x,y ..."; empty when fewer than two
    actual: str
    last_x: float | None  # the latest actual, drawn as a dot in its RAG colour
    last_y: float | None
    last_colour: str  # the latest actual's RAG colour, as on the full chart
    width: int = WIDTH
    height: int = HEIGHT


def sparkline(points: list[SeriesPoint]) -> Sparkline | None:
    """Up to twelve periods ending at the latest actual (the trajectory ahead of it is
    the chart's business), scaled to fit; None when there is too little to draw."""
    reported = [i for i, p in enumerate(points) if p.actual is not None]
    end = reported[-1] + 1 if reported else len(points)
    points = points[max(0, end - SHOWN) : end]
    values = [float(v) for p in points for v in (p.trajectory, p.actual) if v is not None]
    if len(points) < 2 or not values:
        return None
    low, high = min(values), max(values)
    span = (high - low) or 1.0

    def xy(index: int, value) -> tuple[float, float]:
        x = PAD + index * (WIDTH - 2 * PAD) / (len(points) - 1)
        y = HEIGHT - PAD - (float(value) - low) * (HEIGHT - 2 * PAD) / span
        return round(x, 1), round(y, 1)

    def line(name: str) -> list[tuple[float, float]]:
        return [
            xy(i, getattr(p, name)) for i, p in enumerate(points) if getattr(p, name) is not None
        ]

    planned, actual = line("trajectory"), line("actual")
    latest = next((p for p in reversed(points) if p.actual is not None), None)
    return Sparkline(
        trajectory=_points(planned) if len(planned) > 1 else "",
        actual=_points(actual) if len(actual) > 1 else "",
        last_x=actual[-1][0] if actual else None,
        last_y=actual[-1][1] if actual else None,
        last_colour=RAG_COLOURS.get(latest.rag if latest else None, RAG_COLOURS[None]),
    )


def _points(coordinates: list[tuple[float, float]]) -> str:
    return " ".join(f"{x},{y}" for x, y in coordinates)
