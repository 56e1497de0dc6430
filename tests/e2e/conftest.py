"""Shared helpers for end-to-end tests: run the installed ``reminderd`` as a user would, in a
subprocess, against a config and a state directory under the test's tmp dir.

``run_cli("pay", "loan-a", "100")`` runs ``reminderd pay loan-a 100`` with
``REMINDERD_CONFIG`` = ``cli.config`` and ``REMINDERD_STATE_DIR`` = ``cli.state_dir`` (override
either with ``env=`` or with ``-c``/``--state-dir`` in the arguments), with every XDG directory
inside the tmp dir so nothing touches the real home. ``cli.write_config(text)`` writes the
config file; ``run_cli.json(...)`` runs a command and parses its stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.support.service import reminderd_command

CLI_TIMEOUT_SECONDS = 60


class Cli:
    """A user's world in a tmp dir: a config path, a state dir, XDG homes, and a runner."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = root / "config.yaml"
        self.state_dir = root / "state"
        self.command = reminderd_command()  # for tests that start processes themselves
        self.env = {
            **os.environ,
            "REMINDERD_CONFIG": str(self.config),
            "REMINDERD_STATE_DIR": str(self.state_dir),
            "XDG_CONFIG_HOME": str(root / "xdg-config"),
            "XDG_DATA_HOME": str(root / "xdg-data"),
            "XDG_STATE_HOME": str(root / "xdg-state"),
            "PYTHONUTF8": "1",
            "PYTHONIOENCODING": "utf-8",
        }
        self.env.pop("STATE_DIRECTORY", None)
        self.env.pop("NOTIFY_SOCKET", None)

    def write_config(self, text: str) -> Path:
        """Write ``text`` as the config file and return its path."""
        self.config.write_text(text, encoding="utf-8")
        return self.config

    def __call__(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        input: str | None = None,  # noqa: A002 - the name subprocess uses
        timeout: float = CLI_TIMEOUT_SECONDS,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``reminderd ARGS`` and return the finished process (text stdout/stderr)."""
        return subprocess.run(
            [*self.command, *args],
            env={**self.env, **(env or {})},
            input=input,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
            check=False,
            cwd=self.root,
        )

    def json(self, *args: str, env: Mapping[str, str] | None = None) -> Any:
        """Run a ``--json`` command, check it succeeded, return its parsed stdout."""
        done = self(*args, env=env)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


@pytest.fixture
def run_cli(tmp_path: Path) -> Cli:
    """A :class:`Cli` rooted in this test's tmp dir (no config written yet)."""
    return Cli(tmp_path)
