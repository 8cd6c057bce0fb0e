"""Rules for text that both the web forms and the API apply."""

from __future__ import annotations

import re
from decimal import Decimal

# Control characters, lone surrogates and the non-characters U+FFFE/U+FFFF: none belongs in
# text a person typed, and XML (Word, Excel) cannot hold them.
CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
CONTROL_EXCEPT_NEWLINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
#: Years a date typed into the service may fall in: wide enough for history and plans,
#: narrow enough that working-day arithmetic never runs off the calendar.
YEARS = range(2000, 2101)
_SMALL_INT = re.compile(r"[0-9]{1,9}")


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
