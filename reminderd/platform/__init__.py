"""Where reminderd runs: what starts ``reminderd run`` at login on each platform (SPEC §11).

Each module renders one kind of file as a pure function of a :class:`Target` (the command to
start, the config, the state folder) and knows where that file goes and which tool enables it:

* :mod:`.systemd`   the systemd user unit, or the hardened system unit (Linux)
* :mod:`.autostart` an XDG autostart entry, for Linux desktops without a systemd user session
* :mod:`.launchd`   a LaunchAgent property list (macOS)
* :mod:`.windows`   a Task Scheduler task started at logon, without a console window

The ``service`` command (:mod:`reminderd.commands.service`) picks one and installs it. The
config loader imports :mod:`.files` from here, so this module imports its tools lazily.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

PLATFORMS = ("linux", "macos", "windows")
TOOL_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Target:
    """What a startup file points at.

    ``command`` is the program and its leading arguments (``[".../reminderd"]`` or
    ``[".../pythonw.exe", "-m", "reminderd.platform.background", LOG]``); ``config`` and
    ``state_dir`` are absolute; ``state_dir`` is None when the service manager hands it over
    (the system unit's ``StateDirectory=``).
    """

    command: tuple[str, ...]
    config: str
    state_dir: str | None

    def arguments(self) -> list[str]:
        """Return the whole command line that runs the service, as a list."""
        arguments = [*self.command, "--config", self.config]
        if self.state_dir is not None:
            arguments += ["--state-dir", self.state_dir]
        return [*arguments, "run"]


def current_platform(name: str = sys.platform) -> str:
    """Return ``linux``, ``macos`` or ``windows`` for a ``sys.platform`` value.

    The BSDs and other POSIX systems count as ``linux``: they have XDG desktops, not launchd.
    """
    if name == "darwin":
        return "macos"
    if name in ("win32", "cygwin"):
        return "windows"
    return "linux"


def installed_command(
    platform: str,
    *,
    python: str = sys.executable,
    which: Callable[[str], str | None] | None = None,
) -> list[str]:
    """Return the command that starts the reminderd installed with ``python``.

    The console script beside the interpreter comes first (a venv or pipx keeps both in one
    folder), then the one on ``PATH`` (a system or ``--user`` install), then ``python -m
    reminderd``. On Windows the task runs ``pythonw.exe`` (no console window) through
    :mod:`reminderd.platform.background`, which gives it a log file for its output.
    """
    if platform == "windows":
        folder = Path(python).parent
        return [str(folder / "pythonw.exe"), "-m", "reminderd.platform.background"]
    beside = Path(python).parent / "reminderd"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside.absolute())]
    if which is None:
        import shutil

        which = shutil.which
    found = which("reminderd")
    if found:
        return [str(Path(found).absolute())]
    return [str(Path(python).absolute()), "-m", "reminderd"]


def write_if_changed(path: Path, data: bytes, mode: int = 0o644) -> bool:
    """Write ``data`` to ``path`` atomically unless it already holds exactly that.

    Returns whether the file changed, so that installing twice is the same as once.
    Raises OSError when the folder cannot be made or the file cannot be written.
    """
    import tempfile

    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def run_tool(arguments: Sequence[str]) -> tuple[int, str] | None:
    """Run a platform tool (systemctl, launchctl, schtasks) and return (status, output).

    Returns None when the tool is not installed. Output is stdout and stderr together,
    stripped; a tool that hangs counts as failed with a short reason.
    """
    import shutil
    import subprocess

    program = shutil.which(arguments[0])
    if program is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 - a fixed platform tool, never a shell
            [program, *arguments[1:]],
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return 1, f"{arguments[0]} did not answer in {TOOL_TIMEOUT_SECONDS} s"
    return done.returncode, (done.stdout + done.stderr).strip()
