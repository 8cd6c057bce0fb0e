"""The change history: only real changes are recorded, each said in words, linked to its
record, a page of 50 at a time, filtered by kind of record and by person."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

from taskforce.audit.models import AuditEvent
from taskforce.audit.services import Actor, record
from taskforce.bodies import services as body_services
from taskforce.extensions import db
from tests.conftest import TF_PRIORITIES

pytestmark = pytest.mark.usefixtures("no_csrf")

WEB = Actor.system("web", "Tess Ward")


def _events(action: str) -> list[AuditEvent]:
    return db.session.query(AuditEvent).filter_by(action=action).order_by(AuditEvent.id).all()


def _history(web, tf, **query) -> str:
    response = web.get(f"/taskforces/{tf.id}/history", query_string=query)
    assert response.status_code == 200
    return unescape(re.sub(r"\s+", " ", response.text))


def _rows(html: str) -> list[str]:
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"<[^>]+>", " ", row) for row in body.split("</tr>")[:-1]]


# In words, with links ------------------------------------------------------------------


def test_the_history_says_each_change_in_words(web, tf, make_action, make_meeting, api):
    meeting = make_meeting(start="2040-02-07T10:00:00")
    moved = api.patch(f"/meetings/{meeting.id}", {"start": "2040-02-14T11:30:00"})
    assert moved.status_code == 200, moved.get_json()
    action = make_action(due=date(2030, 3, 3))
    assert api.patch(f"/actions/{action.id}", {"status": "in_progress"}).status_code == 200
    assert api.patch(f"/actions/{action.id}", {"due_date": "2030-04-17"}).status_code == 200
    assert api.patch(f"/taskforces/{tf.id}", {"review_on": "2031-01-31"}).status_code == 200
    html = _history(web, tf)
    assert "Status: <del>Open</del> → <ins>In progress</ins>" in html
    assert "Due date: <del>3 March 2030</del> → <ins>17 April 2030</ins>" in html
    assert "Review date: <del>none</del> → <ins>31 January 2031</ins>" in html
    assert (
        "Start: <del>7 February 2040 at 10:00am</del> → <ins>14 February 2040 at 11:30am</ins>"
        in html
    )
    assert "in_progress" not in html and "2030-03-03" not in html
    assert "none</del> → <ins>none" not in html
    assert "through the API" in html


def test_noisy_rows_recorded_before_show_only_what_changed(web, tf, make_action):
    action = make_action()
    record(
        WEB,
        "action.updated",
        action,
        taskforce_id=tf.id,
        changes={"status": ["open", "complete"], "due_date": [None, None]},
        summary=f"Updated {action.reference}",
    )
    db.session.commit()
    html = _history(web, tf)
    (row,) = [r for r in _rows(html) if "Updated" in r]
    assert "Status: Open → Complete" in " ".join(row.split())
    assert "Due date" not in row


def test_each_entry_links_to_its_record_while_it_exists(web, tf, api, make_action, make_meeting):
    action = make_action()
    meeting = make_meeting()
    sam = next(m for m in tf.members if m.name == "Sam Patel")
    body_services.remove_member(sam, WEB)
    db.session.commit()
    html = _history(web, tf)
    assert f'<a class="govuk-link" href="/actions/{action.id}">{action.reference}</a>' in html
    assert f'<a class="govuk-link" href="/taskforces/{tf.id}/meetings">The meetings</a>' in html
    api.patch(f"/meetings/{meeting.id}", {"location": "Room 2"})
    html = _history(web, tf)
    assert f'<a class="govuk-link" href="/meetings/{meeting.id}">Meeting 1</a>' in html
    assert f'<a class="govuk-link" href="/taskforces/{tf.id}">Terms of reference</a>' in html
    assert "Sam Patel (removed)" in html
    assert f'href="/members/{sam.id}/edit"' not in html


def test_the_purpose_rewritten_links_to_the_versions(web, tf, api):
    api.patch(f"/taskforces/{tf.id}", {"purpose": "A new purpose."})
    html = _history(web, tf)
    assert (
        f'Purpose: rewritten (<a class="govuk-link" href="/taskforces/{tf.id}/versions">'
        "compare the versions</a>)"
    ) in html


# Paging and filters ----------------------------------------------------------------------


def _many_events(tf, count: int, *, by: str = "Tess Ward", subject=None) -> None:
    actor = Actor.system("web", by)
    for n in range(count):
        record(actor, "taskforce.updated", subject or tf, taskforce_id=tf.id, summary=f"Edit {n}")
    db.session.commit()


def test_the_history_comes_fifty_to_a_page(web, tf):
    _many_events(tf, 118)  # and the task force's own creation: 119
    first = _history(web, tf)
    assert len(_rows(first)) == 50
    assert "119 changes, showing 1 to 50." in first
    assert 'aria-label="Pages of the change history"' in first
    assert f'href="/taskforces/{tf.id}/history?page=2"' in first
    last = _history(web, tf, page="3")
    assert len(_rows(last)) == 19
    assert "showing 101 to 119" in last
    assert "Created Skills and Work Task Force" in last
    beyond = _history(web, tf, page="99")  # a page past the end is the last
    assert "showing 101 to 119" in beyond


def test_the_history_filters_by_kind_of_record_and_by_person(web, tf, make_action):
    action = make_action()
    _many_events(tf, 3, by="Ravi Shah")
    _many_events(tf, 2, by="Ravi Shah", subject=action)
    html = _history(web, tf)
    assert '<option value="Action">Actions</option>' in html
    assert '<option value="Ravi Shah">Ravi Shah</option>' in html
    actions = _history(web, tf, kind="Action")
    assert len(_rows(actions)) == 3  # allocated, and Ravi's two
    ravi = _history(web, tf, person="Ravi Shah")
    assert len(_rows(ravi)) == 5
    both = _history(web, tf, kind="Action", person="Ravi Shah", page="1")
    assert len(_rows(both)) == 2
    assert "2 changes." in both and "Clear filters" in both
    nobody = _history(web, tf, person="Nobody at all")  # not on the list: ignored, said so
    assert len(_rows(nobody)) == 7
    assert "Not a valid choice" in nobody


def test_paging_keeps_the_filters(web, tf):
    _many_events(tf, 60, by="Ravi Shah")
    html = _history(web, tf, person="Ravi Shah")
    assert "60 changes, showing 1 to 50." in html
    assert f'href="/taskforces/{tf.id}/history?person=Ravi+Shah&page=2"' in html


def test_readers_cannot_see_the_history(client, make_user, tf):
    from tests.conftest import SAM, login

    login(client, make_user("member", email=SAM))
    assert client.get(f"/taskforces/{tf.id}/history").status_code == 403


def test_a_page_costs_the_same_queries_for_few_records_or_many(web, tf, api, make_risk):
    from sqlalchemy import event

    def statements_for_page() -> int:
        seen: list[str] = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            _history(web, tf)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    def assessed(n: int) -> None:
        body = {
            "priority": TF_PRIORITIES[n % 2],
            "assessed_on": f"2027-0{n}-01",
            "degree_of_challenge": "H",
            "quality_of_planning": "AR",
            "capacity_to_drive_progress": "AG",
            "stage_of_delivery": 2,
            "likelihood_of_delivery": "AR",
        }
        made = api.post(f"/taskforces/{tf.id}/assessments", body)
        assert made.status_code == 201, made.get_json()

    make_risk()
    assessed(1)  # on the second priority; the others on both
    few = statements_for_page()
    for n in range(2, 10):
        make_risk()
        assessed(n)
    assert statements_for_page() == few
