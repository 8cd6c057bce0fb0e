"""Real files to upload as papers, and files that only pretend to be."""

from __future__ import annotations

import io
import zipfile

import docx
from pypdf import PdfWriter


def make_docx(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs or ("A paper about apprenticeships in three short words.",):
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_pdf(pages: int = 3, attachment: int = 0) -> bytes:
    """A real PDF; `attachment` bytes of an embedded file make it as large as wanted."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if attachment:
        writer.add_attachment("annex.bin", b"annex " * (attachment // 6))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def rezip(content: bytes, change) -> bytes:
    """The package with change(name, data) -> data (or None to leave a part out) applied."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = change(info.filename, source.read(info.filename))
            if data is not None:
                target.writestr(info.filename, data)
    return out.getvalue()


def make_docm() -> bytes:
    """A Word document with macros (.docm content), whatever it is called."""
    main = b"wordprocessingml.document.main+xml"

    def to_docm(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(
                b"application/vnd.openxmlformats-officedocument." + main,
                b"application/vnd.ms-word.document.macroEnabled.main+xml",
            )
        return data

    content = rezip(make_docx(), to_docm)
    out = io.BytesIO(content)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macros")
    return out.getvalue()


def zip_of_something_else() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "Not a Word document at all")
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="x"/>')
    return out.getvalue()


def zip_bomb() -> bytes:
    """A small .docx-looking zip whose one part unpacks 3,000 times larger than it is packed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (3 * 1024 * 1024))
    return out.getvalue()


HTML_CALLED_PDF = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


BOUNDARY = "paper-boundary-7f3a"


def multipart(content: bytes, filename: str, **fields: str) -> bytes:
    """A multipart/form-data body with the file as `file`, built in memory (the test
    client's own encoder spools large files to temporary files it leaves open)."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
