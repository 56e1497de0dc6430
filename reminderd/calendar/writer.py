"""The service's calendar writer: rebuilds the .ics file in a thread of its own.

Building the calendar takes about a second per thousand loans; on the scheduler's thread that
would delay the next reminder by as much. Requests coalesce (only the newest is written), and
nothing is written when what the calendar shows (each installment's status and paid amount)
has not changed. The thread waits on a condition, without a timeout: idle means idle.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from reminderd.errors import UserError

log = logging.getLogger(__name__)


class CalendarWriter:
    def __init__(self, on_written: Callable[[bytes], None] = lambda data: None) -> None:
        self.on_written = on_written
        self._condition = threading.Condition()
        self._request: tuple[Any, Any, Mapping[str, Decimal], datetime] | None = None
        self._stopping = False
        self._marks: frozenset[tuple[str, int, str, Decimal]] | None = None
        self._idle = True
        self._thread = threading.Thread(target=self._loop, name="calendar-writer", daemon=True)
        self._thread.start()

    def request(self, config: Any, agenda: Any, paid: Mapping[str, Decimal], now: datetime) -> None:
        """Ask for the calendar as of ``now``; returns at once."""
        with self._condition:
            # A Paid keeps payments by day (plan versions need them); it is never mutated.
            self._request = (config, agenda, paid if hasattr(paid, "dated") else dict(paid), now)
            self._idle = False
            self._condition.notify()

    def invalidate(self) -> None:
        """Write the next request even if its content looks unchanged (a reload, a new feed)."""
        with self._condition:
            self._marks = None

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every request so far has been handled (for tests and shutdown)."""
        with self._condition:
            return self._condition.wait_for(lambda: self._idle, timeout=timeout)

    def stop(self) -> None:
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        self._thread.join(timeout=2)

    def _loop(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._request is not None or self._stopping)
                if self._stopping:
                    return
                request, self._request = self._request, None
                marks_before = self._marks
            assert request is not None  # noqa: S101 - the wait above guarantees it
            marks = self._write(*request, marks_before)
            with self._condition:
                if marks is not None:
                    self._marks = marks
                if self._request is None:
                    self._idle = True
                    self._condition.notify_all()

    def _write(
        self,
        config: Any,
        agenda: Any,
        paid: Mapping[str, Decimal],
        now: datetime,
        marks_before: frozenset[tuple[str, int, str, Decimal]] | None,
    ) -> frozenset[tuple[str, int, str, Decimal]] | None:
        from reminderd.calendar import content, export

        marks = frozenset(
            (loan_id, row.installment.number, row.status(now), row.paid)
            for loan_id, standing in agenda.standings(paid).items()
            for row in standing.rows
        )
        if marks == marks_before:
            return marks
        try:
            data = content.build_calendar(config, paid, now)
            export.write_bytes(config.calendar.path, data)
        except UserError as error:
            log.error("%s", error.message)
            return None
        except Exception:  # a bug here must not stop future writes or the service
            log.exception("writing the calendar failed")
            return None
        self.on_written(data)
        return marks
