"""The tracker pages, exports and the web forms for actions."""

from __future__ import annotations

import csv
import io
import re
from contextlib import contextmanager
from datetime import date, timedelta
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, insert

from taskforce.actions.models import Action
from taskforce.clock import today
from taskforce.extensions import db
from tests.conftest import SAM, _csrf_from, login

ANA = "ana.lopes@example.gov.uk"


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


def bulk_actions(tf, n: int, start: int = 1) -> None:
    base = today()
    db.session.execute(
        insert(Action),
        [
            {
                "taskforce_id": tf.id,
                "meeting_number": 0,
                "number": i,
                "reference": f"{tf.code}-0/{i}",
                "description": f"Action number {i}",
                "owner_name": f"Owner {i % 37}",
                "owner_email": f"owner{i % 37}@example.gov.uk",
                "owner_organisation": ["Treasury", "Home Office", "DfE"][i % 3],
                "due_on": base + timedelta(days=(i % 60) - 30),
                "status": ["open", "in_progress", "complete", "closed"][i % 4],
                "version": 1,
            }
            for i in range(start, start + n)
        ],
    )
    db.session.commit()


@pytest.mark.parametrize("path", ["/taskforces/{tf}/actions", "/actions"])
def test_the_tracker_makes_as_many_queries_for_1000_actions_as_for_10(web, tf, path):
    url = path.format(tf=tf.id)
    bulk_actions(tf, 10)
    with count_queries() as small:
        assert web.get(url).status_code == 200
    bulk_actions(tf, 990, start=11)
    with count_queries() as large:
        page = web.get(url)
    assert page.status_code == 200
    assert "1000 actions, page 1 of 20" in page.get_data(as_text=True)
    assert len(large) == len(small), (len(small), len(large))


def test_filters_sorting_and_paging(web, tf, make_action):
    make_action("ana@example.gov.uk", today() - timedelta(days=3), "Ana Lopes", organisation="DfE")
    make_action("ben@example.gov.uk", today() + timedelta(days=3), "Ben Clarke", organisation="HMT")
    html = web.get(f"/taskforces/{tf.id}/actions?overdue=y").get_data(as_text=True)
    assert "Ana Lopes" in html and "Ben Clarke" not in html
    html = web.get(f"/taskforces/{tf.id}/actions?organisation=HMT").get_data(as_text=True)
    assert "Ben Clarke" in html and "Ana Lopes" not in html
    html = web.get(f"/taskforces/{tf.id}/actions?owner=lopes").get_data(as_text=True)
    assert "Ana Lopes" in html and "Ben Clarke" not in html
    html = web.get(f"/taskforces/{tf.id}/actions?sort=-due").get_data(as_text=True)
    assert html.index("Ben Clarke") < html.index("Ana Lopes")
    html = web.get(f"/taskforces/{tf.id}/actions?status=closed").get_data(as_text=True)
    assert "No actions match" in html
    bulk_actions(tf, 120, start=10)
    html = web.get(f"/taskforces/{tf.id}/actions?page=3").get_data(as_text=True)
    assert "page 3 of 3" in html


@pytest.mark.parametrize(
    "query",
    ["status=bogus", "organisation=Nowhere", "meeting=abc", "sort=evil", "page=-4", "owner=a%00b"],
)
def test_bad_filters_are_reported_not_a_500(web, tf, make_action, query):
    make_action("ana@example.gov.uk", today(), "Ana Lopes")
    response = web.get(f"/taskforces/{tf.id}/actions?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ana Lopes" in html  # the bad filter is ignored, the rest still works
    if not query.startswith("page"):
        assert "There is a problem" in html


def test_csv_export_holds_what_is_shown_and_neutralises_formulas(web, tf, make_action):
    make_action("ana@example.gov.uk", today(), '=HYPERLINK("http://x")', description="+SUM(A1)")
    make_action("ben@example.gov.uk", today(), "Ben Clarke", organisation="HMT")
    response = web.get(f"/taskforces/{tf.id}/actions/export.csv?owner=ana")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Reference", "Task force", "Action"]
    assert len(rows) == 2  # Ben is filtered out, as on the page
    assert rows[1][2] == "'+SUM(A1)"
    assert rows[1][3].startswith("'=HYPERLINK")


def test_xlsx_export_has_real_dates(web, tf, make_action):
    due = date(2027, 5, 4)
    make_action("ana@example.gov.uk", due, "=SUM(A1)", description="@cmd|' /C calc'!A0")
    response = web.get(f"/taskforces/{tf.id}/actions/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header, row = list(sheet.iter_rows(values_only=True))
    assert header[6] == "Due date"
    assert row[6].date() == due
    assert row[2] == "@cmd|' /C calc'!A0"  # a text cell, shown as typed, never run
    assert row[0] == "SW-0/1"
    assert row[3] == "=SUM(A1)"
    cell = load_workbook(io.BytesIO(response.get_data())).active["D2"]
    assert cell.data_type == "s"


def test_an_owner_sees_everything_they_own_across_task_forces(
    web, tf, make_action, make_taskforce, secretariat
):
    other = make_taskforce(by=secretariat, code="HX", name="Housing Task Force", members=[])
    make_action("ana@example.gov.uk", today(), "Ana Lopes", description="Skills job")
    make_action(
        "ana@example.gov.uk", today(), "Ana Lopes", description="Housing job", taskforce=other
    )
    make_action("ben@example.gov.uk", today(), "Ben Clarke", description="Not hers")
    html = web.get("/actions/owner?owner_email=ana@example.gov.uk").get_data(as_text=True)
    assert "Actions owned by Ana Lopes" in html
    assert "Skills job" in html and "Housing job" in html and "Not hers" not in html


def test_the_owner_page_names_nobody_from_task_forces_you_cannot_see(
    client, make_user, make_taskforce, secretariat, make_action
):
    hidden = make_taskforce(by=secretariat, code="HX", name="Hidden Task Force", members=[])
    make_action("secret.owner@example.gov.uk", today(), "Hidden Person", taskforce=hidden)
    other = make_user("secretariat", email="other.sec@example.gov.uk")
    login(client, other)
    page = unescape(
        client.get("/actions/owner?owner_email=secret.owner@example.gov.uk").get_data(as_text=True)
    )
    assert "Hidden Person" not in page


def test_members_see_only_their_task_forces_actions(
    client, make_user, make_taskforce, secretariat, make_action, tf
):
    other = make_taskforce(by=secretariat, code="HX", name="Housing Task Force", members=[])
    make_action("ana@example.gov.uk", today(), "Ana Lopes", description="Visible job")
    make_action(
        "ana@example.gov.uk", today(), "Ana Lopes", description="Hidden job", taskforce=other
    )
    sam = make_user("member", email=SAM)  # a member of tf only
    login(client, sam)
    html = client.get("/actions").get_data(as_text=True)
    assert "Visible job" in html and "Hidden job" not in html
    assert client.get(f"/taskforces/{other.id}/actions").status_code == 403
    csv_text = client.get("/actions/export.csv").get_data(as_text=True)
    assert "Visible job" in csv_text and "Hidden job" not in csv_text
    assert client.get(f"/taskforces/{tf.id}/actions/new").status_code == 403


def _form(web, url: str) -> str:
    return _csrf_from(web.get(url).get_data(as_text=True))


def test_allocate_an_action_and_email_its_owner(web, tf, smtp):
    url = f"/taskforces/{tf.id}/actions/new"
    due = today() + timedelta(days=14)
    response = web.post(
        url,
        data={
            "csrf_token": _form(web, url),
            "meeting_id": "",
            "description": "Publish the skills dashboard",
            "owner_name": "Ana Lopes",
            "owner_email": "Ana@Example.gov.uk",
            "owner_organisation": "DfE",
            "due_date": [str(due.day), str(due.month), str(due.year)],
            "send_link": "y",
        },
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Action SW-0/1 allocated to Ana Lopes" in html
    assert "emailed a link" in html
    assert len(smtp.to("ana@example.gov.uk")) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("owner_email", "not-an-email", "Enter an email address in the correct format"),
        ("owner_email", "zoë@example.gov.uk", "only the letters A to Z"),
        ("owner_name", "", "Enter the owner's name"),
        ("owner_name", "Two\nlines", "one line"),
        ("description", "", "Describe the action"),
        ("due_date", ["31", "2", "2027"], "must be a real date"),
        ("meeting_id", "999", "Not a valid choice"),
    ],
)
def test_allocating_with_bad_input_changes_nothing(web, tf, field, value, message):
    url = f"/taskforces/{tf.id}/actions/new"
    data = {
        "csrf_token": _form(web, url),
        "meeting_id": "",
        "description": "Publish the dashboard",
        "owner_name": "Ana Lopes",
        "owner_email": "ana@example.gov.uk",
        "due_date": ["1", "6", "2027"],
        field: value,
    }
    response = web.post(url, data=data)
    assert response.status_code == 422
    html = unescape(response.get_data(as_text=True))
    assert "There is a problem" in html and message in html
    assert db.session.query(Action).count() == 0


def test_a_past_due_date_is_allowed_with_a_warning(web, tf):
    url = f"/taskforces/{tf.id}/actions/new"
    past = today() - timedelta(days=10)
    html = web.post(
        url,
        data={
            "csrf_token": _form(web, url),
            "meeting_id": "",
            "description": "Late already",
            "owner_name": "Ana Lopes",
            "owner_email": "ana@example.gov.uk",
            "due_date": [str(past.day), str(past.month), str(past.year)],
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "has already passed" in html
    assert db.session.query(Action).count() == 1


def _update(web, action, **changes):
    page = web.get(f"/actions/{action.id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = {
        "csrf_token": _csrf_from(page),
        "version": version,
        "status": action.status,
        "due_date": [str(action.due_on.day), str(action.due_on.month), str(action.due_on.year)],
        "description": action.description,
        "comment": "",
        **changes,
    }
    return web.post(f"/actions/{action.id}", data=data)


def test_update_an_action_on_the_web_and_see_its_history(web, make_action):
    action = make_action("ana@example.gov.uk", today() + timedelta(days=5), "Ana Lopes")
    response = _update(web, action, status="in_progress", comment="Begun")
    assert response.status_code == 302
    html = web.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Status: Open → In progress" in html and "Begun" in html


def test_a_stale_web_edit_is_a_conflict_not_an_overwrite(web, make_action, api):
    action = make_action("ana@example.gov.uk", today() + timedelta(days=5), "Ana Lopes")
    page = web.get(f"/actions/{action.id}").get_data(as_text=True)
    api.patch(f"/actions/{action.id}", {"description": "Changed meanwhile"})
    response = web.post(
        f"/actions/{action.id}",
        data={
            "csrf_token": _csrf_from(page),
            "version": "1",
            "status": "open",
            "due_date": ["1", "6", "2027"],
            "description": "My edit",
        },
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.get_data(as_text=True)
    db.session.refresh(action)
    assert action.description == "Changed meanwhile"


def test_nonsense_transitions_and_drops_without_reason_are_refused(web, make_action, api):
    action = make_action("ana@example.gov.uk", today() + timedelta(days=5), "Ana Lopes")
    response = _update(web, action, status="dropped")
    assert response.status_code == 422 and "Say why" in response.get_data(as_text=True)
    api.patch(f"/actions/{action.id}", {"status": "closed"})
    db.session.refresh(action)
    response = _update(web, action, status="in_progress")
    assert response.status_code == 422
    assert "Reopen it first" in response.get_data(as_text=True)
    db.session.refresh(action)
    assert action.status == "closed"


def test_the_secretariat_accepts_or_declines_a_proposed_date(web, make_action):
    action = make_action("ana@example.gov.uk", today() + timedelta(days=5), "Ana Lopes")
    action.proposed_due_on = today() + timedelta(days=30)
    db.session.commit()
    page = web.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "proposes a new due date" in page
    response = web.post(
        f"/actions/{action.id}/proposal",
        data={"csrf_token": _csrf_from(page), "version": str(action.version), "decision": "accept"},
    )
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.due_on == today() + timedelta(days=30) and action.proposed_due_on is None


def test_a_web_edit_that_keeps_the_date_keeps_the_owners_proposal(web, make_action):
    action = make_action(ANA, today() + timedelta(days=5), "Ana Lopes")
    proposed = today() + timedelta(days=30)
    action.proposed_due_on = proposed
    db.session.commit()
    page = web.get(f"/actions/{action.id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    due = action.due_on
    response = web.post(
        f"/actions/{action.id}",
        data={
            "csrf_token": _csrf_from(page),
            "version": version,
            "status": "in_progress",
            "due_date": [str(due.day), str(due.month), str(due.year)],
            "description": action.description,
        },
    )
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.status == "in_progress" and action.proposed_due_on == proposed


def test_a_bad_comment_on_a_proposal_decision_is_explained(web, make_action):
    action = make_action(ANA, today() + timedelta(days=5), "Ana Lopes")
    action.proposed_due_on = today() + timedelta(days=30)
    db.session.commit()
    page = web.get(f"/actions/{action.id}").get_data(as_text=True)
    response = web.post(
        f"/actions/{action.id}/proposal",
        data={
            "csrf_token": _csrf_from(page),
            "version": str(action.version),
            "decision": "accept",
            "comment": "x" * 2001,
        },
    )
    assert response.status_code == 422
    assert "There is a problem" in response.get_data(as_text=True)
    db.session.refresh(action)
    assert action.proposed_due_on is not None


def test_the_ladder_page_saves_and_refuses_nonsense(web, tf):
    url = f"/taskforces/{tf.id}/chasing"
    token = _form(web, url)
    bad = web.post(
        url,
        data={
            "csrf_token": token,
            "reminder": "2",
            "chase": "1",
            "second_chase": "6",
            "escalation": "11",
        },
    )
    assert "There is a problem" in bad.get_data(as_text=True)
    good = web.post(
        url,
        data={
            "csrf_token": token,
            "reminder": "-2",
            "chase": "1",
            "second_chase": "4",
            "escalation": "9",
        },
    )
    assert good.status_code == 302
    db.session.refresh(tf)
    assert tf.chase_offsets == {"reminder": -2, "chase": 1, "second_chase": 4, "escalation": 9}
