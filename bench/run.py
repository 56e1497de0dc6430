#!/usr/bin/env python3
"""reminderd benchmark: prints a Markdown table of the figures issue "Performance" asks for.

For each size it generates a config of N loans (36 monthly equal-principal installments each,
leads 7d/3d/1d/0d), then measures the installed command as a user runs it:

* ``check``, ``upcoming --json`` and ``export`` wall time (median of --repeat runs);
* ``run``: time from start to READY=1 on a NOTIFY_SOCKET of our own, RSS once ready;
* the lag between a reminder's instant and its delivery to a command channel (a shell
  script that appends the time);
* CPU ticks and wake-ups (voluntary context switches, all threads) over --idle seconds;
* ``reminderd --version`` against a bare ``python -c pass``.

Usage: bench/run.py [--sizes 10,100,1000,10000] [--idle 60] [--repeat 3]
Everything stays on this machine; the service is stopped at the end of each size.
"""

from __future__ import annotations

import argparse
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
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def reminderd() -> list[str]:
    script = Path(sys.executable).parent / "reminderd"
    return [str(script)] if script.exists() else [sys.executable, "-m", "reminderd"]


def write_config(directory: Path, size: int, lag_due: datetime | None) -> Path:
    today = datetime.now(UTC).date()
    notifier = directory / "notify.sh"
    notifier.write_text(f'#!/bin/sh\ndate +%s.%N >> "{directory}/delivered.txt"\n')
    notifier.chmod(0o755)
    lines = [
        "timezone: Asia/Shanghai",
        "currency: CNY",
        "reminders: {before: [7d, 3d, 1d, 0d], time: '09:00', overdue_every: 1d}",
        "channels:",
        f"  command: {{argv: ['{notifier}'], timeout: 10s}}",
        f"calendar: {{path: '{directory}/repayments.ics'}}",
        "loans:",
    ]
    for index in range(size):
        first = today + timedelta(days=10 + index % 28)
        lines += [
            f"  - id: loan-{index:05d}",
            f"    name: Invented loan {index}",
            "    plan: {kind: equal_principal, principal: "
            f"{10000 + index}, count: 36, first_due: {first}, annual_rate: 0.12}}",
        ]
    if lag_due is not None:
        stamp = lag_due.strftime("%Y-%m-%d %H:%M:%S")
        lines += [
            "  - id: lag-probe",
            "    name: Lag probe",
            "    timezone: UTC",
            f"    plan: {{kind: once, due: '{stamp}', amount: 1}}",
            "    reminders: {before: [0s], overdue_every: never}",
        ]
    path = directory / "config.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def timed(command: list[str], repeat: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cpu_and_switches(pid: int) -> tuple[int, int]:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime, all threads
    switches = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if line.startswith("voluntary_ctxt_switches"):
                switches += int(line.split()[1])
    return ticks, switches


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")


def settle(pid: int, quiet: float = 3.0, limit: float = 60.0) -> None:
    """Wait until the service has used no CPU for ``quiet`` seconds: the probe's delivery and
    the calendar rewrite it causes (seconds, for 10,000 loans) are work, not idling."""
    deadline = time.monotonic() + limit
    last, since = cpu_and_switches(pid)[0], time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet:
        time.sleep(0.5)
        ticks = cpu_and_switches(pid)[0]
        if ticks != last:
            last, since = ticks, time.monotonic()


def time_to_ready(directory: Path, size: int, env: dict[str, str]) -> float:
    """One start of the service, from exec to READY=1; it is stopped again at once."""
    config = write_config(directory, size, None)
    sock_path = directory / "ready.sock"
    sock_path.unlink(missing_ok=True)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(sock_path))
        listener.settimeout(120)
        start = time.perf_counter()
        process = subprocess.Popen(
            [*reminderd(), "-c", str(config), "--state-dir", str(directory / "state"), "run"],
            env={**env, "NOTIFY_SOCKET": str(sock_path)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while "READY=1" not in listener.recv(4096).decode().splitlines():
                pass
            return time.perf_counter() - start
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


def measure_service(directory: Path, size: int, idle: float, env: dict[str, str]) -> dict:
    lag_due = (datetime.now(UTC) + timedelta(seconds=8 + size / 1000)).replace(microsecond=0)
    config = write_config(directory, size, lag_due)
    sock_path = directory / "notify.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(sock_path))
    listener.settimeout(60)
    state = directory / "state"
    start = time.perf_counter()
    process = subprocess.Popen(
        [*reminderd(), "-c", str(config), "--state-dir", str(state), "run"],
        env={**env, "NOTIFY_SOCKET": str(sock_path)},
        stdout=subprocess.DEVNULL,
        stderr=open(directory / "service.log", "wb"),  # noqa: SIM115
    )
    try:
        ready = None
        while ready is None:
            message = listener.recv(4096).decode()
            if "READY=1" in message.splitlines():
                ready = time.perf_counter() - start
        rss = rss_mb(process.pid)
        delivered = directory / "delivered.txt"
        deadline = time.time() + 60
        # `>>` creates the file before `date` writes to it: wait for the line, not the file.
        while not (delivered.exists() and delivered.read_text().strip()) and time.time() < deadline:
            time.sleep(0.05)
        lag = (
            float(delivered.read_text().split()[0]) - lag_due.timestamp()
            if delivered.exists()
            else float("nan")
        )
        settle(process.pid)
        ticks_before, switches_before = cpu_and_switches(process.pid)
        time.sleep(idle)
        ticks_after, switches_after = cpu_and_switches(process.pid)
        return {
            "ready": ready,
            "rss": rss,
            "lag": lag,
            "idle_ticks": ticks_after - ticks_before,
            "idle_wakeups": switches_after - switches_before,
        }
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        listener.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000,10000")
    parser.add_argument("--idle", type=float, default=60.0, help="idle window, seconds")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    env = {**os.environ, "TZ": "Asia/Shanghai"}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)

    bare = timed([sys.executable, "-c", "pass"], 10, env)
    version = timed([*reminderd(), "--version"], 10, env)

    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"reminderd-bench-{size}-") as name:
            directory = Path(name)
            config = write_config(directory, size, None)
            base = [*reminderd(), "-c", str(config), "--state-dir", str(directory / "state")]
            check = timed([*base, "check"], args.repeat, env)
            upcoming = timed([*base, "upcoming", "--json"], args.repeat, env)
            export = timed([*base, "export", "-o", str(directory / "out.ics")], args.repeat, env)
            ready = statistics.median(
                time_to_ready(directory, size, env) for _ in range(args.repeat)
            )
            service = measure_service(directory, size, args.idle, env)
            service["ready"] = ready
            rows.append((size, check, upcoming, export, service))
            print(f"… {size} loans done", file=sys.stderr)  # noqa: T201

    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "  # noqa: T201
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}; "
        f"idle window {args.idle:.0f} s; medians of {args.repeat} runs.\n"
    )
    print(
        "| loans | instants | check | upcoming --json | export | start→READY | RSS ready | "  # noqa: T201
        "idle CPU ticks | idle wake-ups | delivery lag |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")  # noqa: T201
    for size, check, upcoming, export, service in rows:
        print(  # noqa: T201
            f"| {size:,} | {size * 36 * 4:,} | {check:.2f} s | {upcoming:.2f} s | {export:.2f} s"
            f" | {service['ready']:.2f} s | {service['rss']:.0f} MB | {service['idle_ticks']}"
            f" | {service['idle_wakeups']} | {service['lag'] * 1000:.0f} ms |"
        )
    print(
        f"\n`reminderd --version`: {version * 1000:.0f} ms; bare `python -c pass`: "  # noqa: T201
        f"{bare * 1000:.0f} ms (×{version / bare:.1f})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
