"""Every kind of email the service sends, as its recipient gets it, compared with a snapshot.

Each test makes one email happen through the API or `flask chase run --today`, receives it
on a real SMTP server (the `smtp` fixture) and compares a readable dump of the bytes that
arrived (tests/readable.py) with the file of the same name in
__snapshots__/test_email_snapshots/. Open those files to read the emails. After a deliberate
change to an email, rewrite them with `pytest tests/test_email_snapshots.py --snapshot-update`
and review the diff.

Dates are fixed: chasing runs on the days given to --today; meetings are in 2040, so they
stay in the future (invites go out only for meetings still to come). Whatever differs
from run to run (tokens, UIDs, Message-ID, Date, DTSTAMP, MIME boundaries) is a placeholder.
"""

from __future__ import annotations

import pytest

from tests.conftest import member

NIA = "nia.roberts@example.gov.uk"  # the chair
SEREN = "seren.pryce@example.gov.uk"  # the secretariat
TOM = "tom.okafor@example.gov.uk"  # an official
ANA = "ana.lopes@example.gov.uk"
BEN = "ben.clarke@example.gov.uk"
CARA = "cara.nwosu@example.gov.uk"

# Actions due on Monday 1 March 2027. Default ladder in working days: reminder -3 (Wednesday
# 24 February), chase +1 (Tuesday 2 March), second chase +6 (Tuesday 9 March), escalation
# +11 (Tuesday 16 March).
DUE = "2027-03-01"
REMINDER, CHASE, SECOND_CHASE, ESCALATION = "2027-02-24", "2027-03-02", "2027-03-09", "2027-03-16"


@pytest.fixture(autouse=True)
def _fixed_settings(app, monkeypatch):
    """The settings that appear in emails, fixed whatever the environment says."""
    monkeypatch.setitem(app.config, "BASE_URL", "https://taskforce.example.gov.uk")
    monkeypatch.setitem(
        app.config, "MAIL_FROM", "Skills and Work secretariat <secretariat@example.gov.uk>"
    )
    monkeypatch.setitem(app.config, "TIMEZONE", "Europe/London")


@pytest.fixture
def board(make_taskforce, secretariat):
    return make_taskforce(
        by=secretariat,
        name="Skills and Work Task Force",
        code="SW",
        members=[
            member("Nia Roberts", NIA, "minister", is_chair=True, role_title="Minister for Skills"),
            member("Seren Pryce", SEREN, "secretariat", role_title="Head of Secretariat"),
            member("Tom Okafor", TOM, "official", organisation="Department for Work"),
        ],
    )


def chase(app, *days: str) -> None:
    """Run chasing on each day in turn, as the scheduler would."""
    for day in days:
        result = app.test_cli_runner().invoke(args=["chase", "run", "--today", day])
        assert result.exit_code == 0, result.output


def allocate(api, board, owner_email: str, owner_name: str, description: str, due=DUE) -> dict:
    response = api.post(
        "/actions",
        {
            "taskforce_id": board.id,
            "description": description,
            "owner_name": owner_name,
            "owner_email": owner_email,
            "owner_organisation": "Department for Work",
            "due_date": due,
        },
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# --- Meetings ---------------------------------------------------------------------------


@pytest.fixture
def meeting(api, board) -> dict:
    response = api.post(
        f"/taskforces/{board.id}/schedule",
        {
            "first_start": "2040-07-10T10:00:00",  # a Tuesday, in British Summer Time
            "count": 1,
            "duration_minutes": 90,
            "location": "Room 4.12, Caxton House, London",
        },
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["items"][0]


@pytest.fixture
def invited(api, smtp, meeting) -> dict:
    assert api.post(f"/meetings/{meeting['id']}/invites").get_json() == {"sent": 3, "skipped": []}
    return meeting


def test_each_member_is_invited_with_a_calendar_request_and_an_apologies_link(
    smtp, invited, snapshot_text
):
    assert sorted(rcpt for _sender, rcpts, _raw in smtp.received for rcpt in rcpts) == [
        NIA,
        SEREN,
        TOM,
    ]
    [invite] = smtp.readable(TOM)
    assert invite == snapshot_text


def test_moving_a_meeting_sends_each_member_the_updated_invite(api, smtp, invited, snapshot_text):
    moved = api.patch(
        f"/meetings/{invited['id']}",
        {"start": "2040-07-11T14:00:00", "location": "Room 2.01, Caxton House, London"},
    )
    assert moved.status_code == 200, moved.get_json()
    assert len(smtp.received) == 6
    _invite, update = smtp.readable(TOM)
    assert update == snapshot_text


def test_cancelling_a_meeting_sends_each_member_a_cancellation(api, smtp, invited, snapshot_text):
    cancelled = api.post(
        f"/meetings/{invited['id']}/cancel", {"reason": "The minister is needed in the House."}
    )
    assert cancelled.status_code == 200, cancelled.get_json()
    assert len(smtp.received) == 6
    _invite, cancellation = smtp.readable(TOM)
    assert cancellation == snapshot_text


def test_a_member_is_emailed_a_personal_calendar_feed_link(api, smtp, board, snapshot_text):
    tom = next(m for m in board.members if m.email == TOM)
    assert api.post(f"/members/{tom.id}/calendar-link").get_json() == {"sent": 1}
    [feed_link] = smtp.readable(TOM)
    assert feed_link == snapshot_text


# --- Actions ----------------------------------------------------------------------------


def test_an_owner_is_emailed_a_link_to_update_their_action(api, smtp, board, snapshot_text):
    action = allocate(api, board, ANA, "Ana Lopes", "Draft the employer survey")
    assert api.post(f"/actions/{action['id']}/link").status_code == 202
    [owner_link] = smtp.readable(ANA)
    assert owner_link == snapshot_text


@pytest.fixture
def three(api, board) -> list[dict]:
    """Ana owns two actions and Ben one, all due on DUE."""
    return [
        allocate(api, board, ANA, "Ana Lopes", "Draft the employer survey"),
        allocate(api, board, ANA, "Ana Lopes", "Cost the apprenticeship pilot"),
        allocate(api, board, BEN, "Ben Clarke", "Map the regional colleges"),
    ]


def test_an_owner_with_several_actions_due_soon_gets_one_reminder_listing_each(
    app, smtp, three, snapshot_text
):
    chase(app, REMINDER)
    [reminder] = smtp.readable(ANA)
    assert reminder == snapshot_text


def test_an_owner_with_one_action_due_soon_gets_a_reminder_for_it(app, smtp, three, snapshot_text):
    chase(app, REMINDER)
    [reminder] = smtp.readable(BEN)
    assert reminder == snapshot_text


def test_an_overdue_owner_gets_one_digest_listing_each_action(app, smtp, three, snapshot_text):
    chase(app, REMINDER, CHASE)
    _reminder, chased = smtp.readable(ANA)
    assert chased == snapshot_text


def test_an_owner_with_one_overdue_action_is_chased_for_it(app, smtp, three, snapshot_text):
    chase(app, REMINDER, CHASE)
    _reminder, chased = smtp.readable(BEN)
    assert chased == snapshot_text


def test_the_second_chase_says_how_long_each_action_has_been_overdue(
    app, smtp, three, snapshot_text
):
    chase(app, REMINDER, CHASE, SECOND_CHASE)
    *earlier, second_chase = smtp.readable(ANA)
    assert len(earlier) == 2
    assert second_chase == snapshot_text


def test_at_escalation_the_owner_is_told_the_chair_and_secretariat_now_know(
    app, smtp, three, snapshot_text
):
    chase(app, REMINDER, CHASE, SECOND_CHASE, ESCALATION)
    *earlier, escalated = smtp.readable(ANA)
    assert len(earlier) == 3
    assert escalated == snapshot_text


def test_the_chair_and_secretariat_get_one_escalation_listing_each_action(
    app, smtp, three, snapshot_text
):
    chase(app, REMINDER, CHASE, SECOND_CHASE, ESCALATION)
    escalations = smtp.readable(NIA)
    assert escalations == smtp.readable(SEREN)  # one email to both
    [escalation] = escalations
    assert escalation == snapshot_text


def test_an_owner_with_overdue_and_due_soon_actions_gets_both_in_one_digest(
    app, api, smtp, board, snapshot_text
):
    allocate(api, board, CARA, "Cara Nwosu", "Brief the minister on the survey", due="2027-03-04")
    allocate(api, board, CARA, "Cara Nwosu", "Book the regional roundtables")
    chase(app, REMINDER, CHASE)
    _reminder, mixed = smtp.readable(CARA)
    assert mixed == snapshot_text


LONG = (
    "Work out, with the Department for Education and the devolved administrations, how the "
    "apprenticeship levy's unspent funds could pay for shorter courses in the sectors with "
    "the worst shortages (construction, social care, digital) and what that would cost each "
    "year, and report back to the task force with options, risks and a recommendation."
)


@pytest.fixture
def welsh_board(make_taskforce, secretariat):
    """A task force whose name and owner's name are not plain ASCII."""
    return make_taskforce(
        by=secretariat,
        name="Tasglu Sgiliau – Skills Task Force",  # noqa: RUF001 - an en dash on purpose
        code="TS",
        members=[
            member("Nia Roberts", NIA, "minister", is_chair=True),
            member("Seren Pryce", SEREN, "secretariat"),
        ],
    )


def test_one_escalated_action_with_a_long_description_is_cut_short_in_each_email(
    app, api, smtp, welsh_board, snapshot_text
):
    """The owner's digest cuts a description at 300 characters, the escalation at 200; a
    task force or owner name beyond ASCII is encoded in the headers and the body."""
    assert len(LONG) > 300
    allocate(api, welsh_board, ANA, "Siân Llŷr", LONG)
    chase(app, CHASE, SECOND_CHASE, ESCALATION)  # first seen when late: no reminder
    *earlier, owner = smtp.readable(ANA)
    [escalation] = smtp.readable(NIA)
    assert len(earlier) == 2
    assert owner == snapshot_text(name="owner")
    assert escalation == snapshot_text(name="escalation")
