"""kill -9 soak: the installed ``reminderd run`` is killed at random moments and restarted,
while two reminders fall due every second, delivered to a ``command`` channel program that
appends ``$REMINDERD_KEY`` to a file. Afterwards every reminder that fell due must have
arrived at least once (none lost, SPEC §6); duplicates are counted, not forbidden: a kill
between the program finishing and the delivery log's write sends that one again.

``test_soak_kill_9_short`` (about 10 s, 3 kills) runs by default; ``test_soak_kill_9_long``
(about 60 s) is ``slow``: ``pytest -m slow`` or ``REMINDERD_SLOW=1``.
"""

from __future__ import annotations

import random
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
    config.write_text(
        "timezone: UTC\n"
        "reminders: {overdue_every: never}\n"
        f"channels: {{command: {{argv: [{script}], timeout: 10s}}}}\n"
        f"calendar: {{path: {tmp_path / 'r.ics'}}}\n"
        "loans:\n" + "".join(loans)
    )
    chance = random.Random(seed)  # noqa: S311 - test timing, not cryptography
    kills = 0
    end = time.monotonic() + seconds + 2
    service = ServiceProcess(config, tmp_path / "state", {"HOME": str(tmp_path)})
    try:
        while time.monotonic() < end:
            service.start()
            time.sleep(chance.uniform(*pause))
            service.kill()  # SIGKILL
            kills += 1
        service.start()
        last = max(fire.values())
        delivered = lambda: Counter(  # noqa: E731
            line.split("/")[0] for line in record.read_text().splitlines()
        )
        assert wait_for(lambda: datetime.now(UTC) > last and len(delivered()) == count, 20), (
            service.log()
        )
        time.sleep(1)  # anything still to come would be a duplicate
        assert service.stop() == 0
    finally:
        service.kill()
    seen = delivered()
    figures = {
        "reminders": count,
        "kills": kills,
        "lost": sum(1 for loan_id in fire if seen[loan_id] == 0),
        "duplicates": sum(number - 1 for number in seen.values() if number > 1),
    }
    summary = ", ".join(f"{name} {value}" for name, value in figures.items())
    print(f"kill -9 soak: {summary}")  # noqa: T201 - the figures are the point of a soak
    return figures


def test_soak_kill_9_short(tmp_path: Path) -> None:
    figures = soak(tmp_path, seconds=8, pause=(1.5, 3.0), seed=1)
    assert figures["kills"] >= 2
    assert figures["lost"] == 0, figures


@pytest.mark.slow
def test_soak_kill_9_long(tmp_path: Path) -> None:
    figures = soak(tmp_path, seconds=60, pause=(0.3, 3.0), seed=int(time.time()))
    assert figures["kills"] >= 15
    assert figures["lost"] == 0, figures
