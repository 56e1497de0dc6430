"""Plan versions (SPEC §8): a loan's ``plan`` is version 1, each ``renegotiated`` entry the
next, in force from its ``on`` date until the next one.

What each version means for an installment and a payment:

* an installment of version k due on or after version k+1's ``on`` is *superseded*: it was
  replaced before it fell due, and is never reminded and never costs anything;
* a payment belongs to the version in force on the day it was made, and is spread oldest
  first over that version's installments that are not superseded; money beyond them is
  carried into the next version as credit;
* an installment of version k (k not the last) still unsettled by its version's money was
  *rolled into the agreement* on version k+1's ``on``.

So adding an agreement never changes what payments dated before its ``on`` settled: they
are spread over the same installments, in the same order, as before the agreement existed.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from reminderd import plans
from reminderd.model import Installment, Loan, OverdueTerms

# A payment as the pure core sees it: the day it was made and its (net) amount.
DatedAmount = tuple[date, Decimal]


def count(loan: Loan) -> int:
    """Return how many plan versions ``loan`` has (1 without any agreement)."""
    return 1 + len(loan.renegotiated)


def starts(loan: Loan) -> tuple[date | None, ...]:
    """Return each version's first day (``None`` for version 1, which has always been)."""
    return (None, *(agreement.on for agreement in loan.renegotiated))


def ends(loan: Loan) -> tuple[date | None, ...]:
    """Return the day each version stopped being in force (``None`` for the last)."""
    return (*(agreement.on for agreement in loan.renegotiated), None)


def version_on(loan: Loan, day: date) -> int:
    """Return the version in force on ``day`` (1-based)."""
    version = 1
    for index, agreement in enumerate(loan.renegotiated, start=2):
        if day >= agreement.on:
            version = index
    return version


def terms(loan: Loan, version: int) -> OverdueTerms | None:
    """Return the overdue terms of ``version`` (already merged with the loan's at load)."""
    if version == 1:
        return loan.overdue
    return loan.renegotiated[version - 2].overdue


def plan_rows(loan: Loan) -> list[tuple[Installment, ...]]:
    """Return each version's installments, version 1 first, numbered from 1 in each."""
    result = [plans.installments(loan)]
    for version, agreement in enumerate(loan.renegotiated, start=2):
        # The same loan with the agreed plan: same zone, time of day, adjust and holidays.
        shaped = dataclasses.replace(loan, plan=agreement.plan, renegotiated=())
        result.append(
            tuple(dataclasses.replace(row, version=version) for row in plans.installments(shaped))
        )
    return result


def installments(loan: Loan) -> tuple[Installment, ...]:
    """Return every installment of every version, version by version (so in due order: an
    agreement's installments start on or after its ``on``, which config loading checks)."""
    if not loan.renegotiated:
        return plans.installments(loan)
    return _all_versions(loan)


# Cached like plans.installments (a frozen Loan is its own key): every command and each tick
# of the service asks for a renegotiated loan's rows several times, and rebuilding them
# (a dataclasses.replace per row) was half of `forecast`'s time with 300 such loans.
@functools.cache
def _all_versions(loan: Loan) -> tuple[Installment, ...]:
    return tuple(row for rows in plan_rows(loan) for row in rows)


def superseded(loan: Loan, inst: Installment) -> bool:
    """Whether ``inst`` was replaced by a later agreement before it fell due."""
    end = ends(loan)[inst.version - 1]
    return end is not None and inst.due >= end


def money_by_version(loan: Loan, payments: Sequence[DatedAmount]) -> list[Decimal]:
    """Return the payments' net sum per version, by the version in force on each one's day."""
    sums = [Decimal(0)] * count(loan)
    for day, amount in payments:
        sums[version_on(loan, day) - 1] += amount
    return sums
