"""The agenda pack as a Word document: a pure function from PackData to bytes.

build_pack(data) touches no database, request or clock, so it can be tested and benchmarked
alone. It writes, in this order: the cover, the contents, the agenda, the actions from the
last meeting, the outstanding actions, the performance pack, the papers and, in a landscape
section, the annex.

Accessible by construction (tests/docx_checks.py checks any document for these):

- Title, subject and language (en-GB, in the core properties and in the default run
  properties, where Word and screen readers look) are set.
- Real Title and Heading styles; headings never skip a level (a paper's own headings are
  moved under its heading).
- Every picture has alt text (wp:docPr/@descr) and a caption saying the same.
- Every table's first row is a header row repeated on each page; rows never split across
  pages (unless a row's text is too long for one page, which Word would otherwise cut off).
- RAG and ratings are always in words, and shaded only as well.
- Spacing comes from paragraph spacing and page breaks, never empty paragraphs or tabs.
- A sans-serif body font (Arial) at 12 pt, left-aligned; A4 with 2 cm side margins.

Rows are built as they are added, straight into the XML (python-docx's Table.cell() and
_Row.cells look at the whole table each time, which makes big tables quadratic).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

import lxml.html
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from taskforce.markdown import render_markdown
from taskforce.packs.data import (
    ACTION_STATUSES,
    GROUPS,
    MILESTONE_STATUSES,
    PURPOSES,
    RAGS,
    RATINGS,
    ActionRow,
    DocxPaper,
    Indicator,
    MarkdownPaper,
    PackData,
    Paper,
    PdfPaper,
)

FONT = "Arial"
CODE_FONT = "Courier New"
BLACK, GREY, BLUE = "0B0C0C", "505A5F", "1D70B8"
HEADER_FILL = "F3F2F1"
#: Cell shading and the text colour that reads on it, by the word the cell says.
SHADES = {
    "Red": ("D4351C", "FFFFFF"),
    "Amber": ("F47738", BLACK),
    "Green": ("00703C", "FFFFFF"),
    "Amber/Red": ("F47738", BLACK),
    "Amber/Green": ("85994B", BLACK),
}
RAG_WORDS = {
    "red": "Red: off track",
    "amber": "Amber: within tolerance",
    "green": "Green: on track",
}

A4 = (Cm(21.0), Cm(29.7))
SIDE_MARGIN, TOP_MARGIN = Cm(2.0), Cm(2.5)
#: Width of the text on a portrait and on a landscape page, in cm.
PORTRAIT_TEXT_CM, LANDSCAPE_TEXT_CM = 17.0, 25.7
#: A row whose text is longer than this may split across pages: a row taller than a page
#: that may not split is cut off at the page's foot by Word.
ROW_SPLIT_CHARS = 1500
#: An uploaded paper bigger than this, unzipped, is listed rather than merged.
PAPER_UNZIPPED_MAX = 200 * 1024 * 1024
#: Contents entries and PDF bookmarks cover headings down to this level.
CONTENTS_LEVELS = 2

# XML 1.0 cannot hold most C0 controls, lone surrogates or U+FFFE/U+FFFF; C1 controls are
# allowed but are never meant. Line breaks of every kind become "\n" first.
_LINE_BREAK = re.compile("\r\n|[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_NOT_XML = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class ContentsEntry:
    """A heading the contents (and the PDF's bookmarks) point to."""

    level: int
    title: str
    bookmark: str


@dataclass(frozen=True)
class BuiltPack:
    docx: bytes
    #: What a person should know before issuing: papers that could not be merged, say.
    warnings: list[str] = field(default_factory=list)
    contents: tuple[ContentsEntry, ...] = ()


def build_pack(data: PackData) -> BuiltPack:
    """Write the agenda pack for data as a Word document."""
    return _Builder(data).build()


def paper_bookmark(index: int) -> str:
    """The bookmark of the heading of data.papers[index] (the PDF edition finds it by this)."""
    return f"_TocPaper{index}"


# --- text --------------------------------------------------------------------------------


def chars(text: str | None) -> str:
    """Text that XML can hold: controls removed, tabs as spaces, line breaks as "\\n"."""
    if not text:
        return ""
    return _NOT_XML.sub("", _LINE_BREAK.sub("\n", text).replace("\t", " "))


def clean(text: str | None, *, one_line: bool = False) -> str:
    """chars(text), trimmed; one_line: every run of spaces and line breaks as one space."""
    text = chars(text)
    if one_line:
        return _SPACES.sub(" ", text).strip()
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def long_date(value: date | None) -> str:
    """Tuesday 23 November 2026."""
    return f"{value:%A} {value.day} {value:%B %Y}" if value else ""


def short_date(value: date | None) -> str:
    """23 November 2026."""
    return f"{value.day} {value:%B %Y}" if value else ""


def clock(value: time | None) -> str:
    """10am, 2:30pm (GOV.UK style)."""
    if value is None:
        return ""
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


def number(value: Decimal | None, unit: str = "") -> str:
    """1,050 people; 12.5%; "" for no value."""
    if value is None:
        return ""
    value = Decimal(value)
    shown = f"{value:,.0f}" if value == value.to_integral_value() else f"{value.normalize():,f}"
    if unit == "%":
        return f"{shown}%"
    return f"{shown} {clean(unit, one_line=True)}".strip()


def variance_words(variance_pct: Decimal | None, direction: str = "up") -> str:
    """The variance as the web says it (performance.rag.variance_in_words): better or worse
    than trajectory for the indicator's direction, never a bare sign."""
    if variance_pct is None:
        return ""
    if variance_pct == 0:
        return "On trajectory"
    side = "better" if (variance_pct > 0) == (direction == "up") else "worse"
    return f"{abs(variance_pct):.1f}% {side} than trajectory"


# --- XML helpers ---------------------------------------------------------------------------


def _el(tag: str, **attrs: str):
    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def _sub(parent, tag: str, **attrs: str):
    element = _el(tag, **attrs)
    parent.append(element)
    return element


@dataclass(frozen=True)
class Shaded:
    """A table cell's words, shaded in their colour as well."""

    text: str


@dataclass(frozen=True)
class Style:
    """How a run looks, beyond its paragraph's style."""

    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    colour: str = ""
    vert: str = ""  # "superscript" or "subscript"
    char_style: str = ""


PLAIN = Style()


def _run(text: str, style: Style = PLAIN):
    """A w:r holding text, "\\n" as line breaks."""
    r = _el("w:r")
    if style != PLAIN:
        rpr = _sub(r, "w:rPr")
        if style.char_style:
            _sub(rpr, "w:rStyle", val=style.char_style)
        if style.code:
            _sub(rpr, "w:rFonts", ascii=CODE_FONT, hAnsi=CODE_FONT, cs=CODE_FONT)
        if style.bold:
            _sub(rpr, "w:b")
        if style.italic:
            _sub(rpr, "w:i")
        if style.strike:
            _sub(rpr, "w:strike")
        if style.colour:
            _sub(rpr, "w:color", val=style.colour)
        if style.vert:
            _sub(rpr, "w:vertAlign", val=style.vert)
    for n, line in enumerate(text.split("\n")):
        if n:
            _sub(r, "w:br")
        if line:
            t = _sub(r, "w:t")
            t.text = line
            t.set(qn("xml:space"), "preserve")
    return r


def _p(
    style: str | None = None,
    *,
    keep_next: bool = False,
    page_break: bool = False,
    num: tuple[int, int] | None = None,
    indent_twips: int | None = None,
):
    p = _el("w:p")
    if style or keep_next or page_break or num or indent_twips is not None:
        ppr = _sub(p, "w:pPr")
        if style:
            _sub(ppr, "w:pStyle", val=style)
        if keep_next:
            _sub(ppr, "w:keepNext")
        if page_break:
            _sub(ppr, "w:pageBreakBefore")
        if num:
            numpr = _sub(ppr, "w:numPr")
            _sub(numpr, "w:ilvl", val=num[1])
            _sub(numpr, "w:numId", val=num[0])
        if indent_twips is not None:
            _sub(ppr, "w:ind", left=indent_twips)
    return p


def _space_before(p, twips: int) -> None:
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = _el("w:pPr")
        p.insert(0, ppr)
    if ppr.find(qn("w:spacing")) is not None:
        return
    spacing = _el("w:spacing", before=twips)
    later = [c for c in ppr if c.tag in (qn("w:ind"), qn("w:jc"), qn("w:rPr"), qn("w:sectPr"))]
    if later:
        later[0].addprevious(spacing)
    else:
        ppr.append(spacing)


def _field(parent, instruction: str, result: str = "") -> None:
    """A complex field (PAGE, NUMPAGES, PAGEREF...) with its last result."""
    _field_begin(parent, instruction)
    parent.append(_run(result))
    _field_end(parent)


def _field_begin(parent, instruction: str) -> None:
    """A complex field's opening, up to where its last result starts."""
    r = _sub(parent, "w:r")
    _sub(r, "w:fldChar", fldCharType="begin")
    r = _sub(parent, "w:r")
    instr = _sub(r, "w:instrText")
    instr.text = f" {instruction} "
    instr.set(qn("xml:space"), "preserve")
    r = _sub(parent, "w:r")
    _sub(r, "w:fldChar", fldCharType="separate")


def _field_end(parent) -> None:
    r = _sub(parent, "w:r")
    _sub(r, "w:fldChar", fldCharType="end")


def _has_content(p) -> bool:
    """Whether a paragraph shows anything: text, a picture, an object, a field."""
    for node in p.iter():
        tag = node.tag
        if tag == qn("w:t") and node.text and node.text.strip():
            return True
        if tag in _CONTENT_TAGS:
            return True
    return False


_CONTENT_TAGS = {
    qn("w:drawing"),
    qn("w:pict"),
    qn("w:object"),
    qn("w:fldChar"),
    qn("w:fldSimple"),
    qn("w:sectPr"),
    qn("w:footnoteReference"),
    qn("w:endnoteReference"),
    "{http://schemas.openxmlformats.org/officeDocument/2006/math}oMath",
}


# --- the builder ---------------------------------------------------------------------------


class _Builder:
    def __init__(self, data: PackData):
        self.data = data
        self.doc = Document()
        self.body = self.doc.element.body
        self.warnings: list[str] = []
        self.contents: list[ContentsEntry] = []
        self._bookmarks = 0
        self._figures = 0
        self._bullets: int | None = None  # w:numId shared by every bulleted list
        self._decimal: int | None = None  # w:abstractNumId that each numbered list restarts
        self._composer = None
        self._text_cm = PORTRAIT_TEXT_CM

    # -- the document as a whole --

    def build(self) -> BuiltPack:
        supplement = bool(self.data.cover.supplement_for)
        self._setup()
        self._cover()
        contents_at = self._contents_heading()
        if not supplement:
            self._agenda()
            self._last_meeting_actions()
            self._outstanding_actions()
            self._performance()
        self._papers()
        if not supplement:
            self._annex()
        self._contents(contents_at)
        out = io.BytesIO()
        self.doc.save(out)
        return BuiltPack(out.getvalue(), self.warnings, tuple(self.contents))

    def _add(self, element):
        """Append a block (paragraph or table) to the body, before the last section's
        properties. A paragraph straight after a table gets space above it."""
        end = self.body.sectPr
        previous = end.getprevious()
        if element.tag == qn("w:p") and previous is not None and previous.tag == qn("w:tbl"):
            _space_before(element, 240)
        end.addprevious(element)
        return element

    def _setup(self) -> None:
        cover = self.data.cover
        self._styles()
        section = self.doc.sections[0]
        section.page_width, section.page_height = A4
        section.orientation = WD_ORIENT.PORTRAIT
        section.left_margin = section.right_margin = SIDE_MARGIN
        section.top_margin = section.bottom_margin = TOP_MARGIN
        section.header_distance = section.footer_distance = Cm(1.2)
        marking = clean(cover.marking, one_line=True) or "OFFICIAL"
        header = section.header.paragraphs[0]._p
        self._marking(header, marking)
        footer = section.footer.paragraphs[0]._p
        _sub(_sub(footer, "w:pPr"), "w:pStyle", val="Footer")
        footer.append(_run("Page "))
        _field(footer, "PAGE", "1")
        footer.append(_run(" of "))
        _field(footer, "NUMPAGES", "1")
        marking_p = _p("Footer")
        self._marking(marking_p, marking)
        footer.addnext(marking_p)
        for p in (footer, marking_p):
            _sub(p.find(qn("w:pPr")), "w:jc", val="center")

        props = self.doc.core_properties
        taskforce = clean(cover.taskforce, one_line=True)
        what = "restricted supplement" if cover.supplement_for else "agenda pack"
        props.title = f"{taskforce}: meeting {cover.meeting_number} {what}"
        props.subject = (
            f"Agenda and papers for meeting {cover.meeting_number} on "
            f"{short_date(cover.meeting_on)}, version {cover.version}"
        )
        props.language = "en-GB"
        props.author = props.last_modified_by = f"{taskforce} secretariat"
        props.category = marking
        props.keywords = marking
        props.comments = ""
        props.revision = max(1, cover.version)
        moment = datetime.combine(cover.issued_on or cover.meeting_on, time(9))
        props.created = props.modified = moment

    def _marking(self, p, marking: str) -> None:
        ppr = p.find(qn("w:pPr"))
        if ppr is None:
            ppr = _el("w:pPr")
            p.insert(0, ppr)
        if ppr.find(qn("w:jc")) is None:
            _sub(ppr, "w:jc", val="center")
        p.append(_run(marking, Style(bold=True)))

    def _styles(self) -> None:
        styles = self.doc.styles
        root = styles.element
        defaults = root.find(qn("w:docDefaults"))
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        lang = rpr.find(qn("w:lang"))
        lang.set(qn("w:val"), "en-GB")
        lang.set(qn("w:eastAsia"), "en-GB")
        rpr.find(qn("w:sz")).set(qn("w:val"), "24")
        rpr.find(qn("w:szCs")).set(qn("w:val"), "24")
        spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
        spacing.set(qn("w:after"), "160")
        # Theme fonts (Calibri, Cambria) win over named ones: name Arial everywhere instead.
        for fonts in root.iter(qn("w:rFonts")):
            for name in list(fonts.attrib):
                del fonts.attrib[name]
            for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
                fonts.set(qn(f"w:{slot}"), FONT)
        for colour in root.iter(qn("w:color")):
            for name in list(colour.attrib):
                if "theme" in name:
                    del colour.attrib[name]
        normal = styles["Normal"]
        normal.paragraph_format.alignment = 0  # left
        normal.font.size = Pt(12)
        sizes = {1: 20, 2: 16, 3: 14}
        for level in range(1, 10):
            style = styles[f"Heading {level}"]
            style.font.size = Pt(sizes.get(level, 12))
            style.font.bold = True
            style.font.italic = False
            style.font.color.rgb = RGBColor.from_string(BLACK)
            style.paragraph_format.space_before = Pt(18 if level <= 2 else 12)
            style.paragraph_format.space_after = Pt(8)
            style.paragraph_format.keep_with_next = True
        title = styles["Title"]
        title.font.size, title.font.color.rgb = Pt(32), RGBColor.from_string(BLACK)
        title.font.bold = True
        border = title.element.find(f"{qn('w:pPr')}/{qn('w:pBdr')}")
        if border is not None:
            border.getparent().remove(border)
        subtitle = styles["Subtitle"]
        subtitle.font.size, subtitle.font.italic = Pt(20), False
        subtitle.font.color.rgb = RGBColor.from_string(BLACK)
        subtitle.paragraph_format.space_after = Pt(24)
        caption = styles["Caption"]
        caption.font.size, caption.font.bold = Pt(12), False
        caption.font.color.rgb = RGBColor.from_string(BLACK)
        caption.paragraph_format.space_after = Pt(18)
        toc_heading = styles["TOC Heading"]
        toc_heading.paragraph_format.page_break_before = True
        quote = styles["Quote"]
        quote.font.italic = False
        quote.paragraph_format.left_indent = Cm(1)
        for level in (1, 2):
            toc = styles.add_style(f"TOC {level}", WD_STYLE_TYPE.PARAGRAPH)
            toc.base_style = normal
            toc.paragraph_format.left_indent = Cm(0.8 * (level - 1))
            toc.paragraph_format.space_after = Pt(4 if level == 2 else 8)
            toc.paragraph_format.tab_stops.add_tab_stop(
                Cm(PORTRAIT_TEXT_CM), alignment=2, leader=1
            )  # right-aligned, dotted
            toc.font.bold = level == 1
        link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
        link.font.color.rgb = RGBColor.from_string(BLUE)
        link.font.underline = True
        table_text = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
        table_text.base_style = normal
        table_text.paragraph_format.space_after = Pt(2)
        table_text.paragraph_format.line_spacing = 1.0
        code = styles.add_style("Code", WD_STYLE_TYPE.PARAGRAPH)
        code.base_style = normal
        code.font.name = CODE_FONT
        code.paragraph_format.left_indent = Cm(0.5)
        code.paragraph_format.line_spacing = 1.0
        facts = styles.add_style("Cover Fact", WD_STYLE_TYPE.PARAGRAPH)
        facts.base_style = normal
        facts.paragraph_format.space_after = Pt(6)
        facts.font.size = Pt(14)

    # -- headings and paragraphs --

    def _heading(
        self, text: str, level: int, *, page_break: bool = False, bookmark: str | None = None
    ):
        text = clean(text, one_line=True)
        p = self._add(_p(f"Heading{level}", page_break=page_break))
        if level <= CONTENTS_LEVELS:
            self._bookmarks += 1
            name = bookmark or f"_TocPack{self._bookmarks:04d}"
            _sub(p, "w:bookmarkStart", id=self._bookmarks, name=name)
            p.append(_run(text))
            _sub(p, "w:bookmarkEnd", id=self._bookmarks)
            self.contents.append(ContentsEntry(level, text, name))
        else:
            p.append(_run(text))
        return p

    def _para(self, *parts: str | tuple[str, Style], style: str | None = None, **kw):
        """A paragraph of runs: plain strings, or (text, Style) pairs. Nothing if empty."""
        p = _p(style, **kw)
        for part in parts:
            text, look = (part, PLAIN) if isinstance(part, str) else part
            text = chars(text)
            if text:
                p.append(_run(text, look))
        return self._add(p) if _has_content(p) else None

    def _fact(self, label: str, value: str, style: str | None = None) -> None:
        self._para((f"{label}: ", Style(bold=True)), value, style=style)

    def _bullets_list(self, lines: Iterable[str]) -> None:
        for line in lines:
            self._para(line, style="ListParagraph", num=(self._bullet_num(), 0))

    # -- cover and contents --

    def _cover(self) -> None:
        cover = self.data.cover
        title = self._add(_p("Title"))
        title.append(_run(clean(cover.taskforce, one_line=True)))
        meeting = clean(cover.meeting_title, one_line=True)
        self._para(
            f"Meeting {cover.meeting_number}" + (f": {meeting}" if meeting else ""),
            style="Subtitle",
        )
        if cover.supplement_for:
            recipient = clean(cover.supplement_for, one_line=True)
            self._para(
                f"Restricted papers for {recipient} only: do not forward or copy",
                style="Cover Fact",
            )
        else:
            self._para("Agenda and papers", style="Cover Fact")
        self._fact("Date", long_date(cover.meeting_on), "Cover Fact")
        self._fact("Time", self._times(), "Cover Fact")
        self._fact("Place", clean(cover.place, one_line=True) or "To be confirmed", "Cover Fact")
        issued = (
            f"version {cover.version}, issued {short_date(cover.issued_on)}"
            if cover.issued_on
            else f"version {cover.version}, draft, not yet issued"
        )
        self._fact("This pack", issued[0].upper() + issued[1:], "Cover Fact")
        self._fact("Protective marking", clean(cover.marking, one_line=True), "Cover Fact")
        changes = [clean(line, one_line=True) for line in cover.changes]
        changes = [line for line in changes if line]
        note = clean(cover.change_note)
        if changes or note:
            since = cover.changes_since or max(1, cover.version - 1)
            self._heading_like(f"Changes since version {since}")
            if note:
                self._para(note)
            self._bullets_list(changes)

    def _heading_like(self, text: str) -> None:
        """Bold text that leads a short passage without being a heading (on the cover,
        before the contents, a heading would come before the first Heading 1)."""
        self._para((text, Style(bold=True)), keep_next=True)

    def _times(self) -> str:
        cover = self.data.cover
        if cover.ends_at:
            return f"{clock(cover.starts_at)} to {clock(cover.ends_at)} (UK time)"
        return f"{clock(cover.starts_at)} (UK time)"

    def _contents_heading(self):
        p = self._add(_p("TOCHeading"))
        p.append(_run("Contents"))
        return p

    def _contents(self, after) -> None:
        """The table of contents field, filled in already: one paragraph per heading, each a
        link to the heading's bookmark. Word adds page numbers when it updates the field;
        the PDF edition adds them first (with_page_numbers)."""
        entries = self.contents
        previous = after
        for n, entry in enumerate(entries):
            p = _p(f"TOC{entry.level}")
            if n == 0:
                _field_begin(p, f'TOC \\o "1-{CONTENTS_LEVELS}" \\h \\z \\u')
            link = _sub(p, "w:hyperlink", anchor=entry.bookmark, history="1")
            link.append(_run(entry.title))
            if n == len(entries) - 1:
                _field_end(p)
            previous.addnext(p)
            previous = p

    # -- agenda --

    def _agenda(self) -> None:
        data, cover = self.data, self.data.cover
        self._heading("Agenda", 1, page_break=True)
        self._fact("Date", long_date(cover.meeting_on))
        self._fact("Time", self._times())
        self._fact("Place", clean(cover.place, one_line=True) or "To be confirmed")
        self._heading("Attendees", 2)
        if not data.attendees:
            self._para("No attendees are recorded yet.")
        for group, heading in GROUPS.items():
            people = [a for a in data.attendees if a.group == group]
            if not people:
                continue
            self._heading(heading, 3)
            self._table(
                heading,
                [("Name", 5.0), ("Role", 6.5), ("Organisation", 5.5)],
                (
                    [
                        clean(a.name, one_line=True) + (" (chair)" if a.is_chair else ""),
                        clean(a.role_title, one_line=True),
                        clean(a.organisation, one_line=True),
                    ]
                    for a in people
                ),
            )
        self._heading("Apologies", 2)
        if data.apologies:
            self._table(
                "Apologies",
                [("Name", 4.0), ("Role", 4.5), ("Organisation", 4.0), ("Deputy", 4.5)],
                (
                    [
                        clean(a.name, one_line=True),
                        clean(a.role_title, one_line=True),
                        clean(a.organisation, one_line=True),
                        clean(a.deputy, one_line=True) or "No deputy named",
                    ]
                    for a in data.apologies
                ),
            )
        else:
            self._para("No apologies received so far.")
        self._heading("Items", 2)
        if not data.items:
            self._para("No items are on the agenda yet.")
            return
        self._table(
            "Agenda items",
            [
                ("Item", 1.3),
                ("Time", 2.4),
                ("Title", 4.8),
                ("Lead", 3.5),
                ("Purpose", 2.7),
                ("Paper", 2.3),
            ],
            (
                [
                    str(item.number),
                    clock(item.starts_at),
                    clean(item.title, one_line=True),
                    clean(item.lead, one_line=True),
                    PURPOSES.get(item.purpose, clean(item.purpose, one_line=True)),
                    clean(item.paper_reference, one_line=True) or "No paper",
                ]
                for item in data.items
            ),
        )

    # -- actions --

    def _last_meeting_actions(self) -> None:
        data = self.data
        self._heading("Actions from the last meeting", 1, page_break=True)
        if not data.last_meeting:
            self._para("This is the task force's first meeting: there are no earlier actions.")
            return
        actions = data.last_meeting_actions
        count = len(actions)
        self._para(
            f"{clean(data.last_meeting, one_line=True)} allocated "
            + (f"{count} action{'s' if count != 1 else ''}." if count else "no actions.")
        )
        if actions:
            self._actions_table("Actions from the last meeting", actions)

    def _outstanding_actions(self) -> None:
        self._heading("Outstanding actions", 1, page_break=True)
        actions = sorted(
            self.data.outstanding_actions,
            key=lambda a: (-(a.days_overdue or 0), a.due_on, a.reference),
        )
        overdue = sum(1 for a in actions if a.days_overdue)
        if not actions:
            self._para("There are no open actions from earlier meetings.")
            return
        self._para(
            f"{len(actions)} open action{'s' if len(actions) != 1 else ''} from earlier "
            f"meetings and between meetings, {overdue} of them overdue"
            + (" (listed first, most overdue first)." if overdue else ".")
        )
        self._actions_table("Outstanding actions", actions)

    def _actions_table(self, caption: str, actions: Sequence[ActionRow]) -> None:
        def due(action: ActionRow) -> str:
            text = short_date(action.due_on)
            if action.days_overdue:
                days = action.days_overdue
                text += f"\n{days} day{'s' if days != 1 else ''} overdue"
            return text

        self._table(
            caption,
            [
                ("Ref", 1.8),
                ("Action", 4.4),
                ("Owner", 3.0),
                ("Due", 2.4),
                ("Status", 2.6),
                ("Latest update", 2.8),
            ],
            (
                [
                    clean(a.reference, one_line=True),
                    clean(a.description),
                    clean(a.owner, one_line=True) + "\n" + clean(a.organisation, one_line=True),
                    due(a),
                    ACTION_STATUSES.get(a.status, clean(a.status, one_line=True)),
                    clean(a.latest_update) or "None yet",
                ]
                for a in actions
            ),
        )

    # -- performance --

    def _performance(self) -> None:
        data = self.data
        self._heading("Performance pack", 1, page_break=True)
        self._heading("Indicator dashboard", 2)
        if data.indicators:
            self._table(
                "Indicator dashboard",
                [
                    ("Indicator", 3.0),
                    ("Latest period", 2.0),
                    ("Actual", 2.1),
                    ("Trajectory", 2.6),
                    ("Variance", 2.4),
                    ("RAG", 2.5),
                    ("Trend", 2.4),
                ],
                (self._dashboard_row(i) for i in data.indicators),
            )
        else:
            self._para("This task force tracks no indicators yet.")
        if data.indicators:
            self._heading("Trajectories", 2)
            for indicator in data.indicators:
                self._chart(indicator)
        self._heading("Likelihood of delivery", 2)
        self._assessments()
        self._heading("Red and amber risks", 2)
        risks = [r for r in data.risks if r.rating in ("red", "amber")]
        risks.sort(key=lambda r: r.rating != "red")
        if not risks:
            self._para("There are no red or amber risks on the register.")
            return
        self._table(
            "Red and amber risks",
            [
                ("Ref", 1.5),
                ("Risk", 5.0),
                ("Likelihood and impact", 2.8),
                ("Rating", 2.0),
                ("Owner", 2.4),
                ("Mitigation", 3.3),
            ],
            (
                [
                    clean(r.ref, one_line=True),
                    clean(r.description),
                    f"{clean(r.likelihood, one_line=True)} likelihood, "
                    f"{clean(r.impact, one_line=True).lower()} impact",
                    Shaded(RAGS.get(r.rating, r.rating)),
                    clean(r.owner, one_line=True),
                    clean(r.mitigation),
                ]
                for r in risks
            ),
        )

    def _dashboard_row(self, indicator: Indicator) -> list:
        first = clean(indicator.name, one_line=True)
        latest = indicator.latest
        if latest is None:
            return [first, "No actuals yet", "", "", "", "No RAG yet", ""]
        return [
            first,
            clean(latest.label, one_line=True),
            number(latest.actual, indicator.unit),
            number(latest.trajectory, indicator.unit),
            variance_words(latest.variance_pct, indicator.direction),
            Shaded(RAG_WORDS[latest.rag]) if latest.rag in RAG_WORDS else "No RAG yet",
            (latest.trend or "").capitalize(),
        ]

    def _chart(self, indicator: Indicator) -> None:
        name = clean(indicator.name, one_line=True)
        self._heading(name, 3)
        if indicator.chart is None:
            self._para(f"No chart: {name} has no trajectory or actuals yet.")
            return
        description = clean(indicator.chart.description, one_line=True) or name
        self._picture(indicator.chart.png, description, width_cm=16.0)

    def _picture(self, png: bytes, description: str, width_cm: float) -> None:
        self._figures += 1
        p = self._add(_p(keep_next=True))
        shape = Paragraph(p, self.doc._body).add_run().add_picture(io.BytesIO(png), Cm(width_cm))
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", description)
        doc_pr.set("name", f"Figure {self._figures}")
        self._para(f"Figure {self._figures}: {description}", style="Caption")

    def _assessments(self) -> None:
        grid = self.data.assessments
        if grid is None or not grid.rows or not grid.dates:
            self._para("No delivery assessments have been made yet.")
            return
        dates = grid.dates
        first = 5.0
        each = max(1.6, (self._text_cm - first) / len(dates))
        self._table(
            "Likelihood of delivery",
            [("Priority", first)] + [(f"{d.day} {d:%b %Y}", each) for d in dates],
            (
                [clean(priority, one_line=True)]
                + [
                    Shaded(RATINGS[r]) if r in RATINGS else "Not assessed"
                    for r in (list(ratings) + [None] * len(dates))[: len(dates)]
                ]
                for priority, ratings in grid.rows
            ),
        )
        self._para(
            "Red: delivery is highly problematic and needs urgent, decisive action. "
            "Amber/Red: problematic, needing substantial attention, some of it urgent. "
            "Amber/Green: mixed, with some aspects needing substantial attention. "
            "Green: good, needing refinement and steady implementation."
        )

    # -- papers --

    def _papers(self) -> None:
        self._heading("Papers", 1, page_break=True)
        papers = self.data.papers
        if not papers:
            self._para("There are no papers for this meeting.")
            return
        self._para(
            f"{len(papers)} paper{'s' if len(papers) != 1 else ''}, in agenda order. "
            "Each starts on a new page."
        )
        for index, paper in enumerate(papers):
            title = clean(paper.title, one_line=True)
            reference = clean(paper.reference, one_line=True)
            self._heading(
                f"Item {paper.item_number}: {title} ({reference})",
                2,
                page_break=True,
                bookmark=paper_bookmark(index),
            )
            if paper.lead:
                self._fact("Paper lead", clean(paper.lead, one_line=True))
            body = paper.body
            if isinstance(body, MarkdownPaper):
                _MarkdownWriter(self, base_level=3).write(body.text)
            elif isinstance(body, DocxPaper):
                self._merge_docx(paper, body)
            elif isinstance(body, PdfPaper):
                pages = body.page_count
                self._para(
                    f"This paper is a PDF ({clean(body.filename, one_line=True)}, {pages} "
                    f"page{'s' if pages != 1 else ''}), issued alongside this pack. The PDF "
                    "edition of the pack includes it at the end."
                )

    def _merge_docx(self, paper: Paper, body: DocxPaper) -> None:
        name = clean(body.filename, one_line=True)
        reference = clean(paper.reference, one_line=True)
        try:
            document = _open_paper(body.content)
        except _Unmergeable as reason:
            self._not_merged(reference, name, str(reason))
            return
        images, tables = _prepare_paper(document)
        from docxcompose.composer import Composer

        if self._composer is None:
            self._composer = Composer(self.doc)
        start = len(self.body) - 1  # where the paper's blocks begin (before the sectPr)
        try:
            self._composer.append(document)
        except Exception as error:  # docxcompose fails in many ways on odd files
            for element in list(self.body)[start:-1]:
                self.body.remove(element)
            self._not_merged(reference, name, f"it could not be combined ({type(error).__name__})")
            return
        added = list(self.body)[start:-1]
        _demote_headings(self.doc, added, base_level=3)
        for element in added:
            if element.tag == qn("w:p") and not _has_content(element):
                self.body.remove(element)
        if images or tables:
            what = []
            if images:
                what.append(f"{images} picture{'s' if images != 1 else ''} without alt text")
            if tables:
                what.append(
                    f"{tables} table{'s' if tables != 1 else ''} whose first row is now "
                    "marked as its header row"
                )
            self.warnings.append(
                f"Paper {reference} ({name}) has {' and '.join(what)}: ask its author to "
                "check them."
            )

    def _not_merged(self, reference: str, name: str, reason: str) -> None:
        self.warnings.append(
            f"Paper {reference} ({name}) could not be merged into the pack: {reason}. It is "
            "listed instead; upload it again saved from Word as a .docx, or send it separately."
        )
        self._para(
            f"This paper ({name}) is issued alongside this pack as a separate Word document."
        )

    # -- annex --

    def _annex(self) -> None:
        data = self.data
        self._landscape_section()
        self._heading("Annex", 1)
        self._heading("Indicator series", 2)
        if not data.indicators:
            self._para("This task force tracks no indicators yet.")
        for indicator in data.indicators:
            name = clean(indicator.name, one_line=True)
            self._heading(name, 3)
            facts = [
                f"Frequency: {clean(indicator.frequency, one_line=True)}",
                f"unit: {clean(indicator.unit, one_line=True)}" if indicator.unit else "",
                f"priority: {clean(indicator.priority, one_line=True)}"
                if indicator.priority
                else "",
            ]
            self._para(", ".join(f for f in facts if f) + ".")
            if not indicator.series:
                self._para("No trajectory or actuals yet.")
                continue
            self._table(
                f"{name}: every period",
                [
                    ("Period", 4.0),
                    ("Trajectory", 4.0),
                    ("Actual", 4.0),
                    ("Variance", 4.6),
                    ("RAG", 4.6),
                    ("Trend", 4.5),
                ],
                (
                    [
                        clean(p.label, one_line=True),
                        number(p.trajectory, indicator.unit),
                        number(p.actual, indicator.unit),
                        variance_words(p.variance_pct, indicator.direction),
                        Shaded(RAG_WORDS[p.rag]) if p.rag in RAG_WORDS else "",
                        (p.trend or "").capitalize(),
                    ]
                    for p in indicator.series
                ),
            )
        self._heading("Risk register", 2)
        if data.risks:
            self._table(
                "Risk register",
                [
                    ("Ref", 1.3),
                    ("Risk", 4.2),
                    ("Likelihood", 2.6),
                    ("Impact", 2.0),
                    ("Rating", 2.0),
                    ("Impact statement", 3.4),
                    ("Mitigation", 3.6),
                    ("Owner", 2.4),
                    ("Review", 2.1),
                    ("Trend", 2.1),
                ],
                (
                    [
                        clean(r.ref, one_line=True),
                        clean(r.description),
                        clean(r.likelihood, one_line=True),
                        clean(r.impact, one_line=True),
                        Shaded(RAGS.get(r.rating, r.rating)),
                        clean(r.impact_statement),
                        clean(r.mitigation),
                        clean(r.owner, one_line=True),
                        short_date(r.review_on),
                        clean(r.trend, one_line=True).capitalize(),
                    ]
                    for r in sorted(
                        data.risks,
                        key=lambda r: (
                            ("red", "amber").index(r.rating) if r.rating in ("red", "amber") else 2
                        ),
                    )
                ),
            )
        else:
            self._para("The risk register is empty.")
        self._heading("Benefits register", 2)
        if data.benefits:
            self._table(
                "Benefits register",
                [
                    ("Benefit", 6.0),
                    ("Measure", 5.2),
                    ("Baseline", 3.2),
                    ("Target", 3.2),
                    ("Realised to date", 3.6),
                    ("Owner", 4.5),
                ],
                (
                    [
                        clean(b.benefit),
                        clean(b.measure, one_line=True),
                        clean(b.baseline, one_line=True),
                        clean(b.target, one_line=True),
                        clean(b.realised, one_line=True),
                        clean(b.owner, one_line=True),
                    ]
                    for b in data.benefits
                ),
            )
        else:
            self._para("The benefits register is empty.")
        self._heading("Delivery milestones", 2)
        if data.milestones:
            self._table(
                "Delivery milestones",
                [("Activity", 10.7), ("Start", 3.5), ("End", 3.5), ("Status", 3.0), ("Owner", 5.0)],
                (
                    [
                        clean(m.activity),
                        short_date(m.starts_on),
                        short_date(m.ends_on),
                        MILESTONE_STATUSES.get(m.status, clean(m.status, one_line=True)),
                        clean(m.owner, one_line=True),
                    ]
                    for m in data.milestones
                ),
            )
        else:
            self._para("No delivery milestones are recorded.")

    def _landscape_section(self) -> None:
        """Start a landscape section: width and height swapped as well as the orientation.
        Its header and footer follow the section before (the marking)."""
        previous = self.body.sectPr.getprevious()
        self.doc.add_section(WD_SECTION.NEW_PAGE)
        section = self.doc.sections[-1]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = A4[1], A4[0]
        self._text_cm = LANDSCAPE_TEXT_CM
        # python-docx ends the section before with an empty paragraph holding its properties;
        # hand them to the paragraph before it, so no empty paragraph is left for spacing.
        holder = self.body.sectPr.getprevious()
        if previous is not None and previous.tag == qn("w:p") and holder is not previous:
            sect = holder.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
            ppr = previous.find(qn("w:pPr"))
            if ppr is None:
                ppr = _el("w:pPr")
                previous.insert(0, ppr)
            existing = ppr.find(qn("w:sectPr"))
            if existing is None:
                ppr.append(sect)  # sectPr is the last child a w:pPr may hold but for rPrChange
                self.body.remove(holder)

    # -- tables --

    def _table(self, caption: str, columns: Sequence[tuple[str, float]], rows: Iterable[list]):
        """A table with a repeated header row, rows that do not split, and a caption (its
        accessible name). Columns are (heading, width in cm), scaled to the text width."""
        total = sum(width for _, width in columns)
        scale = min(1.0, self._text_cm / total) if total else 1.0
        widths = [int(width * scale * 567) for _, width in columns]  # twips
        tbl = _el("w:tbl")
        tblpr = _sub(tbl, "w:tblPr")
        _sub(tblpr, "w:tblStyle", val="TableGrid")
        _sub(tblpr, "w:tblW", w=sum(widths), type="dxa")
        _sub(tblpr, "w:tblLayout", type="fixed")
        _sub(
            tblpr,
            "w:tblLook",
            val="04A0",
            firstRow="1",
            lastRow="0",
            firstColumn="0",
            lastColumn="0",
            noHBand="1",
            noVBand="1",
        )
        _sub(tblpr, "w:tblCaption", val=clean(caption, one_line=True)[:250])
        grid = _sub(tbl, "w:tblGrid")
        for width in widths:
            _sub(grid, "w:gridCol", w=width)
        self._row(tbl, [heading for heading, _ in columns], widths, header=True)
        for row in rows:
            self._row(tbl, row, widths)
        return self._add(tbl)

    def _row(self, tbl, values: Sequence, widths: Sequence[int], header: bool = False) -> None:
        tr = _sub(tbl, "w:tr")
        trpr = _sub(tr, "w:trPr")
        length = sum(len(v.text if isinstance(v, Shaded) else v) for v in values)
        if header or length <= ROW_SPLIT_CHARS:
            _sub(trpr, "w:cantSplit")
        if header:
            _sub(trpr, "w:tblHeader")
        for value, width in zip(values, widths, strict=False):
            tc = _sub(tr, "w:tc")
            tcpr = _sub(tc, "w:tcPr")
            _sub(tcpr, "w:tcW", w=width, type="dxa")
            look = Style(bold=True) if header else PLAIN
            text = value
            if isinstance(value, Shaded):
                text = value.text
                fill, colour = SHADES.get(value.text.split(":")[0], (HEADER_FILL, BLACK))
                _sub(tcpr, "w:shd", val="clear", color="auto", fill=fill)
                look = Style(bold=True, colour=colour)
            elif header:
                _sub(tcpr, "w:shd", val="clear", color="auto", fill=HEADER_FILL)
            lines = [line for line in str(text).split("\n") if line.strip()] or [""]
            for line in lines:
                p = _sub(tc, "w:p")
                _sub(_sub(p, "w:pPr"), "w:pStyle", val="TableText")
                if line:
                    p.append(_run(line, look))

    # -- numbering --

    def _bullet_num(self) -> int:
        if self._bullets is None:
            abstract = self._abstract_num("bullet")
            self._bullets = self._new_num(abstract)
        return self._bullets

    def numbered_list(self, level: int) -> int:
        """A new w:num for an ordered list, so that each list counts from 1."""
        if self._decimal is None:
            self._decimal = self._abstract_num("decimal")
        return self._new_num(self._decimal, restart_level=level)

    def bullet_list(self) -> int:
        return self._bullet_num()

    def _abstract_num(self, kind: str) -> int:
        numbering = self.doc.part.numbering_part.element
        ids = [
            int(a.get(qn("w:abstractNumId"))) for a in numbering.iterchildren(qn("w:abstractNum"))
        ]
        abstract_id = max(ids, default=-1) + 1
        abstract = _el("w:abstractNum", abstractNumId=abstract_id)
        _sub(abstract, "w:multiLevelType", val="hybridMultilevel")
        for level in range(9):
            lvl = _sub(abstract, "w:lvl", ilvl=level)
            _sub(lvl, "w:start", val=1)
            if kind == "bullet":
                _sub(lvl, "w:numFmt", val="bullet")
                _sub(lvl, "w:lvlText", val="•◦▪"[level % 3])
            else:
                _sub(lvl, "w:numFmt", val=("decimal", "lowerLetter", "lowerRoman")[level % 3])
                _sub(lvl, "w:lvlText", val=f"%{level + 1}.")
            _sub(lvl, "w:lvlJc", val="left")
            ppr = _sub(lvl, "w:pPr")
            _sub(ppr, "w:ind", left=567 * (level + 1), hanging=360)
            if kind == "bullet":
                _sub(_sub(lvl, "w:rPr"), "w:rFonts", ascii=FONT, hAnsi=FONT, cs=FONT)
        first_num = numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
        return abstract_id

    def _new_num(self, abstract_id: int, restart_level: int | None = None) -> int:
        numbering = self.doc.part.numbering_part.element
        ids = [int(n.get(qn("w:numId"))) for n in numbering.iterchildren(qn("w:num"))]
        num_id = max(ids, default=0) + 1
        num = _sub(numbering, "w:num", numId=num_id)
        _sub(num, "w:abstractNumId", val=abstract_id)
        if restart_level is not None:
            override = _sub(num, "w:lvlOverride", ilvl=restart_level)
            _sub(override, "w:startOverride", val=1)
        return num_id


# --- Markdown papers -----------------------------------------------------------------------

_BLOCKS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "table", "hr",
    "dl", "div",
}  # fmt: skip


class _MarkdownWriter:
    """A Markdown paper as Word structure: rendered by the app's pipeline (Markdown, then
    nh3), then the sanitised HTML walked into paragraphs, lists, tables and hyperlinks.
    Raw HTML that nh3 let through becomes the same structure; what it removed (script,
    images, styles) is simply not there."""

    def __init__(self, builder: _Builder, base_level: int):
        self.builder = builder
        self.base = base_level
        self.last_level = base_level - 1
        self.quote = 0

    def write(self, text: str) -> None:
        html = str(render_markdown(clean(text)))
        if not html.strip():
            return
        root = lxml.html.fragment_fromstring(html, create_parent="div")
        self._blocks(root)

    def _blocks(self, container, list_level: int = -1) -> None:
        loose: list = []  # inline content between blocks, gathered into one paragraph
        if container.text and container.text.strip():
            loose.append(container.text)
        for child in container:
            if not isinstance(child.tag, str):  # comments, processing instructions
                if child.tail and child.tail.strip():
                    loose.append(child.tail)
                continue
            if child.tag in _BLOCKS:
                self._loose(loose)
                loose = []
                self._block(child, list_level)
                if child.tail and child.tail.strip():
                    loose.append(child.tail)
            else:
                loose.append(child)
        self._loose(loose)

    def _loose(self, parts: list) -> None:
        if not parts:
            return
        p = self._new_p()
        for part in parts:
            if isinstance(part, str):
                self._text(p, part, PLAIN)
            else:
                self._inline(p, part, PLAIN)
                if part.tail:
                    self._text(p, part.tail, PLAIN)
        self._done(p)

    def _new_p(self, style: str | None = None, **kw):
        if style is None and self.quote:
            style = "Quote"
        return _p(style, **kw)

    def _done(self, p) -> None:
        if _has_content(p):
            self.builder._add(p)

    def _block(self, el, list_level: int) -> None:
        tag = el.tag
        if tag == "p":
            p = self._new_p()
            self._inline_children(p, el, PLAIN)
            self._done(p)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            wanted = self.base + int(tag[1]) - 1
            level = max(self.base, min(wanted, self.last_level + 1, 9))
            self.last_level = level
            p = _p(f"Heading{level}")
            self._inline_children(p, el, PLAIN)
            self._done(p)
        elif tag in ("ul", "ol"):
            self._list(el, list_level + 1)
        elif tag == "blockquote":
            self.quote += 1
            self._blocks(el, list_level)
            self.quote -= 1
        elif tag == "pre":
            text = el.text_content().strip("\n")
            p = _p("Code")
            if text.strip():
                p.append(_run(clean(text)))
            self._done(p)
        elif tag == "table":
            self._table(el)
        elif tag == "dl":
            for child in el:
                if child.tag == "dt":
                    p = self._new_p(keep_next=True)
                    self._inline_children(p, child, Style(bold=True))
                    self._done(p)
                elif child.tag == "dd":
                    p = _p(indent_twips=567)
                    self._inline_children(p, child, PLAIN)
                    self._done(p)
        elif tag == "div":
            self._blocks(el, list_level)
        # hr: a thematic break carries no words; the headings and paragraphs say enough.

    def _list(self, el, level: int) -> None:
        level = min(level, 8)
        ordered = el.tag == "ol"
        num = self.builder.numbered_list(level) if ordered else self.builder.bullet_list()
        for item in el:
            if item.tag != "li":
                continue
            p = _p("ListParagraph", num=(num, level))
            first_paragraph_taken = False
            if item.text and item.text.strip():
                self._text(p, item.text, PLAIN)
            pending_blocks = []
            for child in item:
                if not isinstance(child.tag, str):
                    continue
                if child.tag in ("ul", "ol") or (
                    child.tag in _BLOCKS and (child.tag != "p" or first_paragraph_taken)
                ):
                    pending_blocks.append(child)
                elif child.tag == "p":
                    self._inline_children(p, child, PLAIN)
                    first_paragraph_taken = True
                    if child.tail and child.tail.strip():
                        self._text(p, child.tail, PLAIN)
                else:
                    self._inline(p, child, PLAIN)
                    if child.tail:
                        self._text(p, child.tail, PLAIN)
            self._done(p)
            for child in pending_blocks:
                if child.tag in ("ul", "ol"):
                    self._list(child, level + 1)
                elif child.tag == "p":
                    cont = _p("ListParagraph", indent_twips=567 * (level + 1))
                    self._inline_children(cont, child, PLAIN)
                    self._done(cont)
                else:
                    self._block(child, level)

    def _table(self, el) -> None:
        rows = [tr for tr in el.iter("tr")]
        if not rows:
            return
        width = max(len([c for c in tr if c.tag in ("td", "th")]) for tr in rows)
        if width == 0:
            return
        header = [clean(c.text_content(), one_line=True) for c in rows[0] if c.tag in ("td", "th")]
        header += [""] * (width - len(header))
        each = self.builder._text_cm / width
        body_rows = (
            (
                [clean(c.text_content(), one_line=True) for c in tr if c.tag in ("td", "th")]
                + [""] * width
            )[:width]
            for tr in rows[1:]
        )
        caption = "Table: " + ", ".join(h for h in header if h)
        self.builder._table(caption, [(h, each) for h in header], body_rows)

    # -- inline --

    def _inline_children(self, p, el, style: Style) -> None:
        if el.text:
            self._text(p, el.text, style)
        for child in el:
            if isinstance(child.tag, str):
                self._inline(p, child, style)
            if child.tail:
                self._text(p, child.tail, style)

    def _inline(self, p, el, style: Style) -> None:
        tag = el.tag
        if tag == "br":
            _sub(_sub(p, "w:r"), "w:br")
            return
        if tag == "a":
            self._link(p, el, style)
            return
        if tag in ("strong", "b"):
            style = Style(**{**style.__dict__, "bold": True})
        elif tag in ("em", "i"):
            style = Style(**{**style.__dict__, "italic": True})
        elif tag == "del":
            style = Style(**{**style.__dict__, "strike": True})
        elif tag == "code":
            style = Style(**{**style.__dict__, "code": True})
        elif tag == "sup":
            style = Style(**{**style.__dict__, "vert": "superscript"})
        elif tag == "sub":
            style = Style(**{**style.__dict__, "vert": "subscript"})
        self._inline_children(p, el, style)

    def _link(self, p, el, style: Style) -> None:
        href = (el.get("href") or "").strip()
        text = _SPACES.sub(" ", clean(el.text_content()))
        if not text.strip():
            text = href
        if not re.match(r"(?i)(https?|mailto):", href):
            # A relative or in-page link leads nowhere in a document: keep its words.
            self._text(p, text, style)
            return
        r_id = self.builder.doc.part.relate_to(
            clean(href, one_line=True), RT.HYPERLINK, is_external=True
        )
        link = _el("w:hyperlink")
        link.set(qn("r:id"), r_id)
        link.append(_run(text, Style(**{**style.__dict__, "char_style": "Hyperlink"})))
        p.append(link)

    def _text(self, p, text: str, style: Style) -> None:
        text = _SPACES.sub(" ", chars(text))
        if not text:
            return
        if len(p) == (1 if p.find(qn("w:pPr")) is not None else 0):
            text = text.lstrip()  # no leading space at the start of a paragraph
            if not text:
                return
        p.append(_run(text, style))


# --- merging uploaded Word papers -----------------------------------------------------------


class _Unmergeable(Exception):
    pass


def _open_paper(content: bytes):
    """The paper as a python-docx Document, or _Unmergeable saying why not."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
            if unzipped > PAPER_UNZIPPED_MAX:
                raise _Unmergeable(
                    f"it unzips to more than {PAPER_UNZIPPED_MAX // (1024 * 1024)} MB"
                )
            if "word/document.xml" not in archive.namelist():
                raise _Unmergeable("it is not a Word document")
    except zipfile.BadZipFile as error:
        raise _Unmergeable("it is not a Word document (.docx)") from error
    try:
        return Document(io.BytesIO(content))
    except Exception as error:  # python-docx fails in many ways on odd files
        raise _Unmergeable(f"Word could not open it ({type(error).__name__})") from error


def _prepare_paper(document) -> tuple[int, int]:
    """Make a paper fit to merge: its review comments and its own section layouts out (the
    pack's pages and marking apply), a header row on every table. Return how many pictures
    have no alt text, and how many tables got a header row."""
    body = document.element.body
    for tag in ("w:commentRangeStart", "w:commentRangeEnd"):
        for element in body.iter(qn(tag)):
            element.getparent().remove(element)
    for reference in list(body.iter(qn("w:commentReference"))):
        run = reference.getparent()
        run.getparent().remove(run)
    for sect in list(body.iter(qn("w:sectPr"))):
        if sect.getparent() is not body:
            sect.getparent().remove(sect)
    tables = 0
    for tbl in body.iter(qn("w:tbl")):
        first = tbl.find(qn("w:tr"))
        if first is None:
            continue
        trpr = first.find(qn("w:trPr"))
        if trpr is None:
            trpr = _el("w:trPr")
            tblprex = first.find(qn("w:tblPrEx"))
            if tblprex is not None:
                tblprex.addnext(trpr)
            else:
                first.insert(0, trpr)
        if trpr.find(qn("w:tblHeader")) is None:
            _sub(trpr, "w:tblHeader")
            tables += 1
    wp = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
    images = sum(1 for doc_pr in body.iter(wp) if not (doc_pr.get("descr") or "").strip())
    return images, tables


def _demote_headings(doc, elements: Sequence, base_level: int) -> None:
    """Put a merged paper's headings (and a Title) under its heading in the pack, never
    skipping a level."""
    levels = _style_levels(doc)
    last = base_level - 1
    for element in elements:
        for p in [element] if element.tag == qn("w:p") else []:
            ppr = p.find(qn("w:pPr"))
            style = ppr.find(qn("w:pStyle")) if ppr is not None else None
            direct = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
            level = None
            if direct is not None and int(direct.get(qn("w:val"))) < 9:
                level = int(direct.get(qn("w:val")))
            elif style is not None:
                level = levels.get(style.get(qn("w:val")))
            if level is None:
                continue
            wanted = min(base_level + level, 9)
            new = max(base_level, min(wanted, last + 1))
            last = new
            if direct is not None:
                ppr.remove(direct)
            if style is None:
                style = _el("w:pStyle")
                ppr.insert(0, style)
            style.set(qn("w:val"), f"Heading{new}")


def _style_levels(doc) -> dict[str, int]:
    """Each paragraph style's outline level (0 for Heading 1); Title counts as level 0."""
    styles = {s.get(qn("w:styleId")): s for s in doc.styles.element.iter(qn("w:style"))}

    def level(style_id: str, depth: int = 0) -> int | None:
        style = styles.get(style_id)
        if style is None or depth > 20:
            return None
        if style_id == "Title":
            return 0
        outline = style.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        if outline is not None:
            value = int(outline.get(qn("w:val")))
            return value if value < 9 else None
        based = style.find(qn("w:basedOn"))
        return level(based.get(qn("w:val")), depth + 1) if based is not None else None

    return {style_id: found for style_id in styles if (found := level(style_id)) is not None}


# --- page numbers for the PDF edition --------------------------------------------------------


def with_page_numbers(docx: bytes, pages: dict[str, int]) -> bytes:
    """The pack with its contents' page numbers filled in (bookmark -> page, from 1), as the
    PDF edition prints them: a dotted tab and a PAGEREF field per entry."""
    document = Document(io.BytesIO(docx))
    for link in document.element.body.iter(qn("w:hyperlink")):
        anchor = link.get(qn("w:anchor"))
        if anchor is None or anchor not in pages:
            continue
        r = _sub(link, "w:r")
        _sub(r, "w:tab")
        _field(link, f"PAGEREF {anchor} \\h", str(pages[anchor]))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
