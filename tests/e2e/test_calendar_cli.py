"""``reminderd export`` and ``reminderd feed-url`` run as a user would: the installed package
as a subprocess, real files."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import textwrap
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from tests.support.service import reminderd_command

CONFIG = """
timezone: Asia/Shanghai
locale: zh_CN
calendar: {{name: 还款计划{serve}}}
loans:
  - id: consumer-b
    name: 消费贷 B
    currency: CNY
    plan: {{kind: equal_principal, principal: 1200, count: 12, first_due: {first_due},
            every: 1 month, annual_rate: 0}}
"""


def first_due() -> str:
    """Forty days after today in the config's zone: the plan is all ahead of the real clock
    on whatever day the test runs (a fixed date would turn into the past one day)."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    return (today + timedelta(days=40)).isoformat()


def write_config(directory: Path, serve: str = "") -> Path:
    path = directory / "config.yaml"
    text = CONFIG.format(serve=serve, first_due=first_due())
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run(*args: str):
    return subprocess.run([*reminderd_command(), *args], capture_output=True, text=True, timeout=60)


def test_export_output_file_written_and_counted(tmp_path):
    config = write_config(tmp_path)
    target = tmp_path / "new" / "dir" / "repayments.ics"
    result = run(
        "-c", str(config), "--state-dir", str(tmp_path / "state"), "export", "-o", str(target)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{target}：12 个日历事件"  # the config is zh_CN
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == 12
    assert str(events[0]["SUMMARY"]).startswith("消费贷 B ¥100.00（第1/12期）")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["repayments.ics"]  # no temp left


def read_only_command(directory: Path) -> list[str]:
    """The prefix that runs a command with ``directory`` read-only. A mode bit does not stop
    root, so as root the directory is bind-mounted read-only in a private mount namespace."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        return []
    if shutil.which("unshare") is None:
        pytest.skip("running as root without unshare: cannot make a read-only directory")
    mount = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", mount, str(directory)]


def test_export_into_read_only_directory_fails_keeping_old_file(tmp_path):
    config = write_config(tmp_path)
    calendar_dir = tmp_path / "calendar"
    calendar_dir.mkdir()
    target = calendar_dir / "repayments.ics"
    target.write_bytes(b"OLD CONTENT")
    prefix = read_only_command(calendar_dir)
    probe = subprocess.run([*prefix, "true"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a read-only directory here: {probe.stderr.strip()}")
    state = str(tmp_path / "state")
    command = [*reminderd_command(), "-c", str(config), "--state-dir", state]
    result = subprocess.run(
        [*prefix, *command, "export", "-o", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    calendar_dir.chmod(0o755)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert str(target) in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert target.read_bytes() == b"OLD CONTENT"
    assert sorted(p.name for p in calendar_dir.iterdir()) == ["repayments.ics"]


def test_export_default_path_from_config(tmp_path):
    config = write_config(tmp_path)
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "calendar: {name: 还款计划}", "calendar: {name: 还款计划, path: out/cal.ics}"
        ),
        encoding="utf-8",
    )
    result = run("-c", str(config), "--state-dir", str(tmp_path / "state"), "export")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "cal.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


def test_feed_url_not_configured_exit_2_with_hint(tmp_path):
    config = write_config(tmp_path)
    result = run("-c", str(config), "--state-dir", str(tmp_path / "state"), "feed-url")
    assert result.returncode == 2
    assert "serve:" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_feed_url_configured_prints_http_and_webcal_with_kept_secret(tmp_path):
    config = write_config(tmp_path, serve=', serve: {listen: "[::1]:8765"}')
    state = tmp_path / "state"
    first = run("-c", str(config), "--state-dir", str(state), "feed-url")
    second = run("-c", str(config), "--state-dir", str(state), "feed-url")
    assert first.returncode == 0, first.stderr
    http_url, webcal_url = first.stdout.split()[:2]
    assert http_url.startswith("http://[::1]:8765/") and http_url.endswith("/repayments.ics")
    assert webcal_url == "webcal" + http_url.removeprefix("http")
    assert first.stdout == second.stdout
    secret = http_url.split("/")[3]
    assert len(secret) >= 32
    assert (state / "feed-secret").read_text().strip() == secret
    assert stat.S_IMODE((state / "feed-secret").stat().st_mode) == 0o600


def test_export_onto_a_device_is_refused_and_leaves_it_alone(tmp_path):
    # As root a rename would replace /dev/null with a regular file.
    before = os.stat("/dev/null")
    config = write_config(tmp_path)
    result = run("-c", str(config), "--state-dir", str(tmp_path), "export", "-o", "/dev/null")
    assert result.returncode == 1
    assert "/dev/null: not a regular file" in result.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
