"""A realistic agenda for the demo task force's next meeting. Every name here is made up.

`load_agenda_demo(meeting, actor)` fills a meeting whose agenda holds the standing items:
two papers written here in Markdown, one uploaded Word document (made here with
python-docx), one commissioned paper that is late (its lead's link issued, no email sent)
and one restricted item whose paper only the chair and one minister may see.
"""

from __future__ import annotations

import io
from datetime import timedelta

from taskforce.agenda import services
from taskforce.agenda.lead_links import issue_link
from taskforce.agenda.models import AgendaItem
from taskforce.audit.services import Actor
from taskforce.clock import today
from taskforce.db import utcnow
from taskforce.meetings.models import Meeting
from taskforce.meetings.workdays import add_working_days

REGIONAL_PAPER = """\
## Purpose

To update the task force on apprenticeship starts in the priority sectors, region by
region, and to discuss where progress is slowest.

## Summary

- Starts are **3% behind** the trajectory nationally, but the gap is concentrated in two
  regions, where employers report a shortage of assessors.
- Construction and digital are ahead of plan; health and social care is furthest behind.
- Levy transfers from large employers to small ones rose by a fifth since the last meeting.

| Region | Starts this quarter | Trajectory | Variance |
|---|---:|---:|---:|
| North East | 1,240 | 1,300 | -4.6% |
| Yorkshire and the Humber | 2,010 | 1,950 | +3.1% |
| South West | 1,480 | 1,620 | -8.6% |

## For discussion

1. Should the assessor shortage be raised with the regulator before the next quarter?
2. Would a regional levy-transfer campaign close the gap in the South West?
"""

YOUTH_PAPER = """\
## Decision sought

The task force is asked to **agree option B**: an offer within eight weeks for every
18 to 21 year old, delivered through work coaches, with a training place as the default
where no job is available.

## Options

- **Option A**: a job offer only. Cheapest, but leaves a third of claimants without an offer
  in areas with few vacancies.
- **Option B**: a job, training place or education offer, chosen with the work coach.
- **Option C**: option B plus a guaranteed paid placement after six months.

## Costs

Option B costs about £38 million a year at current caseloads; option C about £95 million.
"""

RESTRICTED_PAPER = """\
## Handling

This paper is **OFFICIAL-SENSITIVE: COMMERCIAL**. It goes to the chair and the Secretary
of State for Learning only and must not be forwarded.

## Position

A large training provider has told the department that it may leave the market at the end
of the academic year. About 4,000 apprentices are with it. Contingency options are set out
below for the chair's view before any announcement.
"""


def _evaluation_docx() -> tuple[bytes, str]:
    import docx

    document = docx.Document()
    document.add_heading("Skills bootcamps: interim evaluation", level=1)
    document.add_paragraph(
        "This paper summarises the interim evaluation of employer-led skills bootcamps in "
        "the first twelve months of the programme."
    )
    document.add_heading("Findings", level=2)
    for finding in (
        "Two thirds of completers moved into a new job or a new role with their employer.",
        "Completion was lowest among learners studying part time alongside a job.",
        "Employers valued short courses designed with them over generic provision.",
    ):
        document.add_paragraph(finding, style="List Bullet")
    document.add_heading("Recommendation", level=2)
    document.add_paragraph(
        "Extend the programme for a further year, with a stronger offer for part-time learners."
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), "Bootcamps interim evaluation.docx"


def load_agenda_demo(meeting: Meeting, actor: Actor) -> list[AgendaItem]:
    """Add the demo's items and papers to a meeting's agenda; return the items added."""
    tf = meeting.taskforce
    chair = tf.chair
    learning = next((m for m in tf.members if "Learning" in m.role_title), None)
    work = next((m for m in tf.members if m.role_title.endswith("for Work")), None)
    specs = [
        {
            "title": "Apprenticeship starts: regional variation",
            "lead_member_id": learning.id if learning else None,
            "lead_name": "" if learning else "Director of Apprenticeships",
            "purpose": "discussion",
            "duration_minutes": 15,
            "paper": REGIONAL_PAPER,
        },
        {
            "title": "Youth guarantee: the eight-week offer",
            "lead_member_id": work.id if work else None,
            "lead_name": "" if work else "Director of Employment",
            "purpose": "decision",
            "duration_minutes": 20,
            "paper": YOUTH_PAPER,
        },
        {
            "title": "Skills bootcamps: interim evaluation",
            "lead_name": "Head of Skills Evaluation",
            "purpose": "information",
            "duration_minutes": 5,
        },
        {
            "title": "Further education teacher recruitment",
            "lead_name": "Director of Further Education",
            "purpose": "discussion",
            "duration_minutes": 5,
            "paper_lead_email": "fe.workforce@example.gov.uk",
        },
        {
            "title": "Provider market exit: commercial position",
            "lead_name": "Director of Provider Markets",
            "purpose": "decision",
            "duration_minutes": 5,
            "paper": RESTRICTED_PAPER,
            "restricted": True,
            "restricted_to": [m.id for m in (chair, learning) if m is not None],
        },
    ]
    added = []
    # One at a time, each paper in place before the next, so references follow the agenda.
    for spec in specs:
        item = services.add_item(meeting, spec, actor)
        added.append(item)
        if spec["title"].startswith("Skills bootcamps"):
            content, filename = _evaluation_docx()
            services.upload_paper(item, content, filename, actor, max_bytes=len(content))
        elif "paper_lead_email" in spec:
            _late_commission(item, actor)
    # Any other business stays last.
    items = services.items_of(meeting)
    aob = [i for i in items if i.is_standing and "other business" in i.title.lower()]
    others = [i for i in items if i not in aob]
    services.reorder(meeting, [i.id for i in others + aob], actor)
    return added


def _late_commission(item: AgendaItem, actor: Actor) -> None:
    """Commissioned weeks ago, due two working days ago, nothing received: late. The demo
    sends no email; the lead's link is issued as the request would have."""
    paper = services.ensure_paper(item)
    paper.commissioned_at = utcnow() - timedelta(days=21)
    paper.commissioned_by = actor.label
    paper.due_on = add_working_days(today(), -2)
    issue_link(paper)
