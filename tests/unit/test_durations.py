"""Durations and leads: calendar days keep local time across DST, hours are exact."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminderd.durations import Lead, Step, parse_duration, parse_step, resolve_local
from tests.support.profiles import examples
from tests.unit.conftest import ZONES


@pytest.mark.parametrize(
    ("text", "days", "seconds"),
    [
        ("30s", 0, 30),
        ("30m", 0, 1800),
        ("2h", 0, 7200),
        ("1d", 1, 0),
        ("1w", 7, 0),
        ("1d12h", 1, 43200),
        ("0d", 0, 0),
        ("P1D", 1, 0),
        ("PT12H", 0, 43200),
        ("P1DT1H1M1S", 1, 3661),
        ("p2w", 14, 0),
    ],
)
def test_parse_duration_accepted_forms_give_days_and_seconds(
    text: str, days: int, seconds: int
) -> None:
    assert parse_duration(text) == Lead(days=days, seconds=seconds)


@pytest.mark.parametrize(
    "text", ["", "P", "PT", "1x", "d", "-1d", "1.5h", "1h1d", "3661d", "9" * 5000 + "s"]
)
def test_parse_duration_bad_text_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is checked through config
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "step"),
    [("1 month", Step(1, "month")), ("2 weeks", Step(2, "week")), ("14days", Step(14, "day"))],
)
def test_parse_step_accepted_forms(text: str, step: Step) -> None:
    assert parse_step(text) == step


@pytest.mark.parametrize("text", ["0 days", "0 months", "1 fortnight", "121 months", "month"])
def test_parse_step_zero_or_unknown_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        parse_step(text)


@pytest.mark.parametrize(
    ("zone", "wall", "expected"),
    [
        # Gaps move forward by the gap (one hour in both).
        ("America/New_York", datetime(2027, 3, 14, 2, 30), "2027-03-14T03:30:00-04:00"),
        ("Europe/Berlin", datetime(2027, 3, 28, 2, 30), "2027-03-28T03:30:00+02:00"),
        # Folds take the first occurrence (still summer time).
        ("America/New_York", datetime(2027, 11, 7, 1, 30), "2027-11-07T01:30:00-04:00"),
        ("Europe/Berlin", datetime(2027, 10, 31, 2, 30), "2027-10-31T02:30:00+02:00"),
        # Lord Howe moves by half an hour.
        ("Australia/Lord_Howe", datetime(2027, 10, 3, 2, 15), "2027-10-03T02:45:00+11:00"),
        ("Asia/Shanghai", datetime(2027, 3, 14, 2, 30), "2027-03-14T02:30:00+08:00"),
    ],
)
def test_resolve_local_gap_moves_forward_and_fold_takes_first(
    zone: str, wall: datetime, expected: str
) -> None:
    assert resolve_local(wall, ZoneInfo(zone)).isoformat() == expected


def _utc_gap(later: datetime, earlier: datetime) -> timedelta:
    # Aware datetimes in the same zone subtract as wall clocks in Python: go through UTC.
    return later.astimezone(UTC) - earlier.astimezone(UTC)


def test_lead_day_vs_hours_on_the_day_after_spring_forward_coincide() -> None:
    due = datetime(2027, 3, 15, 9, 0, tzinfo=ZoneInfo("America/New_York"))

    # The clocks sprang forward on 03-14 at 02:00, before 03-14 09:00: both are 24 h back.
    assert parse_duration("1d").before(due).isoformat() == "2027-03-14T09:00:00-04:00"
    assert parse_duration("24h").before(due).isoformat() == "2027-03-14T09:00:00-04:00"


def test_lead_day_vs_hours_across_spring_forward_differ_by_an_hour() -> None:
    new_york = ZoneInfo("America/New_York")
    due = datetime(2027, 3, 14, 9, 0, tzinfo=new_york)

    one_day = parse_duration("1d").before(due)
    hours = parse_duration("24h").before(due)

    # 2027-03-14 had 23 hours: 1d is the same 09:00 a day earlier (EST), 23 h before;
    # 24h is exactly 86,400 s before, 08:00 EST.
    assert one_day.isoformat() == "2027-03-13T09:00:00-05:00"
    assert _utc_gap(due, one_day) == timedelta(hours=23)
    assert hours.isoformat() == "2027-03-13T08:00:00-05:00"
    assert _utc_gap(due, hours) == timedelta(hours=24)


def test_lead_two_days_vs_48_hours_across_spring_forward() -> None:
    new_york = ZoneInfo("America/New_York")
    due = datetime(2027, 3, 15, 9, 0, tzinfo=new_york)

    two_days = parse_duration("2d").before(due)
    hours = parse_duration("48h").before(due)

    assert two_days.isoformat() == "2027-03-13T09:00:00-05:00"
    assert _utc_gap(due, two_days) == timedelta(hours=47)
    assert hours.isoformat() == "2027-03-13T08:00:00-05:00"
    assert _utc_gap(due, hours) == timedelta(hours=48)


def test_lead_day_across_fall_back_in_berlin_keeps_wall_clock() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    due = datetime(2027, 11, 1, 9, 0, tzinfo=berlin)

    assert parse_duration("1d").before(due).isoformat() == "2027-10-31T09:00:00+01:00"
    assert parse_duration("2d").before(due).isoformat() == "2027-10-30T09:00:00+02:00"
    assert parse_duration("48h").before(due).isoformat() == "2027-10-30T10:00:00+02:00"


def test_lead_day_landing_in_gap_moves_forward() -> None:
    new_york = ZoneInfo("America/New_York")
    due = datetime(2027, 3, 15, 2, 30, tzinfo=new_york)

    # 2027-03-14 02:30 does not exist in New York: 03:30 EDT.
    assert parse_duration("1d").before(due).isoformat() == "2027-03-14T03:30:00-04:00"


@settings(max_examples=examples(300), deadline=None)
@given(
    zone_name=st.sampled_from([*ZONES, "Australia/Lord_Howe", "America/Santiago"]),
    moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    days=st.integers(min_value=0, max_value=400),
    seconds=st.integers(min_value=0, max_value=3 * 86400),
)
def test_lead_before_days_keep_wall_clock_and_seconds_are_exact(
    zone_name: str, moment: datetime, days: int, seconds: int
) -> None:
    zone = ZoneInfo(zone_name)
    due = resolve_local(moment.replace(microsecond=0), zone)

    shifted = Lead(days=days).before(due)
    wall = due.replace(tzinfo=None) - timedelta(days=days)
    exists = resolve_local(wall, zone).replace(tzinfo=None) == wall
    if exists:
        assert shifted.replace(tzinfo=None) == wall
    else:
        # In a gap: later than the wall time by the gap, never more than a few hours.
        assert timedelta(0) < shifted.replace(tzinfo=None) - wall <= timedelta(hours=2)

    exact = Lead(seconds=seconds).before(due)
    assert due.astimezone(UTC) - exact.astimezone(UTC) == timedelta(seconds=seconds)
    assert Lead(seconds=seconds).after(exact) == due


def test_lead_as_text_round_trips() -> None:
    for text in ["1d12h", "0d", "2h", "7d", "1h30m", "45s"]:
        assert parse_duration(parse_duration(text).as_text()) == parse_duration(text)


def test_reminder_time_fixture_zone_keeps_local_time(zone: ZoneInfo) -> None:
    due = datetime.combine(datetime(2027, 7, 15).date(), time(9, 0), tzinfo=zone)

    assert parse_duration("7d").before(due).time() == time(9, 0)
    assert parse_duration("7d").before(due).date().isoformat() == "2027-07-08"
