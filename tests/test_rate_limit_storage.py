"""Rate limits counted in the app's own database (RATELIMIT_STORAGE_URI=database://), so that
every worker and every host shares one count: the storage itself, and two gunicorn servers
sharing it."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from limits import parse
from limits.errors import ConfigurationError
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import func, select

from taskforce import ratelimits
from taskforce.extensions import db
from taskforce.ratelimits import DatabaseStorage, rate_limits

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ["TEST_DATABASE_URL"]


@pytest.fixture
def storage(app) -> Iterator[DatabaseStorage]:
    store = storage_from_string("database://", url=DATABASE_URL)
    yield store
    store.engine.dispose()


def test_the_database_scheme_is_registered_with_limits(storage):
    assert isinstance(storage, DatabaseStorage)
    assert storage.check()


def test_counts_per_key_clear_and_reset(storage):
    assert [storage.incr("a", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("b", 60, amount=2) == 2
    assert (storage.get("a"), storage.get("b"), storage.get("unknown")) == (3, 2, 0)
    storage.clear("a")
    assert storage.get("a") == 0 and storage.get("b") == 2
    assert storage.reset() == 1
    assert storage.get("b") == 0


def test_a_window_that_has_ended_starts_again(storage, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimits, "_now", lambda: clock[0])
    storage.incr("k", 60)
    storage.incr("k", 60)
    assert storage.get_expiry("k") == 1_000_060.0
    clock[0] += 59
    assert storage.get("k") == 2
    clock[0] += 1
    assert storage.get("k") == 0 and storage.get_expiry("k") == clock[0]
    assert storage.incr("k", 60) == 1  # a new window, from now
    assert storage.get_expiry("k") == clock[0] + 60


def test_ended_windows_are_pruned_now_and_then(storage, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimits, "_now", lambda: clock[0])
    monkeypatch.setattr(ratelimits, "PRUNE_EVERY", 3)
    storage.incr("old", 10)
    clock[0] += 60
    storage.incr("new", 10)
    storage.incr("new", 10)  # the third increment prunes
    keys = db.session.scalars(select(rate_limits.c.key)).all()
    assert keys == ["new"]


def test_a_long_key_is_stored_hashed(storage):
    key = "LIMITER/" + "x" * 400
    assert storage.incr(key, 60) == 1 and storage.get(key) == 1
    stored = db.session.scalars(select(rate_limits.c.key)).one()
    assert stored.startswith("sha256:") and len(stored) <= 255


def test_increments_from_many_threads_are_never_lost(storage):
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda _: storage.incr("busy", 60), range(120)))
    assert storage.get("busy") == 120


def test_the_fixed_window_strategy_runs_on_it(storage):
    limiter = FixedWindowRateLimiter(storage)
    limit = parse("2 per minute")
    assert [limiter.hit(limit, "sign-in", "203.0.113.9") for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert limiter.test(limit, "sign-in", "198.51.100.1")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "needs the database's URL"),
        ({"url": "sqlite://"}, "in-memory SQLite"),
        ({"url": "sqlite:///:memory:"}, "in-memory SQLite"),
        ({"url": "mysql://localhost/taskforce"}, "SQLite and PostgreSQL"),
    ],
)
def test_a_database_that_cannot_share_counts_is_refused(options, message):
    with pytest.raises(ConfigurationError, match=message):
        storage_from_string("database://", **options)


def test_the_app_hands_the_storage_its_own_database():
    config = {"RATELIMIT_STORAGE_URI": "database://", "SQLALCHEMY_DATABASE_URI": "sqlite:///x"}
    assert ratelimits.storage_options(config) == {"url": "sqlite:///x"}
    given = {**config, "RATELIMIT_STORAGE_OPTIONS": {"url": "postgresql+psycopg://h/db"}}
    assert ratelimits.storage_options(given) == {"url": "postgresql+psycopg://h/db"}
    assert ratelimits.storage_options({**config, "RATELIMIT_STORAGE_URI": "memory://"}) == {}


# --- Two servers, one count ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: stopped whole, workers included
    )


def _stop(server: subprocess.Popen) -> str:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
    if server.stderr is None:
        return ""
    with server.stderr:
        return server.stderr.read().decode("utf-8", "replace")


def _wait_until_up(port: int, server: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn on {port} stopped: {_stop(server)[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    raise AssertionError(f"gunicorn on {port} did not start in time")


def _sign_in(opener, port: int, token: str, email: str) -> int:
    body = urllib.parse.urlencode(
        {"email": email, "password": "not-the-password", "csrf_token": token}
    ).encode()
    try:
        with opener.open(f"http://127.0.0.1:{port}/login", data=body, timeout=20) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_two_gunicorn_servers_share_one_count_in_the_database():
    """Two servers of two workers each, on the test database: failed sign-ins sent to them in
    turn reach the limit together. Counted per process, neither would have reached it."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TASKFORCE_ENV": "production",
        "SECRET_KEY": "shared-by-both-servers",
        "DATABASE_URL": DATABASE_URL,
        "RATELIMIT_STORAGE_URI": "database://",
        "LOGIN_RATE_LIMIT": "4 per minute",
        "LOGIN_ACCOUNT_RATE_LIMIT": "100 per minute",
        "BASE_URL": "http://127.0.0.1",
    }
    ports = [_free_port(), _free_port()]
    servers = [_start_gunicorn(port, env) for port in ports]
    try:
        deadline = time.monotonic() + 90
        for port, server in zip(ports, servers, strict=True):
            _wait_until_up(port, server, deadline)
        # One browser: the session cookie (and its CSRF token) is good on both servers,
        # which share the secret key, as workers behind a load balancer do.
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        with opener.open(f"http://127.0.0.1:{ports[0]}/login", timeout=20) as page:
            html = page.read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        codes = [
            _sign_in(opener, ports[n % 2], token, f"person{n}@example.gov.uk") for n in range(6)
        ]
        assert codes == [422, 422, 422, 422, 429, 429]  # a refused sign-in is a 422
        with db.engine.connect() as conn:
            counted = conn.execute(select(func.max(rate_limits.c.count))).scalar_one()
        assert counted == 6  # one row for the address, shared: every refused attempt
    finally:
        for server in servers:
            _stop(server)
