"""The agenda's web pages: builder, item forms, reordering, papers, commissioning, uploads,
standing items; bad input answered with the form and its errors (422), nothing stored."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from taskforce.agenda.models import AgendaItem, PaperVersion
from taskforce.extensions import db
from tests.agenda.documents import BOUNDARY, make_pdf, multipart
from tests.conftest import SAM, _csrf_from, login


@pytest.fixture
def meeting(make_meeting):
    return make_meeting()


def token(web, url: str) -> str:
    return _csrf_from(web.get(url).get_data(as_text=True))


def order(meeting) -> list[str]:
    return list(
        db.session.scalars(
            select(AgendaItem.title)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position)
        )
    )


def add(web, meeting, **fields):
    url = f"/meetings/{meeting.id}/agenda/new"
    data = {
        "csrf_token": token(web, url),
        "title": "Skills bootcamps",
        "lead_member_id": "",
        "lead_name": "Director of Skills",
        "purpose": "decision",
        "duration_minutes": "25",
        **fields,
    }
    return web.post(url, data=data)


def test_the_builder_shows_items_with_start_times_and_the_agreement(web, meeting):
    page = web.get(f"/meetings/{meeting.id}/agenda")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Agenda for meeting 1" in html
    assert re.search(r">10:05am</td>\s*<th[^>]*>\s*<strong>Minutes and actions", html)
    assert "Agenda agreed with the chair" in html and "Not yet agreed" in html
    assert "Due Monday 30 January 2040" in html  # six working days before the meeting
    assert '<caption class="govuk-table__caption govuk-visually-hidden">' in html


def test_an_item_is_added_from_the_form(web, meeting):
    response = add(web, meeting)
    assert response.status_code == 302
    assert order(meeting)[-1] == "Skills bootcamps"
    html = web.get(response.location).get_data(as_text=True)
    assert "“Skills bootcamps” added to the agenda." in html


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        ("0", "An item takes from 1 minute to 8 hours"),
        ("-5", "An item takes from 1 minute to 8 hours"),
        ("481", "An item takes from 1 minute to 8 hours"),
        ("ten", "in whole minutes, like 15"),
        ("", "Enter the time the item takes"),
    ],
)
def test_a_bad_duration_is_shown_on_the_form_and_nothing_is_added(web, meeting, minutes, message):
    response = add(web, meeting, duration_minutes=minutes)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert 'href="#duration_minutes"' in html
    assert len(order(meeting)) == 4


def test_a_paper_with_too_deep_markdown_is_refused_on_the_form(web, meeting):
    response = add(web, meeting, paper="> " * 30 + "deep")
    assert response.status_code == 422
    assert "Nest lists and block quotes at most 20 deep" in response.get_data(as_text=True)


def test_items_move_up_and_down_with_plain_forms(web, meeting):
    items = db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.position)
    ).all()
    url = f"/meetings/{meeting.id}/agenda"
    moved = web.post(
        f"/agenda-items/{items[3].id}/move",
        data={"csrf_token": token(web, url), "direction": "up"},
    )
    assert moved.status_code == 302
    assert moved.location.endswith(f"?moved={items[3].id}&dir=up")
    assert order(meeting)[2:] == ["Any other business", "Performance report"]
    page = web.get(moved.location).get_data(as_text=True)
    # The moved item's button has the focus when the page comes back.
    assert re.search(r"autofocus>Move up<span[^>]*>: item 3, Any other business", page)
    web.post(
        f"/agenda-items/{items[0].id}/move",
        data={"csrf_token": token(web, url), "direction": "up"},
    )  # already first: nothing moves
    assert order(meeting)[0] == "Welcome and apologies"
    bad = web.post(
        f"/agenda-items/{items[0].id}/move",
        data={"csrf_token": token(web, url), "direction": "sideways"},
    )
    assert bad.status_code == 400


def test_an_item_is_changed_and_a_stale_form_is_refused(web, meeting):
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    url = f"/agenda-items/{item.id}/edit"
    html = web.get(url).get_data(as_text=True)
    fields = {
        "csrf_token": _csrf_from(html),
        "version": "1",
        "title": "Welcome",
        "purpose": "information",
        "duration_minutes": "3",
        "paper": "Notes for the chair.",
    }
    assert web.post(url, data=fields).status_code == 302
    assert web.post(url, data={**fields, "title": "Stale"}).status_code == 409
    db.session.refresh(item)
    assert item.title == "Welcome" and item.paper.current.markdown == "Notes for the chair."


def test_an_item_is_deleted_after_confirming(web, meeting):
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    url = f"/agenda-items/{item.id}/delete"
    assert "Take “Welcome and apologies” off the agenda?" in web.get(url).get_data(as_text=True)
    assert web.post(url, data={"csrf_token": token(web, url)}).status_code == 302
    assert len(order(meeting)) == 3


def test_agreement_is_recorded_and_a_change_after_it_is_flagged(web, meeting):
    url = f"/meetings/{meeting.id}/agenda"
    web.post(f"/meetings/{meeting.id}/agenda/agreed", data={"csrf_token": token(web, url)})
    html = web.get(url).get_data(as_text=True)
    assert "Agreed with Nia Roberts, Minister on" in html
    add(web, meeting)
    html = web.get(url).get_data(as_text=True)
    assert "The agenda has changed since the chair agreed it" in html
    meeting_page = web.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "(changed since)" in meeting_page


def test_the_papers_page_and_commissioning_form(web, smtp, meeting):
    add(web, meeting, paper_lead_email="priya.shah@example.gov.uk")
    item = db.session.scalar(select(AgendaItem).order_by(AgendaItem.id.desc()))
    url = f"/agenda-items/{item.id}/commission"
    form = web.get(url).get_data(as_text=True)
    assert 'value="priya.shah@example.gov.uk"' in form
    sent = web.post(
        url,
        data={
            "csrf_token": _csrf_from(form),
            "paper_lead_email": "priya.shah@example.gov.uk",
            "due_on": ["30", "1", "2040"],
        },
    )
    assert sent.status_code == 302
    papers = web.get(sent.location).get_data(as_text=True)
    assert "Request for SW-1/P01 sent to priya.shah@example.gov.uk" in papers
    assert "Commissioned" in papers and "due 30 January 2040" in papers
    bad = web.post(url, data={"csrf_token": _csrf_from(form), "paper_lead_email": "not-an-email"})
    assert bad.status_code == 422 and "correct format" in bad.get_data(as_text=True)


def test_an_upload_on_the_web_is_checked_and_shown_on_the_preview_page(web, meeting):
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    url = f"/agenda-items/{item.id}/paper/upload"
    fields = {"csrf_token": token(web, url)}
    bad = web.post(
        url,
        data=multipart(b"<html></html>", "paper.pdf", **fields),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert bad.status_code == 422 and "is not a PDF" in bad.get_data(as_text=True)
    good = web.post(
        url,
        data=multipart(make_pdf(5), "Minutes.pdf", **fields),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert good.status_code == 302
    preview = web.get(good.location).get_data(as_text=True)
    assert "SW-1/P01" in preview and "5 pages" in preview and "Download the PDF" in preview
    assert db.session.scalar(select(func.count()).select_from(PaperVersion)) == 1


def test_an_over_size_upload_on_the_web_is_a_413(app, web, meeting):
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    url = f"/agenda-items/{item.id}/paper/upload"
    fields = {"csrf_token": token(web, url)}
    app.config["PAPER_MAX_MB"] = 1
    try:
        response = web.post(
            url,
            data=multipart(make_pdf(1) + b"%" * (1024 * 1024), "big.pdf", **fields),
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
        )
    finally:
        app.config["PAPER_MAX_MB"] = 20
    assert response.status_code == 413
    assert "at most 1 MB" in response.get_data(as_text=True)


def test_standing_items_are_edited_per_task_force(web, tf, make_meeting):
    url = f"/taskforces/{tf.id}/standing-items"
    html = web.get(url).get_data(as_text=True)
    assert 'value="Performance report"' in html
    data = {"csrf_token": _csrf_from(html)}
    for i, (title, minutes) in enumerate([("Welcome", "5"), ("", ""), ("Dashboard", "0")]):
        data |= {f"title-{i}": title, f"minutes-{i}": minutes, f"purpose-{i}": "information"}
    refused = web.post(url, data=data)
    assert refused.status_code == 422
    assert "Row 3: An item takes from 1 minute" in refused.get_data(as_text=True)
    data["minutes-2"] = "30"
    assert web.post(url, data=data).status_code == 302
    later = make_meeting(start="2040-06-05T10:00:00")
    assert order(later) == ["Welcome", "Dashboard"]


def test_members_read_the_agenda_but_cannot_change_it(client, make_user, meeting):
    login(client, make_user("member", email=SAM))
    html = client.get(f"/meetings/{meeting.id}/agenda").get_data(as_text=True)
    assert "Welcome and apologies" in html and "Move up" not in html
    assert client.get(f"/meetings/{meeting.id}/agenda/new").status_code == 403
    assert client.get(f"/meetings/{meeting.id}/papers").status_code == 403


def test_the_meeting_page_links_to_the_agenda_and_papers(web, meeting):
    html = web.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'href="/meetings/{meeting.id}/agenda"' in html
    assert re.search(r"4 items;\s+not yet agreed with the chair", html)
    assert f'href="/meetings/{meeting.id}/papers"' in html


def test_the_home_page_counts_late_papers_against_the_papers_deadline(
    web, api, meeting, monkeypatch
):
    from datetime import date

    from taskforce import clock
    from taskforce.agenda import services

    wednesday = date(2040, 1, 25)  # the papers deadline is Friday 27 January
    monkeypatch.setattr(clock, "today", lambda: wednesday)
    monkeypatch.setattr(services, "service_today", lambda: wednesday)
    item = api.post(
        f"/meetings/{meeting.id}/agenda-items",
        {"title": "Late paper", "duration_minutes": 5, "paper_lead_email": "lee@example.gov.uk"},
    ).json
    assert (
        api.post(f"/agenda-items/{item['id']}/commission", {"due_on": "2040-01-24"}).status_code
        == 202
    )
    html = web.get("/").get_data(as_text=True)
    assert "Papers deadline: 1 paper late" in html


def test_every_agenda_page_has_its_landmarks_labels_and_table_headers(
    web, client, api, smtp, meeting, tf
):
    item = api.post(
        f"/meetings/{meeting.id}/agenda-items",
        {
            "title": "Paper",
            "duration_minutes": 5,
            "paper": "Text",
            "paper_lead_email": "l@x.gov.uk",
        },
    ).json
    api.post(f"/agenda-items/{item['id']}/commission", {"due_on": "2040-01-30"})
    token = re.search(r"/p/(\S+)", smtp.messages[0][1].get_body().get_content()).group(1)
    pages = [
        f"/meetings/{meeting.id}/agenda",
        f"/meetings/{meeting.id}/agenda/new",
        f"/agenda-items/{item['id']}/edit",
        f"/agenda-items/{item['id']}/delete",
        f"/meetings/{meeting.id}/papers",
        f"/agenda-items/{item['id']}/commission",
        f"/agenda-items/{item['id']}/paper/upload",
        f"/agenda-items/{item['id']}/paper",
        f"/taskforces/{tf.id}/standing-items",
    ]
    checked = [(url, web.get(url)) for url in pages] + [(f"/p/{token}", client.get(f"/p/{token}"))]
    for url, response in checked:
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert '<main class="govuk-main-wrapper' in html and "<h1" in html, url
        labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', html))
        labelled |= set(re.findall(r'<fieldset[^>]*aria-describedby="([^"]+)"', html))
        for tag, field_id in re.findall(
            r'<(input|select|textarea)(?![^>]*type="hidden")[^>]*id="([^"]+)"', html
        ):
            assert field_id in labelled, (url, tag, field_id)
        for table in re.findall(r"<table.*?</table>", html, re.S):
            assert '<th scope="col"' in table and "<caption" in table, url
