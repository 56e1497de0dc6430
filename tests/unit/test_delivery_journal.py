"""What the deliverer writes to the service's journal (``journalctl --user -u reminderd``)
and to the delivery log, line by line: a send, a channel failure with its retry wait, a
channel's bug with its traceback, a delivery log that refuses "attempting" (nothing sent,
tried again sooner than a channel failure), and one that refuses the outcome (retried until
it is recorded, told the first time and every tenth). The waits are the ones worked out by
hand from the constants; no test waits longer than the first 0.2 s one.

Real parts: a real SQLite delivery log in tmp_path, refused by real SQLite triggers (a full
disk stand-in), the in-memory channel. The set-up comes from tests/unit/test_deliverer.py."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reminderd import ledger
from reminderd.agenda import Agenda, Due
from reminderd.channels import Message
from reminderd.channels.memory import MemoryChannel
from reminderd.config import parse
from reminderd.delivery import Deliverer, log_backoff
from tests.unit.test_deliverer import (
    AT_DUE,
    CONFIG,
    KEY_A,
    KEY_B,
    PATIENCE,
    BrokenChannel,
    GatedChannel,
    render,
    rows,
)

LOGGER = "reminderd.delivery"  # delivery.py: log = logging.getLogger(__name__)
LABEL = "a 1/1 (due) via command"  # loan id, installment 1 of 1, kind, channel
FULL = "database or disk is full"


@pytest.fixture
def dues() -> list[Due]:
    """Loans a and b, both due at AT_DUE (the same set-up as test_deliverer's fixture)."""
    found = Agenda(parse(CONFIG.encode(), Path("test.yaml"))).due(AT_DUE, {})
    assert sorted(due.reminder.key for due in found) == [KEY_A, KEY_B]
    return sorted(found, key=lambda due: due.loan.id)


@pytest.fixture
def journal(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger=LOGGER)
    return caplog


def lines(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    """(level, text) of each line the deliverer wrote, in order."""
    return [
        (record.levelname, record.getMessage())
        for record in caplog.records
        if record.name == LOGGER
    ]


def sql(state: Path, *statements: str) -> None:
    conn = ledger.connect(state, create=True)
    assert conn is not None
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


# A full disk, as SQLite reports it: every write to the delivery log refused...
REFUSE_ALL = (
    f"CREATE TRIGGER refuse_insert BEFORE INSERT ON deliveries "
    f"BEGIN SELECT RAISE(FAIL, '{FULL}'); END",
    f"CREATE TRIGGER refuse_update BEFORE UPDATE ON deliveries "
    f"BEGIN SELECT RAISE(FAIL, '{FULL}'); END",
)
# ... or only the outcome ("sent"/"failed"): "attempting" is written, the channel is asked.
REFUSE_OUTCOME = tuple(
    trigger.replace("ON deliveries ", "ON deliveries WHEN NEW.state <> 'attempting' ")
    for trigger in REFUSE_ALL
)
ALLOW = ("DROP TRIGGER refuse_insert", "DROP TRIGGER refuse_update")


class SteppedStop(threading.Event):
    """Stands in for the deliverer's stop signal, which is also what a log-write retry waits
    on: each wait is recorded (its timeout, in seconds) and ends only when the test calls
    :meth:`step`, or at once when the deliverer is closed. The product's code runs as it is;
    only the passing of time is the test's to decide, so a retry the 25th time needs no
    minutes of real waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[float | None] = []
        self._granted = 0
        self._turn = threading.Condition()

    def wait(self, timeout: float | None = None) -> bool:
        with self._turn:
            self.asked.append(timeout)
            self._turn.notify_all()
            self._turn.wait_for(lambda: self._granted > 0 or self.is_set(), PATIENCE)
            if self._granted > 0:
                self._granted -= 1
            return self.is_set()

    def set(self) -> None:
        super().set()
        with self._turn:
            self._turn.notify_all()

    def reached(self, count: int) -> bool:
        """Wait until the worker is in its ``count``-th wait."""
        with self._turn:
            return self._turn.wait_for(lambda: len(self.asked) >= count, PATIENCE)

    def step(self) -> None:
        with self._turn:
            self._granted += 1
            self._turn.notify_all()


def named(due: Due, name: str) -> Message:
    """A message that says which channel it was rendered for."""
    return Message(key=due.reminder.key, kind=due.kind, subject=f"for {name}", body="due\n")


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [
        (0, 0.2),  # no attempt yet counts as the first: 0.2 s × 2⁰
        (1, 0.2),  # LOG_RETRY_FIRST = 200 ms
        (2, 0.4),  # 0.2 × 2¹
        (3, 0.8),  # 0.2 × 2²
        (4, 1.6),  # 0.2 × 2³
        (5, 3.2),  # 0.2 × 2⁴
        (8, 25.6),  # 0.2 × 2⁷
        (9, 30.0),  # 0.2 × 2⁸ = 51.2 s, capped at LOG_RETRY_MAX = 30 s
        (10_000, 30.0),  # the exponent stops growing at 20; capped long before
    ],
)
def test_log_backoff_doubles_from_a_fifth_of_a_second_and_caps_at_thirty(
    attempts: int, seconds: float
) -> None:
    assert log_backoff(attempts) == timedelta(seconds=seconds)


def test_a_sent_reminder_is_told_once_and_rendered_for_its_channel(tmp_path, dues, journal) -> None:
    channel = MemoryChannel("command")
    deliverer = Deliverer(tmp_path / "state", {"command": channel}, named)
    try:
        assert deliverer.submit(dues[:1], datetime.now(UTC)) == 1
        assert deliverer.wait_idle(PATIENCE)
    finally:
        deliverer.close()
    assert [(m.key, m.subject) for m in channel.sent] == [(KEY_A, "for command")]
    assert lines(journal) == [("INFO", "sent a 1/1 (due) via command")]


def test_a_channel_failure_is_told_with_its_attempt_reason_and_wait(
    tmp_path, dues, journal
) -> None:
    channel = MemoryChannel("command")
    channel.fail_next(2, "server down")
    deliverer = Deliverer(tmp_path / "state", {"command": channel}, render)
    try:
        assert deliverer.submit(dues[:1], datetime.now(UTC)) == 1
        assert deliverer.wait_idle(PATIENCE)
        # The first wait is 10 s (RETRY_FIRST); a minute later it has passed.
        assert deliverer.submit(dues[:1], datetime.now(UTC) + timedelta(minutes=1)) == 1
        assert deliverer.wait_idle(PATIENCE)
    finally:
        deliverer.close()
    # A DeliveryError is an expected failure: no "unexpected error", no traceback.
    assert lines(journal) == [
        ("WARNING", f"{LABEL} failed (attempt 1): server down; retrying in 10s"),  # 10 × 2⁰
        ("WARNING", f"{LABEL} failed (attempt 2): server down; retrying in 20s"),  # 10 × 2¹
    ]
    assert all(record.exc_info is None for record in journal.records)
    assert rows(tmp_path / "state")[(KEY_A, "command")][:3] == ("failed", 2, "server down")


def test_a_channel_bug_is_told_with_its_traceback_then_retried(tmp_path, dues, journal) -> None:
    bug = RuntimeError("socket closed")
    deliverer = Deliverer(tmp_path / "state", {"command": BrokenChannel(bug)}, render)
    try:
        assert deliverer.submit(dues[:1], datetime.now(UTC)) == 1
        assert deliverer.wait_idle(PATIENCE)
    finally:
        deliverer.close()
    assert lines(journal) == [
        ("ERROR", f"unexpected error sending {LABEL}"),
        ("WARNING", f"{LABEL} failed (attempt 1): socket closed; retrying in 10s"),
    ]
    unexpected = journal.records[0]
    assert unexpected.exc_info is not None and unexpected.exc_info[1] is bug
    assert "RuntimeError: socket closed" in journal.text  # the traceback, in the journal


def test_a_refused_attempting_write_is_told_and_tried_again_sooner_each_time(
    tmp_path, dues, journal
) -> None:
    state = tmp_path / "state"
    channel = MemoryChannel("command")
    deliverer = Deliverer(state, {"command": channel}, render)
    sql(state, *REFUSE_ALL)
    try:
        before = datetime.now(UTC)
        assert deliverer.submit(dues[:1], before) == 1
        assert deliverer.wait_idle(PATIENCE)
        after = datetime.now(UTC)
        # Its first wait: log_backoff(1 + 2) = 0.2 s × 2² = 0.8 s, from when it was refused.
        retry = deliverer.next_retry()
        assert retry is not None
        assert before + timedelta(seconds=0.8) <= retry <= after + timedelta(seconds=0.8)
        assert deliverer.submit(dues[:1], after + timedelta(minutes=1)) == 1
        assert deliverer.wait_idle(PATIENCE)
    finally:
        deliverer.close()
    assert channel.attempts == 0
    refused = f"not sending {LABEL}: the delivery log cannot be written ({FULL}); trying again in"
    assert lines(journal) == [
        ("ERROR", f"{refused} 0.8s"),  # log_backoff(3) = 0.2 × 2²
        ("ERROR", f"{refused} 1.6s"),  # log_backoff(4) = 0.2 × 2³
    ]


def test_refused_log_writes_keep_the_channels_attempt_count_and_reset_after_a_send(
    tmp_path, dues, journal
) -> None:
    state = tmp_path / "state"
    channel = MemoryChannel("command")
    channel.fail_next(2, "server down")
    deliverer = Deliverer(state, {"command": channel}, render)
    later = datetime.now(UTC)

    def attempt() -> None:
        nonlocal later
        later += timedelta(days=1)  # whatever the wait was, it has passed
        assert deliverer.submit(dues[:1], later) == 1
        assert deliverer.wait_idle(PATIENCE)

    try:
        attempt()  # the channel fails: attempt 1
        sql(state, *REFUSE_ALL)
        attempt()  # refused: the channel is not asked
        attempt()  # refused again
        sql(state, *ALLOW)
        attempt()  # the channel's second attempt (the refusals counted none), fails
        sql(state, *REFUSE_ALL)
        attempt()  # refused: the first time since the channel was asked
        sql(state, *ALLOW)
        attempt()  # the third attempt, sent
    finally:
        deliverer.close()
    refused = f"not sending {LABEL}: the delivery log cannot be written ({FULL}); trying again in"
    assert lines(journal) == [
        ("WARNING", f"{LABEL} failed (attempt 1): server down; retrying in 10s"),
        ("ERROR", f"{refused} 0.8s"),  # 1st refusal in a row: log_backoff(3) = 0.2 × 2²
        ("ERROR", f"{refused} 1.6s"),  # 2nd in a row: log_backoff(4) = 0.2 × 2³
        ("WARNING", f"{LABEL} failed (attempt 2): server down; retrying in 20s"),  # 10 × 2¹
        ("ERROR", f"{refused} 0.8s"),  # a new 1st in a row: the count restarts
        ("INFO", f"sent {LABEL}"),
    ]
    assert channel.attempts == 3 and len(channel.sent) == 1
    assert rows(state)[(KEY_A, "command")][:2] == ("sent", 3)


def test_an_outcome_the_log_refused_is_written_again_after_a_real_wait(
    tmp_path, dues, journal
) -> None:
    state = tmp_path / "state"
    channel = MemoryChannel("command")
    deliverer = Deliverer(state, {"command": channel}, render)
    seen: list[tuple[str, float]] = []  # each line the worker wrote, and when (monotonic)

    class Allow(logging.Handler):
        """Runs in the worker as it tells of the refusal, before its wait: the log takes
        writes again from then on, so the next try (and only it) succeeds."""

        def emit(self, record: logging.LogRecord) -> None:
            seen.append((record.getMessage(), time.monotonic()))
            if len(seen) == 1:
                sql(state, *ALLOW)

    allow = Allow()
    logging.getLogger(LOGGER).addHandler(allow)
    sql(state, *REFUSE_OUTCOME)
    try:
        assert deliverer.submit(dues[:1], datetime.now(UTC)) == 1
        assert deliverer.wait_idle(PATIENCE)
    finally:
        logging.getLogger(LOGGER).removeHandler(allow)
        deliverer.close()
    # The second write came after the wait it announced (0.2 s), not at once.
    assert seen[1][0].startswith("recorded the delivery")
    assert seen[1][1] - seen[0][1] >= 0.2
    assert lines(journal) == [
        (
            "ERROR",
            f"could not record the delivery of {LABEL} (sent): {FULL}; retrying in 0.2s, "
            "nothing more goes out via command until it is recorded",
        ),
        ("INFO", f"recorded the delivery of {LABEL} after 1 retries"),
        ("INFO", f"sent {LABEL}"),
    ]
    assert rows(state)[(KEY_A, "command")][:2] == ("sent", 1)
    assert len(channel.sent) == 1


def test_an_outcome_refused_many_times_is_told_the_first_and_every_tenth_time(
    tmp_path, dues, journal
) -> None:
    state = tmp_path / "state"
    channel = MemoryChannel("command")
    channel.fail_next(1, "server down")
    deliverer = Deliverer(state, {"command": channel}, render)
    stop = SteppedStop()
    deliverer._closing = stop  # noqa: SLF001 - the test decides when each wait ends
    sql(state, *REFUSE_OUTCOME)
    try:
        assert deliverer.submit(dues[:1], datetime.now(UTC)) == 1
        told = []  # how many times the journal told of it, as the worker starts each wait
        for refused in range(1, 26):  # the 25th wait is the last: the log takes it then
            assert stop.reached(refused), refused
            told.append(sum(text.startswith("could not record") for _, text in lines(journal)))
            if refused == 25:
                sql(state, *ALLOW)
            stop.step()
        assert deliverer.wait_idle(PATIENCE)
    finally:
        deliverer.close()
    # Told at the 1st refusal, then at the 10th and the 20th: not at the 11th, 21st or 22nd.
    assert told == [1] * 9 + [2] * 10 + [3] * 6
    # The waits, log_backoff(1..25): 0.2 s doubling, 30 s from the 9th (0.2 × 2⁸ = 51.2).
    assert stop.asked == [0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6] + [30.0] * 17
    failed = f"could not record the delivery of {LABEL} (failed): {FULL}; retrying in"
    until = "nothing more goes out via command until it is recorded"
    assert lines(journal) == [
        ("ERROR", f"{failed} 0.2s, {until}"),  # the 1st refusal
        ("ERROR", f"{failed} 30.0s, {until}"),  # the 10th
        ("ERROR", f"{failed} 30.0s, {until}"),  # the 20th
        ("INFO", f"recorded the delivery of {LABEL} after 25 retries"),
        ("WARNING", f"{LABEL} failed (attempt 1): server down; retrying in 10s"),
    ]
    assert rows(state)[(KEY_A, "command")][:3] == ("failed", 1, "server down")


def test_close_ends_the_wait_of_an_outcome_the_log_refuses(tmp_path, dues, journal) -> None:
    # The log never takes the outcome: a stop ends the retries, leaving "attempting" (the
    # next start sends it once more), and the stop does not wait the retry out.
    state = tmp_path / "state"
    deliverer = Deliverer(state, {"command": MemoryChannel("command")}, render)
    stop = SteppedStop()
    deliverer._closing = stop  # noqa: SLF001 - a wait that only the stop can end
    sql(state, *REFUSE_OUTCOME)
    assert deliverer.submit(dues[:1], datetime.now(UTC)) == 1
    assert stop.reached(1)
    assert deliverer.close(wait=PATIENCE) == []
    assert stop.asked == [0.2]
    assert rows(state)[(KEY_A, "command")][0] == "attempting"


# ---- which pairs a submit queues, and the channels a reload keeps, swaps or drops.

MIXED = """
timezone: Asia/Shanghai
reminders: {before: [0d], time: "09:00", overdue_every: never, channels: [command]}
channels:
  command: {argv: [/bin/true]}
  desktop: {backend: plyer}
loans:
  - id: a
    name: Loan A
    reminders: {channels: [desktop]}
    plan: {kind: once, due: 2027-03-10, amount: 100}
  - id: b
    name: Loan B
    plan: {kind: once, due: 2027-03-10, amount: 50}
"""
THREE = (
    CONFIG + "  - id: c\n    name: Loan C\n    plan: {kind: once, due: 2027-03-10, amount: 20}\n"
)
KEY_C = "c/1/due/2027-03-10T09:00:00+08:00"


def due_of(text: str) -> list[Due]:
    found = Agenda(parse(text.encode(), Path("test.yaml"))).due(AT_DUE, {})
    return sorted(found, key=lambda due: due.loan.id)


def log_sent(state: Path, key: str, channel: str, kind: str) -> None:
    """A row of the delivery log saying ``key`` (loan/number/kind/instant) was sent."""
    loan_id, number, _, fire_at = key.split("/", 3)
    conn = ledger.connect(state, create=True)
    assert conn is not None
    try:
        conn.execute(
            "INSERT INTO deliveries (reminder_key, channel, loan_id, number, kind, fire_at, "
            "state, attempts, last_error, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'sent', 1, "
            "NULL, '2027-03-20T01:00:00+00:00')",
            (key, channel, loan_id, int(number), kind, fire_at),
        )
    finally:
        conn.close()


def test_a_loan_without_the_deliverers_channels_does_not_stop_the_next_one(tmp_path) -> None:
    # Loan a goes to the desktop only, which this deliverer does not have; b to the command.
    channel = MemoryChannel("command")
    deliverer = Deliverer(tmp_path / "state", {"command": channel}, render)
    try:
        assert deliverer.submit(due_of(MIXED), datetime.now(UTC)) == 1
        assert deliverer.wait_idle(PATIENCE)
    finally:
        deliverer.close()
    assert [m.key for m in channel.sent] == [KEY_B]


def test_a_reminder_superseded_by_a_later_one_is_not_sent_and_says_so(
    tmp_path, dues, caplog
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    state = tmp_path / "state"
    # The overdue message of 03-11 already went out on both channels (the clock set back).
    for name in ("command", "desktop"):
        log_sent(state, "a/1/overdue/2027-03-11T09:00:00+08:00", name, "overdue")
    channels = {"command": MemoryChannel("command"), "desktop": MemoryChannel("desktop")}
    deliverer = Deliverer(state, channels, render)
    try:
        assert deliverer.submit(dues[:1], datetime.now(UTC)) == 0
    finally:
        deliverer.close()
    assert lines(caplog) == [
        ("DEBUG", f"not sending {KEY_A} via command: a later reminder was already sent"),
        ("DEBUG", f"not sending {KEY_A} via desktop: a later reminder was already sent"),
    ]


def test_other_installments_in_the_log_do_not_supersede_this_one(tmp_path, dues) -> None:
    # Installments 2 and 10 of loan a sent later messages: installment 1's keys start with
    # "a/1/", a range of its own ("a/10/" and "a/2/" are outside it).
    state = tmp_path / "state"
    log_sent(state, "a/2/overdue/2027-04-11T09:00:00+08:00", "command", "overdue")
    log_sent(state, "a/10/overdue/2028-01-11T09:00:00+08:00", "command", "overdue")
    channel = MemoryChannel("command")
    deliverer = Deliverer(state, {"command": channel}, render)
    try:
        assert deliverer.submit(dues[:1], datetime.now(UTC)) == 1
        assert deliverer.wait_idle(PATIENCE)
    finally:
        deliverer.close()
    assert [m.key for m in channel.sent] == [KEY_A]


def test_the_log_stamps_each_write_in_utc(tmp_path, dues) -> None:
    deliverer = Deliverer(tmp_path / "state", {"command": MemoryChannel("command")}, render)
    try:
        assert deliverer.submit(dues[:1], datetime.now(UTC)) == 1
        assert deliverer.wait_idle(PATIENCE)
    finally:
        deliverer.close()
    conn = ledger.connect(tmp_path / "state", create=False)
    assert conn is not None
    try:
        [(stamp,)] = conn.execute("SELECT updated_at FROM deliveries").fetchall()
    finally:
        conn.close()
    assert stamp.endswith("+00:00")  # an aware UTC instant, as the case file reads it


def test_a_retry_is_queued_at_the_very_instant_its_wait_ends(tmp_path, dues) -> None:
    channel = MemoryChannel("command")
    channel.fail_next(1)
    deliverer = Deliverer(tmp_path / "state", {"command": channel}, render)
    try:
        assert deliverer.submit(dues[:1], datetime.now(UTC)) == 1
        assert deliverer.wait_idle(PATIENCE)
        retry = deliverer.next_retry()
        assert retry is not None
        assert deliverer.submit(dues[:1], retry) == 1  # the service wakes exactly then
        assert deliverer.wait_idle(PATIENCE)
    finally:
        deliverer.close()
    assert [m.key for m in channel.sent] == [KEY_A]


def test_a_pair_in_flight_does_not_hold_back_the_same_reminder_on_another_channel(
    tmp_path, dues
) -> None:
    gated, desktop = GatedChannel("command"), MemoryChannel("desktop")
    deliverer = Deliverer(tmp_path / "state", {"command": gated}, render)
    try:
        assert deliverer.submit(dues[:1], datetime.now(UTC)) == 1
        assert gated.sending.wait(PATIENCE)
        deliverer.update_channels({"command": gated, "desktop": desktop})  # desktop added
        assert deliverer.submit(dues[:1], datetime.now(UTC)) == 1  # (a, desktop) only
        gated.gate.set()
        assert deliverer.wait_idle(PATIENCE)
    finally:
        gated.gate.set()
        deliverer.close()
    assert [m.key for m in desktop.sent] == [KEY_A]


def test_a_reminder_no_longer_due_starts_its_refused_writes_count_afresh(
    tmp_path, dues, journal
) -> None:
    state = tmp_path / "state"
    deliverer = Deliverer(state, {"command": MemoryChannel("command")}, render)
    sql(state, *REFUSE_ALL)
    later = datetime.now(UTC)
    try:
        for wanted in (dues[:1], dues[1:], dues[:1]):  # a, then b only (a paid), a again
            later += timedelta(days=1)
            assert deliverer.submit(wanted, later) == 1
            assert deliverer.wait_idle(PATIENCE)
    finally:
        deliverer.close()
    refused = "the delivery log cannot be written (database or disk is full); trying again in"
    assert lines(journal) == [
        ("ERROR", f"not sending {LABEL}: {refused} 0.8s"),  # log_backoff(1 + 2) = 0.2 × 2²
        ("ERROR", f"not sending b 1/1 (due) via command: {refused} 0.8s"),
        ("ERROR", f"not sending {LABEL}: {refused} 0.8s"),  # a's count forgotten with it
    ]


def test_a_reload_closes_the_swapped_out_channel_and_keeps_the_kept_one_open(
    tmp_path,
) -> None:
    kept, old, new = MemoryChannel("command"), MemoryChannel("desktop"), MemoryChannel("desktop")
    deliverer = Deliverer(tmp_path / "state", {"command": kept, "desktop": old}, render)
    try:
        deliverer.update_channels({"command": kept, "desktop": new})
        assert old.closed and not kept.closed and not new.closed
    finally:
        deliverer.close()


def test_a_channel_removed_and_added_back_during_a_send_gets_its_dropped_items_again(
    tmp_path,
) -> None:
    # a is being sent; b and c wait behind it. A reload removes the channel (its queued items
    # are dropped) and the next adds it back as a new object: the old worker sends nothing
    # through it, and b and c are free to be submitted again.
    dues = due_of(THREE)
    gated, new = GatedChannel("command"), MemoryChannel("command")
    deliverer = Deliverer(tmp_path / "state", {"command": gated}, render)
    try:
        assert deliverer.submit(dues, datetime.now(UTC)) == 3
        assert gated.sending.wait(PATIENCE)
        deliverer.update_channels({})
        deliverer.update_channels({"command": new})
        gated.gate.set()
        assert deliverer.wait_idle(PATIENCE)
        assert [m.key for m in gated.sent] == [KEY_A] and new.sent == []
        assert deliverer.submit(dues, datetime.now(UTC)) == 2
        assert deliverer.wait_idle(PATIENCE)
    finally:
        gated.gate.set()
        deliverer.close()
    assert [m.key for m in new.sent] == [KEY_B, KEY_C]


class FaultyClose(MemoryChannel):
    def __init__(self, error: Exception) -> None:
        super().__init__("command")
        self.error = error

    def close(self) -> None:
        raise self.error


def test_a_channel_that_fails_to_close_is_told_and_the_others_still_close(
    tmp_path, journal
) -> None:
    bug = OSError("socket already gone")
    other = MemoryChannel("desktop")
    deliverer = Deliverer(
        tmp_path / "state", {"command": FaultyClose(bug), "desktop": other}, render
    )
    assert deliverer.close() == []
    assert other.closed
    assert lines(journal) == [("ERROR", "closing a channel failed")]
    assert journal.records[0].exc_info is not None and journal.records[0].exc_info[1] is bug


HANGS = """
import sys, threading
from datetime import UTC, datetime
from pathlib import Path
from reminderd.channels.memory import MemoryChannel
from reminderd.delivery import Deliverer
from tests.unit.test_delivery_journal import due_of
from tests.unit.test_deliverer import CONFIG, render

class Hung(MemoryChannel):
    def send(self, message):
        self.started.set()
        threading.Event().wait()  # a server that never answers

channel = Hung("command")
channel.started = threading.Event()
deliverer = Deliverer(Path(sys.argv[1]), {"command": channel}, render)
deliverer.submit(due_of(CONFIG)[:1], datetime.now(UTC))
assert channel.started.wait(30)
print(deliverer.close(wait=0.1))
"""


def test_a_stop_does_not_hang_on_a_channel_that_never_answers(tmp_path) -> None:
    # The service stops after close() names the channel still sending; the process must
    # exit (the worker does not keep it alive), not hang until killed.
    import reminderd

    root = Path(reminderd.__file__).resolve().parent.parent
    done = subprocess.run(  # noqa: S603 - this interpreter, a script of this file
        [sys.executable, "-c", HANGS, str(tmp_path / "state")],
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "['command']\n"), done.stderr
