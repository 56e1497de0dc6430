"""Sending due reminders through their channels and keeping the delivery log.

Each channel has its own worker thread, so a slow or hanging channel holds up nothing else.
A reminder is logged as sent for a channel only after that channel accepted it; a failure is
logged with its reason and retried with exponential backoff until it succeeds or a later
reminder supersedes it. The log lives in the state database, so a restart or a crash never
resends what was accepted and never forgets what was not.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from reminderd import ledger
from reminderd.agenda import Due

log = logging.getLogger(__name__)

RETRY_FIRST = timedelta(seconds=10)
RETRY_MAX = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    """Wait before retry number ``attempts`` (1-based): 10 s, 20 s, 40 s … at most 10 min."""
    return min(RETRY_FIRST * (2 ** max(attempts - 1, 0)), RETRY_MAX)


@dataclass
class _Failure:
    attempts: int
    next_try: datetime
    reason: str


def sent_channels(conn: sqlite3.Connection, key: str) -> set[str]:
    rows = conn.execute(
        "SELECT channel FROM deliveries WHERE reminder_key = ? AND state = 'sent'", (key,)
    )
    return {row[0] for row in rows}


def record(
    state_dir: Path, due: Due, channel: str, *, ok: bool, error: str | None, attempts: int
) -> None:
    """Write one delivery outcome; a 'sent' row is never turned back into 'failed'."""
    now = datetime.now(UTC).isoformat()
    conn = ledger.connect(state_dir, create=True)
    assert conn is not None  # noqa: S101 - create=True always gives a connection
    try:
        with ledger.transaction(conn):
            conn.execute(
                """
                INSERT INTO deliveries (reminder_key, channel, loan_id, number, kind, fire_at,
                                        state, attempts, last_error, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (reminder_key, channel) DO UPDATE SET
                    state = CASE WHEN deliveries.state = 'sent' THEN 'sent'
                                 ELSE excluded.state END,
                    attempts = excluded.attempts,
                    last_error = excluded.last_error,
                    updated_at = excluded.updated_at
                """,
                (
                    due.reminder.key,
                    channel,
                    due.loan.id,
                    due.installment.number,
                    due.reminder.kind,
                    due.reminder.at.isoformat(),
                    "sent" if ok else "failed",
                    attempts,
                    error,
                    now,
                ),
            )
    finally:
        conn.close()


class Deliverer:
    """Hands due reminders to per-channel workers; remembers failures for their retries.

    ``render(due, channel_name)`` builds the message for a channel; ``on_settled()`` is called
    (from a worker thread) after each attempt, so the service can plan its next wake-up.
    """

    def __init__(
        self,
        state_dir: Path,
        channels: Mapping[str, Any],
        render: Callable[[Due, str], Any],
        on_settled: Callable[[], None] = lambda: None,
    ) -> None:
        self.state_dir = state_dir
        self.channels = dict(channels)
        self.render = render
        self.on_settled = on_settled
        self._lock = threading.Lock()
        self._in_flight: set[tuple[str, str]] = set()
        self._failures: dict[tuple[str, str], _Failure] = {}
        self._queues: dict[str, queue.Queue[tuple[Due, int] | None]] = {}
        self._threads: list[threading.Thread] = []
        self._pending = 0
        self._idle = threading.Condition(self._lock)
        self.outcomes: list[tuple[str, str, bool, str | None]] = []  # for `run --once`
        for name in self.channels:
            work: queue.Queue[tuple[Due, int] | None] = queue.Queue()
            self._queues[name] = work
            thread = threading.Thread(
                target=self._work, args=(name, work), name=f"deliver-{name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def submit(self, dues: list[Due], now: datetime) -> int:
        """Queue every (reminder, channel) pair not yet sent, in flight or backing off;
        return how many were queued."""
        queued = 0
        wanted: set[tuple[str, str]] = set()
        conn = ledger.connect(self.state_dir, create=True)
        assert conn is not None  # noqa: S101
        try:
            for due in dues:
                names = [name for name in due.loan.reminders.channels if name in self.channels]
                if not names:
                    continue
                done = sent_channels(conn, due.reminder.key)
                for name in names:
                    pair = (due.reminder.key, name)
                    if name in done:
                        continue
                    wanted.add(pair)
                    with self._lock:
                        failure = self._failures.get(pair)
                        if pair in self._in_flight or (failure and failure.next_try > now):
                            continue
                        self._in_flight.add(pair)
                        self._pending += 1
                    attempts = failure.attempts + 1 if failure else 1
                    self._queues[name].put((due, attempts))
                    queued += 1
        finally:
            conn.close()
        with self._lock:
            # A failure whose reminder was superseded or settled is not retried any more.
            for pair in list(self._failures):
                if pair not in wanted:
                    del self._failures[pair]
        return queued

    def next_retry(self) -> datetime | None:
        with self._lock:
            return min((f.next_try for f in self._failures.values()), default=None)

    def failures(self) -> dict[tuple[str, str], str]:
        with self._lock:
            return {pair: failure.reason for pair, failure in self._failures.items()}

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is queued or in flight (for ``run --once``)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def close(self) -> None:
        for work in self._queues.values():
            work.put(None)
        for channel in self.channels.values():
            try:
                channel.close()
            except Exception:  # closing is best effort; a channel's bug must not stop others
                log.exception("closing a channel failed")

    def _work(self, name: str, work: queue.Queue[tuple[Due, int] | None]) -> None:
        channel = self.channels[name]
        while True:
            item = work.get()
            if item is None:
                return
            due, attempts = item
            pair = (due.reminder.key, name)
            error: str | None = None
            try:
                channel.send(self.render(due, name))
            except Exception as failure:  # DeliveryError, or a channel's bug: retry either way
                error = str(failure) or type(failure).__name__
            self._settle(name, due, pair, attempts, error)

    def _settle(
        self, name: str, due: Due, pair: tuple[str, str], attempts: int, error: str | None
    ) -> None:
        label = f"{due.loan.id} {due.installment.label()} ({due.kind}) via {name}"
        try:
            record(self.state_dir, due, name, ok=error is None, error=error, attempts=attempts)
        except Exception as failure:  # the message went out; only the log entry is missing
            log.error("could not record the delivery of %s: %s", label, failure)
        if error is None:
            log.info("sent %s", label)
        else:
            wait = backoff(attempts)
            log.warning(
                "%s failed (attempt %d): %s; retrying in %ss",
                label,
                attempts,
                error,
                int(wait.total_seconds()),
            )
        with self._lock:
            self._in_flight.discard(pair)
            if error is None:
                self._failures.pop(pair, None)
            else:
                self._failures[pair] = _Failure(
                    attempts, datetime.now(UTC) + backoff(attempts), error
                )
            self.outcomes.append((due.reminder.key, name, error is None, error))
            self._pending -= 1
            self._idle.notify_all()
        self.on_settled()
