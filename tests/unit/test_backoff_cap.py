"""The retry wait after a failed delivery doubles from 10 s and never exceeds 10 minutes:
``backoff`` with values worked by hand, then the deliverer that applies it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reminderd.agenda import Agenda, Due
from reminderd.channels import Message
from reminderd.channels.memory import MemoryChannel
from reminderd.config import parse
from reminderd.delivery import Deliverer, backoff


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
        # From attempt 44 (about six hours of a channel failing every try), 10 s × 2⁴³ would
        # not fit a timedelta; backoff raised OverflowError in the delivery worker, before
        # it cleared the in-flight mark, so that reminder was never tried again. Fixed.
        (44, 600),
        (10_000, 600),
    ],
)
def test_backoff_doubles_from_ten_seconds_and_caps_at_ten_minutes(
    attempts: int, seconds: int
) -> None:
    assert backoff(attempts) == timedelta(seconds=seconds)


# ---- the retry cap as the deliverer applies it: a real SQLite delivery log, the in-memory
# channel (a real channel that can be told to fail), the agenda's due reminders.

CONFIG = """
timezone: Asia/Shanghai
reminders: {before: [0d], time: "09:00", overdue_every: never, channels: [command]}
channels:
  command: {argv: [/bin/true]}
loans:
  - id: a
    name: Loan A
    plan: {kind: once, due: 2027-03-10, amount: 100}
"""
AT_DUE = datetime(2027, 3, 10, 1, 0, 30, tzinfo=UTC)  # 09:00:30 in Shanghai: due reminder


def render(due: Due, name: str) -> Message:
    return Message(key=due.reminder.key, kind=due.kind, subject="due", body="due\n")


@pytest.fixture
def dues() -> list[Due]:
    found = Agenda(parse(CONFIG.encode(), Path("test.yaml"))).due(AT_DUE, {})
    assert [due.reminder.key for due in found] == ["a/1/due/2027-03-10T09:00:00+08:00"]
    return found


def test_deliverer_backs_off_after_a_failure_then_delivers_once(tmp_path, dues) -> None:
    channel = MemoryChannel()
    channel.fail_next(1)
    deliverer = Deliverer(tmp_path / "state", {"command": channel}, render)
    try:
        assert deliverer.submit(dues, datetime.now(UTC)) == 1
        assert deliverer.wait_idle(30)
        assert channel.attempts == 1 and channel.sent == []
        # Within the first 10 s wait, asking again and again queues nothing.
        assert deliverer.submit(dues, datetime.now(UTC)) == 0
        assert deliverer.submit(dues, datetime.now(UTC)) == 0
        assert channel.attempts == 1
        # After it (the deliverer is told the time; 11 s > 10 s), one retry, which succeeds.
        assert deliverer.submit(dues, datetime.now(UTC) + timedelta(seconds=11)) == 1
        assert deliverer.wait_idle(30)
        assert channel.attempts == 2 and len(channel.sent) == 1
        assert deliverer.failures() == {} and deliverer.next_retry() is None
        # Logged as sent: never again, however late.
        assert deliverer.submit(dues, datetime.now(UTC) + timedelta(days=1)) == 0
    finally:
        deliverer.close()


def test_deliverer_never_waits_more_than_ten_minutes_between_tries(tmp_path, dues) -> None:
    channel = MemoryChannel()
    channel.fail_next(9)
    deliverer = Deliverer(tmp_path / "state", {"command": channel}, render)
    # 10, 20, 40, 80, 160, 320 s, then 600 s (not 640, 1280, 2560) for the rest.
    expected = [10, 20, 40, 80, 160, 320, 600, 600, 600]
    try:
        later = datetime.now(UTC)
        for attempt, seconds in enumerate(expected, start=1):
            later += timedelta(days=1)  # a day on each time: whatever the wait, it has passed
            before = datetime.now(UTC)
            assert deliverer.submit(dues, later) == 1, attempt
            assert deliverer.wait_idle(30)
            after = datetime.now(UTC)
            retry = deliverer.next_retry()
            assert retry is not None
            # The deliverer stamps the failure between ``before`` and ``after``, so the wait
            # it chose is bracketed exactly, with no allowance for a slow machine.
            assert retry - after <= timedelta(seconds=seconds) <= retry - before, attempt
        assert channel.attempts == 9 and channel.sent == []
    finally:
        deliverer.close()


# ---- the delivery log's memory of the latest message: a clock set back must not bring an
# older kind of message after a newer one.

LEADS = """
timezone: Asia/Shanghai
reminders: {before: [1d, 0d], time: "09:00", overdue_every: 1d, channels: [command]}
channels:
  command: {argv: [/bin/true]}
loans:
  - id: a
    name: Loan A
    plan: {kind: once, due: 2027-03-10, amount: 100}
"""


def test_the_log_remembers_the_latest_message_and_an_older_kind_is_superseded(tmp_path) -> None:
    from reminderd import ledger
    from reminderd.delivery import logged, record

    agenda = Agenda(parse(LEADS.encode(), Path("test.yaml")))
    # Shanghai 09:00:30 on 03-09 (the 1-day lead), on 03-10 (due today), on 03-11 (overdue).
    ahead, due, late = (agenda.due(AT_DUE + timedelta(days=days), {}) for days in (-1, 0, 1))
    assert [d[0].kind for d in (ahead, due, late)] == ["ahead", "due", "overdue"]
    state = tmp_path / "state"
    for sent in (ahead[0], late[0]):  # the ahead one, then (the machine off on 03-10) overdue
        record(state, sent, "command", state="sent", error=None, attempts=1)
    conn = ledger.connect(state, create=False)
    assert conn is not None
    try:
        seen = logged(conn, "a", 1)
    finally:
        conn.close()
    # KIND_RANK: ahead 0, due 1, overdue 2; the latest is the overdue of 03-11 09:00 Shanghai.
    assert seen.latest == (2, late[0].reminder.at)
    assert seen.is_superseded(due[0])  # clock set back to 03-10: "due today" would contradict
    assert not seen.is_superseded(agenda.due(AT_DUE + timedelta(days=2), {})[0])  # next repeat


def test_next_retry_is_the_soonest_of_several_failures(tmp_path) -> None:
    # Two reminders failing at once on one channel: a's second failure waits 20 s, b's first
    # 10 s. The service wakes at the soonest (b's), not when the last of them is due.
    text = (
        CONFIG
        + "  - id: b\n    name: Loan B\n    plan: {kind: once, due: 2027-03-10, amount: 50}\n"
    )
    both = Agenda(parse(text.encode(), Path("test.yaml"))).due(AT_DUE, {})
    only_a = [due for due in both if due.loan.id == "a"]
    channel = MemoryChannel()
    channel.fail_next(3)
    deliverer = Deliverer(tmp_path / "state", {"command": channel}, render)
    try:
        assert deliverer.submit(only_a, datetime.now(UTC)) == 1  # a fails: waits 10 s
        assert deliverer.wait_idle(30)
        before = datetime.now(UTC)
        later = before + timedelta(days=1)  # a's wait has passed; b is new
        assert deliverer.submit(both, later) == 2  # a fails again (20 s), b fails (10 s)
        assert deliverer.wait_idle(30)
        after = datetime.now(UTC)
        assert set(deliverer.failures()) == {(due.reminder.key, "command") for due in both}
        retry = deliverer.next_retry()
        assert retry is not None
        assert before + timedelta(seconds=10) <= retry <= after + timedelta(seconds=10)
    finally:
        deliverer.close()
