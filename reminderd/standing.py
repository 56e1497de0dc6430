"""Where each installment stands once payments are counted: paid, outstanding, status.

Payments are kept per loan in the ledger; this pure function spreads a loan's total paid over
its installments, oldest first, so a partial payment stays with the installment it was for and
an overpayment becomes credit toward the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from reminderd.model import Installment


@dataclass(frozen=True)
class Standing:
    installment: Installment
    paid: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.installment.amount - self.paid

    @property
    def settled(self) -> bool:
        return self.paid >= self.installment.amount

    def status(self, now: datetime) -> str:
        """``settled``, ``overdue`` (due instant passed, money still owed) or ``upcoming``."""
        if self.settled:
            return "settled"
        return "overdue" if now >= self.installment.due_at else "upcoming"


@dataclass(frozen=True)
class LoanStanding:
    rows: tuple[Standing, ...]
    credit: Decimal  # paid beyond every installment of the plan

    @property
    def total(self) -> Decimal:
        return sum((row.installment.amount for row in self.rows), Decimal(0))

    @property
    def paid(self) -> Decimal:
        return sum((row.paid for row in self.rows), Decimal(0))

    @property
    def outstanding(self) -> Decimal:
        return self.total - self.paid

    def open_rows(self) -> list[Standing]:
        return [row for row in self.rows if not row.settled]

    def next_open(self) -> Standing | None:
        return next((row for row in self.rows if not row.settled), None)

    def overdue(self, now: datetime) -> list[Standing]:
        return [row for row in self.rows if row.status(now) == "overdue"]


def allocate(installments: Sequence[Installment], total_paid: Decimal) -> LoanStanding:
    """Spread ``total_paid`` over ``installments`` in order (oldest first)."""
    left = total_paid
    rows = []
    for inst in installments:
        share = min(left, inst.amount) if left > 0 else Decimal(0)
        left -= share
        rows.append(Standing(inst, share))
    return LoanStanding(tuple(rows), credit=max(left, Decimal(0)))
