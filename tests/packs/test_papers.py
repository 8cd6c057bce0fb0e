"""Papers in the pack: Markdown as Word structure, uploaded Word papers merged, bad ones listed."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from taskforce.packs.data import DocxPaper, MarkdownPaper, Paper
from taskforce.packs.document import build_pack
from tests.docx_checks import accessibility_problems, assert_accessible_docx
from tests.packs.factories import docx_paper, pack_data
from tests.packs.test_document import headings, xml_of

pytestmark = pytest.mark.no_database


def build_with(*papers: Paper):
    built = build_pack(pack_data(papers=papers))
    return built, docx.Document(io.BytesIO(built.docx))


def paper_part(document) -> list:
    """The paragraphs from the first paper's heading to the annex."""
    paragraphs = document.paragraphs
    start = next(
        n
        for n, p in enumerate(paragraphs)
        if p.style.name == "Heading 2" and p.text.startswith("Item ")
    )
    end = next(n for n, p in enumerate(paragraphs) if p.style.name == "Heading 1" and n > start)
    return paragraphs[start:end]


def markdown(text: str) -> Paper:
    return Paper(3, "SJ-4/3", "A written paper", MarkdownPaper(text))


def test_a_word_paper_is_merged_with_its_content_intact():
    built, document = build_with(
        Paper(4, "SJ-4/4", "Employer survey", DocxPaper("survey.docx", docx_paper()))
    )
    assert built.warnings == []
    texts = [p.text for p in paper_part(document)]
    assert texts[0] == "Item 4: Employer survey (SJ-4/4)"
    for n in (1, 2, 3):
        assert f"Survey finding {n}: employers value short courses." in texts
    assert "Telephone interviews with 400 employers." in texts
    merged = [t for t in document.tables if t._tbl.tblPr.find(qn("w:tblCaption")) is None]
    assert [[c.text for c in row.cells] for row in merged[0].rows] == [
        ["Sector", "Share"],
        ["Retail", "31%"],
    ]
    assert_accessible_docx(built.docx)


def test_a_merged_papers_headings_sit_under_its_heading():
    _built, document = build_with(
        Paper(4, "SJ-4/4", "Employer survey", DocxPaper("survey.docx", docx_paper()))
    )
    found = headings(document)
    at = found.index((2, "Item 4: Employer survey (SJ-4/4)"))
    assert found[at + 1 : at + 3] == [(3, "Employer survey: first results"), (4, "Method")]


def test_a_merged_paper_loses_its_empty_paragraphs_and_comments_but_not_its_words():
    paper = docx.Document()
    paper.add_paragraph("Before the gap.")
    paper.add_paragraph("")
    paper.add_paragraph("\t")
    paper.add_paragraph("After the gap.")
    out = io.BytesIO()
    paper.save(out)
    built, document = build_with(Paper(4, "SJ-4/4", "Gaps", DocxPaper("gaps.docx", out.getvalue())))
    texts = [p.text for p in paper_part(document)]
    assert texts[1:] == ["Before the gap.", "After the gap."]
    assert_accessible_docx(built.docx)


def test_a_merged_table_without_a_header_row_gets_one_and_a_warning():
    paper = docx.Document()
    table = paper.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text = "Region"
    table.rows[1].cells[0].text = "North"
    out = io.BytesIO()
    paper.save(out)
    built, _document = build_with(Paper(4, "SJ-4/4", "Table", DocxPaper("t.docx", out.getvalue())))
    assert built.warnings == [
        "Paper SJ-4/4 (t.docx) has 1 table whose first row is now marked as its header row: "
        "ask its author to check them."
    ]
    assert_accessible_docx(built.docx)


def test_a_paper_that_cannot_be_merged_is_named_and_the_rest_still_built():
    built, document = build_with(
        Paper(3, "SJ-4/3", "Broken", DocxPaper("broken.docx", b"PK\x03\x04 not really a zip")),
        Paper(4, "SJ-4/4", "Not Word", DocxPaper("notes.docx", _zip({"notes.txt": b"hello"}))),
        Paper(5, "SJ-4/5", "Fine", DocxPaper("fine.docx", docx_paper("Fine paper"))),
    )
    assert built.warnings == [
        "Paper SJ-4/3 (broken.docx) could not be merged into the pack: it is not a Word "
        "document (.docx). It is listed instead; upload it again saved from Word as a .docx, "
        "or send it separately.",
        "Paper SJ-4/4 (notes.docx) could not be merged into the pack: it is not a Word "
        "document. It is listed instead; upload it again saved from Word as a .docx, or send "
        "it separately.",
    ]
    texts = [p.text for p in paper_part(document)]
    assert (
        "This paper (broken.docx) is issued alongside this pack as a separate Word document."
        in texts
    )
    assert (
        "This paper (notes.docx) is issued alongside this pack as a separate Word document."
        in texts
    )
    assert "Fine paper" in texts
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"][-1] == "Annex"
    assert_accessible_docx(built.docx)


def test_a_paper_that_unzips_too_big_is_listed_not_opened(monkeypatch):
    from taskforce.packs import document as module

    monkeypatch.setattr(module, "PAPER_UNZIPPED_MAX", 1000)
    built, _document = build_with(Paper(4, "SJ-4/4", "Big", DocxPaper("big.docx", docx_paper())))
    assert built.warnings[0].startswith(
        "Paper SJ-4/4 (big.docx) could not be merged into the pack: it unzips to more than"
    )


def test_markdown_becomes_word_structure():
    built, document = build_with(
        markdown(
            "# Summary\n\nAsk to **agree** the *plan*, see [the plan](https://example.gov.uk/p)"
            " or [here](/relative).\n\n"
            "## Detail\n\n1. First\n2. Second\n    - inner\n\n"
            "- Bullet\n\n"
            "| A | B |\n|---|---|\n| 1 | 2 |\n\n"
            "> Quoted\n\n"
            "    code line\n"
        )
    )
    part = paper_part(document)
    assert [(p.style.name, p.text) for p in part if p.style.name.startswith("Heading")] == [
        ("Heading 2", "Item 3: A written paper (SJ-4/3)"),
        ("Heading 3", "Summary"),
        ("Heading 4", "Detail"),
    ]
    sentence = next(p for p in part if p.text.startswith("Ask to"))
    assert sentence.text == "Ask to agree the plan, see the plan or here."
    runs = {r.text: r for r in sentence.runs}
    assert runs["agree"].bold and runs["plan"].italic
    link = sentence._p.find(qn("w:hyperlink"))
    assert document.part.rels[link.get(qn("r:id"))].target_ref == "https://example.gov.uk/p"
    assert len(sentence._p.findall(qn("w:hyperlink"))) == 1  # a relative link is only words
    listed = [(p.text, _numbering(p)) for p in part if p.style.name == "List Paragraph"]
    assert [(text, level) for text, (_num, level) in listed] == [
        ("First", 0),
        ("Second", 0),
        ("inner", 1),
        ("Bullet", 0),
    ]
    assert listed[0][1][0] != listed[3][1][0]  # numbered and bulleted lists differ
    table = captioned(document, "Table: A, B")
    assert [[c.text for c in row.cells] for row in table.rows] == [["A", "B"], ["1", "2"]]
    assert any(p.style.name == "Quote" and p.text == "Quoted" for p in part)
    assert any(p.style.name == "Code" and p.text == "code line" for p in part)
    assert_accessible_docx(built.docx)


def test_each_numbered_list_counts_from_one():
    _built, document = build_with(markdown("1. One\n2. Two\n\nText between.\n\n1. Again\n"))
    numbered = [_numbering(p) for p in paper_part(document) if p.style.name == "List Paragraph"]
    assert numbered[0][0] == numbered[1][0]
    assert numbered[2][0] != numbered[0][0]
    num = document.part.numbering_part.element.num_having_numId(numbered[2][0])
    assert num.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}").get(qn("w:val")) == "1"


def test_markdown_html_and_images_leave_no_marks_or_html():
    built, document = build_with(
        markdown(
            "<script>alert(1)</script>\n\n<b>Bold</b> and <span style='x'>span</span>\n\n"
            '![a chart](https://example.gov.uk/chart.png)\n\n<img src="x" onerror="y">\n\n'
            "<div><p>Inside a div</p></div>\n\n**not closed\n\n`code`"
        )
    )
    texts = [p.text for p in paper_part(document)][1:]
    assert texts == ["Bold and span", "Inside a div", "**not closed", "code"]
    xml = xml_of(built.docx)
    for leaked in ("<script", "alert(1)", "onerror", "&lt;b&gt;", "chart.png", "<img"):
        assert leaked not in xml
    assert not document.inline_shapes or all(
        s._inline.docPr.get("descr") for s in document.inline_shapes
    )
    assert_accessible_docx(built.docx)


def test_a_huge_markdown_table_is_built_whole():
    # 500 lines in one block: as many as a Markdown text may have (taskforce/markdown.py)
    rows = "\n".join(f"| Row {n} | {n * 3} | {'w' * 40} |" for n in range(498))
    built, document = build_with(markdown("| Name | Value | Note |\n|---|---|---|\n" + rows))
    table = captioned(document, "Table: Name, Value, Note")
    assert len(table.rows) == 499
    assert table.rows[-1].cells[0].text == "Row 497"
    assert_accessible_docx(built.docx)


def test_markdown_over_the_limits_is_shown_as_plain_text():
    text = "[" * 600 + " too many brackets"
    built, document = build_with(markdown(text))
    assert [p.text for p in paper_part(document)][1:] == [text]
    assert_accessible_docx(built.docx)


def test_markdown_headings_never_skip_a_level():
    built, document = build_with(markdown("#### Deep first\n\ntext\n\n# Top\n\n### Skip\n"))
    found = [h for h in headings(document) if h[1] in ("Deep first", "Top", "Skip")]
    assert found == [(3, "Deep first"), (3, "Top"), (4, "Skip")]
    assert not accessibility_problems(built.docx)


def captioned(document, caption: str):
    (table,) = [
        t
        for t in document.tables
        if t._tbl.tblPr.find(qn("w:tblCaption")) is not None
        and t._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val")) == caption
    ]
    return table


def _numbering(paragraph) -> tuple[int, int]:
    num_pr = paragraph._p.pPr.numPr
    return num_pr.numId.val, num_pr.ilvl.val


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()
