"""Web pages for performance data: the dashboard, indicators, importing actuals, charts,
delivery assessments and their downloads. The registers have their own (registers.views)."""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_login import current_user

from taskforce import exports, transaction
from taskforce.audit.services import events_about
from taskforce.auth import permissions
from taskforce.extensions import db
from taskforce.forms import RetireForm
from taskforce.performance import assessments as assessment_services
from taskforce.performance import charts, imports, services
from taskforce.performance.forms import ActualsForm, AssessmentForm, ImportForm, IndicatorForm
from taskforce.performance.models import RATING_NAMES, STAGES, Indicator
from taskforce.performance.pages import (
    bp,
    indicator_data,
    indicator_or_404,
    line_errors,
    priority_choices,
    trajectory_errors,
)
from taskforce.performance.sparklines import sparkline
from taskforce.registers import services as registers
from taskforce.web import attempt, flash_success, form_status, taskforce_or_404, web_actor


@bp.get("/taskforces/<int:taskforce_id>/performance")
def dashboard(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id)
    indicators = _indicators_of(tf)
    rows = []
    for indicator in indicators:  # each series worked out once, for the row and its text
        if indicator.retired_at is not None:
            continue
        points = services.series(indicator)
        rows.append(
            (
                indicator,
                services.latest(points),
                charts.describe(indicator, points),
                sparkline(points),
            )
        )
    latest_assessments: dict = {}
    for assessment in assessment_services.assessments_of(tf):
        latest_assessments[assessment.priority_id] = assessment  # oldest first: last wins
    return render_template(
        "performance/dashboard.html",
        tf=tf,
        rows=rows,
        retired=[i for i in indicators if i.retired_at is not None],
        assessments=list(latest_assessments.values()),
        red_risks=[r for r in registers.risks_of(tf) if r.rating == "Red"],
        names=RATING_NAMES,
        can_edit=permissions.can_edit(current_user, tf),
    )


def _indicators_of(tf) -> list[Indicator]:
    return db.session.scalars(services.indicators_of(tf.id).order_by(Indicator.name)).all()


EXPORTS = {
    "indicators": (
        "Indicator",
        "Priority",
        "Unit",
        "Frequency",
        "Period",
        "Trajectory",
        "Actual",
        "Variance %",
        "RAG",
        "Trend",
        "Source",
        "In use",
    ),
    "assessments": (
        "Priority",
        "Date",
        "Degree of challenge",
        "Quality of planning",
        "Capacity to drive progress",
        "Stage of delivery",
        "Likelihood of delivery",
        "Rationale",
    ),
}


def _export_rows(tf, table: str):
    """One tuple per line of the table, in EXPORTS order: numbers and dates as such."""
    if table == "indicators":
        for indicator in _indicators_of(tf):
            for p in services.series(indicator):
                yield (
                    indicator.name,
                    indicator.priority.title if indicator.priority else "",
                    indicator.unit,
                    indicator.frequency,
                    p.period,
                    p.trajectory,
                    p.actual,
                    p.variance_pct,
                    p.rag or "",
                    p.trend or "",
                    indicator.source,
                    "no" if indicator.retired_at else "yes",
                )
    else:
        for a in assessment_services.assessments_of(tf):
            yield (
                a.priority.title,
                a.assessed_on,
                a.degree_of_challenge,
                a.quality_of_planning,
                a.capacity_to_drive_progress,
                a.stage_of_delivery,
                a.likelihood_of_delivery,
                a.rationale,
            )


# The registers' downloads share this address: registers.export answers for their tables.
@bp.get(
    "/taskforces/<int:taskforce_id>/export/"
    "<any(indicators, assessments):table>.<any(csv, xlsx):fmt>"
)
def export(taskforce_id: int, table: str, fmt: str):
    """A table of the task force's performance data as CSV or Excel, as it stands now."""
    tf = taskforce_or_404(taskforce_id)
    return exports.taskforce_download(tf, table, EXPORTS[table], _export_rows(tf, table), fmt)


@bp.route("/taskforces/<int:taskforce_id>/indicators/new", methods=["GET", "POST"])
def new(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id, edit=True)
    form = IndicatorForm()
    form.priority.choices = priority_choices(tf)
    if form.validate_on_submit():
        with attempt() as outcome:
            indicator = services.create_indicator(tf, indicator_data(form), web_actor())
        if outcome.error:
            trajectory_errors(form, outcome.error)
        else:
            flash_success(f"{indicator.name} added.")
            return redirect(url_for("performance.show", indicator_id=indicator.id))
    return render_template("performance/new.html", tf=tf, form=form), form_status(form)


@bp.route("/indicators/<int:indicator_id>", methods=["GET", "POST"])
def show(indicator_id: int):
    indicator = indicator_or_404(indicator_id, edit=request.method == "POST")
    tf = indicator.taskforce
    form = ActualsForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            values = services.actuals_from_input(indicator, form.points)
            new, corrected = services.record_actuals(indicator, values, web_actor())
        if error := outcome.error:
            lines = line_errors(form.points, error.fields, "")
            form.actuals.errors = [*list(form.actuals.errors or []), *lines]
            if not lines:  # about the indicator (retired meanwhile, say), not a line
                form.form_errors.append(error.message)
        else:
            flash_success(f"{new} new actual(s) recorded, {corrected} corrected.")
            return redirect(url_for("performance.show", indicator_id=indicator.id))
    history = sorted(
        ((a.period, r) for a in indicator.actuals for r in a.revisions),
        key=lambda pair: pair[1].id,
        reverse=True,
    )
    points = services.series(indicator)  # once, for the table and the chart's words
    return render_template(
        "performance/show.html",
        tf=tf,
        indicator=indicator,
        series=points,
        history=history,
        description=charts.describe(indicator, points),
        form=form,
        retire=RetireForm(formdata=None, version=str(indicator.version)),
        changes=events_about(indicator),
        can_edit=permissions.can_edit(current_user, tf),
    ), form_status(form)


@bp.route("/taskforces/<int:taskforce_id>/actuals/import", methods=["GET", "POST"])
def import_actuals(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id, edit=True)
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not upload.filename:
            form.file.errors = ["Choose a CSV or Excel file"]
        else:
            try:
                imported = imports.import_actuals(tf, upload.stream, upload.filename, web_actor())
            except imports.ImportRefused as error:
                transaction.rollback()
                form.file.errors = [error.message]
                problems = error.problems
            else:
                flash_success(f"{imported} actual{'s' if imported != 1 else ''} imported.")
                return redirect(url_for("performance.dashboard", taskforce_id=tf.id))
    return render_template("performance/import.html", tf=tf, form=form, problems=problems), (
        422 if form.file.errors else 200
    )


@bp.get("/indicators/<int:indicator_id>/chart.svg", defaults={"fmt": "svg"})
@bp.get("/indicators/<int:indicator_id>/chart.png", defaults={"fmt": "png"})
def chart(indicator_id: int, fmt: str):
    indicator = indicator_or_404(indicator_id)
    content = charts.chart(indicator, fmt)
    transaction.finish()  # a read that keeps its drawing in the cache
    return Response(
        content,
        mimetype=charts.FORMATS[fmt],
        headers={"Cache-Control": "private, max-age=60"},
    )


@bp.get("/taskforces/<int:taskforce_id>/assessments")
def assessments(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id)
    priorities, dates, cells = assessment_services.grid(tf)
    return render_template(
        "performance/assessments.html",
        tf=tf,
        priorities=priorities,
        dates=dates,
        cells=cells,
        names=RATING_NAMES,
        stages=STAGES,
        can_edit=permissions.can_edit(current_user, tf),
    )


@bp.route("/taskforces/<int:taskforce_id>/assessments/new", methods=["GET", "POST"])
def new_assessment(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id, edit=True)
    form = AssessmentForm()
    form.priority.choices = priority_choices(tf, blank="Choose a priority")
    if form.validate_on_submit():
        data = form.data_for_service()
        with attempt(form) as outcome:
            assessment_services.add_assessment(tf, data, web_actor())
        if not outcome.error:
            flash_success("Assessment recorded.")
            return redirect(url_for("performance.assessments", taskforce_id=tf.id))
    return render_template("performance/assessment_form.html", tf=tf, form=form), form_status(form)
