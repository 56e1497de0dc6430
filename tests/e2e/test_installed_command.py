"""The e2e tests run the installed ``reminderd`` console script, or fail saying how to get it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import service


def test_installed_command_is_the_console_script_next_to_the_interpreter(run_cli) -> None:
    assert run_cli.command == [str(Path(sys.executable).parent / "reminderd")]
    done = subprocess.run([*run_cli.command, "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("reminderd "), done


def test_installed_command_missing_fails_the_test_with_the_install_line(
    tmp_path, monkeypatch
) -> None:
    # An interpreter in a directory without the script: no silent `python -m` fallback.
    monkeypatch.setattr(service.sys, "executable", str(tmp_path / "python3"))
    with pytest.raises(pytest.fail.Exception) as failed:
        service.reminderd_command()
    message = str(failed.value)
    assert f"the installed reminderd command is missing ({tmp_path / 'reminderd'})" in message
    assert f"{tmp_path / 'pip'} install -e '.[test]'" in message
