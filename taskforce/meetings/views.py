"""Web pages for a task force's meetings: schedule, change, cancel, invite, attendance."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from taskforce import transaction
from taskforce.auth import permissions
from taskforce.bodies import services as body_services
from taskforce.bodies.models import Member
from taskforce.errors import Conflict, ServiceError
from taskforce.forms import ButtonForm
from taskforce.meetings import emails, ical, services, steps
from taskforce.meetings.forms import (
    ApologiesForm,
    CancelForm,
    CycleForm,
    MeetingForm,
    ScheduleForm,
    combine,
)
from taskforce.meetings.models import AttendanceStatus, Meeting, MeetingStatus
from taskforce.text import expected_version
from taskforce.web import (
    attempt,
    flash_mail,
    flash_success,
    form_status,
    record_or_404,
    require_button,
    taskforce_or_404,
    web_actor,
)

bp = Blueprint("meetings", __name__)


def _meeting_or_404(meeting_id: int, *, edit: bool = False) -> Meeting:
    return record_or_404(Meeting, meeting_id, edit=edit)


def _commit_and_report(invites: emails.Invites, what: str, otherwise: str) -> None:
    """Commit, send what was queued, and tell the user what became of it, and whose
    addresses mail cannot reach."""
    delivery = transaction.finish()
    queued = invites.queued
    skipped = invites.skipped_sentence()
    if not queued:
        message = otherwise if not invites.skipped else f"No {what} sent."
        flash_success(" ".join(filter(None, (message, skipped))))
        return
    what = what.removesuffix("s") if queued == 1 else what
    flash_mail(
        delivery,
        queued,
        sent=f"{queued} {what} sent.",
        kept=f"{queued} {what} kept here, not sent: no mail server is configured.",
        waiting=(
            f"{queued} {what} queued, {delivery.sent} sent now; "
            "the rest have not reached the mail server."
        ),
        also=skipped,
    )


@bp.get("/taskforces/<int:taskforce_id>/meetings")
def index(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id)
    meetings = services.meetings_of(tf)
    return render_template(
        "meetings/index.html",
        tf=tf,
        meetings=meetings,
        services=services,
        can_edit=permissions.can_edit(current_user, tf),
        form=ButtonForm(),
    )


@bp.route("/taskforces/<int:taskforce_id>/meetings/schedule", methods=["GET", "POST"])
def schedule(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id, edit=True)
    form = ScheduleForm()
    if request.method == "GET":
        form.cadence_weeks.data = tf.cadence_weeks
    if form.validate_on_submit():
        with attempt(form) as outcome:
            meetings = services.schedule_meetings(
                tf,
                first_start=combine(form.first_date.data, form.start_time.data),
                count=form.count.data,
                duration_minutes=form.duration_minutes.data,
                location=form.location.data or "",
                cadence_weeks=form.cadence_weeks.data,
                record_history=bool(form.record_history.data),
                actor=web_actor(),
            )
        if outcome.error:
            if "first_start" in outcome.error.fields:
                starts = outcome.error.fields["first_start"]
                form.first_date.errors = [*form.first_date.errors, *starts]
        else:
            flash_success(
                f"{len(meetings)} meetings scheduled. Check any flagged dates, "
                "then send the invites."
            )
            return redirect(url_for("meetings.index", taskforce_id=tf.id))
    return render_template("meetings/schedule.html", tf=tf, form=form), form_status(form)


@dataclass
class AttendanceRow:
    """One member's line of the attendance form: what is chosen (as recorded, or as just
    posted when the form comes back refused) and the refusals that belong to the line."""

    member: Member
    status: str = ""
    deputy_name: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)


def _attendance_rows(
    meeting: Meeting, posted: list[dict] | None = None, error: ServiceError | None = None
) -> list[AttendanceRow]:
    rows = {m.id: AttendanceRow(m) for m in meeting.taskforce.members}
    if posted is None:
        for a in meeting.attendance:
            if a.member_id in rows:
                rows[a.member_id].status, rows[a.member_id].deputy_name = a.status, a.deputy_name
        return list(rows.values())
    for entry in posted:
        row = rows[entry["member_id"]]
        row.status, row.deputy_name = entry["status"], entry["deputy_name"]
    # The service names refusals by the entry's position ("2.deputy_name"), as the API does.
    for name, messages in (error.fields if error else {}).items():
        index, _, what = name.partition(".")
        if index.isdigit() and int(index) < len(posted):
            row = rows[posted[int(index)]["member_id"]]
            row.errors.setdefault(what, []).extend(messages)
    return list(rows.values())


def _error_list(rows: list[AttendanceRow], statuses, error: ServiceError) -> list[dict]:
    """The error summary's lines: each tied to the field of its member's line."""
    items, first = [], statuses[0].value
    for row in rows:
        for what, messages in row.errors.items():
            member_id = row.member.id
            anchor = (
                f"deputy-{member_id}" if what == "deputy_name" else f"status-{member_id}-{first}"
            )
            items += [{"text": f"{row.member.name}: {m}", "href": f"#{anchor}"} for m in messages]
    return items or [{"text": error.message}]


def _show_page(
    meeting: Meeting,
    status: int = 200,
    error: ServiceError | None = None,
    posted: list[dict] | None = None,
    apologies: ApologiesForm | None = None,
):
    tf = meeting.taskforce
    statuses = services.statuses_open(meeting)
    rows = _attendance_rows(meeting, posted, error)
    member = permissions.membership(current_user, tf)
    can_send_apologies = (
        member is not None
        and meeting.status == MeetingStatus.SCHEDULED
        and not services.has_started(meeting)
    )
    return render_template(
        "meetings/show.html",
        tf=tf,
        meeting=meeting,
        error=error,
        steps=steps.steps_of([meeting], viewer=current_user).get(meeting.id, []),
        error_list=_error_list(rows, statuses, error) if error else [],
        warning=services.non_working_warning(meeting),
        summary=services.attendance_summary(meeting),
        rows=rows,
        statuses=statuses,
        started=services.has_started(meeting),
        can_edit=permissions.can_edit(current_user, tf),
        form=ButtonForm(),
        member=member if can_send_apologies else None,
        mine=next((a for a in meeting.attendance if member and a.member_id == member.id), None),
        apologies=apologies or ApologiesForm(formdata=None),
    ), status


@bp.get("/meetings/<int:meeting_id>")
def show(meeting_id: int):
    return _show_page(_meeting_or_404(meeting_id))


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id: int):
    meeting = _meeting_or_404(meeting_id, edit=True)
    form = MeetingForm(obj=meeting)
    error = None
    if request.method == "GET":
        start = services.local(meeting.start_at)
        form.date.data = start.date()
        form.start_time.data = start.strftime("%H:%M")
        form.duration_minutes.data = meeting.duration_minutes
        form.version.data = str(meeting.version)
    elif form.validate_on_submit():
        expected = expected_version(form.version.data)
        data = {
            "title": form.title.data,
            "location": form.location.data or "",
            "start": combine(form.date.data, form.start_time.data),
            "duration_minutes": form.duration_minutes.data,
        }
        with attempt(form) as outcome:
            queued = services.change_meeting(meeting, data, web_actor(), expected_version=expected)
        if error := outcome.error:
            if "start" in error.fields:
                form.date.errors = [*form.date.errors, *error.fields["start"]]
            if isinstance(error, Conflict):
                form.version.data = str(meeting.version)
        else:
            _commit_and_report(queued, "updated invites", "Meeting saved.")
            return redirect(url_for("meetings.show", meeting_id=meeting.id))
    return render_template(
        "meetings/edit.html", tf=meeting.taskforce, meeting=meeting, form=form
    ), form_status(form, error)


@bp.post("/meetings/<int:meeting_id>/next-working-day")
def move_to_working_day(meeting_id: int):
    meeting = _meeting_or_404(meeting_id, edit=True)
    if ButtonForm().validate_on_submit():
        start = services.local(meeting.start_at)
        better = services.workdays.next_working_day(start.date())
        new_start = start.replace(year=better.year, month=better.month, day=better.day)
        queued = services.change_meeting(
            meeting, {"start": new_start.replace(tzinfo=None)}, web_actor()
        )
        moved = f"Meeting {meeting.number} moved to {better:%A %-d %B %Y}."
        _commit_and_report(queued, "updated invites", moved)
    if request.form.get("back") == "index":
        return redirect(url_for("meetings.index", taskforce_id=meeting.taskforce_id))
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
def cancel(meeting_id: int):
    meeting = _meeting_or_404(meeting_id, edit=True)
    form = CancelForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            queued = services.cancel_meeting(meeting, form.reason.data or "", web_actor())
        if not outcome.error:
            cancelled = f"Meeting {meeting.number} cancelled. No invites had been sent."
            _commit_and_report(queued, "cancellations", cancelled)
            return redirect(url_for("meetings.show", meeting_id=meeting.id))
    return render_template(
        "meetings/cancel.html", tf=meeting.taskforce, meeting=meeting, form=form
    ), form_status(form)


@bp.post("/meetings/<int:meeting_id>/invites")
def send_invites(meeting_id: int):
    meeting = _meeting_or_404(meeting_id, edit=True)
    if ButtonForm().validate_on_submit():
        nothing = "Everyone already has the current invite: nothing was sent again."
        _commit_and_report(emails.send_invites(meeting), "invites", nothing)
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/attendance")
def attendance(meeting_id: int):
    meeting = _meeting_or_404(meeting_id, edit=True)
    require_button()
    known = {s.value for s in AttendanceStatus}
    entries = []
    for member in meeting.taskforce.members:
        status = request.form.get(f"status-{member.id}", "")
        if status in known:
            deputy = request.form.get(f"deputy-{member.id}", "").strip()
            entries.append({"member_id": member.id, "status": status, "deputy_name": deputy})
    with attempt() as outcome:
        services.record_attendance(meeting, entries, web_actor())
    if outcome.error:
        return _show_page(meeting, outcome.error.status, outcome.error, posted=entries)
    summary = services.attendance_summary(meeting)
    flash_success(
        f"Attendance saved: {summary.present} present, "
        f"{'quorate' if summary.quorate else 'not quorate'}."
    )
    return redirect(url_for("meetings.show", meeting_id=meeting.id) + "#attendance")


@bp.post("/meetings/<int:meeting_id>/apologies")
def apologies(meeting_id: int):
    """A member signed in sends their own apologies, or names their deputy, as from the link
    in their invite."""
    meeting = _meeting_or_404(meeting_id)
    member = permissions.membership(current_user, meeting.taskforce)
    if member is None:
        abort(403)
    form = ApologiesForm()
    if not form.validate_on_submit():
        return _show_page(meeting, 422, apologies=form)
    deputy = form.deputy_name.data if form.names_deputy else ""
    with attempt(form) as outcome:
        services.send_apologies(meeting, member, web_actor(), deputy)
    if outcome.error:
        return _show_page(meeting, outcome.error.status, apologies=form)
    flash_success(
        f"{deputy} is recorded as attending in your place."
        if deputy
        else "Your apologies are recorded. The secretariat can see them."
    )
    return redirect(url_for("meetings.show", meeting_id=meeting.id) + "#your-attendance")


@bp.get("/meetings/<int:meeting_id>/invite.ics")
def invite_ics(meeting_id: int):
    return ical.attachment(ical.invite_ics(_meeting_or_404(meeting_id)), "invite.ics")


@bp.route("/taskforces/<int:taskforce_id>/cycle", methods=["GET", "POST"])
def cycle(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id, edit=True)
    form = CycleForm(data=services.offsets_for(tf))
    if form.validate_on_submit():
        with attempt(form) as outcome:
            body_services.update_taskforce(tf, {"milestone_offsets": form.offsets()}, web_actor())
        if not outcome.error:
            flash_success("Cycle saved. Every meeting's milestones now follow it.")
            return redirect(url_for("meetings.index", taskforce_id=tf.id))
    return render_template("meetings/cycle.html", tf=tf, form=form), form_status(form)
