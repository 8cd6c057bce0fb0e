"""Attendance before and after a meeting starts, on the page and over the API, and a member's
own apologies or deputy, signed in or from the link in their invite."""

from __future__ import annotations

import re

import pytest

from taskforce.audit.models import AuditEvent
from taskforce.extensions import db
from taskforce.meetings.models import Attendance, Meeting
from tests.conftest import SAM, _csrf_from, login

#: A meeting long past, for recording who attended.
PAST = "2025-06-03T10:00:00"


def _offered(html: str, member_id: int) -> list[str]:
    """The attendance choices the page offers for one member, in order."""
    return re.findall(rf'name="status-{member_id}" value="(\w+)"', html)


def _checked(html: str, member_id: int) -> str | None:
    found = re.search(rf'name="status-{member_id}" value="(\w+)"[^>]*checked', html)
    return found.group(1) if found else None


def _summary_links(html: str) -> list[tuple[str, str]]:
    """(href, text) of each line of the error summary."""
    summary = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary)


@pytest.fixture
def staff(client, secretariat, no_csrf):
    """The secretariat user, signed in; forms go without CSRF tokens."""
    return login(client, secretariat)


# The secretariat's attendance form ---------------------------------------------------------


def test_before_the_start_the_form_offers_only_apologies_and_deputies(staff, tf, make_meeting):
    meeting = make_meeting()
    html = staff.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    for m in tf.members:
        assert _offered(html, m.id) == ["apologies", "deputy"]
    assert "Who attended can be recorded once it has started" in html


def test_once_started_the_form_offers_every_status(staff, tf, make_meeting):
    meeting = make_meeting(start=PAST, record_history=True)
    html = staff.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    for m in tf.members:
        assert _offered(html, m.id) == ["attended", "apologies", "deputy", "absent"]
    assert "Who attended can be recorded once it has started" not in html


def test_before_the_start_apologies_and_a_deputy_are_saved_and_the_meeting_stays_scheduled(
    staff, tf, make_meeting
):
    meeting = make_meeting()
    nia, sam, _seren = tf.members
    response = staff.post(
        f"/meetings/{meeting.id}/attendance",
        data={
            f"status-{nia.id}": "apologies",
            f"status-{sam.id}": "deputy",
            f"deputy-{sam.id}": "Kit Jones",
        },
    )
    assert response.status_code == 302
    rows = {
        a.member_id: (a.status, a.deputy_name)
        for a in db.session.get(Meeting, meeting.id).attendance
    }
    assert rows == {nia.id: ("apologies", ""), sam.id: ("deputy", "Kit Jones")}
    assert db.session.get(Meeting, meeting.id).status == "scheduled"


def test_a_refused_row_keeps_every_selection_and_its_error_points_at_it(staff, tf, make_meeting):
    """A page opened after the start and sent before it, or a tampered one: the refusal
    names the member's row, and nothing anyone chose is lost."""
    meeting = make_meeting()
    nia, sam, seren = tf.members
    response = staff.post(
        f"/meetings/{meeting.id}/attendance",
        data={
            f"status-{nia.id}": "apologies",
            f"status-{sam.id}": "attended",
            f"status-{seren.id}": "deputy",
            f"deputy-{seren.id}": "Ola Deputy",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _summary_links(html) == [
        (
            f"#status-{sam.id}-apologies",
            "Sam Patel: Before the meeting starts only apologies or a deputy can be recorded",
        )
    ]
    assert f'id="status-{sam.id}-error"' in html
    assert _checked(html, nia.id) == "apologies"
    assert _checked(html, seren.id) == "deputy"
    assert re.search(rf'id="deputy-{seren.id}"[^>]*value="Ola Deputy"', html)
    assert db.session.query(Attendance).count() == 0


def test_a_deputy_without_a_name_is_tied_to_the_name_box_of_that_row(staff, tf, make_meeting):
    meeting = make_meeting(start=PAST, record_history=True)
    nia, sam, _seren = tf.members
    response = staff.post(
        f"/meetings/{meeting.id}/attendance",
        data={f"status-{nia.id}": "attended", f"status-{sam.id}": "deputy"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _summary_links(html) == [(f"#deputy-{sam.id}", "Sam Patel: Enter the deputy&#39;s name")]
    assert "govuk-input--error" in html.split(f'id="deputy-{sam.id}"')[0].rsplit("<input", 1)[1]
    assert (_checked(html, nia.id), _checked(html, sam.id)) == ("attended", "deputy")
    assert db.session.get(Meeting, meeting.id).status == "scheduled"


# The API keeps its contract: field errors name the entry --------------------------------------


def test_api_before_the_start_takes_apologies_and_deputies_and_names_refused_rows(
    api, tf, make_meeting
):
    meeting = make_meeting()
    nia, sam, seren = tf.members
    refused = api.put(
        f"/meetings/{meeting.id}/attendance",
        [
            {"member_id": nia.id, "status": "apologies"},
            {"member_id": sam.id, "status": "attended"},
            {"member_id": seren.id, "status": "absent"},
        ],
    )
    assert refused.status_code == 422
    assert set(refused.get_json()["error"]["fields"]) == {"1.status", "2.status"}
    assert api.get(f"/meetings/{meeting.id}/attendance").get_json()["attendance"] == []
    ok = api.put(
        f"/meetings/{meeting.id}/attendance",
        [
            {"member_id": nia.id, "status": "apologies"},
            {"member_id": sam.id, "status": "deputy", "deputy_name": "Kit Jones"},
        ],
    )
    assert ok.status_code == 200
    assert ok.get_json()["status"] == "scheduled"
    assert ok.get_json()["present"] == 1  # a deputy counts towards the quorum


def test_api_after_the_start_takes_every_status(api, tf, make_meeting):
    meeting = make_meeting(start=PAST, record_history=True)
    nia, sam, seren = tf.members
    response = api.put(
        f"/meetings/{meeting.id}/attendance",
        [
            {"member_id": nia.id, "status": "attended"},
            {"member_id": sam.id, "status": "absent"},
            {"member_id": seren.id, "status": "apologies"},
        ],
    )
    assert response.status_code == 200
    assert (response.get_json()["present"], response.get_json()["status"]) == (1, "held")


# A member's own apologies, signed in -----------------------------------------------------------


@pytest.fixture
def sam_signed_in(client, make_user, tf, no_csrf):
    """Sam Patel, an official of tf, signed in with a member's account."""
    return login(client, make_user("member", email=SAM, name="Sam Patel"))


def test_a_member_sends_apologies_from_the_meeting_page(sam_signed_in, tf, make_meeting):
    meeting = make_meeting()
    page = sam_signed_in.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Your attendance" in page and "Send my apologies" in page
    assert "Save attendance" not in page  # the whole table is the secretariat's
    response = sam_signed_in.post(f"/meetings/{meeting.id}/apologies")
    assert response.status_code == 302
    [row] = db.session.get(Meeting, meeting.id).attendance
    assert (row.member.email, row.status) == (SAM, "apologies")
    event = db.session.query(AuditEvent).filter_by(action="meeting.attendance").one()
    assert (event.via, event.actor_label) == ("web", "Sam Patel")
    after = sam_signed_in.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Your apologies are recorded" in after
    assert "Send my apologies" not in after


def test_a_member_names_a_deputy_from_the_meeting_page(sam_signed_in, tf, make_meeting):
    meeting = make_meeting()
    response = sam_signed_in.post(
        f"/meetings/{meeting.id}/apologies", data={"deputy": "yes", "deputy_name": " Kit Jones "}
    )
    assert response.status_code == 302
    [row] = db.session.get(Meeting, meeting.id).attendance
    assert (row.status, row.deputy_name) == ("deputy", "Kit Jones")
    page = sam_signed_in.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Kit Jones is recorded as attending in your place" in page


def test_naming_a_deputy_needs_their_name(sam_signed_in, tf, make_meeting):
    meeting = make_meeting()
    response = sam_signed_in.post(
        f"/meetings/{meeting.id}/apologies", data={"deputy": "yes", "deputy_name": "  "}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _summary_links(html) == [("#deputy_name", "Enter your deputy&#39;s name")]
    assert db.session.query(Attendance).count() == 0


def test_apologies_once_the_meeting_has_started_are_refused(sam_signed_in, tf, make_meeting):
    meeting = make_meeting(start=PAST, record_history=True)
    assert "Your attendance" not in sam_signed_in.get(f"/meetings/{meeting.id}").get_data(
        as_text=True
    )
    response = sam_signed_in.post(f"/meetings/{meeting.id}/apologies")
    assert response.status_code == 409
    assert "apologies can no longer be given" in response.get_data(as_text=True)
    assert db.session.query(Attendance).count() == 0


def test_only_members_send_apologies(staff, tf, make_meeting):
    """The secretariat user who runs tf is not one of its members: it has the whole table."""
    meeting = make_meeting()
    assert "Your attendance" not in staff.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert staff.post(f"/meetings/{meeting.id}/apologies").status_code == 403
    assert db.session.query(Attendance).count() == 0


def test_a_member_of_another_task_force_cannot_reach_the_meeting(
    client, make_user, make_taskforce, make_meeting, no_csrf
):
    other = make_taskforce()
    meeting = make_meeting(other)
    login(client, make_user("member", email=SAM))
    assert client.post(f"/meetings/{meeting.id}/apologies").status_code == 403
    assert db.session.query(Attendance).count() == 0


def test_the_link_in_the_invite_names_a_deputy_too(api, tf, make_meeting, smtp, app):
    meeting = make_meeting()
    api.post(f"/meetings/{meeting.id}/invites")
    text = smtp.to(SAM)[0].get_body(preferencelist=("plain",)).get_content()
    path = "/apologies/" + text.split("/apologies/")[1].split()[0]
    browser = app.test_client()
    page = browser.get(path).get_data(as_text=True)
    token = _csrf_from(page)
    assert "Name my deputy" in page
    empty = browser.post(path, data={"csrf_token": token, "deputy": "yes", "deputy_name": ""})
    assert empty.status_code == 422
    assert "Enter your deputy&#39;s name" in empty.get_data(as_text=True)
    done = browser.post(
        path, data={"csrf_token": token, "deputy": "yes", "deputy_name": "Kit Jones"}
    )
    assert done.status_code == 200
    assert "Deputy named" in done.get_data(as_text=True)
    [row] = db.session.get(Meeting, meeting.id).attendance
    assert (row.member.email, row.status, row.deputy_name) == (SAM, "deputy", "Kit Jones")
    event = db.session.query(AuditEvent).filter_by(action="meeting.attendance").one()
    assert event.via == "email_link"
