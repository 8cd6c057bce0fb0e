"""Web pages for task forces, their terms of reference and members."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from taskforce import links, transaction
from taskforce.audit.forms import HistoryFilterForm
from taskforce.audit.presenting import kind_plural
from taskforce.audit.services import history_filters, taskforce_history
from taskforce.auth import permissions
from taskforce.bodies import services
from taskforce.bodies.forms import ConfirmForm, MemberForm, TaskForceForm
from taskforce.bodies.models import MemberGroup
from taskforce.confirm import Confirmation, ask, confirmed
from taskforce.errors import Conflict
from taskforce.meetings import emails
from taskforce.text import small_int
from taskforce.web import (
    attempt,
    flash_mail,
    flash_success,
    form_status,
    taskforce_or_404,
    warn_removed_html,
    web_actor,
)

bp = Blueprint("bodies", __name__)


@bp.app_context_processor
def _helpers():
    return {"can_edit_tf": lambda tf: permissions.can_edit(current_user, tf)}


def _member_or_404(member_id: int, *, edit: bool = False):
    return permissions.load_member(current_user, member_id, edit=edit)


@bp.route("/taskforces/new", methods=["GET", "POST"])
def create():
    if not permissions.can_create_taskforce(current_user):
        abort(403)
    form = TaskForceForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            tf = services.create_taskforce(form.data_for_service(), web_actor())
        if not outcome.error:
            flash_success(f"{tf.name} created. Add its members next.")
            warn_removed_html(tf.purpose, "the purpose")
            return redirect(url_for("bodies.show", taskforce_id=tf.id))
    return render_template("bodies/form.html", form=form, tf=None), form_status(form)


@bp.get("/taskforces/<int:taskforce_id>")
def show(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id)
    return render_template(
        "bodies/show.html",
        tf=tf,
        groups=[(g, tf.members_in(g)) for g in MemberGroup],
        can_edit=permissions.can_edit(current_user, tf),
    )


@bp.route("/taskforces/<int:taskforce_id>/edit", methods=["GET", "POST"])
def edit(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id, edit=True)
    form = TaskForceForm.editing(tf)
    conflict = None
    error = None
    if form.validate_on_submit():
        with attempt(form) as outcome:
            services.update_taskforce(
                tf, form.data_for_service(), web_actor(), expected_version=form.expected_version()
            )
        if isinstance(error := outcome.error, Conflict):
            conflict = error.message
            form.version.data = str(tf.version)  # saving again now applies over theirs
        elif not error:
            flash_success("Terms of reference saved.")
            warn_removed_html(tf.purpose, "the purpose")
            return redirect(url_for("bodies.show", taskforce_id=tf.id))
    return render_template("bodies/form.html", form=form, tf=tf, conflict=conflict), form_status(
        form, error
    )


@bp.route("/taskforces/<int:taskforce_id>/members/new", methods=["GET", "POST"])
def add_member(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id, edit=True)
    form = MemberForm()
    if request.method == "GET" and request.args.get("group") in {g.value for g in MemberGroup}:
        form.group.data = request.args["group"]
    if form.validate_on_submit():
        with attempt(form) as outcome:
            member = services.add_member(tf, form.data_for_service(), web_actor())
        if not outcome.error:
            flash_success(
                f"{member.name} added. The terms of reference are now version "
                f"{tf.current_tor_number}."
            )
            return redirect(url_for("bodies.show", taskforce_id=tf.id) + "#members")
    return render_template("bodies/member_form.html", form=form, tf=tf, member=None), form_status(
        form
    )


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
def edit_member(member_id: int):
    member = _member_or_404(member_id, edit=True)
    tf = member.taskforce
    form = MemberForm(obj=member)
    outcome = None
    if request.method == "GET":
        form.version.data = str(member.version)
    elif form.validate_on_submit():
        with attempt(form) as outcome:
            services.update_member(
                member,
                form.data_for_service(),
                web_actor(),
                expected_version=form.expected_version(),
            )
        if isinstance(outcome.error, Conflict):
            form.version.data = str(member.version)
        elif not outcome.error:
            flash_success(f"{member.name} saved.")
            return redirect(url_for("bodies.show", taskforce_id=tf.id) + "#members")
    return render_template(
        "bodies/member_form.html", form=form, tf=tf, member=member, link_form=ConfirmForm()
    ), form_status(form, outcome and outcome.error)


@bp.route("/members/<int:member_id>/remove", methods=["GET", "POST"])
def remove_member(member_id: int):
    member = _member_or_404(member_id, edit=True)
    tf = member.taskforce
    form = ConfirmForm()
    if form.validate_on_submit():
        services.remove_member(member, web_actor())
        flash_success(
            f"{member.name} removed. Earlier versions of the terms of reference still list them."
        )
        return redirect(url_for("bodies.show", taskforce_id=tf.id) + "#members")
    return render_template(
        "bodies/remove_member.html", form=form, tf=tf, member=member
    ), form_status(form)


@bp.get("/taskforces/<int:taskforce_id>/versions")
def versions(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id)
    return render_template("bodies/versions.html", tf=tf, versions=list(reversed(tf.tor_versions)))


@bp.get("/taskforces/<int:taskforce_id>/versions/<int:number>")
def version(taskforce_id: int, number: int):
    tf = taskforce_or_404(taskforce_id)
    found = services.tor_version(tf, number)
    if found is None:
        abort(404)
    snap = found.snapshot
    groups = [(g, [m for m in snap["members"] if m["group"] == g.value]) for g in MemberGroup]
    return render_template("bodies/version.html", tf=tf, version=found, snap=snap, groups=groups)


@bp.get("/taskforces/<int:taskforce_id>/versions/compare")
def compare(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id)
    numbers = [v.number for v in tf.tor_versions]
    errors = {}
    chosen = {}
    if len(numbers) < 2:
        return render_template(
            "bodies/compare.html", tf=tf, comparison=None, errors={}, chosen={}, numbers=numbers
        )
    for arg, fallback in (("from", numbers[-2]), ("to", numbers[-1])):
        raw = request.args.get(arg)
        value = fallback if raw is None else small_int(raw)
        if value not in numbers:
            errors[arg] = f"Choose a version from 1 to {numbers[-1]}"
        chosen[arg] = value
    comparison = None
    if not errors and chosen["from"] is not None:
        comparison = services.compare_versions(
            services.tor_version(tf, chosen["from"]), services.tor_version(tf, chosen["to"])
        )
    status = 200 if not errors else 400
    return render_template(
        "bodies/compare.html",
        tf=tf,
        comparison=comparison,
        errors=errors,
        chosen=chosen,
        numbers=numbers,
    ), status


@bp.get("/taskforces/<int:taskforce_id>/history")
def history(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id, edit=True)
    form = HistoryFilterForm(formdata=request.args)
    kinds, people = history_filters(tf.id)
    form.kind.choices = [("", "All records")] + [(k, kind_plural(k)) for k in kinds]
    form.person.choices = [("", "Anyone")] + [(p, p) for p in people]
    if request.args:
        form.validate()  # a value not on the lists is reported and ignored
    kind = form.kind.data if form.kind.data and not form.kind.errors else None
    person = form.person.data if form.person.data and not form.person.errors else None
    found = taskforce_history(
        tf.id, kind=kind, person=person, number=small_int(request.args.get("page")) or 1
    )
    filters = {k: v for k, v in (("kind", kind), ("person", person)) if v}
    return render_template(
        "bodies/history.html",
        tf=tf,
        form=form,
        history=found,
        filters=filters,
        page_url=lambda n: url_for("bodies.history", taskforce_id=tf.id, **filters, page=n),
    )


@bp.post("/members/<int:member_id>/calendar-link")
def send_calendar_link(member_id: int):
    member = _member_or_404(member_id, edit=True)
    if ConfirmForm().validate_on_submit():
        queued = emails.send_feed_link(member)
        flash_mail(
            transaction.finish(),
            queued,
            sent=f"Calendar feed link sent to {member.email}.",
            kept=f"Calendar feed link for {member.email} kept here, not sent: "
            "no mail server is configured.",
            waiting=f"Calendar feed link for {member.email} has not reached the mail server yet.",
        )
    return redirect(url_for("bodies.edit_member", member_id=member.id))


@bp.route("/members/<int:member_id>/calendar-link/withdraw", methods=["GET", "POST"])
def withdraw_calendar_link(member_id: int):
    member = _member_or_404(member_id, edit=True)
    page = url_for("bodies.edit_member", member_id=member.id)
    if not confirmed():
        return ask(
            Confirmation(
                question=f"Withdraw {member.name}'s calendar feed links?",
                caption=member.taskforce.name,
                consequences=(
                    f"Calendars subscribed to {member.name}'s feed links stop updating: "
                    "meetings already in them stay, but new meetings, moves and cancellations "
                    "no longer reach them.",
                    "Withdraw the links if one was shared or the member has left.",
                ),
                warning="This cannot be undone. Email a new link if they still need the feed.",
                button="Yes, withdraw the feed links",
                back=page,
                keep="Keep the links",
            )
        )
    count = links.revoke_for_member(member.id, links.Purpose.CALENDAR_FEED)
    flash_success(f"Withdrew {count} calendar feed link{'s' if count != 1 else ''}.")
    return redirect(page)
