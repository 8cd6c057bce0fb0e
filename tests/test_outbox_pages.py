"""Mail as the secretariat sees it: kept here when no mail server is configured (and said so
on every page), read back as the recipient would see it, messages that tell the truth about
what went, and the Outbox grouped by state with the reason said once and "Retry all"."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from taskforce import mail
from taskforce.extensions import db
from taskforce.mail import OutboxMessage
from taskforce.main import preview
from tests.conftest import NIA, SAM, login

SUCCESS = "govuk-notification-banner--success"
OUTBOX_LINK = 'class="govuk-notification-banner__link" href="/outbox"'
BANNER = "Mail stays here"


@pytest.fixture(autouse=True)
def _no_csrf(no_csrf):
    """Forms here go without CSRF tokens; CSRF itself is tested on its own."""


def _send_invites(web: FlaskClient, meeting) -> str:
    response = web.post(f"/meetings/{meeting.id}/invites", follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _rows() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


# --- Kept here: no mail server -------------------------------------------------------------


def test_without_a_mail_server_invites_are_kept_whole_and_the_page_says_so(web, make_meeting):
    html = _send_invites(web, make_meeting())
    assert "3 invites kept here, not sent: no mail server is configured." in html
    assert OUTBOX_LINK in html and "Read them in the Outbox" in html
    assert SUCCESS not in html
    rows = _rows()
    assert [row.status for row in rows] == ["kept"] * 3
    assert all(row.sent_at and "BEGIN:VCALENDAR" in row.raw for row in rows)
    assert mail.deliver_queued() == (0, 0)  # kept is delivered: never tried again


def test_the_outbox_lists_kept_mail_once_with_its_reason(web, make_meeting):
    _send_invites(web, make_meeting())
    html = web.get("/outbox").get_data(as_text=True)
    assert "Kept here (3)" in html
    assert html.count("Kept here: no mail server is configured") == 1
    for row in _rows():
        assert f'href="/outbox/{row.id}"' in html
    assert "Retry all" not in html  # nothing failed or waiting


def test_the_preview_shows_what_the_recipient_sees_with_links_to_follow(app, web, make_meeting):
    meeting = make_meeting()
    _send_invites(web, meeting)
    to_sam = next(row for row in _rows() if row.recipients == SAM)
    page = web.get(f"/outbox/{to_sam.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<dd class="govuk-summary-list__value">{SAM}</dd>' in html
    assert "Kept here: no mail server is configured" in html
    assert "You are invited to the meeting below." in html
    # The apologies link is a link, to the page the member would open.
    [url] = re.findall(r'<a class="govuk-link" href="([^"]+/apologies/[^"]+)"', html)
    assert url.startswith(app.config["BASE_URL"] + "/apologies/")
    # The calendar, once (it is both the invitation and the attachment), read and as text.
    assert "This is an invitation: add or update the meeting." in html
    assert "to accept or decline, and it is attached as invite.ics." in html
    assert "Room 1, 70 Whitehall" in html
    assert "7 February 2040 at 10:00am to 11:30am" in html
    assert html.count("BEGIN:VCALENDAR") == 1 and "METHOD:REQUEST" in html
    # Anyone following it, signed in or not, reaches the member's apologies page.
    apologies = app.test_client().get(url.removeprefix(app.config["BASE_URL"]))
    assert apologies.status_code == 200
    assert "Sam Patel" in apologies.get_data(as_text=True)


def test_an_owner_link_kept_here_is_a_warning_and_the_api_says_kept(web, api, make_action):
    action = make_action()
    html = web.post(f"/actions/{action.id}/link", follow_redirects=True).get_data(as_text=True)
    assert "is kept here, not sent: no mail server is configured." in html
    assert OUTBOX_LINK in html and SUCCESS not in html
    answer = api.post(f"/actions/{action.id}/link").get_json()
    assert (answer["sent"], answer["delivered"], answer["kept"]) == (1, 0, 1)


def test_an_owner_link_reaching_the_mail_server_is_a_success(web, api, make_action, smtp):
    action = make_action()
    html = web.post(f"/actions/{action.id}/link", follow_redirects=True).get_data(as_text=True)
    assert "A new link was emailed to" in html and SUCCESS in html
    assert OUTBOX_LINK not in html
    answer = api.post(f"/actions/{action.id}/link").get_json()
    assert (answer["delivered"], answer["kept"]) == (1, 0)


def test_with_the_mail_server_down_invites_are_a_warning_not_a_success(web, make_meeting, smtp):
    smtp.stop()
    html = _send_invites(web, make_meeting())
    assert "3 invites queued, 0 sent now; the rest have not reached the mail server." in html
    assert OUTBOX_LINK in html and "See why in the Outbox" in html
    assert SUCCESS not in html


def test_a_calendar_feed_link_kept_here_says_so(web, tf):
    sam = next(m for m in tf.members if m.email == SAM)
    html = web.post(f"/members/{sam.id}/calendar-link", follow_redirects=True)
    text = html.get_data(as_text=True)
    assert f"Calendar feed link for {SAM} kept here, not sent" in text
    assert SUCCESS not in text


# --- The banner ----------------------------------------------------------------------------


def test_every_secretariat_page_says_mail_is_not_leaving(web, tf):
    for path in ("/", f"/taskforces/{tf.id}", "/outbox", "/actions"):
        html = web.get(path).get_data(as_text=True)
        assert BANNER in html and "set <code>SMTP_HOST</code>" in html, path


def test_with_a_mail_server_there_is_no_banner(web, tf, smtp):
    assert BANNER not in web.get(f"/taskforces/{tf.id}").get_data(as_text=True)


def test_readers_and_people_without_an_account_see_no_banner(app, tf, make_user):
    chair = login(app.test_client(), make_user("chair", email=NIA))
    assert BANNER not in chair.get(f"/taskforces/{tf.id}").get_data(as_text=True)
    assert BANNER not in app.test_client().get("/login").get_data(as_text=True)


# --- The Outbox: grouped, reasons once, Retry all --------------------------------------------


def test_waiting_mail_is_one_group_with_its_reason_once(web, make_meeting, smtp):
    smtp.stop()
    _send_invites(web, make_meeting())
    html = web.get("/outbox").get_data(as_text=True)
    assert "Waiting (3)" in html
    assert html.count("Connection refused") == 1
    assert "(3 messages; next try " in html
    assert "Retry all 3 now" in html


def test_failed_mail_is_grouped_by_reason(web, make_meeting):
    _send_invites(web, make_meeting())
    ids = [row.id for row in _rows()]
    reasons = {ids[0]: "550 No such user", ids[1]: "550 No such user", ids[2]: "552 Too big"}
    for row_id, reason in reasons.items():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(status="failed", last_error=reason)
        )
    db.session.commit()
    html = web.get("/outbox").get_data(as_text=True)
    assert "Failed (3)" in html
    assert html.count("550 No such user") == 1 and html.count("552 Too big") == 1
    assert html.index("550 No such user") < html.index("552 Too big")  # the larger group first


def test_retry_all_sends_every_waiting_message_of_ones_own_task_forces(
    app, web, make_meeting, make_user, smtp
):
    smtp.stop()
    _send_invites(web, make_meeting())
    other = login(app.test_client(), make_user("secretariat"))
    assert "Nothing to retry." in other.post("/outbox/retry", follow_redirects=True).get_data(
        as_text=True
    )
    assert [row.status for row in _rows()] == ["queued"] * 3
    smtp.start()
    html = web.post("/outbox/retry", follow_redirects=True).get_data(as_text=True)
    assert "All 3 sent." in html
    assert [row.status for row in _rows()] == ["sent"] * 3
    assert sorted(rcpts[0] for rcpts, _m in smtp.messages) == sorted(
        [NIA, SAM, "seren@example.gov.uk"]
    )


def test_retry_all_with_the_server_still_down_is_a_warning(web, make_meeting, smtp):
    smtp.stop()
    _send_invites(web, make_meeting())
    html = web.post("/outbox/retry", follow_redirects=True).get_data(as_text=True)
    assert "0 of 3 sent." in html and SUCCESS not in html


def test_a_message_is_previewed_only_by_those_who_serve_its_task_force(
    app, web, make_meeting, make_user
):
    _send_invites(web, make_meeting())
    row = _rows()[0]
    other = login(app.test_client(), make_user("secretariat"))
    assert other.get(f"/outbox/{row.id}").status_code == 404
    reader = login(app.test_client(), make_user("member"))
    assert reader.get(f"/outbox/{row.id}").status_code == 403
    admin = login(app.test_client(), make_user("admin"))
    assert admin.get(f"/outbox/{row.id}").status_code == 200


def test_mail_of_no_task_force_is_previewed_by_admins_only(app, web, make_user):
    message = mail.new_message(["someone@example.gov.uk"], "For the admins")
    message.set_content("Hello")
    row = mail.queue(message, kind="test")
    db.session.commit()
    mail.deliver_queued(ids=[row.id])
    assert web.get(f"/outbox/{row.id}").status_code == 404
    admin = login(app.test_client(), make_user("admin"))
    assert "For the admins" in admin.get(f"/outbox/{row.id}").get_data(as_text=True)


def test_an_html_part_is_shown_sanitised_with_its_links(app, web, tf):
    message = mail.new_message([SAM], "An HTML note")
    message.set_content("Plain version: https://example.gov.uk/plain.")
    message.add_alternative(
        '<p onclick="steal()">Hello <a href="https://example.gov.uk/page">the page</a></p>'
        '<script>alert(1)</script><a href="javascript:alert(2)">bad</a>'
        '<style>body{display:none}</style><img src="https://tracker.example/x.gif">',
        subtype="html",
    )
    row = mail.queue(message, kind="test", taskforce_id=tf.id)
    db.session.commit()
    mail.deliver_queued(ids=[row.id])
    html = web.get(f"/outbox/{row.id}").get_data(as_text=True)
    assert '<a href="https://example.gov.uk/page" rel="noopener noreferrer">the page</a>' in html
    assert "steal()" not in html and "alert(" not in html and "display:none" not in html
    # The plain part's link stops before the full stop that ends the sentence.
    assert '<a class="govuk-link" href="https://example.gov.uk/plain">' in html


# --- Reading a message back ------------------------------------------------------------------


def test_a_message_that_is_not_mime_is_read_as_text():
    read = preview.read("Subject: Hi\r\n\r\nSee <https://example.gov.uk/a?b=1&c=2>, then go.")
    assert read.headers == [("Subject", "Hi")]
    [text] = read.texts
    assert str(text) == (
        'See &lt;<a class="govuk-link" href="https://example.gov.uk/a?b=1&amp;c=2">'
        "https://example.gov.uk/a?b=1&amp;c=2</a>&gt;, then go."
    )


def test_a_calendar_that_cannot_be_read_is_still_shown_as_text():
    message = EmailMessage()
    message["Subject"] = "Broken"
    message.set_content("See the attachment.")
    message.add_attachment(b"BEGIN:VCALENDAR\r\nnonsense", maintype="text", subtype="calendar")
    [calendar] = preview.read(message.as_string()).calendars
    assert calendar.events == [] and "nonsense" in calendar.text
