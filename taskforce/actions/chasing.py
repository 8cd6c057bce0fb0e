"""Chasing: a ladder of reminders, chases and escalation, one digest per owner per run.

Each unfinished action climbs a ladder measured in working days from its due date: a
reminder before it, a chase after it, a second chase, then escalation to the chair and
secretariat. A run finds the rung each action has reached today, leaves out rungs already
logged for that due date, and in one transaction writes the chase log, the owners' links
and the outbox rows. The log's unique rule means a step is never queued twice, whatever
reruns, crashes or rival schedulers do; the outbox retries a send that failed.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from itertools import pairwise

from flask import current_app
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from taskforce import mail
from taskforce.actions.models import Action, ActionStatus, ChaseLog, ChaseStep
from taskforce.audit.services import Actor, record
from taskforce.bodies.models import Member, MemberGroup, TaskForce
from taskforce.extensions import db
from taskforce.links import issue_for_actions
from taskforce.meetings.workdays import add_working_days, working_days_between

log = logging.getLogger(__name__)

#: Working days from the due date to each step (negative: before it).
DEFAULT_LADDER: dict[str, int] = {
    ChaseStep.REMINDER: -3,
    ChaseStep.CHASE: 1,
    ChaseStep.SECOND_CHASE: 6,
    ChaseStep.ESCALATION: 11,
}
STEP_LABELS = {
    ChaseStep.REMINDER: "Reminder",
    ChaseStep.CHASE: "Chase",
    ChaseStep.SECOND_CHASE: "Second chase",
    ChaseStep.ESCALATION: "Escalation to the chair and secretariat",
}
STEPS = list(DEFAULT_LADDER)
LADDER_LIMIT = 60
#: Only these statuses are chased: "complete" waits for the secretariat, not the owner.
CHASED = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)
#: How long a link in a chasing email works (it also dies once its actions are closed).
OWNER_LINK_LIFETIME = timedelta(days=60)
#: Attempts at a run that lost a race with another one before giving up.
RACE_RETRIES = 3


def ladder_for(tf: TaskForce) -> dict[str, int]:
    return {**DEFAULT_LADDER, **(tf.chase_offsets or {})}


def ladder_problems(offsets: dict[str, int]) -> dict[str, list[str]]:
    """Check a task force's own ladder: known steps, reminder before, the rest after, in order."""
    problems: dict[str, list[str]] = {}
    for step, days in offsets.items():
        if step not in DEFAULT_LADDER:
            problems[step] = [f"Unknown step; the steps are {', '.join(STEPS)}"]
        elif not isinstance(days, int) or isinstance(days, bool) or abs(days) > LADDER_LIMIT:
            problems[step] = [f"Give a whole number of working days up to {LADDER_LIMIT}"]
        elif step == ChaseStep.REMINDER and days >= 0:
            problems[step] = ["The reminder comes before the due date: give a negative number"]
        elif step != ChaseStep.REMINDER and days <= 0:
            problems[step] = [
                f"{STEP_LABELS[step]} comes after the due date: give a positive number"
            ]
    if not problems:
        ladder = {**DEFAULT_LADDER, **offsets}
        for earlier, later in pairwise(STEPS):
            if ladder[later] <= ladder[earlier]:
                problems[later] = [
                    f"{STEP_LABELS[later]} must come after {STEP_LABELS[earlier].lower()}"
                ]
    return problems


def step_dates(due_on: date, ladder: dict[str, int]) -> dict[str, date]:
    return dict(zip(STEPS, _step_days(due_on, tuple(ladder[s] for s in STEPS)), strict=True))


@lru_cache(maxsize=4096)
def _step_days(due_on: date, offsets: tuple[int, ...]) -> tuple[date, ...]:
    # Thousands of actions share a few due dates: count the working days once for each.
    return tuple(add_working_days(due_on, days) for days in offsets)


def next_step(
    due_on: date, ladder: dict[str, int], today: date, logged: dict[str, date]
) -> str | None:
    """The rung to send today, if any: a ladder climbed one rung at a time.

    The first email is the reminder, or the chase for an action already late (never an
    escalation out of the blue). Each later rung comes on its own day, and no sooner after
    the rung before it than the ladder's own gap, so a late start does not compress it.
    """
    if not logged:
        reached = step_reached(due_on, ladder, today)
        if reached is None or reached == ChaseStep.REMINDER:
            return reached
        return ChaseStep.CHASE
    last = max(logged, key=STEPS.index)
    if last == STEPS[-1]:
        return None
    step = STEPS[STEPS.index(last) + 1]
    dates = step_dates(due_on, ladder)
    # Carry forward only how late the last rung went out; the chase stays tied to the due
    # date whenever the reminder went.
    late = 0 if last == ChaseStep.REMINDER else working_days_between(dates[last], logged[last])
    return step if today >= add_working_days(dates[step], late) else None


def step_reached(due_on: date, ladder: dict[str, int], today: date) -> str | None:
    """The highest step whose day has come, or None before the reminder."""
    reached = None
    for step, day in step_dates(due_on, ladder).items():
        if day <= today:
            reached = step
    return reached


@dataclass
class Entry:
    """One action in an owner's digest, and the step (if any) it reached in this run."""

    action_id: int
    reference: str
    description: str
    taskforce_id: int
    taskforce_name: str
    due_on: date
    status: str
    owner_name: str
    step: str | None
    token: str = ""

    def overdue_by(self, today: date) -> int:
        return (today - self.due_on).days


@dataclass
class RunSummary:
    today: date
    dry_run: bool
    owners: int = 0
    steps: Counter = field(default_factory=Counter)
    escalation_emails: int = 0
    queued: int = 0
    sent: int = 0
    failed: int = 0
    #: Owners and their entries, for --dry-run to show what would go.
    digests: dict[str, list[Entry]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [
            f"Chasing for {self.today:%A %-d %B %Y}"
            + (" (dry run: nothing recorded or sent)" if self.dry_run else ""),
            f"Owners {'to email' if self.dry_run else 'emailed'}: {self.owners}",
        ]
        for step in STEPS:
            out.append(f"  {STEP_LABELS[step]}: {self.steps.get(step, 0)}")
        out.append(f"Escalation emails to chairs and secretariats: {self.escalation_emails}")
        if not self.dry_run:
            out.append(f"Emails sent: {self.sent} of {self.queued}; failed for now: {self.failed}")
            if self.failed:
                out.append("Failed emails stay in the outbox and are retried automatically.")
        return out


def _candidates(today: date) -> list[tuple]:
    """Unfinished actions whose reminder could have come by today, with their task force."""
    horizon = today + timedelta(days=LADDER_LIMIT * 2)
    return db.session.execute(
        select(
            Action.id,
            Action.reference,
            Action.description,
            Action.due_on,
            Action.status,
            Action.owner_name,
            Action.owner_email,
            TaskForce.id,
            TaskForce.name,
            TaskForce.chase_offsets,
        )
        .join(TaskForce, Action.taskforce_id == TaskForce.id)
        .where(Action.status.in_(CHASED), Action.due_on <= horizon)
        .order_by(Action.owner_email, Action.due_on, Action.id)
    ).all()


def _logged(today: date) -> dict[int, dict[str, date]]:
    """Steps already logged for each unfinished action's current due date, with their day."""
    rows = db.session.execute(
        select(ChaseLog.action_id, ChaseLog.step, ChaseLog.run_on)
        .join(Action, Action.id == ChaseLog.action_id)
        .where(Action.status.in_(CHASED), ChaseLog.due_on == Action.due_on)
    )
    logged: dict[int, dict[str, date]] = defaultdict(dict)
    for action_id, step, run_on in rows:
        logged[action_id][step] = run_on
    return logged


def plan(today: date) -> tuple[dict[str, list[Entry]], dict[str, str]]:
    """Work out each owner's digest for today: {email: entries} and {email: name}.

    An owner is written to only if at least one of their actions reached a new step; the
    digest then lists every one of their actions that is due soon or overdue.
    """
    logged = _logged(today)
    ladders: dict[int, dict[str, int]] = {}
    by_owner: dict[str, list[Entry]] = defaultdict(list)
    names: dict[str, str] = {}
    for (
        action_id,
        reference,
        description,
        due_on,
        status,
        owner_name,
        owner_email,
        tf_id,
        tf_name,
        offsets,
    ) in _candidates(today):
        ladder = ladders.setdefault(tf_id, {**DEFAULT_LADDER, **(offsets or {})})
        try:
            if step_reached(due_on, ladder, today) is None:
                continue  # not yet within the reminder window
            new_step = next_step(due_on, ladder, today, logged.get(action_id, {}))
        except OverflowError:  # a date at the edge of the calendar: never let it stop the run
            log.error("action %s: cannot work out its chasing dates from %s", action_id, due_on)
            continue
        by_owner[owner_email].append(
            Entry(
                action_id,
                reference,
                description,
                tf_id,
                tf_name,
                due_on,
                status,
                owner_name,
                new_step,
            )
        )
        names.setdefault(owner_email, owner_name)
    digests = {
        email: entries
        for email, entries in by_owner.items()
        if any(e.step is not None for e in entries)
    }
    return digests, names


def _escalation_recipients(taskforce_ids: set[int]) -> dict[int, list[str]]:
    rows = db.session.execute(
        select(Member.taskforce_id, Member.email).where(
            Member.taskforce_id.in_(taskforce_ids),
            Member.removed_at.is_(None),
            (Member.is_chair.is_(True)) | (Member.group == MemberGroup.SECRETARIAT.value),
        )
    )
    recipients: dict[int, list[str]] = defaultdict(list)
    for tf_id, email in rows:
        if email not in recipients[tf_id]:
            recipients[tf_id].append(email)
    return recipients


def _render(template: str, **context) -> str:
    """Render an email template without Flask's per-render context processors and signals:
    a chasing run renders a thousand of these, and emails use none of the page globals."""
    return current_app.jinja_env.get_template(template).render(**context)


@lru_cache(maxsize=1024)
def _long_date(day: date) -> str:
    return f"{day:%A %-d %B %Y}"


def _due_text(due_on: date, today: date) -> str:
    late = (today - due_on).days
    text = _long_date(due_on)
    return f"{text}, overdue by {late} day{'s' if late != 1 else ''}" if late > 0 else text


def _owner_message(email: str, name: str, entries: list[Entry], today: date) -> mail.Outgoing:
    # Overdue first, each line worked out here so the template only lays it out: a run
    # renders a thousand of these.
    late = [e for e in entries if e.due_on < today]
    soon = [e for e in entries if e.due_on >= today]
    if late:
        opening = (
            f"{len(late)} of your actions {'is' if len(late) == 1 else 'are'} overdue. "
            f"Please update {'it' if len(late) == 1 else 'each one'} using its link: say how "
            "it is going, mark it complete, or propose a new date."
        )
    else:
        opening = (
            f"This is a reminder that {'an action' if len(soon) == 1 else 'some actions'} "
            f"of yours {'is' if len(soon) == 1 else 'are'} due soon."
        )
    base_url = current_app.config["BASE_URL"].rstrip("/")
    lines = [
        {
            "reference": e.reference,
            "taskforce_name": e.taskforce_name,
            "description": e.description
            if len(e.description) <= 300
            else e.description[:297] + "...",
            "due": _due_text(e.due_on, today),
            "escalated": e.step == ChaseStep.ESCALATION,
            "url": f"{base_url}/a/{e.token}",
        }
        for e in late + soon
    ]
    body = _render("emails/chase_digest.txt", name=name, opening=opening, lines=lines)
    parts = [f"{len(late)} overdue"] if late else []
    if soon:
        parts.append(f"{len(soon)} due soon")
    return mail.Outgoing.plain(
        [email], f"Your actions: {' and '.join(parts)}", body, "chase", entries[0].taskforce_id
    )


def _escalation_message(
    tf_id: int, recipients: list[str], entries: list[Entry], today: date
) -> mail.Outgoing:
    count, tf_name = len(entries), entries[0].taskforce_name
    body = _render(
        "emails/chase_escalation.txt",
        tf_name=tf_name,
        entries=entries,
        today=today,
        base_url=current_app.config["BASE_URL"].rstrip("/"),
    )
    subject = f"{tf_name}: {count} overdue action{'s' if count != 1 else ''} escalated to you"
    return mail.Outgoing.plain(recipients, subject, body, "escalation", tf_id)


def run(
    today: date,
    *,
    dry_run: bool = False,
    deliver: bool = True,
    progress: Callable[[int], object] | None = None,
    on_planned: Callable[[RunSummary], object] | None = None,
) -> RunSummary:
    """Chase everything due on `today`; commit; then send (unless deliver is False)."""
    for attempt in range(1, RACE_RETRIES + 1):
        try:
            summary, ids = _queue(today, dry_run=dry_run)
        except IntegrityError:
            # Another run logged some of the same steps first: start again from what it left.
            db.session.rollback()
            log.warning("chase run for %s lost a race (attempt %s); replanning", today, attempt)
            continue
        break
    else:
        raise RuntimeError("Chasing kept colliding with another run; try again shortly")
    if on_planned is not None:
        on_planned(summary)
    if ids and deliver:
        summary.sent, summary.failed = mail.deliver_queued(
            limit=len(ids), ids=ids, progress=progress
        )
    return summary


def _queue(today: date, *, dry_run: bool) -> tuple[RunSummary, list[int]]:
    digests, names = plan(today)
    summary = RunSummary(today=today, dry_run=dry_run, owners=len(digests))
    escalated: dict[int, list[Entry]] = defaultdict(list)
    for entries in digests.values():
        for entry in entries:
            if entry.step is not None:
                summary.steps[entry.step] += 1
            if entry.step == ChaseStep.ESCALATION:
                escalated[entry.taskforce_id].append(entry)
    recipients = _escalation_recipients(set(escalated)) if escalated else {}
    summary.escalation_emails = sum(1 for tf_id in escalated if recipients.get(tf_id))
    if dry_run or not digests:
        summary.digests = digests
        db.session.rollback()
        return summary, []

    # One link per action, as API.md's owner form names no action: each line of the digest
    # opens its own action and can touch no other.
    scopes = [(email, [e.action_id]) for email, entries in digests.items() for e in entries]
    tokens = iter(issue_for_actions(scopes, OWNER_LINK_LIFETIME))
    for entries in digests.values():
        for entry in entries:
            entry.token = next(tokens)

    messages = [
        _owner_message(email, names[email], entries, today) for email, entries in digests.items()
    ]
    escalation_tfs = [tf_id for tf_id in escalated if recipients.get(tf_id)]
    for tf_id in escalated:
        if not recipients.get(tf_id):
            log.warning("task force %s has no chair or secretariat to escalate to", tf_id)
    messages += [
        _escalation_message(tf_id, recipients[tf_id], escalated[tf_id], today)
        for tf_id in escalation_tfs
    ]
    ids = mail.queue_many(messages)
    owner_ids = dict(zip(digests, ids, strict=False))
    escalation_ids = dict(zip(escalation_tfs, ids[len(digests) :], strict=True))

    log_rows = []
    for email, entries in digests.items():
        for entry in entries:
            if entry.step is None:
                continue
            sent_to, message_id = email, owner_ids[email]
            if entry.step == ChaseStep.ESCALATION:
                # The escalation is the email to the chair and secretariat: log that one.
                escalated_to = recipients.get(entry.taskforce_id, [])
                sent_to = ", ".join(escalated_to) or f"{email} (no chair or secretariat named)"
                message_id = escalation_ids.get(entry.taskforce_id, message_id)
            log_rows.append(
                {
                    "action_id": entry.action_id,
                    "step": entry.step,
                    "due_on": entry.due_on,
                    "run_on": today,
                    "sent_to": sent_to,
                    "outbox_message_id": message_id,
                    "created_at": mail.utcnow(),
                }
            )
    # The unique rule on (action, step, due date) is the guard: a rival run fails here.
    db.session.execute(insert(ChaseLog.__table__), log_rows)
    for tf_id, count in Counter(
        e.taskforce_id for entries in digests.values() for e in entries if e.step
    ).items():
        record(
            Actor.system("system", label="Chasing"),
            "actions.chased",
            db.session.get(TaskForce, tf_id),
            taskforce_id=tf_id,
            summary=f"Chasing on {today:%-d %B %Y}: {count} step{'s' if count != 1 else ''}"
            + (" including escalation" if tf_id in escalation_ids else ""),
        )
    db.session.commit()
    summary.queued = len(ids)
    return summary, ids
