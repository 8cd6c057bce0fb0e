"""Dates and times as people in the UK write them, in the service's time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


def format_date(value: date | datetime | None) -> str:
    """23 November 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value)
    return f"{value.day} {value:%B %Y}"


def _time_of_day(moment: datetime) -> str:
    """2:05pm."""
    return f"{moment.hour % 12 or 12}:{moment:%M}{'am' if moment.hour < 12 else 'pm'}"


def format_datetime(value: datetime | None) -> str:
    """23 November 2026 at 2:05pm."""
    if value is None:
        return ""
    moment = local(value)
    return f"{format_date(moment)} at {_time_of_day(moment)}"


def format_short_datetime(value: datetime | None) -> str:
    """23 Nov 2026, 2:05pm: for a table with little room."""
    if value is None:
        return ""
    moment = local(value)
    return f"{moment.day} {moment:%b %Y}, {_time_of_day(moment)}"


def register(app) -> None:
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_short_datetime, "short_datetime")
