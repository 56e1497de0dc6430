"""Working days: weekends, public holidays and official make-up working days.

The ``holidays`` package knows, for China and others, the Saturdays and Sundays that are
working days by decree (调休); ``is_working_day`` honours them.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Any

MAX_SHIFT_DAYS = 31  # no holiday run is longer; a guard against a calendar with no workdays


@functools.lru_cache(maxsize=64)
def _calendar(code: str) -> Any:
    import holidays

    country, _, subdivision = code.partition("-")
    return holidays.country_holidays(country, subdiv=subdivision or None)


def is_working_day(day: date, holidays_code: str | None) -> bool:
    """True when ``day`` is a working day: Monday-Friday without a calendar, otherwise as the
    country's holiday calendar says (make-up working days included)."""
    if holidays_code is None:
        return day.weekday() < 5
    return bool(_calendar(holidays_code).is_working_day(day))


def adjust(day: date, rule: str, holidays_code: str | None) -> date:
    """Move ``day`` to the previous (``preceding``) or next (``following``) working day when it
    is not one; ``none`` keeps it."""
    if rule == "none":
        return day
    step = timedelta(days=-1 if rule == "preceding" else 1)
    moved = day
    for _ in range(MAX_SHIFT_DAYS):
        if is_working_day(moved, holidays_code):
            return moved
        moved += step
    return day
