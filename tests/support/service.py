"""Run the installed ``reminderd run`` as a user's service manager would: a subprocess with
its own ``NOTIFY_SOCKET`` (to see READY=1 and STATUS=), signals, and its log in a file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def reminderd_command() -> list[str]:
    """The installed ``reminderd`` console script next to this interpreter, as a user runs it.

    Fails the calling test with one line saying how to install it when it is missing: falling
    back to ``python -m reminderd`` would leave the entry point a user runs untested.
    """
    import pytest

    script = Path(sys.executable).parent / "reminderd"
    if not script.exists():
        pytest.fail(
            f"the installed reminderd command is missing ({script}): run "
            f"`{Path(sys.executable).parent / 'pip'} install -e '.[test]'` first",
            pytrace=False,
        )
    return [str(script)]


def stamp(moment: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC, the form a config's ``due`` takes with a time."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def seconds_ahead(seconds: float) -> datetime:
    """A whole-second UTC instant ``seconds`` from now."""
    return (datetime.now(UTC) + timedelta(seconds=seconds)).replace(microsecond=0)


# How long a test waits for something that takes a second on a quiet machine. Generous on
# purpose: a wait returns as soon as its predicate holds, so only a real failure pays for it,
# and a loaded 2-core machine running two suites at once must not fail a correct product.
# How fast things are is measured in bench/, not asserted here.
PATIENCE = 60.0


def wait_for(predicate, timeout: float, interval: float = 0.1) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


class ServiceProcess:
    def __init__(self, config: Path, state_dir: Path, env: dict[str, str] | None = None) -> None:
        self.config = config
        self.state_dir = state_dir
        self.env = {**os.environ, **(env or {})}
        self.env.pop("NOTIFY_SOCKET", None)
        self.process: subprocess.Popen[bytes] | None = None
        self.messages: list[str] = []
        self.log_path = state_dir.parent / f"service-{id(self)}.log"
        self._socket_path = state_dir.parent / f"notify-{id(self)}.sock"
        self._socket: socket.socket | None = None

    def start(
        self,
        *,
        wait_ready: bool = True,
        extra: tuple[str, ...] = (),
        prefix: tuple[str, ...] = (),
        notify_socket: str | None = None,
    ) -> None:
        """Start the service; ``prefix`` runs it through a wrapper (``unshare …``), and
        ``notify_socket`` hands it somebody else's socket instead of one read here."""
        if notify_socket is None:
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._socket_path.unlink(missing_ok=True)
            self._socket.bind(str(self._socket_path))
            self._socket.setblocking(False)
        env = {**self.env, "NOTIFY_SOCKET": notify_socket or str(self._socket_path)}
        command = [
            *prefix,
            *reminderd_command(),
            "-c",
            str(self.config),
            "--state-dir",
            str(self.state_dir),
            "run",
            *extra,
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL
            )
        # Generous: seven suites share two cores, and a start under LD_PRELOAD is slower.
        if wait_ready and not wait_for(lambda: self.has("READY=1"), 60):
            raise AssertionError(f"no READY=1 within 60 s; log:\n{self.log()}")

    def _drain(self) -> None:
        if self._socket is None:
            return
        while True:
            try:
                self.messages.append(self._socket.recv(65536).decode())
            except BlockingIOError:
                return

    def has(self, line: str) -> bool:
        self._drain()
        return any(line in message.splitlines() for message in self.messages)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def stop(self, timeout: float = PATIENCE) -> int:
        """SIGTERM, and the exit status (raises if it takes longer than ``timeout``)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self._close()
        return code

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._close()

    def _close(self) -> None:
        self._drain()
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._socket_path.unlink(missing_ok=True)
