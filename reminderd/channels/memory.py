"""A real channel that keeps what it is sent in a list: for tests and the benchmark."""

from __future__ import annotations

import threading

from reminderd.channels.base import DeliveryError, Message


class MemoryChannel:
    """Records every accepted :class:`Message` in :attr:`sent`, in order.

    :meth:`fail_next` makes the next ``count`` sends raise :class:`DeliveryError` instead,
    which is how tests and the benchmark simulate an outage. Thread-safe.
    """

    def __init__(self, name: str = "memory") -> None:
        self.name = name
        self.sent: list[Message] = []
        self.attempts = 0
        self.closed = False
        self._failures_left = 0
        self._failure_reason = "simulated failure"
        self._lock = threading.Lock()

    def fail_next(self, count: int = 1, reason: str = "simulated failure") -> None:
        """Make the next ``count`` calls to :meth:`send` fail with ``reason``."""
        with self._lock:
            self._failures_left = count
            self._failure_reason = reason

    def send(self, message: Message) -> None:
        """Record ``message``, or raise :class:`DeliveryError` while failures are pending."""
        with self._lock:
            self.attempts += 1
            if self._failures_left > 0:
                self._failures_left -= 1
                raise DeliveryError(self._failure_reason)
            self.sent.append(message)

    def close(self) -> None:
        """Mark the channel closed; what was sent stays readable."""
        self.closed = True
