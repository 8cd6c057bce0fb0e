"""Rules for text that both the web forms and the API apply."""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_EXCEPT_NEWLINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SMALL_INT = re.compile(r"[0-9]{1,9}")


def expected_version(raw: str | None) -> int | None:
    """The version a form was filled from; a tampered one matches nothing, so it conflicts."""
    if not raw:
        return None
    number = small_int(raw)
    return -1 if number is None else number


def small_int(raw: str | None) -> int | None:
    """Read a version or id typed in a URL or hidden field: 1 to 9 ASCII digits, else None."""
    if raw is None or not _SMALL_INT.fullmatch(raw):
        return None
    return int(raw)
