"""Web pages that change what is already recorded: indicators (and retiring them) and
assessments. A save made from an out-of-date page is refused and shown, never written over
the newer change (see taskforce.editing).
"""

from __future__ import annotations

from flask import request, url_for

from taskforce.confirm import Confirmation
from taskforce.editing import edit_page, switch
from taskforce.performance import assessments as assessment_services
from taskforce.performance import services
from taskforce.performance.forms import AssessmentForm, IndicatorForm
from taskforce.performance.models import Assessment
from taskforce.performance.pages import (
    bp,
    indicator_data,
    indicator_or_404,
    priority_choices,
    trajectory_errors,
)
from taskforce.web import record_or_404, taskforce_or_404, web_actor

# Indicators ---------------------------------------------------------------------------


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
def edit_indicator(indicator_id: int):
    indicator = indicator_or_404(indicator_id, edit=True)
    tf = indicator.taskforce
    form = IndicatorForm(obj=indicator)
    form.priority.choices = priority_choices(tf, indicator.priority)
    if request.method == "GET":
        form.priority.data = indicator.priority.title if indicator.priority else ""
        form.trajectory.data = _plan(indicator)

    def save(expected: int | None) -> None:
        services.update_indicator(indicator, indicator_data(form), web_actor(), expected)

    return edit_page(
        indicator,
        form,
        save,
        done=url_for("performance.show", indicator_id=indicator.id),
        message=f"{indicator.name} saved.",
        template="performance/new.html",
        on_error=trajectory_errors,
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


@bp.route("/indicators/<int:indicator_id>/retire", methods=["GET", "POST"])
def retire_indicator(indicator_id: int):
    indicator = indicator_or_404(indicator_id, edit=True)
    page = url_for("performance.show", indicator_id=indicator.id)
    return switch(
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
        subject=indicator,
        is_off=indicator.retired_at is not None,
        confirm_off=lambda version: Confirmation(
            question=f"Retire {indicator.name}?",
            caption=indicator.taskforce.name,
            consequences=(
                "It leaves the dashboard, and no new actuals can be recorded or imported for it.",
                "Its trajectory, actuals and history are kept, and it can be reinstated.",
            ),
            warning="Until it is reinstated, imports that include it are refused.",
            button="Yes, retire the indicator",
            back=page,
            keep="Keep it in use",
            fields={"retire": "yes", "version": version},
        ),
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
        assessment_services.update_assessment(
            assessment, form.data_for_service(), web_actor(), expected
        )

    return edit_page(
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
