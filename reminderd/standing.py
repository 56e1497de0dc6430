"""Where each installment stands once payments are counted: paid, outstanding, status.

Payments are kept per loan in the ledger; this pure function spreads a loan's total paid over
its installments, oldest first, so a partial payment stays with the installment it was for and
an overpayment becomes credit toward the next one. A loan with renegotiated plans is spread
version by version (:func:`for_loan`, :mod:`reminderd.core.versions`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reminderd.core import versions
from reminderd.model import Installment, Loan


class Paid(dict[str, Decimal]):
    """The net total paid per loan id (a plain mapping, as every caller has always used it),
    which also keeps each loan's payments by day in ``dated``: plan versions need to know
    when money was paid, not only how much."""

    def __init__(self, dated: Mapping[str, Sequence[tuple[date, Decimal]]]) -> None:
        super().__init__(
            {
                loan_id: sum((amount for _, amount in rows), Decimal(0))
                for loan_id, rows in dated.items()
            }
        )
        self.dated: dict[str, tuple[tuple[date, Decimal], ...]] = {
            loan_id: tuple(rows) for loan_id, rows in dated.items()
        }


@dataclass(frozen=True)
class Standing:
    installment: Installment
    paid: Decimal
    superseded: bool = False  # replaced by a later agreement before it fell due
    rolled_on: date | None = None  # unsettled when the next agreement took effect on this day

    @property
    def outstanding(self) -> Decimal:
        return self.installment.amount - self.paid

    @property
    def settled(self) -> bool:
        return self.paid >= self.installment.amount

    @property
    def closed(self) -> bool:
        """Superseded or rolled into an agreement: never reminded, no longer owed as such."""
        return self.superseded or self.rolled_on is not None

    def status(self, now: datetime) -> str:
        """``settled``, ``overdue`` (due instant passed, money still owed), ``upcoming``, or
        for a renegotiated loan ``superseded`` / ``rolled`` (into the agreement)."""
        if self.superseded:
            return "superseded"
        if self.settled:
            return "settled"
        if self.rolled_on is not None:
            return "rolled"
        return "overdue" if now >= self.installment.due_at else "upcoming"


@dataclass(frozen=True)
class LoanStanding:
    rows: tuple[Standing, ...]
    credit: Decimal  # paid beyond every installment of the plan (of the last version)

    @property
    def total(self) -> Decimal:
        """What the loan asks for: every installment's amount, except that a superseded one
        counts nothing and a rolled one only what was paid on it (the rest is in the new
        plan)."""
        return sum((_counted(row) for row in self.rows), Decimal(0))

    @property
    def paid(self) -> Decimal:
        return sum((row.paid for row in self.rows), Decimal(0))

    @property
    def outstanding(self) -> Decimal:
        return self.total - self.paid

    @property
    def rolled(self) -> Decimal:
        """What was still owed on installments rolled into a later agreement."""
        return sum(
            (row.outstanding for row in self.rows if row.rolled_on and not row.settled),
            Decimal(0),
        )

    def open_rows(self) -> list[Standing]:
        return [row for row in self.rows if not row.settled and not row.closed]

    def next_open(self) -> Standing | None:
        return next((row for row in self.rows if not row.settled and not row.closed), None)

    def overdue(self, now: datetime) -> list[Standing]:
        return [row for row in self.rows if row.status(now) == "overdue"]


def _counted(row: Standing) -> Decimal:
    if row.superseded:
        return Decimal(0)
    if row.rolled_on is not None and not row.settled:
        return row.paid
    return row.installment.amount


def allocate(installments: Sequence[Installment], total_paid: Decimal) -> LoanStanding:
    """Spread ``total_paid`` over ``installments`` in order (oldest first)."""
    left = total_paid
    rows = []
    for inst in installments:
        share = min(left, inst.amount) if left > 0 else Decimal(0)
        left -= share
        rows.append(Standing(inst, share))
    return LoanStanding(tuple(rows), credit=max(left, Decimal(0)))


def for_loan(
    loan: Loan, paid: Mapping[str, Decimal], rows: Sequence[Installment] | None = None
) -> LoanStanding:
    """Return ``loan``'s standing given ``paid`` (a :class:`Paid`, or any mapping of totals).

    Without agreements this is exactly :func:`allocate` of the plan and the loan's total.
    With them, each version's payments (by their day: ``paid.dated``) are spread over that
    version's installments; a plain mapping of totals, which has no days, counts as paid
    under version 1. ``rows`` are the loan's installments when the caller already has them
    (``versions.installments(loan)``).
    """
    if rows is None:
        rows = versions.installments(loan)
    if not loan.renegotiated:
        return allocate(rows, paid.get(loan.id, Decimal(0)))
    dated = getattr(paid, "dated", None)
    if dated is None:
        payments: Sequence[tuple[date, Decimal]] = [(date.min, paid.get(loan.id, Decimal(0)))]
    else:
        payments = dated.get(loan.id, ())
    return by_version(loan, rows, payments)


def by_version(
    loan: Loan, rows: Sequence[Installment], payments: Sequence[tuple[date, Decimal]]
) -> LoanStanding:
    """Spread dated ``payments`` over ``rows`` (every version's installments) version by
    version, carrying money beyond one version into the next as credit (SPEC §8)."""
    money = versions.money_by_version(loan, payments)
    ends = versions.ends(loan)
    credit = Decimal(0)
    result: list[Standing] = []
    for index, end in enumerate(ends):
        own = [row for row in rows if row.version == index + 1]
        live = [row for row in own if end is None or row.due < end]
        spread = allocate(live, credit + money[index])
        credit = spread.credit
        by_number = {row.installment.number: row for row in spread.rows}
        for inst in own:
            row = by_number.get(inst.number)
            if row is None:
                result.append(Standing(inst, Decimal(0), superseded=True))
            elif end is not None and not row.settled:
                result.append(Standing(inst, row.paid, rolled_on=end))
            else:
                result.append(row)
    return LoanStanding(tuple(result), credit=credit)
