#!/usr/bin/env python3
"""From ``reminderd pay`` by another program to the served feed showing it: latency in ms.

The README promises: "`pay` rewrites the calendar file itself; the served subscription feed
follows within 2 s (the service watches the ledger with inotify, or looks at its file once a
second where there is none)". This measures the second half, the service noticing the ledger:

* a temporary directory holds a config (timezone UTC, locale en, currency CNY, one
  ``command`` channel running ``/bin/true``, ``--loans`` loans of ``kind: once``, 100 each,
  due 30 days ahead) with ``calendar.serve.listen`` on a free loopback port, and HOME and the
  XDG folders pointed inside it;
* the installed ``reminderd run`` serves it; ``reminderd feed-url`` gives the address, and the
  bench GETs it until 200 and every loan shows ``Paid: CN¥0.00``;
* a second config, the same but with ``calendar.path`` in a folder that does not exist, is
  what ``pay`` runs with: that ``pay`` writes no calendar (it rewrites only one that exists),
  so only the service noticing the ledger can change what the feed serves (the trick of
  ``tests/e2e/test_calendar_lock.py``);
* each of ``--rounds`` rounds pays 1 on the next loan (round-robin) and, from the moment that
  ``pay`` exits, GETs the feed every 10 ms (``If-None-Match`` the last ETag seen) until a 200
  with a new ETag whose event for that loan says ``Paid: CN¥<its new total>``; that time is
  the round's latency. No change within ``--timeout`` (30 s) is a miss.

The table has three rows: from ``pay`` exiting to the feed showing the payment (what the
promise is about), from ``pay`` starting to the same (an upper bound on commit → feed, as the
commit happens somewhere inside ``pay``), and ``pay``'s own run; and how many rounds had the
payment served already at the first GET (the service can react to the commit while ``pay``
is still finishing, so the first row is often the time of one GET).

The ledger watch cannot be forced to polling: ``reminderd/ledger/watch.py`` has no switch (no
option, no environment variable; it polls only where inotify cannot be set up), so only the
inotify path is measured here; the once-a-second polling path is not.

Usage: bench/pay_to_feed.py [--rounds 20] [--loans 3] [--timeout 30]
Everything stays on loopback; the service is stopped with SIGTERM at the end, whatever
happened, and a non-zero exit of it is printed. Nothing is asserted: it prints a table.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

POLL = 0.010  # seconds between two GETs while waiting for the feed
AMOUNT = 100  # each loan's amount: a loan takes at most 99 payments of 1 before it is settled


def reminderd() -> list[str]:
    script = Path(sys.executable).parent / "reminderd"
    return [str(script)] if script.exists() else [sys.executable, "-m", "reminderd"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def config_text(calendar: Path, port: int, loans: list[str]) -> str:
    due = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    lines = [
        "timezone: UTC",
        "locale: en",
        "currency: CNY",
        "reminders: {before: [1d], overdue_every: never}",
        "channels:",
        "  command: {argv: [/bin/true]}",
        f"calendar: {{path: '{calendar}', serve: {{listen: '127.0.0.1:{port}'}}}}",
        "loans:",
    ]
    for loan in loans:
        lines += [
            f"  - id: {loan}",
            f"    name: Invented loan {loan}",
            f"    plan: {{kind: once, due: '{due}', amount: {AMOUNT}}}",
        ]
    return "\n".join(lines) + "\n"


def get(port: int, path: str, etag: str = "") -> tuple[int, str, bytes]:
    """One GET of the feed; return (status, ETag, body), status 0 when no answer came."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"If-None-Match": etag} if etag else {})
        response = connection.getresponse()
        return response.status, response.getheader("ETag") or "", response.read()
    except OSError:
        return 0, "", b""
    finally:
        connection.close()


def paid_shown(ics: bytes, loan: str) -> str | None:
    """The "Paid: …" text of ``loan``'s event (its one installment), or None if not there."""
    text = ics.decode("utf-8", errors="replace").replace("\r\n ", "").replace("\r\n\t", "")
    for event in text.split("BEGIN:VEVENT")[1:]:
        if f"\r\nUID:{loan}-1@" not in event:
            continue
        for line in event.split("\r\n"):
            if line.startswith("DESCRIPTION:"):
                for part in line.split("\\n"):
                    if part.startswith("Paid: "):
                        return part.removeprefix("Paid: ")
    return None


def money(amount: Decimal) -> str:
    return f"CN¥{amount:,.2f}"


def wait_for_feed(
    port: int, path: str, loans: list[str], service: subprocess.Popen, limit: float = 120.0
) -> str:
    """GET until 200 with every loan at CN¥0.00 paid; return the ETag (raise if it never is)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if service.poll() is not None:
            raise SystemExit(f"the service exited with {service.returncode} before its feed")
        status, etag, body = get(port, path)
        if status == 200 and all(paid_shown(body, loan) == money(Decimal(0)) for loan in loans):
            return etag
        time.sleep(0.05)
    raise SystemExit(f"no feed at 127.0.0.1:{port} within {limit:.0f} s")


def one_round(
    port: int, path: str, etag: str, loan: str, expected: str, timeout: float
) -> tuple[float | None, str, int]:
    """Poll from now until the feed shows ``expected`` for ``loan``; return (seconds, or None
    for a miss; the last ETag seen; the number of GETs made)."""
    start = time.perf_counter()
    gets = 0
    while True:
        status, new_etag, body = get(port, path, etag)
        gets += 1
        elapsed = time.perf_counter() - start
        if status == 200 and new_etag != etag:
            etag = new_etag  # a newer calendar; ask with its ETag from now on
            if paid_shown(body, loan) == expected:
                return elapsed, etag, gets
        if elapsed >= timeout:
            return None, etag, gets
        time.sleep(POLL)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of ``values`` (sorted here)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def row(label: str, rounds: int, samples: list[float], misses: int) -> str:
    if not samples:
        return f"| {label} | {rounds} | n/a | n/a | n/a | n/a | {misses} |"
    cells = [
        label,
        str(rounds),
        ms(min(samples)),
        ms(statistics.median(samples)),
        ms(percentile(samples, 0.9)),
        ms(max(samples)),
        str(misses),
    ]
    return "| " + " | ".join(cells) + " |"


def table(
    rounds: int, figures: dict[str, list[float]], misses: int, at_once: int, load: str
) -> list[str]:
    return [
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}; "
        f"load average at the start {load}; ledger watch: inotify (no switch for polling).",
        "",
        "| from | rounds | min ms | median ms | p90 ms | max ms | misses |",
        "|---|---:|---:|---:|---:|---:|---:|",
        row("`pay` exiting, to the feed showing it", rounds, figures["exit"], misses),
        row("`pay` starting, to the feed showing it", rounds, figures["start"], misses),
        row("`pay` starting, to `pay` exiting", rounds, figures["pay"], 0),
        "",
        f"Already served at the first GET after `pay` exited: {at_once} of "
        f"{len(figures['exit'])} rounds (then a GET every {POLL * 1000:.0f} ms).",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--loans", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per round")
    args = parser.parse_args()
    count = max(args.loans, -(-args.rounds // (AMOUNT - 1)), 1)
    loans = [f"loan-{index}" for index in range(count)]
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    figures: dict[str, list[float]] = {"exit": [], "start": [], "pay": []}
    misses = at_once = 0
    with tempfile.TemporaryDirectory(prefix="reminderd-pay-to-feed-") as name:
        root = Path(name)
        port = free_port()
        config = root / "config.yaml"
        config.write_text(config_text(root / "cal.ics", port, loans), encoding="utf-8")
        other = root / "other.yaml"
        absent = root / "absent"
        other.write_text(config_text(absent / "cal.ics", port, loans), encoding="utf-8")
        state = root / "state"
        env = {
            **os.environ,
            "HOME": str(root / "home"),
            "XDG_CONFIG_HOME": str(root / "xdg-config"),
            "XDG_DATA_HOME": str(root / "xdg-data"),
            "XDG_STATE_HOME": str(root / "xdg-state"),
            "PYTHONUTF8": "1",
        }
        for variable in (
            "REMINDERD_CONFIG",
            "REMINDERD_STATE_DIR",
            "STATE_DIRECTORY",
            "NOTIFY_SOCKET",
            "DBUS_SESSION_BUS_ADDRESS",
        ):
            env.pop(variable, None)

        def command(config_file: Path, *words: str) -> list[str]:
            return [*reminderd(), "-c", str(config_file), "--state-dir", str(state), *words]

        # feed-url first: it makes the secret, which the service then reads (no race on it).
        shown = subprocess.run(
            command(config, "feed-url"),
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if shown.returncode != 0:
            raise SystemExit(f"feed-url failed with {shown.returncode}: {shown.stderr}")
        url = next(line for line in shown.stdout.split() if line.startswith("http://"))
        path = urlsplit(url).path
        log = root / "service.log"
        with open(log, "wb") as log_file:
            service = subprocess.Popen(
                command(config, "run"),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
            )
        try:
            etag = wait_for_feed(port, path, loans, service)
            paid = dict.fromkeys(loans, Decimal(0))
            for number in range(args.rounds):
                loan = loans[number % len(loans)]
                started = time.perf_counter()
                done = subprocess.run(
                    command(other, "pay", loan, "1"),
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                    check=False,
                    timeout=120,
                )
                if done.returncode != 0:
                    print(f"round {number + 1}: pay failed ({done.returncode}): {done.stderr}")
                    misses += 1
                    continue
                took = time.perf_counter() - started  # to the moment `pay` exited
                paid[loan] += 1
                seconds, etag, gets = one_round(
                    port, path, etag, loan, money(paid[loan]), args.timeout
                )
                figures["pay"].append(took)
                if seconds is None:
                    misses += 1
                    continue
                figures["exit"].append(seconds)
                figures["start"].append(took + seconds)
                at_once += gets == 1
            if absent.exists():
                print(f"warning: {absent} was made: `pay` wrote a calendar, figures are void")
        finally:
            service.send_signal(signal.SIGTERM)
            try:
                code = service.wait(timeout=60)
            except subprocess.TimeoutExpired:
                service.kill()
                code = service.wait()
            if code != 0:
                print(f"the service exited with {code}, not 0; its log:")
                print(log.read_text(errors="replace")[-4000:])
    print("\n".join(table(args.rounds, figures, misses, at_once, load)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
