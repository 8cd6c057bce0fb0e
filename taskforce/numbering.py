"""Reference numbers (meeting 3, action SW-3/14, ToR version 7), handed out by counters.

Each series of numbers has one row in `number_counters` holding the last number it gave out. Taking
numbers moves that row on by one statement inside the caller's transaction:

    INSERT INTO number_counters … VALUES (…, n)
    ON CONFLICT (taskforce_id, series, scope) DO UPDATE SET last_number = last_number + n
    RETURNING last_number

so reading the last number and moving it on cannot be pulled apart by another request, as
`SELECT max(number) + 1` could (two requests saw the same maximum and one of them failed on
the unique constraint). On PostgreSQL the statement locks the counter row until the
transaction ends: a second request taking from the same series waits there, then carries
on from the number the first one committed. On SQLite it takes the database's write lock,
which is held until commit anyway. Either way a request that is rolled back gives its
numbers back with everything else it did, so numbers are never skipped.

The price is that requests taking numbers from one series (one task force's actions at
one meeting, say) commit one after another; requests for other task forces or meetings do
not wait. Take numbers late in a request, once the input has been checked, and only as
many as will be used: a caller that allocates and then carries on without using them (by
catching an error and committing anyway) leaves a gap. Take several at once with `count`
rather than one by one.
"""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from taskforce.extensions import db


class Series(enum.StrEnum):
    #: Meetings of a task force: 1, 2, 3…
    MEETING = "meeting"
    #: Actions agreed at one meeting (scope: its number, 0 between meetings): the 14 in SW-3/14.
    ACTION = "action"
    #: Versions of a task force's terms of reference.
    TOR_VERSION = "tor_version"
    #: Papers for one meeting (scope: its number): the 2 in SW-3/P02.
    PAPER = "paper"


class NumberCounter(db.Model):
    """The last number one series has given out."""

    __tablename__ = "number_counters"
    __table_args__ = (
        CheckConstraint(
            "series IN (" + ", ".join(f"'{s}'" for s in Series) + ")", name="series_known"
        ),
    )

    taskforce_id: Mapped[int] = mapped_column(ForeignKey("taskforces.id"), primary_key=True)
    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    #: Which run of the series: for actions and papers, the meeting's number; otherwise 0.
    scope: Mapped[int] = mapped_column(primary_key=True, default=0)
    last_number: Mapped[int]


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def allocate(taskforce_id: int, series: Series, count: int = 1, *, scope: int = 0) -> range:
    """Take the next `count` numbers of a series, in the current transaction; return them.

    They are the caller's until the transaction ends; a rollback returns them.
    """
    if count < 1:
        raise ValueError("allocate at least one number")
    table = NumberCounter.__table__
    insert = _INSERTS[db.session.get_bind().dialect.name]
    statement = (
        insert(table)
        .values(taskforce_id=taskforce_id, series=str(series), scope=scope, last_number=count)
        .on_conflict_do_update(
            index_elements=[table.c.taskforce_id, table.c.series, table.c.scope],
            set_={"last_number": table.c.last_number + count},
        )
        .returning(table.c.last_number)
    )
    last = db.session.execute(statement).scalar_one()
    return range(last - count + 1, last + 1)
