"""How every web form answers: a form sent back with errors is a 422 (a stale save a 409),
a length limit is named and counted as it is typed, a long-past due date is asked about,
HTML that pages will not show is said, and actions are allocated next meeting first."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape

import pytest

from taskforce.actions.models import Action
from taskforce.clock import today
from taskforce.extensions import db
from taskforce.markdown import removed_html
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("no_csrf")


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def _summary(html: str) -> list[str]:
    if "govuk-error-summary__list" not in html:
        return []
    listed = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    items = re.findall(r"<li[^>]*>(.*?)</li>", listed, re.S)
    return [unescape(" ".join(re.sub(r"<[^>]+>", "", item).split())) for item in items]


def _date(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


@pytest.fixture
def records(make_meeting, make_action, make_indicator, make_risk):
    """One of each record that has a form of its own."""
    return {
        "meeting": make_meeting(),
        "action": make_action(),
        "indicator": make_indicator(),
        "risk": make_risk(),
    }


# 422 with the form, everywhere ------------------------------------------------------------


@pytest.fixture
def admin_web(app, make_user):
    return login(app.test_client(), make_user("admin"))


def _pages(tf, records) -> dict[str, tuple[str, dict]]:
    """Each form page and a submission it must refuse."""
    return {
        "new task force": ("/taskforces/new", {"name": "", "code": "SW2"}),
        "terms of reference": (f"/taskforces/{tf.id}/edit", {"name": "", "version": "1"}),
        "new member": (f"/taskforces/{tf.id}/members/new", {"name": ""}),
        "member": (f"/members/{tf.members[0].id}/edit", {"name": "", "version": "1"}),
        "schedule": (f"/taskforces/{tf.id}/meetings/schedule", {"count": "0"}),
        "meeting": (f"/meetings/{records['meeting'].id}/edit", {"duration_minutes": "x"}),
        "cancel meeting": (f"/meetings/{records['meeting'].id}/cancel", {"reason": "a\x00"}),
        "cycle": (f"/taskforces/{tf.id}/cycle", {"commission_papers": "x"}),
        "new action": (f"/taskforces/{tf.id}/actions/new", {"description": ""}),
        "action": (f"/actions/{records['action'].id}", {"status": "open", "version": "1"}),
        "chasing": (f"/taskforces/{tf.id}/chasing", {"reminder": "x"}),
        "new indicator": (f"/taskforces/{tf.id}/indicators/new", {"name": ""}),
        "actuals": (f"/indicators/{records['indicator'].id}", {"actuals": ""}),
        "indicator": (f"/indicators/{records['indicator'].id}/edit", {"name": ""}),
        "new assessment": (f"/taskforces/{tf.id}/assessments/new", {"priority": ""}),
        "new risk": (f"/taskforces/{tf.id}/risks/new", {"ref": ""}),
        "risk": (f"/risks/{records['risk'].id}", {"ref": "", "version": "1"}),
        "new benefit": (f"/taskforces/{tf.id}/registers/benefits", {"benefit": ""}),
        "account": ("/account", {"label": "a\x00b"}),
    }


PAGES = [
    "new task force",
    "terms of reference",
    "new member",
    "member",
    "schedule",
    "meeting",
    "cancel meeting",
    "cycle",
    "new action",
    "action",
    "chasing",
    "new indicator",
    "actuals",
    "indicator",
    "new assessment",
    "new risk",
    "risk",
    "new benefit",
    "account",
]


@pytest.mark.parametrize("page", PAGES)
def test_every_form_sent_back_with_errors_is_a_422(web, tf, records, page):
    url, data = _pages(tf, records)[page]
    response = web.post(url, data=data)
    assert response.status_code == 422, (page, _summary(response.get_data(as_text=True)))
    assert "There is a problem" in response.get_data(as_text=True)


def test_the_pages_list_covers_every_form(tf, records):
    assert sorted(_pages(tf, records)) == sorted(PAGES)


def test_admin_and_sign_in_forms_are_422s_too(admin_web, client, make_user):
    other = make_user("member")
    assert admin_web.post("/admin/users/new", data={"email": ""}).status_code == 422
    assert admin_web.post(f"/admin/users/{other.id}", data={"name": ""}).status_code == 422
    assert client.post("/login", data={"email": "", "password": ""}).status_code == 422


def test_a_stale_save_is_a_409_with_the_form(web, api, tf, make_meeting):
    member = tf.members[0]
    assert (
        api.patch(f"/members/{member.id}", {"role_title": "Minister of State"}).status_code == 200
    )
    stale = web.post(
        f"/members/{member.id}/edit",
        data={"name": member.name, "email": member.email, "group": "minister", "version": "1"},
    )
    assert stale.status_code == 409
    assert "There is a problem" in stale.get_data(as_text=True)
    meeting = make_meeting()
    assert api.patch(f"/meetings/{meeting.id}", {"location": "Room 2"}).status_code == 200
    stale = web.post(
        f"/meetings/{meeting.id}/edit",
        data={
            "title": "Meeting 1",
            "date": ["7", "2", "2040"],
            "start_time": "10:00",
            "duration_minutes": "90",
            "location": "Room 3",
            "version": "1",
        },
    )
    assert stale.status_code == 409
    assert 'value="Room 3"' in stale.get_data(as_text=True)  # the user's values are kept


# Length limits ------------------------------------------------------------------------------


def test_a_length_limit_names_the_field(web, tf):
    response = web.post(
        f"/taskforces/{tf.id}/actions/new",
        data={
            "meeting_id": "",
            "description": "x" * 2001,
            "owner_name": "Ana Lopes",
            "owner_email": "ana@example.gov.uk",
            "due_date": _date(today() + timedelta(days=7)),
        },
    )
    assert response.status_code == 422
    assert _summary(response.get_data(as_text=True)) == ["Action must be 2,000 characters or fewer"]
    assert "cannot be longer than" not in response.get_data(as_text=True)


def test_long_text_fields_count_characters_as_they_are_typed(web, tf, records):
    html = web.get(f"/taskforces/{tf.id}/actions/new").get_data(as_text=True)
    assert re.search(r'data-module="govuk-character-count"\s+data-maxlength="2000"', html)
    assert 'id="description-info"' in html and "You can enter up to 2000 characters" in html
    for url in (f"/taskforces/{tf.id}/risks/new", f"/meetings/{records['meeting'].id}/cancel"):
        assert 'data-module="govuk-character-count"' in web.get(url).get_data(as_text=True)


# Sign-in -------------------------------------------------------------------------------------


def test_a_wrong_password_is_said_once(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": "not-the-one-1"})
    assert response.status_code == 422
    assert _summary(response.get_data(as_text=True)) == [
        "Enter a correct email address and password"
    ]


# A due date long past ------------------------------------------------------------------------


def _allocate(web, tf, due, **extra):
    return web.post(
        f"/taskforces/{tf.id}/actions/new",
        data={
            "meeting_id": "",
            "description": "Publish the dashboard",
            "owner_name": "Ana Lopes",
            "owner_email": "ana@example.gov.uk",
            "due_date": _date(due),
            **extra,
        },
    )


def test_a_due_date_long_past_is_asked_about_before_it_is_saved(web, tf):
    long_ago = today().replace(year=today().year - 2)
    asked = _allocate(web, tf, long_ago)
    assert asked.status_code == 422
    html = _text(asked)
    assert _summary(asked.get_data(as_text=True)) == [
        "The due date is more than 30 days ago. "
        "Check it, or tick “Yes, the due date is in the past”"
    ]
    assert 'name="confirm_past_due"' in html and "Yes, the due date is in the past" in html
    assert db.session.query(Action).count() == 0
    confirmed = _allocate(web, tf, long_ago, confirm_past_due="y")
    assert confirmed.status_code == 302
    assert db.session.query(Action).one().due_on == long_ago


def test_a_due_date_recently_past_is_saved_with_a_warning_of_its_own(web, tf):
    recent = today() - timedelta(days=10)
    saved = _allocate(web, tf, recent)
    assert saved.status_code == 302
    html = _text(web.get(saved.location))
    assert "govuk-notification-banner--success" in html
    success = html.split("govuk-notification-banner--success", 1)[1].split("</div> </div>")[0]
    assert "has already passed" not in success  # not buried in the success banner
    assert (
        f"The due date {recent.day} {recent:%B %Y} has already passed. Check it is right." in html
    )


def test_a_dates_form_does_not_offer_the_box_unasked(web, tf):
    html = web.get(f"/taskforces/{tf.id}/actions/new").get_data(as_text=True)
    assert 'name="confirm_past_due"' not in html


def test_editing_an_action_asks_only_when_the_due_date_moves_long_past(web, make_action):
    long_ago = today() - timedelta(days=400)
    action = make_action(due=today() - timedelta(days=90))  # overdue, as made by the API
    url = f"/actions/{action.id}"
    data = {
        "status": "in_progress",
        "description": action.description,
        "due_date": _date(action.due_on),
        "version": str(action.version),
    }
    kept = web.post(url, data=data)
    assert kept.status_code == 302, _summary(kept.get_data(as_text=True))
    data["version"] = str(db.session.get(Action, action.id).version)
    moved = web.post(url, data={**data, "due_date": _date(long_ago)})
    assert moved.status_code == 422
    assert 'name="confirm_past_due"' in moved.get_data(as_text=True)
    confirmed = web.post(url, data={**data, "due_date": _date(long_ago), "confirm_past_due": "y"})
    assert confirmed.status_code == 302
    assert db.session.get(Action, action.id).due_on == long_ago


def test_the_api_still_allocates_a_past_due_date_with_a_warning(api, tf):
    long_ago = today().replace(year=today().year - 2)
    created = api.post(
        "/actions",
        {
            "taskforce_id": tf.id,
            "description": "Publish the dashboard",
            "owner_name": "Ana Lopes",
            "owner_email": "ana@example.gov.uk",
            "due_date": long_ago.isoformat(),
        },
    )
    assert created.status_code == 201
    assert "has already passed" in created.get_json()["warnings"][0]


# HTML removed from Markdown --------------------------------------------------------------------


def test_html_removed_from_a_purpose_is_said_when_it_is_saved(web, tf):
    purpose = (
        "Grow **skills**.\n\n<script>alert(1)</script>\n\n"
        '[Plan](javascript:go()) <b onclick="x">Now</b>'
    )
    saved = web.post(
        f"/taskforces/{tf.id}/edit",
        data={
            "name": tf.name,
            "code": tf.code,
            "purpose": purpose,
            "cadence_weeks": "6",
            "version": "1",
        },
    )
    assert saved.status_code == 302, _summary(saved.get_data(as_text=True))
    html = _text(web.get(saved.location))
    assert (
        "Some HTML was removed from the purpose: <script>, the onclick attribute and "
        "javascript: links. It stays in the text as you typed it, but pages do not show it."
    ) in html.replace("&lt;", "<").replace("&gt;", ">")
    quiet = web.post(
        f"/taskforces/{tf.id}/edit",
        data={
            "name": tf.name,
            "code": tf.code,
            "purpose": "Grow **skills**.",
            "cadence_weeks": "6",
            "version": "2",
        },
    )
    assert quiet.status_code == 302
    assert "Some HTML was removed" not in _text(web.get(quiet.location))


@pytest.mark.parametrize(
    "markdown",
    [
        "| a | b |\n|:--|--:|\n| 1 | 2 |",  # alignment styles Markdown writes itself
        "3. third\n4. fourth",  # a list's start number
        "![A chart](https://example.gov.uk/chart.png)",
        "Write `<script>` in code",
        '<b>Bold</b>, <em>emphasis</em> and <a href="https://example.gov.uk">a link</a>',
    ],
)
def test_only_html_that_was_typed_and_dropped_is_reported(markdown):
    assert removed_html(markdown) == []


# Allocating at a meeting ---------------------------------------------------------------------


def test_the_allocate_form_lists_the_next_meeting_first_and_chooses_it(web, tf, make_meeting):
    from taskforce.audit.services import Actor
    from taskforce.meetings import services as meeting_services

    def at(days: int) -> datetime:
        day = today() + timedelta(days=days)
        return datetime(day.year, day.month, day.day, 10, 0)  # noqa: DTZ001 - UK time

    oldest = make_meeting(start=at(-90), record_history=True)
    last = make_meeting(start=at(-20), record_history=True)
    after_next = make_meeting(start=at(60))
    following = make_meeting(start=at(120))
    nxt = make_meeting(start=at(14))
    meeting_services.cancel_meeting(following, "", Actor.system())
    db.session.commit()
    html = web.get(f"/taskforces/{tf.id}/actions/new").get_data(as_text=True)
    select = html.split('name="meeting_id"', 1)[1].split("</select>", 1)[0]
    values = re.findall(r'<option value="(\d*)"', select)
    assert values == ["", str(nxt.id), str(after_next.id), str(last.id), str(oldest.id)]
    assert re.search(rf'<option value="{nxt.id}" selected>[^<]*\(the next meeting\)', select)
    chosen = web.get(f"/taskforces/{tf.id}/actions/new?meeting_id={last.id}").get_data(as_text=True)
    assert re.search(rf'<option value="{last.id}" selected>', chosen)
