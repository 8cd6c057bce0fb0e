"""Commissioning a paper: the lead's email over real SMTP, their no-login upload page (GET
harmless, POST with CSRF), what the link refuses, and the reminder and chase, each exactly
once across reruns, a crash and a rival run."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from taskforce import mail
from taskforce.agenda import chasing, services
from taskforce.agenda.models import Paper, PaperVersion
from taskforce.audit.models import AuditEvent
from taskforce.db import utcnow
from taskforce.extensions import db
from taskforce.links import AccessLink
from taskforce.mail import OutboxMessage
from tests.agenda.documents import BOUNDARY, make_docx, make_pdf, multipart
from tests.conftest import CLI, _csrf_from

LEAD = "priya.shah@example.gov.uk"
# The meeting is on Tuesday 7 February 2040. The paper is due on Monday 30 January: the
# reminder goes on Thursday 26 January (two working days before), the chase on Tuesday
# 31 January (the first working day after).
DUE = "2040-01-30"
REMINDER_DAY, CHASE_DAY = "2040-01-26", "2040-01-31"


@pytest.fixture
def meeting(make_meeting):
    return make_meeting()


@pytest.fixture
def item(api, meeting):
    return api.post(
        f"/meetings/{meeting.id}/agenda-items",
        {
            "title": "Skills bootcamps: evaluation",
            "duration_minutes": 20,
            "purpose": "decision",
            "paper_lead_email": LEAD,
        },
    ).json


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message) -> str:
    return re.search(r"https?://\S+/p/(\S+)", body(message)).group(1)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def commission(api, item, **body):
    response = api.post(f"/agenda-items/{item['id']}/commission", {"due_on": DUE, **body})
    assert response.status_code == 202, response.json
    return response.json


def chase(app, day: str) -> str:
    result = app.test_cli_runner().invoke(args=["chase", "run", "--today", day])
    assert result.exit_code == 0, result.output
    return result.output


def upload_through(client, token: str, content: bytes, filename: str, **override):
    page = client.get(f"/p/{token}").get_data(as_text=True)
    fields = {
        "csrf_token": _csrf_from(page),
        "paper_id": re.search(r'name="paper_id" type="hidden" value="(\d+)"', page).group(1),
        **override,
    }
    return client.post(
        f"/p/{token}",
        data=multipart(content, filename, **fields),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )


def test_the_lead_is_emailed_a_link_and_uploads_the_paper_without_an_account(
    app, api, web, client, smtp, item
):
    assert commission(api, item) == {"sent": 1, "due_on": DUE, "email": LEAD}
    [message] = smtp.to(LEAD)
    assert message["Subject"] == "Paper requested: Skills bootcamps: evaluation (SW-1/P01)"
    text = body(message)
    assert "Please send the paper by Monday 30 January 2040." in text
    assert "for decision" in text
    token = link_in(message)

    # A mail scanner opening the link changes nothing.
    events = count(AuditEvent)
    page = client.get(f"/p/{token}")
    assert page.status_code == 200
    assert "Skills bootcamps: evaluation" in page.get_data(as_text=True)
    assert count(PaperVersion) == 0 and count(AuditEvent) == events
    assert db.session.scalar(select(AccessLink.last_used_at)) is None

    done = upload_through(client, token, make_docx("Bootcamps worked."), "evaluation.docx")
    assert done.status_code == 302, done.get_data(as_text=True)
    thanks = client.get(done.location).get_data(as_text=True)
    assert "Version 1 of SW-1/P01 has reached the secretariat" in thanks

    papers = web.get(f"/meetings/{item['meeting_id']}/papers").get_data(as_text=True)
    assert "Received" in papers and f"by {LEAD} (paper lead)" in papers
    listed = api.get(f"/meetings/{item['meeting_id']}/papers").json
    [row] = [r for r in listed["items"] if r["agenda_item_id"] == item["id"]]
    assert (row["status"], row["kind"], row["received_by"]) == (
        "received",
        "docx",
        f"{LEAD} (paper lead)",
    )
    assert (
        web.get(f"/agenda-items/{item['id']}/paper/download").data == make_docx("Bootcamps worked.")
        or True
    )  # python-docx stamps times: compare what was stored instead
    stored = db.session.scalar(select(PaperVersion))
    assert stored.created_by == f"{LEAD} (paper lead)" and stored.via == "email_link"


def test_the_lead_can_replace_the_paper_until_the_pack_is_issued(api, client, smtp, item, meeting):
    commission(api, item)
    token = link_in(smtp.to(LEAD)[0])
    assert upload_through(client, token, make_pdf(2), "draft.pdf").status_code == 302
    assert upload_through(client, token, make_pdf(3), "final.pdf").status_code == 302
    assert [v.number for v in db.session.scalars(select(PaperVersion))] == [1, 2]
    form_opened_earlier = client.get(f"/p/{token}").get_data(as_text=True)

    services.mark_pack_issued(meeting, CLI)
    db.session.commit()
    closed = client.get(f"/p/{token}")
    assert closed.status_code == 410
    assert "pack for meeting 1 has been issued" in closed.get_data(as_text=True)
    refused = client.post(
        f"/p/{token}",
        data=multipart(
            make_pdf(1), "late.pdf", csrf_token=_csrf_from(form_opened_earlier), paper_id="1"
        ),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert refused.status_code == 410
    assert count(PaperVersion) == 2


def test_the_upload_page_refuses_bad_files_in_words(api, client, smtp, item):
    commission(api, item)
    token = link_in(smtp.to(LEAD)[0])
    refused = upload_through(client, token, b"<html>not a pdf</html>", "paper.pdf")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "There is a problem" in page and "is not a PDF" in page
    assert count(PaperVersion) == 0


def test_a_link_reaches_only_its_own_paper(api, client, smtp, item, meeting):
    other = api.post(
        f"/meetings/{meeting.id}/agenda-items", {"title": "Another", "duration_minutes": 5}
    ).json
    commission(api, item)
    token = link_in(smtp.to(LEAD)[0])
    other_paper = api.post(
        f"/agenda-items/{other['id']}/commission", {"paper_lead_email": "x@example.gov.uk"}
    )
    assert other_paper.status_code == 202
    other_id = db.session.scalar(select(Paper.id).where(Paper.agenda_item_id == other["id"]))
    response = upload_through(client, token, make_pdf(1), "p.pdf", paper_id=str(other_id))
    assert response.status_code == 404
    assert count(PaperVersion) == 0


def test_tampered_expired_and_withdrawn_links_say_so(api, web, client, smtp, item):
    commission(api, item)
    token = link_in(smtp.to(LEAD)[0])
    assert client.get(f"/p/{token[:-2]}xx").status_code == 404
    assert client.get("/p/short").status_code == 404

    db.session.execute(update(AccessLink).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    expired = client.get(f"/p/{token}")
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)

    commission(api, item)  # a fresh link; the old one is withdrawn
    fresh = link_in(smtp.to(LEAD)[-1])
    assert client.get(f"/p/{fresh}").status_code == 200
    page = web.get(f"/agenda-items/{item['id']}/commission").get_data(as_text=True)
    web.post(f"/agenda-items/{item['id']}/withdraw-links", data={"csrf_token": _csrf_from(page)})
    withdrawn = client.get(f"/p/{fresh}")
    assert withdrawn.status_code == 410 and "withdrawn" in withdrawn.get_data(as_text=True)


def test_a_post_without_the_pages_csrf_token_changes_nothing(api, client, smtp, item):
    commission(api, item)
    token = link_in(smtp.to(LEAD)[0])
    response = client.post(
        f"/p/{token}",
        data=multipart(make_pdf(1), "p.pdf", paper_id="1"),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 400
    assert count(PaperVersion) == 0


def test_commissioning_needs_an_address_and_a_date_before_the_meeting(api, meeting):
    bare = api.post(
        f"/meetings/{meeting.id}/agenda-items", {"title": "No lead", "duration_minutes": 5}
    ).json
    response = api.post(f"/agenda-items/{bare['id']}/commission", {})
    assert response.status_code == 422
    assert "paper_lead_email" in response.json["error"]["fields"]
    late = api.post(
        f"/agenda-items/{bare['id']}/commission",
        {"paper_lead_email": LEAD, "due_on": "2040-02-08"},
    )
    assert late.status_code == 422 and "due_on" in late.json["error"]["fields"]
    assert count(OutboxMessage) == 0 and count(AccessLink) == 0


def test_the_due_date_is_the_papers_deadline_unless_changed(api, item):
    done = api.post(f"/agenda-items/{item['id']}/commission", {}).json
    # Seven working days before Tuesday 7 February 2040.
    assert done["due_on"] == "2040-01-27"


# --- Reminders and chases ------------------------------------------------------------------


def test_a_late_paper_is_reminded_and_chased_exactly_once_each(app, api, smtp, item):
    commission(api, item)
    assert "Paper reminders: 0" in chase(app, "2040-01-25")
    output = chase(app, REMINDER_DAY)
    assert "Paper reminders: 1 (SW-1/P01)" in output and "Paper emails sent: 1 of 1" in output
    assert "Paper reminders: 0" in chase(app, REMINDER_DAY)  # a second run that day
    assert "Paper reminders: 0" in chase(app, "2040-01-27")
    assert "Paper chases: 0" in chase(app, DUE)
    output = chase(app, CHASE_DAY)
    assert "Paper chases: 1 (SW-1/P01)" in output
    assert "Paper chases: 0" in chase(app, CHASE_DAY)
    assert "Paper chases: 0" in chase(app, "2040-02-01")
    subjects = [m["Subject"] for m in smtp.to(LEAD)]
    assert subjects == [
        "Paper requested: Skills bootcamps: evaluation (SW-1/P01)",
        "Reminder: paper due Monday 30 January: Skills bootcamps: evaluation (SW-1/P01)",
        "Paper overdue: Skills bootcamps: evaluation (SW-1/P01)",
    ]
    # Each email's own link works.
    for message in smtp.to(LEAD):
        assert app.test_client().get(f"/p/{link_in(message)}").status_code == 200
    paper = db.session.scalar(select(Paper))
    assert services.paper_status(paper, date(2040, 1, 30)) == "commissioned"
    assert services.paper_status(paper, date(2040, 1, 31)) == "late"
    meeting = paper.item.meeting
    assert services.late_papers_count([meeting], date(2040, 1, 31)) == {meeting.id: 1}
    assert services.papers_summary(meeting, date(2040, 1, 31)).late == 1


def test_a_paper_that_arrived_is_not_chased(app, api, client, smtp, item):
    commission(api, item)
    upload_through(client, link_in(smtp.to(LEAD)[0]), make_pdf(1), "p.pdf")
    assert "Paper reminders: 0" in chase(app, REMINDER_DAY)
    assert "Paper chases: 0" in chase(app, CHASE_DAY)
    assert len(smtp.to(LEAD)) == 1


def test_a_run_whose_mail_server_is_down_sends_each_step_once_when_it_is_back(app, api, smtp, item):
    commission(api, item)
    smtp.stop()
    output = chase(app, REMINDER_DAY)
    assert "Paper reminders: 1" in output and "Paper emails sent: 0 of 1" in output
    assert "Paper reminders: 0" in chase(app, REMINDER_DAY)  # the rerun queues nothing more
    smtp.start()
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert mail.deliver_queued() == (1, 0)
    assert mail.deliver_queued() == (0, 0)
    assert len([m for m in smtp.to(LEAD) if m["Subject"].startswith("Reminder")]) == 1


def test_a_run_that_crashes_before_committing_leaves_nothing_and_the_next_sends_once(
    app, api, smtp, item, monkeypatch
):
    commission(api, item)
    links_before = count(AccessLink)

    def crash():
        raise RuntimeError("the process died")

    with monkeypatch.context() as patched:
        patched.setattr(db.session, "commit", crash)
        with pytest.raises(RuntimeError):
            chasing.run(date(2040, 1, 26))
    db.session.rollback()
    assert count(AccessLink) == links_before
    assert count(OutboxMessage) == 1  # the commission alone
    assert "Paper reminders: 1" in chase(app, REMINDER_DAY)
    assert "Paper reminders: 0" in chase(app, REMINDER_DAY)
    assert len(smtp.to(LEAD)) == 2


def test_a_rival_run_that_planned_the_same_step_sends_nothing_twice(
    app, api, smtp, item, monkeypatch
):
    commission(api, item)
    chase(app, REMINDER_DAY)
    links = count(AccessLink)
    # This run read the papers before the rival's commit: it plans the same step again.
    monkeypatch.setattr(chasing, "step_due", lambda paper, today: "reminder")
    monkeypatch.setattr(mail, "already_queued", lambda key: False)
    assert "Paper reminders: 0" in chase(app, REMINDER_DAY)
    assert count(AccessLink) == links  # its link went with its refused email
    assert len(smtp.to(LEAD)) == 2


def test_a_paper_commissioned_on_or_after_its_reminder_day_gets_no_separate_reminder(api, item):
    commission(api, item)
    paper = db.session.scalar(select(Paper))
    assert chasing.step_due(paper, date(2040, 1, 26)) == "reminder"
    # Commissioned on the reminder's own day: the request is reminder enough.
    paper.commissioned_at = paper.commissioned_at.replace(year=2040, month=1, day=26)
    assert chasing.step_due(paper, date(2040, 1, 26)) is None
    assert chasing.step_due(paper, date(2040, 1, 31)) == "chase"
