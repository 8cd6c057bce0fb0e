"""The action tracker's query: one statement for any mix of filters, and its exports.

The page, the CSV and the XLSX all come from `select_actions`, so an export holds exactly
what the filters show. The number of SQL statements does not grow with the number of
actions: a page is one query for the rows (task force joined) and one to count them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import contains_eager

from taskforce.actions.models import (
    ENDED,
    FINISHED,
    OUTSTANDING,
    Action,
    ActionStatus,
    ActionUpdate,
)
from taskforce.bodies.models import TaskForce
from taskforce.extensions import db
from taskforce.formatting import local

PAGE_SIZE = 50
SORTS = {
    "due": (Action.due_on, Action.id),
    "-due": (Action.due_on.desc(), Action.id.desc()),
    "reference": (TaskForce.code, Action.meeting_number, Action.number),
}


@dataclass
class Filters:
    """What the tracker, its exports and the API's action list may be narrowed by."""

    statuses: list[str] = field(default_factory=list)
    #: True: only overdue actions; False: only those not overdue; None: either.
    overdue: bool | None = None
    owner: str = ""
    owner_email: str = ""
    organisation: str = ""
    meeting_id: int | None = None
    taskforce_id: int | None = None
    sort: str = "due"

    def query_args(self) -> dict[str, object]:
        """These filters as query-string arguments, for links that keep them."""
        args: dict[str, object] = {}
        if self.statuses:
            args["status"] = self.statuses
        if self.overdue:
            args["overdue"] = "y"
        for name in ("owner", "owner_email", "organisation"):
            if getattr(self, name):
                args[name] = getattr(self, name)
        if self.meeting_id:
            args["meeting"] = self.meeting_id
        if self.taskforce_id:
            args["taskforce"] = self.taskforce_id
        if self.sort != "due":
            args["sort"] = self.sort
        return args

    def counted(self, count: str) -> dict[str, object]:
        """Query-string arguments for the list of what counts() counted as `count`
        ("outstanding", "overdue" or "awaiting_closure"), for a count above zero: these
        filters, narrowed to it."""
        statuses = self.statuses or [status.value for status in ActionStatus]
        if count == "overdue":
            return replace(self, overdue=True).query_args()
        keep = OUTSTANDING if count == "outstanding" else {ActionStatus.COMPLETE.value}
        return replace(self, statuses=[s for s in statuses if s in keep]).query_args()


def overdue_clause(today: date):
    return Action.status.not_in(FINISHED) & (Action.due_on < today)


def _in(visible: Select):
    """Actions of the task forces a select of task forces finds."""
    return Action.taskforce_id.in_(visible.with_only_columns(TaskForce.id).scalar_subquery())


def select_actions(visible: Select, filters: Filters, today: date) -> Select:
    """Actions in the visible task forces that pass the filters, in the chosen order."""
    stmt = (
        select(Action)
        .join(Action.taskforce)
        .options(contains_eager(Action.taskforce))
        .where(_in(visible))
    )
    if filters.statuses:
        stmt = stmt.where(Action.status.in_(filters.statuses))
    if filters.overdue is not None:
        overdue = overdue_clause(today)
        stmt = stmt.where(overdue if filters.overdue else ~overdue)
    if filters.owner:
        stmt = stmt.where(
            or_(
                Action.owner_name.icontains(filters.owner, autoescape=True),
                Action.owner_email.icontains(filters.owner, autoescape=True),
            )
        )
    if filters.owner_email:
        stmt = stmt.where(Action.owner_email == filters.owner_email.lower())
    if filters.organisation:
        stmt = stmt.where(Action.owner_organisation == filters.organisation)
    if filters.meeting_id:
        stmt = stmt.where(Action.meeting_id == filters.meeting_id)
    if filters.taskforce_id:
        stmt = stmt.where(Action.taskforce_id == filters.taskforce_id)
    return stmt.order_by(*SORTS.get(filters.sort, SORTS["due"]))


def organisations(visible: Select) -> list[str]:
    """The owners' organisations in the visible task forces, for the tracker's filter."""
    return list(
        db.session.scalars(
            select(Action.owner_organisation)
            .distinct()
            .where(
                _in(visible),
                Action.owner_organisation != "",
            )
            .order_by(Action.owner_organisation)
        )
    )


def owner_name(visible: Select, email: str) -> str | None:
    """The name an owner was last given on an action in the visible task forces."""
    return db.session.scalar(
        select(Action.owner_name)
        .where(
            Action.owner_email == email,
            _in(visible),
        )
        .order_by(Action.id.desc())
    )


def counts(stmt: Select, today: date) -> dict[str, int]:
    """Totals for the filtered set: all, unfinished, overdue, awaiting closure."""
    inner = stmt.order_by(None).subquery()
    row = db.session.execute(
        select(
            func.count(),
            func.count(case((inner.c.status.in_(OUTSTANDING), 1))),
            func.count(case(((inner.c.status.not_in(FINISHED)) & (inner.c.due_on < today), 1))),
            func.count(case((inner.c.status == "complete", 1))),
        ).select_from(inner)
    ).one()
    return dict(zip(("total", "outstanding", "overdue", "awaiting_closure"), row, strict=True))


#: How many closed or dropped actions "My actions" lists, the latest due first.
ENDED_SHOWN = 50


def owned_by(email: str) -> Select:
    """Every action allocated to one address, in any task force (its owner's own list)."""
    return (
        select(Action)
        .join(Action.taskforce)
        .options(contains_eager(Action.taskforce))
        .where(Action.owner_email == email)
    )


def still_open(stmt: Select, today: date) -> list[Action]:
    """The actions not yet closed or dropped: overdue ones first, then by due date."""
    overdue_first = case((overdue_clause(today), 0), else_=1)
    return list(
        db.session.scalars(
            stmt.where(Action.status.not_in(ENDED)).order_by(
                overdue_first, Action.due_on, Action.id
            )
        ).unique()
    )


def ended(stmt: Select, limit: int = ENDED_SHOWN) -> list[Action]:
    """Closed and dropped actions, the latest due first."""
    return list(
        db.session.scalars(
            stmt.where(Action.status.in_(ENDED))
            .order_by(Action.due_on.desc(), Action.id.desc())
            .limit(limit)
        ).unique()
    )


def page(stmt: Select, number: int) -> list[Action]:
    return list(db.session.scalars(stmt.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).unique())


# Exports -------------------------------------------------------------------------------

COLUMNS = (
    "Reference",
    "Task force",
    "Action",
    "Owner",
    "Owner email",
    "Organisation",
    "Due date",
    "Status",
    "Overdue",
    "Proposed due date",
    "Last updated",
)


def export_rows(stmt: Select, today: date):
    """Yield one tuple per action, in COLUMNS order, with dates as dates."""
    last_update = (
        select(func.max(ActionUpdate.at))
        .where(ActionUpdate.action_id == Action.id)
        .correlate(Action)
        .scalar_subquery()
    )
    for action, updated_at in db.session.execute(stmt.add_columns(last_update)).unique():
        yield (
            action.reference,
            action.taskforce.name,
            action.description,
            action.owner_name,
            action.owner_email,
            action.owner_organisation,
            action.due_on,
            action.status_words,
            "yes" if action.is_overdue(today) else "no",
            action.proposed_due_on,
            local(updated_at).replace(tzinfo=None) if updated_at else None,
        )
