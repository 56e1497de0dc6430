"""Errors a user can cause, kept apart from bugs.

A :class:`UserError` carries its own exit status and a message that is shown as one line,
without a traceback. Anything else that escapes is a bug and is shown in full.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class UserError(Exception):
    """Something the user can fix: bad input, bad usage. Exit status 2 by default."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self.args[0])


class RuntimeFailure(UserError):
    """The request was fine but the world refused it: a channel, a file. Exit status 1."""

    exit_code = EXIT_FAILURE


class ConfigError(UserError):
    """The config file has one or more problems; each is a ``PATH:LINE:COL: where: what`` line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
