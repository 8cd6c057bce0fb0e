"""Emails and downloads as text a reviewer can read, with values that change per run replaced.

Snapshot tests compare these dumps with files under a `__snapshots__` folder beside the
test (syrupy; `pytest --snapshot-update` rewrites them). A dump shows what the recipient or
downloader gets: the headers that matter, every MIME part decoded, attachments by name,
spreadsheet cells with their types. Whatever differs from one run to the next (Message-ID,
Date, DTSTAMP, random tokens and UIDs, MIME boundaries, today's date) becomes a numbered
placeholder, so that two different tokens stay visibly different.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode


class TextSnapshot(SingleFileSnapshotExtension):
    """One plain-text file per snapshot, named after the test (the `snapshot_text` fixture)."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"


# --- Placeholders -----------------------------------------------------------------------

#: secrets.token_urlsafe(32): 43 URL-safe characters (emailed links).
TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
BOUNDARY = re.compile(r'boundary="([^"]+)"')


def _numbered(pattern: re.Pattern, label: str, text: str, group: int = 0) -> str:
    """Replace each distinct match with <label-N>, N counting distinct values in order."""
    seen: dict[str, str] = {}

    def name(match: re.Match) -> str:
        value = match.group(group)
        placeholder = seen.setdefault(value, f"<{label}-{len(seen) + 1}>")
        return match.group(0).replace(value, placeholder)

    return pattern.sub(name, text)


def stable(text: str) -> str:
    """Replace what differs from run to run in a dumped email with placeholders."""
    text = re.sub(r"(?m)^Date: .+$", "Date: <when sent>", text)
    text = re.sub(r"(?m)^Message-ID: <[^@>]+@", "Message-ID: <unique-id@", text)
    text = re.sub(r"(?m)^DTSTAMP:\d{8}T\d{6}Z$", "DTSTAMP:<when sent>", text)
    text = _numbered(BOUNDARY, "boundary", text, group=1)
    text = _numbered(UUID, "uuid", text)
    return _numbered(TOKEN, "token", text)


# --- Emails -----------------------------------------------------------------------------

#: Headers a recipient's mail program acts on, in the order shown.
HEADERS = (
    "From",
    "To",
    "Cc",
    "Reply-To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Content-Disposition",
)


def email(mail_from: str, rcpt_tos: list[str], raw: bytes) -> str:
    """An email as received over SMTP, readable: envelope, headers, then each part decoded."""
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    out = [
        f"Envelope sender: {mail_from}",
        f"Envelope recipients: {', '.join(rcpt_tos)}",
        "",
        *_headers(message),
        *_unknown_headers(message),
        "",
        "Structure:",
        *_structure(message, "  "),
    ]
    seen: dict[bytes, str] = {}
    for number, part in _leaves(message):
        if part is message:  # a one-part email: its headers are above
            out += ["", "───── body " + "─" * 50]
        else:
            out += ["", f"───── part {number} " + "─" * 50, *_headers(part), ""]
        payload = part.get_payload(decode=True) or b""
        if payload in seen:
            out.append(f"(the same bytes as part {seen[payload]})")
            continue
        seen[payload] = number
        out.append(_as_text(part, payload))
    return stable("\n".join(out).rstrip() + "\n")


def _headers(part) -> list[str]:
    """The headers in HEADERS as a mail program shows them, and as sent when that differs."""
    raw = {name.lower(): value for name, value in part.raw_items()}
    lines = []
    for name in HEADERS:
        for value in part.get_all(name) or []:
            lines.append(f"{name}: {value}")
            wire = " ".join(raw.get(name.lower(), "").split())
            if wire and wire != " ".join(str(value).split()):
                lines.append(f"  (as sent: {wire})")
    return lines


def _unknown_headers(message) -> list[str]:
    """Any header not in HEADERS, so that one added later shows up in the snapshot."""
    known = {h.lower() for h in HEADERS}
    return [f"{name}: {value}" for name, value in message.items() if name.lower() not in known]


def _structure(part, indent: str) -> list[str]:
    line = indent + part.get_content_type()
    if part.get_param("method"):
        line += f" (method {part.get_param('method')})"
    if part.get_filename():
        line += f" (attachment {part.get_filename()!r})"
    lines = [line]
    if part.is_multipart():
        for child in part.iter_parts():
            lines += _structure(child, indent + "  ")
    return lines


def _leaves(part, prefix: str = ""):
    if not part.is_multipart():
        yield prefix or "1", part
        return
    for index, child in enumerate(part.iter_parts(), start=1):
        yield from _leaves(child, f"{prefix}.{index}" if prefix else str(index))


def _as_text(part, payload: bytes) -> str:
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset)
    except UnicodeDecodeError:
        return f"({len(payload)} bytes that are not {charset} text)"
    endings = "CRLF" if "\r\n" in text else "LF"
    text = text.replace("\r\n", "\n")
    return f"[{len(payload)} bytes, lines end {endings}; shown decoded]\n{text}".rstrip()


# --- Downloads --------------------------------------------------------------------------
#
# Downloads carry the day they were made (file name, a risk closed today) and the moment
# of a change (an action's "Last updated"): today's date becomes <today> and a time on it
# <time of the run>. Data in the tests is dated well away from today, so nothing else can
# match.


def download_headers(response, today: date) -> list[str]:
    disposition = response.headers.get("Content-Disposition", "")
    return [
        f"Status: {response.status_code}",
        f"Content-Type: {response.headers.get('Content-Type')}",
        f"Content-Disposition: {_today(disposition, today)}",
    ]


def _today(text: str, today: date) -> str:
    # A date written as a datetime (midnight, to the second) is a date, not a moment.
    moment = rf"{today.isoformat()}[T ](?!00:00:00(?![.\d]))\d\d:\d\d:\d\d(\.\d+)?"
    text = re.sub(moment, "<today> <time of the run>", text)
    return text.replace(today.isoformat(), "<today>")


def csv_download(response, today: date) -> str:
    """A CSV download: its headers, whether Excel will read it as UTF-8, and its lines."""
    text = response.get_data().decode("utf-8")
    bom = text.startswith("\ufeff")
    text = text.removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    crlf = text.endswith("\r\n") and text.count("\n") == text.count("\r\n")
    out = [
        *download_headers(response, today),
        "",
        f"Starts with a UTF-8 byte-order mark: {'yes' if bom else 'no'}",
        f"Every line ends CRLF: {'yes' if crlf else 'no'}",
        f"Rows: {len(rows)}",
        "",
        _today(text.replace("\r\n", "\n"), today),
    ]
    return "\n".join(out).rstrip() + "\n"


def xlsx_download(response, today: date) -> str:
    """An Excel download cell by cell: sheet names, each cell's value, type and format."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.get_data()))
    out = [*download_headers(response, today), "", f"Sheets: {book.sheetnames}"]
    for sheet in book.worksheets:
        out += ["", f"Sheet {sheet.title!r}: {sheet.max_row} rows, {sheet.max_column} columns"]
        header = [cell.value for cell in sheet[1]]
        for row in sheet.iter_rows():
            out.append(f"Row {row[0].row}")
            for cell, name in zip(row, header, strict=True):
                out.append(f"  {cell.column_letter} {name!s:<22} {_cell(cell, today)}")
    return "\n".join(out).rstrip() + "\n"


KINDS = {"s": "text", "n": "number", "d": "date", "b": "boolean", "f": "formula"}


def _cell(cell, today: date) -> str:
    value = cell.value
    if value is None:
        return "(empty)"
    if isinstance(value, datetime):
        shown = _today(f"{value:%Y-%m-%d %H:%M:%S}", today)
    else:
        shown = repr(value)
    extras = [KINDS.get(cell.data_type, cell.data_type)]
    if isinstance(value, int | float):
        extras[0] += f" ({type(value).__name__})"
    if cell.number_format != "General":
        extras.append(f"format {cell.number_format!r}")
    if cell.font is not None and cell.font.b:
        extras.append("bold")
    return f"{shown}  ({', '.join(extras)})"
