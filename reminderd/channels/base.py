"""The one small interface every delivery channel implements, and what they share.

A channel is handed a complete :class:`Message` and either returns (the backend accepted it)
or raises :class:`DeliveryError` with a short reason a person can act on. Each channel bounds
its own work by its timeout, so a slow backend never holds up the schedule.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Message:
    """One thing to tell the user, already rendered.

    ``key`` is the stable id of the reminder (``Reminder.key``) or ``test/<iso time>``; the
    e-mail channel derives its ``Message-ID`` from it. ``kind`` is ``ahead``, ``due``,
    ``overdue``, ``catchup`` or ``test``. ``body`` is complete plain text.
    """

    key: str
    kind: str
    subject: str
    body: str
    loan_id: str | None = None
    attachment_ics: bytes | None = None  # one-event calendar (METHOD:PUBLISH)
    actions: bool = False  # desktop: offer "Paid"/"Snooze" where the server supports it


class DeliveryError(Exception):
    """A channel did not accept a message. ``str()`` is a short reason, never a secret.

    ``permanent`` is true when retrying the same message cannot help (a 5xx answer, a
    refused password file, a missing dependency); the service may still retry, but slower.
    """

    key: str | None = None
    fields: dict[str, object] = {}  # noqa: RUF012 - replaced, never mutated

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent

    @classmethod
    def said(cls, key: str, *, permanent: bool = False, **fields: object) -> DeliveryError:
        """The error whose English ``reason`` is the catalogue's ``key`` (reminderd.text),
        so that ``notify-test`` can say it again in the config's locale."""
        from reminderd.text import t

        error = cls(t(key, "en", **fields), permanent=permanent)
        error.key, error.fields = key, fields
        return error

    @property
    def reason(self) -> str:
        return str(self.args[0])

    def in_locale(self, locale: str) -> str:
        """The reason in ``locale`` (English when it has no catalogue key)."""
        if self.key is None:
            return self.reason
        from reminderd.text import t

        return t(self.key, locale, **self.fields)


class Channel(Protocol):
    """What the service and ``notify-test`` rely on."""

    name: str

    def send(self, message: Message) -> None:
        """Return once the backend accepted ``message``; raise :class:`DeliveryError`."""

    def close(self) -> None:
        """Release what the channel holds; safe to call more than once."""


class UnavailableChannel:
    """Stands in for a channel that could not be set up (a missing optional dependency).

    Every send fails with the same reason, so ``notify-test`` and the delivery log say why.
    """

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason

    def send(self, message: Message) -> None:
        """Raise :class:`DeliveryError` with the setup problem."""
        raise DeliveryError(self.reason, permanent=True)

    def close(self) -> None:
        """Nothing to release."""


def run_bounded(function: Callable[[], T], timeout: float, what: str) -> T:
    """Run ``function`` in a daemon thread and wait at most ``timeout`` seconds for it.

    Returns what it returned and re-raises what it raised. Raises :class:`DeliveryError`
    ("timed out") when it does not finish in time; the thread is then abandoned, which is
    why this is kept for libraries (plyer, apprise) that offer no timeout of their own.
    """
    outcome: dict[str, object] = {}
    finished = threading.Event()

    def target() -> None:
        try:
            outcome["value"] = function()
        except BaseException as error:  # noqa: BLE001 - handed back to the caller below
            outcome["error"] = error
        finally:
            finished.set()

    thread = threading.Thread(target=target, name=f"reminderd-{what}", daemon=True)
    thread.start()
    if not finished.wait(timeout):
        raise DeliveryError(f"{what} timed out after {timeout:g}s")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
