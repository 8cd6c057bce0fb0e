"""The PDF edition: the Word pack through LibreOffice, PDF papers appended, bookmarks added."""

from __future__ import annotations

import dataclasses
import io

import pytest
from pypdf import PdfReader

from taskforce.packs import pdf
from taskforce.packs.data import Paper, PdfPaper
from taskforce.packs.document import build_pack
from tests.packs.factories import pack_data, pdf_paper

pytestmark = pytest.mark.no_database

needs_libreoffice = pytest.mark.skipif(
    pdf.libreoffice_problem() is not None,
    reason="LibreOffice is not installed (scripts/test installs libreoffice-writer-nogui)",
)


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page from 1) for every bookmark, in order."""
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


@pytest.fixture(scope="module")
def edition():
    data = pack_data()
    extra = Paper(6, "SJ-4/6", "Costings", PdfPaper("costings.pdf", 3, pdf_paper(3, "Costings")))
    data = dataclasses.replace(data, papers=(*data.papers, extra))
    built = build_pack(data)
    return built, pdf.build_pdf(built.docx, built.contents, data.papers)


@needs_libreoffice
def test_the_pdf_has_the_pack_then_the_pdf_papers_in_agenda_order(edition):
    _built, result = edition
    assert result.warnings == []
    reader = PdfReader(io.BytesIO(result.pdf))
    texts = [page.extract_text() for page in reader.pages]
    assert "Skills and Jobs Task Force" in texts[0]
    assert "OFFICIAL-SENSITIVE" in texts[0]
    pack_pages = int(texts[0].split("Page 1 of ")[1].split()[0])
    assert len(reader.pages) == pack_pages + 2 + 3
    assert "Financial annex: page 1" in texts[pack_pages]
    assert "Costings: page 3" in texts[-1]
    assert reader.metadata.title == "Skills and Jobs Task Force: meeting 4 agenda pack"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    wide = [p.mediabox.width > p.mediabox.height for p in reader.pages[:pack_pages]]
    annex = wide.index(True)
    assert wide[annex:] == [True] * (pack_pages - annex)  # the annex, landscape, to the end
    assert texts[annex].split("\n")[1] == "Annex"


@needs_libreoffice
def test_the_pdf_has_a_bookmark_per_section_and_paper(edition):
    built, result = edition
    reader = PdfReader(io.BytesIO(result.pdf))
    marks = outline(reader)
    assert [title for depth, title, _page in marks if depth == 0] == [
        "Agenda",
        "Actions from the last meeting",
        "Outstanding actions",
        "Performance pack",
        "Papers",
        "Annex",
    ]
    assert [(d, t) for d, t, _p in marks] == [(e.level - 1, e.title) for e in built.contents]
    pages = {title: page for _d, title, page in marks}
    texts = [page.extract_text() for page in reader.pages]
    for title in (
        "Agenda",
        "Outstanding actions",
        "Item 3: Apprenticeship starts: revised plan (SJ-4/3)",
    ):
        assert title in texts[pages[title] - 1]
    pack_pages = len(reader.pages) - 5
    assert pages["Item 5: Funding annex (SJ-4/5)"] == pack_pages + 1
    assert pages["Item 6: Costings (SJ-4/6)"] == pack_pages + 3


@needs_libreoffice
def test_the_pdf_contents_carry_real_page_numbers(edition):
    _built, result = edition
    reader = PdfReader(io.BytesIO(result.pdf))
    pages = {title: page for _d, title, page in outline(reader)}
    contents = reader.pages[1].extract_text()
    assert "Contents" in contents
    lines = [" ".join(line.replace(".", " ").split()) for line in contents.splitlines()]
    assert f"Outstanding actions {pages['Outstanding actions']}" in lines
    assert f"Annex {pages['Annex']}" in lines


@needs_libreoffice
def test_an_unreadable_pdf_paper_is_named_and_the_rest_still_built():
    data = pack_data(
        papers=(Paper(5, "SJ-4/5", "Broken", PdfPaper("broken.pdf", 1, b"%PDF-1.4 garbage")),)
    )
    built = build_pack(data)
    result = pdf.build_pdf(built.docx, built.contents, data.papers)
    assert result.warnings == [
        "Paper SJ-4/5 (broken.pdf) could not be added to the PDF edition: it could not be "
        "read. It is still listed in the pack; send it separately."
    ]
    assert len(PdfReader(io.BytesIO(result.pdf)).pages) > 5


@needs_libreoffice
def test_a_conversion_that_takes_too_long_is_stopped():
    built = build_pack(pack_data(papers=()))
    with pytest.raises(pdf.PdfUnavailable, match=r"took longer than 0\.01 seconds"):
        pdf.build_pdf(built.docx, built.contents, (), timeout=0.01)


def test_without_libreoffice_the_pdf_is_refused_in_words(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda _name: None)
    problem = pdf.libreoffice_problem()
    assert problem == (
        "The PDF edition is not available: LibreOffice is not installed on this server "
        "(install Debian's libreoffice-writer-nogui). The Word pack is complete without it."
    )
    with pytest.raises(pdf.PdfUnavailable, match="LibreOffice is not installed"):
        pdf.build_pdf(b"", (), ())
