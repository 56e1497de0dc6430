"""The deliverer's promises, one at a time, with a real SQLite delivery log and real channel
objects: a reminder goes once per channel, a failure is retried on the channel that failed
and nowhere else, a settled reminder stops being retried, a reload's new channel object takes
the queued items and the old one is closed only when its send is done, and a stop never
closes a channel under a send.

The service's own tests (tests/e2e) show the same through the installed command; these pin
each rule so that a slip in one is named by the test that fails."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reminderd import ledger
from reminderd.agenda import Agenda, Due
from reminderd.channels import Message
from reminderd.channels.memory import MemoryChannel
from reminderd.config import parse
from reminderd.delivery import Deliverer, record

CONFIG = """
timezone: Asia/Shanghai
reminders: {before: [0d], time: "09:00", overdue_every: never, channels: [command, desktop]}
channels:
  command: {argv: [/bin/true]}
  desktop: {backend: plyer}
loans:
  - id: a
    name: Loan A
    plan: {kind: once, due: 2027-03-10, amount: 100}
  - id: b
    name: Loan B
    plan: {kind: once, due: 2027-03-10, amount: 50}
"""
AT_DUE = datetime(2027, 3, 10, 1, 0, 30, tzinfo=UTC)  # 09:00:30 in Shanghai: both due today
KEY_A = "a/1/due/2027-03-10T09:00:00+08:00"
KEY_B = "b/1/due/2027-03-10T09:00:00+08:00"
PATIENCE = 30.0  # seconds a worker may take under load; waits end as soon as it is done


def render(due: Due, name: str) -> Message:
    return Message(key=due.reminder.key, kind=due.kind, subject=due.loan.id, body="due\n")


@pytest.fixture
def dues() -> list[Due]:
    found = Agenda(parse(CONFIG.encode(), Path("test.yaml"))).due(AT_DUE, {})
    assert sorted(due.reminder.key for due in found) == [KEY_A, KEY_B]
    return sorted(found, key=lambda due: due.loan.id)


def rows(state: Path) -> dict[tuple[str, str], tuple[str, int, str | None, str]]:
    """(reminder key, channel) -> (state, attempts, last error, kind) from the delivery log."""
    conn = ledger.connect(state, create=False)
    assert conn is not None
    try:
        found = conn.execute(
            "SELECT reminder_key, channel, state, attempts, last_error, kind FROM deliveries"
        ).fetchall()
    finally:
        conn.close()
    return {
        (key, channel): (s, attempts, error, kind)
        for key, channel, s, attempts, error, kind in found
    }


def closes(channel: MemoryChannel) -> bool:
    """Wait until ``channel`` is closed (a worker closes a swapped-out channel just after it
    reports the send done); False if it never is."""
    done = threading.Event()
    for _ in range(int(PATIENCE / 0.01)):
        if channel.closed:
            return True
        done.wait(0.01)
    return channel.closed


class GatedChannel(MemoryChannel):
    """A memory channel whose sends wait for :attr:`gate`: a slow server, held as long as a
    test needs. :attr:`sending` is set while a send waits."""

    def __init__(self, name: str = "gated") -> None:
        super().__init__(name)
        self.gate = threading.Event()
        self.sending = threading.Event()

    def send(self, message: Message) -> None:
        self.sending.set()
        assert self.gate.wait(PATIENCE), "the test never opened the gate"
        super().send(message)


class BrokenChannel(MemoryChannel):
    """A channel with a bug: it raises something that is not a DeliveryError."""

    def __init__(self, error: Exception) -> None:
        super().__init__("broken")
        self.error = error

    def send(self, message: Message) -> None:
        self.attempts += 1
        raise self.error


def test_a_reminder_failed_on_one_channel_is_retried_there_only(tmp_path, dues) -> None:
    command, desktop = MemoryChannel("command"), MemoryChannel("desktop")
    desktop.fail_next(1, "server down")
    deliverer = Deliverer(tmp_path / "state", {"command": command, "desktop": desktop}, render)
    try:
        # 2 loans x 2 channels = 4 pairs; the desktop's first send (loan a) fails.
        assert deliverer.submit(dues, datetime.now(UTC)) == 4
        assert deliverer.wait_idle(PATIENCE)
        assert sorted(m.key for m in command.sent) == [KEY_A, KEY_B]
        assert len(desktop.sent) == 1 and desktop.attempts == 2
        failed = KEY_B if desktop.sent[0].key == KEY_A else KEY_A
        assert deliverer.failures() == {(failed, "desktop"): "server down"}
        assert rows(tmp_path / "state")[(failed, "desktop")] == ("failed", 1, "server down", "due")
        # 11 s later (the first wait is 10 s): only that pair goes again, as attempt 2.
        assert deliverer.submit(dues, datetime.now(UTC) + timedelta(seconds=11)) == 1
        assert deliverer.wait_idle(PATIENCE)
        assert sorted(m.key for m in desktop.sent) == [KEY_A, KEY_B]
        assert len(command.sent) == 2  # the channel that had it sent it once, never again
        assert rows(tmp_path / "state")[(failed, "desktop")] == ("sent", 2, None, "due")
        assert deliverer.failures() == {} and deliverer.next_retry() is None
        # What `run --once` reports: every attempt, in order per pair.
        outcomes = [o for o in deliverer.outcomes if o[:2] == (failed, "desktop")]
        assert outcomes == [
            (failed, "desktop", False, "server down"),
            (failed, "desktop", True, None),
        ]
    finally:
        deliverer.close()


def test_a_reminder_no_longer_due_is_not_retried(tmp_path, dues) -> None:
    # Loan a's reminder fails, then a is paid: the agenda stops listing it. Its retry is
    # forgotten (the service must not wake for it), and if it came back it starts afresh.
    channel = MemoryChannel("command")
    channel.fail_next(1)
    only_command = {"command": channel}
    deliverer = Deliverer(tmp_path / "state", only_command, render)
    try:
        assert deliverer.submit(dues[:1], datetime.now(UTC)) == 1
        assert deliverer.wait_idle(PATIENCE)
        assert deliverer.next_retry() is not None
        assert deliverer.submit(dues[1:], datetime.now(UTC)) == 1  # only b is due now
        assert deliverer.wait_idle(PATIENCE)
        assert deliverer.failures() == {} and deliverer.next_retry() is None
        # Listed again at once (no back-off kept for it): queued, counted as attempt 1 again.
        assert deliverer.submit(dues[:1], datetime.now(UTC)) == 1
        assert deliverer.wait_idle(PATIENCE)
        assert rows(tmp_path / "state")[(KEY_A, "command")][:2] == ("sent", 1)
    finally:
        deliverer.close()


def test_a_sent_row_is_never_turned_back(tmp_path, dues) -> None:
    # A late "failed" for a pair already logged sent (a timeout after the server took it,
    # written by a slower path) must not make it look unsent: it would go out again.
    state = tmp_path / "state"
    record(state, dues[0], "command", state="sent", error=None, attempts=1)
    record(state, dues[0], "command", state="failed", error="timed out", attempts=2)
    assert rows(state)[(KEY_A, "command")] == ("sent", 2, "timed out", "due")
    deliverer = Deliverer(state, {"command": MemoryChannel("command")}, render)
    try:
        assert deliverer.submit(dues[:1], datetime.now(UTC)) == 0
    finally:
        deliverer.close()


@pytest.mark.parametrize(
    ("error", "reason"),
    [(RuntimeError("socket closed"), "socket closed"), (KeyError(), "KeyError")],
)
def test_a_channel_bug_is_retried_like_a_failure_and_named(
    tmp_path, dues, error: Exception, reason: str
) -> None:
    channel = BrokenChannel(error)
    deliverer = Deliverer(tmp_path / "state", {"command": channel}, render)
    try:
        assert deliverer.submit(dues[:1], datetime.now(UTC)) == 1
        assert deliverer.wait_idle(PATIENCE)
        assert deliverer.failures() == {(KEY_A, "command"): reason}
        assert rows(tmp_path / "state")[(KEY_A, "command")][:3] == ("failed", 1, reason)
        assert deliverer.submit(dues[:1], datetime.now(UTC) + timedelta(seconds=11)) == 1
        assert deliverer.wait_idle(PATIENCE)
        assert channel.attempts == 2
    finally:
        deliverer.close()


def test_a_reload_sends_queued_items_through_the_new_channel_and_closes_the_old_after(
    tmp_path, dues
) -> None:
    old, new = GatedChannel("command"), MemoryChannel("command")
    deliverer = Deliverer(tmp_path / "state", {"command": old}, render)
    try:
        assert deliverer.submit(dues, datetime.now(UTC)) == 2  # a is sent first, b waits
        assert old.sending.wait(PATIENCE)
        deliverer.update_channels({"command": new})  # a reload while a is being sent
        assert not old.closed  # never closed under a send
        assert deliverer.in_flight() == {(KEY_A, "command"), (KEY_B, "command")}
        old.gate.set()
        assert deliverer.wait_idle(PATIENCE)
        assert [m.key for m in old.sent] == [KEY_A]  # the send in hand finished on the old
        assert [m.key for m in new.sent] == [KEY_B]  # the queued one went through the new
        assert closes(old) and not new.closed  # the old one, once its send was done
    finally:
        old.gate.set()
        deliverer.close()
    assert new.closed


def test_a_reload_that_removes_a_channel_drops_its_queued_items(tmp_path, dues) -> None:
    gated, desktop = GatedChannel("command"), MemoryChannel("desktop")
    deliverer = Deliverer(tmp_path / "state", {"command": gated, "desktop": desktop}, render)
    try:
        assert deliverer.submit(dues, datetime.now(UTC)) == 4
        assert gated.sending.wait(PATIENCE)
        deliverer.update_channels({"desktop": desktop})
        assert not gated.closed
        gated.gate.set()
        assert deliverer.wait_idle(PATIENCE)  # the dropped item is no longer pending
        assert len(gated.sent) == 1  # the one in hand; the queued one was dropped
        assert sorted(m.key for m in desktop.sent) == [KEY_A, KEY_B]
        assert closes(gated) and not desktop.closed
        assert deliverer.in_flight() == set()
        assert set(deliverer.channels) == {"desktop"}
    finally:
        gated.gate.set()
        deliverer.close()


def test_close_without_waiting_closes_idle_channels_and_names_none(tmp_path, dues) -> None:
    # `run --once` that gave up waiting closes with no wait: a worker with nothing in hand is
    # not "still sending", and its channel is closed (an SMTP connection says QUIT).
    command, desktop = MemoryChannel("command"), MemoryChannel("desktop")
    deliverer = Deliverer(tmp_path / "state", {"command": command, "desktop": desktop}, render)
    assert deliverer.submit(dues, datetime.now(UTC)) == 4
    assert deliverer.wait_idle(PATIENCE)
    assert deliverer.close() == []
    assert command.closed and desktop.closed


def test_close_names_a_channel_still_sending_and_leaves_it_open(tmp_path, dues) -> None:
    stuck, idle = GatedChannel("command"), MemoryChannel("desktop")
    deliverer = Deliverer(tmp_path / "state", {"command": stuck, "desktop": idle}, render)
    try:
        deliverer.submit(dues[:1], datetime.now(UTC))
        assert stuck.sending.wait(PATIENCE)
        assert deliverer.wait_idle(0.05) is False  # the stuck send is still pending
        assert deliverer.close(wait=0.3) == ["command"]
        assert idle.closed and not stuck.closed
        # The stuck pair stays "attempting" in the log: the next start sends it once more.
        assert rows(tmp_path / "state")[(KEY_A, "command")][0] == "attempting"
    finally:
        stuck.gate.set()


def test_close_waits_for_the_send_in_hand(tmp_path, dues) -> None:
    slow = GatedChannel("command")
    deliverer = Deliverer(tmp_path / "state", {"command": slow}, render)
    deliverer.submit(dues, datetime.now(UTC))  # a is sent, b queued behind it
    assert slow.sending.wait(PATIENCE)
    threading.Timer(0.2, slow.gate.set).start()
    assert deliverer.close(wait=PATIENCE) == []
    # The send in hand finished and was logged; the queued one was not started (a stop).
    assert [m.key for m in slow.sent] == [KEY_A] and slow.closed
    logged = rows(tmp_path / "state")
    assert logged[(KEY_A, "command")][0] == "sent"
    assert (KEY_B, "command") not in logged


def test_a_delivery_log_that_refuses_a_write_sends_nothing_and_counts_no_attempt(
    tmp_path, dues
) -> None:
    # The log refuses "attempting" (a real SQLite trigger stands in for a full disk): the
    # channel is never asked, and when the log takes writes again the reminder goes as the
    # channel's first attempt (a refused log write is not a channel failure: no longer
    # back-off, no inflated count in the log).
    state = tmp_path / "state"
    channel = MemoryChannel("command")
    deliverer = Deliverer(state, {"command": channel}, render)
    conn = ledger.connect(state, create=True)
    assert conn is not None
    try:
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON deliveries "
            "BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END"
        )
        assert deliverer.submit(dues[:1], datetime.now(UTC)) == 1
        assert deliverer.wait_idle(PATIENCE)
        assert channel.attempts == 0
        assert deliverer.failures() == {(KEY_A, "command"): "log: database or disk is full"}
        conn.execute("DROP TRIGGER refuse")
    finally:
        conn.close()
    try:
        # Its short wait (under a second, then growing to 30 s) has passed a minute later.
        assert deliverer.submit(dues[:1], datetime.now(UTC) + timedelta(minutes=1)) == 1
        assert deliverer.wait_idle(PATIENCE)
        assert channel.attempts == 1 and len(channel.sent) == 1
        assert rows(state)[(KEY_A, "command")][:2] == ("sent", 1)
    finally:
        deliverer.close()


GROUPED = """
timezone: Asia/Shanghai
reminders: {before: [0d], time: "09:00", overdue_every: 1d, channels: [command]}
channels:
  command: {argv: [/bin/true]}
loans:
  - id: g
    name: Loan G
    plan:
      kind: list
      installments:
        - {due: "2027-03-01 08:00", amount: 100}
        - {due: 2027-03-05, amount: 100}
"""


def test_a_grouped_message_is_logged_under_each_installments_own_reminder(tmp_path) -> None:
    # On 03-07 09:00:30 Shanghai, #1 (due at 08:00) is 6 days late, its latest repeat 03-07
    # 08:00; #2 (due at the reminders' 09:00) 2 days, its latest 03-07 09:00: one message.
    # Each installment's row keeps its own reminder's key and instant, so its later
    # repeats are measured against its own history.
    now = datetime(2027, 3, 7, 1, 0, 30, tzinfo=UTC)
    [due] = Agenda(parse(GROUPED.encode(), Path("test.yaml"))).due(now, {})
    assert len(due.members) == 2
    state = tmp_path / "state"
    record(state, due, "command", state="sent", error=None, attempts=1)
    conn = ledger.connect(state, create=False)
    assert conn is not None
    try:
        logged = conn.execute(
            "SELECT reminder_key, number, fire_at FROM deliveries ORDER BY number"
        ).fetchall()
    finally:
        conn.close()
    assert [(number, key.split("/")[1]) for key, number, _ in logged] == [(1, "1"), (2, "2")]
    for key, _number, fire_at in logged:
        # The key ends with the reminder's own instant: the row's instant is that one.
        assert fire_at == key.split("/", 3)[3], (key, fire_at)
    assert [row[2] for row in logged] == ["2027-03-07T08:00:00+08:00", "2027-03-07T09:00:00+08:00"]
