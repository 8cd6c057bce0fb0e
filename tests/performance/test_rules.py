"""Periods and RAG rules, at their boundaries."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from taskforce.performance import periods
from taskforce.performance.periods import PeriodError, parse
from taskforce.performance.rag import rag, trend, variance_in_words, variance_pct


@pytest.mark.parametrize(
    ("value", "frequency", "expected"),
    [
        ("2027-03", "monthly", "2027-03"),
        ("2027-3", "monthly", "2027-03"),
        (" 2027-q1 ", "quarterly", "2027-Q1"),
        ("2027-W5", "weekly", "2027-W05"),
        ("2027-03-31", "monthly", "2027-03"),
        ("2027-03-31", "quarterly", "2027-Q1"),
        ("2027-01-01", "weekly", "2026-W53"),
        (date(2027, 7, 1), "quarterly", "2027-Q3"),
        (datetime(2027, 2, 28, 0, 0), "monthly", "2027-02"),  # noqa: DTZ001 - as Excel gives
    ],
)
def test_periods_read_in_any_reasonable_form(value, frequency, expected):
    assert str(parse(value, frequency)) == expected


@pytest.mark.parametrize(
    ("value", "frequency", "message"),
    [
        ("2027-Q1", "monthly", "is a quarter, but this indicator is monthly"),
        ("2027-03", "weekly", "is a month, but this indicator is weekly"),
        ("2027-13", "monthly", "has no month 13"),
        ("2027-W54", "weekly", "has no week 54"),
        ("2027-02-30", "monthly", "not a real date"),
        ("March", "monthly", "is not a period"),
        ("", "monthly", "Give a period like 2027-03"),
        (12, "monthly", "Give a period like 2027-03"),
        ("1999-12", "monthly", "from 2000 to 2100"),
    ],
)
def test_bad_periods_say_why(value, frequency, message):
    with pytest.raises(PeriodError, match=message):
        parse(value, frequency)


def test_previous_periods_cross_years():
    assert str(parse("2027-W01", "weekly").previous()) == "2026-W53"
    assert str(parse("2027-01", "monthly").previous()) == "2026-12"
    assert str(parse("2027-Q1", "quarterly").previous()) == "2026-Q4"
    assert parse("2027-Q4", "quarterly").ends_on() == date(2027, 12, 31)
    assert parse("2027-02", "monthly").ends_on() == date(2027, 2, 28)
    assert periods.Period(2027, 3, "monthly").label() == "Mar 2027"


@pytest.mark.parametrize(
    ("actual", "planned", "direction", "expected"),
    [
        # Higher is better, trajectory 100, tolerance 5%.
        ("105", "100", "up", "green"),
        ("100", "100", "up", "green"),
        ("99.99", "100", "up", "amber"),
        ("95", "100", "up", "amber"),
        ("94.99", "100", "up", "red"),
        # Lower is better (say, waiting times), trajectory 100, tolerance 5%.
        ("90", "100", "down", "green"),
        ("100", "100", "down", "green"),
        ("105", "100", "down", "amber"),
        ("105.01", "100", "down", "red"),
        # A zero trajectory absorbs no shortfall.
        ("0", "0", "up", "green"),
        ("-1", "0", "up", "red"),
        ("1", "0", "down", "red"),
        # Negative trajectories (a deficit to reduce) still use the size of the value.
        ("-104", "-100", "up", "amber"),
        ("-106", "-100", "up", "red"),
    ],
)
def test_rag_boundaries_for_both_directions(actual, planned, direction, expected):
    assert rag(D(actual), D(planned), direction, D("5")) == expected


def test_no_rag_without_both_values():
    assert rag(None, D("1"), "up", D("5")) is None
    assert rag(D("1"), None, "up", D("5")) is None


def test_trend_follows_the_direction():
    assert trend(D("11"), D("10"), "up") == "improving"
    assert trend(D("11"), D("10"), "down") == "worsening"
    assert trend(D("10"), D("10"), "down") == "steady"
    assert trend(D("10"), None, "up") is None
    assert variance_pct(D("95"), D("100")) == D("-5")
    assert variance_pct(D("1"), D("0")) is None


@pytest.mark.parametrize(
    ("actual", "planned", "direction", "words"),
    [
        ("107.4", "100", "down", "7.4% worse than trajectory"),
        ("107.4", "100", "up", "7.4% better than trajectory"),
        ("96.9", "100", "down", "3.1% better than trajectory"),
        ("96.9", "100", "up", "3.1% worse than trajectory"),
        ("100", "100", "up", "On trajectory"),
        ("99.96", "100", "up", "Under 0.1% worse than trajectory"),
        ("-110", "-100", "up", "10.0% worse than trajectory"),
        ("25000", "1000", "up", "2,400.0% better than trajectory"),
        ("3", "0", "down", "Worse than trajectory"),
    ],
)
def test_variance_in_words_follows_the_direction(actual, planned, direction, words):
    assert variance_in_words(D(actual), D(planned), direction) == words


def test_no_variance_in_words_without_both_values():
    assert variance_in_words(None, D("100"), "up") is None
    assert variance_in_words(D("100"), None, "down") is None
