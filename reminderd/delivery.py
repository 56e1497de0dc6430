"""Sending due reminders through their channels and keeping the delivery log.

Each channel has its own worker thread, so a slow or hanging channel holds up nothing else.
One :class:`Deliverer` lives as long as the service: a reload that changes the channels swaps
the channel objects behind each name and keeps the workers, their queues and the set of
(reminder, channel) pairs in flight, so nothing queued or in flight is handed out twice.

The delivery log is written around every hand-over: ``attempting`` before the channel gets
the message, ``sent`` (or ``failed`` with its reason) after. If ``attempting`` cannot be
written (a full disk, a lock held too long), nothing is sent and the pair is tried again a
moment later. If the outcome cannot be written, the worker retries the write (from a fraction
of a second up to 30 s apart) before it sends anything else, and the pair stays in flight
meanwhile: a pair is never sent again while its previous outcome is not durably known. A
process killed between ``attempting`` and the outcome leaves ``attempting``; the next start
sends that pair once more (the one window, documented in the README).

A failure is retried with exponential backoff until it succeeds or a later reminder
supersedes it. A reminder whose kind or instant is earlier than one already sent for the
same installment (``due`` after ``overdue``, as a clock set back would ask) is never sent.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from reminderd import ledger
from reminderd.agenda import Due
from reminderd.channels.base import DeliveryError

log = logging.getLogger(__name__)

RETRY_FIRST = timedelta(seconds=10)
RETRY_MAX = timedelta(minutes=10)
LOG_RETRY_FIRST = timedelta(milliseconds=200)  # a delivery-log write that failed
LOG_RETRY_MAX = timedelta(seconds=30)
# What a message says, in the order an installment's life goes through them.
KIND_RANK = {"ahead": 0, "due": 1, "overdue": 2}


def backoff(attempts: int) -> timedelta:
    """Wait before retry number ``attempts`` (1-based): 10 s, 20 s, 40 s … at most 10 min."""
    # The exponent stops growing long after the cap is reached: 10 s × 2⁴³ would not even
    # fit a timedelta (attempt 44, six hours of failures, raised OverflowError before).
    return min(RETRY_FIRST * (2 ** min(max(attempts - 1, 0), 20)), RETRY_MAX)


def log_backoff(attempts: int) -> timedelta:
    """Wait before writing the delivery log again: 0.2 s, 0.4 s, 0.8 s … at most 30 s."""
    return min(LOG_RETRY_FIRST * (2 ** min(max(attempts - 1, 0), 20)), LOG_RETRY_MAX)


@dataclass
class _Failure:
    attempts: int
    next_try: datetime
    reason: str


@dataclass(frozen=True)
class Logged:
    """What the delivery log holds about one installment: the channels each reminder key was
    sent to, and the latest (kind rank, instant) handed to any channel, whatever came of it
    (``attempting`` or ``failed`` may have been shown: a timeout after the server took it)."""

    sent: dict[str, set[str]]
    latest: tuple[int, datetime] | None

    def is_superseded(self, due: Due) -> bool:
        """True when ``due`` would contradict (or repeat an older) message already handed
        to a channel for this installment."""
        if self.latest is None:
            return False
        return (KIND_RANK.get(due.kind, 0), due.reminder.at) < self.latest


def logged(conn: sqlite3.Connection, loan_id: str, number: int) -> Logged:
    """Read the delivery log of one installment (a range of the primary key: keys start with
    ``loan/number/``)."""
    prefix = f"{loan_id}/{number}/"
    upper = prefix[:-1] + chr(ord("/") + 1)
    rows = conn.execute(
        "SELECT reminder_key, channel, kind, fire_at, state FROM deliveries "
        "WHERE reminder_key >= ? AND reminder_key < ?",
        (prefix, upper),
    )
    sent: dict[str, set[str]] = {}
    latest: tuple[int, datetime] | None = None
    for key, channel, kind, fire_at, state in rows:
        if state == "sent":
            sent.setdefault(key, set()).add(channel)
        mark = (KIND_RANK.get(kind, 0), datetime.fromisoformat(fire_at))
        if latest is None or mark > latest:
            latest = mark
    return Logged(sent, latest)


def sent_channels(conn: sqlite3.Connection, key: str) -> set[str]:
    """The channels the reminder ``key`` was sent to."""
    rows = conn.execute(
        "SELECT channel FROM deliveries WHERE reminder_key = ? AND state = 'sent'", (key,)
    )
    return {row[0] for row in rows}


def record(
    state_dir: Path, due: Due, channel: str, *, state: str, error: str | None, attempts: int
) -> None:
    """Write one delivery state (``attempting``, ``sent`` or ``failed``); a ``sent`` row is
    never turned back. ``kind`` holds what the message said (``due.kind``), which is what a
    later message must not contradict. Raises what SQLite raises (a full disk, a lock)."""
    now = datetime.now(UTC).isoformat()
    conn = ledger.connect(state_dir, create=True)
    assert conn is not None  # noqa: S101 - create=True always gives a connection
    try:
        with ledger.transaction(conn):
            # A grouped overdue message is logged under each installment's reminder it told
            # of, so none of them is told again alone before its next instant.
            for member in due.members:
                conn.execute(
                    """
                    INSERT INTO deliveries (reminder_key, channel, loan_id, number, kind,
                                            fire_at, state, attempts, last_error, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (reminder_key, channel) DO UPDATE SET
                        state = CASE WHEN deliveries.state = 'sent' THEN 'sent'
                                     ELSE excluded.state END,
                        kind = CASE WHEN deliveries.state = 'sent' THEN deliveries.kind
                                    ELSE excluded.kind END,
                        attempts = excluded.attempts,
                        last_error = excluded.last_error,
                        updated_at = excluded.updated_at
                    """,
                    (
                        member.reminder.key,
                        channel,
                        member.loan.id,
                        member.installment.number,
                        due.kind,
                        member.reminder.at.isoformat(),
                        state,
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
        self.render = render
        self.on_settled = on_settled
        self._lock = threading.Lock()
        self._channels: dict[str, Any] = {}
        self._busy: dict[str, Any] = {}  # the channel object each worker is using now
        self._in_flight: set[tuple[str, str]] = set()  # queued, sending, or being logged
        self._failures: dict[tuple[str, str], _Failure] = {}
        self._log_tries: dict[tuple[str, str], int] = {}  # refused "attempting" writes in a row
        self._queues: dict[str, queue.Queue[tuple[Due, int] | None]] = {}
        self._threads: list[threading.Thread] = []
        self._pending = 0
        self._idle = threading.Condition(self._lock)
        self._closing = threading.Event()
        self.outcomes: list[tuple[str, str, bool, str | None]] = []  # for `run --once`
        self.update_channels(channels)

    @property
    def channels(self) -> dict[str, Any]:
        """The channel objects now in use, by name."""
        with self._lock:
            return dict(self._channels)

    def update_channels(self, channels: Mapping[str, Any]) -> None:
        """Use ``channels`` from now on (a reload). A name kept keeps its worker, its queue
        and its pairs in flight: queued items go out once through the new object, the one
        being sent finishes on the old one. A name removed drops its queued items (nobody
        wants them any more); a new name gets a worker. Old objects are closed once unused."""
        to_close: list[Any] = []
        with self._lock:
            for name, old in self._channels.items():
                if channels.get(name) is not old and self._busy.get(name) is not old:
                    to_close.append(old)
            removed = [name for name in self._channels if name not in channels]
            self._channels = dict(channels)
            for name in removed:
                self._queues.pop(name).put(None)  # after the queued items, which it drops
            self._threads = [thread for thread in self._threads if thread.is_alive()]
            for name in self._channels:
                if name not in self._queues:
                    work: queue.Queue[tuple[Due, int] | None] = queue.Queue()
                    self._queues[name] = work
                    thread = threading.Thread(
                        target=self._work, args=(name, work), name=f"deliver-{name}", daemon=True
                    )
                    thread.start()
                    self._threads.append(thread)
        _close_all(to_close)

    def submit(self, dues: list[Due], now: datetime) -> int:
        """Queue every (reminder, channel) pair not yet sent, in flight, backing off or
        superseded by a later message already sent; return how many were queued."""
        queued = 0
        wanted: set[tuple[str, str]] = set()
        conn = ledger.connect(self.state_dir, create=True)
        assert conn is not None  # noqa: S101
        try:
            for due in dues:
                with self._lock:
                    names = [name for name in due.loan.reminders.channels if name in self._queues]
                if not names:
                    continue
                history = logged(conn, due.loan.id, due.installment.number)
                done = history.sent.get(due.reminder.key, set())
                superseded = history.is_superseded(due)
                for name in names:
                    pair = (due.reminder.key, name)
                    if name in done:
                        continue
                    if superseded:
                        log.debug(
                            "not sending %s via %s: a later reminder was already sent",
                            due.reminder.key,
                            name,
                        )
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
                    self._log_tries.pop(pair, None)
        return queued

    def next_retry(self) -> datetime | None:
        with self._lock:
            return min((f.next_try for f in self._failures.values()), default=None)

    def failures(self) -> dict[tuple[str, str], str]:
        with self._lock:
            return {pair: failure.reason for pair, failure in self._failures.items()}

    def in_flight(self) -> set[tuple[str, str]]:
        """The pairs queued, being sent or being logged now."""
        with self._lock:
            return set(self._in_flight)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is queued or in flight (for ``run --once``)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def close(self, wait: float = 0.0) -> list[str]:
        """Stop the workers, each after the item in hand, waiting up to ``wait`` seconds in
        all for them; then close the channels. Return the names of the workers still sending
        when the wait ran out (their pairs stay "attempting" in the log).

        Waiting matters at a stop: a send cut off by the exit is logged neither sent nor
        failed, and a worker left running while the interpreter finalizes is a daemon thread
        that wakes to a dying process (Python 3.11 ends such a thread with ``pthread_exit``,
        which can abort the whole process after "reminderd stopped"). And a channel is closed
        only once its worker is done with it, never under a send."""
        self._closing.set()
        with self._lock:
            queues = list(self._queues.values())
            threads = list(self._threads)
        for work in queues:
            work.put(None)
        deadline = time.monotonic() + wait
        for thread in threads:
            thread.join(max(deadline - time.monotonic(), 0))
        with self._lock:
            # Still sending: a worker alive with a channel in hand. One alive but idle has
            # only its stop left to read (an item it takes now is dropped: closing is set).
            busy = [
                name
                for thread in threads
                if thread.is_alive()
                and self._busy.get(name := thread.name.removeprefix("deliver-")) is not None
            ]
            channels = [channel for name, channel in self._channels.items() if name not in busy]
        _close_all(channels)
        return busy

    def _work(self, name: str, work: queue.Queue[tuple[Due, int] | None]) -> None:
        while True:
            item = work.get()
            if item is None:
                return
            due, attempts = item
            pair = (due.reminder.key, name)
            with self._lock:
                channel = self._channels.get(name) if self._queues.get(name) is work else None
                self._busy[name] = channel
            if channel is None or self._closing.is_set():
                self._drop(pair)
                continue
            try:
                self._deliver(name, channel, due, pair, attempts)
            finally:
                with self._lock:
                    self._busy[name] = None
                    stale = self._channels.get(name) is not channel
                if stale:
                    _close_all([channel])  # swapped out by a reload while it was sending

    def _drop(self, pair: tuple[str, str]) -> None:
        with self._lock:
            self._in_flight.discard(pair)
            self._pending -= 1
            self._idle.notify_all()

    def _deliver(
        self, name: str, channel: Any, due: Due, pair: tuple[str, str], attempts: int
    ) -> None:
        label = f"{due.loan.id} {due.installment.label()} ({due.kind}) via {name}"
        try:
            record(self.state_dir, due, name, state="attempting", error=None, attempts=attempts)
        except Exception as failure:  # nothing was sent: try again shortly
            self._log_unwritable(label, pair, attempts, failure)
            return
        error: str | None = None
        try:
            channel.send(self.render(due, name))
        except Exception as failure:  # DeliveryError, or a channel's bug: retry either way
            error = str(failure) or type(failure).__name__
            if not isinstance(failure, DeliveryError):  # a bug: keep its traceback
                log.error("unexpected error sending %s", label, exc_info=True)
        self._write_outcome(due, name, label, error, attempts)
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
            self._log_tries.pop(pair, None)
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

    def _write_outcome(
        self, due: Due, name: str, label: str, error: str | None, attempts: int
    ) -> None:
        """Write ``sent``/``failed`` until it is durable (or the service stops, leaving
        ``attempting``, which the next start sends once more)."""
        state = "sent" if error is None else "failed"
        tries = 0
        while True:
            try:
                record(self.state_dir, due, name, state=state, error=error, attempts=attempts)
                if tries:
                    log.info("recorded the delivery of %s after %d retries", label, tries)
                return
            except Exception as failure:  # a full disk or a held lock: the message went out
                tries += 1
                wait = log_backoff(tries)
                if tries == 1 or tries % 10 == 0:
                    log.error(
                        "could not record the delivery of %s (%s): %s; retrying in %.1fs, "
                        "nothing more goes out via %s until it is recorded",
                        label,
                        state,
                        failure,
                        wait.total_seconds(),
                        name,
                    )
                if self._closing.wait(wait.total_seconds()):
                    return

    def _log_unwritable(
        self, label: str, pair: tuple[str, str], attempts: int, failure: Exception
    ) -> None:
        """The delivery log refused ``attempting``: nothing was sent; retry soon (not as a
        channel failure: the channel was never asked)."""
        with self._lock:
            tries = self._log_tries.get(pair, 0) + 1
            self._log_tries[pair] = tries
            wait = log_backoff(tries + 2)  # 0.8 s, 1.6 s, … 30 s
            log.error(
                "not sending %s: the delivery log cannot be written (%s); trying again in %.1fs",
                label,
                failure,
                wait.total_seconds(),
            )
            self._in_flight.discard(pair)
            # Keeps the channel's own attempt count: ``attempts - 1`` failures so far.
            self._failures[pair] = _Failure(
                max(attempts - 1, 0), datetime.now(UTC) + wait, f"log: {failure}"
            )
            self._pending -= 1
            self._idle.notify_all()
        self.on_settled()


def _close_all(channels: list[Any]) -> None:
    for channel in channels:
        try:
            channel.close()
        except Exception:  # closing is best effort; a channel's bug must not stop others
            log.exception("closing a channel failed")
