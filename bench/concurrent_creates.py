"""Load check: many API users allocating actions at once against a real gunicorn server.

    .venv/bin/python bench/concurrent_creates.py [--clients 50] [--seconds 45]
        [--workers 1] [--threads 8] [--database-url postgresql+psycopg://...]

Migrates a fresh database (a temporary SQLite file unless a URL is given; a PostgreSQL one
must be empty), makes a task force with a meeting and an API token, starts gunicorn on a
loopback port, and has each client POST /api/v1/actions in a loop (half of them at the
meeting, half between meetings) until time is up. Then it reads back every action and
checks that each create answered 201, that references are unique, and that each meeting's
numbers run 1, 2, 3 … with none skipped. For PostgreSQL, try --workers 2 --threads 1.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def _seed(url: str) -> tuple[int, int, str]:
    from taskforce import create_app
    from taskforce.audit.services import Actor
    from taskforce.auth import services as auth
    from taskforce.bodies.services import create_taskforce
    from taskforce.extensions import db
    from taskforce.meetings.services import schedule_meetings

    app = create_app("production", SQLALCHEMY_DATABASE_URI=url)
    actor = Actor.system("cli", "bench")
    with app.app_context():
        user = auth.create_user("bench@example.gov.uk", "Bench User", "secretariat", actor)
        tf = create_taskforce({"name": "Bench", "code": "BN", "members": []}, actor)
        tf.created_by_id = user.id
        [meeting] = schedule_meetings(
            tf,
            first_start=datetime(2040, 1, 10, 10, tzinfo=UTC),
            count=1,
            duration_minutes=60,
            location="",
            actor=actor,
        )
        token = auth.create_token(user, actor)
        db.session.commit()
        ids = tf.id, meeting.id
        db.engine.dispose()
    return *ids, token


def _check(url: str, tf_id: int) -> tuple[int, list[str]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT meeting_number, number, reference FROM actions WHERE taskforce_id = :t"),
            {"t": tf_id},
        ).all()
    engine.dispose()
    problems = []
    if len({r.reference for r in rows}) != len(rows):
        problems.append("a reference was given twice")
    by_meeting = collections.defaultdict(list)
    for row in rows:
        by_meeting[row.meeting_number].append(row.number)
    for meeting_number, numbers in sorted(by_meeting.items()):
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            problems.append(f"meeting {meeting_number}: numbers skipped or repeated")
    return len(rows), problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{tmp.name}/bench.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TASKFORCE_ENV": "production",
        "SECRET_KEY": "bench-only",
        "FLASK_APP": "wsgi.py",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY")})
    bin_dir = Path(sys.executable).parent
    subprocess.run(  # noqa: S603 - our own interpreter's flask
        [bin_dir / "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True
    )
    tf_id, meeting_id, token = _seed(url)

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter's gunicorn
        [
            bin_dir / "gunicorn",
            f"--workers={args.workers}",
            f"--threads={args.threads}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    statuses: collections.Counter[int] = collections.Counter()
    lock = threading.Lock()
    due = (datetime.now(UTC).date() + timedelta(weeks=8)).isoformat()
    try:
        _wait_for(port)
        deadline = time.monotonic() + args.seconds

        def client(i: int) -> None:
            n = 0
            while time.monotonic() < deadline:
                body = {
                    "taskforce_id": tf_id,
                    "description": f"Bench action {i}-{n}",
                    "owner_name": "Ola Ade",
                    "owner_email": "ola.ade@example.gov.uk",
                    "due_date": due,
                }
                if n % 2:
                    body["meeting_id"] = meeting_id
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/v1/actions",
                    data=json.dumps(body).encode(),
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                    },
                    method="POST",
                )
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                        status = response.status
                except urllib.error.HTTPError as error:
                    status = error.code
                except OSError:
                    status = 0  # no answer at all
                with lock:
                    statuses[status] += 1
                n += 1

        began = time.monotonic()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.monotonic() - began
    finally:
        server.terminate()
        server.wait(30)

    kept, problems = _check(url, tf_id)
    total = sum(statuses.values())
    print(
        f"{total} creates by {args.clients} clients in {took:.1f}s "
        f"({total / took:.0f}/s) on {url.split(':')[0]}, "
        f"{args.workers} worker(s) x {args.threads} thread(s)"
    )
    print("answers:", dict(sorted(statuses.items())))
    print(f"actions kept: {kept}")
    if statuses[201] != total:
        problems.append(f"{total - statuses[201]} creates were not answered 201")
    if kept != statuses[201]:
        problems.append(f"{statuses[201]} answered 201 but {kept} actions are kept")
    for problem in problems:
        print("PROBLEM:", problem)
    print("OK" if not problems else "FAILED")
    tmp.cleanup()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
