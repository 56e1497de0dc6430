"""Each platform's startup file and folder convention, with the platform simulated: the file
is rendered by the same pure functions ``service install`` uses and checked by a real reader
(plistlib, ElementTree, desktop-file-validate, systemd-analyze)."""

from __future__ import annotations

import os
import plistlib
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import platformdirs.macos
import pytest

from reminderd import paths
from reminderd.config import system_zone
from reminderd.platform import (
    Target,
    autostart,
    background,
    current_platform,
    files,
    installed_command,
    launchd,
    systemd,
    windows,
    write_if_changed,
)
from tests.support.service import reminderd_command

ROOT = Path(__file__).resolve().parents[2]
ANALYZE = shutil.which("systemd-analyze")
VALIDATE = shutil.which("desktop-file-validate")
NS = {"t": windows.NAMESPACE}
# A state folder and a config with a space, a per cent sign and a dollar: each file format
# quotes them differently, and each reader below must get them back exactly.
ODD_STATE = "/home/ada/My State/50% $HOME"
ODD_CONFIG = "/home/ada/.config/reminderd/config.yaml"


def target(command: tuple[str, ...] = ("/opt/venv/bin/reminderd",)) -> Target:
    return Target(command, ODD_CONFIG, ODD_STATE)


# -- which platform, which command ------------------------------------------------------------


@pytest.mark.parametrize(
    ("sys_platform", "expected"),
    [("linux", "linux"), ("darwin", "macos"), ("win32", "windows"), ("freebsd14", "linux")],
)
def test_current_platform_maps_sys_platform(sys_platform, expected):
    assert current_platform(sys_platform) == expected


def test_installed_command_prefers_the_script_beside_the_interpreter(tmp_path):
    (tmp_path / "python").touch()
    script = tmp_path / "reminderd"
    script.touch(mode=0o755)
    found = installed_command("linux", python=str(tmp_path / "python"), which=lambda _: "/x")
    assert found == [str(script)]


def test_installed_command_falls_back_to_path_then_python_m(tmp_path):
    python = str(tmp_path / "python")
    assert installed_command(
        "macos", python=python, which=lambda _: "/usr/local/bin/reminderd"
    ) == ["/usr/local/bin/reminderd"]
    assert installed_command("linux", python=python, which=lambda _: None) == [
        python,
        "-m",
        "reminderd",
    ]


def test_installed_command_on_windows_is_pythonw_through_background():
    found = installed_command("windows", python=r"C:\Users\ada\venv\Scripts\python.exe")
    assert found[0].endswith("pythonw.exe")
    assert found[1:] == ["-m", "reminderd.platform.background"]


# -- macOS: a LaunchAgent --------------------------------------------------------------------


def test_launchd_plist_parses_and_names_program_arguments_and_logs():
    agent = plistlib.loads(launchd.render_plist(target()))
    assert agent["Label"] == "local.reminderd"
    assert agent["ProgramArguments"] == [
        "/opt/venv/bin/reminderd",
        "--config",
        ODD_CONFIG,
        "--state-dir",
        ODD_STATE,
        "run",
    ]
    assert agent["RunAtLoad"] is True
    assert agent["KeepAlive"] == {"SuccessfulExit": False}
    assert agent["StandardOutPath"] == ODD_STATE + "/reminderd.log"
    assert agent["StandardErrorPath"] == ODD_STATE + "/reminderd.log"


def test_launchd_agent_path_is_in_library_launchagents(tmp_path):
    assert launchd.agent_path(tmp_path) == tmp_path / "Library/LaunchAgents/local.reminderd.plist"


# -- Windows: a Task Scheduler task ---------------------------------------------------------


def windows_target() -> Target:
    command = (r"C:\Users\ada\venv\Scripts\pythonw.exe", "-m", "reminderd.platform.background")
    return Target(
        command, r"C:\Users\ada\AppData\Local\reminderd\config.yaml", r"C:\Users\ada\My State"
    )


def test_windows_task_xml_parses_with_a_logon_trigger_and_pythonw():
    text = windows.render_task(windows_target(), user=r"EXAMPLE\ada")
    task = ET.fromstring(text.split("\n", 1)[1])  # noqa: S314 - our own output
    assert task.tag == f"{{{windows.NAMESPACE}}}Task"
    trigger = task.find("t:Triggers/t:LogonTrigger", NS)
    assert trigger is not None
    assert trigger.findtext("t:Enabled", namespaces=NS) == "true"
    assert trigger.findtext("t:UserId", namespaces=NS) == r"EXAMPLE\ada"
    action = task.find("t:Actions/t:Exec", NS)
    assert action.findtext("t:Command", namespaces=NS) == r"C:\Users\ada\venv\Scripts\pythonw.exe"
    # Windows quoting (list2cmdline): only the arguments with a space are quoted.
    assert action.findtext("t:Arguments", namespaces=NS) == (
        r'-m reminderd.platform.background "C:\Users\ada\My State\reminderd.log" '
        r"--config C:\Users\ada\AppData\Local\reminderd\config.yaml "
        r'--state-dir "C:\Users\ada\My State" run'
    )
    assert (
        task.findtext("t:Principals/t:Principal/t:LogonType", namespaces=NS) == "InteractiveToken"
    )
    assert task.findtext("t:Settings/t:ExecutionTimeLimit", namespaces=NS) == "PT0S"


def test_windows_task_declares_utf16_and_encodes_so():
    text = windows.render_task(windows_target())
    assert text.startswith('<?xml version="1.0" encoding="UTF-16"?>')
    # schtasks reads the file in the encoding it declares.
    assert text.encode("utf-16").decode("utf-16") == text
    assert ET.fromstring(text.encode("utf-16")).tag.endswith("Task")  # noqa: S314


def test_background_sends_output_to_the_log_when_pythonw_gives_none(tmp_path, monkeypatch):
    log = tmp_path / "state" / "reminderd.log"
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    status = background.main([str(log), "-c", str(tmp_path / "missing.yaml"), "check"])
    stream = sys.stderr
    stream.flush()
    assert status == 2
    assert f"reminderd: config file not found: {tmp_path / 'missing.yaml'}" in log.read_text()


# -- Linux: autostart and systemd --------------------------------------------------------------


@pytest.mark.skipif(VALIDATE is None, reason="needs desktop-file-validate")
def test_autostart_entry_passes_desktop_file_validate(tmp_path):
    path = tmp_path / "reminderd.desktop"
    path.write_text(autostart.render_autostart(target()))
    result = subprocess.run([VALIDATE, str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "", result.stdout


def test_autostart_exec_quotes_reserved_characters_as_the_spec_says():
    # Desktop Entry spec: "…" around a word with a reserved character, \$ for $, %% for %,
    # then every backslash doubled for the string value: \$ becomes \\$.
    assert autostart.quote_exec(["/bin/reminderd", ODD_STATE]) == (
        '/bin/reminderd "/home/ada/My State/50%% \\\\$HOME"'
    )


def test_systemd_quote_exec_escapes_specifiers_and_variables():
    assert systemd.quote_exec(["/bin/reminderd", ODD_STATE, "run"]) == (
        '/bin/reminderd "/home/ada/My State/50%% $$HOME" run'
    )


def installed_reminderd() -> str:
    command = reminderd_command()
    if len(command) != 1:
        pytest.skip("needs the installed reminderd script")
    return command[0]


def verify(path: Path) -> None:
    result = subprocess.run(
        [ANALYZE, "verify", "--man=no", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


@pytest.mark.skipif(ANALYZE is None, reason="needs systemd-analyze")
@pytest.mark.parametrize("render", [systemd.render_user_unit, systemd.render_system_unit])
def test_systemd_rendered_units_pass_verify(tmp_path, render):
    unit = tmp_path / "reminderd.service"
    unit.write_text(render(Target((installed_reminderd(),), ODD_CONFIG, ODD_STATE)))
    verify(unit)


def template_copy(tmp_path: Path) -> Path:
    text = (ROOT / "systemd" / "reminderd@.service").read_text()
    unit = tmp_path / "reminderd@.service"
    unit.write_text(text.replace("/usr/local/bin/reminderd", installed_reminderd()))
    return unit


@pytest.mark.skipif(ANALYZE is None, reason="needs systemd-analyze")
def test_systemd_template_unit_instance_passes_verify(tmp_path):
    template = template_copy(tmp_path)
    instance = tmp_path / "reminderd@alice.service"
    instance.symlink_to(template)
    verify(instance)


@pytest.mark.skipif(ANALYZE is None, reason="needs systemd-analyze")
def test_systemd_template_unit_exposure_is_two_or_better(tmp_path):
    template = template_copy(tmp_path)
    instance = tmp_path / "reminderd@alice.service"
    instance.symlink_to(template)
    result = subprocess.run(
        [ANALYZE, "security", "--offline=true", str(instance)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert match is not None, result.stdout + result.stderr
    assert float(match.group(1)) <= 2.0


def settings(text: str) -> set[str]:
    return {line for line in text.splitlines() if line and line[0].isalpha() and "=" in line}


def test_systemd_template_keeps_config_and_state_per_instance():
    lines = settings((ROOT / "systemd" / "reminderd@.service").read_text())
    assert "ExecStart=/usr/local/bin/reminderd --config /etc/reminderd/%i.yaml run" in lines
    assert "StateDirectory=reminderd/%i" in lines


def test_systemd_system_unit_and_template_carry_the_hardening_of_the_shipped_unit():
    shipped = settings((ROOT / "systemd" / "reminderd-system.service").read_text())
    skip = ("ExecStart=", "LoadCredential=", "Description=")
    hardening = {s for s in shipped if not s.startswith(skip)}
    rendered = settings(systemd.render_system_unit(target()))
    template = settings((ROOT / "systemd" / "reminderd@.service").read_text())
    assert hardening - rendered == set()
    assert hardening - {"StateDirectory=reminderd"} - template == set()


# -- idempotence ---------------------------------------------------------------------------


def test_write_if_changed_twice_writes_once(tmp_path):
    path = tmp_path / "a" / "reminderd.service"
    assert write_if_changed(path, b"one") is True
    before = path.stat().st_mtime_ns, path.stat().st_ino
    assert write_if_changed(path, b"one") is False
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before
    assert write_if_changed(path, b"two") is True
    assert path.read_bytes() == b"two"
    assert sorted(p.name for p in path.parent.iterdir()) == ["reminderd.service"]


# -- folders, zone and files by platform --------------------------------------------------------


def test_paths_macos_follow_platformdirs(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    expected = Path(platformdirs.macos.MacOS("reminderd", appauthor=False).user_config_dir)
    assert expected == tmp_path / "Library/Application Support/reminderd"
    assert paths.config_path(None, {}, platform="darwin") == expected / "config.yaml"
    assert paths.state_dir(None, {}, platform="darwin") == expected
    assert paths.data_dir({}, platform="darwin") == expected


def test_paths_windows_use_local_appdata():
    env = {"LOCALAPPDATA": "/c/Users/ada/AppData/Local"}
    assert paths.config_path(None, env, platform="win32") == Path(
        "/c/Users/ada/AppData/Local/reminderd/config.yaml"
    )
    assert paths.state_dir(None, env, platform="win32") == Path(
        "/c/Users/ada/AppData/Local/reminderd"
    )


def test_paths_linux_keep_xdg_and_explicit_wins_everywhere():
    env = {"XDG_CONFIG_HOME": "/x/config", "XDG_STATE_HOME": "/x/state"}
    assert paths.config_path(None, env, platform="linux") == Path("/x/config/reminderd/config.yaml")
    assert paths.state_dir(None, env, platform="linux") == Path("/x/state/reminderd")
    for platform in ("linux", "darwin", "win32"):
        assert paths.state_dir("/s", env, platform=platform) == Path("/s")
        assert paths.config_path(None, {"REMINDERD_CONFIG": "/c.yaml"}, platform=platform) == Path(
            "/c.yaml"
        )


def test_system_zone_comes_from_tzlocal_when_tz_is_unset(monkeypatch):
    # Windows keeps its zone in the registry, which tzlocal reads; simulate its answer.
    import tzlocal

    monkeypatch.setattr(tzlocal, "get_localzone_name", lambda: "Asia/Shanghai")
    assert str(system_zone({})) == "Asia/Shanghai"
    assert str(system_zone({"TZ": "Europe/Berlin"})) == "Europe/Berlin"


def test_set_mode_without_fchmod_does_nothing(tmp_path, monkeypatch):
    path = tmp_path / "f"
    path.write_text("x")
    path.chmod(0o644)
    monkeypatch.delattr(os, "fchmod")
    with path.open("rb") as stream:
        files.set_mode(stream.fileno(), 0o600)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_set_mode_with_fchmod_sets_it(tmp_path):
    path = tmp_path / "f"
    path.write_text("x")
    path.chmod(0o644)
    with path.open("rb") as stream:
        files.set_mode(stream.fileno(), 0o600)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_open_to_others_trusts_no_mode_bits_on_windows():
    assert files.open_to_others(0o100644, os_name="posix") is True
    assert files.open_to_others(0o100600, os_name="posix") is False
    # st_mode on Windows reads 0o666 whatever the ACL; refusing would be unfixable.
    assert files.open_to_others(0o100666, os_name="nt") is False


# -- config changes without inotify --------------------------------------------------------


def test_polling_watcher_notices_a_replaced_config_once(tmp_path):
    from reminderd.platform.poll import PollingWatcher
    from tests.support.service import wait_for

    config = tmp_path / "config.yaml"
    config.write_text("a: 1\n")
    changes: list[int] = []
    watcher = PollingWatcher(config, lambda: changes.append(1), interval=0.05)
    watcher.start()
    try:
        # An editor's save: a new file renamed over the old one (a new inode, another size).
        replacement = tmp_path / ".config.yaml.new"
        replacement.write_text("a: 22\n")
        replacement.replace(config)
        assert wait_for(lambda: changes == [1], timeout=10)
    finally:
        watcher.stop()
    assert changes == [1]


# -- declared dependencies are the used ones -----------------------------------------------

# Distribution name -> the module reminderd imports. tzdata is data for zoneinfo on Windows
# and is never imported by name.
IMPORT_NAMES = {"apscheduler": "apscheduler", "pyyaml": "yaml", "holidays": "holidays"}
IMPORT_NAMES |= {"plyer": "plyer", "jeepney": "jeepney", "tzlocal": "tzlocal"}
IMPORT_NAMES |= {"platformdirs": "platformdirs", "tzdata": None, "babel": "babel"}
# reminderd reads iso4217's data file directly and imports the package only as a fallback.
IMPORT_NAMES |= {"iso4217": "iso4217"}


def imported_modules() -> set[str]:
    import ast

    found: set[str] = set()
    for source in (ROOT / "reminderd").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def test_runtime_dependencies_are_imported_and_test_oracles_are_not():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {
        re.split(r"[<>=;\[ ]", line, maxsplit=1)[0].lower() for line in project["dependencies"]
    }
    assert declared == set(IMPORT_NAMES)
    used = imported_modules()
    assert {name for name in IMPORT_NAMES.values() if name} - used == set()
    # The calendar is written as text; icalendar reads it back in the tests only.
    assert "icalendar" not in used
    assert "dateutil" not in used
