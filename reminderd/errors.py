"""Errors a user can cause, kept apart from bugs.

A :class:`UserError` carries its own exit status and a message that is shown as one line,
without a traceback. Anything else that escapes is a bug and is shown in full. One made with
:meth:`UserError.said` also carries its catalogue key (:mod:`reminderd.text`), so that the
command line can say it in the config's ``locale`` while logs keep the English ``message``.
"""

from __future__ import annotations

from typing import Any, Self

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class UserError(Exception):
    """Something the user can fix: bad input, bad usage. Exit status 2 by default."""

    exit_code = EXIT_USAGE
    key: str | None = None
    fields: dict[str, Any] = {}  # noqa: RUF012 - replaced, never mutated

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @classmethod
    def said(cls, key: str, exit_code: int | None = None, **fields: Any) -> Self:
        """Given a catalogue ``key`` and its ``fields``, return the error whose ``message``
        is the English text; raises ``KeyError`` for a key English lacks."""
        from reminderd.text import t

        error = cls(t(key, "en", **fields), exit_code)
        error.key, error.fields = key, fields
        return error

    @property
    def message(self) -> str:
        return str(self.args[0])

    def in_locale(self, locale: str) -> str:
        """The message in ``locale`` (the English ``message`` when it has no catalogue key);
        a field that is itself a UserError (a reason) is said in ``locale`` too."""
        if self.key is None:
            return self.message
        from reminderd.text import t

        fields = {
            name: value.in_locale(locale) if isinstance(value, UserError) else value
            for name, value in self.fields.items()
        }
        return t(self.key, locale, **fields)


class RuntimeFailure(UserError):
    """The request was fine but the world refused it: a channel, a file. Exit status 1."""

    exit_code = EXIT_FAILURE


class ConfigError(UserError):
    """The config file has one or more problems; each is a ``PATH:LINE:COL: where: what`` line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
