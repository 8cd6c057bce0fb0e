"""A newcomer's first ten minutes on the embedded default, in Chromium, end to end.

The demo data as `scripts/serve` loads it, no mail server (mail is kept in the Outbox), and the
real scheduler running beside the web server in this process: sign in, send invites, read one
in the Outbox, follow its apologies link, allocate an overdue action, see the running
scheduler chase it, follow the owner's link from the chase and update the action.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from taskforce import clock
from taskforce.actions.models import Action
from taskforce.demo.data import DEMO_PASSWORD, load_demo
from taskforce.extensions import db
from taskforce.mail import OutboxMessage
from taskforce.meetings.models import Meeting
from taskforce.meetings.workdays import is_working_day
from taskforce.scheduler import build_scheduler
from tests.browser.conftest import close_quietly

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app: Flask, live_server: str, monkeypatch) -> Iterator[None]:
    """The demo data, links pointing at the live server, and a working day to chase on
    (chasing runs on working days only: on a weekend or bank holiday the service's day is
    the working day before, as if the newcomer had come then)."""
    day = clock.today()
    while not is_working_day(day):
        day -= timedelta(days=1)
    if day != clock.today():
        monkeypatch.setattr(clock, "today", lambda: day)
    monkeypatch.setitem(app.config, "BASE_URL", live_server)
    monkeypatch.setitem(app.config, "SMTP_HOST", "")
    load_demo()
    db.session.commit()
    yield


@pytest.fixture
def scheduler(app: Flask, demo) -> Iterator:
    """`flask scheduler run`'s scheduler, running in a thread as it runs beside the web."""
    running = build_scheduler(app)
    thread = threading.Thread(target=running.start, daemon=True)
    thread.start()
    yield running
    running.shutdown(wait=False)
    thread.join(timeout=10)


def _sign_in(page: Page, server: str) -> None:
    page.goto(server + "/login")
    page.get_by_label("Email address").fill("secretariat@example.gov.uk")
    page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server + "/")


def _open_in_outbox(page: Page, server: str, subject: re.Pattern, to: str) -> None:
    """From the Outbox, open the preview of the message with this subject sent to `to`."""
    message = db.session.scalars(
        db.select(OutboxMessage)
        .where(OutboxMessage.recipients.contains(to))
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None and subject.search(message.subject), message
    page.goto(server + "/outbox")
    expect(page.get_by_text("Kept here").first).to_be_visible()
    page.locator(f'a[href="/outbox/{message.id}"]').click()
    expect(page.get_by_role("heading", name=message.subject)).to_be_visible()


def test_a_newcomers_first_ten_minutes(page: Page, live_server: str, demo, scheduler):
    server = live_server
    _sign_in(page, server)
    # Mail stays here, and every secretariat page says so.
    expect(page.get_by_text("Mail stays here")).to_be_visible()

    # Send the invites for the meeting after next (the next one's went with the demo).
    later = db.session.scalars(db.select(Meeting).order_by(Meeting.start_at.desc())).first()
    page.goto(f"{server}/meetings/{later.id}")
    page.get_by_role("button", name=re.compile(r"^Send invites")).click()
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("kept here, not sent")
    expect(banner).not_to_contain_text("Success")

    # Read a member's invite in the Outbox, as its recipient would, and follow its link.
    member = "member@example.gov.uk"
    _open_in_outbox(page, server, re.compile(rf"meeting {later.number}\b"), member)
    expect(page.get_by_text("METHOD:REQUEST").first).to_be_attached()
    page.locator(f'a[href^="{server}/apologies/"]').first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"apologies for meeting {later.number}"
    )
    page.get_by_role("button", name=re.compile("apologies", re.I)).first.click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Apologies sent")

    # Allocate an action already overdue, at the next meeting, without emailing a link.
    tf_id = later.taskforce_id
    page.goto(f"{server}/taskforces/{tf_id}/actions/new")
    page.get_by_label("Action", exact=True).fill("Send the regional apprenticeship figures")
    page.get_by_label("Owner's name").fill("Imogen Drake")
    page.get_by_label("Owner's email").fill("imogen.drake@example.gov.uk")
    due = clock.today() - timedelta(days=5)
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    link_box = page.get_by_label(re.compile("Email the owner", re.I))
    if link_box.is_checked():
        link_box.uncheck()
    page.get_by_role("button", name=re.compile("Allocate|Save", re.I)).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("allocated")
    assert page.get_by_role("region", name="Important").count() == 1  # the date has passed
    action = db.session.scalars(
        db.select(Action).where(Action.owner_email == "imogen.drake@example.gov.uk")
    ).one()
    assert action.is_overdue(clock.today())

    # The scheduler chases at CHASE_AT on working days; move its chase to now, as the clock
    # reaching that hour would, and wait for the chase to be kept in the Outbox.
    scheduler.get_job("chase").modify(next_run_time=datetime.now(ZoneInfo("UTC")))
    chase = None
    for _ in range(100):
        db.session.expire_all()
        chase = db.session.scalars(
            db.select(OutboxMessage).where(
                OutboxMessage.recipients.contains("imogen.drake@example.gov.uk")
            )
        ).first()
        if chase is not None and chase.status == "kept":
            break
        page.wait_for_timeout(100)
    assert chase is not None and chase.status == "kept", "the running scheduler chased nobody"

    # Follow the owner's link from the chase and update the action, without signing in.
    _open_in_outbox(page, server, re.compile(".", re.S), "imogen.drake@example.gov.uk")
    expect(page.locator("body")).to_contain_text(action.reference)
    owner_link = page.locator(f'a[href^="{server}/a/"]').first
    href = owner_link.get_attribute("href")
    context = page.context.browser.new_context()  # the owner has no account: a fresh browser
    owner = context.new_page()
    owner.goto(href)
    expect(owner.locator("body")).to_contain_text(action.reference)
    owner.get_by_label("In progress").first.check()
    owner.get_by_label(re.compile("Comment", re.I)).first.fill("Figures due from the regions")
    owner.get_by_role("button", name=re.compile("Send|Save|Update", re.I)).first.click()
    expect(owner.locator("body")).to_contain_text(re.compile("thank|updated|saved", re.I))
    close_quietly(context)
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == "in_progress"
    assert page.console_errors == []
