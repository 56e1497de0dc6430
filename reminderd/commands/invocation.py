"""How to run reminderd from a shell so that it reads the same config and state directory as
this process: the "record it" hint of a reminder prints a command that works as it stands."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from pathlib import Path

from reminderd import paths

# What a login shell does not have, though the service (a systemd unit, a launcher) may.
_SERVICE_ONLY = ("REMINDERD_CONFIG", "REMINDERD_STATE_DIR", "STATE_DIRECTORY")


def reminderd_command(config_path: Path, state_dir: Path, environ: Mapping[str, str]) -> str:
    """Given where this process reads its config and keeps its state, and its environment,
    return ``reminderd`` followed by ``-c CONFIG`` and ``--state-dir DIR`` (absolute,
    shell-quoted) for each that differs from what a plain shell would use."""
    shell = {key: value for key, value in environ.items() if key not in _SERVICE_ONLY}
    words = ["reminderd"]
    if _differs(config_path, paths.config_path(None, shell)):
        words += ["-c", shlex.quote(str(config_path.absolute()))]
    if _differs(state_dir, paths.state_dir(None, shell)):
        words += ["--state-dir", shlex.quote(str(state_dir.absolute()))]
    return " ".join(words)


def _differs(actual: Path, default: Path) -> bool:
    return actual.expanduser().absolute() != default.expanduser().absolute()
