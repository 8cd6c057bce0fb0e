"""Validators and fields every form shares."""

from __future__ import annotations

import re

from wtforms.validators import ValidationError

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_EXCEPT_NEWLINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SingleLine:
    """Refuse newlines, tabs and control characters in a one-line field."""

    def __init__(self, label: str):
        self.label = label

    def __call__(self, form, field):
        if field.data and _CONTROL.search(field.data):
            raise ValidationError(f"{self.label} must be on one line")


class NoControlCharacters:
    def __init__(self, label: str):
        self.label = label

    def __call__(self, form, field):
        if field.data and _CONTROL_EXCEPT_NEWLINES.search(field.data):
            raise ValidationError(f"{self.label} must not contain control characters")


def strip(value):
    return value.strip() if isinstance(value, str) else value
