"""Web pages for a task force's meetings: schedule, change, cancel, invite, attendance."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from taskforce import transaction
from taskforce.auth import permissions
from taskforce.bodies import services as body_services
from taskforce.errors import Conflict, ServiceError
from taskforce.forms import ButtonForm
from taskforce.meetings import emails, ical, services, steps
from taskforce.meetings.forms import (
    CancelForm,
    CycleForm,
    MeetingForm,
    ScheduleForm,
    combine,
)
from taskforce.meetings.models import AttendanceStatus, Meeting
from taskforce.text import expected_version
from taskforce.web import (
    attempt,
    flash_mail,
    flash_success,
    form_status,
    record_or_404,
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


def _show_page(meeting: Meeting, status: int = 200, error: ServiceError | None = None):
    tf = meeting.taskforce
    return render_template(
        "meetings/show.html",
        tf=tf,
        meeting=meeting,
        error=error,
        steps=steps.steps_of([meeting], viewer=current_user).get(meeting.id, []),
        warning=services.non_working_warning(meeting),
        summary=services.attendance_summary(meeting),
        recorded={a.member_id: a for a in meeting.attendance},
        statuses=list(AttendanceStatus),
        can_edit=permissions.can_edit(current_user, tf),
        form=ButtonForm(),
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
    if not ButtonForm().validate_on_submit():
        abort(400)
    entries = []
    for member in meeting.taskforce.members:
        status = request.form.get(f"status-{member.id}", "")
        if status in {s.value for s in AttendanceStatus}:
            entries.append(
                {
                    "member_id": member.id,
                    "status": status,
                    "deputy_name": request.form.get(f"deputy-{member.id}", "").strip()[:120],
                }
            )
    with attempt() as outcome:
        services.record_attendance(meeting, entries, web_actor())
    if outcome.error:
        return _show_page(meeting, 422, outcome.error)
    summary = services.attendance_summary(meeting)
    flash_success(
        f"Attendance saved: {summary.present} present, "
        f"{'quorate' if summary.quorate else 'not quorate'}."
    )
    return redirect(url_for("meetings.show", meeting_id=meeting.id) + "#attendance")


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
