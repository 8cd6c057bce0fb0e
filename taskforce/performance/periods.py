"""Reporting periods: weekly (ISO weeks), monthly and quarterly, as canonical strings.

`2027-W05`, `2027-03` and `2027-Q1` are the only forms stored or returned. Input may also be
a date (a `date`/`datetime`, as Excel cells give, or `YYYY-MM-DD` text), meaning the period
that contains it. Anything else, or a period of another frequency, is refused with a
reason a person can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from taskforce.text import YEARS

FREQUENCIES = ("weekly", "monthly", "quarterly")

_WEEK = re.compile(r"(\d{4})-W(\d{1,2})")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_EXAMPLE = {"weekly": "2027-W05", "monthly": "2027-03", "quarterly": "2027-Q1"}
_NAMES = {"weekly": "a week", "monthly": "a month", "quarterly": "a quarter"}


class PeriodError(ValueError):
    """Why a period cannot be read; the message is fit to show."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    index: int  # week 1-53, month 1-12 or quarter 1-4
    frequency: str

    def __str__(self) -> str:
        if self.frequency == "weekly":
            return f"{self.year}-W{self.index:02d}"
        if self.frequency == "monthly":
            return f"{self.year}-{self.index:02d}"
        return f"{self.year}-Q{self.index}"

    def previous(self) -> Period:
        if self.frequency == "weekly":
            monday = date.fromisocalendar(self.year, self.index, 1) - timedelta(days=7)
            year, week, _ = monday.isocalendar()
            return Period(year, week, "weekly")
        size = 12 if self.frequency == "monthly" else 4
        if self.index == 1:
            return Period(self.year - 1, size, self.frequency)
        return Period(self.year, self.index - 1, self.frequency)

    def ends_on(self) -> date:
        """The last day of the period (for charts and "as at" labels)."""
        if self.frequency == "weekly":
            return date.fromisocalendar(self.year, self.index, 7)
        month = self.index if self.frequency == "monthly" else self.index * 3
        first_of_next = date(self.year + month // 12, month % 12 + 1, 1)
        return first_of_next - timedelta(days=1)

    def label(self) -> str:
        """How a person reads it: "w/c 1 Feb 2027", "Mar 2027", "Q1 2027"."""
        if self.frequency == "weekly":
            return f"w/c {date.fromisocalendar(self.year, self.index, 1):%-d %b %Y}"
        if self.frequency == "monthly":
            return f"{date(self.year, self.index, 1):%b %Y}"
        return f"Q{self.index} {self.year}"


def of_day(day: date, frequency: str) -> Period:
    """The period of a frequency that contains a day."""
    if frequency == "weekly":
        year, week, _ = day.isocalendar()
        return Period(year, week, frequency)
    if frequency == "monthly":
        return Period(day.year, day.month, frequency)
    return Period(day.year, (day.month - 1) // 3 + 1, frequency)


def parse(value: object, frequency: str) -> Period:
    """Read a period of `frequency` from text or a date; raise PeriodError saying why not."""
    if frequency not in FREQUENCIES:
        raise PeriodError(f"Unknown frequency {frequency!r}")
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return _in_years(of_day(value, frequency))
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        # A spreadsheet cell holding 202703, or a date's serial number formatted as a number.
        raise PeriodError(
            f"Give a period like {_EXAMPLE[frequency]} or a date, not the number {value}"
        )
    if not isinstance(value, str) or not value.strip():
        raise PeriodError(f"Give a period like {_EXAMPLE[frequency]}")
    text = value.strip().upper()
    if match := _DAY.fullmatch(text):
        try:
            day = date(*(int(part) for part in match.groups()))
        except ValueError:
            raise PeriodError(f"{value.strip()} is not a real date") from None
        return _in_years(of_day(day, frequency))
    kinds = (("weekly", _WEEK), ("quarterly", _QUARTER), ("monthly", _MONTH))
    for kind, pattern in kinds:
        if match := pattern.fullmatch(text):
            if kind != frequency:
                raise PeriodError(
                    f"{value.strip()} is {_NAMES[kind]}, but this indicator is {frequency}: "
                    f"give a period like {_EXAMPLE[frequency]}"
                )
            year, index = int(match.group(1)), int(match.group(2))
            if kind == "weekly":
                try:
                    date.fromisocalendar(year, index, 1)
                except ValueError:
                    raise PeriodError(f"{year} has no week {index}") from None
            if kind == "monthly" and not 1 <= index <= 12:
                raise PeriodError(f"{value.strip()} has no month {index}")
            return _in_years(Period(year, index, frequency))
    raise PeriodError(f"{value.strip()!r} is not a period: give one like {_EXAMPLE[frequency]}")


def _in_years(period: Period) -> Period:
    if period.year not in YEARS:
        raise PeriodError(f"Give a period from {YEARS[0]} to {YEARS[-1]}")
    return period
