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


def format_datetime(value: datetime | None) -> str:
    """23 November 2026 at 2:05pm."""
    if value is None:
        return ""
    moment = local(value)
    hour = moment.hour % 12 or 12
    return f"{format_date(moment)} at {hour}:{moment:%M}{'am' if moment.hour < 12 else 'pm'}"


def format_short_datetime(value: datetime | None) -> str:
    """23 Nov 2026, 2:05pm: for a table with little room."""
    if value is None:
        return ""
    moment = local(value)
    hour = moment.hour % 12 or 12
    return f"{moment.day} {moment:%b %Y}, {hour}:{moment:%M}{'am' if moment.hour < 12 else 'pm'}"


def register(app) -> None:
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_short_datetime, "short_datetime")
