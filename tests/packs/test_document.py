"""The agenda pack built from plain data, read back with python-docx as a reader's Word would."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from datetime import date, time

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from taskforce.packs.data import AgendaItem, MarkdownPaper, Paper
from taskforce.packs.document import build_pack
from tests.docx_checks import assert_accessible_docx
from tests.packs.factories import action, cover, pack_data

pytestmark = pytest.mark.no_database

WP_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"


@pytest.fixture(scope="module")
def data():
    return pack_data()


@pytest.fixture(scope="module")
def built(data):
    return build_pack(data)


@pytest.fixture(scope="module")
def document(built):
    return docx.Document(io.BytesIO(built.docx))


def xml_of(docx_bytes: bytes) -> str:
    """Every XML part of the document, unzipped and joined: what anyone could read."""
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8", "replace")
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        )


def headings(document) -> list[tuple[int, str]]:
    return [
        (int(p.style.name.split()[-1]), p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading ")
    ]


def text_of(element) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def table_after(document, heading: str):
    """The first table after the heading with this text."""
    body = document.element.body
    seen = False
    for element in body.iterchildren():
        if element.tag == qn("w:p") and text_of(element) == heading:
            style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            seen = style is not None and style.get(qn("w:val")).startswith("Heading")
        elif seen and element.tag == qn("w:tbl"):
            return docx.table.Table(element, document._body)
    raise AssertionError(f"no table after {heading!r}")


def rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_sections_come_in_the_pack_order(document):
    top = [text for level, text in headings(document) if level == 1]
    assert top == [
        "Agenda",
        "Actions from the last meeting",
        "Outstanding actions",
        "Performance pack",
        "Papers",
        "Annex",
    ]
    first = document.paragraphs[0]
    assert first.style.name == "Title"
    assert first.text == "Skills and Jobs Task Force"
    contents = next(p for p in document.paragraphs if p.style.name == "TOC Heading")
    assert contents.text == "Contents"
    body = [p.text for p in document.paragraphs]
    assert body.index("Contents") < body.index("Agenda")


def test_cover_says_meeting_version_marking_and_changes(document):
    cover = "\n".join(p.text for p in document.paragraphs[:14])
    assert "Meeting 4: Spring stocktake" in cover
    assert "Date: Tuesday 16 March 2027" in cover
    assert "Time: 10am to 11:30am (UK time)" in cover
    assert "Place: Room 2.14, 1 Example Street, London" in cover
    assert "This pack: Version 2, issued 9 March 2027" in cover
    assert "Protective marking: OFFICIAL-SENSITIVE" in cover
    assert "Changes since version 1" in cover
    assert "Item 3 retimed to 10:40am" in cover
    assert "Paper SJ-4/3 replaced" in cover


def test_a_draft_says_it_is_not_issued():
    built = build_pack(pack_data(cover=cover(issued_on=None, version=1, changes=())))
    texts = [p.text for p in docx.Document(io.BytesIO(built.docx)).paragraphs]
    assert "This pack: Version 1, draft, not yet issued" in texts
    assert not any(t.startswith("Changes since") for t in texts)


def test_attendees_are_grouped_with_role_and_organisation(document):
    levels = headings(document)
    start = levels.index((2, "Attendees"))
    groups = [text for level, text in levels[start + 1 : start + 5] if level == 3]
    assert groups == ["Ministers", "Officials", "Secretariat", "Others"]
    assert rows(table_after(document, "Ministers")) == [
        ["Name", "Role", "Organisation"],
        ["Priya Placeholder (chair)", "Minister for Skills", "Department for Skills"],
        ["Morgan Sample", "Minister of State for Employment", "Department for Work"],
    ]
    assert rows(table_after(document, "Others"))[1] == [
        "Sam Fictional",
        "Chief Executive",
        "Example Employers' Forum",
    ]
    assert rows(table_after(document, "Apologies"))[1] == [
        "Taylor Madeup",
        "Director, Youth Employment",
        "Department for Work",
        "Lee Standin, Deputy Director, Youth Employment",
    ]


def test_agenda_items_have_time_lead_purpose_and_paper(document):
    assert rows(table_after(document, "Items")) == [
        ["Item", "Time", "Title", "Lead", "Purpose", "Paper"],
        ["1", "10am", "Welcome, apologies and minutes of the last meeting", "Chair",
         "For information", "No paper"],
        ["2", "10:10am", "Actions and performance", "Implementation Unit", "For discussion",
         "SJ-4/2"],
        ["3", "10:40am", "Apprenticeship starts: revised plan", "Jordan Test", "For decision",
         "SJ-4/3"],
        ["4", "11:10am", "Employer survey", "Casey Demo", "For discussion", "SJ-4/4"],
        ["5", "11:25am", "Funding annex", "Casey Demo", "For information", "SJ-4/5"],
    ]  # fmt: skip


def test_every_action_of_the_last_meeting_is_listed(document, data):
    table = rows(table_after(document, "Actions from the last meeting"))
    assert table[0] == ["Ref", "Action", "Owner", "Due", "Status", "Latest update"]
    assert [r[0] for r in table[1:]] == [a.reference for a in data.last_meeting_actions]
    assert table[1][2] == "Alex Example 1\nDepartment for Skills"
    assert table[1][4] == "Complete"
    assert table[1][5] == "Draft letter with the minister's office."
    assert table[2][3] == "11 March 2027\n5 days overdue"
    assert table[2][5] == "None yet"


def test_outstanding_actions_list_every_open_one_overdue_first(document, data):
    table = rows(table_after(document, "Outstanding actions"))
    assert [r[0] for r in table[1:]] == ["SJ-1/4", "SJ-3/2", "SJ-0/9", "SJ-2/7"]
    assert table[1][3] == "4 February 2027\n40 days overdue"
    assert table[3][4] == "In progress"
    assert {r[0] for r in table[1:]} == {a.reference for a in data.outstanding_actions}


def test_two_hundred_actions_all_appear():
    actions = tuple(action(n, overdue=n % 7 or None) for n in range(1, 201))
    built = build_pack(pack_data(outstanding_actions=actions, papers=()))
    document = docx.Document(io.BytesIO(built.docx))
    table = rows(table_after(document, "Outstanding actions"))
    assert len(table) == 201
    assert {r[0] for r in table[1:]} == {a.reference for a in actions}
    overdue = [int(r[3].split("\n")[1].split()[0]) for r in table[1:] if "overdue" in r[3]]
    assert overdue == sorted(overdue, reverse=True)
    assert "overdue" not in table[-1][3]


def test_dashboard_gives_rag_in_words_and_shading(document):
    table = table_after(document, "Indicator dashboard")
    assert rows(table)[0] == [
        "Indicator", "Latest period", "Actual", "Trajectory", "Variance", "RAG", "Trend",
    ]  # fmt: skip
    first = rows(table)[1]
    assert first[:5] == [
        "Apprenticeship starts",
        "Nov 2025",
        "1,158 people",
        "1,175 people",
        "1.4% worse than trajectory",  # higher is better, and it is below
    ]
    assert first[5:] == ["Amber: within tolerance", "Improving"]
    shading = table.rows[1].cells[5]._tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
    assert shading.get(qn("w:fill")) == "F47738"


def test_every_indicator_has_a_chart_with_its_description_as_alt_text(document, data):
    pictures = list(document.element.body.iter(WP_DOCPR))
    assert len(pictures) == len(data.indicators)
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    for n, (indicator, picture) in enumerate(zip(data.indicators, pictures, strict=True), 1):
        assert picture.get("descr") == indicator.chart.description
        assert captions[n - 1] == f"Figure {n}: {indicator.chart.description}"
    assert len(document.inline_shapes) == len(data.indicators)
    assert all(shape.width == Cm(16) for shape in document.inline_shapes)


def test_likelihood_grid_and_red_and_amber_risks(document):
    grid = rows(table_after(document, "Likelihood of delivery"))
    assert grid == [
        ["Priority", "1 Jul 2026", "1 Dec 2026", "1 Mar 2027"],
        ["Young people earning or learning", "Amber/Red", "Amber/Green", "Amber/Green"],
        ["New jobs in growth sectors", "Red", "Amber/Red", "Green"],
        ["Apprenticeships", "Not assessed", "Amber/Green", "Red"],
    ]
    risks = rows(table_after(document, "Red and amber risks"))
    assert [r[0] for r in risks[1:]] == ["R01", "R02"]
    assert risks[1][3] == "Red"


def test_papers_start_on_a_new_page_under_item_and_reference(document, data):
    titles = [text for level, text in headings(document) if level == 2]
    expected = [f"Item {p.item_number}: {p.title} ({p.reference})" for p in data.papers]
    assert [t for t in titles if t.startswith("Item ")] == expected
    for paragraph in document.paragraphs:
        if paragraph.text in expected and paragraph.style.name == "Heading 2":
            assert paragraph.paragraph_format.page_break_before is True
    texts = [p.text for p in document.paragraphs]
    assert (
        "This paper is a PDF (funding-annex.pdf, 2 pages), issued alongside this pack. "
        "The PDF edition of the pack includes it at the end."
    ) in texts


def test_pages_are_a4_portrait_and_the_annex_landscape(document):
    first, annex = document.sections
    assert (first.page_width.twips, first.page_height.twips) == (11906, 16838)  # A4
    assert first.orientation == WD_ORIENT.PORTRAIT
    assert (first.left_margin.twips, first.right_margin.twips) == (1134, 1134)  # 2 cm
    assert (first.top_margin.twips, first.bottom_margin.twips) == (1417, 1417)  # 2.5 cm
    assert annex.orientation == WD_ORIENT.LANDSCAPE
    assert (annex.page_width.twips, annex.page_height.twips) == (16838, 11906)
    annex_headings = [text for level, text in headings(document) if level == 2][-4:]
    assert annex_headings == [
        "Indicator series",
        "Risk register",
        "Benefits register",
        "Delivery milestones",
    ]
    # The annex's section starts at its heading: the section break is in the paragraph before.
    body = list(document.element.body.iterchildren())
    annex_at = next(
        n
        for n, e in enumerate(body)
        if text_of(e) == "Annex" and e.find(f"{qn('w:pPr')}/{qn('w:pStyle')}") is not None
        and e.find(f"{qn('w:pPr')}/{qn('w:pStyle')}").get(qn("w:val")) == "Heading1"
    )  # fmt: skip
    assert body[annex_at - 1].find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None


def test_marking_and_page_x_of_y_stand_in_every_header_and_footer(built, document):
    for section in document.sections:
        assert [p.text for p in section.header.paragraphs] == ["OFFICIAL-SENSITIVE"]
        footer = section.footer.paragraphs
        assert [p.text for p in footer] == ["Page 1 of 1", "OFFICIAL-SENSITIVE"]
        instructions = [i.text.strip() for i in footer[0]._p.iter(qn("w:instrText"))]
        assert instructions == ["PAGE", "NUMPAGES"]
    assert document.sections[1].header.is_linked_to_previous


def test_official_is_the_marking_by_default():
    built = build_pack(pack_data(cover=cover(marking="OFFICIAL")))
    document = docx.Document(io.BytesIO(built.docx))
    assert document.sections[0].header.paragraphs[0].text == "OFFICIAL"
    assert "OFFICIAL-SENSITIVE" not in xml_of(built.docx)


def test_contents_field_is_filled_in_with_links_to_heading_bookmarks(built, document):
    body = document.element.body
    instructions = [i.text for i in body.iter(qn("w:instrText"))]
    assert instructions[0] == ' TOC \\o "1-2" \\h \\z \\u '
    bookmarks = {b.get(qn("w:name")): b for b in body.iter(qn("w:bookmarkStart"))}
    entries = [p for p in document.paragraphs if p.style.name in ("TOC 1", "TOC 2")]
    assert [p.text for p in entries] == [e.title for e in built.contents]
    assert [p.text for p in entries][:4] == ["Agenda", "Attendees", "Apologies", "Items"]
    for paragraph, entry in zip(entries, built.contents, strict=True):
        link = paragraph._p.find(qn("w:hyperlink"))
        assert link.get(qn("w:anchor")) == entry.bookmark
        heading = bookmarks[entry.bookmark].getparent()
        assert text_of(heading) == entry.title
    kinds = [c.get(qn("w:fldCharType")) for p in entries for c in p._p.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]


def test_tables_repeat_their_header_row_and_rows_do_not_split(document):
    """Every table's header row is marked; the pack's own tables (each with a caption, unlike
    the merged paper's) never split a row."""
    for table in document.tables:
        assert table._tbl.tr_lst[0].trPr.find(qn("w:tblHeader")) is not None
    own = [t for t in document.tables if t._tbl.tblPr.find(qn("w:tblCaption")) is not None]
    assert len(own) == len(document.tables) - 1
    for table in own:
        first = table._tbl.tr_lst[0]
        assert first.trPr.find(qn("w:tblHeader")) is not None
        for tr in table._tbl.tr_lst:
            assert tr.trPr.find(qn("w:cantSplit")) is not None


def test_a_row_longer_than_a_page_may_split_rather_than_be_cut_off():
    long_action = dataclasses.replace(action(1), description="Explain. " * 600)
    built = build_pack(pack_data(outstanding_actions=(long_action, action(2))))
    table = table_after(docx.Document(io.BytesIO(built.docx)), "Outstanding actions")
    split = [tr.trPr.find(qn("w:cantSplit")) is None for tr in table._tbl.tr_lst]
    assert split == [False, True, False]


def test_body_font_language_and_alignment(document, built):
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(12)
    assert normal.paragraph_format.alignment == 0
    defaults = document.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    assert fonts.get(qn("w:ascii")) == "Arial"
    assert fonts.get(qn("w:asciiTheme")) is None
    lang = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:val")) == "en-GB"
    props = document.core_properties
    assert props.title == "Skills and Jobs Task Force: meeting 4 agenda pack"
    assert props.subject == "Agenda and papers for meeting 4 on 16 March 2027, version 2"
    assert props.language == "en-GB"
    assert not re.search(r'w:jc w:val="(both|distribute)"', xml_of(built.docx))


def test_the_pack_passes_the_accessibility_check(built):
    assert_accessible_docx(built.docx)


def test_a_pack_with_nothing_yet_still_builds_and_says_so():
    empty = pack_data(
        attendees=(), apologies=(), items=(), last_meeting="", last_meeting_actions=(),
        outstanding_actions=(), indicators=(), assessments=None, risks=(), benefits=(),
        milestones=(), papers=(),
    )  # fmt: skip
    built = build_pack(empty)
    texts = [p.text for p in docx.Document(io.BytesIO(built.docx)).paragraphs]
    for sentence in (
        "No attendees are recorded yet.",
        "No items are on the agenda yet.",
        "This is the task force's first meeting: there are no earlier actions.",
        "There are no open actions from earlier meetings.",
        "This task force tracks no indicators yet.",
        "No delivery assessments have been made yet.",
        "There are no papers for this meeting.",
        "The risk register is empty.",
    ):
        assert sentence in texts
    assert_accessible_docx(built.docx)


def test_restricted_content_left_out_of_the_data_leaves_no_trace():
    """The gatherer leaves a restricted paper out of a non-recipient's data; nothing about it
    may then be anywhere in the file, properties and relationships included."""
    secret = Paper(
        6, "SJ-4/6", "Provider Zephyrine commercial terms",
        MarkdownPaper("Zephyrine's bid is restricted."),
    )  # fmt: skip
    general = pack_data()
    with_secret = dataclasses.replace(general, papers=(*general.papers, secret))
    assert "Zephyrine" in xml_of(build_pack(with_secret).docx)  # the search can find it
    built = build_pack(general)
    text = xml_of(built.docx)
    assert "Zephyrine" not in text
    assert "SJ-4/6" not in text
    assert all("Zephyrine" not in entry.title for entry in built.contents)


def test_control_characters_and_long_texts_do_not_break_the_document():
    nasty = "Bad\x00\x01\x0b\x1b\x7f\x85\u2028\ufffe\ud800 name\ttab"
    long = "x" * 5000
    data = pack_data(
        cover=cover(taskforce=nasty, place=long, meeting_title=nasty),
        items=(AgendaItem(1, long, time(10), nasty, "decision", nasty),),
        outstanding_actions=(dataclasses.replace(action(1), description=nasty + long),),
        papers=(Paper(1, nasty, nasty, MarkdownPaper(nasty + "\n\n" + long)),),
    )
    built = build_pack(data)
    document = docx.Document(io.BytesIO(built.docx))
    assert document.paragraphs[0].text == "Bad name tab"
    assert document.core_properties.title == "Bad name tab: meeting 4 agenda pack"
    texts = "\n".join(p.text for p in document.paragraphs)
    assert long in texts
    assert_accessible_docx(built.docx)


def test_building_twice_gives_the_same_document(data):
    first, second = build_pack(data), build_pack(data)
    assert xml_of(first.docx) == xml_of(second.docx)


def test_the_cover_dates_the_document_by_its_issue(document):
    assert document.core_properties.created.date() == date(2027, 3, 9)


def test_variance_is_better_or_worse_for_the_indicators_direction_as_on_the_web():
    from decimal import Decimal

    from taskforce.packs.document import variance_words
    from taskforce.performance.rag import variance_in_words

    for pct, actual, direction in [
        ("7.4", "107.4", "down"),
        ("-3.1", "96.9", "up"),
        ("3.1", "103.1", "up"),
        ("-7.4", "92.6", "down"),
    ]:
        words = variance_words(Decimal(pct), direction)
        assert words == variance_in_words(Decimal(actual), Decimal(100), direction)
    assert variance_words(Decimal("7.4"), "down") == "7.4% worse than trajectory"
    assert variance_words(Decimal(0), "up") == "On trajectory"
