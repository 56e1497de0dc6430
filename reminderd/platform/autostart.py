"""An XDG autostart entry: starts ``reminderd run`` at desktop login where there is no
systemd user session (https://specifications.freedesktop.org/autostart-spec/)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from reminderd.platform import Target

FILE_NAME = "reminderd.desktop"
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def autostart_path(env: Mapping[str, str] = os.environ) -> Path:
    """Return ``$XDG_CONFIG_HOME/autostart/reminderd.desktop`` (``~/.config`` by default)."""
    base = env.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return root / "autostart" / FILE_NAME


def quote_exec(arguments: Sequence[str]) -> str:
    """Return ``arguments`` as an ``Exec=`` value (Desktop Entry spec, "The Exec key").

    A word with a reserved character is double-quoted with ``"`$\\`` backslash-escaped;
    ``%`` (a field code) is doubled; then the whole value is escaped as a string value,
    which doubles every backslash again.
    """
    words = []
    for argument in arguments:
        word = argument.replace("%", "%%")
        if not word or any(c in _RESERVED for c in word):
            for special in ("\\", '"', "`", "$"):
                word = word.replace(special, "\\" + special)
            word = f'"{word}"'
        words.append(word)
    return " ".join(words).replace("\\", "\\\\")


def render_autostart(target: Target) -> str:
    """Return the text of the autostart ``.desktop`` entry that runs ``target``."""
    return f"""\
[Desktop Entry]
Type=Application
Name=reminderd
Comment=Repayment reminders: written by `reminderd service install --autostart`
Exec={quote_exec(target.arguments())}
Terminal=false
NoDisplay=true
X-GNOME-Autostart-enabled=true
"""
