"""The agenda decides what is due and when to wake: pure, so every case is a plain call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from reminderd.agenda import Agenda
from reminderd.config import parse

CONFIG = """
timezone: Asia/Shanghai
reminders: {before: [3d, 1d, 0d], time: "09:00", overdue_every: 1d}
loans:
  - id: a
    name: Loan A
    plan:
      kind: list
      installments:
        - {due: 2027-03-10, amount: 100}
        - {due: 2027-04-10, amount: 100}
"""


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


@pytest.fixture
def agenda() -> Agenda:
    return Agenda(parse(CONFIG.encode(), Path("test.yaml")))


def test_agenda_before_first_lead_nothing_is_due(agenda: Agenda) -> None:
    assert agenda.due(shanghai("2027-03-07T08:59:59"), {}) == []


def test_agenda_at_a_lead_instant_that_reminder_is_due_on_time(agenda: Agenda) -> None:
    [item] = agenda.due(shanghai("2027-03-07T09:00:01"), {})
    assert item.reminder.at == shanghai("2027-03-07T09:00:00")
    assert (item.kind, item.catch_up, item.installment.number) == ("ahead", False, 1)


def test_agenda_after_downtime_only_the_latest_passed_reminder_is_due(agenda: Agenda) -> None:
    # Down from before the 3d lead until after the 1d lead: one message, a catch-up.
    [item] = agenda.due(shanghai("2027-03-09T12:00:00"), {})
    assert item.reminder.at == shanghai("2027-03-09T09:00:00")
    assert item.catch_up is True
    assert item.kind == "ahead"


def test_agenda_pre_due_reminder_found_after_due_becomes_one_overdue_message(
    agenda: Agenda,
) -> None:
    [item] = agenda.due(shanghai("2027-03-10T15:00:00"), {})
    assert item.reminder.kind == "due"
    assert (item.kind, item.catch_up) == ("overdue", True)


def test_agenda_overdue_repeats_daily_until_paid(agenda: Agenda) -> None:
    [item] = agenda.due(shanghai("2027-03-13T09:00:30"), {})
    assert item.reminder.kind == "overdue"
    assert item.reminder.step == 3
    assert item.catch_up is False
    assert agenda.due(shanghai("2027-03-13T09:00:30"), {"a": Decimal("100")}) == []


def test_agenda_partial_payment_keeps_reminding(agenda: Agenda) -> None:
    [item] = agenda.due(shanghai("2027-03-13T09:00:30"), {"a": Decimal("99.99")})
    assert item.standing.outstanding == Decimal("0.01")


def test_agenda_next_instant_is_the_next_lead(agenda: Agenda) -> None:
    assert agenda.next_instant(shanghai("2027-03-07T09:00:00"), {}) == shanghai(
        "2027-03-09T09:00:00"
    )


def test_agenda_next_instant_after_payment_skips_to_next_installment(agenda: Agenda) -> None:
    now = shanghai("2027-03-08T00:00:00")
    assert agenda.next_instant(now, {"a": Decimal("100")}) == shanghai("2027-04-07T09:00:00")


def test_agenda_next_instant_when_everything_is_paid_is_none(agenda: Agenda) -> None:
    assert agenda.next_instant(shanghai("2027-03-08T00:00:00"), {"a": Decimal("200")}) is None


def test_agenda_snooze_end_is_a_wake_up_and_a_reminder(agenda: Agenda) -> None:
    now = shanghai("2027-03-07T09:05:00")
    until = now + timedelta(hours=1)
    snoozes = {("a", 1): until}
    assert agenda.next_instant(now, {}, snoozes) == until
    [item] = agenda.due(until + timedelta(seconds=1), {}, snoozes)
    assert item.reminder.kind == "snooze"
    assert item.reminder.at == until


def test_agenda_reminder_keys_are_stable_across_reloads() -> None:
    first = Agenda(parse(CONFIG.encode(), Path("a.yaml")))
    second = Agenda(parse(CONFIG.encode(), Path("b.yaml")))
    # 2027-03-09 03:00Z is 11:00 in Shanghai: the 1d lead of installment 1 (due 03-10 09:00)
    # passed at 03-09 09:00; its key names loan, number, kind and local instant, and nothing
    # of the file the config came from.
    now = datetime(2027, 3, 9, 3, tzinfo=UTC)
    expected = ["a/1/ahead/2027-03-09T09:00:00+08:00"]
    assert [d.reminder.key for d in first.due(now, {})] == expected
    assert [d.reminder.key for d in second.due(now, {})] == expected
    # Two days after the due date at 11:00: the overdue repeat of 03-12 09:00.
    later = datetime(2027, 3, 12, 3, tzinfo=UTC)
    assert [d.reminder.key for d in second.due(later, {})] == [
        "a/1/overdue/2027-03-12T09:00:00+08:00"
    ]
