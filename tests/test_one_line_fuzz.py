"""Every one-line field, on the API and on the web, refuses every line break and control.

Each example draws one value with such characters inside it and sends it to every one-line
field there is (each is found by the API's Line type or the forms' SingleLine, and the tests
below fail when a new one is not covered here); each must answer with a field error, never
a 500, and store nothing. Then a new meeting is invited, moved and cancelled, as mail built
from the task force's text would fail first if any of it had got in.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Annotated, get_args, get_origin

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, Text, select
from wtforms.fields.core import UnboundField

import taskforce
from taskforce.api.spec import OPERATIONS
from taskforce.extensions import db
from taskforce.forms import SingleLine
from taskforce.schemas import Line
from taskforce.text import CONTROL, LINE_BREAKS
from tests.conftest import PASSWORD, SAM, TF_PRIORITIES, login
from tests.pages import form_fields

#: The whole class: every line break (as str.splitlines() knows them), every C0 and C1 control.
BAD = sorted({*LINE_BREAKS, *map(chr, range(0x20)), *map(chr, range(0x7F, 0xA0))})
#: Ordinary text around the bad characters; it starts and ends with a letter, so stripping
#: the value (forms and API both strip) never removes them.
_words = st.text(st.characters(categories=("L", "N", "Zs", "Po")), max_size=6)
BAD_VALUES = st.builds(
    lambda before, bad, after: f"A{before}{bad}{after}Z",
    _words,
    st.lists(st.sampled_from(BAD), min_size=1, max_size=3).map("".join),
    _words,
)
FUZZ = settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: String columns that hold text over several lines (or the service's own), not one line.
MULTI_LINE_COLUMNS = {
    ("meetings", "cancel_reason"),
    ("outbox_messages", "last_error"),
    ("tor_versions", "summary"),
    ("audit_events", "summary"),
}


def _stored_controls() -> list[tuple[str, str, str]]:
    """Every one-line column value, in every table, holding a line break or control."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String) or isinstance(column.type, Text):
                continue
            if (table.name, column.name) in MULTI_LINE_COLUMNS:
                continue
            for value in db.session.scalars(select(column).where(column.is_not(None))):
                if isinstance(value, str) and CONTROL.search(value):
                    found.append((table.name, column.name, value))
    return found


# --- What there is to cover -------------------------------------------------------------


def _is_line(annotation, metadata=()) -> bool:
    single = get_args(Line(1))[-1].func  # the validator every Line type carries
    if any(getattr(m, "func", None) is single for m in metadata):
        return True
    if get_origin(annotation) is Annotated:
        return _is_line(get_args(annotation)[0], annotation.__metadata__)
    return any(_is_line(arg) for arg in get_args(annotation))


def api_line_fields() -> set[tuple[str, str, str]]:
    """(method, rule, field) of every one-line field of every API request body."""
    return {
        (op.method, op.rule, name)
        for op in OPERATIONS
        if op.body is not None
        for name, info in op.body.model_fields.items()
        if _is_line(info.annotation, info.metadata)
    }


def form_line_fields() -> set[tuple[str, str]]:
    """(form, field) of every form field with the one-line rule, by class name."""
    for module in pkgutil.walk_packages(taskforce.__path__, "taskforce."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    found = set()
    for form in subclasses(FlaskForm):
        if form.__name__.startswith("_"):  # a base of fields, covered by its subclasses
            continue
        for name in dir(form):
            field = getattr(form, name, None)
            if not isinstance(field, UnboundField):
                continue
            validators = field.kwargs.get("validators") or ()
            if any(isinstance(v, SingleLine) for v in validators):
                found.add((form.__name__, name))
    return found


# --- The API ----------------------------------------------------------------------------


@pytest.fixture
def records(tf, api, make_indicator, make_risk, make_action, make_meeting):
    """One of each record whose one-line fields can be changed, made with ordinary text."""
    ids = {
        "taskforce_id": tf.id,
        "member_id": tf.members[1].id,
        "indicator_id": make_indicator().id,
        "risk": make_risk().id,
        "action_id": make_action().id,
    }
    for kind, body in {
        "benefits": {"benefit": "Better jobs", "measure": "Starts"},
        "milestones": {"activity": "Launch", "ends_on": "2030-06-01"},
        "assessments": {**ASSESSMENT},
    }.items():
        response = api.post(f"/taskforces/{tf.id}/{kind}", body)
        assert response.status_code == 201, response.get_json()
        ids[kind] = response.get_json()["id"]
    return ids


ASSESSMENT = {
    "priority": TF_PRIORITIES[0],
    "assessed_on": "2030-01-14",
    "degree_of_challenge": "H",
    "quality_of_planning": "AG",
    "capacity_to_drive_progress": "G",
    "stage_of_delivery": 2,
    "likelihood_of_delivery": "AR",
}
INDICATOR = {"name": "Starts", "frequency": "monthly", "direction": "up"}


def _api_requests(ids: dict, meeting_id: int) -> dict[tuple[str, str], tuple[str, dict, list]]:
    """Per (method, rule): the path, a body that is good but for the field, and its fields."""
    tf, member = ids["taskforce_id"], ids["member_id"]
    register = {
        "risks": (
            {"ref": "R99", "description": "d", "likelihood": "Low", "impact": "Low"},
            [
                "ref",
                "owner",
            ],
        ),
        "benefits": (
            {"benefit": "b", "measure": "m"},
            ["measure", "baseline", "target", "realised", "owner"],
        ),
        "milestones": ({"activity": "a", "ends_on": "2030-06-01"}, ["owner"]),
        "assessments": (ASSESSMENT, ["priority"]),
    }
    requests = {
        ("POST", "/taskforces"): ("/taskforces", {"code": "FZ"}, ["name", "priorities"]),
        ("PATCH", "/taskforces/<int:taskforce_id>"): (
            f"/taskforces/{tf}",
            {},
            ["name", "priorities"],
        ),
        ("POST", "/taskforces/<int:taskforce_id>/members"): (
            f"/taskforces/{tf}/members",
            {"name": "New Person", "email": "new.person@example.gov.uk"},
            ["name", "role_title", "organisation"],
        ),
        ("PATCH", "/members/<int:member_id>"): (
            f"/members/{member}",
            {},
            ["name", "role_title", "organisation"],
        ),
        ("POST", "/taskforces/<int:taskforce_id>/schedule"): (
            f"/taskforces/{tf}/schedule",
            {"first_start": "2040-06-05T10:00:00", "count": 1},
            ["location"],
        ),
        ("PATCH", "/meetings/<int:meeting_id>"): (
            f"/meetings/{meeting_id}",
            {},
            ["title", "location"],
        ),
        ("PUT", "/meetings/<int:meeting_id>/attendance"): (
            f"/meetings/{meeting_id}/attendance",
            {"member_id": member, "status": "apologies"},
            ["deputy_name"],
        ),
        ("POST", "/actions"): (
            "/actions",
            {
                "taskforce_id": tf,
                "description": "Draft it",
                "owner_name": "Ana Lopes",
                "owner_email": "ana@example.gov.uk",
                "due_date": "2030-03-01",
            },
            ["owner_name", "owner_organisation"],
        ),
        ("POST", "/taskforces/<int:taskforce_id>/indicators"): (
            f"/taskforces/{tf}/indicators",
            INDICATOR,
            ["name", "unit", "source", "owner", "priority"],
        ),
        ("PATCH", "/indicators/<int:indicator_id>"): (
            f"/indicators/{ids['indicator_id']}",
            {},
            ["name", "unit", "source", "owner", "priority"],
        ),
        ("POST", "/meetings/<int:meeting_id>/agenda-items"): (
            f"/meetings/{meeting_id}/agenda-items",
            {"title": "Skills", "duration_minutes": 10},
            ["title", "lead"],
        ),
        ("PATCH", "/agenda-items/<int:item_id>"): (
            f"/agenda-items/{ids.get('agenda_item_id', 1)}",
            {},
            ["title", "lead"],
        ),
    }
    for kind, (body, fields) in register.items():
        record = ids["risk"] if kind == "risks" else ids[kind]
        requests[("POST", f"/taskforces/<int:taskforce_id>/{kind}")] = (
            f"/taskforces/{tf}/{kind}",
            body,
            fields,
        )
        requests[("PATCH", f"/{kind}/<int:record_id>")] = (f"/{kind}/{record}", {}, fields)
    return requests


def test_the_api_fuzz_covers_every_one_line_field(app):
    placeholder = {"taskforce_id": 1, "member_id": 1, "indicator_id": 1, "risk": 1, "action_id": 1}
    placeholder |= {"benefits": 1, "milestones": 1, "assessments": 1}
    covered = {
        (method, rule, field)
        for (method, rule), (_path, _body, fields) in _api_requests(placeholder, 1).items()
        for field in fields
    }
    assert covered == api_line_fields()


def _send(api, method: str, path: str, body: dict, field: str, value: str):
    value_sent = [value] if field == "priorities" else value
    payload = {**body, field: value_sent}
    if method == "PUT":  # attendance: a list of entries
        return api.put(path, [payload]), f"0.{field}"
    call = {"POST": api.post, "PATCH": api.patch}[method]
    return call(path, payload), field


def _invite_move_cancel(api, web, meeting_id: int) -> None:
    assert api.post(f"/meetings/{meeting_id}/invites").status_code == 202
    assert web.get(f"/meetings/{meeting_id}").status_code == 200
    assert web.get(f"/meetings/{meeting_id}/edit").status_code == 200
    moved = api.patch(f"/meetings/{meeting_id}", {"start": "2040-02-08T11:00:00"})
    assert moved.status_code == 200, moved.get_json()
    cancelled = api.post(f"/meetings/{meeting_id}/cancel", {"reason": "Moved\u2028on"})
    assert cancelled.status_code == 200, cancelled.get_json()


@FUZZ
@given(value=BAD_VALUES)
@example(value="Skills\u2028board")
@example(value="Skills\x85Work")
def test_every_api_one_line_field_refuses_line_breaks_and_controls(
    api, web, records, make_meeting, smtp, value
):
    meeting = make_meeting()
    agenda = api.get(f"/meetings/{meeting.id}/agenda-items").get_json()["items"]
    ids = {**records, "agenda_item_id": agenda[0]["id"]}
    for (method, _rule), (path, body, fields) in _api_requests(ids, meeting.id).items():
        for field in fields:
            response, key = _send(api, method, path, body, field, value)
            assert response.status_code == 422, (method, path, field, response.get_json())
            errors = response.get_json()["error"]["fields"]
            assert any(name.startswith(key) for name in errors), (path, field, errors)
    _invite_move_cancel(api, web, meeting.id)
    assert _stored_controls() == []


# --- The web forms -------------------------------------------------------------------------


def _with_dates(html: str) -> dict:
    """A page's form as a browser sends it, the three boxes of each date included."""
    fields = form_fields(html)
    for name in {n for n in re.findall(r'<input[^>]*name="([^"]+)"', html)}:
        values = re.findall(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
        if len(values) == 3 and name not in ("csrf_token", "version"):
            fields[name] = values
    return {k: v for k, v in fields.items() if k not in ("is_chair",)}


@pytest.fixture
def admin_web(app, make_user):
    client = app.test_client()
    return login(client, make_user("admin"))


@pytest.fixture
def pages(app, web, admin_web, records, make_user, no_csrf):
    """(form, field) -> (client, url, good data but for the field), from the edit pages."""
    tf = records["taskforce_id"]
    other = make_user("member")
    sam = login(app.test_client(), make_user("member", email=SAM))  # a member of tf

    def page(client, url):
        response = client.get(url)
        assert response.status_code == 200, url
        return _with_dates(response.get_data(as_text=True))

    def forms(meeting_id: int) -> dict:
        edit_meeting = page(web, f"/meetings/{meeting_id}/edit")
        return {
            "TaskForceForm": (web, f"/taskforces/{tf}/edit", taskforce_form),
            "MemberForm": (web, f"/members/{records['member_id']}/edit", member_form),
            "MeetingForm": (web, f"/meetings/{meeting_id}/edit", edit_meeting),
            "ScheduleForm": (web, f"/taskforces/{tf}/meetings/schedule", SCHEDULE),
            "ActionCreateForm": (web, f"/taskforces/{tf}/actions/new", NEW_ACTION),
            "FilterForm": (web, f"/taskforces/{tf}/actions", None),  # a GET: nothing kept
            "NewUserForm": (admin_web, "/admin/users/new", NEW_USER),
            "UserForm": (admin_web, f"/admin/users/{other.id}", user_form),
            "TokenForm": (web, "/account", {}),
            "LoginForm": (None, "/login", {"password": PASSWORD}),
            "IndicatorForm": (web, f"/indicators/{records['indicator_id']}/edit", indicator),
            "RiskForm": (web, f"/risks/{records['risk']}", risk),
            "BenefitForm": (web, f"/registers/benefits/{records['benefits']}", benefit),
            "MilestoneForm": (web, f"/registers/milestones/{records['milestones']}", milestone),
            "ItemForm": (web, f"/meetings/{meeting_id}/agenda/new", AGENDA_ITEM),
            "ApologiesForm": (sam, f"/meetings/{meeting_id}/apologies", {"deputy": "yes"}),
        }

    taskforce_form = page(web, f"/taskforces/{tf}/edit")
    member_form = page(web, f"/members/{records['member_id']}/edit")
    user_form = page(admin_web, f"/admin/users/{other.id}")
    indicator = page(web, f"/indicators/{records['indicator_id']}/edit")
    risk = page(web, f"/risks/{records['risk']}")
    benefit = page(web, f"/registers/benefits/{records['benefits']}")
    milestone = page(web, f"/registers/milestones/{records['milestones']}")
    return forms


SCHEDULE = {
    "first_date": ["5", "6", "2040"],
    "start_time": "10:00",
    "duration_minutes": "90",
    "count": "1",
    "cadence_weeks": "6",
}
NEW_ACTION = {
    "meeting_id": "",
    "description": "Publish the dashboard",
    "owner_name": "Ana Lopes",
    "owner_email": "ana@example.gov.uk",
    "due_date": ["1", "6", "2030"],
}
AGENDA_ITEM = {"title": "Skills", "purpose": "discussion", "duration_minutes": "10"}
NEW_USER = {"email": "kim@example.gov.uk", "name": "Kim Lee", "role": "member", "active": "y"}


def test_the_web_fuzz_covers_every_one_line_field(app):
    covered = {(form, field) for form, fields in WEB_FIELDS.items() for field in fields}
    assert covered == form_line_fields()


WEB_FIELDS = {
    "TaskForceForm": ["name"],
    "MemberForm": ["name", "role_title", "organisation"],
    "MeetingForm": ["title", "location"],
    "ScheduleForm": ["location"],
    "ActionCreateForm": ["owner_name", "owner_organisation"],
    "FilterForm": ["owner"],
    "NewUserForm": ["name"],
    "UserForm": ["name"],
    "TokenForm": ["label"],
    "LoginForm": ["email"],
    "IndicatorForm": ["name", "unit", "source", "owner"],
    "RiskForm": ["owner"],
    "BenefitForm": ["measure", "baseline", "target", "realised", "owner"],
    "MilestoneForm": ["owner"],
    "ItemForm": ["title", "lead_name"],
    "ApologiesForm": ["deputy_name"],
}


@FUZZ
@given(value=BAD_VALUES)
@example(value="Skills\u2028board")
@example(value="Skills\x85Work")
def test_every_web_one_line_field_refuses_line_breaks_and_controls(
    app, api, web, pages, make_meeting, smtp, value
):
    meeting = make_meeting()
    for form, (client, url, data) in pages(meeting.id).items():
        for field in WEB_FIELDS[form]:
            if data is None:
                response = client.get(url, query_string={field: value})
            else:
                response = (client or app.test_client()).post(url, data={**data, field: value})
            # A filter (a GET) shows the refusal on the page; a form sent back is a 422.
            expected = 200 if data is None else 422
            assert response.status_code == expected, (form, field, response.status_code)
            html = response.get_data(as_text=True)
            assert "There is a problem" in html, (form, field)
            assert re.search(r"must (be on one line|not contain)", html), (form, field)
    _invite_move_cancel(api, web, meeting.id)
    assert _stored_controls() == []
