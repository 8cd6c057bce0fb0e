"""Working days in England and Wales, with real bank holidays."""

from datetime import date

import pytest

from taskforce.meetings.workdays import add_working_days, is_working_day, why_not_working

pytestmark = pytest.mark.no_database


def test_easter_2027_is_skipped_both_ways():
    assert not is_working_day(date(2027, 3, 26))  # Good Friday
    assert not is_working_day(date(2027, 3, 29))  # Easter Monday
    assert add_working_days(date(2027, 3, 30), -5) == date(2027, 3, 19)
    assert add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)


def test_weekends_are_not_working_days():
    assert why_not_working(date(2026, 11, 28)) == "a Saturday"
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)
    assert add_working_days(date(2026, 11, 30), 0) == date(2026, 11, 30)


def test_christmas_2027_substitute_days():
    assert "bank holiday" in why_not_working(date(2027, 12, 27))
    assert add_working_days(date(2027, 12, 24), 1) == date(2027, 12, 29)
