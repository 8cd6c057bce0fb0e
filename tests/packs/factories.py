"""Plain data for agenda packs: a demo-like meeting, built without a database.

pack_data() is a realistic pack (invented names and figures); pass fields to replace any
part of it. Charts are drawn with the app's own drawing (taskforce/performance/charts.py),
once per run.
"""

from __future__ import annotations

import dataclasses
import io
from datetime import date, time, timedelta
from decimal import Decimal
from functools import lru_cache

import docx
from docx.oxml.ns import qn

from taskforce.packs.data import (
    ActionRow,
    AgendaItem,
    Apology,
    AssessmentGrid,
    Attendee,
    Benefit,
    Chart,
    Cover,
    DocxPaper,
    Indicator,
    MarkdownPaper,
    Milestone,
    PackData,
    Paper,
    PdfPaper,
    Risk,
    SeriesPoint,
)
from taskforce.performance import charts
from taskforce.performance.rag import rag, trend, variance_pct

MEETING_ON = date(2027, 3, 16)

MARKDOWN_PAPER = """\
# Apprenticeship starts: where we are

The meeting is asked to **agree** the revised plan for *employer-led* apprenticeship starts,
set out in [the delivery plan](https://www.example.gov.uk/plan).

## What has changed

1. Starts in the north-east rose by a fifth.
2. Two providers left the scheme:
    - one for quality reasons;
    - one for financial reasons.
3. The levy transfer pilot opens in April.

| Region | Starts | Trajectory |
|--------|-------:|-----------:|
| North East | 1,240 | 1,100 |
| London | 3,905 | 4,200 |

> Employers told us the paperwork takes too long.

## Recommendation

Agree the plan, and ask officials to report back at the next meeting.
"""


@lru_cache(maxsize=64)
def chart_png(name: str, periods: int = 12, seed: int = 0) -> bytes:
    """A real trajectory chart for an invented indicator."""
    points = _points(periods, seed)
    drawing = {
        "style": charts.CHART_STYLE,
        "format": "png",
        "name": name,
        "unit": "people",
        "direction": "up",
        "points": [
            [p.label, float(p.trajectory) if p.trajectory is not None else None,
             float(p.actual) if p.actual is not None else None, p.rag]
            for p in points
        ],
    }  # fmt: skip
    return charts.draw(drawing)


def _points(periods: int, seed: int) -> tuple[SeriesPoint, ...]:
    points = []
    previous = None
    for m in range(periods):
        year, month = 2025 + (m + 3) // 12, (m + 3) % 12 + 1
        planned = Decimal(1000 + 25 * m)
        actual = Decimal(990 + 23 * m + (seed * 7) % 40) if m < periods * 2 // 3 else None
        points.append(
            SeriesPoint(
                label=date(year, month, 1).strftime("%b %Y"),
                trajectory=planned,
                actual=actual,
                rag=rag(actual, planned, "up", Decimal(5)),
                trend=trend(actual, previous, "up"),
                variance_pct=None if actual is None else round(variance_pct(actual, planned), 1),
            )
        )
        previous = actual if actual is not None else previous
    return tuple(points)


def indicator(name: str, seed: int = 0, periods: int = 12, with_chart: bool = True) -> Indicator:
    points = _points(periods, seed)
    chart = None
    if with_chart:
        chart = Chart(
            png=chart_png(name, periods, seed),
            description=(
                f"{name}, monthly, {points[0].label} to {points[-1].label}. The trajectory "
                f"rises to a target of {points[-1].trajectory:,} people; the latest actual "
                "is below it."
            ),
        )
    return Indicator(
        name=name,
        unit="people",
        frequency="monthly",
        priority="Young people earning or learning",
        series=points,
        chart=chart,
    )


def docx_paper(title: str = "Employer survey: first results", paragraphs: int = 3) -> bytes:
    """An uploaded Word paper: a heading, paragraphs, a bulleted list and a table whose
    header row is marked."""
    document = docx.Document()
    document.add_heading(title, 1)
    for n in range(paragraphs):
        document.add_paragraph(f"Survey finding {n + 1}: employers value short courses.")
    document.add_heading("Method", 2)
    document.add_paragraph("Telephone interviews with 400 employers.", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells + table.rows[1].cells, ["Sector", "Share", "Retail", "31%"], strict=True
    ):
        cell.text = text
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(tr_pr.makeelement(qn("w:tblHeader"), {}))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_paper(pages: int = 2, text: str = "Financial annex") -> bytes:
    """A small PDF of so many pages (drawn with matplotlib, which the app has already)."""
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    out = io.BytesIO()
    with PdfPages(out) as pdf:
        for n in range(pages):
            figure = Figure(figsize=(8.27, 11.69))
            figure.text(0.1, 0.9, f"{text}: page {n + 1}", fontsize=20)
            pdf.savefig(figure)
    return out.getvalue()


def action(n: int, *, overdue: int | None = None, status: str = "open", meeting: int = 3):
    return ActionRow(
        reference=f"SJ-{meeting}/{n}",
        description=f"Write to the sector councils about placement number {n}.",
        owner=f"Alex Example {n}",
        organisation="Department for Skills",
        due_on=MEETING_ON - timedelta(days=overdue or -14),
        status=status,
        latest_update="Draft letter with the minister's office." if n % 2 else "",
        days_overdue=overdue,
    )


def pack_data(**fields) -> PackData:
    """A demo-like pack for meeting 4 of an invented task force; fields replace parts."""
    cover = Cover(
        taskforce="Skills and Jobs Task Force",
        meeting_number=4,
        meeting_title="Spring stocktake",
        meeting_on=MEETING_ON,
        starts_at=time(10),
        ends_at=time(11, 30),
        place="Room 2.14, 1 Example Street, London",
        version=2,
        issued_on=date(2027, 3, 9),
        marking="OFFICIAL-SENSITIVE",
        changes_since=1,
        changes=("Item 3 retimed to 10:40am", "Paper SJ-4/3 replaced"),
    )
    data = PackData(
        cover=cover,
        attendees=(
            Attendee(
                "Priya Placeholder",
                "Minister for Skills",
                "Department for Skills",
                "minister",
                is_chair=True,
            ),
            Attendee(
                "Morgan Sample",
                "Minister of State for Employment",
                "Department for Work",
                "minister",
            ),
            Attendee(
                "Jordan Test", "Director, Apprenticeships", "Department for Skills", "official"
            ),
            Attendee("Casey Demo", "Deputy Director, Labour Markets", "HM Treasury", "official"),
            Attendee("Robin Invented", "Head of Secretariat", "Implementation Unit", "secretariat"),
            Attendee("Sam Fictional", "Chief Executive", "Example Employers' Forum", "other"),
        ),
        apologies=(
            Apology(
                "Taylor Madeup",
                "Director, Youth Employment",
                "Department for Work",
                deputy="Lee Standin, Deputy Director, Youth Employment",
            ),
        ),
        items=(
            AgendaItem(
                1,
                "Welcome, apologies and minutes of the last meeting",
                time(10),
                "Chair",
                "information",
            ),
            AgendaItem(
                2,
                "Actions and performance",
                time(10, 10),
                "Implementation Unit",
                "discussion",
                "SJ-4/2",
                30,
            ),
            AgendaItem(
                3,
                "Apprenticeship starts: revised plan",
                time(10, 40),
                "Jordan Test",
                "decision",
                "SJ-4/3",
                30,
            ),
            AgendaItem(
                4, "Employer survey", time(11, 10), "Casey Demo", "discussion", "SJ-4/4", 15
            ),
            AgendaItem(5, "Funding annex", time(11, 25), "Casey Demo", "information", "SJ-4/5", 5),
        ),
        last_meeting="Meeting 3 on 26 January 2027",
        last_meeting_actions=(
            action(1, status="complete"),
            action(2, overdue=5),
            action(3, status="in_progress"),
        ),
        outstanding_actions=(
            action(7, meeting=2),
            action(2, overdue=5),
            action(4, overdue=40, meeting=1),
            action(9, meeting=0, status="in_progress"),
        ),
        indicators=(
            indicator("Apprenticeship starts", seed=1),
            indicator("Young people not in education or work", seed=2),
            indicator("Employers offering placements", seed=3),
        ),
        assessments=AssessmentGrid(
            dates=(date(2026, 7, 1), date(2026, 12, 1), date(2027, 3, 1)),
            rows=(
                ("Young people earning or learning", ("AR", "AG", "AG")),
                ("New jobs in growth sectors", ("R", "AR", "G")),
                ("Apprenticeships", (None, "AG", "R")),
            ),
        ),
        risks=(
            Risk(
                "R01",
                "Providers leave the scheme faster than new ones join.",
                "High",
                "High",
                "red",
                "Fewer starts in rural areas.",
                "Recruit providers early.",
                "Jordan Test",
                date(2027, 4, 1),
                "rising",
            ),
            Risk(
                "R02",
                "Employers find the paperwork too heavy.",
                "Medium",
                "Medium",
                "amber",
                "Slower take-up.",
                "Simplify the forms.",
                "Casey Demo",
                date(2027, 5, 1),
                "steady",
            ),
            Risk(
                "R03",
                "Data arrives late from one region.",
                "Low",
                "Medium",
                "green",
                "Dashboard a month behind.",
                "Agree a data-sharing deadline.",
                "Robin Invented",
                None,
                "falling",
            ),
        ),
        benefits=(
            Benefit(
                "More young people in work",
                "Share of 16 to 24s in work or learning",
                "84%",
                "90%",
                "86%",
                "Jordan Test",
            ),
        ),
        milestones=(
            Milestone(
                "Levy transfer pilot opens",
                date(2027, 4, 30),
                date(2027, 2, 1),
                "on_track",
                "Casey Demo",
            ),
            Milestone("Provider recruitment round", date(2027, 6, 30), None, "at_risk"),
        ),
        papers=(
            Paper(
                2,
                "SJ-4/2",
                "Actions and performance",
                MarkdownPaper(
                    "The performance pack above shows the latest data.\n\nNo decision is needed."
                ),
                "Robin Invented",
            ),
            Paper(
                3,
                "SJ-4/3",
                "Apprenticeship starts: revised plan",
                MarkdownPaper(MARKDOWN_PAPER),
                "Jordan Test",
            ),
            Paper(
                4,
                "SJ-4/4",
                "Employer survey",
                DocxPaper("employer-survey.docx", docx_paper()),
                "Casey Demo",
            ),
            Paper(
                5,
                "SJ-4/5",
                "Funding annex",
                PdfPaper("funding-annex.pdf", 2, pdf_paper(2)),
                "Casey Demo",
            ),
        ),
    )
    return dataclasses.replace(data, **fields)


def cover(**fields) -> Cover:
    return dataclasses.replace(pack_data().cover, **fields)
