"""What the page shows (SPEC §10), as plain data: a pure function of (config, paid totals,
payments, now). :mod:`reminderd.web.page` turns it into HTML.

The totals are ``status --json``'s own numbers (:func:`reminderd.accounts.status_report`),
summed over the debts in the config's currency, so the page and ``status`` never disagree;
the dues are ``upcoming``'s rows; the balance chart is the forecast's plan. Renegotiated loans
(SPEC §8) come as those give them: each loan row carries its ``version``, ``agreed_on``,
``overdue_days``, ``overdue_cost``, ``overdue_per_day`` and ``rolled``; dues never include a
superseded or rolled installment, and each due row names its ``version``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from reminderd.core import forecast as forecasting
from reminderd.model import Config

DUE_DAYS = 30  # the next dues listed: overdue ones, then those due within this many days
CHART_MONTHS = 12  # coming months in the dues chart
RECENT_PAYMENTS = 10


@dataclass(frozen=True)
class Totals:
    owed: Decimal  # outstanding on every debt in the config's currency (bills left out)
    overdue: Decimal
    overdue_cost: Decimal  # SPEC §8: what being late has cost so far, over the same debts
    overdue_per_day: Decimal  # what one more day without a payment adds to it
    paid_month: Decimal  # net payments dated this month
    due_month: Decimal  # the installments falling due this month, before payments
    budget: Decimal | None


@dataclass(frozen=True)
class Content:
    locale: str
    currency: str
    now: datetime
    today: Any  # date in the config's zone
    zone: Any  # the config's ZoneInfo
    totals: Totals
    debt_free: str | None
    dues: list[dict[str, Any]]  # upcoming --json rows: overdue first
    chart_months: list[tuple[str, Decimal, bool]]  # (YYYY-MM, due, over budget)
    balances: list[tuple[str, Decimal]]  # (YYYY-MM, balance at its end), plan only
    loans: list[dict[str, Any]]  # status --json loan rows, with "kind", "lender", "ongoing"
    payments: list[Any]  # ledger Payment rows, newest first
    names: dict[str, str]  # loan id -> name


def build(
    config: Config,
    paid: Mapping[str, Decimal],
    payments: Sequence[Any],
    now: datetime,
) -> Content:
    """Gather the page's content. Given the config, the paid totals as the ledger gives them
    (``standing.Paid``: its dated payments place each in its plan version), the ledger's
    payments (any order) and an aware ``now``; returns :class:`Content`. Raises
    ``ValueError`` for a naive ``now``."""
    from reminderd.accounts import status_report
    from reminderd.views import upcoming_rows

    if now.tzinfo is None:
        raise ValueError("now must be aware")
    today = now.astimezone(config.timezone).date()
    current = forecasting.month_of(today)
    report = status_report(config, paid, now)
    by_id = {loan.id: loan for loan in config.loans}
    bills = {
        loan.id for loan in config.loans if loan.plan.kind == "recurring" and loan.plan.ongoing
    }
    debts = [
        row
        for row in report["loans"]
        if row["currency"] == config.currency and row["id"] not in bills
    ]
    mine = [row for row in report["months"] if row["currency"] == config.currency]
    this_month = next((row for row in mine if row["month"] == current), None)
    paid_month = sum(
        (
            p.amount
            for p in payments
            if p.currency == config.currency and forecasting.month_of(p.paid_on) == current
        ),
        Decimal(0),
    )
    totals = Totals(
        owed=sum((Decimal(row["outstanding"]) for row in debts), Decimal(0)),
        overdue=sum((Decimal(row["overdue"]) for row in debts), Decimal(0)),
        # status's own per-loan figures (reminderd.core.overdue), so the page's cost is the
        # sum of the rows `status --json` prints for these debts and `forecast` reports.
        overdue_cost=sum((Decimal(row["overdue_cost"]) for row in debts), Decimal(0)),
        overdue_per_day=sum((Decimal(row["overdue_per_day"]) for row in debts), Decimal(0)),
        paid_month=paid_month,
        due_month=Decimal(this_month["due"]) if this_month else Decimal(0),
        budget=config.budget_monthly,
    )
    plan = forecasting.forecast(config, paid, now).outcome
    loans = []
    for row in report["loans"]:
        loan = by_id[row["id"]]
        loans.append(
            {
                **row,
                "kind": loan.plan.kind,
                "lender": loan.lender,
                "ongoing": row["id"] in bills,
                "apart": row["currency"] != config.currency,
            }
        )
    return Content(
        locale=config.locale,
        currency=config.currency,
        now=now,
        today=today,
        zone=config.timezone,
        totals=totals,
        debt_free=plan.debt_free,
        dues=upcoming_rows(config, paid, now, DUE_DAYS),
        chart_months=[
            (row["month"], Decimal(row["due"]), bool(row["over"]))
            for row in mine
            if row["month"] >= current
        ][:CHART_MONTHS],
        balances=[(row.month, row.balance) for row in plan.months],
        loans=loans,
        payments=sorted(payments, key=lambda p: (p.paid_on, p.id), reverse=True)[:RECENT_PAYMENTS],
        names={loan.id: loan.name for loan in config.loans},
    )
