"""Rules for text that both the web forms and the API apply."""

from __future__ import annotations

import re
from decimal import Decimal

#: Every character that ends a line somewhere text of ours goes: email headers and iCalendar
#: (CR, LF) and Python's str.splitlines(), which the email package uses to police headers
#: (also VT, FF, the file/group/record separators, NEL and Unicode's line and paragraph
#: separators).
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
#: The line breaks that multi-line text turns into "\n" rather than refuse: Unicode's line and
#: paragraph separators and NEL, which pasted text can carry and no person means otherwise.
UNICODE_NEWLINES = "\x85\u2028\u2029"
_UNICODE_NEWLINE = re.compile(f"[{UNICODE_NEWLINES}]")

# C0 and C1 control characters, Unicode's line and paragraph separators, lone surrogates and
# the non-characters U+FFFE/U+FFFF: none belongs in text a person typed on one line, and XML
# (Word, Excel) cannot hold most of them. Multi-line text allows tab, LF and CR besides.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
CONTROL_EXCEPT_NEWLINES = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]"
)
_BREAK = re.compile(f"[{LINE_BREAKS}]")
#: A run of line breaks and control characters, as one_line() collapses it to a space.
_CONTROL_RUN = re.compile(CONTROL.pattern + "+")
#: Years a date typed into the service may fall in: wide enough for history and plans,
#: narrow enough that working-day arithmetic never runs off the calendar.
YEARS = range(2000, 2101)
_SMALL_INT = re.compile(r"[0-9]{1,9}")


def one_line_problem(value: str | None) -> str | None:
    """Why a one-line value cannot be kept, as the end of a sentence naming the field (so
    "Title " + it reads), or None if it can. Web forms, API schemas and services all ask."""
    if not value:
        return None
    if _BREAK.search(value):
        return "must be on one line"
    found = CONTROL.search(value)
    if found is None:
        return None
    if found.group() == "\t":
        return "must not contain tabs"
    return f"must not contain control characters (it has U+{ord(found.group()):04X})"


def multi_line_problem(value: str | None) -> str | None:
    """Why text over several lines cannot be kept (see one_line_problem), or None if it can.
    Give it text already through normalise_newlines."""
    found = CONTROL_EXCEPT_NEWLINES.search(value or "")
    if found is None:
        return None
    return f"must not contain control characters (it has U+{ord(found.group()):04X})"


def address_problem(address: str | None) -> str | None:
    """Why mail could never be sent to an address, as a message for the person who typed it,
    or None if it could. The outbox speaks plain SMTP, without the SMTPUTF8 extension that
    an address with letters beyond A to Z (zoë@, an accented domain) would need."""
    if not address:
        return None
    unsendable = next((c for c in address if not c.isascii() or CONTROL.match(c)), None)
    if unsendable is None:
        return None
    shown = f"“{unsendable}”" if unsendable.isprintable() else f"U+{ord(unsendable):04X}"
    return (
        "Enter an email address with only the letters A to Z, numbers and punctuation: "
        f"mail cannot be delivered to an address containing {shown}"
    )


def normalise_newlines(value: str) -> str:
    """Multi-line text with Unicode's line and paragraph separators and NEL made plain "\n".

    Refusing them would puzzle whoever pasted them (they look like any other line break),
    and keeping them would let them reach mail and calendars, which do not take them as
    line breaks. The length does not change.
    """
    return _UNICODE_NEWLINE.sub("\n", value) if value else value


def one_line(value: str | None) -> str:
    """Text made safe for one line of output (an email header, an iCalendar property, a form
    field redrawn): each run of line breaks or control characters becomes one space.

    For what is already stored: text entering the service is refused such characters (see
    one_line_problem), but rows from before that rule must still mail and show."""
    return _CONTROL_RUN.sub(" ", value) if value else ""


def plain_lines(value: str | None) -> str:
    """Multi-line text made safe for output: every kind of line break becomes "\n", and each
    run of other control characters one space."""
    if not value:
        return ""
    return "\n".join(one_line(line) for line in value.splitlines())


def expected_version(raw: str | None) -> int:
    """The version an edit form was filled from, as posted.

    A missing, empty or tampered one matches nothing (-1), so the save is refused as out of
    date: leaving the field out must never skip the check.
    """
    number = small_int(raw)
    return -1 if number is None else number


def small_int(raw: str | None) -> int | None:
    """Read a version or id typed in a URL or hidden field: 1 to 9 ASCII digits, else None."""
    if not isinstance(raw, str) or not _SMALL_INT.fullmatch(raw):
        return None
    return int(raw)


def tidy(value: Decimal) -> Decimal:
    """100.000000 → 100 and 2.50 → 2.5, never 1E+2."""
    if not value.is_finite():
        return value
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
