"""Papers: uploads checked by content and kept as versions, streamed downloads, the same
bytes stored once, nothing half-stored, and restricted papers kept from other members."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from taskforce.agenda import services
from taskforce.agenda.models import PaperVersion
from taskforce.extensions import db
from taskforce.storage import FileBlob, get_storage
from tests.agenda.documents import (
    BOUNDARY,
    HTML_CALLED_PDF,
    make_docm,
    make_docx,
    make_pdf,
    multipart,
    zip_bomb,
    zip_of_something_else,
)
from tests.conftest import NIA, SAM, login


@pytest.fixture
def meeting(make_meeting):
    return make_meeting()


@pytest.fixture
def item(api, meeting):
    response = api.post(
        f"/meetings/{meeting.id}/agenda-items",
        {"title": "Skills bootcamps", "lead": "Director of Skills", "duration_minutes": 20},
    )
    return response.json


def put_paper(api, item_id: int, content: bytes, filename: str):
    return api.client.put(
        f"/api/v1/agenda-items/{item_id}/paper",
        data=multipart(content, filename),
        headers=api.headers,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_word_paper_is_stored_counted_and_downloaded_as_it_came(api, item):
    content = make_docx("The pilot reached 1,200 learners.", "Employers asked for more.")
    response = put_paper(api, item["id"], content, "Bootcamps paper FINAL.docx")
    assert response.status_code == 200, response.json
    paper = response.json
    assert (paper["reference"], paper["kind"], paper["status"]) == ("SW-1/P01", "docx", "received")
    assert paper["word_count"] == 9 and paper["page_count"] is None
    assert paper["filename"] == "Bootcamps paper FINAL.docx"
    download = api.get(f"/agenda-items/{item['id']}/paper")
    assert download.status_code == 200
    assert download.data == content
    assert download.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert download.headers["Content-Disposition"] == 'attachment; filename="SW-1-P01.docx"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_pdf_has_its_pages_counted(api, item):
    response = put_paper(api, item["id"], make_pdf(pages=4), "paper.pdf")
    assert response.status_code == 200, response.json
    assert (response.json["kind"], response.json["page_count"]) == ("pdf", 4)
    download = api.get(f"/agenda-items/{item['id']}/paper")
    assert download.headers["Content-Type"] == "application/pdf"


def test_uploading_again_keeps_the_earlier_file_as_a_version(api, item, web):
    first, second = make_pdf(2), make_docx("Second thoughts.")
    put_paper(api, item["id"], first, "draft.pdf")
    response = put_paper(api, item["id"], second, "final.docx")
    assert response.json["version"] == 2
    versions = db.session.scalars(select(PaperVersion).order_by(PaperVersion.number)).all()
    assert [(v.number, v.kind) for v in versions] == [(1, "pdf"), (2, "docx")]
    earlier = web.get(f"/agenda-items/{item['id']}/paper/download?version=1")
    assert earlier.data == first
    assert earlier.headers["Content-Disposition"] == 'attachment; filename="SW-1-P01-v1.pdf"'
    assert web.get(f"/agenda-items/{item['id']}/paper/download").data == second


def test_the_same_bytes_are_stored_once(api, item, meeting):
    other = api.post(
        f"/meetings/{meeting.id}/agenda-items", {"title": "Same file", "duration_minutes": 5}
    ).json
    content = make_pdf(1)
    put_paper(api, item["id"], content, "a.pdf")
    put_paper(api, other["id"], content, "b.pdf")
    put_paper(api, item["id"], content, "a-again.pdf")
    assert count(PaperVersion) == 3
    assert count(FileBlob) == 1


def test_storage_streams_a_file_in_chunks(app, api, item):
    content = make_docx("x " * 50_000)
    put_paper(api, item["id"], content, "long.docx")
    [blob] = db.session.scalars(select(FileBlob)).all()
    chunks = list(get_storage().stream(blob.sha256, chunk_size=10_000))
    assert len(chunks) == -(-len(content) // 10_000)
    assert b"".join(chunks) == content


BAD_FILES = {
    "a zip of something else, named .docx": (zip_of_something_else(), "paper.docx", 422),
    "not a zip, named .docx": (b"Just some text pretending", "paper.docx", 422),
    "HTML named .pdf": (HTML_CALLED_PDF, "paper.pdf", 422),
    "a PDF header on rubbish": (b"%PDF-1.7\n rubbish\n%%EOF\n", "paper.pdf", 422),
    "a PDF with megabytes of junk after its end": (
        make_pdf(1) + b"\n" + b"junk " * 400_000,
        "paper.pdf",
        422,
    ),
    "an empty file": (b"", "paper.docx", 422),
    "a Word file with macros, named .docx": (make_docm(), "paper.docx", 422),
    "a zip bomb named .docx": (zip_bomb(), "paper.docx", 422),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_files_that_are_not_papers_are_refused_and_nothing_is_stored(api, item, case):
    content, filename, status = BAD_FILES[case]
    response = put_paper(api, item["id"], content, filename)
    assert response.status_code == status, response.json
    message = response.json["error"]["fields"]["file"][0]
    assert message and "Traceback" not in message
    assert count(PaperVersion) == 0 and count(FileBlob) == 0


def test_the_refusals_say_what_is_wrong(api, item):
    def refusal(content, name):
        return put_paper(api, item["id"], content, name).json["error"]["fields"]["file"][0]

    assert "macros" in refusal(make_docm(), "paper.docx")
    assert "not a PDF" in refusal(HTML_CALLED_PDF, "paper.pdf")
    assert "empty" in refusal(b"", "paper.pdf")
    assert "not a Word document" in refusal(zip_of_something_else(), "paper.docx")


def test_an_over_size_file_is_a_413(app, api, item):
    app.config["PAPER_MAX_MB"] = 1
    try:
        just_over = make_pdf(1) + b"%" * (1024 * 1024)
        response = put_paper(api, item["id"], just_over, "big.pdf")
        assert response.status_code == 413
        far_over = b"%PDF-" + b"0" * (3 * 1024 * 1024)
        assert put_paper(api, item["id"], far_over, "bigger.pdf").status_code == 413
    finally:
        app.config["PAPER_MAX_MB"] = 20
    assert count(FileBlob) == 0


def test_a_paper_larger_than_other_uploads_may_be_is_taken(api, item):
    """Papers have their own limit (PAPER_MAX_MB, 20), above the app's 10 MB for the rest."""
    content = make_pdf(1, attachment=11 * 1024 * 1024)
    response = put_paper(api, item["id"], content, "annex.pdf")
    assert response.status_code == 200, response.json
    assert response.json["size"] == len(content)


def test_when_the_database_write_fails_no_file_is_left_behind(api, item, monkeypatch):
    def fail(*args, **kwargs):
        raise services.ValidationError.single("file", "Simulated failure after storing")

    monkeypatch.setattr(services, "_add_version", fail)
    response = put_paper(api, item["id"], make_pdf(1), "paper.pdf")
    assert response.status_code == 422
    assert count(FileBlob) == 0


# --- Restricted papers ---------------------------------------------------------------------


@pytest.fixture
def restricted(api, meeting, tf):
    nia = next(m for m in tf.members if m.email == NIA)
    response = api.post(
        f"/meetings/{meeting.id}/agenda-items",
        {
            "title": "Provider market exit: commercial position",
            "duration_minutes": 15,
            "paper": "The provider's finances are **confidential**.",
            "restricted": True,
            "restricted_to": [nia.id],
        },
    )
    assert response.status_code == 201, response.json
    return response.json


def test_a_restricted_paper_is_invisible_to_a_member_not_named_in_the_api(
    api_for, make_user, restricted
):
    sam = api_for(make_user("member", email=SAM))
    listed = sam.get(f"/meetings/{restricted['meeting_id']}/agenda-items").json["items"]
    [item] = [i for i in listed if i["id"] == restricted["id"]]
    assert item["title"] == "Provider market exit: commercial position"
    assert item["restricted"] is True
    assert item["paper"] is None and item["restricted_to"] is None
    assert sam.get(f"/agenda-items/{restricted['id']}").json["paper"] is None
    refused = sam.get(f"/agenda-items/{restricted['id']}/paper")
    assert refused.status_code == 403
    assert b"confidential" not in refused.data


def test_a_named_recipient_and_the_secretariat_see_it(api, api_for, make_user, restricted):
    nia = api_for(make_user("chair", email=NIA))
    assert nia.get(f"/agenda-items/{restricted['id']}").json["paper"]["reference"] == "SW-1/P01"
    assert b"confidential" in nia.get(f"/agenda-items/{restricted['id']}/paper").data
    assert b"confidential" in api.get(f"/agenda-items/{restricted['id']}/paper").data


def test_a_restricted_paper_is_invisible_to_a_member_not_named_on_the_web(
    client, make_user, restricted
):
    login(client, make_user("member", email=SAM))
    agenda = client.get(f"/meetings/{restricted['meeting_id']}/agenda")
    assert agenda.status_code == 200
    page = agenda.get_data(as_text=True)
    assert "Provider market exit" in page and "SW-1/P01 (restricted)" in page
    assert f"/agenda-items/{restricted['id']}/paper" not in page
    assert client.get(f"/agenda-items/{restricted['id']}/paper").status_code == 403
    assert client.get(f"/agenda-items/{restricted['id']}/paper/download").status_code == 403


def test_a_named_recipient_reads_it_on_the_web(client, make_user, restricted):
    login(client, make_user("chair", email=NIA))
    page = client.get(f"/agenda-items/{restricted['id']}/paper").get_data(as_text=True)
    assert "<strong>confidential</strong>" in page
    assert "Restricted to" in page and "Nia Roberts" in page


def test_markdown_html_is_sanitised_on_the_preview_page(api, web, meeting):
    item = api.post(
        f"/meetings/{meeting.id}/agenda-items",
        {
            "title": "HTML",
            "duration_minutes": 5,
            "paper": 'Hi <script>alert(1)</script><img src=x onerror="alert(2)"> '
            "[link](javascript:alert(3)) ![pic](data:image/png;base64,AAAA)",
        },
    ).json
    page = web.get(f"/agenda-items/{item['id']}/paper").get_data(as_text=True)
    assert "<script>alert" not in page and "onerror" not in page
    assert "javascript:" not in page and "data:image" not in page
