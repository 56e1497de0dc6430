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

import heapq
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
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
# A loan's cached answer holds until the first moment its answer could change. With ``now``
# at a fixed offset (the service's UTC), every comparison is of absolute instants and those
# moments are exact. With ``now`` in a zone with DST, ``now + span`` and ``now - instant`` are
# wall-clock arithmetic, so moments found by adding a span (grace ends, the look-ahead edge)
# are taken this much early, as a DST shift (2 h at most, Antarctica/Troll) could otherwise
# make them late; early only costs recomputing that one loan.
_MARGIN = timedelta(hours=3)
_TICK = timedelta(microseconds=1)  # datetime's resolution: "strictly after p" starts at p + 1 µs

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
        self._loans = {loan.id: loan for loan in config.loans}
        self._renegotiated = [loan.id for loan in config.loans if loan.renegotiated]
        self._reset()

    def _reset(self) -> None:
        # Per loan: what it owes now and until when that holds (see _LoanState).
        self._states: dict[str, _LoanState] = {}
        self._expiry: list[tuple[datetime, int, str]] = []  # (valid_until, gen, loan id)
        self._nexts: list[tuple[datetime, int, str]] = []  # (next instant, gen, loan id)
        self._seen_now: datetime | None = None
        self._exact = True  # ``now`` had a fixed offset: the moments in the heaps are exact
        self._seen_paid: dict[str, Decimal] = {}
        self._seen_dated: dict[str, object] = {}
        self._seen_snoozes: dict[str, tuple[tuple[int, datetime], ...]] = {}
        self._found: list[Due] | None = None  # every loan's dues, sorted; None: rebuild

    def standings(self, paid: Mapping[str, Decimal]) -> dict[str, LoanStanding]:
        return {loan.id: for_loan(loan, paid, self.rows[loan.id]) for loan in self.config.loans}

    def due(
        self, now: datetime, paid: Mapping[str, Decimal], snoozes: Snoozes | None = None
    ) -> list[Due]:
        """Every unsettled installment's latest passed reminder, oldest first; a loan's
        overdue ones as one (see :attr:`Due.group`).

        Given the payments totals (or a :class:`~reminderd.standing.Paid`) and the snoozes;
        returns a new list. Only loans whose payments or snoozes changed since the last call,
        or whose cached answer has run out, are recomputed; a ``now`` earlier than the last
        one (the clock set back) recomputes everything."""
        self._sync(now, paid, snoozes or {})
        if self._found is None:
            found = [item for state in self._states.values() for item in state.items]
            found.sort(key=lambda item: (item.reminder.at, item.loan.id, item.installment.number))
            self._found = found
        return list(self._found)

    def next_instant(
        self, now: datetime, paid: Mapping[str, Decimal], snoozes: Snoozes | None = None
    ) -> datetime | None:
        """The first moment after ``now`` at which something changes: a reminder instant, a
        due instant (an installment turns overdue), or the end of a snooze (any snooze in
        ``snoozes``, known loan or not). Cached per loan as :meth:`due` is."""
        snoozes = snoozes or {}
        self._sync(now, paid, snoozes)
        heap = self._nexts
        while heap and self._states[heap[0][2]].gen != heap[0][1]:
            heapq.heappop(heap)  # superseded by a recomputation
        best = heap[0][0] if heap else None
        for until in snoozes.values():
            if until > now and (best is None or until < best):
                best = until
        return best

    def _sync(self, now: datetime, paid: Mapping[str, Decimal], snoozes: Snoozes) -> None:
        """Bring every loan's cached answer to ``now``: recompute those whose inputs changed
        or whose answer may have changed by ``now``, and no other."""
        exact = isinstance(now.tzinfo, timezone)
        if self._seen_now is not None and (now < self._seen_now or exact != self._exact):
            # The clock went back (every "valid until" was measured forward), or ``now`` changed
            # between a fixed offset and a zone (the moments were found for the other kind).
            self._reset()
        self._seen_now = now
        self._exact = exact
        stale: set[str] = set()
        if not self._states:
            stale.update(self._loans)
        if paid != self._seen_paid:
            for loan_id in self._loans:
                if paid.get(loan_id) != self._seen_paid.get(loan_id):
                    stale.add(loan_id)
            self._seen_paid = dict(paid)
        if self._renegotiated:
            # Plan versions spread payments by day: a change of days alone matters there.
            dated = getattr(paid, "dated", None)
            for loan_id in self._renegotiated:
                days = None if dated is None else dated.get(loan_id, ())
                if days != self._seen_dated.get(loan_id, 0):
                    stale.add(loan_id)
                    self._seen_dated[loan_id] = days
        by_loan: dict[str, list[tuple[int, datetime]]] = {}
        for (loan_id, number), until in snoozes.items():
            by_loan.setdefault(loan_id, []).append((number, until))
        grouped = {loan_id: tuple(sorted(rows)) for loan_id, rows in by_loan.items()}
        if grouped != self._seen_snoozes:
            for loan_id in grouped.keys() | self._seen_snoozes.keys():
                if (
                    grouped.get(loan_id) != self._seen_snoozes.get(loan_id)
                    and loan_id in self._loans
                ):
                    stale.add(loan_id)
            self._seen_snoozes = grouped
            stale &= self._loans.keys()  # snoozes of loans no longer configured
        heap = self._expiry
        while heap and heap[0][0] <= now:
            _, gen, loan_id = heapq.heappop(heap)
            if self._states[loan_id].gen == gen:
                stale.add(loan_id)
        if not stale:
            return
        for loan_id in stale:
            self._recompute(self._loans[loan_id], now, paid, snoozes)
        self._found = None
        limit = 4 * len(self._states) + 64
        if len(self._expiry) > limit or len(self._nexts) > limit:
            self._compact()

    def _recompute(
        self, loan: Loan, now: datetime, paid: Mapping[str, Decimal], snoozes: Snoozes
    ) -> None:
        """One loan's dues at ``now``, its next instant, and how long both hold."""
        margin = timedelta(0) if isinstance(now.tzinfo, timezone) else _MARGIN
        standing = for_loan(loan, paid, self.rows[loan.id])
        lead = self.longest_lead[loan.id]
        items: list[Due] = []
        edges: list[datetime] = []  # moments at or after which the answer may differ
        nxt: datetime | None = None
        due_open = next_open = True
        for row in standing.open_rows():
            inst = row.installment
            first = lead.before(inst.due_at)
            if due_open and first > now + _LOOKAHEAD:
                # due() stops here (as _full_due does); this row joins it a day ahead.
                due_open = False
                edges.append(first.astimezone(UTC) - _LOOKAHEAD - margin)
            if next_open and nxt is not None and first > nxt + _LOOKAHEAD:
                next_open = False
            if not (due_open or next_open):
                break
            if due_open:
                item = self._latest(loan, row, now, snoozes.get((loan.id, inst.number)))
                if item is not None:
                    items.append(item)
                    edges.extend(_turns(item, now, margin))
            if next_open:
                for instant in _instants_after(loan, inst, now):
                    if nxt is None or instant < nxt:
                        nxt = instant
        # _sync has grouped the snoozes by loan: this loan's alone, not every snooze.
        edges.extend(until for _, until in self._seen_snoozes.get(loan.id, ()) if until > now)
        if nxt is not None:
            edges.append(nxt)
        state = _LoanState(_grouped(items), next(_GENERATIONS))
        self._states[loan.id] = state
        if nxt is not None:
            heapq.heappush(self._nexts, (nxt, state.gen, loan.id))
        if edges:
            until = max(min(edges), now + _TICK)
            heapq.heappush(self._expiry, (until, state.gen, loan.id))

    def _compact(self) -> None:
        """Drop heap entries left behind by recomputations."""
        for heap in (self._expiry, self._nexts):
            heap[:] = [entry for entry in heap if self._states[entry[2]].gen == entry[1]]
            heapq.heapify(heap)

    def _full_due(
        self, now: datetime, paid: Mapping[str, Decimal], snoozes: Snoozes | None = None
    ) -> list[Due]:
        """What :meth:`due` returns, computed from scratch over every loan (the oracle the
        incremental cache is tested against)."""
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

    def _full_next_instant(
        self, now: datetime, paid: Mapping[str, Decimal], snoozes: Snoozes | None = None
    ) -> datetime | None:
        """What :meth:`next_instant` returns, computed from scratch over every loan."""
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


_GENERATIONS = itertools.count()


@dataclass(frozen=True)
class _LoanState:
    """One loan's cached dues; ``gen`` tells its heap entries from stale ones."""

    items: list[Due]
    gen: int


def _turns(item: Due, now: datetime, margin: timedelta) -> list[datetime]:
    """Moments after ``now`` at which ``item`` would read differently though no instant of
    its loan passes: it becomes a catch-up (GRACE after its instant), or a snooze or pre-due
    reminder turns overdue (just after the due instant, or GRACE after it). Taken ``margin``
    early where a span is added, and at the next overdue step in case it lies beyond the
    steps next_instant looks at. "Just after" is 1 µs after: the answer at the moment itself
    is unchanged, and datetime has no finer step."""
    inst = item.installment
    found: list[datetime] = []
    if not item.catch_up:
        found.append(item.reminder.at.astimezone(UTC) + GRACE + _TICK - margin)
    if item.reminder.kind == "snooze" and inst.due_at >= now:
        found.append(inst.due_at + _TICK)
    if item.reminder.kind in ("ahead", "due") and item.kind != "overdue":
        found.append(inst.due_at.astimezone(UTC) + GRACE + _TICK - margin)
    every = item.loan.reminders.overdue_every
    if item.reminder.kind == "overdue" and every is not None:
        found.append(every.after(inst.due_at, item.reminder.step + 1))
    return found


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
