"""Benchmark: a big agenda pack, cold, warm and as bare python-docx.

    .venv/bin/python bench/pack.py [--repeat N]

The pack: 30 agenda items, 200 actions, 24 indicators of 24 monthly periods each (a chart
each), 10 Markdown papers (headings, lists, links, a 20-row table) and 3 uploaded Word
papers merged in, plus the registers. Three ways:

- cold: the 24 charts drawn as PNG (taskforce/performance/charts.py's draw, as the pack's
  gatherer would on a cache miss), then build_pack;
- warm: the chart PNGs already drawn (the chart cache), build_pack alone;
- bare: python-docx's ordinary API writing the same text, tables and pictures, with no
  styles, contents, Markdown rendering, merging or checks (the papers' text as plain
  paragraphs, the Word papers' body elements copied as they are).

The Markdown cache is emptied before each run, so rendering the papers is counted. Each
figure is the best of --repeat runs (default 3), in CPU seconds (steadier on a shared
machine) with wall-clock seconds beside. Peak memory is measured in a fresh process: its
resident size before one warm build and its peak during it (Linux's VmHWM, reset first),
and the Python objects tracemalloc saw.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import io
import multiprocessing
import sys
import time
import tracemalloc
from datetime import date
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path

# Run as a script, this file's folder comes first on the path, and bench/markdown.py would
# stand in for Python-Markdown: take the folder off (as bench/markdown.py does).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import docx  # noqa: E402
from docx.shared import Cm  # noqa: E402

from taskforce import markdown as app_markdown  # noqa: E402
from taskforce.packs.data import (  # noqa: E402
    AgendaItem,
    Chart,
    DocxPaper,
    MarkdownPaper,
    Paper,
    SeriesPoint,
)
from taskforce.packs.document import build_pack  # noqa: E402
from taskforce.performance import charts  # noqa: E402
from tests.packs.factories import action, docx_paper, pack_data  # noqa: E402

ITEMS, ACTIONS, INDICATORS, PERIODS, MARKDOWN_PAPERS, WORD_PAPERS = 30, 200, 24, 24, 10, 3


def markdown_paper(n: int) -> str:
    rows = "\n".join(f"| Region {r} | {1000 + 37 * r + n} | {1100 + 30 * r} |" for r in range(20))
    return (
        f"# Paper {n}: where we are\n\nThe meeting is asked to **agree** the plan for "
        f"*area {n}*, set out in [the delivery plan](https://www.example.gov.uk/plan/{n}).\n\n"
        + "\n\n".join(
            f"## Part {k}\n\nParagraph {k} of paper {n}: employers, providers and councils "
            "have each reported progress since the last meeting, and the figures below show "
            "the latest position against the trajectory agreed in the spring.\n\n"
            "1. First point\n2. Second point\n    - a detail\n    - another detail\n"
            for k in range(6)
        )
        + f"\n\n| Region | Starts | Trajectory |\n|---|---:|---:|\n{rows}\n"
    )


def series(seed: int) -> tuple[SeriesPoint, ...]:
    points = []
    for m in range(PERIODS):
        planned = Decimal(1000 + 25 * m)
        actual = Decimal(990 + 23 * m + seed) if m < 16 else None
        points.append(
            SeriesPoint(
                label=date(2025 + m // 12, m % 12 + 1, 1).strftime("%b %Y"),
                trajectory=planned,
                actual=actual,
                rag=None if actual is None else ("green" if actual >= planned else "amber"),
                trend=None if m == 0 or actual is None else "improving",
                variance_pct=None
                if actual is None
                else round((actual - planned) * 100 / planned, 1),
            )
        )
    return tuple(points)


def drawing(name: str, points) -> dict:
    return {
        "style": charts.CHART_STYLE,
        "format": "png",
        "name": name,
        "unit": "people",
        "direction": "up",
        "points": [
            [p.label, float(p.trajectory), None if p.actual is None else float(p.actual), p.rag]
            for p in points
        ],
    }


def big_pack(pngs: list[bytes] | None):
    """The benchmark's pack; with pngs None, its charts are drawn here (cold)."""
    base = pack_data()
    indicators = []
    for n in range(INDICATORS):
        points = series(n)
        name = f"Indicator {n + 1}: people helped into work in region {n + 1}"
        png = charts.draw(drawing(name, points)) if pngs is None else pngs[n]
        indicators.append(
            dataclasses.replace(
                base.indicators[0],
                name=name,
                series=points,
                chart=Chart(png, f"{name}: trajectory against actual, {PERIODS} months."),
            )
        )
    items = tuple(
        AgendaItem(
            n, f"Agenda item {n}", clock_time(9 + n // 6, (n % 6) * 10), "A lead", "discussion",
            f"SJ-4/{n}",
        )
        for n in range(1, ITEMS + 1)
    )  # fmt: skip
    papers = [
        Paper(n, f"SJ-4/{n}", f"Paper {n}", MarkdownPaper(markdown_paper(n)), "A lead")
        for n in range(1, MARKDOWN_PAPERS + 1)
    ]
    papers += [
        Paper(n, f"SJ-4/{n}", f"Word paper {n}", DocxPaper(f"p{n}.docx", WORD[n % 3]), "A lead")
        for n in range(MARKDOWN_PAPERS + 1, MARKDOWN_PAPERS + WORD_PAPERS + 1)
    ]
    actions = tuple(action(n, overdue=n % 9 or None) for n in range(1, ACTIONS + 1))
    return dataclasses.replace(
        base,
        items=items,
        last_meeting_actions=actions[:30],
        outstanding_actions=actions[30:],
        indicators=tuple(indicators),
        papers=tuple(papers),
        risks=base.risks * 10,
    )


WORD = [docx_paper(f"Uploaded paper {n}", paragraphs=40) for n in range(3)]


def bare(data) -> bytes:
    """The same text, tables and pictures through python-docx's ordinary API, nothing more."""
    document = docx.Document()
    document.add_heading(data.cover.taskforce, 0)

    def table(headings, rows):
        t = document.add_table(rows=1, cols=len(headings))
        for cell, text in zip(t.rows[0].cells, headings, strict=True):
            cell.text = text
        for row in rows:
            for cell, text in zip(t.add_row().cells, row, strict=True):
                cell.text = str(text)

    document.add_heading("Agenda", 1)
    table(
        ["Item", "Time", "Title", "Lead", "Purpose", "Paper"],
        (
            [i.number, i.starts_at, i.title, i.lead, i.purpose, i.paper_reference]
            for i in data.items
        ),
    )
    for title, actions in (
        ("Actions from the last meeting", data.last_meeting_actions),
        ("Outstanding actions", data.outstanding_actions),
    ):
        document.add_heading(title, 1)
        table(
            ["Ref", "Action", "Owner", "Due", "Status", "Latest update"],
            (
                [a.reference, a.description, f"{a.owner}\n{a.organisation}", a.due_on, a.status,
                 a.latest_update]
                for a in actions
            ),
        )  # fmt: skip
    document.add_heading("Performance pack", 1)
    table(
        ["Indicator", "Period", "Actual", "Trajectory", "Variance", "RAG", "Trend"],
        (
            [i.name, i.latest.label, i.latest.actual, i.latest.trajectory,
             i.latest.variance_pct, i.latest.rag, i.latest.trend]
            for i in data.indicators
        ),
    )  # fmt: skip
    for indicator in data.indicators:
        document.add_heading(indicator.name, 3)
        document.add_picture(io.BytesIO(indicator.chart.png), width=Cm(16))
        document.add_paragraph(indicator.chart.description)
    document.add_heading("Papers", 1)
    for paper in data.papers:
        document.add_heading(paper.title, 2)
        if isinstance(paper.body, MarkdownPaper):
            for block in paper.body.text.split("\n\n"):
                document.add_paragraph(block)
        else:
            merged = docx.Document(io.BytesIO(paper.body.content))
            for element in merged.element.body:
                if not element.tag.endswith("sectPr"):
                    document.element.body.sectPr.addprevious(copy.deepcopy(element))
    document.add_section()
    document.add_heading("Annex", 1)
    for indicator in data.indicators:
        document.add_heading(indicator.name, 3)
        table(
            ["Period", "Trajectory", "Actual", "Variance", "RAG", "Trend"],
            ([p.label, p.trajectory, p.actual, p.variance_pct, p.rag, p.trend]
             for p in indicator.series),
        )  # fmt: skip
    table(
        ["Ref", "Risk", "Likelihood", "Impact", "Rating", "Mitigation", "Owner"],
        ([r.ref, r.description, r.likelihood, r.impact, r.rating, r.mitigation, r.owner]
         for r in data.risks),
    )  # fmt: skip
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def best(runs: int, work) -> tuple[float, float, object]:
    """The best CPU and wall-clock seconds of so many runs (the machine may be shared: CPU
    time is the steadier figure), and the last result."""
    cpu, wall, result = [], [], None
    for _ in range(runs):
        app_markdown._render.cache_clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        result = work()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return min(cpu), min(wall), result


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _measure_memory(pngs: list[bytes], queue) -> None:
    """In a fresh process: resident size before one warm build, and its peak during it."""
    data = big_pack(pngs)
    build_pack(pack_data(papers=()))  # a small pack: imports and first-use caches
    app_markdown._render.cache_clear()
    before = _status_mb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # Linux: start the peak (VmHWM) afresh
    build_pack(data)
    peak = _status_mb("VmHWM")
    tracemalloc.start()
    app_markdown._render.cache_clear()
    build_pack(data)
    traced = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    queue.put((before, peak, traced))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    charts.draw(drawing("warm-up", series(0)))  # matplotlib's imports and font cache
    build_pack(big_pack([charts.draw(drawing("w", series(0)))] * INDICATORS))  # imports

    cold, cold_wall, built = best(args.repeat, lambda: build_pack(big_pack(None)))
    pngs = [i.chart.png for i in big_pack(None).indicators]
    data = big_pack(pngs)
    warm, warm_wall, built = best(args.repeat, lambda: build_pack(data))
    plain, plain_wall, bare_bytes = best(args.repeat, lambda: bare(data))
    drawn, drawn_wall, _ = best(
        args.repeat, lambda: [charts.draw(drawing(str(n), series(n))) for n in range(INDICATORS)]
    )

    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_measure_memory, args=(pngs, queue))
    child.start()
    before, peak, traced = queue.get()
    child.join()

    print(
        f"Pack: {ITEMS} items, {ACTIONS} actions, {INDICATORS} indicators x {PERIODS} periods, "
        f"{MARKDOWN_PAPERS} Markdown and {WORD_PAPERS} Word papers; best of {args.repeat}, "
        "CPU seconds (wall clock in brackets)"
    )
    print(f"  cold (24 charts drawn, then built): {cold:6.2f} s  ({cold_wall:.2f})")
    print(f"    of which drawing the charts:      {drawn:6.2f} s  ({drawn_wall:.2f})")
    print(f"  warm (charts cached, built):        {warm:6.2f} s  ({warm_wall:.2f})")
    print(f"  bare python-docx, same content:     {plain:6.2f} s  ({plain_wall:.2f})")
    print(f"  ratio warm/bare:                    {warm / plain:6.2f}   (target at most 2)")
    print(
        f"  .docx size: {len(built.docx) / 1e6:.1f} MB (bare {len(bare_bytes) / 1e6:.1f} MB); "
        f"{len(built.warnings)} warnings"
    )
    print(
        f"  peak memory of a warm build, in a fresh process: resident {peak:.0f} MB, "
        f"{peak - before:+.0f} MB over the {before:.0f} MB before it (Python objects alone "
        f"{traced:.1f} MB, by tracemalloc, which does not see lxml's own memory)"
    )


if __name__ == "__main__":
    main()
