"""The home page says what to do next, for each role: the secretariat's task forces and their
cycles, actions and mail; members' and chairs' next meetings and own actions."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from html import unescape

import pytest
from sqlalchemy import event, update

from taskforce.actions import services as action_services
from taskforce.clock import today
from taskforce.extensions import db
from taskforce.mail import OutboxMessage
from taskforce.meetings import services as meeting_services
from taskforce.meetings import steps, workdays
from tests.conftest import CLI, NIA, SAM, login, member


@contextmanager
def count_queries():
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _at_ten(day) -> datetime:
    return datetime.combine(day, time(10, 0))


#: The next meeting: about a month ahead, so its first milestones are still to come.
def next_meeting_day():
    return workdays.next_working_day(today() + timedelta(days=30))


def cycle(make_meeting, taskforce=None):
    """A meeting held 20 days ago (attendance recorded) and the next one a month ahead."""
    held = make_meeting(taskforce, start=_at_ten(today() - timedelta(days=20)), record_history=True)
    first = held.taskforce.members[0]
    meeting_services.record_attendance(held, [{"member_id": first.id, "status": "attended"}], CLI)
    db.session.commit()
    upcoming = make_meeting(taskforce, start=_at_ten(next_meeting_day()))
    return held, upcoming


def complete(action):
    action_services.update_action(action, {"status": "complete"}, CLI)
    db.session.commit()


def card(html: str, code: str) -> str:
    """The secretariat's card for one task force."""
    start = html.index(f'id="cycle-{code}"')
    end = html.find('class="govuk-summary-card"', start)
    return html[start : end if end != -1 else len(html)]


def link_to(html: str, text: str) -> str:
    """The address of the link whose text starts with `text`."""
    match = re.search(r'<a class="govuk-link" href="([^"]+)">\s*' + re.escape(text), html)
    assert match, f"no link reading {text!r}"
    return unescape(match.group(1))


# --- The secretariat ---------------------------------------------------------------------


def test_secretariat_sees_each_task_forces_next_meeting_and_next_step(web, tf, make_meeting):
    _held, upcoming = cycle(make_meeting)
    html = web.get("/").get_data(as_text=True)
    mine = card(html, "SW")
    assert f'href="/meetings/{upcoming.id}">Meeting 2</a>' in mine
    assert "Invites not sent" in mine
    due = workdays.add_working_days(next_meeting_day(), -15)
    days = workdays.working_days_between(today(), due)
    assert f'#step-commission_papers">Commission papers</a>, {due:%A %-d %B}' in mine
    assert f"Due in {days} working day" in mine


def test_secretariat_sees_late_steps_by_meeting_each_count_linking_to_its_cycle(
    web, tf, make_meeting
):
    held, _upcoming = cycle(make_meeting)
    mine = card(web.get("/").get_data(as_text=True), "SW")
    assert link_to(mine, "Meeting 1: 2 steps late") == f"/meetings/{held.id}#cycle"
    assert "Draft minutes to the chair: late by" in mine
    assert "Minutes and actions circulated: late by" in mine
    # Steps before a meeting held are past doing: not counted as late.
    assert "Commission papers: late" not in mine


def test_secretariat_counts_overdue_actions_and_those_to_close_with_links_to_them(
    web, tf, make_action, make_meeting
):
    make_action(SAM, today() - timedelta(days=3), description="Late one")
    make_action(SAM, today() - timedelta(days=1), description="Another late one")
    make_action(SAM, today() + timedelta(days=5), description="Not due yet")
    complete(make_action(NIA, today() - timedelta(days=9), description="Done by its owner"))
    mine = card(web.get("/").get_data(as_text=True), "SW")
    overdue = web.get(link_to(mine, "2 overdue")).get_data(as_text=True)
    assert "2 actions" in overdue and "Late one" in overdue and "Not due yet" not in overdue
    to_close = web.get(link_to(mine, "1 marked complete")).get_data(as_text=True)
    assert "1 action" in to_close and "Done by its owner" in to_close


def test_secretariat_sees_mail_waiting_and_failed_linking_to_the_outbox(
    web, tf, make_meeting, smtp, no_csrf
):
    _held, upcoming = cycle(make_meeting)
    smtp.stop()
    assert web.post(f"/meetings/{upcoming.id}/invites").status_code == 302
    first = db.session.query(OutboxMessage).order_by(OutboxMessage.id).first()
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == first.id).values(status="failed")
    )
    db.session.commit()
    html = web.get("/").get_data(as_text=True)
    assert link_to(html, "2 waiting to be sent") == "/outbox"
    assert link_to(html, "1 failed") == "/outbox"
    outbox = web.get("/outbox").get_data(as_text=True)
    assert "Waiting (2)" in outbox and "Failed (1)" in outbox


def test_secretariat_sees_nothing_late_or_waiting_when_all_is_well(web, tf):
    html = web.get("/").get_data(as_text=True)
    mine = card(html, "SW")
    assert "None scheduled." in mine and "Schedule meetings" in mine
    assert "Nothing late." in mine and "None overdue or waiting to be closed." in mine
    assert "Nothing waiting to be sent." in html
    assert "Your actions" not in html  # they own none


def test_secretariat_sees_only_the_task_forces_it_serves(
    web, tf, make_taskforce, make_user, make_meeting, make_action
):
    other = make_taskforce(
        by=make_user("secretariat"),
        name="Housing Task Force",
        code="HO",
        members=[member("Ira Bell", "ira@example.gov.uk")],
    )
    cycle(make_meeting, other)
    make_action(SAM, today() - timedelta(days=2), taskforce=other)
    html = web.get("/").get_data(as_text=True)
    assert 'id="cycle-SW"' in html and 'id="cycle-HO"' not in html
    assert "Housing Task Force" not in html


# --- Admins --------------------------------------------------------------------------------


def test_admin_sees_every_task_force_and_all_mail(
    app, client, tf, make_taskforce, make_user, make_meeting, smtp, no_csrf
):
    housing = make_user("secretariat")
    other = make_taskforce(
        by=housing,
        name="Housing Task Force",
        code="HO",
        members=[member("Ira Bell", "ira@example.gov.uk")],
    )
    _held, upcoming = cycle(make_meeting, other)
    smtp.stop()
    login(app.test_client(), housing).post(f"/meetings/{upcoming.id}/invites")
    html = login(client, make_user("admin")).get("/").get_data(as_text=True)
    assert "What is next for every task force" in html
    assert 'id="cycle-SW"' in html and 'id="cycle-HO"' in html
    assert "Meeting 1: 2 steps late" in card(html, "HO")
    assert link_to(html, "1 waiting to be sent") == "/outbox"
    assert "All task forces" in html


# --- Members and chairs --------------------------------------------------------------------


def test_member_sees_their_next_meetings_and_own_actions_with_links(
    client, tf, make_user, make_meeting, make_action, make_taskforce
):
    _held, upcoming = cycle(make_meeting)
    elsewhere = make_taskforce(name="Housing Task Force", code="HO")
    make_meeting(elsewhere, start=_at_ten(next_meeting_day()))  # not Sam's
    make_action(SAM, today() - timedelta(days=4), description="Send the regional figures")
    make_action(SAM, today() + timedelta(days=10), description="Brief the minister")
    make_action(NIA, today() + timedelta(days=10), description="Not Sam's")
    sam = login(client, make_user("member", email=SAM))
    html = sam.get("/").get_data(as_text=True)
    assert f'href="/meetings/{upcoming.id}">Skills and Work Task Force, meeting 2</a>' in html
    assert "Housing Task Force" not in html
    assert "Send the regional figures" in html and "Not Sam&#39;s" not in html
    open_list = sam.get(link_to(html, "2 open actions")).get_data(as_text=True)
    assert "2 actions" in open_list and "Brief the minister" in open_list
    overdue = sam.get(link_to(html, "1 of them overdue")).get_data(as_text=True)
    assert "1 action" in overdue and "Send the regional figures" in overdue
    # What only the secretariat sees.
    assert 'id="mail"' not in html and "govuk-summary-card" not in html
    assert "Awaiting your approval" not in html


def test_member_with_nothing_to_do_is_told_so(client, tf, make_user):
    html = login(client, make_user("member", email=SAM)).get("/").get_data(as_text=True)
    assert "None of your task forces has a meeting scheduled." in html
    assert "You have no open actions." in html


def test_chair_sees_next_meetings_and_own_actions_and_no_empty_approvals(
    client, tf, make_user, make_meeting, make_action
):
    _held, upcoming = cycle(make_meeting)
    make_action(NIA, today() + timedelta(days=10), description="Write to the mayors")
    html = login(client, make_user("chair", email=NIA)).get("/").get_data(as_text=True)
    assert f'href="/meetings/{upcoming.id}">Skills and Work Task Force, meeting 2</a>' in html
    assert "Write to the mayors" in html and "1 open action" in html
    # Nothing awaits a chair's approval until a domain says so: no empty promise.
    assert "Awaiting your approval" not in html


@pytest.fixture
def registry(monkeypatch):
    # The test stands in for the agenda domain's own source of this step.
    monkeypatch.setattr(
        steps, "_SOURCES", {k: v for k, v in steps._SOURCES.items() if k != "agenda_agreed"}
    )


def test_chair_sees_what_a_domain_says_awaits_their_approval(
    registry, client, tf, make_user, make_meeting
):
    _held, upcoming = cycle(make_meeting)
    steps.register(
        "agenda_agreed",
        progress=lambda meetings: {
            m.id: steps.Progress(summary="Draft agenda sent", awaits_chair=True) for m in meetings
        },
    )
    html = login(client, make_user("chair", email=NIA)).get("/").get_data(as_text=True)
    assert "Awaiting your approval" in html
    assert link_to(html, "Agenda agreed with the chair: Skills and Work Task Force, meeting 2") == (
        f"/meetings/{upcoming.id}#step-agenda_agreed"
    )
    # A member who is not the chair is not asked.
    other = login(client.application.test_client(), make_user("member", email=SAM))
    assert "Awaiting your approval" not in other.get("/").get_data(as_text=True)


def test_a_domains_word_on_a_late_step_reaches_the_secretariats_home_page(
    registry, web, tf, make_meeting
):
    held, _upcoming = cycle(make_meeting)
    steps.register(
        "minutes_circulated",
        progress=lambda meetings: {held.id: steps.Progress(summary="Waiting for the chair")},
    )
    mine = card(web.get("/").get_data(as_text=True), "SW")
    assert "Minutes and actions circulated: late by" in mine
    assert "(Waiting for the chair)" in mine


# --- Cost ------------------------------------------------------------------------------------


def test_home_page_costs_the_same_queries_for_one_task_force_as_for_five(
    web, secretariat, tf, make_taskforce, make_meeting, make_action, smtp
):
    def busy(taskforce):
        held, _upcoming = cycle(make_meeting, taskforce)
        make_action(SAM, today() - timedelta(days=3), taskforce=taskforce, meeting=held)
        complete(make_action(SAM, today() + timedelta(days=3), taskforce=taskforce))

    busy(tf)
    with count_queries() as one:
        assert web.get("/").status_code == 200
    for n in range(4):
        busy(
            make_taskforce(
                by=secretariat,
                code=f"Q{'ABCD'[n]}",
                members=[member("Sam Patel", SAM), member("Nia Roberts", NIA, "minister")],
            )
        )
    with count_queries() as five:
        html = web.get("/").get_data(as_text=True)
    assert html.count('class="govuk-summary-card"') == 5
    assert len(five) == len(one), (len(one), len(five))


def test_a_chairs_home_page_costs_the_same_queries_for_one_task_force_as_for_five(
    client, tf, make_user, make_taskforce, make_meeting, make_action
):
    chair = login(client, make_user("chair", email=NIA))

    def busy(taskforce):
        cycle(make_meeting, taskforce)
        make_action(NIA, today() - timedelta(days=3), taskforce=taskforce)

    busy(tf)
    with count_queries() as one:
        assert chair.get("/").status_code == 200
    for n in range(4):
        busy(make_taskforce(code=f"Q{'ABCD'[n]}", members=[member("Nia", NIA, is_chair=True)]))
    with count_queries() as five:
        html = chair.get("/").get_data(as_text=True)
    assert "5 open actions" in html and html.count("meeting 2</a>") == 5
    assert len(five) == len(one), (len(one), len(five))
