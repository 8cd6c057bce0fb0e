"""Trajectory-versus-actual charts, drawn with matplotlib (Agg, no pyplot: safe in threads).

A chart is cached by a hash of exactly what it draws, so an indicator whose data has not
changed is never redrawn; any change makes a new key, and the scheduler's daily
housekeeping deletes charts drawn more than CACHE_DAYS ago. The web shows SVG; the Word pack
will take PNG. Every chart has a text alternative saying what it shows.

Every piece of text on a chart (the indicator's name and unit, labels, numbers) is plain
text: matplotlib never reads it as mathtext, so "$x^2$" is drawn as typed and a stray "$"
or "\\" cannot break the drawing.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from taskforce.db import utcnow
from taskforce.extensions import db
from taskforce.performance import services
from taskforce.performance.models import ChartImage, Indicator
from taskforce.text import one_line

#: Raise when the drawing changes, so cached charts are drawn afresh.
CHART_STYLE = 3  # 2: text is never mathtext; 3: PNGs at print resolution
#: Dots per inch of a PNG chart: the Word pack prints them (17 cm wide: about 1,300 dots).
PNG_DPI = 200
FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
#: Cached charts older than this are deleted by the scheduler's daily housekeeping.
CACHE_DAYS = 30
BLUE, GREY, BLACK = "#1d70b8", "#505a5f", "#0b0c0c"
RAG_COLOURS = {"green": "#00703c", "amber": "#f47738", "red": "#d4351c", None: BLUE}
#: Set before each drawing. text.parse_math is the default of every Text matplotlib makes
#: (title, axis labels, tick labels, including those it makes while saving, legend,
#: annotations): False makes them all plain text. Set for the process, not in an
#: rc_context, which one thread would undo while another is still drawing; every drawing
#: sets the same values, so threads agree.
SETTINGS = {"text.parse_math": False, "svg.hashsalt": "taskforce", "svg.fonttype": "none"}


def _drawing(indicator: Indicator, fmt: str, points: list[services.SeriesPoint]) -> dict:
    return {
        "style": CHART_STYLE,
        "format": fmt,
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "points": [[p.label, _num(p.trajectory), _num(p.actual), p.rag] for p in points],
    }


def _num(value) -> float | None:
    return None if value is None else float(value)


def chart(
    indicator: Indicator, fmt: str = "svg", points: list[services.SeriesPoint] | None = None
) -> bytes:
    """The chart's bytes, from the cache if this drawing was made before. points is the
    indicator's series when the caller has already worked it out."""
    points = services.series(indicator) if points is None else points
    drawing = _drawing(indicator, fmt, points)
    key = _key(drawing)
    cached = db.session.scalar(select(ChartImage.content).where(ChartImage.key == key))
    if cached is not None:
        return cached
    content = draw(drawing)
    _keep(key, content)
    return content


def _key(drawing: dict) -> str:
    return hashlib.sha256(json.dumps(drawing, sort_keys=True).encode()).hexdigest()


def _keep(key: str, content: bytes) -> None:
    try:
        with db.session.begin_nested():  # two requests drawing the same chart: one keeps it
            db.session.add(ChartImage(key=key, content=content))
    except IntegrityError:
        pass


def charts_for(
    wanted: list[tuple[Indicator, list[services.SeriesPoint]]], fmt: str = "png"
) -> list[bytes]:
    """The charts of many indicators at once (the agenda pack's), in order: the cached ones
    in one query, the others drawn now and cached."""
    drawings = [_drawing(indicator, fmt, points) for indicator, points in wanted]
    keys = [_key(drawing) for drawing in drawings]
    cached = dict(
        db.session.execute(
            select(ChartImage.key, ChartImage.content).where(ChartImage.key.in_(set(keys)))
        ).all()
    ) if keys else {}  # fmt: skip
    result = []
    for key, drawing in zip(keys, drawings, strict=True):
        if key not in cached:
            cached[key] = draw(drawing)
            _keep(key, cached[key])
        result.append(bytes(cached[key]))
    return result


def prune(older_than_days: int = CACHE_DAYS) -> int:
    """Delete cached charts drawn more than so many days ago; return how many went."""
    # Only created_at is kept, so a chart still in use goes too: it is simply drawn again.
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = db.session.execute(delete(ChartImage).where(ChartImage.created_at < cutoff))
    return result.rowcount


def draw(drawing: dict) -> bytes:
    matplotlib.rcParams.update(SETTINGS)
    points = drawing["points"]
    labels = [p[0] for p in points]
    planned = [p[1] for p in points]
    actual = [p[2] for p in points]
    figure = Figure(figsize=(8, 3.6), dpi=100)
    axes = figure.add_subplot()
    x = list(range(len(points)))
    if any(v is not None for v in planned):
        axes.plot(
            [i for i, v in zip(x, planned, strict=True) if v is not None],
            [v for v in planned if v is not None],
            linestyle="--",
            color=GREY,
            linewidth=2,
            label="Trajectory",
        )
        target = max(i for i, v in enumerate(planned) if v is not None)
        axes.plot([target], [planned[target]], marker="D", color=GREY, markersize=8)
        axes.annotate(
            f"Target {_label(planned[target])}",
            (target, planned[target]),
            textcoords="offset points",
            xytext=(-8, 10),
            ha="right",
            color=GREY,
            fontsize=9,
        )
    if any(v is not None for v in actual):
        shown = [(i, v, p[3]) for i, v, p in zip(x, actual, points, strict=True) if v is not None]
        axes.plot(
            [i for i, _v, _r in shown],
            [v for _i, v, _r in shown],
            color=BLUE,
            linewidth=2.5,
            label="Actual",
        )
        axes.scatter(
            [i for i, _v, _r in shown],
            [v for _i, v, _r in shown],
            c=[RAG_COLOURS.get(r, BLUE) for _i, _v, r in shown],
            s=36,
            zorder=3,
            edgecolors="white",
        )
    # Control characters have no glyph (a name stored before the rule came in, say).
    axes.set_title(one_line(drawing["name"]), loc="left", fontsize=12, color=BLACK)
    if drawing["unit"]:
        axes.set_ylabel(one_line(drawing["unit"]), color=GREY)
    step = max(1, -(-len(labels) // 8))  # at most eight labels, so they never overlap
    axes.set_xticks(x[::step], labels[::step], rotation=0, fontsize=8)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: _label(v)))
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="best", frameon=False, fontsize=9)
    figure.tight_layout()
    out = io.BytesIO()
    metadata = {"Date": None} if drawing["format"] == "svg" else {}
    dpi = PNG_DPI if drawing["format"] == "png" else "figure"
    figure.savefig(out, format=drawing["format"], metadata=metadata, dpi=dpi)
    return out.getvalue()


def _label(value: float) -> str:
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3g}"


def describe(indicator: Indicator, points: list[services.SeriesPoint] | None = None) -> str:
    """The chart in words, for its alt text and for anyone who cannot see it."""
    points = services.series(indicator) if points is None else points
    unit = "%" if indicator.unit == "%" else f" {indicator.unit}" if indicator.unit else ""
    if not points:
        return f"{indicator.name}: no trajectory or actuals yet."
    parts = [f"{indicator.name}, {indicator.frequency}, {points[0].label} to {points[-1].label}."]
    planned = [p for p in points if p.trajectory is not None]
    if planned:
        parts.append(
            f"The trajectory goes from {_label(float(planned[0].trajectory))}{unit} to a target "
            f"of {_label(float(planned[-1].trajectory))}{unit} in {planned[-1].label}."
        )
    latest = services.latest(points)
    if latest is None:
        parts.append("No actuals have been reported yet.")
    else:
        against = (
            f" against a trajectory of {_label(float(latest.trajectory))}{unit}"
            if latest.trajectory is not None
            else ""
        )
        rag = f": {latest.rag}" if latest.rag else ""
        trend = f", {latest.trend}" if latest.trend else ""
        parts.append(
            f"The latest actual is {_label(float(latest.actual))}{unit} in {latest.label}"
            f"{against}{rag}{trend}."
        )
    return " ".join(parts)
