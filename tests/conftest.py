"""Fixtures shared by every test: the app on a real database, factories, signed-in clients.

The database comes from TEST_DATABASE_URL (scripts/test sets it to a PostgreSQL it starts);
without it, a SQLite file in a temporary folder. The schema is built once per run and every
table is emptied after each test.
"""

from __future__ import annotations

import contextvars
import os
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

_tmp = Path(tempfile.mkdtemp(prefix="taskforce-tests-"))
os.environ.setdefault("TEST_DATABASE_URL", f"sqlite:///{_tmp / 'test.sqlite3'}")
# A throwaway database needs no fsync (scripts/test's PostgreSQL runs with fsync=off too).
os.environ.setdefault("SQLITE_SYNCHRONOUS", "OFF")

from taskforce import create_app  # noqa: E402
from taskforce.audit.services import Actor  # noqa: E402
from taskforce.auth import services as auth_services  # noqa: E402
from taskforce.auth.models import User  # noqa: E402
from taskforce.bodies import services as body_services  # noqa: E402
from taskforce.bodies.models import TaskForce  # noqa: E402
from taskforce.extensions import db  # noqa: E402

PASSWORD = "correct-horse-battery"


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    Flask reuses an app context that is already pushed, and the tests keep one pushed for
    their own database work; without this, `g` and the database session would leak from one
    request into the next and hide bugs.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():  # not when following a redirect inside the isolated context
            db.session.expire_all()  # the test's own session must not serve stale rows
        return response


def pytest_collection_modifyitems(config, items) -> None:
    """Tests marked no_database run once: on SQLite, not again on PostgreSQL."""
    if not os.environ["TEST_DATABASE_URL"].startswith("postgresql"):
        return
    once = pytest.mark.skip(reason="touches no database: run once, on SQLite")
    for item in items:
        if item.get_closest_marker("no_database"):
            item.add_marker(once)


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    app = create_app("test")
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


#: PostgreSQL: every identity back to 1, as a new database has it (DELETE then this is much
#: faster than TRUNCATE, which makes new files for every table on every test).
_RESTART_SEQUENCES = """
DO $$ DECLARE s record; BEGIN
  FOR s IN SELECT sequencename FROM pg_sequences
           WHERE schemaname = 'public' AND last_value IS NOT NULL
  LOOP EXECUTE format('ALTER SEQUENCE %I RESTART', s.sequencename); END LOOP;
END $$;
"""


@pytest.fixture(autouse=True)
def _clean_database(app: Flask) -> Iterator[None]:
    yield
    db.session.rollback()
    db.session.remove()
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())
        if conn.dialect.name == "postgresql":
            conn.execute(text(_RESTART_SEQUENCES))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def no_csrf(app: Flask) -> Iterator[None]:
    """Most page tests post forms directly; CSRF itself is tested on its own."""
    app.config["WTF_CSRF_ENABLED"] = False
    yield
    app.config["WTF_CSRF_ENABLED"] = True


CLI = Actor.system("cli", "tests")


@pytest.fixture
def make_user(app: Flask):
    counter = iter(range(1, 10_000))

    def make(
        role: str = "secretariat",
        email: str | None = None,
        name: str | None = None,
        password: str | None = PASSWORD,
    ) -> User:
        n = next(counter)
        user = auth_services.create_user(
            email or f"{role}{n}@example.gov.uk",
            name or f"{role.title()} Person {n}",
            role,
            CLI,
            password=password,
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_taskforce(app: Flask):
    counter = iter(range(1, 10_000))

    def make(by: User | None = None, members: list[dict] | None = None, **fields) -> TaskForce:
        n = next(counter)
        data = {
            "name": f"Test Task Force {n}",
            "code": "T" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n % 26] + "ABCDEFGHIJ"[n // 26 % 10],
            "purpose": "Make things better.",
            "cadence_weeks": 6,
            "quorum": None,
            "priorities": [],
            "members": members or [],
            **fields,
        }
        actor = Actor(user=by, via="web") if by else CLI
        tf = body_services.create_taskforce(data, actor)
        db.session.commit()
        return tf

    return make


def member(name: str, email: str, group: str = "official", **kw) -> dict:
    return {
        "name": name,
        "email": email,
        "role_title": kw.pop("role_title", "Director"),
        "organisation": kw.pop("organisation", "Department for Tests"),
        "group": group,
        **kw,
    }


def login(client: FlaskClient, user: User, password: str = PASSWORD) -> FlaskClient:
    """Sign a test client in through the real login form (CSRF token included)."""
    page = client.get("/login")
    token = _csrf_from(page.get_data(as_text=True))
    response = client.post(
        "/login", data={"email": user.email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _csrf_from(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    return match.group(1) if match else ""


class Api:
    """A JSON client speaking to /api/v1 with a bearer token."""

    def __init__(self, client: FlaskClient, token: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, json=None, **kw):
        return self.client.open(
            "/api/v1" + path, method=method, json=json, headers=self.headers, **kw
        )

    def get(self, path: str, **kw):
        return self._call("GET", path, **kw)

    def post(self, path: str, json=None, **kw):
        return self._call("POST", path, json=json, **kw)

    def patch(self, path: str, json=None, **kw):
        return self._call("PATCH", path, json=json, **kw)

    def put(self, path: str, json=None, **kw):
        return self._call("PUT", path, json=json, **kw)

    def delete(self, path: str, **kw):
        return self._call("DELETE", path, **kw)

    def upload(self, path: str, content: bytes, filename: str):
        """POST a file as multipart form data named `file`."""
        import io

        return self.client.post(
            "/api/v1" + path,
            data={"file": (io.BytesIO(content), filename)},
            headers=self.headers,
            content_type="multipart/form-data",
        )


@pytest.fixture
def secretariat(make_user) -> User:
    """A secretariat user; page tests override this with one who is signed in."""
    return make_user("secretariat")


@pytest.fixture
def api(api_for, secretariat) -> Api:
    return api_for(secretariat)


@pytest.fixture
def web(client: FlaskClient, secretariat: User) -> FlaskClient:
    """A browser session signed in as the `secretariat` user through the login form."""
    return login(client, secretariat)


# --- The usual task force, and its meetings, actions, indicators and risks ----------------
#
# Each factory goes through the app's own service as the CLI would, commits, and returns the
# new row. Left out, the task force is the `tf` fixture (the module's own, if it has one).

#: The members of `tf`: a minister in the chair, an official and the secretariat.
NIA = "nia@example.gov.uk"
SAM = "sam@example.gov.uk"
SEREN = "seren@example.gov.uk"
TF_PRIORITIES = ["Apprenticeship starts", "Youth guarantee"]


@pytest.fixture
def tf(make_taskforce, secretariat) -> TaskForce:
    """The Skills and Work Task Force (code SW), made and edited by the `secretariat` user,
    with Nia Roberts (minister, chair), Sam Patel (official), Seren Pryce (secretariat) and
    two priorities."""
    return make_taskforce(
        by=secretariat,
        name="Skills and Work Task Force",
        code="SW",
        priorities=TF_PRIORITIES,
        members=[
            member("Nia Roberts", NIA, "minister", is_chair=True, role_title="Minister"),
            member("Sam Patel", SAM, "official"),
            member("Seren Pryce", SEREN, "secretariat", role_title="Secretary"),
        ],
    )


def _taskforce_or_tf(request, taskforce: TaskForce | None) -> TaskForce:
    return taskforce if taskforce is not None else request.getfixturevalue("tf")


@pytest.fixture
def make_meeting(app: Flask, request):
    """make_meeting(taskforce=None, start=..., **kw): one meeting, through schedule_meetings.

    `start` is UK time (a datetime or ISO text); the default is a Tuesday in 2040, so the
    meeting is still to come and invites can go. Give record_history=True for a past one.
    """
    from taskforce.meetings import services as meeting_services
    from taskforce.meetings.models import Meeting

    def make(
        taskforce: TaskForce | None = None,
        start: datetime | str = "2040-02-07T10:00:00",
        *,
        duration_minutes: int = 90,
        location: str = "Room 1, 70 Whitehall",
        by: User | None = None,
        **kw,
    ) -> Meeting:
        [meeting] = meeting_services.schedule_meetings(
            _taskforce_or_tf(request, taskforce),
            first_start=datetime.fromisoformat(start) if isinstance(start, str) else start,
            count=1,
            duration_minutes=duration_minutes,
            location=location,
            actor=Actor(user=by, via="web") if by else CLI,
            **kw,
        )
        db.session.commit()
        return meeting

    return make


@pytest.fixture
def make_action(app: Flask, request):
    """make_action(owner_email=..., due=None, owner_name=None, **kw): an action allocated
    through create_action, due in two weeks unless told.

    kw: taskforce, meeting, description, organisation, by (a user; else the system).
    """
    from taskforce.actions import services as action_services
    from taskforce.actions.models import Action

    def make(
        owner_email: str = "ana.lopes@example.gov.uk",
        due: date | None = None,
        owner_name: str | None = None,
        *,
        taskforce: TaskForce | None = None,
        meeting=None,
        description: str = "Draft the employer survey",
        organisation: str = "Department for Skills",
        by: User | None = None,
    ) -> Action:
        data = {
            "description": description,
            "owner_name": owner_name or owner_email.split("@")[0].title(),
            "owner_email": owner_email,
            "owner_organisation": organisation,
            "due_date": due or action_services.today() + timedelta(days=14),
        }
        actor = Actor(user=by, via="web") if by else Actor.system()
        action, _warnings = action_services.create_action(
            _taskforce_or_tf(request, taskforce), data, actor, meeting
        )
        db.session.commit()
        return action

    return make


@pytest.fixture
def make_indicator(app: Flask, request):
    """make_indicator(taskforce=None, **fields): an indicator, through create_indicator.

    Monthly and "up is good" unless told; `trajectory` and `actuals` are {period: value}.
    """
    from taskforce.performance import services as performance_services
    from taskforce.performance.models import Indicator

    counter = iter(range(1, 10_000))

    def make(
        taskforce: TaskForce | None = None,
        *,
        trajectory: dict | None = None,
        actuals: dict | None = None,
        **fields,
    ) -> Indicator:
        data = {
            "name": f"Indicator {next(counter)}",
            "unit": "starts",
            "frequency": "monthly",
            "direction": "up",
            **fields,
            "trajectory": [{"period": p, "value": v} for p, v in (trajectory or {}).items()],
        }
        indicator = performance_services.create_indicator(
            _taskforce_or_tf(request, taskforce), data, CLI
        )
        if actuals:
            points = [{"period": p, "value": v} for p, v in actuals.items()]
            values = performance_services.actuals_from_input(indicator, points)
            performance_services.record_actuals(indicator, values, CLI)
        db.session.commit()
        return indicator

    return make


@pytest.fixture
def make_risk(app: Flask, request):
    """make_risk(taskforce=None, **fields): a risk on the register, through add_risk.

    R1, R2, ... in turn, Medium likelihood and Medium impact (so Amber) unless told.
    """
    from taskforce.registers import services as register_services
    from taskforce.registers.models import Risk

    counter = iter(range(1, 10_000))

    def make(taskforce: TaskForce | None = None, **fields) -> Risk:
        data = {
            "ref": f"R{next(counter)}",
            "description": "Providers leave the market",
            "likelihood": "Medium",
            "impact": "Medium",
            **fields,
        }
        risk = register_services.add_risk(_taskforce_or_tf(request, taskforce), data, CLI)
        db.session.commit()
        return risk

    return make


@pytest.fixture
def api_for(client: FlaskClient):
    def make(user: User) -> Api:
        token = auth_services.create_token(user, CLI)
        db.session.commit()
        return Api(client, token)

    return make


class SmtpRecorder:
    """A real SMTP server (aiosmtpd) on a loopback port that keeps what it receives."""

    def __init__(self):
        self.messages: list = []
        #: (envelope sender, envelope recipients, the bytes received), for snapshots.
        self.received: list[tuple[str, list[str], bytes]] = []
        self.controller = None
        self.port = 0

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for rcpts, m in self.messages if address in rcpts]

    def readable(self, address: str) -> list[str]:
        """Each message received for `address`, as tests.readable.email shows it."""
        from tests.readable import email

        return [email(*received) for received in self.received if address in received[1]]

    def start(self) -> None:
        """Listen (again) on this recorder's port; a stopped controller cannot restart."""
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def snapshot_text(snapshot):
    """Compare text with a .txt file under __snapshots__/<test file>/ (syrupy)."""
    from tests.readable import TextSnapshot

    return snapshot.use_extension(TextSnapshot)


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpRecorder]:
    recorder = SmtpRecorder()
    recorder.port = _free_port()  # type: ignore[attr-defined]
    recorder.start()
    old = app.config["SMTP_HOST"], app.config["SMTP_PORT"]
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = "127.0.0.1", recorder.port
    yield recorder
    recorder.stop()
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = old
