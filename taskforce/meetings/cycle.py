"""The milestones of a meeting's cycle and their default distance from it, in working days."""

from taskforce.meetings import workdays

#: Working days from the meeting to each milestone of its cycle (negative: before it).
DEFAULT_OFFSETS: dict[str, int] = {
    "commission_papers": -15,
    "papers_deadline": -7,
    "agenda_agreed": -6,
    "pack_issued": -5,
    "draft_minutes": 2,
    "minutes_circulated": 5,
}
MILESTONE_LABELS = {
    "commission_papers": "Commission papers",
    "papers_deadline": "Papers deadline",
    "agenda_agreed": "Agenda agreed with the chair",
    "pack_issued": "Pack issued",
    "draft_minutes": "Draft minutes to the chair",
    "minutes_circulated": "Minutes and actions circulated",
}

OFFSET_LIMIT = 60


def offset_problems(offsets: dict[str, int]) -> dict[str, list[str]]:
    """Check a task force's own offsets: known kinds, before or after the meeting as named."""
    return workdays.working_day_problems(
        offsets,
        known=DEFAULT_OFFSETS,
        unknown=f"Unknown milestone; the milestones are {', '.join(DEFAULT_OFFSETS)}",
        limit=OFFSET_LIMIT,
        wrong_side=_wrong_side,
    )


def _wrong_side(kind: str, days: int) -> str | None:
    if (DEFAULT_OFFSETS[kind] < 0) == (days < 0) and days != 0:
        return None
    when = "before" if DEFAULT_OFFSETS[kind] < 0 else "after"
    return (
        f"{MILESTONE_LABELS[kind]} comes {when} the meeting: "
        f"give a {'negative' if when == 'before' else 'positive'} number"
    )
