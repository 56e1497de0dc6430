"""What is due to be said, and when the service must next wake: pure functions of the config,
the payments, the snoozes and ``now``.

The rule that keeps restarts, crashes and suspends honest: at any moment, each unsettled
installment has at most one reminder worth sending, the latest one whose instant has passed.
Earlier ones it supersedes are never sent late, so a long absence never turns into a burst,
and the delivery log (keyed by that reminder) makes sure it is sent once per channel. A
pre-due reminder found only after the due instant becomes one overdue message.

Never a burst per loan either: when several installments of one loan are overdue at once,
they make one message (the newest one's reminder leads, the others ride along in ``group``),
so a daily plan 90 days behind says so once per ``overdue_every``, not 90 times.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from reminderd import reminders
from reminderd.core import versions
from reminderd.durations import Lead
from reminderd.model import Config, Installment, Loan, Reminder
from reminderd.standing import LoanStanding, Standing, for_loan

# A reminder found this much after its instant was missed (service down, machine asleep) and
# is marked as a catch-up; within it, it is simply on time.
GRACE = timedelta(minutes=5)
# Installments are in due order, but list plans may give two on one day different times of
# day; looking a day past the first one that is not yet due covers that.
_LOOKAHEAD = timedelta(days=1)

Snoozes = Mapping[tuple[str, int], datetime]


@dataclass(frozen=True)
class Due:
    """A reminder to send now. ``kind`` is what the message says (``ahead``, ``due``,
    ``overdue``); ``catch_up`` says it was missed while reminderd was not running. ``group``
    holds the loan's other overdue installments told in the same message (oldest first)."""

    loan: Loan
    standing: Standing
    reminder: Reminder
    kind: str
    catch_up: bool
    group: tuple[Due, ...] = ()

    @property
    def members(self) -> tuple[Due, ...]:
        """Every installment this message tells of, oldest first (itself last when grouped)."""
        return (*self.group, self)

    @property
    def installment(self) -> Installment:
        return self.standing.installment


class Agenda:
    """A config's installments, computed once per (re)load, asked many times."""

    def __init__(self, config: Config) -> None:
        self.config = config
        # Every plan version's installments (SPEC §8); for_loan marks the superseded and
        # rolled ones, which open_rows() leaves out, so they are never reminded.
        self.rows = {loan.id: versions.installments(loan) for loan in config.loans}
        self.longest_lead = {
            loan.id: max(loan.reminders.before, default=Lead(), key=Lead.approximate_seconds)
            for loan in config.loans
        }

    def standings(self, paid: Mapping[str, Decimal]) -> dict[str, LoanStanding]:
        return {loan.id: for_loan(loan, paid, self.rows[loan.id]) for loan in self.config.loans}

    def due(
        self, now: datetime, paid: Mapping[str, Decimal], snoozes: Snoozes | None = None
    ) -> list[Due]:
        """Every unsettled installment's latest passed reminder, oldest first; a loan's
        overdue ones as one (see :attr:`Due.group`)."""
        found: list[Due] = []
        snoozes = snoozes or {}
        for loan in self.config.loans:
            standing = for_loan(loan, paid, self.rows[loan.id])
            lead = self.longest_lead[loan.id]
            items: list[Due] = []
            for row in standing.open_rows():
                inst = row.installment
                if lead.before(inst.due_at) > now + _LOOKAHEAD:
                    break
                item = self._latest(loan, row, now, snoozes.get((loan.id, inst.number)))
                if item is not None:
                    items.append(item)
            found.extend(_grouped(items))
        found.sort(key=lambda item: (item.reminder.at, item.loan.id, item.installment.number))
        return found

    def _latest(
        self, loan: Loan, row: Standing, now: datetime, snooze_until: datetime | None
    ) -> Due | None:
        inst = row.installment
        candidate: Reminder | None = None
        for reminder in reminders.before_due(inst, loan.reminders):
            if reminder.at <= now:
                candidate = reminder
        late = reminders.latest_overdue(inst, loan.reminders, now)
        if late is not None and (candidate is None or late.at > candidate.at):
            candidate = late
        if snooze_until is not None and snooze_until <= now:
            if candidate is None or snooze_until > candidate.at:
                candidate = Reminder(loan.id, inst.number, snooze_until, "snooze")
        if candidate is None:
            return None
        catch_up = now - candidate.at > GRACE
        kind = candidate.kind
        if kind == "snooze":
            kind = "overdue" if now > inst.due_at else "ahead"
        elif kind in ("ahead", "due") and now > inst.due_at + GRACE:
            kind, catch_up = "overdue", True
        return Due(loan, row, candidate, kind, catch_up)

    def next_instant(
        self, now: datetime, paid: Mapping[str, Decimal], snoozes: Snoozes | None = None
    ) -> datetime | None:
        """The first moment after ``now`` at which something changes: a reminder instant, a
        due instant (an installment turns overdue), or the end of a snooze."""
        best: datetime | None = None
        for loan in self.config.loans:
            standing = for_loan(loan, paid, self.rows[loan.id])
            lead = self.longest_lead[loan.id]
            for row in standing.open_rows():
                inst = row.installment
                if best is not None and lead.before(inst.due_at) > best + _LOOKAHEAD:
                    break
                for instant in _instants_after(loan, inst, now):
                    if best is None or instant < best:
                        best = instant
        for until in (snoozes or {}).values():
            if until > now and (best is None or until < best):
                best = until
        return best


def _grouped(items: list[Due]) -> list[Due]:
    """One loan's dues with its overdue ones folded into the newest of them."""
    overdue = [item for item in items if item.kind == "overdue"]
    if len(overdue) < 2:
        return items
    overdue.sort(key=lambda item: item.installment.number)
    newest = overdue[-1]
    lead = replace(
        newest,
        group=tuple(overdue[:-1]),
        catch_up=any(item.catch_up for item in overdue),
    )
    return [item for item in items if item.kind != "overdue"] + [lead]


def _instants_after(loan: Loan, inst: Installment, now: datetime) -> list[datetime]:
    found = []
    upcoming = reminders.next_after(inst, loan.reminders, now)
    if upcoming is not None:
        found.append(upcoming.at)
    if inst.due_at > now:
        found.append(inst.due_at)
    return found
