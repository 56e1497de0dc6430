"""Receipts under ``kill -9`` (issue 11, item 8): whatever a killed ``pay --receipt`` leaves
(a temporary ``.incoming-*`` copy; a stored receipt whose payment was never committed) is
removed by the next ``pay`` or service start, and a ``pay`` in progress is never swept."""

from __future__ import annotations

import fcntl
import hashlib
import os
import random
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

KILLS = 10
RECEIPT_BYTES = 40 * 1024 * 1024  # under the 50 MB limit; copying it takes long enough to hit


def world(run_cli) -> Path:
    due = (datetime.now(UTC).date() + timedelta(days=60)).isoformat()
    run_cli.write_config(
        "timezone: UTC\nchannels:\n  command:\n    argv: [/bin/true]\n"
        f"calendar:\n  path: {run_cli.root / 'cal.ics'}\n"
        "loans:\n  - id: card-a\n    name: Card A\n"
        f"    plan: {{kind: once, due: {due}, amount: 100000}}\n"
    )
    return run_cli.state_dir / "receipts"


def leftovers(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.startswith(".incoming-"))


def assert_receipts_match_payments(run_cli, folder: Path) -> None:
    """Every file in ``receipts`` belongs to a recorded payment, and every payment's receipt
    is there with the content its hash names."""
    referenced = {p["receipt"]["sha256"] for p in run_cli.json("history", "--json") if p["receipt"]}
    stored = {name[:64]: folder / name for name in os.listdir(folder)}
    assert set(stored) == referenced, (sorted(stored), sorted(referenced))
    for sha, path in stored.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha


def test_kill_9_during_pay_receipt_leaves_nothing_after_the_next_pay(run_cli) -> None:
    folder = world(run_cli)
    rng = random.Random(8)  # noqa: S311 - invented receipt bytes, reproducible
    hits = 0
    for attempt in range(KILLS):
        scan = run_cli.root / f"scan-{attempt}.pdf"
        scan.write_bytes(rng.randbytes(RECEIPT_BYTES))  # a new content each time
        process = subprocess.Popen(
            [*run_cli.command, "pay", "card-a", "1", "--receipt", str(scan)],
            env=run_cli.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Kill while the copy is being written: as soon as its temporary file shows.
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            if folder.is_dir() and leftovers(folder):
                process.kill()
                hits += 1
                break
        process.wait(timeout=30)
        scan.unlink()
    assert hits, "no kill landed during a copy: the test did not exercise the window"
    assert leftovers(folder), "a killed copy leaves its temporary file (what is swept below)"
    # A kill between the rename and the commit leaves a stored receipt without a payment.
    orphan = rng.randbytes(1000)
    (folder / (hashlib.sha256(orphan).hexdigest() + ".pdf")).write_bytes(orphan)

    done = run_cli("pay", "card-a", "2")

    assert done.returncode == 0, done.stderr
    assert leftovers(folder) == []
    assert_receipts_match_payments(run_cli, folder)


def test_service_start_removes_what_a_killed_pay_left(run_cli) -> None:
    folder = world(run_cli)
    folder.mkdir(parents=True)
    (folder / ".incoming-k3j2h1").write_bytes(b"half a receipt")
    orphan = b"%PDF receipt whose payment never committed"
    (folder / (hashlib.sha256(orphan).hexdigest() + ".pdf")).write_bytes(orphan)

    done = run_cli("run", "--once")

    assert done.returncode == 0, done.stderr
    assert os.listdir(folder) == []


def test_a_pay_in_progress_is_never_swept(run_cli) -> None:
    folder = world(run_cli)
    folder.mkdir(parents=True)
    copying = folder / ".incoming-in-progress"
    copying.write_bytes(b"a copy another pay is writing")
    # What pay holds from the copy to the commit: a shared lock on the receipts folder.
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        done = run_cli("pay", "card-a", "1")
        assert done.returncode == 0, done.stderr
        assert copying.exists()  # swept away, the other pay would fail or lose its receipt
    finally:
        os.close(descriptor)

    done = run_cli("pay", "card-a", "1")  # nobody copies now: the leftover goes

    assert done.returncode == 0, done.stderr
    assert not copying.exists()
