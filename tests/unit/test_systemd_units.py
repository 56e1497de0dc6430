"""The unit files in systemd/ are accepted by systemd and the system unit stays hardened."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.service import reminderd_command

UNITS = Path(__file__).resolve().parents[2] / "systemd"
ANALYZE = shutil.which("systemd-analyze")
pytestmark = pytest.mark.skipif(ANALYZE is None, reason="needs systemd-analyze")


def installed(tmp_path: Path) -> Path:
    """Copies of the units whose ExecStart names this environment's reminderd."""
    command = reminderd_command()
    if len(command) != 1:
        pytest.skip("needs the installed reminderd script")
    for unit in UNITS.iterdir():
        text = unit.read_text()
        text = text.replace("%h/.local/bin/reminderd", command[0])
        text = text.replace("/usr/local/bin/reminderd", command[0])
        (tmp_path / unit.name).write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    "name",
    [
        "reminderd.service",
        "reminderd-system.service",
        "reminderd-once.service",
        "reminderd-once.timer",
    ],
)
def test_systemd_unit_passes_verify(tmp_path: Path, name: str) -> None:
    directory = installed(tmp_path)
    result = subprocess.run(
        [ANALYZE, "verify", "--man=no", str(directory / name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_systemd_system_unit_exposure_is_two_or_better(tmp_path: Path) -> None:
    directory = installed(tmp_path)
    result = subprocess.run(
        [ANALYZE, "security", "--offline=true", str(directory / "reminderd-system.service")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert match is not None, result.stdout + result.stderr
    assert float(match.group(1)) <= 2.0


def test_systemd_hardening_lines_are_commented() -> None:
    # Every hardening block in the system unit says what it guards (STYLE: a comment per line
    # or per group of lines).
    lines = (UNITS / "reminderd-system.service").read_text().splitlines()
    settings = [i for i, line in enumerate(lines) if re.match(r"(Protect|Private|Restrict)", line)]
    for index in settings:
        above = lines[max(0, index - 12) : index]
        assert any(line.startswith("#") for line in above), lines[index]
