"""The service's calendar writer: rewrites the .ics file in a thread of its own.

Building the calendar takes about a second per thousand loans; on the scheduler's thread that
would delay the next reminder by as much. Requests coalesce (only the newest is written). The
file is written under the calendar's lock from the ledger read inside it (see
:mod:`reminderd.calendar.export`), streamed a loan at a time: the service never holds the
calendar's text. Nothing is built when nothing it shows can have changed: what an event shows
is a function of its loan's paid total and of whether its due instant has passed, so the
writer compares the paid totals and the number of due instants passed (a binary search), not
every installment. The thread waits on a condition, without a timeout: idle means idle.
"""

from __future__ import annotations

import bisect
import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from reminderd.errors import UserError

log = logging.getLogger(__name__)

_Key = tuple[frozenset[Any], int]


def _paid_key(paid: Mapping[str, Decimal]) -> frozenset[Any]:
    """What of the payments an event can show: each loan's total and, for plan versions
    (which place a payment by its date), the dated payments too."""
    dated = getattr(paid, "dated", None)
    if not dated:
        return frozenset(paid.items())
    return frozenset(paid.items()) | frozenset(
        (loan_id, tuple(rows)) for loan_id, rows in dated.items()
    )


class CalendarWriter:
    def __init__(
        self,
        on_written: Callable[[Path], None] = lambda path: None,
        read_paid: Callable[[], Mapping[str, Decimal]] | None = None,
    ) -> None:
        """``on_written(path)`` is called (from the writer's thread) once ``path`` holds the
        calendar of the newest request; ``read_paid`` returns the ledger's paid totals, read
        under the file's lock (without it, each request's ``paid`` is written)."""
        self.on_written = on_written
        self._read_paid = read_paid
        self._condition = threading.Condition()
        self._request: tuple[Any, Mapping[str, Decimal], datetime] | None = None
        self._stopping = False
        self._key: _Key | None = None
        self._instants: tuple[Any, list[datetime]] = (None, [])
        self._idle = True
        self._thread = threading.Thread(target=self._loop, name="calendar-writer", daemon=True)
        self._thread.start()

    def request(self, config: Any, agenda: Any, paid: Mapping[str, Decimal], now: datetime) -> None:
        """Ask for the calendar as of ``now``; returns at once. (``agenda`` is accepted for
        the callers' sake; the writer needs only the config.)"""
        with self._condition:
            # A Paid keeps payments by day (plan versions need them); it is never mutated.
            self._request = (config, paid if hasattr(paid, "dated") else dict(paid), now)
            self._idle = False
            self._condition.notify()

    def invalidate(self) -> None:
        """Build the next request even if its content looks unchanged (a reload, a new feed).
        The file still changes only if its bytes would (see ``export.replace_if_changed``)."""
        with self._condition:
            self._key = None

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every request so far has been handled (for tests and shutdown)."""
        with self._condition:
            return self._condition.wait_for(lambda: self._idle, timeout=timeout)

    def stop(self) -> None:
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        self._thread.join(timeout=30)  # the write in hand finishes (atomic: never half a file)

    def _loop(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._request is not None or self._stopping)
                if self._stopping:
                    return
                request, self._request = self._request, None
                key_before = self._key
            assert request is not None  # noqa: S101 - the wait above guarantees it
            key = self._write(*request, key_before)
            with self._condition:
                if key is not None:
                    self._key = key
                if self._request is None:
                    self._idle = True
                    self._condition.notify_all()

    def _write(
        self, config: Any, paid: Mapping[str, Decimal], now: datetime, key_before: _Key | None
    ) -> _Key | None:
        from reminderd.calendar import content, export

        target: Path = config.calendar.path
        try:
            with export.locked(target):
                if self._read_paid is not None:
                    paid = self._read_paid()
                key = (_paid_key(paid), self._passed(config, now))
                if key == key_before and target.is_file():
                    return key
                chunks = content.calendar_chunks(config, paid, now)
                changed = export.replace_if_changed(target, chunks, now)
            log.info("calendar %s: %s", "written" if changed else "unchanged", target)
        except UserError as error:
            log.error("%s", error.message)
            return None
        except Exception:  # a bug here must not stop future writes or the service
            log.exception("writing the calendar failed")
            return None
        _trim()
        self.on_written(target)
        return key

    def _passed(self, config: Any, now: datetime) -> int:
        """How many due instants of ``config`` lie at or before ``now`` (sorted once per
        config): an event turns overdue, and its SEQUENCE grows, exactly when this grows."""
        if self._instants[0] is not config:
            from reminderd.core import versions

            instants = sorted(
                inst.due_at for loan in config.loans for inst in versions.installments(loan)
            )
            self._instants = (config, instants)
        return bisect.bisect_right(self._instants[1], now)


def _trim() -> None:
    """Give the memory a build freed back to the system (glibc keeps it in its arenas, where
    it would count as the service's RSS until the next build); elsewhere, nothing."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            import ctypes

            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim: Any = None
