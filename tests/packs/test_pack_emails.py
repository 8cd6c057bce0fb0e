"""The emails an issued pack sends, as their recipients get them, compared with snapshots
in __snapshots__/test_pack_emails/ (the pattern of tests/test_email_snapshots.py). Rewrite
them after a deliberate change with `pytest tests/packs/test_pack_emails.py --snapshot-update`
and review the diff."""

from __future__ import annotations

import re
from datetime import date

import pytest

from taskforce import clock
from taskforce.agenda import services as agenda_services
from taskforce.extensions import db
from taskforce.packs import pdf
from tests.conftest import CLI, member

NIA = "nia.roberts@example.gov.uk"  # the chair, named to receive the restricted paper
TOM = "tom.okafor@example.gov.uk"  # an official


def files_unsized(email: str) -> str:
    """The attached Word files by name alone: their zipped size varies a little from run to
    run (tests/packs/test_issue.py reads their content)."""
    return re.sub(r"\(\d+ bytes that are not utf-8 text\)", "(a Word document)", email)


@pytest.fixture(autouse=True)
def _fixed_settings(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://taskforce.example.gov.uk")
    monkeypatch.setitem(
        app.config, "MAIL_FROM", "Skills and Work secretariat <secretariat@example.gov.uk>"
    )
    monkeypatch.setitem(app.config, "TIMEZONE", "Europe/London")
    monkeypatch.setattr(pdf, "soffice", lambda: None)  # the Word pack alone
    # Issued on a fixed day: the attachments' sizes (in the snapshots) depend on its date.
    monkeypatch.setattr(clock, "today", lambda: date(2040, 6, 26))


@pytest.fixture
def meeting(make_taskforce, make_meeting, secretariat):
    board = make_taskforce(
        by=secretariat,
        name="Skills and Work Task Force",
        code="SW",
        members=[
            member("Nia Roberts", NIA, "minister", is_chair=True, role_title="Minister for Skills"),
            member("Tom Okafor", TOM, "official", organisation="Department for Work"),
        ],
    )
    meeting = make_meeting(board, start="2040-07-10T10:00:00", location="Room 4.12, Caxton House")
    nia = next(m for m in board.members if m.email == NIA)
    agenda_services.add_item(
        meeting, {"title": "Skills bootcamps", "duration_minutes": 20, "paper": "Findings"}, CLI
    )
    agenda_services.add_item(
        meeting,
        {
            "title": "Provider market exit",
            "duration_minutes": 10,
            "paper": "Commercial position",
            "restricted": True,
            "restricted_to": [nia.id],
        },
        CLI,
    )
    db.session.commit()
    return meeting


def test_each_member_gets_the_pack_attached_with_a_personal_link(api, smtp, meeting, snapshot_text):
    assert api.post(f"/meetings/{meeting.id}/pack/issue", {}).status_code == 201
    [email] = smtp.readable(TOM)
    assert files_unsized(email) == snapshot_text


def test_a_restricted_recipient_gets_a_revised_pack_and_their_supplement(
    api, smtp, meeting, snapshot_text
):
    assert api.post(f"/meetings/{meeting.id}/pack/issue", {}).status_code == 201
    agenda_services.add_item(meeting, {"title": "Careers advice", "duration_minutes": 10}, CLI)
    db.session.commit()
    response = api.post(
        f"/meetings/{meeting.id}/pack/issue", {"change_note": "An item on careers advice added."}
    )
    assert response.status_code == 201, response.get_json()
    _first, revised = smtp.readable(NIA)
    assert files_unsized(revised) == snapshot_text
