"""The accessibility check itself: a good document passes, and each rule fails when broken."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from tests.docx_checks import accessibility_problems, assert_accessible_docx
from tests.packs.factories import chart_png

pytestmark = pytest.mark.no_database


def good() -> docx.document.Document:
    """A small document that keeps every rule."""
    document = docx.Document()
    props = document.core_properties
    props.title, props.subject, props.language = "A title", "A subject", "en-GB"
    lang = document.styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}"
    )
    lang.set(qn("w:val"), "en-GB")
    document.add_heading("Report", 1)
    document.add_paragraph("Some words.")
    document.add_heading("Detail", 2)
    shape = document.add_picture(io.BytesIO(chart_png("Check")))
    shape._inline.docPr.set("descr", "A chart of the check")
    table = document.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text = "Name"
    table.rows[1].cells[0].text = "Red"
    _shade(table.rows[1].cells[0])
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    document.add_heading("Second part", 1)
    return document


def save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _shade(cell, fill: str = "D4351C") -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def test_a_good_document_passes():
    assert accessibility_problems(save(good())) == []
    assert_accessible_docx(save(good()))


def _no_title(d):
    d.core_properties.title = ""


def _no_subject(d):
    d.core_properties.subject = ""


def _american(d):
    d.core_properties.language = "en-US"


def _default_language(d):
    d.styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}"
    ).set(qn("w:val"), "en-US")


def _skipped_heading(d):
    d.add_heading("Too deep", 4)


def _starts_below_one(d):
    first = d.paragraphs[0]
    first.style = d.styles["Heading 2"]


def _no_alt_text(d):
    d.add_picture(io.BytesIO(chart_png("Check")))


def _no_header_row(d):
    d.add_table(rows=2, cols=2).rows[0].cells[0].text = "Name"


def _colour_alone(d):
    table = d.tables[0]
    _shade(table.rows[1].cells[1], "00703C")


def _empty_paragraph(d):
    d.add_paragraph("")
    d.add_paragraph("After a gap")


def _tab_spacing(d):
    d.add_paragraph("\tIndented with a tab")


def _floating_picture(d):
    inline = d.inline_shapes[0]._inline
    inline.tag = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}anchor"


def _text_box(d):
    p = d.add_paragraph("Boxed")
    p._p.append(OxmlElement("w:txbxContent"))


def _contents_out_of_order(d):
    for n, heading in enumerate([d.paragraphs[0], d.paragraphs[-1]]):
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(n))
        start.set(qn("w:name"), f"_Toc{n}")
        heading._p.insert(1, start)
    for name in ("_Toc1", "_Toc0"):  # listed backwards
        p = d.add_paragraph()
        p.style = d.styles.add_style(f"TOC {name}", 1)
        link = OxmlElement("w:hyperlink")
        link.set(qn("w:anchor"), name)
        p._p.append(link)
        link.append(p.add_run(name)._r)


BROKEN = {
    "no title": (_no_title, "The document has no title in its properties"),
    "no subject": (_no_subject, "The document has no subject in its properties"),
    "core language": (_american, "The document's language property is 'en-US', not en-GB"),
    "w:lang": (_default_language, "The default text language (w:lang) is 'en-US', not en-GB"),
    "skipped level": (
        _skipped_heading,
        "Heading 'Too deep' is level 4 after level 1: a heading level is skipped",
    ),
    "first heading": (
        _starts_below_one,
        "Heading 'Report' is level 2 after level 0: a heading level is skipped",
    ),
    "alt text": (_no_alt_text, "Picture 'Picture 2' has no alt text"),
    "header row": (_no_header_row, "Table 'number 2' has no header row marked (w:tblHeader)"),
    "colour alone": (
        _colour_alone,
        "A cell shaded 00703C has no words: colour alone carries its meaning",
    ),
    "empty paragraph": (
        _empty_paragraph,
        "An empty paragraph is used for spacing (after 'Second part')",
    ),
    "tab": (_tab_spacing, "A paragraph starts with a tab for spacing: 'Indented with a tab'"),
    "floating": (_floating_picture, "1 picture(s) float beside the text, out of reading order"),
    "text box": (_text_box, "1 text box(es) are read out of order"),
    "contents order": (
        _contents_out_of_order,
        "The contents list the headings in another order than the document",
    ),
}


@pytest.mark.parametrize("breakage", BROKEN, ids=list(BROKEN))
def test_each_rule_fails_when_broken(breakage):
    document = good()
    breaking, message = BROKEN[breakage]
    breaking(document)
    problems = accessibility_problems(save(document))
    assert message in problems
    with pytest.raises(AssertionError, match="The document is not accessible"):
        assert_accessible_docx(save(document))
