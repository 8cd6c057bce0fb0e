"""A meeting's pack from the database: the demo's pack read back, issuing and versions,
downloads for whom they are meant, restricted papers kept out, and bad input refused."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

import docx
import pytest
from pypdf import PdfReader

from taskforce.actions.models import OUTSTANDING, Action
from taskforce.agenda import services as agenda_services
from taskforce.audit.models import AuditEvent
from taskforce.clock import today
from taskforce.demo.data import load_demo
from taskforce.extensions import db
from taskforce.links import AccessLink
from taskforce.meetings import services as meeting_services
from taskforce.meetings import steps
from taskforce.meetings.models import Meeting
from taskforce.packs import pdf, services
from taskforce.packs.models import PackVersion
from taskforce.performance.models import Indicator
from tests.concurrency import race
from tests.conftest import CLI, NIA, SAM, login, member
from tests.docx_checks import assert_accessible_docx
from tests.packs.test_pdf import needs_libreoffice, outline

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def no_pdf(monkeypatch):
    """As on a server without LibreOffice: issuing makes the Word pack alone (and quickly)."""
    monkeypatch.setattr(pdf, "soffice", lambda: None)


def demo_meeting() -> Meeting:
    """The demo task force's next meeting, with the demo's agenda and papers."""
    tf = load_demo()
    db.session.commit()
    held = db.session.scalar(db.select(Meeting).where(Meeting.status == "held"))
    upcoming = agenda_services.next_meeting(held)
    assert upcoming is not None and tf is not None
    return upcoming


def headings(document) -> list[tuple[int, str]]:
    found = []
    for p in document.paragraphs:
        name = p.style.name
        if name.startswith("Heading "):
            found.append((int(name.split()[1]), p.text))
    return found


def xml_of(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode("utf-8", "replace") for name in archive.namelist()}


# --- The demo's pack --------------------------------------------------------------------------


def test_the_demo_pack_reads_back_whole_and_accessible(app):
    meeting = demo_meeting()
    draft = services.draft(meeting)
    content = draft.built.docx
    assert_accessible_docx(content)
    document = docx.Document(io.BytesIO(content))
    top = [text for level, text in headings(document) if level == 1]
    assert top == [
        "Agenda",
        "Actions from the last meeting",
        "Outstanding actions",
        "Performance pack",
        "Papers",
        "Annex",
    ]
    levels = headings(document)
    assert [t for lv, t in levels if lv == 3][:3] == ["Ministers", "Officials", "Secretariat"]
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    tf = meeting.taskforce
    for person in tf.members:
        assert person.name in cells
    # Every open action of the task force, from the meeting held.
    open_actions = db.session.scalars(
        db.select(Action).where(Action.taskforce_id == tf.id, Action.status.in_(OUTSTANDING))
    ).all()
    assert open_actions
    for action in open_actions:
        assert action.reference in cells
    # Every indicator has its chart, with its description as alt text and caption.
    indicators = db.session.scalars(db.select(Indicator).where(Indicator.taskforce_id == tf.id))
    names = [i.name for i in indicators]
    pictures = document.element.body.findall(
        ".//{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
    )
    descriptions = [p.get("descr") for p in pictures]
    assert len(descriptions) == len(names) == 3
    for name, description in zip(names, descriptions, strict=True):
        assert description.startswith(f"{name}, monthly,")
        assert description in text
    # The header and footer carry the marking, and the footer Page X of Y.
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "OFFICIAL"
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml and "OFFICIAL" in footer_xml
    # The papers, in agenda order; the late one is "to follow", the restricted one absent.
    assert [t for lv, t in levels if lv == 2 and t.startswith("Item ")] == [
        "Item 4: Apprenticeship starts: regional variation (SW-2/P01)",
        "Item 5: Youth guarantee: the eight-week offer (SW-2/P02)",
        "Item 6: Skills bootcamps: interim evaluation (SW-2/P03)",
    ]
    assert "SW-2/P04 (to follow)" in cells
    assert "SW-2/P05" not in text + cells
    assert any("is late" in w for w in draft.warnings)
    assert any("restricted paper (SW-2/P05)" in w for w in draft.warnings)


@needs_libreoffice
def test_the_demo_pack_converts_to_pdf_with_its_pages_and_bookmarks(app):
    draft = services.draft(demo_meeting())
    edition = services.draft_pdf(draft)
    reader = PdfReader(io.BytesIO(edition.pdf))
    first = reader.pages[0].extract_text()
    pages = int(re.search(r"Page 1 of (\d+)", first).group(1))
    assert len(reader.pages) == pages  # the demo has no PDF paper to append
    assert [title for depth, title, _page in outline(reader) if depth == 0] == [
        "Agenda",
        "Actions from the last meeting",
        "Outstanding actions",
        "Performance pack",
        "Papers",
        "Annex",
    ]
    marks = {title: page for _d, title, page in outline(reader)}
    paper = "Item 4: Apprenticeship starts: regional variation (SW-2/P01)"
    assert (
        "Apprenticeship starts: regional variation" in reader.pages[marks[paper] - 1].extract_text()
    )


# --- Issuing ------------------------------------------------------------------------------------


@pytest.fixture
def meeting(tf, make_meeting):
    meeting = make_meeting()
    agenda_services.add_item(
        meeting, {"title": "Skills bootcamps", "duration_minutes": 20, "paper": "**Findings**"}, CLI
    )
    db.session.commit()
    return meeting


def test_an_issued_version_downloads_byte_identical_after_later_edits(app, api, meeting, no_pdf):
    response = api.post(f"/meetings/{meeting.id}/pack/issue", {"change_note": ""})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["version"] == 1 and body["pdf_sha256"] is None
    first = api.get(f"/meetings/{meeting.id}/packs/1.docx")
    assert first.status_code == 200
    assert first.headers["Content-Type"] == services.DOCX
    assert hashlib.sha256(first.data).hexdigest() == body["sha256"]
    # Later edits change the draft, never what was issued.
    [item] = [i for i in agenda_services.items_of(meeting) if i.title == "Skills bootcamps"]
    agenda_services.update_item(item, {"paper": "**Findings, revised**"}, CLI)
    db.session.commit()
    assert api.get(f"/meetings/{meeting.id}/pack.docx").data != first.data
    again = api.get(f"/meetings/{meeting.id}/packs/1.docx")
    assert again.data == first.data
    listed = api.get(f"/meetings/{meeting.id}/packs").get_json()["items"]
    assert [(v["version"], v["sha256"]) for v in listed] == [(1, body["sha256"])]
    assert api.get(f"/meetings/{meeting.id}/packs/1.pdf").status_code == 404
    assert api.get(f"/meetings/{meeting.id}/packs/2.docx").status_code == 404
    # Who issued what and when is in the audit trail; paper uploads are closed.
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "pack.issued"))
    assert event.changes["version"] == 1 and event.changes["sha256"] == body["sha256"]
    assert agenda_services.pack_issued(meeting)


def test_reissuing_sends_a_revised_email_saying_what_changed(app, api, meeting, smtp, no_pdf):
    assert api.post(f"/meetings/{meeting.id}/pack/issue", {}).status_code == 201
    assert len(smtp.to(NIA)) == 1
    [item] = [i for i in agenda_services.items_of(meeting) if i.title == "Skills bootcamps"]
    agenda_services.update_item(
        item, {"paper": "**Findings, revised**", "duration_minutes": 30}, CLI
    )
    agenda_services.add_item(meeting, {"title": "Careers advice", "duration_minutes": 10}, CLI)
    db.session.commit()
    response = api.post(
        f"/meetings/{meeting.id}/pack/issue", {"change_note": "The bootcamps paper was updated."}
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["version"] == 2
    paper = item.paper.reference
    assert body["changes"] == [f"Paper {paper} replaced", "Item 6 added: “Careers advice”"]
    [_first, revised] = smtp.to(NIA)
    assert revised["Subject"].startswith("Revised pack (version 2) for meeting 1")
    text = revised.get_body(("plain",)).get_content()
    assert "What changed since version 1:" in text
    assert "The bootcamps paper was updated." in text
    assert f"- Paper {paper} replaced" in text
    assert "- Item 6 added: “Careers advice”" in text
    [attachment] = list(revised.iter_attachments())
    assert attachment.get_filename() == "SW-1-pack-v2.docx"
    # The new cover says so too.
    cover = docx.Document(io.BytesIO(attachment.get_content()))
    cover_text = "\n".join(p.text for p in cover.paragraphs[:15])
    assert "Version 2, issued" in cover_text
    assert "Changes since version 1" in cover_text
    assert f"Paper {paper} replaced" in cover_text


def test_members_download_their_task_forces_packs_and_no_others(
    app, client, api, meeting, make_user, make_taskforce, no_pdf
):
    assert api.post(f"/meetings/{meeting.id}/pack/issue", {}).status_code == 201
    sam = make_user("member", email=SAM)
    outsider = make_user("member", email="oona@example.gov.uk")
    make_taskforce(members=[member("Oona Other", "oona@example.gov.uk")])
    login(client, sam)
    assert client.get(f"/meetings/{meeting.id}/packs/1.docx").status_code == 200
    page = client.get(f"/meetings/{meeting.id}/pack")
    assert page.status_code == 200
    assert "Download the draft" not in page.get_data(as_text=True)
    assert client.get(f"/meetings/{meeting.id}/pack/draft.docx").status_code == 403
    other = login(app.test_client(), outsider)
    assert other.get(f"/meetings/{meeting.id}/packs/1.docx").status_code == 403
    assert other.get(f"/meetings/{meeting.id}/pack").status_code == 403


def test_a_non_recipients_pack_has_no_trace_of_a_restricted_paper(
    app, api, tf, make_meeting, smtp, no_pdf
):
    meeting = make_meeting()
    nia = next(m for m in tf.members if m.email == NIA)
    agenda_services.add_item(
        meeting,
        {
            "title": "Provider market exit",
            "duration_minutes": 10,
            "paper": "# Zebra contingency\n\nThe Quokka provider may leave.",
            "restricted": True,
            "restricted_to": [nia.id],
        },
        CLI,
    )
    db.session.commit()
    reference = "SW-1/P01"
    response = api.post(f"/meetings/{meeting.id}/pack/issue", {})
    assert response.status_code == 201
    general = api.get(f"/meetings/{meeting.id}/packs/1.docx").data
    for name, xml in xml_of(general).items():
        for secret in ("Zebra", "Quokka", reference, "SW-1-P01", "restricted supplement"):
            assert secret not in name and secret not in xml, (secret, name)
    # Sam gets the general pack alone; Nia also gets her supplement, which has the paper.
    [to_sam] = smtp.to(SAM)
    assert [a.get_filename() for a in to_sam.iter_attachments()] == ["SW-1-pack-v1.docx"]
    assert "Zebra" not in to_sam.as_string() and reference not in to_sam.as_string()
    [to_nia] = smtp.to(NIA)
    files = {a.get_filename(): a.get_content() for a in to_nia.iter_attachments()}
    assert list(files) == ["SW-1-pack-v1.docx", "SW-1-restricted-supplement-v1.docx"]
    supplement = "\n".join(
        p.text
        for p in docx.Document(io.BytesIO(files["SW-1-restricted-supplement-v1.docx"])).paragraphs
    )
    assert "Zebra contingency" in supplement and reference in supplement
    assert "Restricted papers for Nia Roberts only" in supplement
    assert_accessible_docx(files["SW-1-restricted-supplement-v1.docx"])


@pytest.mark.skipif(
    "sqlite" in __import__("os").environ.get("TEST_DATABASE_URL", "sqlite"),
    reason="one connection's write lock serialises SQLite; the race is PostgreSQL's",
)
def test_issuing_twice_at_once_makes_one_version(app, api, meeting, no_pdf):
    meeting_id, headers = meeting.id, api.headers
    statuses: list[int] = []

    def work(_i: int) -> None:
        response = app.test_client().post(
            f"/api/v1/meetings/{meeting_id}/pack/issue", json={}, headers=headers
        )
        statuses.append(response.status_code)

    race(work, threads=4)
    assert sorted(statuses) == [201, 409, 409, 409]
    db.session.expire_all()
    assert db.session.scalars(
        db.select(PackVersion.number).where(PackVersion.meeting_id == meeting_id)
    ).all() == [1]


def test_a_second_confirmation_of_the_same_version_is_refused(app, web, meeting, no_pdf, no_csrf):
    page = web.get(f"/meetings/{meeting.id}/pack/issue")
    assert page.status_code == 200
    form = {"version": "1", "change_note": ""}
    assert web.post(f"/meetings/{meeting.id}/pack/issue", data=form).status_code == 302
    again = web.post(f"/meetings/{meeting.id}/pack/issue", data=form)
    assert again.status_code == 409
    assert "Version 1 of this pack was issued since you opened the page" in again.get_data(
        as_text=True
    )
    assert len(services.versions_of(meeting)) == 1


# --- Bad input -----------------------------------------------------------------------------------


def test_a_cancelled_meetings_pack_is_not_issued(app, api, meeting, no_pdf):
    meeting_services.cancel_meeting(meeting, "Clashes with recess", CLI)
    db.session.commit()
    response = api.post(f"/meetings/{meeting.id}/pack/issue", {})
    assert response.status_code == 409
    assert "is cancelled: its pack cannot be issued" in response.get_json()["error"]["message"]
    assert db.session.scalar(db.select(db.func.count()).select_from(PackVersion)) == 0


@pytest.mark.parametrize(
    ("note", "message"),
    [("Line one\x07", "control characters"), ("x" * 2001, "at most 2000 characters")],
)
def test_a_bad_change_note_is_refused_and_nothing_is_stored(
    app, api, meeting, note, message, no_pdf
):
    response = api.post(f"/meetings/{meeting.id}/pack/issue", {"change_note": note})
    assert response.status_code == 422
    assert message in str(response.get_json()["error"]["fields"])
    assert db.session.scalar(db.select(db.func.count()).select_from(PackVersion)) == 0


def test_an_unmergeable_word_paper_is_named_and_listed_and_the_rest_is_built(
    app, api, meeting, no_pdf, monkeypatch
):
    from taskforce.packs import document

    [item] = [i for i in agenda_services.items_of(meeting) if i.title == "Skills bootcamps"]
    from tests.packs.factories import docx_paper

    content = docx_paper()
    agenda_services.upload_paper(item, content, "survey.docx", CLI, max_bytes=len(content))
    db.session.commit()

    def refuse(_content):
        raise document._Unmergeable("its parts cannot be read")

    monkeypatch.setattr(document, "_open_paper", refuse)
    response = api.post(f"/meetings/{meeting.id}/pack/issue", {})
    assert response.status_code == 201
    [warning] = [w for w in response.get_json()["warnings"] if "could not be merged" in w]
    assert "survey.docx" in warning and item.paper.reference in warning
    text = "\n".join(
        p.text
        for p in docx.Document(
            io.BytesIO(api.get(f"/meetings/{meeting.id}/packs/1.docx").data)
        ).paragraphs
    )
    assert "issued alongside this pack as a separate Word document" in text
    assert "Outstanding actions" in text


def test_control_characters_and_long_text_in_names_and_actions_still_build(
    app, api, meeting, make_indicator, make_action, no_pdf
):
    make_indicator(name="Starts\x0b\x1f with odd characters", trajectory={"2027-01": 10})
    make_action(description="A" * 2000 + "\x0c")
    response = api.get(f"/meetings/{meeting.id}/pack.docx")
    assert response.status_code == 200
    assert_accessible_docx(response.data)


# --- Emailed links ----------------------------------------------------------------------------


def test_an_emailed_link_lists_the_versions_and_changes_nothing(
    app, client, api, meeting, smtp, no_pdf
):
    api.post(f"/meetings/{meeting.id}/pack/issue", {})
    [message] = smtp.to(SAM)
    url = re.search(r"https?://\S+/pack/(\S+)", message.get_body(("plain",)).get_content())
    token = url.group(1)
    before = db.session.scalar(
        db.select(AccessLink).where(AccessLink.purpose == "pack", AccessLink.email == SAM)
    )
    page = client.get(f"/pack/{token}")
    assert page.status_code == 200
    assert "Sam Patel" in page.get_data(as_text=True)
    download = client.get(f"/pack/{token}/1.docx")
    assert download.status_code == 200
    assert download.data == api.get(f"/meetings/{meeting.id}/packs/1.docx").data
    db.session.refresh(before)
    assert before.last_used_at is None and before.revoked_at is None
    # A new version's email withdraws the old link; the new one lists both versions.
    api.post(f"/meetings/{meeting.id}/pack/issue", {})
    assert client.get(f"/pack/{token}").status_code == 410
    [_old, new] = smtp.to(SAM)
    token = re.search(r"/pack/(\S+)", new.get_body(("plain",)).get_content()).group(1)
    assert "Issued versions" in client.get(f"/pack/{token}").get_data(as_text=True)
    assert client.get(f"/pack/{token}/2.docx").status_code == 200
    assert client.get(f"/pack/{token}/1/supplement.docx").status_code == 404
    assert client.get("/pack/" + "x" * 43).status_code == 404


def test_the_pack_step_is_done_once_issued(app, api, meeting, no_pdf):
    [before] = [s for s in steps.steps_of([meeting])[meeting.id] if s.kind == "pack_issued"]
    assert before.state != steps.State.DONE
    api.post(f"/meetings/{meeting.id}/pack/issue", {})
    [after] = [s for s in steps.steps_of([meeting])[meeting.id] if s.kind == "pack_issued"]
    assert after.state == steps.State.DONE
    assert after.summary == f"Version 1 issued {today().day} {today():%B %Y}"


def test_the_pack_page_previews_the_draft_with_its_warnings(app, web, meeting, no_pdf):
    agenda_services.add_item(
        meeting,
        {"title": "Long item", "duration_minutes": 120, "paper_lead_email": "lead@example.gov.uk"},
        CLI,
    )
    db.session.commit()
    page = web.get(f"/meetings/{meeting.id}/pack")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Before you issue" in html
    assert "longer than the meeting" in html
    assert "LibreOffice is not installed" in html
    assert "Preview of the draft" in html and "Findings" in html
    assert web.get(f"/meetings/{meeting.id}/pack/draft.pdf").status_code == 503
    assert web.get(f"/meetings/{meeting.id}/pack/draft.docx").status_code == 200
