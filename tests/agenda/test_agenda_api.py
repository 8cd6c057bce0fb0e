"""The agenda over the API: built, timed, reordered, carried over, agreed; bad input refused
with nothing half-stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from taskforce.agenda.models import AgendaItem, Paper
from taskforce.extensions import db
from tests.conftest import SAM


@pytest.fixture
def meeting(make_meeting):
    # Tuesday 7 February 2040, 10:00 to 11:30 UK time.
    return make_meeting()


def titles(api, meeting) -> list[str]:
    return [i["title"] for i in api.get(f"/meetings/{meeting.id}/agenda-items").json["items"]]


def add(api, meeting, title: str, minutes: int = 15, **extra):
    response = api.post(
        f"/meetings/{meeting.id}/agenda-items",
        {"title": title, "lead": "Director of Skills", "duration_minutes": minutes, **extra},
    )
    assert response.status_code == 201, response.json
    return response.json


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_new_meeting_starts_with_the_standing_items(api, meeting):
    listed = api.get(f"/meetings/{meeting.id}/agenda-items").json
    assert [(i["number"], i["title"], i["standing"]) for i in listed["items"]] == [
        (1, "Welcome and apologies", True),
        (2, "Minutes and actions of the last meeting", True),
        (3, "Performance report", True),
        (4, "Any other business", True),
    ]
    assert listed["total_minutes"] == 40 and listed["meeting_minutes"] == 90


def test_an_agenda_is_built_reordered_and_timed(api, meeting):
    skills = add(api, meeting, "Skills bootcamps: next steps", 30, purpose="decision")
    # After the standing items' 40 minutes; UK time is GMT in February.
    assert (skills["number"], skills["start"]) == (5, "2040-02-07T10:40:00Z")
    youth = add(api, meeting, "Youth guarantee pilot", 20)
    items = api.get(f"/meetings/{meeting.id}/agenda-items").json["items"]
    ids = [i["id"] for i in items]
    # Any other business last again, youth guarantee before skills.
    order = [*ids[:3], youth["id"], skills["id"], ids[3]]
    response = api.put(f"/meetings/{meeting.id}/agenda-order", order)
    assert response.status_code == 200, response.json
    listed = response.json["items"]
    assert [i["id"] for i in listed] == order
    assert [(i["number"], i["start"][11:16], i["end"][11:16]) for i in listed] == [
        (1, "10:00", "10:05"),
        (2, "10:05", "10:15"),
        (3, "10:15", "10:35"),
        (4, "10:35", "10:55"),
        (5, "10:55", "11:25"),
        (6, "11:25", "11:30"),
    ]
    assert response.json["warnings"] == []


def test_an_agenda_longer_than_the_meeting_is_a_warning_not_a_refusal(api, meeting):
    add(api, meeting, "Deep dive: work coach caseloads", 60)
    listed = api.get(f"/meetings/{meeting.id}/agenda-items").json
    assert listed["total_minutes"] == 100
    [warning] = listed["warnings"]
    assert "10 minutes longer than the meeting's 1 hour 30 minutes" in warning
    assert "11:40" in warning


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        (0, "greater than or equal to 1"),
        (-15, "greater than or equal to 1"),
        (481, "less than or equal to 480"),
        ("15", "valid integer"),
    ],
)
def test_a_duration_of_zero_negative_or_over_eight_hours_is_refused(api, meeting, minutes, message):
    response = api.post(
        f"/meetings/{meeting.id}/agenda-items", {"title": "Too long", "duration_minutes": minutes}
    )
    assert response.status_code == 422
    assert message in response.json["error"]["fields"]["duration_minutes"][0]
    assert count(AgendaItem) == 4  # the standing items alone


@pytest.mark.parametrize(
    ("order", "field"),
    [
        ("missing", "_body"),
        ("repeated", "4"),
        ("added", "4"),
        ("foreign", "3"),
        ("text", "0"),
    ],
)
def test_an_order_that_misses_repeats_or_adds_ids_is_refused(
    api, meeting, make_meeting, order, field
):
    ids = [i["id"] for i in api.get(f"/meetings/{meeting.id}/agenda-items").json["items"]]
    other = make_meeting(start="2040-03-20T10:00:00")
    other_id = api.get(f"/meetings/{other.id}/agenda-items").json["items"][0]["id"]
    body = {
        "missing": ids[:3],
        "repeated": [*ids, ids[0]],
        "added": [*ids, 999_999],
        "foreign": [*ids[:3], other_id],
        "text": ["one", *ids[1:]],
    }[order]
    response = api.put(f"/meetings/{meeting.id}/agenda-order", body)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert [i["id"] for i in api.get(f"/meetings/{meeting.id}/agenda-items").json["items"]] == ids


def test_an_order_that_is_not_a_list_of_ids_is_a_clear_refusal(api, meeting):
    response = api.put(f"/meetings/{meeting.id}/agenda-order", {"order": [1, 2]})
    assert response.status_code == 422
    response = api.put(
        f"/meetings/{meeting.id}/agenda-order", data="[1,", content_type="application/json"
    )
    assert response.status_code == 400


def test_items_are_changed_and_deleted_and_numbers_close_up(api, meeting):
    item = add(api, meeting, "Skills bootcamps", 30)
    changed = api.patch(
        f"/agenda-items/{item['id']}",
        {"title": "Skills bootcamps: the evaluation", "duration_minutes": 25, "version": 1},
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["title"] == "Skills bootcamps: the evaluation"
    stale = api.patch(f"/agenda-items/{item['id']}", {"title": "Old copy", "version": 1})
    assert stale.status_code == 409
    first = api.get(f"/meetings/{meeting.id}/agenda-items").json["items"][0]
    assert api.delete(f"/agenda-items/{first['id']}").status_code == 204
    listed = api.get(f"/meetings/{meeting.id}/agenda-items").json["items"]
    assert [i["number"] for i in listed] == [1, 2, 3, 4]
    assert listed[-1]["title"] == "Skills bootcamps: the evaluation"


def test_a_lead_is_a_member_or_a_name(api, meeting, tf):
    sam = next(m for m in tf.members if m.email == SAM)
    item = add(api, meeting, "Employer survey", lead_member_id=sam.id)
    assert (item["lead"], item["lead_member_id"]) == ("Sam Patel", sam.id)
    response = api.post(
        f"/meetings/{meeting.id}/agenda-items",
        {"title": "Outsider", "duration_minutes": 5, "lead_member_id": 999_999},
    )
    assert response.status_code == 422
    assert "lead_member_id" in response.json["error"]["fields"]


def test_an_item_is_carried_over_with_its_paper_and_says_where_from(api, meeting, make_meeting):
    later = make_meeting(start="2040-03-20T10:00:00")
    item = add(api, meeting, "Regional colleges", 20, paper="# Colleges\n\nThe map so far.")
    reference = item["paper"]["reference"]
    assert reference == "SW-1/P01"
    moved = api.post(f"/agenda-items/{item['id']}/carry-over")
    assert moved.status_code == 200, moved.json
    assert moved.json["meeting_id"] == later.id
    assert moved.json["carried_from"] == {"meeting_id": meeting.id, "number": 1}
    assert moved.json["paper"]["reference"] == reference  # cited, so it never changes
    assert moved.json["number"] == 5  # after the later meeting's standing items
    assert "Regional colleges" not in titles(api, meeting)
    assert api.get(f"/agenda-items/{item['id']}/paper").data.startswith(b"# Colleges")


def test_carrying_over_with_no_later_meeting_is_a_conflict(api, meeting):
    item = add(api, meeting, "Regional colleges")
    response = api.post(f"/agenda-items/{item['id']}/carry-over")
    assert response.status_code == 409
    assert "no scheduled meeting after meeting 1" in response.json["error"]["message"]


def test_paper_references_stay_put_when_items_are_reordered(api, meeting):
    first = add(api, meeting, "First paper", paper="One.")
    second = add(api, meeting, "Second paper", paper="Two.")
    ids = [i["id"] for i in api.get(f"/meetings/{meeting.id}/agenda-items").json["items"]]
    api.put(f"/meetings/{meeting.id}/agenda-order", list(reversed(ids)))
    listed = {i["id"]: i for i in api.get(f"/meetings/{meeting.id}/agenda-items").json["items"]}
    assert listed[first["id"]]["paper"]["reference"] == "SW-1/P01"
    assert listed[second["id"]]["paper"]["reference"] == "SW-1/P02"
    assert listed[second["id"]]["number"] < listed[first["id"]]["number"]


def test_agreement_with_the_chair_is_recorded_and_a_later_change_says_so(api, meeting):
    assert api.get(f"/meetings/{meeting.id}/agenda").json["agreed_at"] is None
    agreed = api.post(f"/meetings/{meeting.id}/agenda/agreed").json
    assert agreed["agreed_with"] == "Nia Roberts, Minister"
    assert agreed["agreed_at"] is not None and agreed["changed_after_agreement_at"] is None
    add(api, meeting, "A late addition")
    after = api.get(f"/meetings/{meeting.id}/agenda").json
    assert after["changed_after_agreement_at"] is not None
    again = api.post(f"/meetings/{meeting.id}/agenda/agreed").json
    assert again["changed_after_agreement_at"] is None


def test_markdown_papers_are_sanitised_and_capped(api, meeting):
    item = add(
        api,
        meeting,
        "With HTML",
        paper='Hello <script>alert(1)</script> <img src="x" onerror="alert(2)"> **there**',
    )
    assert item["paper"]["kind"] == "markdown" and item["paper"]["status"] == "received"
    huge = "![chart](data:image/png;base64," + "A" * 200_000 + ")"
    response = api.post(
        f"/meetings/{meeting.id}/agenda-items",
        {"title": "Huge picture", "duration_minutes": 5, "paper": huge},
    )
    assert response.status_code == 422
    assert "paper" in response.json["error"]["fields"]
    assert count(Paper) == 1


def test_a_ten_megabyte_data_uri_is_too_large_to_send(api, meeting):
    huge = "![chart](data:image/png;base64," + "A" * (10 * 1024 * 1024) + ")"
    response = api.post(
        f"/meetings/{meeting.id}/agenda-items",
        {"title": "Huge picture", "duration_minutes": 5, "paper": huge},
    )
    assert response.status_code == 413
    assert count(Paper) == 0


def test_standing_items_are_set_per_task_force(api, tf, make_meeting):
    response = api.put(
        f"/taskforces/{tf.id}/standing-items",
        [
            {"title": "Welcome", "duration_minutes": 5},
            {"title": "Delivery dashboard", "duration_minutes": 25, "purpose": "discussion"},
        ],
    )
    assert response.status_code == 200, response.json
    meeting = make_meeting(start="2040-05-01T10:00:00")
    assert titles(api, meeting) == ["Welcome", "Delivery dashboard"]
    bad = api.put(f"/taskforces/{tf.id}/standing-items", [{"title": "Zero", "duration_minutes": 0}])
    assert bad.status_code == 422 and "0.duration_minutes" in bad.json["error"]["fields"]


def test_a_cancelled_meetings_agenda_cannot_change_but_its_items_can_be_carried_over(
    api, meeting, make_meeting
):
    later = make_meeting(start="2040-03-20T10:00:00")
    item = add(api, meeting, "Youth guarantee")
    api.post(f"/meetings/{meeting.id}/cancel", {"reason": "Recess"})
    refused = api.post(
        f"/meetings/{meeting.id}/agenda-items", {"title": "More", "duration_minutes": 5}
    )
    assert refused.status_code == 409
    assert api.post(f"/agenda-items/{item['id']}/carry-over").json["meeting_id"] == later.id
