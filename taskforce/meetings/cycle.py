"""The milestones of a meeting's cycle and their default distance from it, in working days."""

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
    problems: dict[str, list[str]] = {}
    for kind, days in offsets.items():
        if kind not in DEFAULT_OFFSETS:
            problems[kind] = [f"Unknown milestone; the milestones are {', '.join(DEFAULT_OFFSETS)}"]
        elif not isinstance(days, int) or isinstance(days, bool) or abs(days) > OFFSET_LIMIT:
            problems[kind] = [f"Give a whole number of working days up to {OFFSET_LIMIT}"]
        elif (DEFAULT_OFFSETS[kind] < 0) != (days < 0) or days == 0:
            when = "before" if DEFAULT_OFFSETS[kind] < 0 else "after"
            problems[kind] = [
                f"{MILESTONE_LABELS[kind]} comes {when} the meeting: "
                f"give a {'negative' if when == 'before' else 'positive'} number"
            ]
    return problems
