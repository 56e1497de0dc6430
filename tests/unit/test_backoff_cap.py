"""The retry wait after a failed delivery doubles from 10 s and never exceeds 10 minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reminderd.delivery import backoff

XFAIL_OVERFLOW = pytest.mark.xfail(
    raises=OverflowError,
    strict=True,
    reason="product bug (delivery.py, owner: delivery): backoff overflows from attempt 44",
)


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [
        (0, 10),  # before any attempt counts: the first wait
        (1, 10),
        (2, 20),
        (3, 40),
        (4, 80),
        (5, 160),
        (6, 320),
        (7, 600),  # 10 × 2⁶ = 640 s would pass 10 min: capped at 600 s
        (8, 600),  # 1280 s → 600
        (43, 600),  # 10 × 2⁴² s: the largest power timedelta can still hold
        # From attempt 44 (about six hours of a channel failing every try), 10 s × 2⁴³ no
        # longer fits a timedelta and backoff raises OverflowError in the delivery worker,
        # before it clears the in-flight mark: that reminder is never tried again.
        pytest.param(44, 600, marks=XFAIL_OVERFLOW),
        pytest.param(10_000, 600, marks=XFAIL_OVERFLOW),
    ],
)
def test_backoff_doubles_from_ten_seconds_and_caps_at_ten_minutes(
    attempts: int, seconds: int
) -> None:
    assert backoff(attempts) == timedelta(seconds=seconds)
