"""Remind and chase paper leads whose commissioned paper has not arrived.

Two working days before the due date the lead is reminded; on the first working day after
it they are chased (or on the first run after that, if the scheduler was down). Each step
goes at most once per paper and due date, whatever reruns, crashes or rival schedulers do:
its email carries the outbox dedupe key `paper-<step>:<paper id>:<due date>`, which the
outbox's unique rule refuses a second time, and the step's day is recorded on the paper in
the same transaction. A run commits once, then sends; mail that fails stays in the outbox
and is retried. Moving the due date (commissioning again) starts afresh.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from taskforce import mail
from taskforce.agenda import emails
from taskforce.agenda.lead_links import issue_link
from taskforce.agenda.models import Agenda, AgendaItem, Paper, PaperVersion
from taskforce.audit.services import Actor, record
from taskforce.extensions import db
from taskforce.formatting import local
from taskforce.meetings.models import Meeting, MeetingStatus
from taskforce.meetings.workdays import add_working_days

log = logging.getLogger(__name__)

#: Working days from a paper's due date to each step.
STEPS = {"reminder": -2, "chase": 1}
LABELS = {"reminder": "Paper reminders", "chase": "Paper chases"}


@dataclass
class PapersRun:
    today: date
    dry_run: bool
    steps: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in STEPS})
    queued: int = 0
    sent: int = 0
    failed: int = 0

    def lines(self) -> list[str]:
        out = []
        for step, references in self.steps.items():
            out.append(
                f"{LABELS[step]}: {len(references)}"
                + (f" ({', '.join(references)})" if references else "")
            )
        if not self.dry_run and self.queued:
            out.append(f"Paper emails sent: {self.sent} of {self.queued}")
        return out


def _awaited() -> list[Paper]:
    """Commissioned papers with nothing received, for scheduled meetings whose pack has not
    been issued."""
    received = select(PaperVersion.id).where(PaperVersion.paper_id == Paper.id).exists()
    return list(
        db.session.scalars(
            select(Paper)
            .join(AgendaItem, AgendaItem.id == Paper.agenda_item_id)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .outerjoin(Agenda, Agenda.meeting_id == Meeting.id)
            .where(
                Paper.commissioned_at.is_not(None),
                Paper.due_on.is_not(None),
                Paper.paper_lead_email != "",
                Meeting.status == MeetingStatus.SCHEDULED.value,
                Agenda.pack_issued_at.is_(None),
                ~received,
            )
            .order_by(Paper.due_on, Paper.id)
        )
    )


def step_due(paper: Paper, today: date) -> str | None:
    """The step to send today, if any."""
    try:
        reminder_day = add_working_days(paper.due_on, STEPS["reminder"])
        chase_day = add_working_days(paper.due_on, STEPS["chase"])
    except OverflowError:  # a date at the edge of the calendar: never stop the run
        return None
    if paper.chased_on is None and today >= chase_day:
        return "chase"
    commissioned_on = local(paper.commissioned_at).date()
    if (
        paper.reminded_on is None
        and reminder_day <= today <= paper.due_on
        # Commissioned on or after the reminder's day: the request itself is reminder enough.
        and commissioned_on < reminder_day
    ):
        return "reminder"
    return None


def dedupe_key(paper: Paper, step: str) -> str:
    return f"paper-{step}:{paper.id}:{paper.due_on.isoformat()}"


class _AlreadySent(Exception):
    pass


def run(today: date, *, dry_run: bool = False, deliver: bool = True) -> PapersRun:
    """Remind and chase every paper lead due a step today; commit; then send."""
    summary = PapersRun(today, dry_run)
    ids: list[int] = []
    for paper in _awaited():
        step = step_due(paper, today)
        if step is None or mail.already_queued(dedupe_key(paper, step)):
            continue
        if dry_run:
            summary.steps[step].append(paper.reference)
            continue
        try:
            # The link and the email together, or neither: a rival run that queued this
            # step first leaves nothing of ours behind.
            with db.session.begin_nested():
                token = issue_link(paper)
                row = emails.reminder(paper, token, step, dedupe_key(paper, step))
                if row is None:
                    raise _AlreadySent
        except _AlreadySent:
            continue
        setattr(paper, "reminded_on" if step == "reminder" else "chased_on", today)
        summary.steps[step].append(paper.reference)
        ids.append(row.id)
        record(
            Actor.system("scheduler", label="Chasing"),
            f"paper.{step}",
            paper.item.meeting,
            taskforce_id=paper.item.meeting.taskforce_id,
            summary=f"{'Reminded' if step == 'reminder' else 'Chased'} "
            f"{paper.paper_lead_email} for {paper.reference}",
        )
    if dry_run or not ids:
        db.session.rollback()
        return summary
    db.session.commit()
    summary.queued = len(ids)
    if deliver:
        summary.sent, summary.failed = mail.deliver_queued(limit=len(ids), ids=ids)
    return summary
