"""Delivery integrity of the installed ``reminderd run`` (issue 11): reloads while a reminder
is queued or in flight, a manager that never reads ``NOTIFY_SOCKET``, the desktop buttons,
a kill between "attempting" and "sent".

Each test uses a ``command`` channel program that appends ``start KEY KIND`` before its work
and ``done KEY KIND`` after, so a duplicate is a second line, and a *sentinel* reminder due
after everything else on the same channel: the channel's worker is first-in first-out, so
once the sentinel is done, anything that could still be sent twice has had its chance. No
verdict waits on a bare sleep.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import stat
import subprocess
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.support import smtp
from tests.support.dbus import NotificationServer, dbus_daemon_available, session_bus
from tests.support.service import (
    PATIENCE,
    ServiceProcess,
    reminderd_command,
    seconds_ahead,
    stamp,
    wait_for,
)

DEADLINE = 40.0  # generous: a loaded 2-core machine runs seven suites at once


class Recorder:
    """A ``command`` channel program and the file it writes. ``first_run`` is shell run by
    the program's first run only, before its work (a slow or hung send); later runs are
    quick."""

    def __init__(self, directory: Path, *, sleep: float = 0.0, first_run: str = ":") -> None:
        self.path = directory / "delivered.txt"
        self.script = directory / "record-key"
        ran = directory / "record-key.ran"
        self.script.write_text(
            "#!/bin/sh\n"
            f'echo "start $REMINDERD_KEY $REMINDERD_KIND" >> {self.path}\n'
            f"if [ ! -e {ran} ]; then touch {ran}; {first_run}; fi\n"
            f"sleep {sleep}\n"
            f'echo "done $REMINDERD_KEY $REMINDERD_KIND" >> {self.path}\n'
        )
        self.script.chmod(self.script.stat().st_mode | stat.S_IXUSR)

    def lines(self, word: str) -> list[str]:
        if not self.path.exists():
            return []
        return [
            line.split()[1] for line in self.path.read_text().splitlines() if line.startswith(word)
        ]

    def loans(self, word: str = "start") -> Counter[str]:
        return Counter(key.split("/")[0] for key in self.lines(word))

    def kinds(self, loan_id: str) -> list[str]:
        if not self.path.exists():
            return []
        return [
            line.split()[2]
            for line in self.path.read_text().splitlines()
            if line.startswith("done ") and line.split()[1].startswith(f"{loan_id}/")
        ]


def once(loan_id: str, due: datetime, amount: str = "100") -> str:
    return (
        f"  - id: {loan_id}\n    name: Loan {loan_id}\n"
        f'    plan: {{kind: once, due: "{stamp(due)}", amount: {amount}}}\n'
    )


def write_config(
    path: Path,
    loans: str,
    *,
    channels: str,
    locale: str = "en",
    overdue: str = "never",
    before: str = "[0s]",
) -> None:
    text = (
        "timezone: UTC\n"
        f"locale: {locale}\n"
        f"reminders: {{before: {before}, overdue_every: {overdue}}}\n"
        f"channels:\n{channels}\n"
        f"calendar: {{path: {path.parent / 'r.ics'}}}\n"
        f"loans:\n{loans}"
    )
    temporary = path.with_suffix(".tmp")  # as editors save: a new file renamed over the old
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def command_channel(recorder: Recorder, timeout: str = "30s") -> str:
    return f"  command: {{argv: [{recorder.script}], timeout: {timeout}}}"


def delivery_log(state: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(state / "reminderd.sqlite3") as conn:
        return conn.execute(
            "SELECT reminder_key, channel, state FROM deliveries ORDER BY 1, 2"
        ).fetchall()


def start(tmp_path: Path, services: list, env: dict | None = None, **options) -> ServiceProcess:
    service = ServiceProcess(
        tmp_path / "config.yaml", tmp_path / "state", {"HOME": str(tmp_path), **(env or {})}
    )
    services.append(service)
    service.start(**options)
    return service


def test_reload_while_one_is_sent_and_two_are_queued_sends_each_once(tmp_path, services) -> None:
    # Issue 11.1: a `timeout` edit, then a `locale` edit, while the first reminder's program
    # runs (2 s) and two more wait in the channel's queue. Before the fix each reload built
    # new workers that sent the in-flight and queued ones again.
    recorder = Recorder(tmp_path, sleep=2)
    config = tmp_path / "config.yaml"
    due = seconds_ahead(3)
    sentinel = due + timedelta(seconds=3)
    loans = once("a1", due) + once("a2", due) + once("a3", due) + once("zz", sentinel)
    write_config(config, loans, channels=command_channel(recorder, "30s"))
    service = start(tmp_path, services)
    assert wait_for(lambda: recorder.lines("start"), DEADLINE), service.log()
    write_config(config, loans, channels=command_channel(recorder, "45s"))
    assert wait_for(lambda: service.log().count("config reloaded") >= 1, DEADLINE), service.log()
    write_config(config, loans, channels=command_channel(recorder, "45s"), locale="zh_CN")
    assert wait_for(lambda: service.log().count("config reloaded") >= 2, DEADLINE), service.log()
    assert wait_for(lambda: recorder.loans("done")["zz"] == 1, DEADLINE), service.log()
    assert recorder.loans("start") == {"a1": 1, "a2": 1, "a3": 1, "zz": 1}, recorder.lines("start")
    # The program's "done" line comes before the service records "sent": wait for the log.
    log = tmp_path / "state"
    assert wait_for(lambda: {row[2] for row in delivery_log(log)} == {"sent"}, DEADLINE), (
        delivery_log(log)
    )
    assert len(delivery_log(log)) == 4
    assert service.stop() == 0


def test_reload_storm_over_forty_due_at_once_sends_each_once(tmp_path, services) -> None:
    # Issue 11.1: 40 due in the same second and five channel edits 0.3 s apart while they go.
    recorder = Recorder(tmp_path, sleep=0.05)
    config = tmp_path / "config.yaml"
    due = seconds_ahead(3)
    loans = "".join(once(f"r{index:02d}", due) for index in range(40))
    loans += once("zz", due + timedelta(seconds=4))
    write_config(config, loans, channels=command_channel(recorder, "30s"))
    service = start(tmp_path, services)
    assert wait_for(lambda: recorder.lines("start"), DEADLINE), service.log()
    for edit in range(5):
        write_config(config, loans, channels=command_channel(recorder, f"{31 + edit}s"))
        wait_for(lambda edit=edit: service.log().count("config reloaded") > edit, 5, 0.05)
    assert wait_for(lambda: recorder.loans("done")["zz"] == 1, DEADLINE), service.log()
    counts = recorder.loans("start")
    assert len(counts) == 41 and set(counts.values()) == {1}, counts
    assert service.stop() == 0


def test_unread_notify_socket_never_stops_the_reminders(tmp_path, services) -> None:
    # Issue 11.10: a manager that never reads NOTIFY_SOCKET. Its queue (the kernel's
    # net.unix.max_dgram_qlen, 10 here, and a small receive buffer) fills after a few
    # STATUS= lines; a blocking send would then stop the scheduler's only worker for good.
    recorder = Recorder(tmp_path)
    config = tmp_path / "config.yaml"
    first = seconds_ahead(3)
    loans = "".join(once(f"s{index:02d}", first + timedelta(seconds=index)) for index in range(15))
    write_config(config, loans, channels=command_channel(recorder, "10s"))
    unread = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    unread.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    address = tmp_path / "unread.sock"
    unread.bind(str(address))
    try:
        service = start(tmp_path, services, wait_ready=False, notify_socket=str(address))
        assert wait_for(lambda: len(recorder.loans("done")) == 15, DEADLINE), service.log()
        assert service.alive()
        assert service.stop() == 0
    finally:
        unread.close()


def test_kill_9_while_sending_leaves_attempting_and_the_next_start_sends_it_once_more(
    tmp_path, services
) -> None:
    # The documented window: "attempting" is written before the channel gets the message,
    # "sent" after; a kill in between is sent once more at the next start, and no more.
    # The first run of the program takes 20 s (the kill lands well inside it, however loaded
    # the machine); the later ones are quick.
    recorder = Recorder(tmp_path, first_run="sleep 20")
    config = tmp_path / "config.yaml"
    write_config(config, once("k1", seconds_ahead(2)), channels=command_channel(recorder))
    first = start(tmp_path, services)
    assert wait_for(lambda: recorder.lines("start"), DEADLINE), first.log()
    first.kill()
    [(key, channel, state)] = delivery_log(tmp_path / "state")
    assert (channel, state) == ("command", "attempting")
    second = start(tmp_path, services)
    assert wait_for(lambda: delivery_log(tmp_path / "state")[0][2] == "sent", DEADLINE)
    assert second.stop() == 0
    # A sentinel behind it on the same first-in first-out worker: once it is done, a third
    # copy of k1 would have been sent before it.
    loans = once("k1", datetime.fromisoformat(key.split("/", 3)[3])) + once("zz", seconds_ahead(2))
    write_config(config, loans, channels=command_channel(recorder))
    third = start(tmp_path, services)
    assert wait_for(lambda: "zz" in recorder.loans("done"), DEADLINE), third.log()
    assert third.stop() == 0
    assert [line for line in recorder.lines("start") if line.startswith("k1/")] == [key, key]


def test_stop_while_sending_waits_for_the_send_and_logs_it_sent_once(tmp_path, services) -> None:
    # SIGTERM lands while the channel's program is running (3 s). The stop waits for the send
    # in hand: the program finishes, the log says "sent" before the service exits, and the
    # next start does not send it again (a sentinel behind it on the same first-in first-out
    # worker proves it had its chance).
    recorder = Recorder(tmp_path, first_run="sleep 3")
    config = tmp_path / "config.yaml"
    write_config(config, once("k1", seconds_ahead(2)), channels=command_channel(recorder))
    first = start(tmp_path, services)
    assert wait_for(lambda: recorder.lines("start"), DEADLINE), first.log()
    assert first.stop() == 0
    [(key, channel, state)] = delivery_log(tmp_path / "state")
    assert (channel, state) == ("command", "sent"), first.log()
    assert recorder.lines("done") == [key]
    loans = once("k1", datetime.fromisoformat(key.split("/", 3)[3])) + once("zz", seconds_ahead(2))
    write_config(config, loans, channels=command_channel(recorder))
    second = start(tmp_path, services)
    assert wait_for(lambda: "zz" in recorder.loans("done"), DEADLINE), second.log()
    assert second.stop() == 0
    assert [line for line in recorder.lines("start") if line.startswith("k1/")] == [key]


def test_stop_while_a_channel_hangs_gives_up_after_its_wait_and_the_next_start_sends_it(
    tmp_path, services
) -> None:
    # The program hangs (10 minutes; its own timeout, 9, is far off). The stop waits for it
    # at most 30 s, then exits 0 naming the channel; the reminder stays "attempting" (not
    # sent, not failed), and the next start sends it, once.
    hung = tmp_path / "hung.pid"
    recorder = Recorder(tmp_path, first_run=f"echo $$ > {hung}; exec sleep 600")
    config = tmp_path / "config.yaml"
    channels = command_channel(recorder, timeout="540s")
    write_config(config, once("k1", seconds_ahead(2)), channels=channels)
    first = start(tmp_path, services)
    assert wait_for(
        lambda: recorder.lines("start") and hung.exists() and hung.read_text().strip(), DEADLINE
    ), first.log()
    try:
        assert first.stop() == 0  # within PATIENCE (60 s): the wait is 30 s
    finally:
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(hung.read_text()), signal.SIGKILL)
    assert "still being sent via command at the stop" in first.log()
    [(key, channel, state)] = delivery_log(tmp_path / "state")
    assert (channel, state) == ("command", "attempting")
    second = start(tmp_path, services)
    assert wait_for(lambda: recorder.lines("done") == [key], DEADLINE), second.log()
    assert wait_for(lambda: delivery_log(tmp_path / "state")[0][2] == "sent", DEADLINE)
    assert second.stop() == 0
    assert [line for line in recorder.lines("start") if line.startswith("k1/")] == [key, key]


def test_config_saved_while_the_service_starts_is_picked_up(tmp_path, services) -> None:
    # The service reads the config, then keeps the agreement documents it names, then starts
    # watching the file: a save in between makes no event. To land one there for sure, the
    # ledger is held locked (as a `pay` in progress would) so that keeping the document waits
    # on it; the document's copy appearing in the state dir says the config was read. A loan
    # added by that save must still be reminded of.
    recorder = Recorder(tmp_path)
    config = tmp_path / "config.yaml"
    document = tmp_path / "agreement.pdf"
    today = datetime.now(UTC).date().isoformat()
    renegotiated = (
        "  - id: a\n    name: Loan a\n"
        '    plan: {kind: once, due: "2099-01-15", amount: 100}\n'
        f"    renegotiated:\n      - on: {today}\n        document: {document}\n"
        '        plan: {kind: once, due: "2099-02-15", amount: 100}\n'
    )
    write_config(config, renegotiated, channels=command_channel(recorder))
    done = cli(tmp_path, "run", "--once")  # makes the ledger; the document is not there yet
    assert done.returncode == 0, done.stderr
    document.write_bytes(b"%PDF-1.4 invented agreement\n")
    lock = sqlite3.connect(tmp_path / "state" / "reminderd.sqlite3", isolation_level=None)
    try:
        lock.execute("BEGIN IMMEDIATE")
        service = start(tmp_path, services, wait_ready=False)
        receipts = tmp_path / "state" / "receipts"
        assert wait_for(
            lambda: (
                receipts.is_dir() and any(not p.name.startswith(".") for p in receipts.iterdir())
            ),
            DEADLINE,
        ), service.log()
        write_config(
            config, renegotiated + once("b", seconds_ahead(3)), channels=command_channel(recorder)
        )
    finally:
        lock.rollback()
        lock.close()
    assert wait_for(lambda: "b" in recorder.loans("done"), DEADLINE), service.log()
    assert service.stop() == 0


needs_dbus = pytest.mark.skipif(not dbus_daemon_available(), reason="needs dbus-daemon")


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *reminderd_command(),
            "-c",
            str(tmp_path / "config.yaml"),
            "--state-dir",
            str(tmp_path / "state"),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(tmp_path)},
        check=False,
    )


@needs_dbus
def test_paid_button_at_start_records_the_outstanding_amount(tmp_path, services) -> None:
    # Issue 11.2: the catch-up sent at start carries the buttons; the server sends
    # ActionInvoked only to the notification's sender, so it must be the listener's
    # connection. 100 due, 30 already paid: "Paid" records the outstanding 70.
    config = tmp_path / "config.yaml"
    due = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)  # missed: catch-up
    channels = "  desktop: {backend: dbus, timeout: 5s}"
    write_config(config, once("p1", due, amount="100"), channels=channels)
    assert cli(tmp_path, "pay", "p1", "30").returncode == 0
    with session_bus() as address, NotificationServer(address, invoke="paid") as server:
        service = start(tmp_path, services, env={"DBUS_SESSION_BUS_ADDRESS": address})

        def payments() -> list[dict]:
            return json.loads(cli(tmp_path, "history", "--json").stdout or "[]")

        assert wait_for(lambda: len(payments()) == 2, DEADLINE), service.log()
        assert server.notifications[0].actions[::2] == ["paid", "snooze"]
        assert service.stop() == 0
    # 100.00 due - 30.00 paid = 70.00 outstanding
    assert [Decimal(payment["amount"]) for payment in payments()] == [Decimal(30), Decimal(70)]


@needs_dbus
def test_paid_button_records_the_payment_on_the_loans_own_day(tmp_path, services) -> None:
    # The click's payment is dated by the calendar of the loan's zone, not by UTC's: a zone
    # whose date differs from UTC's right now (UTC+14 from 11:00 UTC, UTC-12 before; each
    # stays a day apart for more than an hour), so a payment dated by the UTC day is caught.
    zone = ZoneInfo("Pacific/Kiritimati" if datetime.now(UTC).hour >= 11 else "Etc/GMT+12")
    due = datetime.now(zone).replace(microsecond=0) - timedelta(minutes=10)  # missed: catch-up
    (tmp_path / "config.yaml").write_text(
        f"timezone: {zone.key}\n"
        "reminders: {before: [0s], overdue_every: never}\n"
        "channels:\n  desktop: {backend: dbus, timeout: 5s}\n"
        f"calendar: {{path: {tmp_path / 'r.ics'}}}\n"
        "loans:\n  - id: z1\n    name: Loan z1\n"
        f'    plan: {{kind: once, due: "{due:%Y-%m-%d %H:%M:%S}", amount: 25}}\n',
        encoding="utf-8",
    )
    before = datetime.now(UTC)
    with session_bus() as address, NotificationServer(address, invoke="paid"):
        service = start(tmp_path, services, env={"DBUS_SESSION_BUS_ADDRESS": address})

        def payments() -> list[dict]:
            return json.loads(cli(tmp_path, "history", "--json").stdout or "[]")

        assert wait_for(payments, DEADLINE), service.log()
        after = datetime.now(UTC)
        assert service.stop() == 0
    local_days = {before.astimezone(zone).date(), after.astimezone(zone).date()}
    assert local_days.isdisjoint({before.date(), after.date()})  # the zone was chosen so
    [payment] = payments()
    assert (payment["loan"], Decimal(payment["amount"])) == ("z1", Decimal(25))
    assert date.fromisoformat(payment["on"]) in local_days


@needs_dbus
def test_snooze_button_postpones_by_one_hour(tmp_path, services) -> None:
    config = tmp_path / "config.yaml"
    channels = "  desktop: {backend: dbus, timeout: 5s}"
    write_config(config, once("n1", seconds_ahead(2)), channels=channels)
    before = datetime.now(UTC)
    with session_bus() as address, NotificationServer(address, invoke="snooze"):
        service = start(tmp_path, services, env={"DBUS_SESSION_BUS_ADDRESS": address})

        def snoozes() -> list[tuple[str, int, str]]:
            with sqlite3.connect(tmp_path / "state" / "reminderd.sqlite3") as conn:
                return conn.execute("SELECT loan_id, number, until FROM snoozes").fetchall()

        assert wait_for(snoozes, DEADLINE), service.log()
        after = datetime.now(UTC)
        assert service.stop() == 0
    [(loan_id, number, until)] = snoozes()
    assert (loan_id, number) == ("n1", 1)
    # Clicked between `before` and `after`: the snooze ends one hour after the click.
    assert (
        before + timedelta(hours=1) <= datetime.fromisoformat(until) <= after + timedelta(hours=1)
    )


@needs_dbus
def test_snooze_pressed_again_postpones_again_from_the_second_press(tmp_path, services) -> None:
    # A second Snooze on the same notification, later: the hour counts from the second press.
    # The first press is over before `between` (its row is read first), so the first snooze
    # ends before `between` + 1 h and the second at or after it.
    config = tmp_path / "config.yaml"
    channels = "  desktop: {backend: dbus, timeout: 5s}"
    write_config(config, once("n1", seconds_ahead(2)), channels=channels)

    def snoozes() -> list[tuple[str, int, str]]:
        with sqlite3.connect(tmp_path / "state" / "reminderd.sqlite3") as conn:
            return conn.execute("SELECT loan_id, number, until FROM snoozes").fetchall()

    with session_bus() as address, NotificationServer(address, invoke="snooze") as server:
        service = start(tmp_path, services, env={"DBUS_SESSION_BUS_ADDRESS": address})
        assert wait_for(snoozes, DEADLINE), service.log()
        [(_, _, first)] = snoozes()
        between = datetime.now(UTC)
        assert datetime.fromisoformat(first) < between + timedelta(hours=1)
        server.click(0, "snooze")
        assert wait_for(
            lambda: datetime.fromisoformat(snoozes()[0][2]) >= between + timedelta(hours=1),
            DEADLINE,
        ), (snoozes(), service.log())
        assert service.stop() == 0
    assert [(loan_id, number) for loan_id, number, _ in snoozes()] == [("n1", 1)]


def test_daily_plan_91_days_behind_sends_one_overdue_message(tmp_path, services) -> None:
    # Issue 11.5: 91 daily installments, the last due yesterday, none paid: one message
    # listing all 91 and their total (91 x 10.00 = 910.00), not 91 messages.
    record = tmp_path / "subjects.txt"
    script = tmp_path / "record-subject"
    script.write_text(f'#!/bin/sh\necho "$REMINDERD_KEY|$REMINDERD_SUBJECT" >> {record}\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    first = (datetime.now(UTC) - timedelta(days=91)).date()
    loans = (
        "  - id: daily\n    name: Daily\n"
        f"    plan: {{kind: recurring, amount: 10, first_due: {first}, every: 1 day, count: 91}}\n"
    )
    # A sentinel behind it on the channel's first-in first-out worker.
    loans += once("zz", seconds_ahead(3))
    config = tmp_path / "config.yaml"
    channels = f"  command: {{argv: [{script}], timeout: 10s}}"
    write_config(config, loans, channels=channels, overdue="1d")
    service = start(tmp_path, services)
    assert wait_for(lambda: record.exists() and "zz/" in record.read_text(), DEADLINE), (
        service.log()
    )
    lines = [line for line in record.read_text().splitlines() if line.startswith("daily/")]
    assert len(lines) == 1, lines
    assert lines[0].endswith("OVERDUE: Daily: 91 installments, CN¥910.00 to pay")
    assert service.stop() == 0


@needs_dbus
def test_paid_click_after_a_reload_on_a_notification_sent_before_it_is_recorded(
    tmp_path, services
) -> None:
    # The notification went out on the listener connection of the desktop channel that a
    # reload (a locale change) then replaced; the user clicks "Paid" afterwards. The click
    # goes to that connection only, so the replaced listener must still be listening.
    config = tmp_path / "config.yaml"
    channels = "  desktop: {backend: dbus, timeout: 5s}"
    due = seconds_ahead(2)
    write_config(config, once("r1", due, amount="40"), channels=channels)
    with session_bus() as address, NotificationServer(address) as server:
        service = start(tmp_path, services, env={"DBUS_SESSION_BUS_ADDRESS": address})
        assert wait_for(lambda: server.notifications, DEADLINE), service.log()
        write_config(config, once("r1", due, amount="40"), channels=channels, locale="zh_CN")
        assert wait_for(lambda: "config reloaded" in service.log(), DEADLINE), service.log()
        server.click(0, "paid")

        def payments() -> list[dict]:
            return json.loads(cli(tmp_path, "history", "--json").stdout or "[]")

        assert wait_for(lambda: payments(), DEADLINE), service.log()
        assert service.stop() == 0
    assert [Decimal(payment["amount"]) for payment in payments()] == [Decimal(40)]


def test_a_due_reminder_sent_late_is_logged_as_the_overdue_message_it_was(tmp_path) -> None:
    # The "due" reminder (lead 0) of an installment due two hours ago, sent only now (the
    # machine was off): the message says OVERDUE, and the delivery log, which the case file
    # reads and which later messages must not contradict, says what the message said.
    recorder = Recorder(tmp_path)
    due = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    write_config(tmp_path / "config.yaml", once("late", due), channels=command_channel(recorder))
    done = cli(tmp_path, "run", "--once")
    assert done.returncode == 0, done.stderr
    assert recorder.kinds("late") == ["catchup"]  # REMINDERD_KIND: sent late (SPEC §5)
    [(key, channel, state)] = delivery_log(tmp_path / "state")
    assert (key.split("/")[:3], channel, state) == (["late", "1", "due"], "command", "sent")
    with sqlite3.connect(tmp_path / "state" / "reminderd.sqlite3") as conn:
        [(kind,)] = conn.execute("SELECT kind FROM deliveries").fetchall()
    assert kind == "overdue"
    case = json.loads(cli(tmp_path, "case", "late", "--json").stdout)
    [reminder] = [event for event in case["events"] if event["kind"] == "reminder"]
    assert reminder["reminder"] == "overdue"
    assert cli(tmp_path, "run", "--once").returncode == 0
    assert recorder.kinds("late") == ["catchup"]  # and not sent again


def test_a_due_reminder_sent_late_as_overdue_says_what_being_late_costs(tmp_path) -> None:
    # The "due" reminder of 1,000.00 due 3 days ago, sent only now: it goes out as the
    # overdue message it is, with the cost line overdue messages carry (SPEC §8). By hand:
    # 3 days late (the three days after the due date) × 1,000.00 × 0.1% = 3.00, plus the
    # fee of 20.00: 23.00 so far, +1.00 per further day.
    delivered = tmp_path / "delivered.txt"
    due = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    loan = (
        "  - id: late\n    name: Loan late\n"
        f'    plan: {{kind: once, due: "{stamp(due)}", amount: 1000}}\n'
        '    overdue: {daily_rate: "0.1%", fee: 20, grace: 0d}\n'
    )
    channels = f'  command: {{argv: ["/usr/bin/tee", "-a", "{delivered}"]}}'
    write_config(tmp_path / "config.yaml", loan, channels=channels)
    done = cli(tmp_path, "run", "--once")
    assert done.returncode == 0, done.stderr
    body = delivered.read_text(encoding="utf-8")
    assert "3 days late; estimated penalty so far CN¥23.00, +CN¥1.00 per further day" in body


def test_each_loan_reaches_only_the_channels_it_names(tmp_path) -> None:
    # SPEC §1: reminders.channels "which channels get this loan's reminders; default: every
    # configured one". Three overdue loans, two real channels: the command program and a
    # plain SMTP server on loopback.
    recorder = Recorder(tmp_path)
    due = stamp(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2))
    with smtp.smtp_server(mode="plain", auth=False) as server:
        (tmp_path / "config.yaml").write_text(
            "timezone: UTC\n"
            "reminders: {before: [0s], overdue_every: never}\n"
            "channels:\n"
            f"  command: {{argv: [{recorder.script}]}}\n"
            f"  email: {{host: {server.host}, port: {server.port}, security: none,\n"
            "           from: reminders@example.com, to: me@example.com}\n"
            f"calendar: {{path: {tmp_path / 'r.ics'}}}\n"
            "loans:\n"
            f'  - {{id: cmd, name: Cmd, plan: {{kind: once, due: "{due}", amount: 1}},\n'
            "     reminders: {channels: [command]}}\n"
            f'  - {{id: mail, name: Mail, plan: {{kind: once, due: "{due}", amount: 2}},\n'
            "     reminders: {channels: [email]}}\n"
            f'  - {{id: both, name: Both, plan: {{kind: once, due: "{due}", amount: 3}}}}\n',
            encoding="utf-8",
        )
        done = cli(tmp_path, "run", "--once")
        assert done.returncode == 0, done.stderr
        mailed = sorted(str(message["Subject"]) for message in server.recorder.messages)
    assert sorted(recorder.loans("done")) == ["both", "cmd"]
    assert len(mailed) == 2 and "Both" in mailed[0] and "Mail" in mailed[1], mailed
    assert sorted(
        (key.split("/")[0], channel) for key, channel, _ in delivery_log(tmp_path / "state")
    ) == [("both", "command"), ("both", "email"), ("cmd", "command"), ("mail", "email")]


def test_a_due_reminder_missed_earlier_today_says_overdue_since_its_time(tmp_path) -> None:
    # The "due today" reminder of 2 hours ago, sent only now (the machine was off), is an
    # overdue message, not "due today". The loan's zone is chosen so that it is about noon
    # there whenever the test runs: two hours earlier is the same local day.
    offset = 12 - datetime.now(UTC).hour  # -11 … 12
    zone = ZoneInfo("UTC" if offset == 0 else f"Etc/GMT{-offset:+d}")  # Etc/GMT-5 is UTC+5
    due = (datetime.now(zone) - timedelta(hours=2)).replace(microsecond=0)
    assert due.date() == datetime.now(zone).date()
    subjects = tmp_path / "subjects.txt"
    program = tmp_path / "keep-subject"
    program.write_text(f'#!/bin/sh\nprintf "%s\\n" "$REMINDERD_SUBJECT" >> "{subjects}"\n')
    program.chmod(0o755)
    (tmp_path / "config.yaml").write_text(
        f"timezone: {zone.key}\n"
        "reminders: {before: [0s], overdue_every: never}\n"
        f"channels:\n  command: {{argv: [{program}]}}\n"
        f"calendar: {{path: {tmp_path / 'r.ics'}}}\n"
        "loans:\n"
        f'  - {{id: card, name: Card, plan: {{kind: once, due: "{due:%Y-%m-%d %H:%M:%S}", '
        "amount: 80}}\n",
        encoding="utf-8",
    )
    done = cli(tmp_path, "run", "--once")
    assert done.returncode == 0, done.stderr
    said = f"[missed] OVERDUE since {due:%H:%M}: Card CN¥80.00 (#1/1)"
    assert subjects.read_text().splitlines() == [said]


def test_a_reload_that_changes_only_a_channel_sends_through_the_new_one(tmp_path, services) -> None:
    # The command's program is replaced (the locale stays): what falls due after the reload
    # goes through the new program, none through the old.
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_dir.mkdir()
    new_dir.mkdir()
    old, new = Recorder(old_dir), Recorder(new_dir)
    config = tmp_path / "config.yaml"
    far = once("far", datetime.now(UTC) + timedelta(days=30))
    write_config(config, far, channels=command_channel(old))
    service = start(tmp_path, services)
    soon = once("soon", seconds_ahead(3))
    write_config(config, far + soon, channels=command_channel(new))
    assert wait_for(lambda: "config reloaded" in service.log(), PATIENCE), service.log()
    assert wait_for(lambda: new.loans("done")["soon"] == 1, PATIENCE), service.log()
    assert old.lines("start") == []
    assert service.stop() == 0


def test_a_reload_between_a_failure_and_its_retry_keeps_the_retry(tmp_path, services) -> None:
    # The first send fails (the program exits 1); its retry is 10 s later. A reload in
    # between checks what is due and re-times the next wake-up: it must keep the retry, not
    # only the next reminder instant (there is none here: overdue repeats are off), else the
    # reminder waits for the next unrelated event, up to the 15-minute clock watch.
    # A second loan falls due 90 s on: the wake-up after the reload is the sooner of the
    # retry and that instant (the retry), not the later.
    recorder = Recorder(tmp_path, first_run="exit 1")
    config = tmp_path / "config.yaml"
    loans = once("r1", seconds_ahead(2)) + once("r2", seconds_ahead(90))
    write_config(config, loans, channels=command_channel(recorder))
    service = start(tmp_path, services)

    def states() -> list[tuple[str, str]]:
        return [row[1:] for row in delivery_log(tmp_path / "state")]

    assert wait_for(lambda: states() == [("command", "failed")], DEADLINE), service.log()
    service.signal(signal.SIGHUP)  # lands well inside the 10 s wait on any machine
    assert wait_for(lambda: "config reloaded" in service.log(), DEADLINE), service.log()
    assert wait_for(lambda: recorder.loans("done") == {"r1": 1}, DEADLINE), service.log()
    # The program writes "done" before it exits, the deliverer logs "sent" after: wait for
    # the log too. r2's instant (90 s) has not come yet, so r1 is the only row.
    assert wait_for(lambda: states() == [("command", "sent")], DEADLINE), states()
    assert service.stop() == 0
