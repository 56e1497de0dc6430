"""The benchmark keeps working (its figures are for the README, not asserted here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "run.py"


def test_bench_prints_a_row_for_each_size() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--sizes", "10", "--idle", "1", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    row = re.search(r"^\| 10 \| 360 \|(.*)\|$", result.stdout, re.M)
    assert row is not None, result.stdout
    cells = [cell.strip() for cell in row.group(1).split("|")]
    assert len(cells) == 12
    # One run: a single value per figure (no range), each with its unit or a plain count.
    assert all(re.fullmatch(r"-?[\d.]+ (s|MB|ms)|\d+", cell) for cell in cells), cells
    assert "`reminderd --version`" in result.stdout and "load average" in result.stdout
