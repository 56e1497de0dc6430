"""Run a program of the user's for each message: no shell, details in environment variables.

The program gets ``REMINDERD_SUBJECT``, ``REMINDERD_BODY``, ``REMINDERD_KIND``,
``REMINDERD_KEY`` and ``REMINDERD_LOAN`` (empty for a test message), and the body again on
standard input. Variables that hold reminderd's own secrets (the SMTP password variable, the
apprise URL variable, ``CREDENTIALS_DIRECTORY``) are removed from its environment. Exit status
0 means delivered; anything else, or running past the timeout, is a :class:`DeliveryError`.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterable, Mapping

from reminderd.channels.base import DeliveryError, Message
from reminderd.model import CommandSettings

# Never handed to the user's program: where systemd puts credentials.
ALWAYS_WITHHELD = frozenset({"CREDENTIALS_DIRECTORY"})


class CommandChannel:
    """Runs ``settings.argv`` once per message."""

    name = "command"

    def __init__(
        self,
        settings: CommandSettings,
        *,
        environ: Mapping[str, str],
        withhold: Iterable[str] = (),
    ) -> None:
        if not settings.argv:
            raise ValueError("command channel needs a non-empty argv")
        self.settings = settings
        hidden = ALWAYS_WITHHELD | set(withhold)
        self._base_environ = {
            name: value
            for name, value in environ.items()
            if name not in hidden and not name.startswith("REMINDERD_")
        }

    def environment(self, message: Message) -> dict[str, str]:
        """Return the environment the program runs with for ``message``."""
        return {
            **self._base_environ,
            "REMINDERD_SUBJECT": message.subject,
            "REMINDERD_BODY": message.body,
            "REMINDERD_KIND": message.kind,
            "REMINDERD_KEY": message.key,
            "REMINDERD_LOAN": message.loan_id or "",
        }

    def send(self, message: Message) -> None:
        """Run the program; return when it exited 0, else raise :class:`DeliveryError`."""
        argv = list(self.settings.argv)
        program = argv[0]
        timeout = self.settings.timeout
        try:
            process = subprocess.Popen(  # noqa: S603 - argv from the user's config, no shell
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self.environment(message),
                shell=False,
            )
        except FileNotFoundError:
            raise DeliveryError.said("deliver.not_found", permanent=True, program=program) from None
        except PermissionError:
            raise DeliveryError.said(
                "deliver.not_executable", permanent=True, program=program
            ) from None
        except OSError as error:
            raise DeliveryError.said(
                "deliver.cannot_run", permanent=True, program=program, reason=error.strerror
            ) from None
        # From here the program runs: its exit status is the verdict. An OSError while
        # talking to it (a pipe that broke) does not mean "not delivered", so it is never a
        # reason to run the program a second time.
        seconds = f"{timeout:g}"
        stderr = b""
        with process:
            try:
                _, stderr = process.communicate(message.body.encode("utf-8"), timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise DeliveryError.said(
                    "deliver.timeout", program=program, seconds=seconds
                ) from None
            except OSError:
                if not _wait_out(process, timeout):
                    process.kill()
                    process.wait()
                    raise DeliveryError.said(
                        "deliver.timeout", program=program, seconds=seconds
                    ) from None
        completed = subprocess.CompletedProcess(argv, process.returncode, b"", stderr or b"")
        if completed.returncode != 0:
            last = _last_line(completed.stderr)
            tail = f": {last}" if last else ""  # the program's own words
            if completed.returncode < 0:
                raise DeliveryError.said(
                    "deliver.signal", program=program, signal=-completed.returncode, tail=tail
                )
            raise DeliveryError.said(
                "deliver.status", program=program, code=completed.returncode, tail=tail
            )

    def close(self) -> None:
        """Nothing is kept between runs."""


def _wait_out(process: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait for ``process`` to exit, at most ``timeout`` seconds; True when it did. Polls
    ``waitpid`` with waits on a lock (not ``time.sleep``, which is what failed when a clock
    faker or an odd kernel made ``communicate`` raise in the first place)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while process.poll() is None:
        if time.monotonic() >= deadline:
            return False
        pause.wait(0.02)
    return True


def _last_line(output: bytes) -> str:
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    return lines[-1][:200] if lines else ""
