"""What the performance pages share: their blueprint, to which views.py and edit_views.py
each add their routes, and the moving of an indicator's or an assessment's form to and from
the services."""

from __future__ import annotations

from flask import Blueprint, request

from taskforce.errors import ServiceError
from taskforce.performance.forms import IndicatorForm
from taskforce.performance.models import Indicator
from taskforce.performance.rag import variance_in_words
from taskforce.web import apply_errors, record_or_404

bp = Blueprint("performance", __name__)


@bp.app_template_filter("variance")
def variance_filter(point, direction: str) -> str:
    """A series point's variance in words, for a table cell (a dash without one)."""
    return variance_in_words(point.actual, point.trajectory, direction) or "\N{EN DASH}"


def indicator_or_404(indicator_id: int, *, edit: bool = False) -> Indicator:
    return record_or_404(Indicator, indicator_id, edit=edit)


def priority_choices(tf, current=None, blank: str = "None") -> list[tuple[str, str]]:
    """The task force's live priorities by title, and the one already chosen if retired."""
    titles = [p.title for p in tf.priorities]  # live ones
    if current is not None and current.title not in titles:
        titles.append(current.title)  # retired since it was chosen: still a choice
    return [("", blank)] + [(title, title) for title in titles]


def indicator_data(form: IndicatorForm) -> dict:
    return {
        "name": form.name.data,
        "unit": form.unit.data or "",
        "frequency": form.frequency.data,
        "direction": form.direction.data,
        "tolerance_pct": form.tolerance_pct.data,
        "source": form.source.data or "",
        "owner": form.owner.data or "",
        "priority": form.priority.data or None,
        # Only a form that sent a trajectory replans: one without the box leaves it be.
        **({"trajectory": getattr(form, "points", [])} if "trajectory" in request.form else {}),
    }


def line_errors(points: list[dict], fields: dict[str, list[str]], prefix: str) -> list[str]:
    """Turn "trajectory.3.period" errors into "Line 5: ..." by each point's own line."""
    lines = []
    for name, messages in list(fields.items()):
        parts = name.removeprefix(prefix).split(".")
        if name.startswith(prefix) and parts[0].isdigit() and int(parts[0]) < len(points):
            line = points[int(parts[0])].get("line", int(parts[0]) + 1)
            lines += [f"Line {line}: {m[:1].lower()}{m[1:]}" for m in messages]
            del fields[name]
    return lines


def trajectory_errors(form, error: ServiceError) -> None:
    """Put trajectory errors on the trajectory box, naming lines as typed."""
    lines = line_errors(getattr(form, "points", []), error.fields, "trajectory.")
    if lines:
        form.trajectory.errors = [*list(form.trajectory.errors or []), *lines]
    if error.fields or not lines:
        apply_errors(form, error)
