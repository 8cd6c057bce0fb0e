"""The agenda's steps in a meeting's cycle: papers commissioned, the papers deadline, and the
agenda agreed with the chair (meetings/steps.py shows them on the meeting and home pages).

Each source answers for every meeting at once, in one query, so the home page costs the same
for one task force as for twenty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import url_for
from sqlalchemy import func, select

from taskforce import clock, formatting
from taskforce.agenda import services
from taskforce.agenda.models import Agenda, AgendaItem, Paper, PaperVersion
from taskforce.auth import permissions
from taskforce.auth.models import User
from taskforce.db import utcnow
from taskforce.extensions import db
from taskforce.meetings import steps
from taskforce.meetings.models import Meeting


def _papers(n: int) -> str:
    return f"{n} paper{'' if n == 1 else 's'}"


def _paper_counts(meetings: Sequence[Meeting]) -> dict[int, tuple[int, int, int]]:
    """{meeting id: (papers commissioned, of which received, of which late)}; late as in
    services.late_papers_count: still awaited after its due date."""
    received = select(PaperVersion.id).where(PaperVersion.paper_id == Paper.id).exists()
    rows = db.session.execute(
        select(
            AgendaItem.meeting_id,
            func.count(Paper.id),
            func.count(Paper.id).filter(received),
            func.count(Paper.id).filter(~received, Paper.due_on < clock.today()),
        )
        .join(Paper, Paper.agenda_item_id == AgendaItem.id)
        .where(
            AgendaItem.meeting_id.in_([m.id for m in meetings]),
            Paper.commissioned_at.is_not(None),
        )
        .group_by(AgendaItem.meeting_id)
    )
    return {meeting_id: (asked, got, late) for meeting_id, asked, got, late in rows}


def commissioning_progress(meetings: Sequence[Meeting]) -> Mapping[int, steps.Progress]:
    """Done once any paper has been commissioned for the meeting."""
    return {
        meeting_id: steps.Progress(done=True, summary=f"{_papers(asked)} commissioned")
        for meeting_id, (asked, _got, _late) in _paper_counts(meetings).items()
        if asked
    }


def deadline_progress(meetings: Sequence[Meeting]) -> Mapping[int, steps.Progress]:
    """Done when every commissioned paper is in; otherwise how many are awaited or late."""
    result = {}
    for meeting_id, (asked, got, late) in _paper_counts(meetings).items():
        if got >= asked:
            result[meeting_id] = steps.Progress(done=True, summary=f"{_papers(got)} received")
        elif late:
            result[meeting_id] = steps.Progress(summary=f"{_papers(late)} late")
        else:
            result[meeting_id] = steps.Progress(summary=f"{_papers(asked - got)} awaited")
    return result


def agreement_progress(meetings: Sequence[Meeting]) -> Mapping[int, steps.Progress]:
    """Done when the chair agreed the agenda and nothing changed since. The chair is waited
    on from the papers deadline (when the agenda is ready to agree) until the meeting."""
    ids = [m.id for m in meetings]
    today, now = clock.today(), utcnow()
    ready = {m.id for m in meetings if m.start_at > now and services.papers_deadline(m) <= today}
    agendas = {
        a.meeting_id: a
        for a in db.session.scalars(select(Agenda).where(Agenda.meeting_id.in_(ids)))
    }
    with_items = set(
        db.session.scalars(
            select(AgendaItem.meeting_id).where(AgendaItem.meeting_id.in_(ids)).distinct()
        )
    )
    result = {}
    for meeting_id in ids:
        agenda = agendas.get(meeting_id)
        if agenda is not None and agenda.agreed_at is not None:
            agreed = f"Agreed with the chair {formatting.format_date(agenda.agreed_at)}"
            if agenda.changed_after_agreement_at is None:
                result[meeting_id] = steps.Progress(done=True, summary=agreed)
            else:
                result[meeting_id] = steps.Progress(
                    summary=f"{agreed}, changed since", awaits_chair=meeting_id in ready
                )
        elif meeting_id in with_items:
            result[meeting_id] = steps.Progress(
                summary="Not agreed yet", awaits_chair=meeting_id in ready
            )
    return result


def _papers_button(text: str):
    def button(meeting: Meeting, user: User) -> steps.Button | None:
        if not permissions.can_edit(user, meeting.taskforce):
            return None
        return steps.Button(text, url_for("agenda.papers", meeting_id=meeting.id))

    return button


def agenda_button(meeting: Meeting, user: User) -> steps.Button | None:
    if not permissions.can_edit(user, meeting.taskforce):
        return None
    return steps.Button("Agenda", url_for("agenda.show", meeting_id=meeting.id))


steps.register(
    "commission_papers", progress=commissioning_progress, button=_papers_button("Commission")
)
steps.register("papers_deadline", progress=deadline_progress, button=_papers_button("Papers"))
steps.register("agenda_agreed", progress=agreement_progress, button=agenda_button)
