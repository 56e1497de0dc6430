"""``reminderd service`` run as a user would, against a config and XDG folders in a tmp dir.

What runs for real here: the installed command writes, reports and removes each file; the
printed files are checked by systemd-analyze, desktop-file-validate, plistlib and
ElementTree. What is skipped, and when: enabling through ``systemctl --user`` needs a systemd
user session, which a container or CI machine usually lacks (the test says so in its skip
reason); launchctl and schtasks exist only on a Mac or a PC, so there only ``--print`` runs.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from reminderd.platform import windows

# Any valid config: install refuses a broken one, and nothing here depends on the date.
CONFIG = """\
currency: EUR
loans:
  - id: bike
    name: Example bike loan
    plan: {kind: equal_principal, principal: 300, count: 3, first_due: 2031-01-15,
           every: 1 month, annual_rate: 0}
"""
ANALYZE = shutil.which("systemd-analyze")
VALIDATE = shutil.which("desktop-file-validate")


@pytest.fixture
def cli(run_cli):
    run_cli.write_config(CONFIG)
    return run_cli


def user_session_missing() -> str | None:
    """Why ``systemctl --user`` cannot be used here, or None when it can."""
    if shutil.which("systemctl") is None:
        return "systemctl is not installed"
    done = subprocess.run(
        ["systemctl", "--user", "show-environment"], capture_output=True, text=True, timeout=30
    )
    if done.returncode != 0:
        return f"no systemd user session: {done.stderr.strip() or done.returncode}"
    return None


def unit_path(cli) -> Path:
    return cli.root / "xdg-config" / "systemd" / "user" / "reminderd.service"


def autostart_path(cli) -> Path:
    return cli.root / "xdg-config" / "autostart" / "reminderd.desktop"


@pytest.mark.skipif(ANALYZE is None, reason="needs systemd-analyze")
def test_service_print_user_unit_passes_systemd_analyze_verify(cli):
    done = cli("service", "install", "--print")
    assert done.returncode == 0, done.stderr
    assert f"ExecStart={cli.command[0]} --config {cli.config} " in done.stdout
    assert f"--state-dir {cli.state_dir} run" in done.stdout
    unit = cli.root / "reminderd.service"
    unit.write_text(done.stdout)
    result = subprocess.run(
        [ANALYZE, "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""
    assert not unit_path(cli).exists()  # --print installs nothing


@pytest.mark.skipif(VALIDATE is None, reason="needs desktop-file-validate")
def test_service_print_autostart_passes_desktop_file_validate(cli):
    done = cli("service", "install", "--print", "--autostart")
    assert done.returncode == 0, done.stderr
    entry = cli.root / "reminderd.desktop"
    entry.write_text(done.stdout)
    result = subprocess.run([VALIDATE, str(entry)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Exec={cli.command[0]} --config {cli.config}" in done.stdout


def test_service_print_macos_plist_names_the_installed_program(cli):
    done = cli("service", "install", "--print", "--platform", "macos")
    assert done.returncode == 0, done.stderr
    agent = plistlib.loads(done.stdout.encode())
    assert agent["ProgramArguments"] == [
        cli.command[0],
        "--config",
        str(cli.config),
        "--state-dir",
        str(cli.state_dir),
        "run",
    ]
    assert agent["RunAtLoad"] is True
    assert agent["KeepAlive"] == {"SuccessfulExit": False}
    assert agent["StandardErrorPath"] == str(cli.state_dir / "reminderd.log")


def test_service_print_windows_task_runs_pythonw_at_logon(cli):
    done = cli("service", "install", "--print", "--platform", "windows")
    assert done.returncode == 0, done.stderr
    body = done.stdout.split("\n", 1)[1]
    task = ET.fromstring(body)  # noqa: S314 - our own output
    ns = {"t": windows.NAMESPACE}
    assert task.find("t:Triggers/t:LogonTrigger", ns) is not None
    command = task.findtext("t:Actions/t:Exec/t:Command", namespaces=ns)
    # pythonw.exe beside the interpreter that runs reminderd: no console window.
    assert command == str(Path(cli.command[0]).parent / "pythonw.exe")
    arguments = task.findtext("t:Actions/t:Exec/t:Arguments", namespaces=ns)
    assert arguments.startswith("-m reminderd.platform.background ")
    assert arguments.endswith(f"--config {cli.config} --state-dir {cli.state_dir} run")


def test_service_install_no_enable_twice_is_once_then_status_then_uninstall(cli):
    first = cli("service", "install", "--no-enable")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"wrote: {unit_path(cli)}\n")
    written = unit_path(cli).read_bytes()
    second = cli("service", "install", "--no-enable")
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith(f"unchanged: {unit_path(cli)}\n")
    assert unit_path(cli).read_bytes() == written
    assert sorted(p.name for p in unit_path(cli).parent.iterdir()) == ["reminderd.service"]

    status = cli("service", "status", "--no-enable")
    assert status.returncode == 0, status.stderr
    assert status.stdout == f"installed: {unit_path(cli)} (as install writes it)\n"

    removed = cli("service", "uninstall", "--no-enable")
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout == f"removed: {unit_path(cli)}\n"
    assert not unit_path(cli).exists()
    after = cli("service", "status", "--no-enable")
    assert after.stdout == f"not installed: {unit_path(cli)}\n"


def test_service_status_notices_a_unit_that_no_longer_matches(cli):
    assert cli("service", "install", "--no-enable").returncode == 0
    other = cli.root / "other.yaml"
    other.write_text(CONFIG)
    status = cli("-c", str(other), "service", "status", "--no-enable")
    assert "differs from what install would write now" in status.stdout


def test_service_install_without_user_session_writes_autostart_once(cli):
    missing = user_session_missing()
    if missing is None:
        pytest.skip("this machine has a systemd user session: install enables the unit instead")
    first = cli("service", "install")
    assert first.returncode == 0, first.stderr
    assert "no systemd user session" in first.stderr
    assert "installing an XDG autostart entry instead" in first.stderr
    entry = autostart_path(cli).read_bytes()
    second = cli("service", "install")
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith(f"unchanged: {autostart_path(cli)}\n")
    assert autostart_path(cli).read_bytes() == entry
    assert not unit_path(cli).exists()
    status = cli("service", "status")
    assert f"installed: {autostart_path(cli)} (as install writes it)" in status.stdout
    removed = cli("service", "uninstall")
    assert removed.stdout == f"removed: {autostart_path(cli)}\n"
    assert not autostart_path(cli).exists()


def test_service_install_status_uninstall_against_a_real_systemd_user_session(cli):
    missing = user_session_missing()
    if missing is not None:
        pytest.skip(f"enabling through systemctl --user is not tested here: {missing}")
    # A real user manager reads units from the real ~/.config, not the test's XDG folder.
    env = {"XDG_CONFIG_HOME": os.environ.get("XDG_CONFIG_HOME", str(Path.home() / ".config"))}
    done = cli("service", "install", env=env)
    try:
        assert done.returncode == 0, done.stderr
        status = cli("service", "status", env=env)
        assert "systemd: enabled" in status.stdout, status.stdout
    finally:
        removed = cli("service", "uninstall", env=env)
    assert removed.returncode == 0, removed.stderr
    assert "removed:" in removed.stdout


def test_service_install_with_broken_config_writes_nothing(cli):
    cli.write_config("loans: [\n")
    done = cli("service", "install", "--no-enable")
    assert done.returncode == 2
    assert not unit_path(cli).exists()
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--platform", "macos"], "reminderd: this is not macos: add --print"),
        (["--system", "--platform", "windows", "--print"], "reminderd: --system is for Linux"),
        (["--autostart", "--platform", "macos", "--print"], "reminderd: --autostart is for"),
    ],
)
def test_service_wrong_combination_is_one_line_and_exit_two(cli, arguments, message):
    done = cli("service", "install", *arguments)
    assert done.returncode == 2
    assert done.stderr.startswith(message)
    assert done.stderr.count("\n") == 1


def test_plan_without_first_due_starts_one_month_from_today(run_cli):
    # The planner's own month arithmetic (relativedelta is gone): one month on, clamped to
    # the month's last day (31 January + 1 month = 28 or 29 February).
    import calendar
    from datetime import UTC, datetime

    def one_month_on() -> str:
        today = datetime.now(UTC).date()
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        day = min(today.day, calendar.monthrange(year, month)[1])
        return f"{year:04d}-{month:02d}-{day:02d}"

    before = one_month_on()
    done = run_cli(
        "-c",
        str(run_cli.root / "none.yaml"),
        "plan",
        "--count",
        "2",
        "--principal",
        "100",
        env={"TZ": "UTC"},
    )
    after = one_month_on()  # the test may straddle midnight
    assert done.returncode == 0, done.stderr
    first_row = done.stdout.splitlines()[1]
    assert first_row.split()[0] == "1/2"
    assert first_row.split()[1] in {before, after}


def test_service_print_system_unit_reads_etc_and_leaves_state_to_systemd(run_cli):
    done = run_cli("service", "install", "--system", "--print", env={"REMINDERD_CONFIG": ""})
    assert done.returncode == 0, done.stderr
    assert (
        f"ExecStart={run_cli.command[0]} --config /etc/reminderd/config.yaml run\n" in done.stdout
    )
    assert "StateDirectory=reminderd\n" in done.stdout
    assert "DynamicUser=yes\n" in done.stdout
