"""The PDF edition of a pack: the Word pack converted by LibreOffice, PDF papers appended.

Word stays the master. Where LibreOffice is installed (Debian's libreoffice-writer-nogui
gives `soffice`), build_pdf converts the pack headless, twice: the first conversion says on
which page each heading landed (from the outline of headings LibreOffice writes),
the second prints the contents with those page numbers (LibreOffice keeps a contents field's
text as Word left it, so the numbers must be in the .docx). Then pypdf appends the PDF
papers in agenda order and gives the PDF one bookmark per section and per paper.

Each conversion runs in its own temporary LibreOffice profile (so conversions may run side
by side), with no shell, and is stopped after a timeout with everything it started.
Where LibreOffice is missing, libreoffice_problem() says so in words for the page.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import NameObject, TextStringObject

from taskforce.packs.data import Paper, PdfPaper
from taskforce.packs.document import ContentsEntry, clean, paper_bookmark, with_page_numbers

#: Seconds one conversion may take before it is stopped.
TIMEOUT = 120
#: LibreOffice's PDF export: an outline of every heading (how the page of each heading is
#: found) and a tagged PDF for screen readers.
_EXPORT = {
    "ExportBookmarks": {"type": "boolean", "value": "true"},
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
}


class PdfUnavailable(Exception):
    """The PDF edition cannot be made: LibreOffice is missing, failed or took too long."""


@dataclass(frozen=True)
class BuiltPdf:
    pdf: bytes
    #: PDF papers that could not be appended (unreadable, or locked with a password).
    warnings: list[str] = field(default_factory=list)


def soffice() -> str | None:
    """Where LibreOffice's command is, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_problem() -> str | None:
    """Why the PDF edition cannot be offered here, in words for the page; None if it can."""
    if soffice() is None:
        return (
            "The PDF edition is not available: LibreOffice is not installed on this server "
            "(install Debian's libreoffice-writer-nogui). The Word pack is complete without it."
        )
    return None


def build_pdf(
    docx: bytes,
    contents: Sequence[ContentsEntry],
    papers: Sequence[Paper],
    *,
    timeout: float = TIMEOUT,
) -> BuiltPdf:
    """The PDF edition of a built pack (BuiltPack.docx and .contents, PackData.papers)."""
    command = soffice()
    if command is None:
        raise PdfUnavailable(libreoffice_problem())
    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="taskforce-pdf-") as tmp:
        work = Path(tmp)
        first = PdfReader(io.BytesIO(_convert(command, docx, work, timeout)))
        pages = _heading_pages(first, contents)
        numbered = with_page_numbers(docx, {name: page + 1 for name, page in pages.items()})
        reader = PdfReader(io.BytesIO(_convert(command, numbered, work, timeout)))
        pages = _heading_pages(reader, contents) or pages

    writer = PdfWriter(clone_from=reader)
    _drop_outline(writer)
    appended: dict[int, int] = {}  # papers' index -> first page in the PDF
    for index, paper in enumerate(papers):
        if not isinstance(paper.body, PdfPaper):
            continue
        name = clean(paper.body.filename, one_line=True)
        reference = clean(paper.reference, one_line=True)
        try:
            paper_reader = PdfReader(io.BytesIO(paper.body.content))
            if paper_reader.is_encrypted:
                raise PyPdfError("it is locked with a password")
            start = len(writer.pages)
            writer.append(paper_reader, import_outline=False)
            appended[index] = start
        except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
            reason = str(error) if "password" in str(error) else "it could not be read"
            warnings.append(
                f"Paper {reference} ({name}) could not be added to the PDF edition: {reason}. "
                "It is still listed in the pack; send it separately."
            )

    _outline(writer, contents, pages, appended)
    language = reader.trailer["/Root"].get("/Lang")
    writer._root_object[NameObject("/Lang")] = TextStringObject(str(language or "en-GB"))
    if reader.metadata:
        writer.add_metadata({k: v for k, v in reader.metadata.items() if isinstance(v, str)})
    out = io.BytesIO()
    writer.write(out)
    return BuiltPdf(out.getvalue(), warnings)


def _convert(command: str, docx: bytes, work: Path, timeout: float) -> bytes:
    """One headless conversion, in the given folder with its own profile."""
    source = work / "pack.docx"
    source.write_bytes(docx)
    target = work / "pack.pdf"
    target.unlink(missing_ok=True)
    profile = work / "profile"
    args = [
        command,
        "--headless",
        "--norestore",
        "--nolockcheck",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        "pdf:writer_pdf_Export:" + json.dumps(_EXPORT),
        "--outdir",
        str(work),
        str(source),
    ]
    # Its own session, so that a timeout stops soffice.bin as well as the script that
    # started it.
    process = subprocess.Popen(  # noqa: S603 - a fixed command, no shell, our own paths
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "HOME": str(work)},
    )
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise PdfUnavailable(
            f"LibreOffice took longer than {timeout:g} seconds to convert the pack"
        ) from None
    if process.returncode != 0 or not target.exists():
        detail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise PdfUnavailable(f"LibreOffice could not convert the pack ({detail[0][:200]})")
    return target.read_bytes()


def _heading_pages(reader: PdfReader, contents: Sequence[ContentsEntry]) -> dict[str, int]:
    """The page (from 0) of each contents entry's heading, from LibreOffice's outline of
    every heading: entries and outline items are both in document order, so each entry is
    the next item with its title."""
    items: list[tuple[str, int]] = []

    def walk(outline) -> None:
        for item in outline:
            if isinstance(item, list):
                walk(item)
                continue
            try:
                items.append((_words(item.title), reader.get_destination_page_number(item)))
            except (KeyError, ValueError, TypeError, AttributeError):
                continue

    walk(reader.outline)
    pages: dict[str, int] = {}
    at = 0
    for entry in contents:
        title = _words(entry.title)
        for n in range(at, len(items)):
            if items[n][0] == title:
                pages[entry.bookmark] = items[n][1]
                at = n + 1
                break
    return pages


def _words(title: str) -> str:
    return " ".join(str(title).split())


def _drop_outline(writer: PdfWriter) -> None:
    """Take off LibreOffice's outline of every heading: ours has sections and papers."""
    root = writer._root_object
    if NameObject("/Outlines") in root:
        del root[NameObject("/Outlines")]


def _outline(
    writer: PdfWriter,
    contents: Sequence[ContentsEntry],
    pages: dict[str, int],
    appended: dict[int, int],
) -> None:
    """A bookmark per section (level 1) and, beneath it, per part and paper (level 2). A
    PDF paper's bookmark goes to its first appended page."""
    papers_by_bookmark = {paper_bookmark(index): start for index, start in appended.items()}
    parent = None
    for entry in contents:
        page = papers_by_bookmark.get(entry.bookmark, pages.get(entry.bookmark))
        if page is None:
            continue
        if entry.level == 1:
            parent = writer.add_outline_item(title=entry.title, page_number=page)
        else:
            writer.add_outline_item(title=entry.title, page_number=page, parent=parent)
    writer.page_mode = "/UseOutlines"
