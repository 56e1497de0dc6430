"""Where the money stands: per loan and per month, as a pure function of (config, paid, now).

Nothing here reads the clock, the ledger or a file; ``status_report`` is what ``status --json``
prints and what the human table is drawn from.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from reminderd import money
from reminderd.model import Config, Loan
from reminderd.standing import LoanStanding, for_loan


def status_report(config: Config, paid: Mapping[str, Decimal], now: datetime) -> dict[str, Any]:
    """Return the ``status --json`` object of SPEC §3.

    ``loans``: per loan ``id``, ``name``, ``currency``, ``total``, ``paid``, ``outstanding``,
    ``credit`` (paid beyond the whole plan), ``next_due`` (ISO date of the oldest unsettled
    installment, or null), ``overdue`` (the amount still owed on installments whose due instant
    has passed), ``overdue_count``, ``count`` and ``settled`` (installments).

    ``months``: one row per ``YYYY-MM`` and currency, ``due`` being the sum of the amounts of
    the installments whose (weekend/holiday adjusted) due date falls in that month, before any
    payment, and ``outstanding`` what is still owed on them. The months listed run from the
    earlier of the current month (in ``config.timezone``) and the oldest month holding an
    unsettled installment, through the last month of any plan: settled history is left out,
    anything still owed is not. The config's currency gets a row for every month of that range
    (so a budget can be read month by month); other currencies only where they have dues.
    ``budget`` is the monthly budget for the config's currency (null otherwise or when unset),
    and ``over`` is true exactly when a budget is set, the row is in the config's currency, and
    ``due`` exceeds the budget.

    ``paid`` maps loan ids to the net total paid; ``now`` must be aware.
    """
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    loans = []
    dues: dict[tuple[str, str], Decimal] = {}
    owed: dict[tuple[str, str], Decimal] = {}
    open_months: list[str] = []
    last_months: list[str] = []
    for loan in config.loans:
        standing = for_loan(loan, paid)
        loans.append({**_loan_row(loan, standing, now), **life_fields(loan, paid, standing, now)})
        for row in standing.rows:
            if row.superseded:  # replaced by an agreement before it fell due: never asked
                continue
            key = (_month(row.installment.due), loan.currency)
            rolled = row.rolled_on is not None and not row.settled
            # A rolled installment asked only what was paid on it; the rest is in the new plan.
            dues[key] = dues.get(key, Decimal(0)) + (row.paid if rolled else row.installment.amount)
            owed[key] = owed.get(key, Decimal(0)) + (Decimal(0) if rolled else row.outstanding)
            if not row.settled and not rolled:
                open_months.append(key[0])
            last_months.append(key[0])
    current = _month(now.astimezone(config.timezone).date())
    first = min([current, *open_months])
    last = max([first, *last_months])
    months = []
    for month in _month_range(first, last):
        currencies = {currency for (m, currency) in dues if m == month} | {config.currency}
        for currency in sorted(currencies, key=lambda code: (code != config.currency, code)):
            months.append(_month_row(config, month, currency, dues, owed))
    costs: dict[str, Decimal] = {}
    for loan, row in zip(config.loans, loans, strict=True):
        costs[loan.currency] = costs.get(loan.currency, Decimal(0)) + Decimal(row["overdue_cost"])
    return {
        "as_of": now.isoformat(),
        "currency": config.currency,
        "loans": loans,
        "months": months,
        # SPEC §8: what being late has cost so far, in total per currency.
        "overdue_costs": {code: money.to_json(amount, code) for code, amount in costs.items()},
    }


def _loan_row(loan: Loan, standing: LoanStanding, now: datetime) -> dict[str, Any]:
    currency = loan.currency
    overdue = standing.overdue(now)
    next_open = standing.next_open()
    return {
        "id": loan.id,
        "name": loan.name,
        "currency": currency,
        "total": money.to_json(standing.total, currency),
        "paid": money.to_json(standing.paid, currency),
        "outstanding": money.to_json(standing.outstanding, currency),
        "credit": money.to_json(standing.credit, currency),
        "next_due": next_open.installment.due.isoformat() if next_open else None,
        "overdue": money.to_json(sum((r.outstanding for r in overdue), Decimal(0)), currency),
        "overdue_count": len(overdue),
        "count": len(standing.rows),
        "settled": sum(1 for row in standing.rows if row.settled),
    }


def life_fields(
    loan: Loan, paid: Mapping[str, Decimal], standing: LoanStanding, now: datetime
) -> dict[str, Any]:
    """The SPEC §8 fields of a loan's ``status --json`` row: ``version`` in force today,
    ``agreed_on`` (null for version 1), ``overdue_days``, ``overdue_cost`` (what being late has
    cost so far), ``overdue_per_day`` (what one more day adds) and ``rolled`` (owed on
    installments rolled into an agreement)."""
    from reminderd.core import overdue, versions

    today = now.astimezone(loan.timezone).date()
    version = versions.version_on(loan, today)
    dated = getattr(paid, "dated", None)
    payments = (
        dated.get(loan.id, ()) if dated is not None else [(date.min, paid.get(loan.id, Decimal(0)))]
    )
    cost = overdue.cost(loan, [row.installment for row in standing.rows], payments, today)
    currency = loan.currency
    return {
        "version": version,
        "agreed_on": None if version == 1 else loan.renegotiated[version - 2].on.isoformat(),
        "overdue_days": cost.days,
        "overdue_cost": money.to_json(cost.total, currency),
        "overdue_per_day": money.to_json(cost.per_day, currency),
        "rolled": money.to_json(standing.rolled, currency),
    }


def _month_row(
    config: Config,
    month: str,
    currency: str,
    dues: Mapping[tuple[str, str], Decimal],
    owed: Mapping[tuple[str, str], Decimal],
) -> dict[str, Any]:
    due = dues.get((month, currency), Decimal(0))
    budget = config.budget_monthly if currency == config.currency else None
    return {
        "month": month,
        "currency": currency,
        "due": money.to_json(due, currency),
        "outstanding": money.to_json(owed.get((month, currency), Decimal(0)), currency),
        "budget": None if budget is None else money.to_json(budget, currency),
        "over": budget is not None and due > budget,
    }


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _month_range(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from ``first`` through ``last``."""
    year, month = (int(part) for part in first.split("-"))
    result = []
    while (label := f"{year:04d}-{month:02d}") <= last:
        result.append(label)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result
