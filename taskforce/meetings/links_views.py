"""Pages reached from emailed links, without signing in: calendar feeds and apologies."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from taskforce.audit.services import Actor
from taskforce.bodies.services import memberships_of
from taskforce.db import utcnow
from taskforce.errors import Conflict
from taskforce.extensions import db
from taskforce.links import LinkProblem, Purpose, resolve_for_member
from taskforce.meetings import ical, services
from taskforce.meetings.forms import ApologiesForm
from taskforce.meetings.models import Meeting
from taskforce.web import attempt, form_status, public

bp = Blueprint("links", __name__)


def _problem(problem: LinkProblem):
    return render_template("links/problem.html", problem=problem), problem.status


@bp.get("/feed/<token>.ics")
@public
def feed(token: str):
    """Every meeting of every task force the link's owner belongs to (read only)."""
    try:
        link, _member = resolve_for_member(token, Purpose.CALENDAR_FEED)
    except LinkProblem as problem:
        return _problem(problem)
    events = []
    for membership in memberships_of(link.email):
        tf = membership.taskforce
        events += [ical.meeting_event(m) for m in services.meetings_of(tf)]
    return Response(ical.calendar(events, "PUBLISH"), mimetype="text/calendar")


def _apologies_context(token: str):
    link, member = resolve_for_member(token, Purpose.APOLOGIES)
    meeting = db.session.get(Meeting, link.meeting_id)
    if meeting is None or meeting.taskforce_id != member.taskforce_id:
        raise LinkProblem(410, "This meeting no longer exists.")
    return link, meeting, member


@bp.route("/apologies/<token>", methods=["GET", "POST"])
@public
def apologies(token: str):
    # Mail scanners open links: GET only shows the page; the POST (with CSRF) records.
    try:
        link, meeting, member = _apologies_context(token)
    except LinkProblem as problem:
        return _problem(problem)
    form = ApologiesForm()
    done = None
    if form.validate_on_submit():
        actor = Actor.system("email_link", label=f"{member.name} <{link.email}>")
        deputy = form.deputy_name.data if form.names_deputy else ""
        with attempt(form) as outcome:
            services.send_apologies(meeting, member, actor, deputy)
        if isinstance(outcome.error, Conflict):  # started, held or cancelled meanwhile
            return _problem(LinkProblem(410, outcome.error.message))
        if not outcome.error:
            link.last_used_at = utcnow()
            done = next(a for a in meeting.attendance if a.member_id == member.id)
    recorded = next((a for a in meeting.attendance if a.member_id == member.id), None)
    return render_template(
        "links/apologies.html",
        meeting=meeting,
        member=member,
        form=form,
        recorded=recorded,
        done=done,
        started=services.has_started(meeting),
    ), form_status(form)
