"""The chasing ladder: the working days from an action's due date to each rung, and which
rung an action has reached. Pure date arithmetic, shared by the run, the pages and the
rules a task force's own ladder must keep."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from itertools import pairwise

from taskforce.actions.models import ChaseStep
from taskforce.bodies.models import TaskForce
from taskforce.meetings.workdays import add_working_days, working_day_problems, working_days_between

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


def ladder_for(tf: TaskForce) -> dict[str, int]:
    """The task force's own ladder: its changes over the default."""
    return {**DEFAULT_LADDER, **(tf.chase_offsets or {})}


def ladder_problems(offsets: dict[str, int]) -> dict[str, list[str]]:
    """Check a task force's own ladder: known steps, reminder before, the rest after, in order."""
    problems = working_day_problems(
        offsets,
        known=DEFAULT_LADDER,
        unknown=f"Unknown step; the steps are {', '.join(STEPS)}",
        limit=LADDER_LIMIT,
        wrong_side=_wrong_side,
    )
    if not problems:
        ladder = {**DEFAULT_LADDER, **offsets}
        for earlier, later in pairwise(STEPS):
            if ladder[later] <= ladder[earlier]:
                problems[later] = [
                    f"{STEP_LABELS[later]} must come after {STEP_LABELS[earlier].lower()}"
                ]
    return problems


def _wrong_side(step: str, days: int) -> str | None:
    if step == ChaseStep.REMINDER and days >= 0:
        return "The reminder comes before the due date: give a negative number"
    if step != ChaseStep.REMINDER and days <= 0:
        return f"{STEP_LABELS[step]} comes after the due date: give a positive number"
    return None


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
