"""An invented task force, its people and users. Every name here is made up."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from taskforce.audit.services import Actor
from taskforce.auth.models import Role
from taskforce.auth.services import create_user, get_user_by_email
from taskforce.bodies import services
from taskforce.bodies.models import TaskForce
from taskforce.extensions import db
from taskforce.meetings.models import Meeting

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for the demo on purpose

PURPOSE = """\
Get more people into good, secure work and keep every young person earning or learning.

By the end of 2029 the task force aims for:

- **200,000 additional jobs** in the growth sectors named in the industrial strategy;
- **80,000 apprenticeship starts a year**, at least half of them for people under 25;
- an offer of a job, training place or education for every 18 to 21 year old within
  eight weeks of their claim.

The task force tracks the eight priorities below, unblocks problems across departments
and reports progress to the Prime Minister every quarter.
"""

PRIORITIES = [
    "Apprenticeship starts in priority sectors",
    "Youth guarantee: an offer within eight weeks for every 18 to 21 year old",
    "Work coach caseloads in Jobcentres",
    "Employer-led skills bootcamps",
    "Recruitment of further education teachers",
    "Careers advice in every secondary school",
    "Local skills improvement plans delivered",
    "Return-to-work support for people over 50",
]

MEMBERS = [
    (
        "Diane Okoro",
        "chair@example.gov.uk",
        "Minister for Delivery",
        "Cabinet Office",
        "minister",
        True,
    ),
    (
        "Graham Lowther",
        "graham.lowther@example.gov.uk",
        "Secretary of State for Work",
        "Department for Work",
        "minister",
        False,
    ),
    (
        "Sunita Brar",
        "sunita.brar@example.gov.uk",
        "Secretary of State for Learning",
        "Department for Learning",
        "minister",
        False,
    ),
    (
        "Owen Fairbairn",
        "owen.fairbairn@example.gov.uk",
        "Chief Secretary",
        "The Treasury",
        "minister",
        False,
    ),
    (
        "Carys Pennant",
        "carys.pennant@example.gov.uk",
        "Minister for Employment",
        "Department for Work",
        "minister",
        False,
    ),
    (
        "Marcus Adeyemi",
        "member@example.gov.uk",
        "Director General, Employment",
        "Department for Work",
        "official",
        False,
    ),
    (
        "Fiona Gallacher",
        "fiona.gallacher@example.gov.uk",
        "Director, Apprenticeships",
        "Department for Learning",
        "official",
        False,
    ),
    (
        "Tom Whitfield",
        "tom.whitfield@example.gov.uk",
        "Deputy Director, Labour Market Analysis",
        "The Treasury",
        "official",
        False,
    ),
    (
        "Priya Natarajan",
        "secretariat@example.gov.uk",
        "Head of Task Force Secretariat",
        "Implementation Unit",
        "secretariat",
        False,
    ),
    (
        "Ben Castell",
        "ben.castell@example.gov.uk",
        "Senior Delivery Adviser",
        "Implementation Unit",
        "secretariat",
        False,
    ),
]

USERS = [
    ("admin@example.gov.uk", "Alex Morgan", Role.ADMIN),
    ("secretariat@example.gov.uk", "Priya Natarajan", Role.SECRETARIAT),
    ("chair@example.gov.uk", "Diane Okoro", Role.CHAIR),
    ("member@example.gov.uk", "Marcus Adeyemi", Role.MEMBER),
]


def load_demo(only_if_empty: bool = False) -> TaskForce | None:
    """Create the demo users and task force; return it, or None if it was already there."""
    if only_if_empty and db.session.scalar(select(TaskForce.id).limit(1)) is not None:
        return None
    if db.session.scalar(select(TaskForce.id).where(TaskForce.code == "SW")) is not None:
        return None
    setup = Actor.system("cli", "demo loader")
    users = {}
    for email, name, role in USERS:
        users[email] = get_user_by_email(email) or create_user(
            email, name, role, setup, password=DEMO_PASSWORD
        )
    # Loaded by `flask demo load`: the history says so, in the secretariat's name.
    secretariat = Actor(user=users["secretariat@example.gov.uk"], via="cli")
    tf = services.create_taskforce(
        {
            "name": "Skills and Work Task Force",
            "code": "SW",
            "purpose": PURPOSE,
            "cadence_weeks": 6,
            "quorum": 4,
            "review_on": date(2027, 9, 30),
            "priorities": PRIORITIES,
            "members": [
                {
                    "name": n,
                    "email": e,
                    "role_title": t,
                    "organisation": o,
                    "group": g,
                    "is_chair": c,
                }
                for n, e, t, o, g, c in MEMBERS
            ],
        },
        secretariat,
    )
    # A second version, as when the chair re-agrees the ToR, so history has something to show.
    services.update_taskforce(tf, {"quorum": 5}, secretariat)
    held = _load_meetings(tf, secretariat)
    _load_actions(tf, held, secretariat)
    _load_performance(tf, secretariat)
    _load_registers(tf, secretariat)
    _load_agenda(held, secretariat)
    return tf


def _load_agenda(held: Meeting, secretariat: Actor) -> None:
    """The next meeting's agenda and papers (taskforce/agenda/demo.py), so its pack has
    every kind of paper in it."""
    from taskforce.agenda.demo import load_agenda_demo
    from taskforce.agenda.services import next_meeting

    upcoming = next_meeting(held)
    if upcoming is not None:
        load_agenda_demo(upcoming, secretariat)


#: Where the demo meetings are held (an invented address).
VENUE = "Committee Room 2, Riverside House"

#: Who came to the meeting already held: (member's email, status, deputy's name); the rest
#: of the members attended.
ATTENDANCE = [
    ("owen.fairbairn@example.gov.uk", "apologies", ""),
    ("sunita.brar@example.gov.uk", "deputy", "Lewis Marsh"),
    ("carys.pennant@example.gov.uk", "absent", ""),
]


def _load_meetings(tf: TaskForce, secretariat: Actor) -> Meeting:
    """Three meetings six weeks apart: one held about four weeks ago, the next in about two
    weeks (invites sent), and the one after. Return the one held."""
    from datetime import datetime, time, timedelta

    from flask import current_app

    from taskforce.clock import today
    from taskforce.meetings import emails
    from taskforce.meetings import services as meetings
    from taskforce.meetings.workdays import is_working_day

    cadence = timedelta(weeks=tf.cadence_weeks)
    # Two weeks ahead puts the next meeting's first milestones behind it and the papers
    # deadline and pack just ahead; all three meetings fall on working days.
    day = today() + timedelta(days=14)
    while not all(is_working_day(day + cadence * n) for n in (-1, 0, 1)):
        day += timedelta(days=1)
    held, upcoming, _after = meetings.schedule_meetings(
        tf,
        first_start=datetime.combine(day - cadence, time(10, 0)),
        count=3,
        duration_minutes=90,
        location=VENUE,
        actor=secretariat,
        record_history=True,
    )
    # Its invites went out before the service held its record: as history, without mail.
    held.invites_sent_at = held.start_at - cadence
    by_email = {m.email: m for m in tf.members}
    status = {email: (s, deputy) for email, s, deputy in ATTENDANCE}
    meetings.record_attendance(
        held,
        [
            {
                "member_id": member.id,
                "status": status.get(email, ("attended", ""))[0],
                "deputy_name": status.get(email, ("attended", ""))[1],
            }
            for email, member in by_email.items()
        ],
        secretariat,
    )
    # The invites carry links built by url_for, which needs a request to build them in.
    with current_app.test_request_context():
        emails.send_invites(upcoming)
    return held


#: (description, owner name, email, organisation, days from today it is due, status, comment)
ACTIONS = [
    (
        "Share the regional breakdown of apprenticeship starts with the Treasury",
        "Fiona Gallacher",
        "fiona.gallacher@example.gov.uk",
        "Department for Learning",
        -12,
        "in_progress",
        "Data agreed with analysts; awaiting sign-off",
    ),
    (
        "Set out options to cut work coach caseloads in the ten busiest Jobcentres",
        "Marcus Adeyemi",
        "member@example.gov.uk",
        "Department for Work",
        -4,
        "open",
        "",
    ),
    (
        "Write to mayoral authorities about local skills improvement plans",
        "Hamid Qureshi",
        "hamid.qureshi@example.org.uk",
        "Association of Combined Authorities",
        2,
        "open",
        "",
    ),
    (
        "Bring a costed proposal for the over-50s return-to-work pilot",
        "Tom Whitfield",
        "tom.whitfield@example.gov.uk",
        "The Treasury",
        9,
        "in_progress",
        "First cut of costings done",
    ),
    (
        "Agree the youth guarantee data-sharing agreement",
        "Marcus Adeyemi",
        "member@example.gov.uk",
        "Department for Work",
        16,
        "open",
        "",
    ),
    (
        "Publish the further education teacher recruitment campaign dates",
        "Fiona Gallacher",
        "fiona.gallacher@example.gov.uk",
        "Department for Learning",
        -9,
        "complete",
        "Campaign dates published on the department's site",
    ),
    (
        "Circulate the careers advice survey results to members",
        "Ben Castell",
        "ben.castell@example.gov.uk",
        "Implementation Unit",
        -14,
        "closed",
        "Circulated with the last pack",
    ),
    (
        "Write to the Prime Minister with the quarter's progress on the eight priorities",
        "Diane Okoro",
        "chair@example.gov.uk",
        "Cabinet Office",
        20,
        "open",
        "",
    ),
    (
        "Map employer demand for skills bootcamps in the North East",
        "Rhiannon Teague",
        "rhiannon.teague@example.org.uk",
        "North East Employers' Forum",
        30,
        "open",
        "",
    ),
]


def _load_actions(tf: TaskForce, meeting: Meeting, secretariat: Actor) -> None:
    """The actions the meeting already held allocated, some of them overdue by now."""
    from datetime import timedelta

    from taskforce.actions import services as actions
    from taskforce.meetings.workdays import next_working_day

    for description, name, email, organisation, due_in, status, comment in ACTIONS:
        action, _warnings = actions.create_action(
            tf,
            {
                "description": description,
                "owner_name": name,
                "owner_email": email,
                "owner_organisation": organisation,
                "due_date": next_working_day(actions.today() + timedelta(days=due_in)),
            },
            secretariat,
            meeting,
        )
        if status != "open":
            if status == "closed":
                actions.update_action(action, {"status": "complete"}, secretariat)
            actions.update_action(action, {"status": status, "comment": comment}, secretariat)


#: (name, unit, direction, tolerance, priority, trajectory start and monthly step, actuals)
INDICATORS = [
    (
        "Apprenticeship starts in priority sectors",
        "starts",
        "up",
        5,
        "Apprenticeship starts in priority sectors",
        (5200, 150),
        [5150, 5380, 5420, 5610, 5700, 5790, 5880, 5950],
    ),
    (
        "Average work coach caseload",
        "claimants",
        "down",
        5,
        "Work coach caseloads in Jobcentres",
        (135, -2),
        [136, 134, 133, 133, 131, 131, 130, 130],
    ),
    (
        "18 to 21 year olds with an offer within eight weeks",
        "%",
        "up",
        3,
        "Youth guarantee: an offer within eight weeks for every 18 to 21 year old",
        (62, 2),
        [61, 63, 65, 66, 66, 67, 69, 70],
    ),
]

ASSESSMENTS = {
    # assessed (months before the latest), then per priority: challenge, planning,
    # capacity, stage, likelihood
    14: [("H", "AR", "R", 1, "R"), ("H", "R", "AR", 1, "R"), ("M", "AG", "AG", 2, "AG")],
    7: [("H", "AG", "AR", 2, "AR"), ("H", "AR", "AR", 2, "AR"), ("M", "AG", "AG", 2, "AG")],
    1: [("H", "AG", "AG", 2, "AG"), ("H", "AG", "AR", 2, "AR"), ("M", "G", "AG", 3, "G")],
}

RISKS = [
    (
        "R01",
        "Colleges cannot recruit enough assessors for the new standards",
        "High",
        "High",
        "Apprenticeship starts slip by a quarter",
        "Share assessors between colleges; fast-track accreditation",
        "Fiona Gallacher",
    ),
    (
        "R02",
        "Employer demand falls if the economy slows",
        "Medium",
        "High",
        "Fewer vacancies for young people",
        "Keep the wage incentive under review",
        "Tom Whitfield",
    ),
    (
        "R03",
        "Jobcentre estate changes disrupt work coach rotas",
        "Medium",
        "Medium",
        "Caseloads rise in the affected districts",
        "Phase the moves; borrow coaches from neighbouring districts",
        "Marcus Adeyemi",
    ),
    (
        "R04",
        "Data-sharing agreement for the youth guarantee is delayed",
        "Low",
        "Medium",
        "Offers cannot be tracked within eight weeks",
        "Interim manual return from districts",
        "Ben Castell",
    ),
]


BENEFITS = [
    (
        "More young people in sustained work",
        "Young people in work six months after leaving the programme",
        "41%",
        "55% by March 2028",
        "47%",
        "Analysis and Insight",
    ),
    (
        "Employers fill skilled vacancies faster",
        "Median days to fill a vacancy in priority sectors",
        "64 days",
        "45 days",
        "58 days",
        "Employer Engagement",
    ),
]

#: (activity, starts this many days from today or None, ends in days, status, owner)
MILESTONES = [
    ("Regional delivery partners contracted", -120, -30, "complete", "Commercial"),
    ("Assessor bursary scheme opens", -45, 20, "on_track", "Skills Policy"),
    ("Work coach caseload pilot in two regions", -10, 75, "at_risk", "Operations"),
    ("Evaluation of the first year published", None, 160, "not_started", "Analysis and Insight"),
]

#: (decided this many days ago, text)
DECISIONS = [
    (90, "Agreed to fund assessor bursaries from the existing skills budget."),
    (40, "Agreed that regional leads report caseloads monthly from the next quarter."),
]


def _load_registers(tf: TaskForce, secretariat: Actor) -> None:
    from datetime import timedelta

    from taskforce.clock import today
    from taskforce.registers import services as registers

    for benefit, measure, baseline, target, realised, owner in BENEFITS:
        registers.add_entry(
            tf,
            "benefits",
            {
                "benefit": benefit,
                "measure": measure,
                "baseline": baseline,
                "target": target,
                "realised": realised,
                "owner": owner,
            },
            secretariat,
        )
    for activity, starts, ends, status, owner in MILESTONES:
        registers.add_entry(
            tf,
            "milestones",
            {
                "activity": activity,
                "starts_on": today() + timedelta(days=starts) if starts is not None else None,
                "ends_on": today() + timedelta(days=ends),
                "status": status,
                "owner": owner,
            },
            secretariat,
        )
    for days_ago, text in DECISIONS:
        registers.add_entry(
            tf,
            "decisions",
            {"decided_on": today() - timedelta(days=days_ago), "text": text},
            secretariat,
        )
    # A risk that has run its course, and one whose rating has risen: both keep history.
    risks = {r.ref: r for r in registers.risks_of(tf)}
    registers.update_risk(risks["R03"], {"likelihood": "High", "trend": "rising"}, secretariat)
    registers.update_risk(
        risks["R04"],
        {"closed": True, "mitigation": "Agreement signed; the interim return has stopped."},
        secretariat,
    )


def _load_performance(tf: TaskForce, secretariat: Actor) -> None:
    from datetime import timedelta

    from taskforce.clock import today
    from taskforce.performance import assessments, periods
    from taskforce.performance import services as performance
    from taskforce.registers import services as registers

    this_month = periods.of_day(today(), "monthly")
    months = [this_month]
    for _ in range(11):
        months.insert(0, months[0].previous())
    # Trajectories start eight months ago, when the actuals below begin.
    start = months[-9]
    for name, unit, direction, tolerance, priority, (first, step), actuals in INDICATORS:
        trajectory = []
        period = start
        for n in range(18):
            trajectory.append({"period": str(period), "value": first + step * n})
            year, month = (
                (period.year, period.index + 1)
                if period.index < 12
                else (
                    period.year + 1,
                    1,
                )
            )
            period = periods.Period(year, month, "monthly")
        indicator = performance.create_indicator(
            tf,
            {
                "name": name,
                "unit": unit,
                "frequency": "monthly",
                "direction": direction,
                "tolerance_pct": tolerance,
                "source": "Monthly management information return",
                "owner": "Implementation Unit",
                "priority": priority,
                "trajectory": trajectory,
            },
            secretariat,
        )
        reported = months[-9:-1]  # eight months, up to last month
        performance.record_actuals(
            indicator,
            {str(p): value for p, value in zip(reported, actuals, strict=True)},
            secretariat,
        )
    titles = [p.title for p in tf.priorities]
    chosen = [titles[0], titles[1], titles[2]]
    for months_ago, ratings in ASSESSMENTS.items():
        on = today() - timedelta(days=30 * months_ago)
        for title, (challenge, planning, capacity, stage, likelihood) in zip(
            chosen, ratings, strict=True
        ):
            assessments.add_assessment(
                tf,
                {
                    "priority": title,
                    "assessed_on": on,
                    "degree_of_challenge": challenge,
                    "quality_of_planning": planning,
                    "capacity_to_drive_progress": capacity,
                    "stage_of_delivery": stage,
                    "likelihood_of_delivery": likelihood,
                    "rationale": "",
                },
                secretariat,
            )
    for ref, description, likelihood, impact, statement, mitigation, owner in RISKS:
        registers.add_risk(
            tf,
            {
                "ref": ref,
                "description": description,
                "likelihood": likelihood,
                "impact": impact,
                "impact_statement": statement,
                "mitigation": mitigation,
                "owner": owner,
                "review_on": today() + timedelta(days=42),
            },
            secretariat,
        )
