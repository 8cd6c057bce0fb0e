"""Benchmark: importing a 50,000-row CSV of actuals (time and peak memory).

    .venv/bin/python bench/import_actuals.py [--rows 50000]

50 weekly indicators, 1,000 weeks each. Prints the import's time and peak Python memory
(tracemalloc), beside reading the same file with the bare csv module.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def make_csv(rows: int, indicators: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["indicator", "period", "value"])
    per = rows // indicators
    start = date(2005, 1, 3)
    for n in range(indicators):
        for w in range(per):
            year, week, _ = (start + timedelta(weeks=w)).isocalendar()
            writer.writerow([f"Indicator {n}", f"{year}-W{week:02d}", 1000 + (w * 7 + n) % 500])
    return out.getvalue().encode()


def measure(work, *, memory: bool):
    """Time a piece of work, or (with memory) its peak Python allocation: tracemalloc
    slows Python down several times, so the two are measured on separate runs."""
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if memory else 0
    if memory:
        tracemalloc.stop()
    return result, elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    indicators = 50
    content = make_csv(args.rows, indicators)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/import.sqlite3"
        os.environ["TEST_DATABASE_URL"] = url
        from taskforce import create_app
        from taskforce.audit.services import Actor
        from taskforce.bodies.models import TaskForce
        from taskforce.extensions import db
        from taskforce.performance import imports, services

        app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            db.create_all()
            results = []
            for run_number, memory in enumerate((False, True)):
                tf = TaskForce(
                    name=f"Bench {run_number}", code=f"BN{run_number}", purpose="", cadence_weeks=6
                )
                db.session.add(tf)
                db.session.flush()
                for n in range(indicators):
                    services.create_indicator(
                        tf,
                        {"name": f"Indicator {n}", "frequency": "weekly", "direction": "up"},
                        Actor.system(),
                    )
                db.session.commit()

                def run(tf=tf):
                    count = imports.import_actuals(
                        tf, io.BytesIO(content), "mi.csv", Actor.system()
                    )
                    db.session.commit()
                    return count

                results.append(measure(run, memory=memory))
            (imported, elapsed, _), (_, _, peak) = results

        def bare():
            return sum(1 for _ in csv.reader(io.TextIOWrapper(io.BytesIO(content), "utf-8")))

        _rows, bare_elapsed, _ = measure(bare, memory=False)
        _rows, _, bare_peak = measure(bare, memory=True)
    print(f"{imported:,} rows imported from a {len(content) / 1e6:.1f} MB CSV (SQLite file):")
    print(
        f"  import: {elapsed:.2f} s ({imported / elapsed:,.0f} rows a second), "
        f"peak Python memory {peak / 1e6:.1f} MB"
    )
    print(f"  bare csv read: {bare_elapsed:.2f} s, peak {bare_peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
