"""Benchmark: drawing 24 trajectory charts cold, then again warm (from the cache).

    .venv/bin/python bench/charts.py

Prints the time for each pass and, for scale, bare matplotlib drawing the same 24
figures with no cache at all.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COUNT = 24


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/charts.sqlite3"
        os.environ["TEST_DATABASE_URL"] = url
        from taskforce import create_app
        from taskforce.audit.services import Actor
        from taskforce.bodies.models import TaskForce
        from taskforce.extensions import db
        from taskforce.performance import charts, services

        app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            db.create_all()
            tf = TaskForce(name="Bench", code="BN", purpose="", cadence_weeks=6)
            db.session.add(tf)
            db.session.flush()
            indicators = []
            for n in range(COUNT):
                indicator = services.create_indicator(
                    tf,
                    {
                        "name": f"Indicator {n}",
                        "unit": "people",
                        "frequency": "monthly",
                        "direction": "up" if n % 2 else "down",
                        "trajectory": [
                            {"period": f"{2026 + m // 12}-{m % 12 + 1:02d}", "value": 1000 + 20 * m}
                            for m in range(24)
                        ],
                    },
                    Actor.system(),
                )
                services.record_actuals(
                    indicator,
                    {f"{2026 + m // 12}-{m % 12 + 1:02d}": 990 + 21 * m + n for m in range(14)},
                    Actor.system(),
                )
                indicators.append(indicator)
            db.session.commit()

            charts.draw(
                charts._drawing(indicators[0], "svg", services.series(indicators[0]))
            )  # import and font cache warm-up
            started = time.perf_counter()
            for indicator in indicators:
                charts.chart(indicator, "svg")
            db.session.commit()
            cold = time.perf_counter() - started
            started = time.perf_counter()
            for indicator in indicators:
                charts.chart(indicator, "svg")
            warm = time.perf_counter() - started
            drawings = [charts._drawing(i, "svg", services.series(i)) for i in indicators]
            started = time.perf_counter()
            for drawing in drawings:
                charts.draw(drawing)
            bare = time.perf_counter() - started
    print(f"{COUNT} charts (24 monthly points each, 14 actuals), SVG:")
    print(f"  cold (drawn and cached):  {cold:.2f} s  ({cold / COUNT * 1000:.0f} ms a chart)")
    print(f"  warm (from the cache):    {warm:.3f} s  ({warm / COUNT * 1000:.1f} ms a chart)")
    print(f"  bare matplotlib drawing:  {bare:.2f} s  (ratio cold/bare {cold / bare:.2f})")


if __name__ == "__main__":
    main()
