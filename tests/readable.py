"""Emails and downloads as text a reviewer can read, with values that change per run replaced.

Snapshot tests compare these dumps with files under a `__snapshots__` folder beside the
test (syrupy; `pytest --snapshot-update` rewrites them). A dump shows what the recipient or
downloader gets: the headers that matter, every MIME part decoded, attachments by name,
spreadsheet cells with their types. Whatever differs from one run to the next (Message-ID,
Date, DTSTAMP, random tokens and UIDs, MIME boundaries, today's date) becomes a numbered
placeholder, so that two different tokens stay visibly different.
"""

from __future__ import annotations

import re
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
