"""What being late costs (SPEC §8): penalty interest per day on the unpaid part of each late
installment, and a fee once per installment still unpaid after its grace days. An estimate of
what the lender will claim; payments still go to the installments, never to this cost.

For each installment and each calendar day d (in the loan's zone) with
``due date + grace < d <= today``, and d before the next agreement's ``on`` when one replaced
the installment's version: ``amount − payments (of its version) dated before d`` that reached
it, × ``daily_rate``. The sum over every installment and day is rounded once, half-up, to the
currency's minor unit. The fee counts when anything was unpaid at the end of the last grace
day (payments dated on or before due + grace). Exact in Decimal; no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from reminderd import money
from reminderd.core import versions
from reminderd.core.versions import DatedAmount
from reminderd.model import Installment, Loan, OverdueTerms

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class OverdueCost:
    """A loan's overdue cost as of ``today``.

    ``penalty`` (rounded once) plus ``fees`` is ``total``; ``per_day`` is what one more day
    without a payment adds to ``total``; ``days`` is ``overdue_days``: today − the due date of
    the oldest unsettled installment still owed (0 when none is late).
    """

    currency: str
    penalty: Decimal
    fees: Decimal
    per_day: Decimal
    days: int

    @property
    def total(self) -> Decimal:
        return self.penalty + self.fees


def cost(
    loan: Loan,
    installments: Sequence[Installment],
    payments: Sequence[DatedAmount],
    today: date,
) -> OverdueCost:
    """Return ``loan``'s overdue cost on ``today`` (a date in the loan's zone).

    ``installments`` are every version's (``versions.installments(loan)``); ``payments`` the
    loan's payments as (day, net amount), undo entries included. Raises nothing.
    """
    now_total = _exact(loan, installments, payments, today)
    next_total = _exact(loan, installments, payments, today + _ONE_DAY)
    penalty = money.round_money(now_total[0], loan.currency)
    later = money.round_money(next_total[0], loan.currency) + next_total[1]
    return OverdueCost(
        currency=loan.currency,
        penalty=penalty,
        fees=now_total[1],
        per_day=later - (penalty + now_total[1]),
        days=overdue_days(loan, installments, payments, today),
    )


def overdue_days(
    loan: Loan,
    installments: Sequence[Installment],
    payments: Sequence[DatedAmount],
    today: date,
) -> int:
    """Return today − the due date of the oldest unsettled installment that is still owed
    (not superseded, not rolled into an agreement), or 0 when none is due yet."""
    from reminderd.standing import by_version

    standing = by_version(loan, installments, payments)
    oldest = standing.next_open()
    if oldest is None:
        return 0
    return max((today - oldest.installment.due).days, 0)


def _exact(
    loan: Loan,
    installments: Sequence[Installment],
    payments: Sequence[DatedAmount],
    today: date,
) -> tuple[Decimal, Decimal]:
    """Return (the unrounded penalty, the fees) as of ``today``."""
    starts = versions.starts(loan)
    ends = versions.ends(loan)
    penalty = Decimal(0)
    fees = Decimal(0)
    carried: Decimal = Decimal(0)
    for index, end in enumerate(ends):
        version = index + 1
        start = starts[index]
        own = [row for row in installments if row.version == version]
        live = [row for row in own if end is None or row.due < end]
        # This version's money by day: what earlier versions left over arrives on its start.
        timeline: list[DatedAmount] = []
        if carried:
            timeline.append((start or date.min, carried))
        timeline.extend(
            (day, amount)
            for day, amount in payments
            if (start is None or day >= start) and (end is None or day < end)
        )
        timeline.sort(key=lambda item: item[0])
        terms = versions.terms(loan, version)
        before = Decimal(0)  # the amounts of this version's earlier installments
        for inst in live:
            if terms is not None:
                part_penalty, part_fee = _one(inst, before, timeline, terms, end, today)
                penalty += part_penalty
                fees += part_fee
            before += inst.amount
        total_money = sum((amount for _, amount in timeline), Decimal(0))
        carried = max(total_money - before, Decimal(0))
    return penalty, fees


def _one(
    inst: Installment,
    before: Decimal,
    timeline: Sequence[DatedAmount],
    terms: OverdueTerms,
    end: date | None,
    today: date,
) -> tuple[Decimal, Decimal]:
    """Penalty (unrounded) and fee of one installment; ``before`` is what the version's money
    must cover first (oldest first), ``timeline`` that money by day, sorted."""
    rate, fee = terms.daily_rate, terms.fee
    first = inst.due + timedelta(days=terms.grace_days + 1)  # the first day that costs
    last = today if end is None else min(today, end - _ONE_DAY)
    if first > last:
        return Decimal(0), Decimal(0)

    def unpaid(day: date) -> Decimal:
        """What was still owed on ``inst`` at the start of ``day`` (payments dated before)."""
        money_before = sum((amount for when, amount in timeline if when < day), Decimal(0))
        reached = min(max(money_before - before, Decimal(0)), inst.amount)
        return inst.amount - reached

    charged_fee = fee if unpaid(first) > 0 else Decimal(0)
    if not rate:
        return Decimal(0), charged_fee
    # Unpaid only changes on a payment day: sum whole runs of days at once.
    changes = sorted({when + _ONE_DAY for when, _ in timeline if first < when + _ONE_DAY <= last})
    total = Decimal(0)
    run_start = first
    for change in [*changes, last + _ONE_DAY]:
        days = (change - run_start).days
        if days > 0:
            total += unpaid(run_start) * rate * days
        run_start = change
    return total, charged_fee


def of_loan(loan: Loan, paid: Mapping[str, Decimal], now: datetime) -> OverdueCost:
    """:func:`cost` of ``loan`` on the day ``now`` falls on in its zone, from ``paid`` as the
    ledger gives it (``reminderd.standing.Paid``: totals with ``.dated`` payments; a plain
    mapping of totals counts as paid before any due date)."""
    dated = getattr(paid, "dated", None)
    if dated is not None:
        payments: Sequence[DatedAmount] = dated.get(loan.id, ())
    else:
        payments = [(date.min, paid.get(loan.id, Decimal(0)))]
    today = now.astimezone(loan.timezone).date()
    return cost(loan, versions.installments(loan), payments, today)
