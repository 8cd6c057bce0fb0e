"""Working days in England and Wales: weekdays that are not bank holidays."""

from __future__ import annotations

from collections.abc import Callable, Container
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> dict[date, str]:
    # The package ships the rules; no network is needed to know a year's holidays.
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year))


def bank_holiday_name(day: date) -> str | None:
    return _bank_holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day: date, count: int) -> date:
    """Count `count` working days forward (or back, if negative) from `day`, not counting it."""
    step = timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; 0 if `end` is not later."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def next_working_day(day: date) -> date:
    """Return `day` if it is a working day, else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def why_not_working(day: date) -> str | None:
    """Say why a day is not a working day, or None if it is one."""
    name = bank_holiday_name(day)
    if name:
        return f"{name} (a bank holiday)"
    if day.weekday() >= 5:
        return "a Saturday" if day.weekday() == 5 else "a Sunday"
    return None


def working_day_problems(
    offsets: dict[str, int],
    *,
    known: Container[str],
    unknown: str,
    limit: int,
    wrong_side: Callable[[str, int], str | None],
) -> dict[str, list[str]]:
    """Check offsets in working days, key by key: a known key (else the message unknown), a
    whole number of working days up to limit either way, then on its right side of the day
    it counts from (wrong_side(key, days) says why not, or gives None)."""
    problems: dict[str, list[str]] = {}
    for key, days in offsets.items():
        if key not in known:
            problems[key] = [unknown]
        elif not isinstance(days, int) or isinstance(days, bool) or abs(days) > limit:
            problems[key] = [f"Give a whole number of working days up to {limit}"]
        elif problem := wrong_side(key, days):
            problems[key] = [problem]
    return problems
