"""scripts/serve: the web server and the scheduler side by side on the port asked for, both
stopped by one Ctrl+C on the terminal, and nothing left running afterwards.

The script runs for real (setup, migrations, demo data, gunicorn and `flask scheduler run`) on
a SQLite file of its own, on a pseudo-terminal that is its controlling terminal, so Ctrl+C
goes through the terminal as a person's would. Every process it starts inherits a marker in
its environment; afterwards none may carry it.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MARKER = "TASKFORCE_SERVE_TEST"

pytestmark = [
    pytest.mark.no_database,  # its own SQLite file, whatever the run's database
    pytest.mark.skipif(
        not (ROOT / ".venv" / "bin" / "gunicorn").exists(),
        reason="scripts/serve runs .venv/bin/gunicorn: run scripts/setup first",
    ),
    pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux's /proc"),
    pytest.mark.skipif(shutil.which("setsid") is None, reason="needs util-linux's setsid"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _marked(tag: str) -> dict[int, str]:
    """Every process whose environment carries this run's marker: its command line by id."""
    wanted = f"{MARKER}={tag}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if wanted in environ:
            found[int(entry.name)] = command.strip()
    return found


@dataclass
class Served:
    """scripts/serve on a pseudo-terminal: its output so far, and a Ctrl+C to press."""

    process: subprocess.Popen
    terminal: int
    tag: str
    output: str = ""
    chunks: list[bytes] = field(default_factory=list)

    def read(self, timeout: float = 0.2) -> None:
        ready, _, _ = select.select([self.terminal], [], [], timeout)
        if ready:
            try:
                self.chunks.append(os.read(self.terminal, 65536))
            except OSError:  # the terminal closed: everything on it has exited
                return
            self.output = b"".join(self.chunks).decode("utf-8", "replace")

    def wait_for(self, text: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.output:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"no {text!r} from scripts/serve:\n{self.output[-3000:]}")
            self.read()

    def press_ctrl_c(self) -> None:
        os.write(self.terminal, b"\x03")

    def exit_status(self, seconds: float) -> int:
        deadline = time.monotonic() + seconds
        while self.process.poll() is None and time.monotonic() < deadline:
            self.read()
        self.read(0)
        return self.process.wait(timeout=1)


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('serve') / 'serve.sqlite3'}"


@pytest.fixture
def serve(database: str) -> Iterator:
    started: list[Served] = []

    def start(port: int) -> Served:
        tag = uuid.uuid4().hex
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"BASE_URL", "SMTP_HOST", "TASKFORCE_ENV", "FLASK_APP"}
        }
        env.update(
            PYTHONPATH=str(ROOT),
            DATABASE_URL=database,
            PORT=str(port),
            **{MARKER: tag},
        )
        controller, terminal = pty.openpty()
        process = subprocess.Popen(
            # Its own session, with the pseudo-terminal as its controlling terminal.
            ["setsid", "--ctty", str(ROOT / "scripts" / "serve")],
            cwd=ROOT,
            env=env,
            stdin=terminal,
            stdout=terminal,
            stderr=terminal,
        )
        os.close(terminal)
        served = Served(process, controller, tag)
        started.append(served)
        return served

    yield start
    for served in started:  # a failed test still leaves nothing behind
        if served.process.poll() is None:
            os.killpg(served.process.pid, signal.SIGKILL)
            served.process.wait(timeout=10)
        for pid in _marked(served.tag):
            os.kill(pid, signal.SIGKILL)
        os.close(served.terminal)


def _health(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
        return response.status


def test_one_ctrl_c_stops_the_web_server_and_the_scheduler_and_leaves_nothing(serve):
    port = _free_port()
    served = serve(port)
    served.wait_for("Scheduler running", 180)
    served.wait_for("Listening at", 60)
    assert f"starting at http://127.0.0.1:{port}" in served.output  # BASE_URL follows PORT
    assert "every email is kept in the Outbox" in served.output
    assert _health(port) == 200
    running = _marked(served.tag).values()
    assert any("scheduler run" in command for command in running)
    assert sum("gunicorn" in command for command in running) >= 2  # the master and a worker

    served.press_ctrl_c()
    assert served.exit_status(60) == 130
    assert _marked(served.tag) == {}
    with pytest.raises(urllib.error.URLError):
        _health(port)


def test_when_the_web_server_cannot_start_the_scheduler_is_stopped_too(serve):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        served = serve(taken.getsockname()[1])
        assert served.exit_status(240) != 0
    assert "The web server stopped (exit status 1); stopping the rest." in served.output
    assert _marked(served.tag) == {}
