"""Web pages for actions: the tracker (per task force, across them, per owner), exports,
allocating and updating an action, owner links, and each task force's chasing ladder."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from taskforce import clock, exports, transaction
from taskforce.actions import chasing, emails, ladder, services, tracker
from taskforce.actions.forms import (
    ActionCreateForm,
    ActionUpdateForm,
    FilterForm,
    LadderForm,
    OwnerUpdateForm,
    ProposalForm,
)
from taskforce.actions.models import Action, ActionStatus
from taskforce.auth import permissions
from taskforce.bodies import services as body_services
from taskforce.bodies.models import TaskForce
from taskforce.confirm import Confirmation, ask, confirmed
from taskforce.db import utcnow
from taskforce.errors import Conflict
from taskforce.extensions import db
from taskforce.formatting import format_date
from taskforce.forms import ButtonForm
from taskforce.meetings.models import Meeting, MeetingStatus
from taskforce.meetings.services import meetings_of
from taskforce.text import expected_version, small_int
from taskforce.web import (
    attempt,
    flash_mail,
    flash_success,
    flash_warning,
    form_status,
    record_or_404,
    require_button,
    taskforce_or_404,
    web_actor,
)

bp = Blueprint("actions", __name__)


def _action_or_404(action_id: int, *, edit: bool = False) -> Action:
    return record_or_404(Action, action_id, edit=edit)


def _visible_action_or_404(action_id: int) -> Action:
    """An action of a task force the user may see, or one allocated to them: its owner sees
    it signed in as through their emailed link, even in a task force they are not part of."""
    action = db.session.get(Action, action_id)
    if action is None:
        abort(404)
    if not permissions.owns_action(current_user, action):
        taskforce_or_404(action.taskforce_id)
    return action


# The tracker --------------------------------------------------------------------------


def _filters(tf: TaskForce | None) -> tuple[FilterForm, tracker.Filters]:
    """Read the filters from the query string; a bad value is reported and ignored."""
    form = FilterForm(formdata=request.args)
    organisations = tracker.organisations(_scope(tf))
    form.organisation.choices = [("", "Any organisation")] + [(o, o) for o in organisations]
    if tf is not None:
        form.meeting.choices = [("", "Any meeting")] + [
            (str(m.id), f"Meeting {m.number}, {m.start_at:%-d %b %Y}") for m in meetings_of(tf)
        ]
        form.taskforce.choices = [("", "")]
    else:
        form.meeting.choices = [("", "Any meeting")]
        form.taskforce.choices = [("", "All your task forces")] + [
            (str(t.id), t.name) for t in permissions.visible_taskforces_by_name(current_user)
        ]
    if request.args:
        form.validate()
    filters = tracker.Filters(sort="due")
    if not form.status.errors:
        filters.statuses = [s for s in (form.status.data or []) if s in set(ActionStatus)]
    filters.overdue = True if form.overdue.data else None
    if not form.owner.errors:
        filters.owner = form.owner.data or ""
    email = request.args.get("owner_email", "").strip()
    if email and len(email) <= 254:
        filters.owner_email = email
    if not form.organisation.errors:
        filters.organisation = form.organisation.data or ""
    if not form.meeting.errors:
        filters.meeting_id = small_int(form.meeting.data)
    if tf is None and not form.taskforce.errors:
        filters.taskforce_id = small_int(form.taskforce.data)
    if not form.sort.errors and form.sort.data in tracker.SORTS:
        filters.sort = form.sort.data
    return form, filters


def _scope(tf: TaskForce | None):
    """The task forces a tracker page covers: the one in the address, or all the user's."""
    visible = permissions.visible_taskforces(current_user)
    return visible.where(TaskForce.id == tf.id) if tf is not None else visible


def _tracker(tf: TaskForce | None, template: str = "actions/tracker.html", **extra):
    form, filters = _filters(tf)
    today = clock.today()
    stmt = tracker.select_actions(_scope(tf), filters, today)
    number = small_int(request.args.get("page")) or 1
    totals = tracker.counts(stmt, today)
    pages = max(1, -(-totals["total"] // tracker.PAGE_SIZE))
    number = min(number, pages)
    return render_template(
        template,
        tf=tf,
        form=form,
        filters=filters,
        actions=tracker.page(stmt, number),
        totals=totals,
        page=number,
        pages=pages,
        today=today,
        can_edit=permissions.can_edit(current_user, tf) if tf else False,
        page_url=lambda n: url_for(
            request.endpoint, **(request.view_args or {}), **filters.query_args(), page=n
        ),
        count_url=lambda count: url_for(
            request.endpoint, **(request.view_args or {}), **filters.counted(count)
        ),
        export_url=lambda fmt: url_for(
            "actions.export" if tf else "actions.export_across",
            **({"taskforce_id": tf.id} if tf else {}),
            **filters.query_args(),
            fmt=fmt,
        ),
        **extra,
    )


@bp.get("/actions")
def across():
    return _tracker(None)


@bp.get("/taskforces/<int:taskforce_id>/actions")
def index(taskforce_id: int):
    return _tracker(taskforce_or_404(taskforce_id))


@bp.get("/actions/mine")
def mine():
    """The signed-in user's own actions in every task force: overdue first."""
    today = clock.today()
    stmt = tracker.owned_by(current_user.email)
    return render_template(
        "actions/mine.html",
        actions=tracker.still_open(stmt, today),
        ended=tracker.ended(stmt),
        totals=tracker.counts(stmt, today),
        today=today,
        # Every count is of the one table of open actions, overdue first.
        count_url=lambda _count: "#to-do",
    )


@bp.get("/actions/owner")
def owner():
    """Everything one person owns, in every task force the viewer can see."""
    email = request.args.get("owner_email", "").strip().lower()
    if not email:
        return redirect(url_for("actions.across"))
    name = tracker.owner_name(_scope(None), email)
    return _tracker(None, "actions/owner.html", owner_email=email, owner_name=name or email)


def _export(tf: TaskForce | None, fmt: str):
    _form, filters = _filters(tf)
    today = clock.today()
    stmt = tracker.select_actions(_scope(tf), filters, today)
    rows = tracker.export_rows(stmt, today)
    stem = f"actions-{tf.code.lower()}" if tf else "actions"
    stem += f"-{today:%Y-%m-%d}"
    return exports.download(tracker.COLUMNS, rows, fmt, stem, tf.code if tf else "Actions")


@bp.get("/actions/export.csv", defaults={"fmt": "csv"})
@bp.get("/actions/export.xlsx", defaults={"fmt": "xlsx"})
def export_across(fmt: str):
    return _export(None, fmt)


@bp.get("/taskforces/<int:taskforce_id>/actions/export.csv", defaults={"fmt": "csv"})
@bp.get("/taskforces/<int:taskforce_id>/actions/export.xlsx", defaults={"fmt": "xlsx"})
def export(taskforce_id: int, fmt: str):
    return _export(taskforce_or_404(taskforce_id), fmt)


# One action --------------------------------------------------------------------------


def _meetings_to_choose(tf: TaskForce) -> tuple[list[Meeting], Meeting | None]:
    """The meetings an action may be allocated at, in the order the secretariat looks for
    them: those still to come (or under way) soonest first, then past ones latest first.
    Cancelled meetings agreed nothing. Return them with the next one, if any."""
    now = utcnow()
    meetings = [m for m in meetings_of(tf) if m.status != MeetingStatus.CANCELLED]
    upcoming = [m for m in meetings if m.end_at >= now]
    past = [m for m in reversed(meetings) if m.end_at < now]
    return upcoming + past, upcoming[0] if upcoming else None


@bp.route("/taskforces/<int:taskforce_id>/actions/new", methods=["GET", "POST"])
def new(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id, edit=True)
    form = ActionCreateForm()
    meetings, next_meeting = _meetings_to_choose(tf)
    form.meeting_id.choices = [("", "Between meetings")] + [
        (
            str(m.id),
            f"Meeting {m.number}, {format_date(m.start_at)}"
            + (" (the next meeting)" if m is next_meeting else ""),
        )
        for m in meetings
    ]
    if request.method == "GET":
        # From a meeting's page its own; from the tracker, the next meeting.
        chosen = request.args.get("meeting_id") or (next_meeting and str(next_meeting.id))
        form.meeting_id.data = chosen or ""
    if form.validate_on_submit():
        meeting = next((m for m in meetings if str(m.id) == form.meeting_id.data), None)
        data = {
            "description": form.description.data,
            "owner_name": form.owner_name.data,
            "owner_email": form.owner_email.data,
            "owner_organisation": form.owner_organisation.data or "",
            "due_date": form.due_date.data,
        }
        with attempt(form) as outcome:
            action, warnings = services.create_action(tf, data, web_actor(), meeting)
            queued = 1 if form.send_link.data and emails.send_owner_link(action, web_actor()) else 0
        if not outcome.error:
            delivery = transaction.finish()
            note = f"Action {action.reference} allocated to {action.owner_name}."
            if queued:
                flash_mail(
                    delivery,
                    queued,
                    sent=f"{note} They have been emailed a link to update it.",
                    kept=f"{note} Their link to update it is kept here, not sent: "
                    "no mail server is configured.",
                    waiting=f"{note} Their email with a link to update it has not reached "
                    "the mail server yet.",
                )
            else:
                flash_success(note)
            for warning in warnings:
                flash_warning(f"{warning}. Check it is right.")
            return redirect(url_for("actions.show", action_id=action.id))
    return render_template("actions/new.html", tf=tf, form=form), form_status(form)


def _show_page(
    action: Action,
    form: ActionUpdateForm | OwnerUpdateForm | None = None,
    status: int = 200,
    proposal: ProposalForm | None = None,
    **extra,
):
    """The action's page. The secretariat's form is `form`; an owner who does not serve the
    task force gets theirs there instead (the one their emailed link shows)."""
    tf = action.taskforce
    can_edit = permissions.can_edit(current_user, tf)
    is_owner = permissions.owns_action(current_user, action)
    if form is None and is_owner and not can_edit:
        form = OwnerUpdateForm(formdata=None)
        form.version.data = str(action.version)
    elif form is None:
        form = ActionUpdateForm(formdata=None, obj=action)
        form.due_date.data = action.due_on
        form.version.data = str(action.version)
    chase_log = chasing.log_for_action(action)
    if proposal is None:
        proposal = ProposalForm(formdata=None)
        proposal.version.data = str(action.version)
    return render_template(
        "actions/show.html",
        tf=tf,
        action=action,
        form=form,
        proposal=proposal,
        button=ButtonForm(),
        chase_log=chase_log,
        step_labels=ladder.STEP_LABELS,
        links=emails.live_owner_links(action) if can_edit else [],
        can_edit=can_edit,
        can_view_tf=permissions.can_view(current_user, tf),
        is_owner=is_owner,
        owner_form=isinstance(form, OwnerUpdateForm),
        today=clock.today(),
        **extra,
    ), status


@bp.get("/actions/<int:action_id>")
def show(action_id: int):
    return _show_page(_visible_action_or_404(action_id))


@bp.post("/actions/<int:action_id>")
def update(action_id: int):
    action = _action_or_404(action_id, edit=True)
    form = ActionUpdateForm()
    form.saved_due = action.due_on
    if not form.validate_on_submit():
        return _show_page(action, form, 422)
    data = {
        "status": form.status.data,
        "due_date": form.due_date.data,
        "description": form.description.data,
        "comment": form.comment.data,
    }
    with attempt(form) as outcome:
        services.update_action(
            action, data, web_actor(), expected_version=expected_version(form.version.data)
        )
    if outcome.error:
        return _show_page(action, form, outcome.error.status, conflict=outcome.error.status == 409)
    flash_success(f"{action.reference} updated.")
    return redirect(url_for("actions.show", action_id=action.id))


@bp.post("/actions/<int:action_id>/owner-update")
def owner_update(action_id: int):
    """The owner, signed in, updates their own action: the form and the rules of the link
    emailed to them, recorded as a change on the web by their user."""
    action = _visible_action_or_404(action_id)
    if not permissions.owns_action(current_user, action):
        abort(403)
    form = OwnerUpdateForm()
    if not form.validate_on_submit():
        return _show_page(action, form, 422)
    with attempt(form) as outcome:
        services.owner_update(
            action,
            status=form.status.data or None,
            proposed_due=form.due_date.data,
            comment=form.comment.data or "",
            actor=web_actor(),
            expected_version=expected_version(form.version.data),
        )
    if error := outcome.error:
        if isinstance(error, Conflict):
            form.version.data = str(action.version)  # sending again applies it knowingly
        return _show_page(action, form, error.status)
    flash_success(f"Your update to {action.reference} has been saved.")
    return redirect(url_for("actions.show", action_id=action.id))


@bp.post("/actions/<int:action_id>/proposal")
def proposal(action_id: int):
    action = _action_or_404(action_id, edit=True)
    form = ProposalForm()
    if form.decision.data not in ("accept", "decline"):
        abort(400)
    if not form.validate_on_submit():
        return _show_page(action, status=422, proposal=form)
    with attempt() as outcome:
        services.decide_proposal(
            action,
            form.decision.data == "accept",
            web_actor(),
            form.comment.data or "",
            expected_version=expected_version(form.version.data),
        )
    if outcome.error:
        return _show_page(action, status=outcome.error.status, problem=outcome.error.message)
    flash_success(f"Proposed date {'accepted' if form.decision.data == 'accept' else 'declined'}.")
    return redirect(url_for("actions.show", action_id=action.id))


@bp.post("/actions/<int:action_id>/link")
def send_link(action_id: int):
    action = _action_or_404(action_id, edit=True)
    require_button()
    with attempt() as outcome:
        emails.send_owner_link(action, web_actor())
    if outcome.error:
        return _show_page(action, status=outcome.error.status, problem=outcome.error.message)
    flash_mail(
        transaction.finish(),
        1,
        sent=f"A new link was emailed to {action.owner_email}.",
        kept=f"A new link for {action.owner_email} is kept here, not sent: "
        "no mail server is configured.",
        waiting=f"A new link for {action.owner_email} has not reached the mail server yet.",
        also="Earlier links no longer work.",
    )
    return redirect(url_for("actions.show", action_id=action.id))


@bp.route("/actions/<int:action_id>/link/withdraw", methods=["GET", "POST"])
def withdraw_links(action_id: int):
    action = _action_or_404(action_id, edit=True)
    page = url_for("actions.show", action_id=action.id)
    if not confirmed():
        live = emails.live_owner_links(action)
        if request.method == "GET" and not live:
            return redirect(page)  # nothing to withdraw
        which = "the link" if len(live) == 1 else f"all {len(live)} links"
        return ask(
            Confirmation(
                question=f"Withdraw {which} to update {action.reference}?",
                caption=action.taskforce.name,
                consequences=(
                    f"{action.owner_name} will no longer be able to update {action.reference} "
                    "from the emails already sent to them. A link that also covers their other "
                    "actions keeps working for those.",
                    "Withdraw a link that reached the wrong person or was forwarded.",
                ),
                warning="This cannot be undone. To let the owner update the action again, "
                "email them a new link.",
                button=f"Yes, withdraw {which}",
                back=page,
                keep="Keep the link" if len(live) == 1 else "Keep the links",
            )
        )
    count = emails.withdraw_owner_links(action, web_actor())
    flash_success(f"{count} link{'s' if count != 1 else ''} withdrawn.")
    return redirect(page)


# Chasing ------------------------------------------------------------------------------


@bp.route("/taskforces/<int:taskforce_id>/chasing", methods=["GET", "POST"])
def chasing_page(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id, edit=True)
    form = LadderForm(data=ladder.ladder_for(tf))
    if form.validate_on_submit():
        with attempt(form) as outcome:
            body_services.update_taskforce(tf, {"chase_offsets": form.offsets()}, web_actor())
        if not outcome.error:
            flash_success("Chasing ladder saved. The next run follows it.")
            return redirect(url_for("actions.chasing_page", taskforce_id=tf.id))
    return render_template(
        "actions/chasing.html",
        tf=tf,
        form=form,
        log=chasing.log_for_taskforce(tf),
        labels=ladder.STEP_LABELS,
        example=ladder.step_dates(clock.today(), ladder.ladder_for(tf)),
        today=clock.today(),
    ), form_status(form)
