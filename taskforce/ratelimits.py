"""Rate-limit counters kept in the app's own database, shared by every worker and host.

`RATELIMIT_STORAGE_URI=database://` makes Flask-Limiter (through the `limits` package) count
in the `rate_limits` table of the database the app already uses, SQLite or PostgreSQL: no
other service to run. The storage registers the `database` scheme with `limits` when this
module is imported, and `create_app` hands it the app's database URL as the `url` storage
option (outside the app: `storage_from_string("database://", url="postgresql+psycopg://…")`).

It serves the fixed-window strategy (Flask-Limiter's default): each key has a count and the
moment its window ends. An increment is one atomic upsert, so workers never lose a count
between them. Counters are written on their own connection, committed at once, whatever
becomes of the request's own transaction.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time

from limits.errors import ConfigurationError
from limits.storage import Storage
from sqlalchemy import Column, Float, Integer, String, Table, case, create_engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from taskforce.extensions import db

#: One row per limited key (an address, an account, an owner link) while its window lasts.
rate_limits = Table(
    "rate_limits",
    db.metadata,
    Column("key", String(255), primary_key=True),
    Column("count", Integer, nullable=False),
    #: When the current window ends, in seconds since the epoch.
    Column("expires_at", Float, nullable=False),
)

KEY_MAX = 255
#: Every this many increments, a process deletes the windows that have ended.
PRUNE_EVERY = 200


def _now() -> float:
    return time.time()


class DatabaseStorage(Storage):
    """A `limits` storage on a SQLAlchemy database: `database://` with the `url` option."""

    STORAGE_SCHEME = ["database"]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        url: str = "",
        **options: float | str | bool,
    ) -> None:
        if not url:
            raise ConfigurationError(
                "database:// needs the database's URL as the url storage option "
                "(create_app passes DATABASE_URL)"
            )
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
            raise ConfigurationError(
                "database:// cannot share counts through an in-memory SQLite database: "
                "use a database file or PostgreSQL"
            )
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise ConfigurationError("database:// works with SQLite and PostgreSQL")
        self.url = url
        self._engine: Engine | None = None
        self._pid = 0
        self._lock = threading.Lock()
        self._increments = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    @property
    def engine(self) -> Engine:
        """An engine of this process's own: one made before a fork (gunicorn --preload) is
        dropped in the child, never shared with it."""
        with self._lock:
            if self._engine is None or self._pid != os.getpid():
                if self._engine is not None:
                    self._engine.dispose(close=False)
                options: dict = {"pool_pre_ping": True}
                if make_url(self.url).get_backend_name() == "postgresql":
                    options |= {"pool_size": 2, "max_overflow": 4}
                self._engine = create_engine(self.url, **options)
                self._pid = os.getpid()
            return self._engine

    @staticmethod
    def _key(key: str) -> str:
        if len(key) <= KEY_MAX:
            return key
        return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()

    def _upsert(self, dialect: str):
        return (postgresql if dialect == "postgresql" else sqlite).insert(rate_limits)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add to the key's count; a window that has ended starts again from this amount."""
        now = _now()
        engine = self.engine
        insert = self._upsert(engine.dialect.name).values(
            key=self._key(key), count=amount, expires_at=now + expiry
        )
        ended = rate_limits.c.expires_at <= now
        statement = insert.on_conflict_do_update(
            index_elements=[rate_limits.c.key],
            set_={
                "count": case((ended, amount), else_=rate_limits.c.count + amount),
                "expires_at": case((ended, now + expiry), else_=rate_limits.c.expires_at),
            },
        ).returning(rate_limits.c.count)
        with engine.begin() as conn:
            count = conn.execute(statement).scalar_one()
        self._prune_now_and_then(now)
        return count

    def _prune_now_and_then(self, now: float) -> None:
        with self._lock:
            self._increments += 1
            due = self._increments % PRUNE_EVERY == 0
        if due:
            with self.engine.begin() as conn:
                conn.execute(delete(rate_limits).where(rate_limits.c.expires_at <= now))

    def _row(self, key: str):
        with self.engine.connect() as conn:
            return conn.execute(
                select(rate_limits.c.count, rate_limits.c.expires_at).where(
                    rate_limits.c.key == self._key(key)
                )
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row is not None and row.expires_at > _now() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        now = _now()
        return row.expires_at if row is not None and row.expires_at > now else now

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return conn.execute(delete(rate_limits)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(rate_limits).where(rate_limits.c.key == self._key(key)))


def storage_options(config: dict) -> dict:
    """Flask-Limiter's storage options for this app: with database://, the app's database."""
    options = dict(config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    if config["RATELIMIT_STORAGE_URI"].partition(":")[0] == "database":
        options.setdefault("url", config["SQLALCHEMY_DATABASE_URI"])
    return options
