"""Benchmark: a chasing run over 10,000 open actions owned by 1,000 people.

    .venv/bin/python bench/chase.py [--owners 1000] [--per-owner 10] [--rounds 3]
                                    [--database-url postgresql+psycopg://...]

A real SMTP server (aiosmtpd, in its own process) receives everything. Each round seeds a
fresh database, times `chasing.run` from planning to the last message accepted, then times
bare `smtplib` sending the very same messages (read back from what the server received)
over one connection. It prints both, the ratio (target: at most 1.5), and where the
chaser's time went.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SINK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from aiosmtpd.controller import Controller

    out = Path(sys.argv[2])
    class Sink:
        n = 0
        async def handle_DATA(self, server, session, envelope):
            Sink.n += 1
            (out / f"{Sink.n:06d}.eml").write_bytes(envelope.original_content)
            (out / f"{Sink.n:06d}.rcpt").write_text(",".join(envelope.rcpt_tos))
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()
    """
)

TODAY = date(2027, 3, 2)  # a Tuesday: actions due on Monday 1 March are one working day late
DUE = date(2027, 3, 1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(owners: int, per_owner: int) -> None:
    from sqlalchemy import insert

    from taskforce.actions.models import Action
    from taskforce.bodies.models import Member, TaskForce
    from taskforce.extensions import db

    tf = TaskForce(name="Benchmark Task Force", code="BM", purpose="", cadence_weeks=6)
    db.session.add(tf)
    db.session.flush()
    for name, email, group, chair in (
        ("Chair Person", "chair@bench.example", "minister", True),
        ("Secretariat Lead", "sec@bench.example", "secretariat", False),
    ):
        db.session.add(
            Member(
                taskforce_id=tf.id,
                name=name,
                email=email,
                role_title="",
                organisation="",
                group=group,
                is_chair=chair,
            )
        )
    rows = []
    for owner in range(owners):
        for k in range(per_owner):
            number = owner * per_owner + k + 1
            rows.append(
                {
                    "taskforce_id": tf.id,
                    "meeting_number": 0,
                    "number": number,
                    "reference": f"BM-0/{number}",
                    "description": f"Report progress on workstream {number} to the task force",
                    "owner_name": f"Owner {owner}",
                    "owner_email": f"owner{owner}@bench.example",
                    "owner_organisation": "Department for Benchmarks",
                    "due_on": DUE,
                    "status": "open",
                    "version": 1,
                }
            )
    db.session.execute(insert(Action), rows)
    db.session.commit()


def bare_smtplib(port: int, messages: list[tuple[list[str], bytes]], sender: str) -> float:
    import smtplib

    started = time.perf_counter()
    smtp = smtplib.SMTP("127.0.0.1", port)
    for rcpts, raw in messages:
        smtp.sendmail(sender, rcpts, raw)
    smtp.quit()
    return time.perf_counter() - started


def read_received(folder: Path, start: int, stop: int) -> list[tuple[list[str], bytes]]:
    return [
        (
            (folder / f"{n:06d}.rcpt").read_text().split(","),
            (folder / f"{n:06d}.eml").read_bytes(),
        )
        for n in range(start + 1, stop + 1)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--owners", type=int, default=1000)
    parser.add_argument("--per-owner", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    received = Path(tempfile.mkdtemp(prefix="chase-bench-mail-"))
    port = free_port()
    sink = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SINK, str(port), str(received)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout.readline().strip() == "ready"

    chaser_times, bare_times, phases = [], [], []
    try:
        for round_number in range(1, args.rounds + 1):
            with tempfile.TemporaryDirectory() as tmp:
                url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
                os.environ["TEST_DATABASE_URL"] = url
                from taskforce import create_app
                from taskforce.actions import chasing
                from taskforce.extensions import db

                app = create_app(
                    "test",
                    SQLALCHEMY_DATABASE_URI=url,
                    SMTP_HOST="127.0.0.1",
                    SMTP_PORT=port,
                )
                with app.app_context():
                    db.drop_all()
                    db.create_all()
                    seed(args.owners, args.per_owner)
                    before = len(list(received.glob("*.eml")))
                    marks: dict[str, float] = {}

                    def planned(_summary, marks=marks):
                        marks["queued"] = time.perf_counter()

                    started = time.perf_counter()
                    summary = chasing.run(TODAY, on_planned=planned)
                    elapsed = time.perf_counter() - started
                    after = len(list(received.glob("*.eml")))
                    assert summary.sent == summary.queued == after - before, summary.lines()
                    assert summary.owners == args.owners
                    sender = app.config["MAIL_FROM"].rsplit("<", 1)[-1].rstrip(">")
                    db.session.remove()
                    db.drop_all()
                    db.engine.dispose()
            messages = read_received(received, before, after)
            bare = bare_smtplib(port, messages, sender)
            chaser_times.append(elapsed)
            bare_times.append(bare)
            phases.append((marks["queued"] - started, elapsed - (marks["queued"] - started)))
            print(
                f"round {round_number}: chaser {elapsed:.2f} s "
                f"(plan, links and queue {phases[-1][0]:.2f} s; delivery {phases[-1][1]:.2f} s), "
                f"bare smtplib {bare:.2f} s for {len(messages)} messages, "
                f"ratio {elapsed / bare:.2f}"
            )
    finally:
        sink.stdin.close()
        sink.wait(timeout=10)

    chaser, bare = statistics.median(chaser_times), statistics.median(bare_times)
    database = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite (file)"
    print()
    print(
        f"{args.owners * args.per_owner} open actions, {args.owners} owners, {database}, "
        f"median of {args.rounds} rounds:"
    )
    print(f"  chaser run:   {chaser:.2f} s  ({args.owners / chaser:.0f} digests a second)")
    print(f"  bare smtplib: {bare:.2f} s  ({args.owners / bare:.0f} messages a second)")
    print(f"  ratio:        {chaser / bare:.2f}  (target at most 1.5)")


if __name__ == "__main__":
    main()
