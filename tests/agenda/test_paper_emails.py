"""What a paper lead receives, as it arrives over SMTP, compared with a snapshot in
__snapshots__/test_paper_emails/ (open those files to read the emails; after a deliberate
change, rerun with --snapshot-update and review the diff)."""

from __future__ import annotations

import pytest

LEAD = "priya.shah@example.gov.uk"


@pytest.fixture(autouse=True)
def _fixed_settings(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://taskforce.example.gov.uk")
    monkeypatch.setitem(
        app.config, "MAIL_FROM", "Skills and Work secretariat <secretariat@example.gov.uk>"
    )


@pytest.fixture
def commissioned(api, smtp, make_meeting):
    meeting = make_meeting()  # Tuesday 7 February 2040
    item = api.post(
        f"/meetings/{meeting.id}/agenda-items",
        {"title": "Skills bootcamps: evaluation", "duration_minutes": 20, "purpose": "decision"},
    ).json
    response = api.post(
        f"/agenda-items/{item['id']}/commission",
        {"paper_lead_email": LEAD, "due_on": "2040-01-30"},
    )
    assert response.status_code == 202
    return item


def chase(app, day: str) -> None:
    result = app.test_cli_runner().invoke(args=["chase", "run", "--today", day])
    assert result.exit_code == 0, result.output


def test_a_paper_lead_is_asked_for_their_paper_with_a_link(smtp, commissioned, snapshot_text):
    [request] = smtp.readable(LEAD)
    assert request == snapshot_text


def test_a_paper_lead_is_reminded_two_working_days_before(app, smtp, commissioned, snapshot_text):
    chase(app, "2040-01-26")
    assert smtp.readable(LEAD)[-1] == snapshot_text


def test_a_paper_lead_is_chased_the_working_day_after(app, smtp, commissioned, snapshot_text):
    chase(app, "2040-01-31")
    assert smtp.readable(LEAD)[-1] == snapshot_text
