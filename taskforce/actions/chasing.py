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

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from taskforce import mail
from taskforce.actions import emails
from taskforce.actions.emails import OWNER_LINK_LIFETIME, DigestEntry
from taskforce.actions.ladder import (
    DEFAULT_LADDER,
    LADDER_LIMIT,
    STEP_LABELS,
    STEPS,
    next_step,
    step_reached,
)
from taskforce.actions.models import OUTSTANDING, Action, ChaseLog, ChaseStep
from taskforce.audit.services import Actor, record
from taskforce.bodies.models import Member, MemberGroup, TaskForce
from taskforce.extensions import db
from taskforce.links import issue_for_actions

log = logging.getLogger(__name__)

#: Attempts at a run that lost a race with another one before giving up.
RACE_RETRIES = 3


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
    #: No mail server is configured: what was "sent" was kept in the outbox.
    kept: bool = False
    #: Owners and their entries, for --dry-run to show what would go.
    digests: dict[str, list[DigestEntry]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [
            f"Chasing for {self.today:%A %-d %B %Y}"
            + (" (dry run: nothing recorded or sent)" if self.dry_run else ""),
            f"Owners {'to email' if self.dry_run else 'emailed'}: {self.owners}",
        ]
        for step in STEPS:
            out.append(f"  {STEP_LABELS[step]}: {self.steps.get(step, 0)}")
        out.append(f"Escalation emails to chairs and secretariats: {self.escalation_emails}")
        if self.kept:
            out.append(
                f"Emails kept in the outbox, not sent (no mail server is configured): "
                f"{self.sent} of {self.queued}"
            )
        elif not self.dry_run:
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
        .where(Action.status.in_(OUTSTANDING), Action.due_on <= horizon)
        .order_by(Action.owner_email, Action.due_on, Action.id)
    ).all()


def _logged(today: date) -> dict[int, dict[str, date]]:
    """Steps already logged for each unfinished action's current due date, with their day."""
    rows = db.session.execute(
        select(ChaseLog.action_id, ChaseLog.step, ChaseLog.run_on)
        .join(Action, Action.id == ChaseLog.action_id)
        .where(Action.status.in_(OUTSTANDING), ChaseLog.due_on == Action.due_on)
    )
    logged: dict[int, dict[str, date]] = defaultdict(dict)
    for action_id, step, run_on in rows:
        logged[action_id][step] = run_on
    return logged


def plan(today: date) -> tuple[dict[str, list[DigestEntry]], dict[str, str]]:
    """Work out each owner's digest for today: {email: entries} and {email: name}.

    An owner is written to only if at least one of their actions reached a new step; the
    digest then lists every one of their actions that is due soon or overdue.
    """
    logged = _logged(today)
    ladders: dict[int, dict[str, int]] = {}
    by_owner: dict[str, list[DigestEntry]] = defaultdict(list)
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
            DigestEntry(
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
            summary, ids = _record_and_queue(today, dry_run=dry_run)
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
        summary.kept = mail.keeps_mail()
    return summary


def _record_and_queue(today: date, *, dry_run: bool) -> tuple[RunSummary, list[int]]:
    """Plan today's run and, unless it is a dry run, write it all in one transaction: links,
    outbox rows, chase log and audit. Return the summary and the outbox ids to send."""
    digests, names = plan(today)
    summary = RunSummary(today=today, dry_run=dry_run, owners=len(digests))
    escalated = _escalated_by_taskforce(digests)
    recipients = _escalation_recipients(set(escalated)) if escalated else {}
    for entries in digests.values():
        summary.steps.update(e.step for e in entries if e.step is not None)
    summary.escalation_emails = sum(1 for tf_id in escalated if recipients.get(tf_id))
    if dry_run or not digests:
        summary.digests = digests
        db.session.rollback()
        return summary, []

    _issue_links(digests)
    owner_ids, escalation_ids = _queue_emails(digests, names, escalated, recipients, today)
    _log_steps(digests, recipients, owner_ids, escalation_ids, today)
    _record_in_audit(digests, escalation_ids, today)
    db.session.commit()
    summary.queued = len(owner_ids) + len(escalation_ids)
    return summary, [*owner_ids.values(), *escalation_ids.values()]


def _escalated_by_taskforce(digests: dict[str, list[DigestEntry]]) -> dict[int, list]:
    escalated: dict[int, list[DigestEntry]] = defaultdict(list)
    for entries in digests.values():
        for entry in entries:
            if entry.step == ChaseStep.ESCALATION:
                escalated[entry.taskforce_id].append(entry)
    return escalated


def _issue_links(digests: dict[str, list[DigestEntry]]) -> None:
    """Give every line of every digest its own owner link, in one statement."""
    # One link per action, as API.md's owner form names no action: each line of the digest
    # opens its own action and can touch no other.
    scopes = [(email, [e.action_id]) for email, entries in digests.items() for e in entries]
    tokens = iter(issue_for_actions(scopes, OWNER_LINK_LIFETIME))
    for entries in digests.values():
        for entry in entries:
            entry.token = next(tokens)


def _queue_emails(
    digests: dict[str, list[DigestEntry]],
    names: dict[str, str],
    escalated: dict[int, list[DigestEntry]],
    recipients: dict[int, list[str]],
    today: date,
) -> tuple[dict[str, int], dict[int, int]]:
    """Queue each owner's digest and each task force's escalation; return their outbox ids,
    by owner email and by task force."""
    for tf_id in escalated:
        if not recipients.get(tf_id):
            log.warning("task force %s has no chair or secretariat to escalate to", tf_id)
    escalation_tfs = [tf_id for tf_id in escalated if recipients.get(tf_id)]
    messages = [
        emails.owner_digest(email, names[email], entries, today)
        for email, entries in digests.items()
    ]
    messages += [
        emails.escalation(tf_id, recipients[tf_id], escalated[tf_id], today)
        for tf_id in escalation_tfs
    ]
    ids = mail.queue_many(messages)
    owner_ids = dict(zip(digests, ids, strict=False))
    escalation_ids = dict(zip(escalation_tfs, ids[len(digests) :], strict=True))
    return owner_ids, escalation_ids


def _log_steps(
    digests: dict[str, list[DigestEntry]],
    recipients: dict[int, list[str]],
    owner_ids: dict[str, int],
    escalation_ids: dict[int, int],
    today: date,
) -> None:
    """Log each step reached, with the email that carries it."""
    rows = []
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
            rows.append(
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
    db.session.execute(insert(ChaseLog.__table__), rows)


def _record_in_audit(
    digests: dict[str, list[DigestEntry]], escalation_ids: dict[int, int], today: date
) -> None:
    """One audit event per task force chased: how many steps, and whether it escalated."""
    steps = Counter(e.taskforce_id for entries in digests.values() for e in entries if e.step)
    for tf_id, count in steps.items():
        record(
            Actor.system("system", label="Chasing"),
            "actions.chased",
            db.session.get(TaskForce, tf_id),
            taskforce_id=tf_id,
            summary=f"Chasing on {today:%-d %B %Y}: {count} step{'s' if count != 1 else ''}"
            + (" including escalation" if tf_id in escalation_ids else ""),
        )


# What the pages show -------------------------------------------------------------------


def log_for_action(action: Action) -> list[tuple]:
    """The chasing steps an action has reached, newest first, with their email's status."""
    return list(
        db.session.execute(
            select(ChaseLog, mail.OutboxMessage.status)
            .outerjoin(mail.OutboxMessage, mail.OutboxMessage.id == ChaseLog.outbox_message_id)
            .where(ChaseLog.action_id == action.id)
            .order_by(ChaseLog.id.desc())
        )
    )


def log_for_taskforce(tf: TaskForce, limit: int = 200) -> list[tuple]:
    """A task force's latest chasing steps: (log, reference, owner, email status)."""
    return list(
        db.session.execute(
            select(ChaseLog, Action.reference, Action.owner_name, mail.OutboxMessage.status)
            .join(Action, Action.id == ChaseLog.action_id)
            .outerjoin(mail.OutboxMessage, mail.OutboxMessage.id == ChaseLog.outbox_message_id)
            .where(Action.taskforce_id == tf.id)
            .order_by(ChaseLog.id.desc())
            .limit(limit)
        )
    )
