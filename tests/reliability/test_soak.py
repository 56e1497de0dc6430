"""kill -9 and reload soak: the installed ``reminderd run`` is killed at random moments and
restarted, and between kills its ``channels`` block is edited (the command's timeout
changes, so every reload rebuilds the channel), while two reminders fall due every second,
delivered to a ``command`` channel program that appends ``$REMINDERD_KEY`` to a file.
Afterwards every reminder that fell due must have arrived (none lost, SPEC §6), and a
reminder may have arrived twice only inside the documented window: it was logged
``attempting`` (handed to the program, not yet logged ``sent``) when a kill landed. Reloads
never duplicate.

``test_soak_kill_9_short`` (about 10 s, 3 kills) runs by default; ``test_soak_kill_9_long``
(about 60 s) is ``slow``: ``pytest -m slow`` or ``REMINDERD_SLOW=1``.
"""

from __future__ import annotations

import os
import random
import sqlite3
import stat
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.service import ServiceProcess, stamp, wait_for

GAP = timedelta(seconds=1)  # leads are whole seconds
PER_GAP = 2  # reminders falling due at each instant
HORIZON = timedelta(hours=2)  # every reminder is well before its due instant: never stale


def soak(tmp_path: Path, seconds: float, pause: tuple[float, float], seed: int) -> dict[str, int]:
    record = tmp_path / "delivered.txt"
    script = tmp_path / "record-key"
    # The program takes a moment, so kills land while deliveries are in flight, too.
    script.write_text(f'#!/bin/sh\nsleep 0.05\nprintf "%s\\n" "$REMINDERD_KEY" >> {record}\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    start = (datetime.now(UTC) + timedelta(seconds=2)).replace(microsecond=0)
    count = int(seconds / GAP.total_seconds()) * PER_GAP
    due = start + HORIZON
    loans = []
    fire = {}
    for index in range(count):
        at = start + (index // PER_GAP) * GAP
        lead = due - at
        loan_id = f"r{index:04d}"
        fire[loan_id] = at
        loans.append(
            f"  - id: {loan_id}\n    name: Soak {index}\n"
            f'    plan: {{kind: once, due: "{stamp(due)}", amount: 1}}\n'
            f"    reminders: {{before: [{int(lead.total_seconds())}s]}}\n"
        )
    config = tmp_path / "config.yaml"

    def write(timeout: int, extra: str = "") -> None:
        temporary = config.with_suffix(".tmp")
        temporary.write_text(
            "timezone: UTC\n"
            "reminders: {overdue_every: never}\n"
            f"channels: {{command: {{argv: [{script}], timeout: {timeout}s}}}}\n"
            f"calendar: {{path: {tmp_path / 'r.ics'}}}\n"
            "loans:\n" + "".join(loans) + extra
        )
        os.replace(temporary, config)  # as editors save

    write(10)
    database = tmp_path / "state" / "reminderd.sqlite3"

    def attempting() -> set[str]:
        with sqlite3.connect(database) as conn:
            rows = conn.execute("SELECT reminder_key FROM deliveries WHERE state = 'attempting'")
            return {row[0] for row in rows}

    chance = random.Random(seed)  # noqa: S311 - test timing, not cryptography
    kills = reloads = 0
    window: set[str] = set()  # keys caught between "attempting" and "sent" by a kill
    end = time.monotonic() + seconds + 2
    service = ServiceProcess(config, tmp_path / "state", {"HOME": str(tmp_path)})

    def delivered() -> Counter[str]:
        return Counter(record.read_text().splitlines()) if record.exists() else Counter()

    try:
        while time.monotonic() < end:
            service.start()
            # A channel edit in the middle of the run: a reload while reminders are queued
            # and in flight.
            time.sleep(chance.uniform(*pause) / 2)
            write(10 + reloads % 2 + 1)
            reloads += 1
            time.sleep(chance.uniform(*pause) / 2)
            service.kill()  # SIGKILL
            kills += 1
            window |= attempting()
        service.start()
        last = max(fire.values())
        # A sentinel due after all of them, on the same first-in first-out worker: once it
        # arrived, every duplicate would have arrived before it.
        sentinel = (datetime.now(UTC) + timedelta(seconds=2)).replace(microsecond=0)
        write(
            10,
            f"  - id: zz\n    name: Sentinel\n"
            f'    plan: {{kind: once, due: "{stamp(sentinel + HORIZON)}", amount: 1}}\n'
            f"    reminders: {{before: [{int(HORIZON.total_seconds())}s]}}\n",
        )
        assert wait_for(
            lambda: datetime.now(UTC) > last and any(k.startswith("zz/") for k in delivered()),
            60,
        ), service.log()
        assert service.stop(timeout=30) == 0
    finally:
        service.kill()
    seen = delivered()
    keys = {key.split("/")[0]: key for key in seen}
    figures = {
        "reminders": count,
        "kills": kills,
        "reloads": reloads,
        "lost": sum(1 for loan_id in fire if loan_id not in keys),
        "duplicates": sum(number - 1 for number in seen.values() if number > 1),
        "outside the window": sum(
            number - 1 for key, number in seen.items() if number > 1 and key not in window
        ),
    }
    summary = ", ".join(f"{name} {value}" for name, value in figures.items())
    print(f"kill -9 soak: {summary}")  # noqa: T201 - the figures are the point of a soak
    return figures


def test_soak_kill_9_short(tmp_path: Path) -> None:
    figures = soak(tmp_path, seconds=8, pause=(1.5, 3.0), seed=1)
    assert figures["kills"] >= 2 and figures["reloads"] >= 2
    assert figures["lost"] == 0, figures
    assert figures["outside the window"] == 0, figures


@pytest.mark.slow
def test_soak_kill_9_long(tmp_path: Path) -> None:
    figures = soak(tmp_path, seconds=60, pause=(0.3, 3.0), seed=int(time.time()))
    assert figures["kills"] >= 15
    assert figures["lost"] == 0, figures
    assert figures["outside the window"] == 0, figures
