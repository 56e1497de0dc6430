"""Faults injected into real parts around the installed ``reminderd``: an SMTP server that
answers 4xx or 5xx or nothing at all, a notification server that never answers, a state
database locked by another process, a read-only or full disk, a config file deleted and
replaced under a running service.

Wall-clock jumps (libfaketime) and a full disk under the delivery log (a tmpfs) are in
``test_clock_and_disk.py``.
"""

from __future__ import annotations

import email
import os
import shlex
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from email.policy import default as default_policy
from pathlib import Path

import pytest

from tests.e2e.test_service import World, deliveries, once
from tests.support.dbus import NotificationServer, dbus_daemon_available, session_bus
from tests.support.service import PATIENCE, seconds_ahead, stamp, wait_for
from tests.support.smtp import Recorder, silent_server, smtp_server

needs_dbus = pytest.mark.skipif(not dbus_daemon_available(), reason="needs dbus-daemon")


class FlakyRecorder(Recorder):
    """Answers 451 to the first message about "Flaky", always 554 to one about "Refused"."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[tuple[str, int]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        subject = str(email.message_from_bytes(envelope.content, policy=default_policy)["Subject"])
        if "Refused" in subject:
            self.answers.append((subject, 554))
            return "554 5.7.1 rejected by policy"
        if "Flaky" in subject and not any("Flaky" in seen for seen, _ in self.answers):
            self.answers.append((subject, 451))
            return "451 4.3.0 try again later"
        self.answers.append((subject, 250))
        return await super().handle_DATA(server, session, envelope)


def test_fault_smtp_4xx_is_retried_and_delivered_5xx_is_logged_with_its_reason(
    tmp_path, server_context, ca_file, services
) -> None:
    recorder = FlakyRecorder()
    with smtp_server(mode="starttls", server_context=server_context, recorder=recorder) as smtp:
        world = World(tmp_path, "unix:path=/nonexistent", smtp.port, ca_file)
        channels = world_email(world)
        due = stamp(seconds_ahead(2))
        world.write(
            once("flaky", "Flaky", due) + once("refused", "Refused", due), channels=channels
        )
        service = world.service()
        services.append(service)
        service.start()
        # 451 first; the retry after the first backoff (10 s) is accepted.
        assert wait_for(lambda: recorder.messages, 20), service.log()
        assert [code for subject, code in recorder.answers if "Flaky" in subject] == [451, 250]
        assert len(recorder.messages) == 1 and "Flaky" in str(recorder.messages[0]["Subject"])

        def states() -> dict[str, str]:
            return {key.split("/")[0]: state for key, _, state in deliveries(world.state)}

        # The log is written after the server answered: wait for it, not for the inbox.
        expected = {"flaky": "sent", "refused": "failed"}
        assert wait_for(lambda: states() == expected, 20), states()
        log = service.log()
        assert "temporary failure, server answered 451" in log
        assert "permanent failure, server answered 554" in log
        assert service.stop() == 0


def world_email(
    world: World, *, desktop: bool = False, timeout: str = "5s", desktop_timeout: str = "3s"
) -> str:
    """The channels block of ``world`` with e-mail (and the desktop when asked)."""
    lines = [
        "",
        *([f"  desktop: {{backend: dbus, timeout: {desktop_timeout}}}"] if desktop else []),
        "  email:",
        "    host: 127.0.0.1",
        f"    port: {world.smtp_port}",
        "    security: starttls",
        "    username: me@example.test",
        "    password_env: REMINDERD_TEST_SMTP",
        '    from: "Repayments <me@example.test>"',
        "    to: [me@example.test]",
        f"    ca_file: {world.ca_file}",
        f"    timeout: {timeout}",
    ]
    return "\n".join(lines)


@needs_dbus
def test_fault_silent_mail_server_does_not_hold_up_the_desktop(tmp_path, ca_file, services) -> None:
    with (
        silent_server() as port,
        session_bus() as address,
        NotificationServer(address) as notifications,
    ):
        world = World(tmp_path, address, port, ca_file)
        due = seconds_ahead(2)
        world.write(
            once("wallet-a", "Wallet A", stamp(due)),
            channels=world_email(world, desktop=True, timeout="15s"),
        )
        service = world.service()
        services.append(service)
        service.start()
        assert wait_for(lambda: notifications.notifications, PATIENCE), service.log()
        # Not held up: it arrived while the mail attempt was still hanging (order, not speed).
        assert "timed out after 15s" not in service.log()
        assert wait_for(lambda: "timed out after 15s" in service.log(), 40), service.log()
        assert service.stop() == 0


@needs_dbus
def test_fault_silent_notification_server_does_not_hold_up_email(
    tmp_path, server_context, ca_file, services
) -> None:
    with (
        smtp_server(mode="starttls", server_context=server_context) as smtp,
        session_bus() as address,
        NotificationServer(address, silent=True),
    ):
        world = World(tmp_path, address, smtp.port, ca_file)
        due = seconds_ahead(2)
        world.write(
            once("wallet-a", "Wallet A", stamp(due)),
            channels=world_email(world, desktop=True, desktop_timeout="15s"),
        )
        service = world.service()
        services.append(service)
        service.start()
        assert wait_for(lambda: smtp.recorder.messages, PATIENCE), service.log()
        # Not held up: it arrived while the desktop attempt was still hanging.
        assert "via desktop failed" not in service.log()
        assert wait_for(lambda: "via desktop failed" in service.log(), 40), service.log()
        assert service.stop() == 0


LEDGER_CONFIG = """\
timezone: UTC
channels: {{command: {{argv: [/bin/true]}}}}
calendar: {{path: {calendar}}}
loans:
  - id: wallet-a
    name: Wallet A
    plan: {{kind: recurring, amount: 100, first_due: {first_due}, every: 1 day, count: {count}}}
"""


def ledger_world(run_cli, count: int = 3) -> Path:
    calendar = run_cli.root / "calendar" / "r.ics"
    # A year ahead of today: the installments stay in the future whenever the test runs.
    first_due = (datetime.now(UTC).date() + timedelta(days=365)).isoformat()
    run_cli.write_config(LEDGER_CONFIG.format(calendar=calendar, count=count, first_due=first_due))
    return calendar


def test_fault_database_locked_by_another_process_pay_waits_then_succeeds(run_cli) -> None:
    ledger_world(run_cli)
    assert run_cli("pay", "wallet-a", "1").returncode == 0  # the database exists
    database = run_cli.state_dir / "reminderd.sqlite3"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import sqlite3, sys, time
                conn = sqlite3.connect(sys.argv[1], isolation_level=None)
                conn.execute("BEGIN EXCLUSIVE")
                print("locked", flush=True)
                time.sleep(3)
                conn.execute("COMMIT")
                """
            ),
            str(database),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        done = run_cli("pay", "wallet-a", "99", "--note", "while locked")
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=10)
    assert done.returncode == 0, done.stderr
    assert waited >= 2.0, "pay did not wait for the lock; was it held at all?"
    history = run_cli.json("history", "--json")
    assert [payment["amount"] for payment in history] == ["1.00", "99.00"]


def in_namespace(script: str, directory: Path, env) -> subprocess.CompletedProcess:
    """Run the shell ``script`` (``$1`` = ``directory``) in a private mount namespace, where a
    mount made by the script is seen by nothing else and vanishes with it. Root can write
    through mode bits, so a read-only or full directory has to be a real mount."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare for a private mount namespace")
    probe = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", TMPFS_64K, "sh", str(directory)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if probe.returncode != 0:
        pytest.skip(f"cannot mount in a private namespace here: {probe.stderr.strip()}")
    file = directory.parent / f"{directory.name}-fault.sh"
    file.write_text(script)
    return subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", str(file), str(directory)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


TMPFS_64K = 'mount -t tmpfs -o size=64k reminderd-full "$1"'
READ_ONLY = 'mount --bind -o ro "$1" "$1"'


def test_fault_disk_full_while_writing_the_calendar_keeps_the_old_file(run_cli) -> None:
    calendar = ledger_world(run_cli, count=600)  # a calendar far larger than 64 KiB
    calendar.parent.mkdir()
    # Fill most of the tiny file system with the old calendar, export, then show what the
    # directory holds (from inside: the tmpfs vanishes with the namespace).
    script = "\n".join(
        [
            "set -e",
            TMPFS_64K,
            'head -c 40000 /dev/zero | tr "\\0" O > "$1/r.ics"',
            f"{shlex.join(run_cli.command)} export && echo exit=0 || echo exit=$?",
            'ls -A "$1"',
            'head -c 5 "$1/r.ics"',
        ]
    )
    done = in_namespace(script, calendar.parent, run_cli.env)
    assert "Traceback" not in done.stderr
    assert done.stdout.split() == ["exit=1", "r.ics", "OOOOO"], (done.stdout, done.stderr)
    assert "No space left on device" in done.stderr and str(calendar) in done.stderr


def test_fault_disk_full_while_storing_a_receipt_records_nothing(run_cli) -> None:
    ledger_world(run_cli)
    receipts = run_cli.state_dir / "receipts"
    receipts.mkdir(parents=True, mode=0o700)
    scan = run_cli.root / "scan.pdf"
    scan.write_bytes(os.urandom(200_000))
    pay = shlex.join([*run_cli.command, "pay", "wallet-a", "100", "--receipt", str(scan)])
    script = "\n".join(["set -e", TMPFS_64K, f"{pay} && echo exit=0 || echo exit=$?", 'ls -A "$1"'])
    done = in_namespace(script, receipts, run_cli.env)
    assert done.stdout.split() == ["exit=1"], (done.stdout, done.stderr)  # no partial file
    assert "Traceback" not in done.stderr and "nothing was recorded" in done.stderr
    assert run_cli.json("history", "--json") == []


def test_fault_read_only_receipts_directory_records_nothing(run_cli) -> None:
    ledger_world(run_cli)
    receipts = run_cli.state_dir / "receipts"
    receipts.mkdir(parents=True, mode=0o700)
    scan = run_cli.root / "scan.jpg"
    scan.write_bytes(b"\xff\xd8\xff receipt")
    pay = shlex.join([*run_cli.command, "pay", "wallet-a", "100", "--receipt", str(scan)])
    script = "\n".join(["set -e", READ_ONLY, f"{pay} && echo exit=0 || echo exit=$?"])
    done = in_namespace(script, receipts, run_cli.env)
    assert done.stdout.split() == ["exit=1"], (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "Read-only file system" in done.stderr
    assert list(receipts.iterdir()) == []
    assert run_cli.json("history", "--json") == []


COMMAND_CONFIG = """\
timezone: UTC
reminders: {{before: [0s], overdue_every: never}}
channels: {{command: {{argv: [{script}], timeout: 5s}}}}
calendar: {{path: {calendar}}}
loans:
{loans}"""


def recording_script(directory: Path) -> tuple[Path, Path]:
    """A ``command`` channel program that appends ``$REMINDERD_KEY`` to a file."""
    record = directory / "delivered.txt"
    script = directory / "record-key"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$REMINDERD_KEY" >> {record}\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, record


def test_fault_config_deleted_keeps_running_and_delivering_then_replaced_is_picked_up(
    tmp_path, ca_file, services
) -> None:
    script, record = recording_script(tmp_path)
    world = World(tmp_path, "unix:path=/nonexistent", 1, ca_file)

    def write(loans: str) -> None:
        text = COMMAND_CONFIG.format(script=script, calendar=tmp_path / "r.ics", loans=loans)
        temporary = world.config.with_suffix(".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, world.config)

    write(once("first", "First", stamp(seconds_ahead(3))))
    service = world.service()
    services.append(service)
    service.start()
    world.config.unlink()
    log = service.log
    assert wait_for(lambda: "keeping the last good config" in log(), PATIENCE), log()
    assert wait_for(lambda: record.exists() and "first/" in record.read_text(), PATIENCE), log()
    assert service.alive()
    write(once("second", "Second", stamp(seconds_ahead(2))))
    assert wait_for(lambda: "second/" in record.read_text(), PATIENCE), service.log()
    assert "config reloaded" in service.log()
    assert service.stop() == 0
    with sqlite3.connect(world.state / "reminderd.sqlite3") as conn:
        sent = conn.execute("SELECT count(*) FROM deliveries WHERE state = 'sent'").fetchone()
    assert sent == (2,)
