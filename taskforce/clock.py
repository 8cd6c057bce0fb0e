"""The service's calendar: what day it is where the task forces work."""

from __future__ import annotations

from datetime import date

from taskforce.db import utcnow
from taskforce.formatting import local


def today() -> date:
    """Today in the service's time zone: what "overdue" and "due" are measured against."""
    return local(utcnow()).date()
