"""Where reminderd finds its config and keeps its state (SPEC §2, §4, §11). No other module
reads these environment variables.

Linux (and the BSDs) follow the XDG base directories; macOS and Windows follow their own
conventions through ``platformdirs`` (``~/Library/Application Support/reminderd``,
``%LOCALAPPDATA%\\reminderd``). ``platform`` is an argument so each convention can be tested
anywhere.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

APP = "reminderd"


def _xdg(env: Mapping[str, str], name: str, fallback: str) -> Path:
    value = env.get(name, "")
    # The XDG spec says relative values are invalid and must be ignored.
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / fallback


def _native(kind: str, env: Mapping[str, str], platform: str) -> Path | None:
    """Return the folder of ``kind`` (config, state, data) by the platform's convention, or
    None on XDG platforms. macOS keeps all three in Application Support; Windows in the
    local (not roaming) AppData, because the ledger belongs to this machine."""
    if platform == "darwin":
        if sys.platform == "darwin":
            import platformdirs

            return Path(getattr(platformdirs, f"user_{kind}_dir")(APP, appauthor=False))
        return Path.home() / "Library" / "Application Support" / APP
    if platform in ("win32", "cygwin"):
        if sys.platform == "win32":
            import platformdirs

            return Path(getattr(platformdirs, f"user_{kind}_dir")(APP, appauthor=False))
        local = env.get("LOCALAPPDATA", "")
        return (Path(local) if local else Path.home() / "AppData" / "Local") / APP
    return None


def config_path(
    explicit: str | None, env: Mapping[str, str] = os.environ, *, platform: str = sys.platform
) -> Path:
    """Return ``-c PATH``, else ``$REMINDERD_CONFIG``, else ``config.yaml`` in the platform's
    config folder (``$XDG_CONFIG_HOME/reminderd`` on Linux)."""
    if explicit:
        return Path(explicit).expanduser()
    if env.get("REMINDERD_CONFIG"):
        return Path(env["REMINDERD_CONFIG"]).expanduser()
    native = _native("config", env, platform)
    if native is not None:
        return native / "config.yaml"
    return _xdg(env, "XDG_CONFIG_HOME", ".config") / APP / "config.yaml"


def state_dir(
    explicit: str | None, env: Mapping[str, str] = os.environ, *, platform: str = sys.platform
) -> Path:
    """Return ``--state-dir``, else ``$REMINDERD_STATE_DIR``, else systemd's
    ``$STATE_DIRECTORY`` (its first entry), else the platform's state folder
    (``$XDG_STATE_HOME/reminderd`` on Linux)."""
    if explicit:
        return Path(explicit).expanduser()
    if env.get("REMINDERD_STATE_DIR"):
        return Path(env["REMINDERD_STATE_DIR"]).expanduser()
    if env.get("STATE_DIRECTORY"):
        return Path(env["STATE_DIRECTORY"].split(":")[0])
    native = _native("state", env, platform)
    if native is not None:
        return native
    return _xdg(env, "XDG_STATE_HOME", ".local/state") / APP


def data_dir(env: Mapping[str, str] = os.environ, *, platform: str = sys.platform) -> Path:
    """Return the default home of the calendar file: ``$XDG_DATA_HOME/reminderd`` on Linux,
    the platform's data folder elsewhere."""
    native = _native("data", env, platform)
    if native is not None:
        return native
    return _xdg(env, "XDG_DATA_HOME", ".local/share") / APP
