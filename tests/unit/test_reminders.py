"""Reminder instants from the config: due time in the loan's zone, leads, overdue repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from reminderd import plans, reminders, standing
from tests.unit.conftest import one_loan


def _single(zone: str, due: str, settings: str = "") -> tuple:
    loan = one_loan(
        f"{{kind: once, due: {due}, amount: 10}}",
        top=f"timezone: {zone}\n" + (f"reminders: {settings}\n" if settings else ""),
    )
    (row,) = plans.installments(loan)
    return loan, row


@pytest.mark.parametrize(
    ("zone", "due", "expected"),
    [
        ("America/New_York", "2027-03-14", "2027-03-14T03:30:00-04:00"),
        ("Europe/Berlin", "2027-03-28", "2027-03-28T03:30:00+02:00"),
        ("America/New_York", "2027-11-07", "2027-11-07T01:30:00-04:00"),  # fold: first (EDT)
        ("Europe/Berlin", "2027-10-31", "2027-10-31T02:30:00+02:00"),  # fold: first (CEST)
    ],
)
def test_installments_due_time_in_dst_gap_or_fold_follows_the_rule(
    zone: str, due: str, expected: str
) -> None:
    time_of_day = '"01:30"' if due == "2027-11-07" else '"02:30"'

    _, row = _single(zone, due, f"{{time: {time_of_day}}}")

    assert row.due_at.isoformat() == expected


def test_installments_due_with_own_time_of_day_keeps_it() -> None:
    _, row = _single("Asia/Shanghai", '"2027-02-20 18:00"')

    assert row.due_at.isoformat() == "2027-02-20T18:00:00+08:00"


def test_before_due_day_and_hour_leads_across_spring_forward() -> None:
    loan, row = _single(
        "America/New_York", "2027-03-14", '{time: "09:00", before: [2d, 1d, 24h, 2h, 0d]}'
    )

    at = [r.at.isoformat() for r in reminders.before_due(row, loan.reminders)]

    assert at == [
        "2027-03-12T09:00:00-05:00",  # 2d: same local time
        "2027-03-13T08:00:00-05:00",  # 24h: exactly a day of seconds, the short day
        "2027-03-13T09:00:00-05:00",  # 1d: same local time
        "2027-03-14T07:00:00-04:00",  # 2h: exact
        "2027-03-14T09:00:00-04:00",  # 0d: the due instant
    ]
    kinds = [r.kind for r in reminders.before_due(row, loan.reminders)]
    assert kinds == ["ahead", "ahead", "ahead", "ahead", "due"]


def test_before_due_same_instant_from_two_leads_is_kept_once() -> None:
    loan, row = _single("Asia/Shanghai", "2027-05-10", "{before: [1d, 24h]}")

    result = reminders.before_due(row, loan.reminders)

    assert [r.at.isoformat() for r in result] == ["2027-05-09T09:00:00+08:00"]
    assert [r.step for r in result] == [0]  # the first lead listed (1d) is the one kept


def test_overdue_repeats_daily_at_local_time_across_fall_back() -> None:
    loan, row = _single("Europe/Berlin", "2027-10-30")
    after = row.due_at

    stream = reminders.overdue(row, loan.reminders, after=after)
    first = [next(stream).at.isoformat() for _ in range(3)]

    assert first == [
        "2027-10-31T09:00:00+01:00",
        "2027-11-01T09:00:00+01:00",
        "2027-11-02T09:00:00+01:00",
    ]


def test_overdue_after_a_long_time_starts_just_after_the_given_instant() -> None:
    loan, row = _single("America/New_York", "2027-01-10", "{overdue_every: 1d}")
    after = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)  # 08:00 EDT

    first = next(reminders.overdue(row, loan.reminders, after=after))

    assert first.at.isoformat() == "2027-06-01T09:00:00-04:00"
    assert first.step == (datetime(2027, 6, 1) - datetime(2027, 1, 10)).days


def test_overdue_after_a_long_time_across_fall_back_does_not_skip_a_repeat() -> None:
    loan, row = _single("America/New_York", "2027-10-20", "{overdue_every: 1d}")
    # Due 10-20 09:00 EDT (13:00Z). Clocks fall back on 11-07, so from then 09:00 local is
    # 14:00Z: the 20th repeat, 11-09 09:00 EST, is at 14:00Z, an hour more than 20 × 24 h.
    # Half an hour past 20 × 24 h (13:30Z) that repeat is still ahead and must come next.
    after = row.due_at.astimezone(UTC) + timedelta(days=20, minutes=30)  # exact, 13:30Z

    first = next(reminders.overdue(row, loan.reminders, after=after))

    assert (first.step, first.at.isoformat()) == (20, "2027-11-09T09:00:00-05:00")


def test_overdue_never_gives_no_reminders() -> None:
    loan, row = _single("Asia/Shanghai", "2027-01-10", "{overdue_every: never}")

    assert list(reminders.overdue(row, loan.reminders, after=row.due_at)) == []
    assert reminders.latest_overdue(row, loan.reminders, row.due_at + timedelta(days=9)) is None


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin", "Asia/Shanghai"])
def test_latest_overdue_is_the_last_step_at_or_before_now(zone: str) -> None:
    loan, row = _single(zone, "2027-03-01", "{overdue_every: 12h}")
    # 100 days and 5 hours later: 200 exact half-days, the 201st still ahead.
    now = row.due_at + timedelta(days=100, hours=5)

    latest = reminders.latest_overdue(row, loan.reminders, now)

    assert latest is not None
    assert latest.step == 200
    assert latest.at.astimezone(UTC) == row.due_at.astimezone(UTC) + timedelta(days=100)


def test_latest_overdue_before_due_is_none() -> None:
    loan, row = _single("Asia/Shanghai", "2027-03-01")

    assert reminders.latest_overdue(row, loan.reminders, row.due_at) is None


def test_next_after_moves_from_pre_due_to_overdue() -> None:
    loan, row = _single("Asia/Shanghai", "2027-03-10", "{before: [3d, 0d], overdue_every: 1d}")

    first = reminders.next_after(row, loan.reminders, row.due_at - timedelta(days=5))
    second = reminders.next_after(row, loan.reminders, first.at)
    third = reminders.next_after(row, loan.reminders, second.at)
    fourth = reminders.next_after(row, loan.reminders, third.at)  # from an overdue instant

    assert [(r.kind, r.at.isoformat()) for r in (first, second, third, fourth)] == [
        ("ahead", "2027-03-07T09:00:00+08:00"),
        ("due", "2027-03-10T09:00:00+08:00"),
        ("overdue", "2027-03-11T09:00:00+08:00"),
        ("overdue", "2027-03-12T09:00:00+08:00"),
    ]


def test_latest_overdue_exactly_at_the_first_repeat_is_that_repeat() -> None:
    loan, row = _single("Asia/Shanghai", "2027-03-10", "{overdue_every: 1d}")

    # Due 03-10 09:00 +08:00; the first repeat is 03-11 09:00, "at or before now" includes it.
    latest = reminders.latest_overdue(row, loan.reminders, row.due_at + timedelta(days=1))

    assert latest is not None
    assert (latest.step, latest.at.isoformat()) == (1, "2027-03-11T09:00:00+08:00")
    # One second earlier only the due instant has passed: no repeat yet.
    before = row.due_at + timedelta(days=1, seconds=-1)
    assert reminders.latest_overdue(row, loan.reminders, before) is None


@pytest.mark.parametrize(
    ("now", "days"),
    [
        # Due 2027-03-10 09:00 in Shanghai (01:00Z). 16:00Z on the 10th is midnight of the
        # 11th there: a day late, though UTC's date is still the 10th.
        (datetime(2027, 3, 10, 15, 59, tzinfo=UTC), 0),
        (datetime(2027, 3, 10, 16, 0, tzinfo=UTC), 1),
        (datetime(2027, 3, 12, 16, 0, tzinfo=UTC), 3),
        (datetime(2027, 3, 9, 0, 0, tzinfo=UTC), 0),  # before the due date: not negative
    ],
)
def test_days_overdue_counts_calendar_days_in_the_loans_zone(now: datetime, days: int) -> None:
    _, row = _single("Asia/Shanghai", "2027-03-10")

    assert reminders.days_overdue(row, now) == days


def test_allocate_pays_oldest_first_and_keeps_partial_and_credit() -> None:
    loan = one_loan("{kind: recurring, amount: 100, count: 3, first_due: 2027-01-05}")
    rows = plans.installments(loan)

    result = standing.allocate(rows, Decimal("250.00"))

    assert [row.paid for row in result.rows] == [Decimal(100), Decimal(100), Decimal(50)]
    assert [row.settled for row in result.rows] == [True, True, False]
    assert result.outstanding == Decimal(50)
    assert standing.allocate(rows, Decimal(330)).credit == Decimal(30)
    now = datetime(2027, 3, 6, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert [row.status(now) for row in result.rows] == ["settled", "settled", "overdue"]


def test_overdue_from_just_after_the_due_instant_starts_at_the_first_repeat() -> None:
    # The service asks "what comes after now" an hour after a missed due instant: the answer
    # is the first repeat (03-11 09:00), not the second, and it belongs to loan a, number 1.
    loan, row = _single("Asia/Shanghai", "2027-03-10", "{overdue_every: 1d}")

    first = next(reminders.overdue(row, loan.reminders, after=row.due_at + timedelta(hours=1)))

    assert first.step == 1
    assert first.key == "a/1/overdue/2027-03-11T09:00:00+08:00"
    upcoming = reminders.next_after(row, loan.reminders, row.due_at + timedelta(hours=23))
    assert upcoming is not None and upcoming.key == first.key


def test_latest_overdue_across_spring_forward_is_the_latest_local_repeat() -> None:
    loan, row = _single("America/New_York", "2027-03-13", "{overdue_every: 1d}")
    # Due 03-13 09:00 EST = 14:00Z. Clocks spring forward on 03-14, so the repeats at 09:00
    # EDT are 13:00Z: 03-14 13:00Z (step 1), 03-15 13:00Z (step 2), 03-16 13:00Z (step 3).
    # At 03-15 13:30Z only 47.5 h have passed (under two days of seconds), yet the repeat of
    # 03-15 is behind us: the latest is step 2, not step 1.
    now = datetime(2027, 3, 15, 13, 30, tzinfo=UTC)

    latest = reminders.latest_overdue(row, loan.reminders, now)

    assert latest is not None
    assert (latest.step, latest.at.isoformat()) == (2, "2027-03-15T09:00:00-04:00")
