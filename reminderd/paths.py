"""Where reminderd finds its config and keeps its state (SPEC §2, §4). No other module reads
these environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def _xdg(env: Mapping[str, str], name: str, fallback: str) -> Path:
    value = env.get(name, "")
    # The XDG spec says relative values are invalid and must be ignored.
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / fallback


def config_path(explicit: str | None, env: Mapping[str, str] = os.environ) -> Path:
    """Return ``-c PATH``, else ``$REMINDERD_CONFIG``, else the XDG config location."""
    if explicit:
        return Path(explicit).expanduser()
    if env.get("REMINDERD_CONFIG"):
        return Path(env["REMINDERD_CONFIG"]).expanduser()
    return _xdg(env, "XDG_CONFIG_HOME", ".config") / "reminderd" / "config.yaml"


def state_dir(explicit: str | None, env: Mapping[str, str] = os.environ) -> Path:
    """Return ``--state-dir``, else ``$REMINDERD_STATE_DIR``, else systemd's
    ``$STATE_DIRECTORY`` (its first entry), else ``$XDG_STATE_HOME/reminderd``."""
    if explicit:
        return Path(explicit).expanduser()
    if env.get("REMINDERD_STATE_DIR"):
        return Path(env["REMINDERD_STATE_DIR"]).expanduser()
    if env.get("STATE_DIRECTORY"):
        return Path(env["STATE_DIRECTORY"].split(":")[0])
    return _xdg(env, "XDG_STATE_HOME", ".local/state") / "reminderd"


def data_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Return ``$XDG_DATA_HOME/reminderd``: the default home of the calendar file."""
    return _xdg(env, "XDG_DATA_HOME", ".local/share") / "reminderd"
