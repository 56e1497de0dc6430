#!/usr/bin/env python3
"""reminderd benchmark: prints the Markdown table of the figures issue 17 asks for.

For each size it generates a config of N loans (36 monthly equal-principal installments each,
leads 7d/3d/1d/0d) and measures the installed command as a user runs it. Every figure is
given as median (min–max) over ``--repeat`` runs:

* ``check``, ``upcoming --json`` and ``export``: wall time; ``export``'s peak RSS (the child's
  ``ru_maxrss`` from ``wait4``);
* ``run``, one service per repeat, with ten more loans ("lag probes") due at one instant:
  start → READY=1 on a NOTIFY_SOCKET of ours (read all along, never left full); VmRSS at READY;
  the lag from the probes' instant to the first and to the tenth line a ``command`` channel
  appends (read only once all ten complete lines are there); **steady** VmRSS once the first
  calendar write is done and the service has used no CPU for 3 s; **peak** RSS (VmHWM); then
  CPU ticks and wake-ups (voluntary context switches of every thread) over ``--idle`` seconds
  (≥ 60 s for the README; the 15-minute watch cannot show in such a window: it is 4 an hour);
* ``reminderd --version`` against the same venv's interpreter started the same way (the
  console script's shebang: no flags, so both process the venv's ``.pth`` files) and with
  ``-S`` (no site: the interpreter's floor).

Usage: bench/run.py [--sizes 1000,10000] [--idle 60] [--repeat 3]
Everything stays on this machine; each service is stopped before the next starts.
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
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROBES = 10


def reminderd() -> list[str]:
    script = Path(sys.executable).parent / "reminderd"
    return [str(script)] if script.exists() else [sys.executable, "-m", "reminderd"]


def write_config(directory: Path, size: int, lag_due: datetime | None) -> Path:
    today = datetime.now(UTC).date()
    notifier = directory / "notify.sh"
    # One line per delivery, written whole by a single write (printf of a short line).
    notifier.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$(date +%s.%N)" >> "{directory}/delivered.txt"\n'
    )
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
        for probe in range(PROBES):
            lines += [
                f"  - id: lag-probe-{probe}",
                f"    name: Lag probe {probe}",
                "    timezone: UTC",
                f"    plan: {{kind: once, due: '{stamp}', amount: 1}}",
                "    reminders: {before: [0s], overdue_every: never}",
            ]
    path = directory / "config.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


class Figure(list[float]):
    """Samples of one figure; printed as median (min–max)."""

    def show(self, unit: str = "", scale: float = 1.0, digits: int = 2) -> str:
        if not self:
            return "n/a"
        values = [value * scale for value in self]
        med = f"{statistics.median(values):.{digits}f}" + (f" {unit}" if unit else "")
        if len(values) == 1:
            return med
        return f"{med} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def run_timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``command``; return (wall seconds, peak RSS in MB of the child)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with {process.returncode}")
    return elapsed, usage.ru_maxrss / 1024


def cpu_and_switches(pid: int) -> tuple[int, int]:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime, all threads
    switches = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            status = (task / "status").read_text()
        except OSError:
            continue  # a thread that ended meanwhile
        for line in status.splitlines():
            if line.startswith("voluntary_ctxt_switches"):
                switches += int(line.split()[1])
    return ticks, switches


def status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_until(predicate: Callable[[], bool], limit: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def settle(pid: int, quiet: float = 3.0, limit: float = 120.0) -> None:
    """Wait until the service has used no CPU for ``quiet`` seconds."""
    deadline = time.monotonic() + limit
    last, since = cpu_and_switches(pid)[0], time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet:
        time.sleep(0.25)
        ticks = cpu_and_switches(pid)[0]
        if ticks != last:
            last, since = ticks, time.monotonic()


class NotifyListener:
    """Our NOTIFY_SOCKET: a thread reads every datagram for as long as the service runs, as a
    service manager does (an unread socket fills after 10 and blocks a careless sender)."""

    def __init__(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        self.path = path
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(str(path))
        self.socket.settimeout(0.5)
        self.ready_at: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                message = self.socket.recv(65536).decode(errors="replace")
            except TimeoutError:
                continue
            except OSError:
                return
            if self.ready_at is None and "READY=1" in message.splitlines():
                self.ready_at = time.perf_counter()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.socket.close()
        self.path.unlink(missing_ok=True)


def delivered_times(path: Path) -> list[float]:
    """The complete lines of ``delivered.txt`` (a line still being written is not counted)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    complete = text[: text.rfind("\n") + 1]
    return [float(line) for line in complete.split()]


def one_service(directory: Path, size: int, idle: float, ready_guess: float, env: dict) -> dict:
    """Start a service with the probes due ``ready_guess``-based seconds ahead; measure it."""
    lead = 6 + 3 * ready_guess
    lag_due = (datetime.now(UTC) + timedelta(seconds=lead)).replace(microsecond=0)
    config = write_config(directory, size, lag_due)
    delivered = directory / "delivered.txt"
    delivered.unlink(missing_ok=True)
    state = directory / "state"
    calendar = directory / "repayments.ics"
    calendar.unlink(missing_ok=True)
    listener = NotifyListener(directory / "notify.sock")
    start = time.perf_counter()
    with open(directory / "service.log", "wb") as log:
        process = subprocess.Popen(
            [*reminderd(), "-c", str(config), "--state-dir", str(state), "run"],
            env={**env, "NOTIFY_SOCKET": str(listener.path)},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    figures: dict[str, float] = {}
    try:
        if not wait_until(lambda: listener.ready_at is not None, 300, 0.01):
            raise SystemExit(f"no READY within 300 s; see {directory / 'service.log'}")
        assert listener.ready_at is not None  # noqa: S101 - waited for above
        figures["ready"] = listener.ready_at - start
        figures["rss_ready"] = status_mb(process.pid, "VmRSS")
        if not wait_until(lambda: len(delivered_times(delivered)) >= PROBES, lead + 120):
            raise SystemExit(f"the {PROBES} probes were not all delivered; see service.log")
        times = sorted(delivered_times(delivered))
        figures["lag_first"] = times[0] - lag_due.timestamp()
        figures["lag_tenth"] = times[PROBES - 1] - lag_due.timestamp()
        wait_until(calendar.exists, 300, 0.1)  # the first calendar write
        settle(process.pid)
        figures["rss_steady"] = status_mb(process.pid, "VmRSS")
        figures["rss_peak"] = status_mb(process.pid, "VmHWM")
        ticks_before, switches_before = cpu_and_switches(process.pid)
        time.sleep(idle)
        ticks_after, switches_after = cpu_and_switches(process.pid)
        figures["idle_ticks"] = ticks_after - ticks_before
        figures["idle_wakeups"] = switches_after - switches_before
        return figures
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        listener.close()


def measure_size(size: int, repeat: int, idle: float, env: dict) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}

    def add(name: str, value: float) -> None:
        figures.setdefault(name, Figure()).append(value)

    with tempfile.TemporaryDirectory(prefix=f"reminderd-bench-{size}-") as name:
        directory = Path(name)
        config = write_config(directory, size, None)
        base = [*reminderd(), "-c", str(config), "--state-dir", str(directory / "state")]
        for _ in range(repeat):
            add("check", run_timed([*base, "check"], env)[0])
            add("upcoming", run_timed([*base, "upcoming", "--json"], env)[0])
            seconds, peak = run_timed([*base, "export", "-o", str(directory / "out.ics")], env)
            add("export", seconds)
            add("export_peak", peak)
        (directory / "out.ics").unlink()
        guess = 1.0 + size / 2000
        for _ in range(repeat):
            for key, value in one_service(directory, size, idle, guess, env).items():
                add(key, value)
            guess = max(figures["ready"])
    return figures


def startup(env: dict[str, str], runs: int = 15) -> tuple[Figure, Figure, Figure]:
    python = os.path.realpath(Path(sys.executable).parent / "python3")
    script = reminderd()
    shebang = Path(script[0]).read_text().splitlines()[0] if len(script) == 1 else ""
    interpreter = shebang[2:].split() if shebang.startswith("#!") else [sys.executable]
    version, bare, floor = Figure(), Figure(), Figure()
    for _ in range(runs):
        version.append(run_timed([*script, "--version"], env)[0])
        bare.append(run_timed([*interpreter, "-c", "pass"], env)[0])
        floor.append(run_timed([python, "-S", "-c", "pass"], env)[0])
    return version, bare, floor


def load_text() -> str:
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def table(rows: Sequence[tuple[int, dict[str, Figure]]]) -> list[str]:
    out = [
        "| loans | events | check | upcoming --json | export | export peak RSS | start→READY "
        "| RSS at READY | steady RSS | peak RSS (VmHWM) | idle CPU ticks | idle wake-ups "
        "| lag, first of 10 | lag, tenth of 10 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, f in rows:
        cells = [
            f"{size:,}",
            f"{size * 36:,}",
            f["check"].show("s"),
            f["upcoming"].show("s"),
            f["export"].show("s"),
            f["export_peak"].show("MB", digits=0),
            f["ready"].show("s"),
            f["rss_ready"].show("MB", digits=0),
            f["rss_steady"].show("MB", digits=0),
            f["rss_peak"].show("MB", digits=0),
            f["idle_ticks"].show(digits=0),
            f["idle_wakeups"].show(digits=0),
            f["lag_first"].show("ms", 1000, 0),
            f["lag_tenth"].show("ms", 1000, 0),
        ]
        out.append("| " + " | ".join(cells) + " |")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--idle", type=float, default=60.0, help="idle window, seconds")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    env = {**os.environ, "TZ": "Asia/Shanghai"}
    for name in ("DBUS_SESSION_BUS_ADDRESS", "NOTIFY_SOCKET", "REMINDERD_CONFIG"):
        env.pop(name, None)

    load_before = load_text()
    version, bare, floor = startup(env)
    rows = []
    for size in sizes:
        rows.append((size, measure_size(size, args.repeat, args.idle, env)))
        print(f"… {size} loans done", file=sys.stderr)  # noqa: T201
    lines = [
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}; "
        f"{load_before} before, {load_text()} after; idle window {args.idle:.0f} s; "
        f"median (min–max) of {args.repeat} runs.",
        "",
        *table(rows),
        "",
        f"`reminderd --version`: {version.show('ms', 1000, 0)}; the same interpreter started "
        f"the same way, `python -c pass`: {bare.show('ms', 1000, 0)} "
        f"(×{statistics.median(version) / statistics.median(bare):.1f}); "
        f"`python -S -c pass` (no site, no .pth): {floor.show('ms', 1000, 0)} "
        f"(×{statistics.median(version) / statistics.median(floor):.1f}); 15 runs each.",
    ]
    print("\n".join(lines))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
