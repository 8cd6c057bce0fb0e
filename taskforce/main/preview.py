"""An outbox message as its recipient would see it, read back from the stored raw message.

The Outbox page shows kept mail (no mail server configured) and mail still waiting this way:
the headers a mail program shows, each text part with its web links clickable, each HTML part
sanitised (nh3: no script, no styles, no event handlers; links kept), each calendar once,
with what it asks of the recipient's calendar and its full text, and any other attachment by
name. Nothing here sends, follows or changes anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import message_from_string, policy
from email.message import EmailMessage, Message

import nh3
from icalendar import Calendar
from markupsafe import Markup, escape

from taskforce.formatting import format_date, format_datetime

#: Web addresses in plain text, up to the first space or a character that ends a sentence.
URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
#: What an iTIP method asks of the recipient's calendar (RFC 5546).
METHODS = {
    "REQUEST": "an invitation: add or update the meeting",
    "CANCEL": "a cancellation: remove the meeting",
    "PUBLISH": "a published calendar",
}
CALENDAR_TYPES = {"text/calendar", "application/ics"}


@dataclass
class Event:
    summary: str
    #: Start to end, in the service's time zone.
    when: str
    location: str
    status: str
    sequence: int
    attendees: int


#: The name of a calendar that is a part of the message rather than an attached file: the
#: alternative to the text that mail programs offer to accept or decline.
IN_THE_MESSAGE = ""


@dataclass
class CalendarPart:
    #: Where the same calendar appears: IN_THE_MESSAGE and the names of files it is
    #: attached as.
    names: list[str]
    method: str
    events: list[Event]
    text: str

    @property
    def meaning(self) -> str:
        return METHODS.get(self.method, self.method.lower() or "a calendar")

    @property
    def in_the_message(self) -> bool:
        return IN_THE_MESSAGE in self.names

    @property
    def files(self) -> list[str]:
        return [name for name in self.names if name != IN_THE_MESSAGE]


@dataclass
class Attachment:
    name: str
    content_type: str
    size: int


@dataclass
class Preview:
    headers: list[tuple[str, str]]
    texts: list[Markup] = field(default_factory=list)
    htmls: list[Markup] = field(default_factory=list)
    calendars: list[CalendarPart] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


#: The headers a mail program shows its reader, in this order.
SHOWN_HEADERS = ("From", "To", "Cc", "Reply-To", "Subject", "Date")


def read(raw: str) -> Preview:
    """Parse a stored message into what its recipient would see."""
    message = message_from_string(raw, policy=policy.default)
    preview = Preview(
        headers=[
            (name, str(value)) for name in SHOWN_HEADERS for value in (message.get_all(name) or [])
        ]
    )
    calendars: dict[bytes, CalendarPart] = {}
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        if content_type in CALENDAR_TYPES or (filename or "").lower().endswith(".ics"):
            name = filename or IN_THE_MESSAGE
            if payload in calendars:
                calendars[payload].names.append(name)
            else:
                calendars[payload] = _calendar(name, payload)
                preview.calendars.append(calendars[payload])
        elif part.is_attachment() or not content_type.startswith("text/"):
            preview.attachments.append(
                Attachment(filename or "(no name)", content_type, len(payload))
            )
        elif content_type == "text/html":
            preview.htmls.append(sanitise(_text(part, payload)))
        else:
            preview.texts.append(linkify(_text(part, payload)))
    return preview


def _text(part: Message, payload: bytes) -> str:
    if isinstance(part, EmailMessage):
        try:
            text = part.get_content()
        except (LookupError, ValueError):  # an unknown or broken charset: read what we can
            text = payload.decode("utf-8", "replace")
    else:
        text = payload.decode("utf-8", "replace")
    return text.replace("\r\n", "\n")


def linkify(text: str) -> Markup:
    """Plain text as HTML, every web address in it a link."""
    out = Markup()
    last = 0
    for match in URL.finditer(text):
        out += escape(text[last : match.start()])
        out += Markup('<a class="govuk-link" href="{0}">{0}</a>').format(match.group(0))
        last = match.end()
    return out + escape(text[last:])


def sanitise(html: str) -> Markup:
    """An email's HTML with nothing that could run or restyle the page; links kept."""
    cleaned = nh3.clean(html, link_rel="noopener noreferrer")
    return Markup(cleaned)  # noqa: S704 - sanitised by nh3 just above


def _calendar(name: str, payload: bytes) -> CalendarPart:
    text = payload.decode("utf-8", "replace").replace("\r\n", "\n")
    try:
        calendar = Calendar.from_ical(payload)
        events = [_event(event) for event in calendar.walk("VEVENT")]
        method = str(calendar.get("METHOD", "")).upper()
    except (ValueError, TypeError, IndexError, KeyError):  # not readable: shown as text only
        return CalendarPart([name], "", [], text)
    return CalendarPart([name], method, events, text)


def _event(event) -> Event:
    start, end = (getattr(event.get(key), "dt", None) for key in ("DTSTART", "DTEND"))
    attendees = event.get("ATTENDEE")
    return Event(
        summary=str(event.get("SUMMARY", "")),
        when=_span(start, end),
        location=str(event.get("LOCATION", "")),
        status=str(event.get("STATUS", "")).lower(),
        sequence=int(event.get("SEQUENCE", 0)),
        attendees=len(attendees) if isinstance(attendees, list) else int(attendees is not None),
    )


def _span(start: date | datetime | None, end: date | datetime | None) -> str:
    """12 January 2027 at 10:00am to 11:30am; the end's date too when it is another day."""
    if start is None:
        return ""
    if end is None:
        return _when(start)
    if isinstance(start, datetime) and isinstance(end, datetime):
        start, end = _aware(start), _aware(end)
        if format_date(start) == format_date(end):
            return f"{format_datetime(start)} to {format_datetime(end).rpartition(' at ')[2]}"
    return f"{_when(start)} to {_when(end)}"


def _when(moment: date | datetime) -> str:
    return format_datetime(_aware(moment)) if isinstance(moment, datetime) else format_date(moment)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
