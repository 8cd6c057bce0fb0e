"""Web pages that change what is already recorded: indicators (and retiring them), risks
(and closing them), assessments and register entries.

Each edit page is filled from the record and carries the version it was drawn from. A save
made from an out-of-date page is refused and shown, never silently written over the newer
change; the page's history (from the audit trail) says what changed and who changed it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from taskforce.audit.services import events_about
from taskforce.errors import Conflict, ServiceError
from taskforce.extensions import db
from taskforce.performance import registers, services
from taskforce.performance.forms import (
    AssessmentForm,
    IndicatorForm,
    RetireForm,
    RiskForm,
)
from taskforce.performance.models import Assessment, Risk, tidy
from taskforce.performance.registers import RISK_FIELDS
from taskforce.performance.views import (
    ASSESSMENT_FIELDS,
    REGISTER_PAGES,
    _indicator_or_404,
    _trajectory_errors,
    bp,
    form_status,
    indicator_data,
    priority_choices,
)
from taskforce.text import expected_version
from taskforce.web import (
    apply_errors,
    flash_success,
    record_or_404,
    taskforce_or_404,
    web_actor,
)

STALE = "Someone else saved a change at the same moment. Check the form, then save again."


def _edit(
    subject: Any,
    form: FlaskForm,
    save: Callable[[int | None], None],
    *,
    done: str,
    message: str,
    template: str,
    on_error: Callable[[FlaskForm, ServiceError], None] = apply_errors,
    current: Callable[[str], Any] | None = None,
    **context,
):
    """Show an edit form, or save it: save(expected_version) calls the service.

    current(name) gives a field's saved value as the form shows it (by default the
    attribute of that name), to list what differs when the save meets a newer change.
    """
    conflict: list[tuple[str, str, str]] | None = None
    form.submit.label.text = "Save changes"  # the form's own label is for adding
    if form.validate_on_submit():
        # The version as posted (never the record's own, which the form falls back on): a
        # page that sends none is treated as out of date rather than saved unchecked.
        try:
            save(_posted_version())
            db.session.commit()
        except (ServiceError, StaleDataError) as raised:
            # StaleDataError: a rival save landed between the version check and ours.
            error = raised if isinstance(raised, ServiceError) else Conflict(STALE)
            db.session.rollback()
            db.session.refresh(subject)
            on_error(form, error)
            if isinstance(error, Conflict):
                # The form keeps the user's values and lists where they differ from what is
                # saved now; saving again applies them knowingly.
                conflict = _differences(form, subject, current)
                form.version.data = str(subject.version)
        else:
            flash_success(message)
            return redirect(done)
    elif request.method == "GET":
        form.version.data = str(subject.version)
    return render_template(
        template,
        form=form,
        editing=subject,
        conflict=conflict,
        history=events_about(subject),
        **context,
    ), (409 if conflict is not None else form_status(form))


def _posted_version() -> int:
    """The version a form was drawn from, as posted; none or a garbled one matches nothing,
    so the save is treated as out of date rather than made unchecked."""
    posted = request.form.get("version")
    number = expected_version(posted) if posted else None
    return -1 if number is None else number


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%-d %B %Y")
    if isinstance(value, Decimal):
        return format(tidy(value), "f")  # 5.00 typed is 5 stored
    return str(value).strip()


def _differences(form: FlaskForm, subject: Any, current: Callable[[str], Any] | None):
    """(label, yours, saved now) for each field where the form and the record now differ."""
    found = []
    for field in form.fields_for_data():
        saved = current(field.name) if current else getattr(subject, field.name, None)
        yours, now = _shown(field.data), _shown(saved)
        if yours != now:
            labels = {str(v): str(label) for v, label in getattr(field, "choices", None) or []}
            found.append((str(field.label.text), labels.get(yours, yours), labels.get(now, now)))
    return found


# Indicators ---------------------------------------------------------------------------


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
def edit_indicator(indicator_id: int):
    indicator = _indicator_or_404(indicator_id, edit=True)
    tf = indicator.taskforce
    form = IndicatorForm(obj=indicator)
    form.priority.choices = priority_choices(tf, indicator.priority)
    if request.method == "GET":
        form.priority.data = indicator.priority.title if indicator.priority else ""
        form.trajectory.data = _plan(indicator)

    def save(expected: int | None) -> None:
        services.update_indicator(indicator, indicator_data(form), web_actor(), expected)

    return _edit(
        indicator,
        form,
        save,
        done=url_for("performance.show", indicator_id=indicator.id),
        message=f"{indicator.name} saved.",
        template="performance/new.html",
        on_error=_trajectory_errors,
        current=lambda name: (
            _plan(indicator)
            if name == "trajectory"
            else indicator.priority.title
            if name == "priority" and indicator.priority
            else getattr(indicator, name, None)
        ),
        tf=tf,
    )


def _plan(indicator) -> str:
    return "\n".join(f"{p.period}, {p.value}" for p in indicator.trajectory)


@bp.post("/indicators/<int:indicator_id>/retire")
def retire_indicator(indicator_id: int):
    indicator = _indicator_or_404(indicator_id, edit=True)
    page = url_for("performance.show", indicator_id=indicator.id)
    return _switch(
        lambda on, version: services.update_indicator(
            indicator, {"retired": on}, web_actor(), version
        ),
        lambda on: (
            f"{indicator.name} retired: it is off the dashboard and takes no new actuals."
            if on
            else f"{indicator.name} reinstated."
        ),
        done=page,
        failed=page,
    )


def _switch(change, message, *, done: str, failed: str):
    """One button that switches a record on or off (retire, close): the form's retire is
    "yes" or "no"; change(on, version) calls the service, message(on) says what happened."""
    form = RetireForm()
    if not form.validate_on_submit() or form.retire.data not in ("yes", "no"):
        abort(400)
    on = form.retire.data == "yes"
    try:
        change(on, _posted_version())
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "problem")
        return redirect(failed)
    db.session.commit()
    flash_success(message(on))
    return redirect(done)


# Risks ----------------------------------------------------------------------------------


@bp.route("/risks/<int:risk_id>", methods=["GET", "POST"])
def edit_risk(risk_id: int):
    risk = record_or_404(Risk, risk_id, edit=True)
    tf = taskforce_or_404(risk.taskforce_id)
    form = RiskForm(obj=risk)

    def save(expected: int | None) -> None:
        data = {name: getattr(form, name).data for name in RISK_FIELDS}
        registers.update_risk(risk, data, web_actor(), expected)

    return _edit(
        risk,
        form,
        save,
        done=url_for("performance.risks", taskforce_id=tf.id),
        message=f"Risk {risk.ref} saved.",
        template="performance/risk_form.html",
        tf=tf,
        close=RetireForm(formdata=None, version=str(risk.version)),
    )


@bp.post("/risks/<int:risk_id>/close")
def close_risk(risk_id: int):
    risk = record_or_404(Risk, risk_id, edit=True)
    return _switch(
        lambda on, version: registers.update_risk(risk, {"closed": on}, web_actor(), version),
        lambda on: f"Risk {risk.ref} {'closed' if on else 'reopened'}.",
        done=url_for("performance.risks", taskforce_id=risk.taskforce_id),
        failed=url_for("performance.edit_risk", risk_id=risk.id),
    )


# Assessments ----------------------------------------------------------------------------


@bp.route("/assessments/<int:assessment_id>", methods=["GET", "POST"])
def edit_assessment(assessment_id: int):
    assessment = record_or_404(Assessment, assessment_id, edit=True)
    tf = taskforce_or_404(assessment.taskforce_id)
    form = AssessmentForm(obj=assessment)
    form.priority.choices = priority_choices(tf, assessment.priority, blank="Choose a priority")
    if request.method == "GET":
        form.priority.data = assessment.priority.title

    def save(expected: int | None) -> None:
        data = {name: getattr(form, name).data for name in ASSESSMENT_FIELDS}
        registers.update_assessment(assessment, data, web_actor(), expected)

    return _edit(
        assessment,
        form,
        save,
        done=url_for("performance.assessments", taskforce_id=tf.id),
        message="Assessment saved.",
        template="performance/assessment_form.html",
        current=lambda name: (
            assessment.priority.title if name == "priority" else getattr(assessment, name)
        ),
        tf=tf,
    )


# Benefits, milestones, decisions -----------------------------------------------------------


@bp.route(
    "/registers/benefits/<int:entry_id>", methods=["GET", "POST"], defaults={"kind": "benefits"}
)
@bp.route(
    "/registers/milestones/<int:entry_id>",
    methods=["GET", "POST"],
    defaults={"kind": "milestones"},
)
@bp.route(
    "/registers/decisions/<int:entry_id>",
    methods=["GET", "POST"],
    defaults={"kind": "decisions"},
)
def edit_entry(kind: str, entry_id: int):
    entry = record_or_404(registers.REGISTER_MODELS[kind], entry_id, edit=True)
    tf = taskforce_or_404(entry.taskforce_id)
    title, form_class = REGISTER_PAGES[kind]
    form = form_class(obj=entry)

    def save(expected: int | None) -> None:
        data = {f.name: f.data for f in form.fields_for_data()}
        registers.update_entry(entry, kind, data, web_actor(), expected)

    return _edit(
        entry,
        form,
        save,
        done=url_for("performance.register", taskforce_id=tf.id, kind=kind),
        message="Saved.",
        template="performance/register_entry.html",
        tf=tf,
        kind=kind,
        title=title,
    )
