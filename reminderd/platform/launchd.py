"""A LaunchAgent for macOS: ``launchd`` starts ``reminderd run`` at login (``RunAtLoad``),
starts it again when it fails (``KeepAlive`` ``SuccessfulExit: false``) and writes its
output to a log file in the state folder."""

from __future__ import annotations

import plistlib
from pathlib import Path

from reminderd.platform import Target

LABEL = "local.reminderd"
LOG_NAME = "reminderd.log"


def agent_path(home: Path | None = None) -> Path:
    """Return ``~/Library/LaunchAgents/local.reminderd.plist``."""
    return (home or Path.home()) / "Library" / "LaunchAgents" / f"{LABEL}.plist"


def log_path(target: Target) -> str:
    """Return the log file's path: ``reminderd.log`` in the state folder."""
    assert target.state_dir is not None  # noqa: S101 - a LaunchAgent always names its state
    return str(Path(target.state_dir) / LOG_NAME)


def render_plist(target: Target) -> bytes:
    """Return the LaunchAgent property list (XML) that runs ``target``."""
    log = log_path(target)
    agent = {
        "Label": LABEL,
        "ProgramArguments": target.arguments(),
        "RunAtLoad": True,
        # Start again after a crash or an error exit, not after a clean stop.
        "KeepAlive": {"SuccessfulExit": False},
        # launchd's default is 10 s; a broken config must not spin.
        "ThrottleInterval": 30,
        "ProcessType": "Interactive",
        "WorkingDirectory": target.state_dir,
        "StandardOutPath": log,
        "StandardErrorPath": log,
    }
    return plistlib.dumps(agent, fmt=plistlib.FMT_XML, sort_keys=False)
