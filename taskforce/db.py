"""The declarative base, its naming convention and the column types every model shares."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, TypeDecorator, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, registry

#: The largest id the database's integer columns hold (PostgreSQL's integer).
MAX_ID = 2**31 - 1

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A moment stored as naive UTC and always read back as an aware UTC datetime.

    SQLite keeps no offsets, PostgreSQL converts to the session zone: storing naive UTC
    everywhere makes both databases agree.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous: give a timezone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """Return the current moment, aware, in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class Versioned:
    """Optimistic locking: every change to the row checks and moves on its version, so a stale
    edit is refused with a conflict, never silently applied. A model whose version column came
    after its table had rows declares it again with server_default="1"."""

    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


#: FULL: a commit is on disk before it returns, so not even a power cut loses one (nor lets
#: an email be sent twice). NORMAL (set SQLITE_SYNCHRONOUS=NORMAL) skips that fsync: faster,
#: and safe against the app crashing, but a power cut may undo the last few commits. OFF is
#: for databases thrown away afterwards (the tests'), like PostgreSQL's fsync=off there.
SQLITE_SYNCHRONOUS = (
    os.environ["SQLITE_SYNCHRONOUS"]
    if os.environ.get("SQLITE_SYNCHRONOUS") in {"NORMAL", "OFF"}
    else "FULL"
)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # SQLite ignores foreign keys unless told, and waits for a busy writer only if asked.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        # Write-ahead logging: readers never wait for the writer, and a commit is an append.
        # (An in-memory database answers "memory" and stays as it is.)
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_inside_a_transaction(conn, _name) -> None:
    """Open SQLite's transaction before a savepoint, if no write has opened it yet.

    The sqlite3 driver issues BEGIN only just before an INSERT, UPDATE or DELETE, not before
    SAVEPOINT: SQLite then opens a transaction of its own that the matching RELEASE commits,
    so what a rolled-back request wrote under its first savepoint (an outbox row) stayed.
    Opening the transaction here nests every savepoint in the request's transaction.

    SQLAlchemy's docs instead take BEGIN away from the driver and issue it when the session
    begins, at its first read. Under concurrent threads that is worse: a deferred BEGIN holds
    a read snapshot, and the first write fails at once with "database is locked" if another
    thread committed meanwhile (busy_timeout cannot help); BEGIN IMMEDIATE takes the write
    lock at the first read, so every request, reads included, waits for all the others and
    a session left open on a read blocks every writer. The driver's BEGIN at the first write
    waits for the lock with busy_timeout and never upgrades a stale snapshot; so does this
    IMMEDIATE one (a savepoint is there because a write is coming).
    """
    driver = conn.connection.driver_connection
    if type(driver).__module__.startswith("sqlite3") and not driver.in_transaction:
        driver.execute("BEGIN IMMEDIATE").close()
