"""Reminder instants, as pure functions of an installment, its settings and ``now``.

A reminder fires at due instant − lead. Day and week leads are calendar days (same local time
N days earlier, across DST), hour/minute/second leads exact durations. After the due instant
an unpaid installment is overdue, and reminders repeat at due + k × ``overdue_every``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from reminderd.model import Installment, Reminder, Reminders

MAX_OVERDUE_STEPS = 100_000


def before_due(inst: Installment, settings: Reminders) -> list[Reminder]:
    """The pre-due reminders of ``inst`` (``ahead`` and ``due``), earliest first."""
    seen: dict[datetime, Reminder] = {}
    for index, lead in enumerate(settings.before):
        at = lead.before(inst.due_at)
        kind = "due" if lead.is_zero() else "ahead"
        if at not in seen:
            seen[at] = Reminder(inst.loan_id, inst.number, at, kind, index)
    return sorted(seen.values(), key=lambda reminder: reminder.at)


def overdue(inst: Installment, settings: Reminders, *, after: datetime) -> Iterator[Reminder]:
    """The overdue reminders of ``inst`` from the first one later than ``after`` on (endless
    but for a generous bound; the caller stops when the installment is settled)."""
    every = settings.overdue_every
    if every is None:
        return
    step = 1
    span = every.approximate_seconds()
    if after > inst.due_at and span:
        # Jump close to ``after`` instead of walking every step of a long-missed payment.
        step = max(1, int((after - inst.due_at).total_seconds() // span) - 1)
    while step <= MAX_OVERDUE_STEPS:
        at = every.after(inst.due_at, step)
        if at > after:
            yield Reminder(inst.loan_id, inst.number, at, "overdue", step)
        step += 1


def latest_overdue(inst: Installment, settings: Reminders, now: datetime) -> Reminder | None:
    """The most recent overdue reminder at or before ``now``, or None."""
    every = settings.overdue_every
    if every is None or now <= inst.due_at:
        return None
    # Calendar-day steps can be an hour short across DST: start two steps past the estimate.
    step = int((now - inst.due_at).total_seconds() // every.approximate_seconds()) + 2
    while step >= 1:
        at = every.after(inst.due_at, step)
        if at <= now:
            return Reminder(inst.loan_id, inst.number, at, "overdue", step)
        step -= 1
    return None


def next_after(inst: Installment, settings: Reminders, after: datetime) -> Reminder | None:
    """The first reminder of ``inst`` (pre-due or overdue) strictly later than ``after``."""
    for reminder in before_due(inst, settings):
        if reminder.at > after:
            return reminder
    return next(overdue(inst, settings, after=after), None)


def days_overdue(inst: Installment, now: datetime) -> int:
    """Whole calendar days since the due date, in the installment's zone (0 on the day)."""
    local = now.astimezone(inst.due_at.tzinfo)
    return max(0, (local.date() - inst.due).days)
