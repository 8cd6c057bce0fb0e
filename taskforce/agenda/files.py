"""Check an uploaded paper by its content, never its name, and measure it.

A .docx is an Office Open XML package: a zip whose [Content_Types].xml declares the main
part as a Word document. A macro-enabled one (.docm content: a main part of type
document.macroEnabled.main+xml, or a vbaProject.bin part) is refused whatever it is called.
The zip is measured from its listing before anything is unpacked (parts, unpacked sizes,
how far each is compressed), then python-docx must open it; its words are counted.

A .pdf starts with %PDF-, ends with %%EOF (give or take a few bytes) and pypdf must read its
page tree; its pages are counted. A well-formed 20 MB PDF takes under a second.

Both are bounded: the upload is at most PAPER_MAX_MB, and the checks below stop a small
zip that unpacks to gigabytes before python-docx would read it.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
import zlib
from dataclasses import dataclass

from lxml import etree

from taskforce.agenda.models import PaperKind

MB = 1024 * 1024
#: Parts in one .docx: a long report with pictures has a few hundred.
MAX_PARTS = 2_000
#: Unpacked bytes of one part, and of all of them together.
MAX_PART_BYTES = 100 * MB
MAX_TOTAL_BYTES = 200 * MB
#: How much smaller than its unpacked size a part over 1 MB may be packed (text packs about
#: 10 to 1; a zip bomb 1,000 to 1).
MAX_RATIO = 100
CONTENT_TYPES_MAX = 1 * MB

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
#: Main parts of Word files that carry macros (.docm) or are templates (.dotx, .dotm).
MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
OTHER_MAINS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "a "
    "Word template (.dotx), not a document",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": "a Word template with "
    "macros (.dotm)",
}
VBA_TYPE = "application/vnd.ms-office.vbaProject"
CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
#: A word: letters or digits, joined by apostrophes (straight or curly) or hyphens; a
#: number with a thousands comma or a decimal point is one word too.
_WORD = re.compile(r"\w+(?:['\u2019\-]\w+|[.,]\d+)*")


class Unacceptable(Exception):
    """The file is not a paper that can be taken; message says why, for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Measured:
    kind: PaperKind
    page_count: int | None = None
    word_count: int | None = None


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def check(content: bytes, filename: str) -> Measured:
    """Say what the file is (by content) and measure it; raise Unacceptable if it is not a
    Word document or a PDF that can be read."""
    if not content:
        raise Unacceptable("The file is empty: choose the paper's Word document or PDF")
    if content[:5] == b"%PDF-":
        return _pdf(content)
    if content[:4] == b"PK\x03\x04" or zipfile.is_zipfile(io.BytesIO(content)):
        return _docx(content)
    named = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if named == "pdf":
        raise Unacceptable("The file is called .pdf but is not a PDF: it does not start as one")
    if named in ("docx", "doc", "docm"):
        raise Unacceptable(
            "The file is called ." + named + " but is not a Word document (.docx): "
            "save it from Word as a Word Document (.docx) and upload that"
        )
    raise Unacceptable("The file must be a Word document (.docx) or a PDF")


def _docx(content: bytes) -> Measured:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            _check_sizes(parts)
            names = {p.filename for p in parts}
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise Unacceptable(_MACROS)
            if "[Content_Types].xml" not in names:
                raise Unacceptable(_NOT_WORD)
            _check_content_types(archive.read("[Content_Types].xml"))
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, zlib.error):
        raise Unacceptable(
            "The file could not be read as a Word document: its zip structure is damaged"
        ) from None
    return Measured(PaperKind.DOCX, word_count=_docx_words(content))


_MACROS = (
    "The Word file contains macros (it is a .docm document). Save it from Word as a "
    "Word Document (.docx), without macros, and upload that"
)
_NOT_WORD = (
    "The file is a zip archive but not a Word document (.docx): save the paper from Word "
    "as a Word Document and upload that"
)


def _check_sizes(parts: list[zipfile.ZipInfo]) -> None:
    if len(parts) > MAX_PARTS:
        raise Unacceptable(f"The Word document has more than {MAX_PARTS:,} parts")
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > MAX_PART_BYTES or total > MAX_TOTAL_BYTES:
            raise Unacceptable(
                f"The Word document unpacks to more than {MAX_TOTAL_BYTES // MB} MB, more than "
                "any paper needs: remove large pictures or embedded files"
            )
        if part.file_size > MB and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise Unacceptable("The file could not be read as a Word document")


def _check_content_types(xml: bytes) -> None:
    if len(xml) > CONTENT_TYPES_MAX:
        raise Unacceptable(_NOT_WORD)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError:
        raise Unacceptable(_NOT_WORD) from None
    types = {
        (el.get("ContentType") or "").strip()
        for el in root.iter(f"{CT_NS}Override", f"{CT_NS}Default")
    }
    if MACRO_MAIN in types or VBA_TYPE in types:
        raise Unacceptable(_MACROS)
    for other, what in OTHER_MAINS.items():
        if other in types:
            raise Unacceptable(f"The file is {what}: upload the paper as a Word Document (.docx)")
    if WORD_MAIN not in types:
        raise Unacceptable(_NOT_WORD)


def _docx_words(content: bytes) -> int:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(content))
        words = sum(count_words(p.text) for p in document.paragraphs)
        for table in document.tables:
            for row in table.rows:
                words += sum(count_words(cell.text) for cell in row.cells)
    except (PackageNotFoundError, KeyError, ValueError, etree.LxmlError, zipfile.BadZipFile):
        raise Unacceptable(
            "The file could not be read as a Word document: Word may be able to repair it "
            "(open it, then save it as a new .docx)"
        ) from None
    return words


#: A PDF ends with %%EOF; a few bytes after it are tolerated. Without it pypdf searches the
#: whole file backwards, line by line: 40 s for 20 MB of junk after the header.
EOF_WITHIN = 4096


def _pdf(content: bytes) -> Measured:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if b"%%EOF" not in content[-EOF_WITHIN:]:
        raise Unacceptable(
            "The file starts as a PDF but does not end as one: it may be damaged or cut "
            "short. Save or export it as PDF again"
        )

    # pypdf reports what it repairs through logging; a paper it can read is fine as it is.
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise Unacceptable(
                "The PDF is protected with a password: save a copy without one and upload that"
            )
        pages = len(reader.pages)
    except Unacceptable:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, zlib.error, OSError):  # fmt: skip
        raise Unacceptable(
            "The file starts as a PDF but could not be read as one: it may be damaged. "
            "Save or export it as PDF again"
        ) from None
    finally:
        pypdf_log.setLevel(level)
    if pages < 1:
        raise Unacceptable("The PDF has no pages")
    return Measured(PaperKind.PDF, page_count=pages)
