"""The calendar file and the served feed follow the ledger (issue 11, item 6): concurrent
``pay`` commands leave a calendar showing every payment, the running service notices a
payment recorded by another program and serves it within 2 s, and the ETag changes only when
the calendar's bytes do. The installed command, a real SQLite ledger, a real HTTP feed."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from reminderd.calendar import feed
from tests.e2e.conftest import Cli
from tests.support.service import PATIENCE, ServiceProcess, wait_for
from tests.support.smtp import free_port

PAYS = 30


def filler(count: int) -> str:
    """``count`` more loans, so that writing the calendar takes long enough (10,800 events,
    about 0.4 s) for concurrent writers to overlap: with 300 of them the old unlocked
    writes left ¥28 or ¥29 of ¥30 showing in two runs of two."""
    first = (datetime.now(UTC) + timedelta(days=40)).date().isoformat()
    return "".join(
        f"  - id: filler-{index}\n    name: Invented loan {index}\n"
        f"    plan: {{kind: equal_principal, principal: 3600, count: 36, first_due: {first}}}\n"
        for index in range(count)
    )


def config_text(root: Path, calendar: Path, port: int | None = None, more: int = 0) -> str:
    due = (datetime.now(UTC) + timedelta(days=40)).date().isoformat()  # never passes in a test
    serve = f', serve: {{listen: "127.0.0.1:{port}"}}' if port else ""
    return f"""timezone: UTC
locale: en
currency: CNY
reminders: {{before: [1d], overdue_every: never}}
channels:
  command: {{argv: [/bin/true]}}
calendar: {{path: {calendar}{serve}}}
loans:
  - id: car
    name: Invented car loan
    plan: {{kind: once, due: "{due}", amount: 100}}
""" + filler(more)


def paid_line(ics: bytes) -> str:
    """The event's "Paid: ..." line (its DESCRIPTION lists amount, paid, outstanding)."""
    [event] = [
        event
        for event in icalendar.Calendar.from_ical(ics).walk("VEVENT")
        if str(event["UID"]).startswith("car-")
    ]
    lines = str(event["DESCRIPTION"]).splitlines()
    return next(line for line in lines if line.startswith("Paid:"))


def test_thirty_concurrent_pays_leave_the_calendar_showing_all(run_cli: Cli) -> None:
    calendar = run_cli.root / "out" / "repayments.ics"
    run_cli.write_config(config_text(run_cli.root, calendar, more=300))
    assert run_cli("export").returncode == 0  # `pay` rewrites a calendar that exists
    processes = [
        subprocess.Popen(
            [*run_cli.command, "pay", "car", "1"],
            env=run_cli.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=run_cli.root,
        )
        for _ in range(PAYS)
    ]
    errors = [process.communicate(timeout=120)[1] for process in processes]
    assert [process.returncode for process in processes] == [0] * PAYS, errors
    assert len(run_cli.json("history", "--json")) == PAYS
    # 30 payments of ¥1 on a ¥100 installment: ¥30.00 paid, ¥70.00 outstanding.
    assert paid_line(calendar.read_bytes()) == "Paid: CN¥30.00"
    assert sorted(path.name for path in calendar.parent.iterdir()) == ["repayments.ics"]


def get(port: int, secret: str, etag: str | None = None) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"If-None-Match": etag} if etag else {}
        connection.request("GET", feed.feed_path(secret), headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("ETag") or "", response.read()
    finally:
        connection.close()


@pytest.fixture
def served(run_cli: Cli):
    """The service running with its feed; yields (port, secret, calendar path)."""
    port = free_port()
    calendar = run_cli.root / "repayments.ics"
    run_cli.write_config(config_text(run_cli.root, calendar, port))
    service = ServiceProcess(run_cli.config, run_cli.state_dir, run_cli.env)
    service.start()
    try:
        secret = feed.load_secret(run_cli.state_dir, create=False)
        assert wait_for(lambda: get(port, secret)[0] == 200, 30), service.log()
        yield service, port, secret, calendar
    finally:
        service.kill()


def test_feed_follows_a_payment_another_program_records_at_once(run_cli: Cli, served) -> None:
    service, port, secret, calendar = served
    status, etag, body = get(port, secret)
    assert paid_line(body) == "Paid: CN¥0.00"
    # A second config for the same ledger whose calendar file does not exist: this `pay`
    # writes no calendar, so only the service noticing the ledger can change the feed.
    other = run_cli.root / "other.yaml"
    other.write_text(config_text(run_cli.root, run_cli.root / "absent" / "cal.ics"))
    done = run_cli("-c", str(other), "pay", "car", "12.5")
    assert done.returncode == 0, done.stderr
    seen: list[tuple[int, str, bytes]] = []

    def reflected() -> bool:
        seen.append(get(port, secret, etag))
        return seen[-1][0] == 200 and paid_line(seen[-1][2]) == "Paid: CN¥12.50"

    # Taken in at once, not at the next 15-minute check. How soon (the README's "within 2 s")
    # is measured by bench/pay_to_feed.py, not asserted on a machine that may be loaded.
    assert wait_for(reflected, PATIENCE, interval=0.05), (seen[-1][:2], service.log())
    assert seen[-1][1] != etag
    assert not (run_cli.root / "absent").exists()
    assert paid_line(calendar.read_bytes()) == "Paid: CN¥12.50"  # the file, not only memory


def test_feed_etag_kept_across_a_reload_that_changes_nothing(run_cli: Cli, served) -> None:
    service, port, secret, calendar = served
    status, etag, body = get(port, secret)
    before = os.stat(calendar)
    os.utime(run_cli.config)  # an editor saving the same text
    service.signal(signal.SIGHUP)
    # The reload makes the writer build the calendar again (it cannot know the config's
    # text changed nothing); the bytes are the same but for DTSTAMP, so the file stays.
    after_reload = lambda: service.log().partition("config reloaded")[2]  # noqa: E731
    assert wait_for(lambda: "calendar " in after_reload(), PATIENCE), service.log()
    assert f"calendar unchanged: {calendar}" in after_reload(), service.log()
    status, again, same = get(port, secret, etag)
    assert (status, again) == (304, etag)
    assert os.stat(calendar).st_ino == before.st_ino  # the file was not replaced
