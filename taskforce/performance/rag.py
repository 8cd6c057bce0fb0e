"""RAG and trend: how an actual compares with its trajectory, and with the period before.

The rules (the README repeats them):

- The **shortfall** is how far the actual falls short of the trajectory in the direction
  that matters: trajectory minus actual when higher is better, actual minus trajectory
  when lower is better. Zero or less means on or ahead of trajectory.
- **Green**: no shortfall (on or ahead of trajectory).
- **Amber**: a shortfall of at most the tolerance, as a percentage of the trajectory value.
- **Red**: a shortfall of more than the tolerance. Where the trajectory is zero, any
  shortfall is red (no percentage of zero can absorb it).
- No RAG (None) where there is no actual, or no trajectory value for that period.
- **Variance** is the actual against the trajectory as a percentage of it; in words it says
  which way that matters: "7.4% worse than trajectory", "3.1% better than trajectory", "on
  trajectory" (worse is the direction of a shortfall).
- **Trend** compares the actual with the latest earlier actual: "improving", "worsening"
  or "steady" by the indicator's direction; None for the first actual.

Values are Decimals, so 95 against a trajectory of 100 with a 5% tolerance is exactly on
the amber boundary, not a hair either side of it.
"""

from __future__ import annotations

from decimal import Decimal

GREEN, AMBER, RED = "green", "amber", "red"
IMPROVING, WORSENING, STEADY = "improving", "worsening", "steady"


def shortfall(actual: Decimal, planned: Decimal, direction: str) -> Decimal:
    return planned - actual if direction == "up" else actual - planned


def rag(
    actual: Decimal | None, planned: Decimal | None, direction: str, tolerance_pct: Decimal
) -> str | None:
    if actual is None or planned is None:
        return None
    short = shortfall(actual, planned, direction)
    if short <= 0:
        return GREEN
    if planned == 0:
        return RED
    return AMBER if short * 100 <= tolerance_pct * abs(planned) else RED


def trend(actual: Decimal | None, previous: Decimal | None, direction: str) -> str | None:
    if actual is None or previous is None:
        return None
    if actual == previous:
        return STEADY
    better = actual > previous if direction == "up" else actual < previous
    return IMPROVING if better else WORSENING


def variance_pct(actual: Decimal | None, planned: Decimal | None) -> Decimal | None:
    """Actual against trajectory as a signed percentage of the trajectory (None if 0)."""
    if actual is None or planned is None or planned == 0:
        return None
    return (actual - planned) * 100 / abs(planned)


def variance_in_words(
    actual: Decimal | None, planned: Decimal | None, direction: str
) -> str | None:
    """The variance as a reader says it: "7.4% worse than trajectory" where lower is better
    and the actual is 7.4% above it, "On trajectory"; None without both values."""
    if actual is None or planned is None:
        return None
    short = shortfall(actual, planned, direction)
    if short == 0:
        return "On trajectory"
    side = "worse" if short > 0 else "better"
    pct = variance_pct(actual, planned)
    if pct is None:  # a zero trajectory: no percentage of it, only the side
        return f"{side.capitalize()} than trajectory"
    size = abs(pct).quantize(Decimal("0.1"))
    return f"{size:,}% {side} than trajectory" if size else f"Under 0.1% {side} than trajectory"
