"""The installed ``reminderd run`` under a wall clock that jumps (libfaketime) and a disk that
fills under its delivery log (a real 2 MiB tmpfs), issue 11.3 and 11.4.

The clock: libfaketime (``LD_PRELOAD``) moves only what the service reads as the wall clock
(``clock_gettime(CLOCK_REALTIME)``, so ``datetime.now`` and ``time.time``), from the offset
in ``FAKETIME_TIMESTAMP_FILE``, re-read at every call (``FAKETIME_NO_CACHE=1``); the
monotonic clock stays real (``FAKETIME_DONT_FAKE_MONOTONIC=1``), as it does when a real clock
is set. What libfaketime cannot fake: the kernel's clock-set notification (a ``timerfd`` with
``TFD_TIMER_CANCEL_ON_SET`` fires only on a real ``clock_settime``), a suspend (boot time
and monotonic time diverging), and the clocks of processes that do not load it. So the
service's own jump detection is exercised through its monotonic watch, shortened from 15
minutes to 1 s by ``REMINDERD_WATCH_SECONDS``.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.e2e.test_delivery_integrity import Recorder, command_channel, once, write_config
from tests.support.service import ServiceProcess, seconds_ahead, wait_for

FAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1")
DEADLINE = 40.0

needs_faketime = pytest.mark.skipif(not FAKETIME.exists(), reason="needs libfaketime")


class FakeClock:
    """The offset file libfaketime reads: ``+3600`` is an hour ahead of the real clock."""

    def __init__(self, directory: Path, offset: int) -> None:
        self.path = directory / "faketime.txt"
        self.set(offset)

    def set(self, offset: int) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(f"{offset:+d}\n")
        os.replace(temporary, self.path)  # never a half-written offset

    def env(self) -> dict[str, str]:
        return {
            "LD_PRELOAD": str(FAKETIME),
            "FAKETIME_TIMESTAMP_FILE": str(self.path),
            "FAKETIME_NO_CACHE": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "REMINDERD_WATCH_SECONDS": "1",
        }


def service_for(tmp_path: Path, services: list, env: dict[str, str]) -> ServiceProcess:
    service = ServiceProcess(
        tmp_path / "config.yaml", tmp_path / "state", {"HOME": str(tmp_path), **env}
    )
    services.append(service)
    return service


@needs_faketime
def test_clock_set_back_never_sends_an_earlier_kind_after_overdue(tmp_path, services) -> None:
    # The service starts an hour ahead: b1 (due in 30 s, reminders 10 s before and at the
    # due instant) is long past due, so it gets one OVERDUE catch-up. Then the clock is set
    # back to the real time, 10 s before the "ahead" reminder: it must not be sent ("due
    # soon" after "OVERDUE"), nor the "due" one (already sent, as the catch-up).
    recorder = Recorder(tmp_path)
    config = tmp_path / "config.yaml"
    due = seconds_ahead(30)
    channels = command_channel(recorder, "10s")
    write_config(config, once("b1", due), channels=channels, before="[10s, 0s]")
    clock = FakeClock(tmp_path, +3600)
    service = service_for(tmp_path, services, clock.env())
    service.start()
    assert wait_for(lambda: recorder.kinds("b1"), DEADLINE), service.log()
    # The overdue message, marked as missed.
    assert recorder.kinds("b1") == ["catchup"], (recorder.path.read_text(), service.log())
    clock.set(0)
    assert wait_for(lambda: "wall clock jumped by -36" in service.log(), DEADLINE), service.log()
    # A sentinel after b1's two instants on the same first-in first-out worker: when it is
    # done, anything sent for b1 at those instants would have been sent before it.
    sentinel = due + timedelta(seconds=3)
    write_config(
        config, once("b1", due) + once("zz", sentinel), channels=channels, before="[10s, 0s]"
    )
    assert wait_for(lambda: recorder.kinds("zz"), DEADLINE + 30), service.log()
    assert recorder.kinds("b1") == ["catchup"], (recorder.path.read_text(), service.log())
    assert service.stop(timeout=30) == 0, service.log()


@needs_faketime
def test_clock_set_forward_sends_what_fell_due_without_waiting_for_the_old_timer(
    tmp_path, services
) -> None:
    # f1 is due in an hour. The clock is set 3,605 s forward: the scheduler's wait (an hour
    # on the monotonic clock) would sleep through it; the watch sees the jump and checks.
    recorder = Recorder(tmp_path)
    config = tmp_path / "config.yaml"
    write_config(config, once("f1", seconds_ahead(3600)), channels=command_channel(recorder))
    clock = FakeClock(tmp_path, 0)
    service = service_for(tmp_path, services, clock.env())
    service.start()
    # The first tick writes the calendar; after it the scheduler sleeps on a wait measured
    # on the old clock (an hour), which is the moment to jump.
    assert wait_for(lambda: (tmp_path / "r.ics").exists(), DEADLINE), service.log()
    clock.set(+3605)
    assert wait_for(lambda: recorder.kinds("f1"), DEADLINE), service.log()
    # 5 s past due is within the 5-minute grace: on time, not a catch-up.
    assert recorder.kinds("f1") == ["due"]
    # The watch logs the jump at its next 1 s wake (possibly just after the send).
    assert wait_for(lambda: "wall clock jumped by +360" in service.log(), DEADLINE), service.log()
    assert service.stop(timeout=30) == 0, service.log()


def private_tmpfs(state: Path) -> tuple[str, ...]:
    """A prefix that runs the service in a private mount namespace with ``state`` on a
    2 MiB tmpfs, seen by nothing else and gone with the process. As root, a mount namespace;
    as anyone else, a user namespace too (``unshare -r``), where the service is root only
    over its own mounts: no privilege needed where user namespaces are enabled."""
    if shutil.which("unshare") is None or shutil.which("nsenter") is None:
        pytest.skip("needs unshare and nsenter (util-linux)")
    user = () if os.geteuid() == 0 else ("-r",)
    probe = subprocess.run(
        ["unshare", *user, "-m", "--propagation", "private", "true"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip(f"cannot make a private mount namespace here: {probe.stderr.strip()}")
    script = 'mount -t tmpfs -o size=2m,mode=0700 reminderd-full "$0" && exec "$@"'
    return ("unshare", *user, "-m", "--propagation", "private", "sh", "-c", script, str(state))


def states_inside(pid: int, state: Path) -> dict[str, str]:
    """The delivery log as the service sees it: read inside its mount namespace (SQLite
    resolves ``/proc/PID/root``, a symbolic link, to the host's path)."""
    query = (
        "import sqlite3, sys, json; conn = sqlite3.connect(sys.argv[1]); "
        "print(json.dumps(dict(conn.execute('SELECT loan_id, state FROM deliveries'))))"
    )
    user = () if os.geteuid() == 0 else ("-U", "--preserve-credentials")
    done = subprocess.run(
        [
            "nsenter",
            "-t",
            str(pid),
            *user,
            "-m",
            sys.executable,
            "-c",
            query,
            str(state / "reminderd.sqlite3"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(done.stdout)


def test_disk_full_after_sending_records_later_and_never_resends(tmp_path, services) -> None:
    # The channel's program fills the disk under the state database (once), then succeeds:
    # the message went out but "sent" cannot be written. The worker retries the write
    # (sending nothing else meanwhile); when space returns it is recorded, and the next
    # check does not send it again.
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    record = tmp_path / "delivered.txt"
    filled = tmp_path / "filled-once"
    script = tmp_path / "fill-then-record"
    script.write_text(
        "#!/bin/sh\n"
        f"if [ ! -e {filled} ]; then\n"
        f"  touch {filled}; cat /dev/zero > {state}/filler 2>/dev/null\n"
        "fi\n"
        f'echo "$REMINDERD_KEY" >> {record}\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    config = tmp_path / "config.yaml"
    channels = f"  command: {{argv: [{script}], timeout: 20s}}"
    due = seconds_ahead(3)
    write_config(config, once("d1", due), channels=channels)
    service = service_for(tmp_path, services, {})
    service.start(prefix=private_tmpfs(state))
    assert wait_for(lambda: record.exists() and record.read_text(), DEADLINE), service.log()
    assert wait_for(lambda: "could not record the delivery" in service.log(), DEADLINE), (
        service.log()
    )
    inside = Path(f"/proc/{service.process.pid}/root") / state.relative_to("/")
    (inside / "filler").unlink()  # space returns
    assert wait_for(lambda: "recorded the delivery of d1" in service.log(), DEADLINE), service.log()
    # A sentinel after it on the same first-in first-out worker.
    write_config(config, once("d1", due) + once("zz", seconds_ahead(2)), channels=channels)
    assert wait_for(lambda: "zz/" in record.read_text(), DEADLINE), service.log()
    assert wait_for(lambda: "sent zz" in service.log(), DEADLINE), service.log()
    assert states_inside(service.process.pid, state) == {"d1": "sent", "zz": "sent"}
    assert [line.split("/")[0] for line in record.read_text().splitlines()] == ["d1", "zz"]
    assert service.stop() == 0


def test_a_failing_check_is_retried_within_seconds_not_a_minute(tmp_path, services) -> None:
    # The state database is unusable when the reminder falls due (a directory stands where
    # the file was: every connection fails, as with a disk that refuses to be read), then
    # comes back. The check is retried after 1 s, 2 s, 4 s …, so the reminder goes out
    # seconds after the database returns, not at a fixed minute's retry.
    recorder = Recorder(tmp_path)
    config = tmp_path / "config.yaml"
    write_config(config, once("c1", seconds_ahead(6)), channels=command_channel(recorder))
    service = service_for(tmp_path, services, {})
    service.start()
    database = tmp_path / "state" / "reminderd.sqlite3"
    aside = database.with_name("aside.sqlite3")
    database.rename(aside)
    database.mkdir()
    try:
        assert wait_for(lambda: "checking for due reminders failed" in service.log(), DEADLINE)
    finally:
        database.rmdir()
        aside.rename(database)
    assert "trying again in 1s" in service.log()
    # Less than the old fixed minute, with room for a loaded machine: 1+2+4+8 s of backoff.
    assert wait_for(lambda: recorder.kinds("c1"), 30), service.log()
    assert service.stop() == 0
