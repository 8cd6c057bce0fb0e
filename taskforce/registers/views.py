"""Web pages for the registers: the risk register (adding, changing and closing risks) and the
benefits, delivery milestones and decisions registers, with their downloads. They sit in a
task force's Performance tab."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from taskforce import exports
from taskforce.auth import permissions
from taskforce.confirm import Confirmation
from taskforce.editing import edit_page, switch
from taskforce.forms import RetireForm
from taskforce.registers import services
from taskforce.registers.forms import BenefitForm, DecisionForm, MilestoneForm, RiskForm
from taskforce.registers.models import MILESTONE_STATUSES, Risk
from taskforce.web import (
    attempt,
    flash_success,
    form_status,
    record_or_404,
    taskforce_or_404,
    web_actor,
)

bp = Blueprint("registers", __name__)

REGISTER_PAGES = {
    "benefits": ("Benefits register", BenefitForm),
    "milestones": ("Delivery milestones", MilestoneForm),
    "decisions": ("Decisions register", DecisionForm),
}


# The risk register ------------------------------------------------------------------------


@bp.get("/taskforces/<int:taskforce_id>/risks")
def risks(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id)
    return render_template(
        "registers/risks.html",
        tf=tf,
        risks=services.risks_of(tf),
        closed=services.risks_of(tf, closed=True),
        can_edit=permissions.can_edit(current_user, tf),
    )


@bp.route("/taskforces/<int:taskforce_id>/risks/new", methods=["GET", "POST"])
def new_risk(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id, edit=True)
    form = RiskForm()
    if form.validate_on_submit():
        data = form.data_for_service()
        with attempt(form) as outcome:
            services.add_risk(tf, data, web_actor())
        if not outcome.error:
            flash_success(f"Risk {data['ref']} added.")
            return redirect(url_for("registers.risks", taskforce_id=tf.id))
    return render_template("registers/risk_form.html", tf=tf, form=form), form_status(form)


@bp.route("/risks/<int:risk_id>", methods=["GET", "POST"])
def edit_risk(risk_id: int):
    risk = record_or_404(Risk, risk_id, edit=True)
    tf = taskforce_or_404(risk.taskforce_id)
    form = RiskForm(obj=risk)

    def save(expected: int | None) -> None:
        services.update_risk(risk, form.data_for_service(), web_actor(), expected)

    return edit_page(
        risk,
        form,
        save,
        done=url_for("registers.risks", taskforce_id=tf.id),
        message=f"Risk {risk.ref} saved.",
        template="registers/risk_form.html",
        tf=tf,
        close=RetireForm(formdata=None, version=str(risk.version)),
    )


@bp.route("/risks/<int:risk_id>/close", methods=["GET", "POST"])
def close_risk(risk_id: int):
    risk = record_or_404(Risk, risk_id, edit=True)
    tf = taskforce_or_404(risk.taskforce_id)
    page = url_for("registers.edit_risk", risk_id=risk.id)
    return switch(
        lambda on, version: services.update_risk(risk, {"closed": on}, web_actor(), version),
        lambda on: f"Risk {risk.ref} {'closed' if on else 'reopened'}.",
        done=url_for("registers.risks", taskforce_id=risk.taskforce_id),
        failed=page,
        subject=risk,
        is_off=risk.closed_on is not None,
        confirm_off=lambda version: Confirmation(
            question=f"Close risk {risk.ref}?",
            caption=tf.name,
            consequences=(
                f"Risk {risk.ref} moves to the closed risks at the foot of the register and "
                "leaves the dashboard's red risks. Close it when it can no longer happen or "
                "is fully mitigated.",
                "Its ratings and history are kept, and it can be reopened.",
            ),
            warning="A closed risk is no longer reviewed or reported as open.",
            button="Yes, close the risk",
            back=page,
            keep="Keep it open",
            fields={"retire": "yes", "version": version},
        ),
    )


# Benefits, milestones, decisions -----------------------------------------------------------


@bp.route(
    "/taskforces/<int:taskforce_id>/registers/<any(benefits, milestones, decisions):kind>",
    methods=["GET", "POST"],
)
def register(taskforce_id: int, kind: str):
    tf = taskforce_or_404(taskforce_id, edit=request.method == "POST")
    title, form_class = REGISTER_PAGES[kind]
    form = form_class()
    if form.validate_on_submit():
        data = form.data_for_service()
        with attempt(form) as outcome:
            services.add_entry(tf, kind, data, web_actor())
        if not outcome.error:
            flash_success(f"Added to the {title[0].lower() + title[1:]}.")
            return redirect(url_for("registers.register", taskforce_id=tf.id, kind=kind))
    return render_template(
        "registers/register.html",
        tf=tf,
        kind=kind,
        title=title,
        entries=services.entries(tf, kind),
        statuses=MILESTONE_STATUSES,
        form=form,
        can_edit=permissions.can_edit(current_user, tf),
    ), form_status(form)


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
    entry = record_or_404(services.REGISTER_MODELS[kind], entry_id, edit=True)
    tf = taskforce_or_404(entry.taskforce_id)
    title, form_class = REGISTER_PAGES[kind]
    form = form_class(obj=entry)

    def save(expected: int | None) -> None:
        services.update_entry(entry, kind, form.data_for_service(), web_actor(), expected)

    return edit_page(
        entry,
        form,
        save,
        done=url_for("registers.register", taskforce_id=tf.id, kind=kind),
        message="Saved.",
        template="registers/register_entry.html",
        tf=tf,
        kind=kind,
        title=title,
    )


# Downloads --------------------------------------------------------------------------------

EXPORTS = {
    "risks": (
        "Ref",
        "Risk",
        "Likelihood",
        "Impact",
        "Rating",
        "Impact statement",
        "Mitigation",
        "Owner",
        "Review date",
        "Trend",
        "Closed on",
    ),
    "benefits": ("Benefit", "Measure", "Baseline", "Target", "Realised to date", "Owner"),
    "milestones": ("Activity", "Start", "End", "Status", "Owner"),
    "decisions": ("Date", "Decision", "Meeting number"),
}


def _export_rows(tf, table: str):
    """One tuple per line of the register, in EXPORTS order: numbers and dates as such."""
    if table == "risks":
        for r in services.risks_of(tf) + services.risks_of(tf, closed=True):
            yield (
                r.ref,
                r.description,
                r.likelihood,
                r.impact,
                r.rating,
                r.impact_statement,
                r.mitigation,
                r.owner,
                r.review_on,
                r.trend,
                r.closed_on,
            )
        return
    for e in services.entries(tf, table):
        if table == "benefits":
            yield (e.benefit, e.measure, e.baseline, e.target, e.realised, e.owner)
        elif table == "milestones":
            yield (e.activity, e.starts_on, e.ends_on, MILESTONE_STATUSES[e.status], e.owner)
        else:
            yield (e.decided_on, e.text, e.meeting.number if e.meeting else None)


# The performance downloads share this address: performance.export answers for its tables.
@bp.get(
    "/taskforces/<int:taskforce_id>/export/"
    "<any(risks, benefits, milestones, decisions):table>.<any(csv, xlsx):fmt>"
)
def export(taskforce_id: int, table: str, fmt: str):
    """A register as CSV or Excel, as it stands now."""
    tf = taskforce_or_404(taskforce_id)
    return exports.taskforce_download(tf, table, EXPORTS[table], _export_rows(tf, table), fmt)
