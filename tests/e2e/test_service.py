"""The installed ``reminderd run`` against a real SMTP server (STARTTLS, AUTH, a private CA)
and a real D-Bus session bus with a recording notification server. Due dates are a few
seconds ahead of the real clock; nothing in the product is faked."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import ssl
import stat
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support.dbus import NotificationServer, dbus_daemon_available, session_bus
from tests.support.service import PATIENCE, ServiceProcess, seconds_ahead, stamp, wait_for
from tests.support.smtp import PASSWORD, USER, free_port, smtp_server

pytestmark = pytest.mark.skipif(not dbus_daemon_available(), reason="needs dbus-daemon")


@pytest.fixture
def bus():
    with session_bus() as address, NotificationServer(address) as server:
        yield address, server


@pytest.fixture
def smtp(server_context: ssl.SSLContext):
    with smtp_server(mode="starttls", server_context=server_context) as server:
        yield server


class World:
    """A config file, a state dir and the environment a service runs in."""

    def __init__(self, tmp: Path, bus_address: str, smtp_port: int, ca_file: Path) -> None:
        self.tmp = tmp
        self.config = tmp / "config.yaml"
        self.state = tmp / "state"
        self.smtp_port = smtp_port
        self.ca_file = ca_file
        self.env = {
            "DBUS_SESSION_BUS_ADDRESS": bus_address,
            "REMINDERD_TEST_SMTP": PASSWORD,
            "HOME": str(tmp),
            "XDG_DATA_HOME": str(tmp / "data"),
        }
        self.services: list[ServiceProcess] = []

    def write(self, loans: str, *, channels: str | None = None, before: str = "[0s]") -> None:
        channels = (
            channels
            or f"""
  desktop: {{timeout: 5s}}
  email:
    host: 127.0.0.1
    port: {self.smtp_port}
    security: starttls
    username: {USER}
    password_env: REMINDERD_TEST_SMTP
    from: "Repayments <me@example.test>"
    to: [me@example.test]
    ca_file: {self.ca_file}
    timeout: 5s"""
        )
        text = f"""timezone: UTC
locale: en
reminders: {{before: {before}, overdue_every: never}}
channels:{channels}
calendar: {{path: {self.tmp / "repayments.ics"}}}
loans:
{loans}"""
        # Editors save by writing a new file and renaming it over the old one.
        temporary = self.config.with_suffix(".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.config)

    def service(self) -> ServiceProcess:
        service = ServiceProcess(self.config, self.state, self.env)
        self.services.append(service)
        return service


def once(loan_id: str, name: str, due: str, amount: str = "100") -> str:
    return (
        f"  - id: {loan_id}\n    name: {name}\n"
        f'    plan: {{kind: once, due: "{due}", amount: {amount}}}\n'
    )


@pytest.fixture
def world(tmp_path: Path, bus, smtp, ca_file: Path):
    address, _ = bus
    world = World(tmp_path, address, smtp.port, ca_file)
    yield world
    for service in world.services:
        service.kill()


def deliveries(state: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(state / "reminderd.sqlite3") as conn:
        return conn.execute(
            "SELECT reminder_key, channel, state FROM deliveries ORDER BY 1, 2"
        ).fetchall()


def test_service_reminder_on_time_reaches_email_and_desktop(world, bus, smtp) -> None:
    _, notifications = bus
    due = seconds_ahead(4)
    world.write(once("wallet-a", "钱包 A", stamp(due)))
    service = world.service()
    service.start()
    # Wait for what is asserted: both channels' entries in the delivery log (written after
    # the channel accepted), not merely the arrivals. How late it may be is bench/'s figure.
    assert wait_for(lambda: len(deliveries(world.state)) == 2, 30), service.log()
    assert wait_for(lambda: {state for _, _, state in deliveries(world.state)} == {"sent"}, 30), (
        deliveries(world.state)
    )
    # Not before its instant.
    with sqlite3.connect(world.state / "reminderd.sqlite3") as conn:
        logged = [
            datetime.fromisoformat(row[0])
            for row in conn.execute("SELECT updated_at FROM deliveries")
        ]
    assert logged and all(when >= due for when in logged)
    [mail] = smtp.recorder.messages
    assert "钱包 A" in str(mail["Subject"])
    [note] = notifications.notifications
    assert "钱包 A" in note.summary + note.body
    assert {(channel, state) for _, channel, state in deliveries(world.state)} == {
        ("desktop", "sent"),
        ("email", "sent"),
    }
    assert service.has("READY=1")
    assert service.stop() == 0


def test_service_missed_reminders_are_sent_once_as_a_catch_up(world, bus, smtp) -> None:
    _, notifications = bus
    due = seconds_ahead(60)
    # Reminders 58 s and 56 s before the due instant, i.e. in 2 and 4 seconds: both pass
    # while the service is not running.
    # A sentinel whose reminders fall after the start (at +13 s and +15 s): each channel's
    # worker is first-in first-out, so once the sentinel arrived, a burst queued at start
    # would have arrived, too.
    sentinel = due + timedelta(seconds=11)
    world.write(
        once("card-c", "Card C", stamp(due)) + once("zz-sentinel", "Sentinel", stamp(sentinel)),
        before="[58s, 56s]",
    )
    time.sleep(5)  # setting the scene (both reminders pass while down), not a verdict
    service = world.service()
    service.start()

    def arrived(name: str) -> tuple[int, int]:
        mails = [m for m in smtp.recorder.messages if name in str(m["Subject"])]
        notes = [n for n in notifications.notifications if name in n.summary + n.body]
        return len(mails), len(notes)

    assert wait_for(lambda: min(arrived("Sentinel")) >= 1, 30), service.log()
    assert arrived("Card C") == (1, 1)  # one message per channel, not a burst
    # The one sent is the latest passed reminder; the earlier one it supersedes is not.
    latest = (due - timedelta(seconds=56)).isoformat()
    keys = {
        key
        for key, _, state in deliveries(world.state)
        if state == "sent" and key.startswith("card-c/")
    }
    assert keys == {f"card-c/1/ahead/{latest}"}
    assert service.stop() == 0


def test_service_restart_sends_nothing_twice(world, bus, smtp) -> None:
    _, notifications = bus
    due = seconds_ahead(3)
    world.write(once("wallet-a", "Wallet A", stamp(due)))
    first = world.service()
    first.start()
    assert wait_for(lambda: smtp.recorder.messages and notifications.notifications, PATIENCE)
    assert wait_for(lambda: len(deliveries(world.state)) == 2, PATIENCE)
    assert wait_for(lambda: {s for _, _, s in deliveries(world.state)} == {"sent"}, PATIENCE)
    assert first.stop() == 0
    # A sentinel behind it on each first-in first-out worker (see the catch-up test).
    world.write(
        once("wallet-a", "Wallet A", stamp(due)) + once("zz", "Sentinel", stamp(seconds_ahead(2)))
    )
    second = world.service()
    second.start()
    assert wait_for(
        lambda: len(smtp.recorder.messages) == 2 and len(notifications.notifications) == 2, 30
    ), second.log()
    assert ["Wallet A" in str(m["Subject"]) for m in smtp.recorder.messages] == [True, False]
    assert ["Wallet A" in n.summary + n.body for n in notifications.notifications] == [True, False]
    assert second.stop() == 0


def test_service_kill_9_during_a_delivery_loses_nothing(world, tmp_path) -> None:
    record = tmp_path / "deliveries.txt"
    script = tmp_path / "slow-notifier"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "start $REMINDERD_KEY" >> {record}\n'
        "sleep 2\n"
        f'echo "done $REMINDERD_KEY" >> {record}\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    channels = f"\n  command: {{argv: [{script}], timeout: 20s}}"
    due = seconds_ahead(2)
    world.write(once("wallet-a", "Wallet A", stamp(due)), channels=channels)
    first = world.service()
    first.start()
    assert wait_for(lambda: record.exists() and "start" in record.read_text(), PATIENCE)
    first.kill()  # SIGKILL while the command is still running: not yet accepted
    second = world.service()
    second.start()
    assert wait_for(lambda: record.read_text().count("start") >= 2, PATIENCE), second.log()

    def sent() -> bool:
        return bool(deliveries(world.state)) and deliveries(world.state)[0][2] == "sent"

    assert wait_for(sent, PATIENCE), deliveries(world.state)
    assert second.stop() == 0
    # Once accepted and logged, a third start sends nothing more: a sentinel behind it on
    # the channel's first-in first-out worker shows that it had its chance.
    world.write(
        once("wallet-a", "Wallet A", stamp(due)) + once("zz", "Sentinel", stamp(seconds_ahead(2))),
        channels=channels,
    )
    third = world.service()
    third.start()
    assert wait_for(lambda: "done zz/" in record.read_text(), 30), third.log()
    assert record.read_text().count("start wallet-a/") == 2
    assert third.stop() == 0


# Loaded at interpreter start-up (``sitecustomize`` on ``PYTHONPATH``) and run by ``atexit``,
# which comes after Python has joined the non-daemon threads and before it finalizes: what it
# lists is every thread the service left running into the finalization.
THREADS_AT_EXIT = """
import atexit, sys, threading

def _report():
    alive = sorted(t.name for t in threading.enumerate() if t is not threading.main_thread())
    sys.stderr.write(f"threads at exit: {alive}\\n")
    sys.stderr.flush()

atexit.register(_report)
"""


def test_service_stop_leaves_no_thread_running_into_the_exit(world, bus, smtp) -> None:
    # A daemon thread still running while Python finalizes is ended with pthread_exit (3.11),
    # which can abort the process (the likely cause of a SIGABRT after "reminderd stopped",
    # once in 20 CI runs). After one reminder sent on the desktop and by e-mail and a reload,
    # a stop must end every thread itself: the channel workers, the listeners, the watchers,
    # the signal relay.
    hook = world.tmp / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(THREADS_AT_EXIT, encoding="utf-8")
    world.env["PYTHONPATH"] = str(hook)
    world.write(once("wallet-a", "Wallet A", stamp(seconds_ahead(2))))
    service = world.service()
    service.start()
    _, server = bus
    assert wait_for(lambda: smtp.recorder.messages and server.notifications, PATIENCE), (
        service.log()
    )
    service.signal(signal.SIGHUP)
    assert wait_for(lambda: "config reloaded" in service.log(), PATIENCE), service.log()
    assert service.stop() == 0
    assert "reminderd stopped" in service.log()
    assert "threads at exit: []" in service.log(), service.log()


def test_service_email_carries_the_installment_as_a_calendar_attachment(world, smtp) -> None:
    # An e-mail reminder carries its installment as a one-event .ics (a mail program offers
    # to add it), with the same UID as in the calendar file (wallet-a #1:
    # "wallet-a-1@reminderd") and, as there (SPEC §5), all-day on the due date (zone UTC).
    from icalendar import Calendar

    due = seconds_ahead(2)
    world.write(once("wallet-a", "Wallet A", stamp(due)))
    service = world.service()
    service.start()
    assert wait_for(lambda: smtp.recorder.messages, PATIENCE), service.log()
    assert service.stop() == 0
    [message] = smtp.recorder.messages
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "repayment.ics"
    [event] = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert str(event["UID"]) == "wallet-a-1@reminderd"
    assert event.decoded("DTSTART") == due.date()


def test_service_config_edit_is_picked_up_without_a_signal(world, smtp) -> None:
    world.write(once("later", "Later", stamp(seconds_ahead(3600))))
    service = world.service()
    service.start()
    world.write(
        once("later", "Later", stamp(seconds_ahead(3600)))
        + once("new-one", "Newly added", stamp(seconds_ahead(3)))
    )
    assert wait_for(lambda: smtp.recorder.messages, PATIENCE), service.log()
    assert "Newly added" in str(smtp.recorder.messages[0]["Subject"])
    assert "config reloaded" in service.log()
    assert service.stop() == 0


def test_service_broken_config_on_sighup_keeps_the_last_good_one(world, smtp) -> None:
    world.write(once("wallet-a", "Wallet A", stamp(seconds_ahead(5))))
    service = world.service()
    service.start()
    world.config.write_text("loans:\n  - id: [unclosed\n")
    service.signal(signal.SIGHUP)
    assert wait_for(lambda: "keeping the last good" in service.log(), PATIENCE), service.log()
    assert service.alive()
    assert f"{world.config}:3:1: (file): YAML syntax" in service.log()  # with its position
    assert wait_for(lambda: smtp.recorder.messages, PATIENCE), service.log()
    assert "Wallet A" in str(smtp.recorder.messages[0]["Subject"])
    assert service.stop() == 0


def test_service_mail_server_down_then_up_the_mail_arrives(
    tmp_path, bus, server_context, ca_file
) -> None:
    address, _ = bus
    port = free_port()
    world = World(tmp_path, address, port, ca_file)
    world.write(once("wallet-a", "Wallet A", stamp(seconds_ahead(2))))
    service = world.service()
    try:
        service.start()
        assert wait_for(
            lambda: (
                "email failed" in service.log()
                or "via email failed" in service.log()
                or "failed (attempt 1)" in service.log()
            ),
            10,
        ), service.log()
        with smtp_server(mode="starttls", server_context=server_context, port=port) as smtp:
            assert wait_for(lambda: smtp.recorder.messages, 30), service.log()
            assert "Wallet A" in str(smtp.recorder.messages[0]["Subject"])

            def states() -> set[tuple[str, str]]:
                return {(channel, state) for _, channel, state in deliveries(world.state)}

            # The log is written once the server has answered the whole transaction.
            assert wait_for(lambda: ("email", "sent") in states(), PATIENCE), states()
        assert ("desktop", "sent") in states()
        assert service.stop() == 0
    finally:
        service.kill()


@pytest.mark.parametrize("attempt", range(20))
def test_service_sigterm_right_at_ready_stops_it(world, attempt) -> None:
    # READY=1 goes out just before the scheduler's loop starts; a stop in between must not
    # be lost (found by the benchmark, whose service runs hung on it), nor crash on the
    # first tick's job being run and re-timed just then (issue 16.3: JobLookupError 'tick',
    # exit 70, in 6 of 15 runs). 20 runs, as the issue asked.
    world.write(once("later", "Later", stamp(seconds_ahead(3600))))
    service = world.service()
    service.start(wait_ready=False)
    deadline = time.monotonic() + 15
    while not service.has("READY=1") and time.monotonic() < deadline:
        select.select([service._socket], [], [], 1)
    assert service.has("READY=1"), service.log()
    # 0 to 20 ms after READY: the moments around the scheduler's start and its first tick.
    time.sleep((attempt % 5) * 0.005)
    assert service.stop(timeout=30) == 0, service.log()
    assert "Traceback" not in service.log()


def _threads_but_main(pid: int) -> list[int]:
    return sorted(int(tid) for tid in os.listdir(f"/proc/{pid}/task") if int(tid) != pid)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_service_sigterm_delivered_to_another_thread_still_stops_it(world) -> None:
    # The kernel gives a process-directed SIGTERM to any thread that does not block it, and
    # Python runs handlers only in the main thread, asleep here in the scheduler's wait for
    # its next job (an hour away). Found as a service that ignored a SIGTERM right after READY
    # (1 run in about 200 under load); here the signal is sent to each other thread in turn
    # (tgkill), the case that lost it, without waiting for chance.
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    world.write(once("later", "Later", stamp(seconds_ahead(3600))))
    service = world.service()
    service.start()
    pid = service.process.pid
    # Wait until the first tick has run and the scheduler sleeps (the calendar is written).
    assert wait_for(lambda: "calendar written" in service.log(), PATIENCE), service.log()
    target = _threads_but_main(pid)[0]
    assert libc.tgkill(pid, target, signal.SIGTERM) == 0, ctypes.get_errno()
    assert service.process.wait(timeout=PATIENCE) == 0, service.log()
