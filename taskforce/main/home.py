"""What the home page tells each person to do next, read in a fixed number of queries.

The secretariat (and admins, who serve every task force) see each task force they serve: its
next meeting and next step, the steps running late, the actions overdue or waiting to be
closed, and the mail waiting in the outbox. Members and chairs see their next meetings and
their own actions; chairs also see what waits for their approval, when anything does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select

from taskforce import clock, mail
from taskforce.actions.models import OUTSTANDING, Action, ActionStatus
from taskforce.actions.tracker import overdue_clause
from taskforce.auth import permissions
from taskforce.auth.models import Role, User
from taskforce.bodies.models import TaskForce
from taskforce.db import utcnow
from taskforce.extensions import db
from taskforce.meetings import services as meeting_services
from taskforce.meetings import steps
from taskforce.meetings.models import Meeting

#: How many of a person's own actions the home page lists before linking to the rest.
OWN_ACTIONS_SHOWN = 5


@dataclass
class Cycle:
    """One task force the user serves, as its secretariat needs to see it today."""

    tf: TaskForce
    next_meeting: Meeting | None = None
    #: The next meeting's invites step.
    invites: steps.Step | None = None
    #: The next meeting's first dated step still to be done.
    next_step: steps.Step | None = None
    #: The late steps of the previous and next meetings: (meeting, its late steps).
    late: list[tuple[Meeting, list[steps.Step]]] = field(default_factory=list)
    overdue_actions: int = 0
    #: Actions their owners marked complete, waiting for the secretariat to close them.
    to_close: int = 0


@dataclass
class Mail:
    waiting: int = 0
    failed: int = 0


@dataclass
class OwnActions:
    outstanding: int = 0
    overdue: int = 0
    soonest: list[Action] = field(default_factory=list)


@dataclass
class Home:
    taskforces: list[TaskForce]
    today: date
    cycles: list[Cycle] = field(default_factory=list)
    mail: Mail | None = None
    #: Milestones due this week in the task forces served, soonest first.
    due_this_week: list[steps.Step] = field(default_factory=list)
    #: The next meeting of each task force the user belongs to, soonest first.
    next_meetings: list[Meeting] = field(default_factory=list)
    awaiting_chair: list[steps.Step] = field(default_factory=list)
    own: OwnActions = field(default_factory=OwnActions)
    #: Whether to show the user's own actions even when they have none.
    shows_own_actions: bool = False


def home_for(user: User) -> Home:
    """Everything the home page shows this user."""
    today, now = clock.today(), utcnow()
    taskforces = permissions.visible_taskforces_by_name(user, with_members=True)
    home = Home(taskforces=taskforces, today=today, own=_own_actions(user, today))
    served = [tf for tf in taskforces if permissions.serves(user, tf)]
    current = steps.current_meetings([tf.id for tf in taskforces], now)
    if served:
        home.cycles = _cycles(served, current, today, now)
        home.mail = _mail(user, served)
        home.due_this_week = _due_this_week(served, today, now)
    if user.role in (Role.CHAIR, Role.MEMBER):
        home.shows_own_actions = True
        home.next_meetings = sorted(
            (c.next for c in current.values() if c.next is not None), key=lambda m: m.start_at
        )
        chaired = [tf.id for tf in taskforces if tf.chair and tf.chair.email == user.email]
        meetings = [m for tf_id in chaired if tf_id in current for m in current[tf_id].meetings]
        home.awaiting_chair = [
            step
            for found in steps.steps_of(meetings, today=today, now=now).values()
            for step in found
            if step.awaits_chair
        ]
    return home


def _cycles(
    served: list[TaskForce], current: dict[int, steps.Current], today: date, now: datetime
) -> list[Cycle]:
    meetings = [m for tf in served if tf.id in current for m in current[tf.id].meetings]
    found = steps.steps_of(meetings, today=today, now=now)
    actions = _action_counts([tf.id for tf in served], today)
    cycles = []
    for tf in served:
        cycle = Cycle(tf=tf)
        cycle.overdue_actions, cycle.to_close = actions.get(tf.id, (0, 0))
        here = current.get(tf.id, steps.Current())
        for meeting in here.meetings:
            late = [s for s in found.get(meeting.id, []) if s.state == steps.State.LATE]
            if late:
                cycle.late.append((meeting, late))
        if here.next is not None:
            cycle.next_meeting = here.next
            upcoming = found.get(here.next.id, [])
            cycle.invites = next((s for s in upcoming if s.kind == steps.INVITES), None)
            cycle.next_step = next(
                (s for s in upcoming if s.is_open and s.due_on is not None), None
            )
        cycles.append(cycle)
    return cycles


def _action_counts(taskforce_ids: list[int], today: date) -> dict[int, tuple[int, int]]:
    """Per task force: actions overdue, and actions complete and waiting to be closed."""
    rows = db.session.execute(
        select(
            Action.taskforce_id,
            func.count(case((overdue_clause(today), 1))),
            func.count(case((Action.status == ActionStatus.COMPLETE.value, 1))),
        )
        .where(Action.taskforce_id.in_(taskforce_ids))
        .group_by(Action.taskforce_id)
    )
    return {tf_id: (overdue, to_close) for tf_id, overdue, to_close in rows}


def _mail(user: User, served: list[TaskForce]) -> Mail:
    """Mail not yet sent, as the outbox page lists it for this user."""
    stmt = select(mail.OutboxMessage.status, func.count()).where(
        mail.OutboxMessage.status.in_(("queued", "sending", "failed"))
    )
    # The outbox page shows admins every message, task force or none; others their own.
    if user.role != Role.ADMIN:
        stmt = stmt.where(mail.OutboxMessage.taskforce_id.in_([tf.id for tf in served]))
    counts = dict(db.session.execute(stmt.group_by(mail.OutboxMessage.status)).all())
    return Mail(
        waiting=counts.get("queued", 0) + counts.get("sending", 0), failed=counts.get("failed", 0)
    )


def _due_this_week(served: list[TaskForce], today: date, now: datetime) -> list[steps.Step]:
    week_start = today - timedelta(days=today.weekday())
    due = meeting_services.due_between(served, week_start, week_start + timedelta(days=6))
    found = steps.steps_of({m.id: m for _, m in due}.values(), today=today, now=now)
    by_kind = {(s.meeting.id, s.kind): s for listed in found.values() for s in listed}
    return [by_kind[(meeting.id, ms.kind)] for ms, meeting in due]


def _own_actions(user: User, today: date) -> OwnActions:
    """The user's outstanding actions, in the task forces they can see."""
    visible = permissions.visible_taskforces(user).with_only_columns(TaskForce.id)
    mine = (
        (Action.owner_email == user.email)
        & Action.status.in_(OUTSTANDING)
        & Action.taskforce_id.in_(visible.scalar_subquery())
    )
    outstanding, overdue = db.session.execute(
        select(func.count(), func.count(case((Action.due_on < today, 1)))).where(mine)
    ).one()
    soonest = list(
        db.session.scalars(
            select(Action).where(mine).order_by(Action.due_on, Action.id).limit(OWN_ACTIONS_SHOWN)
        )
    )
    return OwnActions(outstanding=outstanding, overdue=overdue, soonest=soonest)
