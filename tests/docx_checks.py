"""One accessibility check for any Word document the service writes (packs, later minutes).

    from tests.docx_checks import assert_accessible_docx
    assert_accessible_docx(built.docx)

accessibility_problems() lists every rule a document breaks, in words; the assert fails with
all of them. The rules:

- title, subject and language (en-GB) in the core properties, and en-GB as the language of
  the default run properties (styles' docDefaults), where Word and screen readers look;
- headings (any paragraph with an outline level, from its style or its own properties) in
  order: the first is level 1, and none is more than one level below the one before;
- alt text (wp:docPr/@descr) on every picture;
- every table's first row marked as a header row (w:tblHeader);
- no meaning by colour alone: every shaded cell outside the header row has words in it;
- no empty paragraphs or tabs for spacing: every paragraph shows something, save the one
  paragraph a table cell must hold and a paragraph that only ends a section; none starts
  with a tab;
- a reading order that is the body order: no floating pictures or text boxes (read out of
  place), and the contents' links go to the headings in the order they appear.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
NS = {
    "w": W,
    "wp": WP,
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
}
LANGUAGE = "en-GB"


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def assert_accessible_docx(docx: bytes) -> None:
    """Fail, listing every problem, unless the document passes each rule above."""
    problems = accessibility_problems(docx)
    assert not problems, "The document is not accessible:\n- " + "\n- ".join(problems)


def accessibility_problems(docx: bytes) -> list[str]:
    """Every rule the document breaks, each in words."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        document = etree.fromstring(archive.read("word/document.xml"))
        styles = etree.fromstring(archive.read("word/styles.xml"))
        names = set(archive.namelist())
        core = etree.fromstring(archive.read("docProps/core.xml")) if (
            "docProps/core.xml" in names
        ) else None  # fmt: skip
    body = document.find(_w("body"))
    return [
        *_properties(core, styles),
        *_headings(body, styles),
        *_pictures(body),
        *_tables(body),
        *_shading(body),
        *_spacing(body),
        *_reading_order(body),
    ]


def _properties(core, styles) -> list[str]:
    problems = []
    for name, tag in (("title", "dc:title"), ("subject", "dc:subject")):
        value = core.findtext(tag, namespaces=NS) if core is not None else None
        if not (value or "").strip():
            problems.append(f"The document has no {name} in its properties")
    language = core.findtext("dc:language", namespaces=NS) if core is not None else None
    if language != LANGUAGE:
        problems.append(f"The document's language property is {language!r}, not {LANGUAGE}")
    lang = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    default = lang.get(_w("val")) if lang is not None else None
    if default != LANGUAGE:
        problems.append(f"The default text language (w:lang) is {default!r}, not {LANGUAGE}")
    return problems


def outline_levels(styles) -> dict[str, int]:
    """Each paragraph style's outline level (0 for Heading 1), following basedOn."""
    by_id = {s.get(_w("styleId")): s for s in styles.iterfind("w:style", NS)}

    def level(style_id: str, depth: int = 0) -> int | None:
        style = by_id.get(style_id)
        if style is None or depth > 20:
            return None
        outline = style.find("w:pPr/w:outlineLvl", NS)
        if outline is not None:
            value = int(outline.get(_w("val")))
            return value if value < 9 else None
        based = style.find("w:basedOn", NS)
        return level(based.get(_w("val")), depth + 1) if based is not None else None

    return {sid: found for sid in by_id if (found := level(sid)) is not None}


def headings(body, styles) -> list[tuple[int, str]]:
    """Every heading in body order: (level from 1, text)."""
    levels = outline_levels(styles)
    found = []
    for p in body.iter(_w("p")):
        direct = p.find("w:pPr/w:outlineLvl", NS)
        style = p.find("w:pPr/w:pStyle", NS)
        level = None
        if direct is not None:
            value = int(direct.get(_w("val")))
            level = value if value < 9 else None
        elif style is not None:
            level = levels.get(style.get(_w("val")))
        if level is not None:
            found.append((level + 1, _text(p)))
    return found


def _headings(body, styles) -> list[str]:
    problems = []
    previous = 0
    for level, text in headings(body, styles):
        if level > previous + 1:
            problems.append(
                f"Heading {text!r} is level {level} after level {previous}: "
                "a heading level is skipped"
            )
        if not text.strip():
            problems.append(f"A level {level} heading has no words")
        previous = level
    return problems


def _pictures(body) -> list[str]:
    return [
        f"Picture {doc_pr.get('name') or doc_pr.get('id')!r} has no alt text"
        for doc_pr in body.iter(f"{{{WP}}}docPr")
        if not (doc_pr.get("descr") or "").strip()
    ]


def _tables(body) -> list[str]:
    problems = []
    for n, table in enumerate(body.iter(_w("tbl")), start=1):
        first = table.find("w:tr", NS)
        if first is None or first.find("w:trPr/w:tblHeader", NS) is None:
            caption = table.find("w:tblPr/w:tblCaption", NS)
            name = caption.get(_w("val")) if caption is not None else f"number {n}"
            problems.append(f"Table {name!r} has no header row marked (w:tblHeader)")
    return problems


def _shading(body) -> list[str]:
    problems = []
    for table in body.iter(_w("tbl")):
        for row in table.iterfind("w:tr", NS):
            if row.find("w:trPr/w:tblHeader", NS) is not None:
                continue
            for cell in row.iterfind("w:tc", NS):
                shading = cell.find("w:tcPr/w:shd", NS)
                fill = (shading.get(_w("fill")) or "auto").upper() if shading is not None else ""
                if fill not in ("", "AUTO", "FFFFFF") and not _text(cell).strip():
                    problems.append(
                        f"A cell shaded {fill} has no words: colour alone carries its meaning"
                    )
    return problems


_SHOWS = {
    _w("drawing"),
    _w("pict"),
    _w("object"),
    _w("fldChar"),
    _w("fldSimple"),
    _w("footnoteReference"),
    _w("endnoteReference"),
    f"{{{NS['m']}}}oMath",
}


def _spacing(body) -> list[str]:
    problems = []
    for p in body.iter(_w("p")):
        if p.find("w:pPr/w:sectPr", NS) is not None:
            continue  # a section's end mark
        parent = p.getparent()
        only_in_cell = parent.tag == _w("tc") and len(parent.findall("w:p", NS)) == 1
        shows = _text(p).strip() or any(node.tag in _SHOWS for node in p.iter())
        if not shows and not only_in_cell:
            problems.append(f"An empty paragraph is used for spacing (after {_before(p)!r})")
            continue
        first = next((n for n in p.iter(_w("t"), _w("tab")) if n.tag == _w("tab") or n.text), None)
        if first is not None and first.tag == _w("tab"):
            problems.append(f"A paragraph starts with a tab for spacing: {_text(p)[:40]!r}")
    return problems


def _reading_order(body) -> list[str]:
    problems = []
    anchored = sum(1 for _ in body.iter(f"{{{WP}}}anchor"))
    if anchored:
        problems.append(f"{anchored} picture(s) float beside the text, out of reading order")
    boxes = sum(1 for _ in body.iter(_w("txbxContent")))
    if boxes:
        problems.append(f"{boxes} text box(es) are read out of order")
    order = {}
    for n, start in enumerate(body.iter(_w("bookmarkStart"))):
        order.setdefault(start.get(_w("name")), n)
    linked = [
        link.get(_w("anchor"))
        for link in body.iter(_w("hyperlink"))
        if link.get(_w("anchor")) and link.getparent().find("w:pPr/w:pStyle", NS) is not None
        and link.getparent().find("w:pPr/w:pStyle", NS).get(_w("val")).startswith("TOC")
    ]  # fmt: skip
    positions = [order.get(anchor) for anchor in linked]
    if any(position is None for position in positions):
        problems.append("The contents link to headings that are not in the document")
    elif positions != sorted(positions):
        problems.append("The contents list the headings in another order than the document")
    return problems


def _text(element) -> str:
    return "".join(t.text or "" for t in element.iter(_w("t")))


def _before(p) -> str:
    previous = p.getprevious()
    while previous is not None and not _text(previous).strip():
        previous = previous.getprevious()
    return _text(previous)[:40] if previous is not None else ""
