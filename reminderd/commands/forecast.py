"""``forecast``: fetch the config, the payments and the clock, call the pure
:func:`reminderd.core.forecast.forecast`, print a table (in the config's locale) or JSON."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from reminderd import money
from reminderd.context import Context
from reminderd.core.forecast import Forecast, to_json
from reminderd.core.forecast import forecast as run_forecast
from reminderd.errors import UserError
from reminderd.model import Config
from reminderd.text import money as cash
from reminderd.text import month as month_text
from reminderd.text import t


def forecast(args: argparse.Namespace, context: Context) -> int:
    """Print the month-by-month forecast (SPEC §9). Raises ``UserError`` for a bad amount."""
    config = context.config()
    now = context.now()
    extra = _amount(args.extra, "--extra", config.currency)
    budget = _amount(args.budget, "--budget", config.currency)
    from reminderd.views import paid_totals

    paid = paid_totals(context)
    result = run_forecast(config, paid, now, strategy=args.strategy, extra=extra, budget=budget)
    cost, per_day = overdue_figures(config, paid, now)
    if args.json:
        body = to_json(result, args.months)
        body["overdue_cost"] = money.to_json(cost, config.currency)
        body["overdue_per_day"] = money.to_json(per_day, config.currency)
        context.print(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    for line in render(result, config.locale, args.months, cost, per_day):
        context.print(line)
    return 0


def overdue_figures(
    config: Config, paid: Mapping[str, Decimal], now: datetime
) -> tuple[Decimal, Decimal]:
    """SPEC §9's "overdue cost if what is overdue stays unpaid", in the config's currency.

    Given the config, ``paid`` as the ledger gives it (``standing.Paid``, with the dated
    payments versions need) and an aware ``now``; returns (the cost so far, what one more day
    unpaid adds), each summed by :func:`reminderd.core.overdue.of_loan` over the debts the
    forecast counts (the config's currency, ``ongoing`` bills left out, as its ``overdue``).
    The cost so far, not a projection: left unpaid, the cost grows by the second figure
    every day without end, so no horizon would give an honest single total. Raises nothing.
    """
    from reminderd.core import overdue
    from reminderd.core.forecast import is_bill

    cost = per_day = Decimal(0)
    for loan in config.loans:
        if loan.currency != config.currency or is_bill(loan):
            continue
        figure = overdue.of_loan(loan, paid, now)
        cost += figure.total
        per_day += figure.per_day
    return cost, per_day


def overdue_cost(config: Config, paid: Mapping[str, Decimal], now: datetime) -> Decimal:
    """The overdue cost so far of :func:`overdue_figures` (what the page's totals show)."""
    return overdue_figures(config, paid, now)[0]


def _amount(text: str | None, option: str, currency: str) -> Decimal | None:
    if text is None:
        return None
    try:
        return money.parse_amount(text, currency, allow_zero=True)
    except ValueError as error:
        raise UserError(f"{option}: {error}") from None


def render(
    result: Forecast,
    locale: str,
    months: int | None,
    cost: Decimal | None = None,
    per_day: Decimal | None = None,
) -> list[str]:
    """The human lines of a forecast in ``locale``: title, table, debt-free month, totals,
    the comparison with the plan, what is overdue, bills and other currencies."""
    from reminderd.views import format_table

    currency = result.currency

    def fmt(amount: Decimal) -> str:
        return cash(amount, currency, locale)

    strategy = t(f"strategy.{result.strategy}", locale)
    if result.extra is not None:
        title = t("forecast.title.extra", locale, currency=currency, strategy=strategy,
                  extra=fmt(result.extra))  # fmt: skip
    elif result.budget is not None:
        title = t("forecast.title.budget", locale, currency=currency, strategy=strategy,
                  budget=fmt(result.budget))  # fmt: skip
    else:
        title = t("forecast.title", locale, currency=currency, strategy=strategy)
    lines = [title, ""]
    outcome = result.outcome
    if outcome.debt_free is None:
        lines.append(t("forecast.nothing", locale))
    else:
        shown = outcome.months if months is None else outcome.months[:months]
        with_bills = any(row.bills for row in outcome.months)
        header = [t(f"forecast.col.{key}", locale) for key in ("month", "due", "ahead", "balance")]
        if with_bills:
            header.append(t("forecast.col.bills", locale))
        table: list[list[str]] = []
        for row in shown:
            cells = [month_text(row.month, locale), fmt(row.due), fmt(row.ahead), fmt(row.balance)]
            if with_bills:
                cells.append(fmt(row.bills))
            table.append(cells)
        lines.append(format_table(header, table, right={1, 2, 3, 4}))
        if len(shown) < len(outcome.months):
            lines.append(t("forecast.more", locale, count=len(outcome.months) - len(shown)))
        lines.append("")
        lines.append(t("forecast.debt_free", locale, month=month_text(outcome.debt_free, locale)))
        lines.append(
            t("forecast.totals", locale, total=fmt(outcome.total), interest=fmt(outcome.interest))
        )
    if result.baseline is not None:
        lines.append(_comparison(result, locale, fmt))
    if result.overdue > 0:
        if not cost and not per_day:  # no overdue terms: nothing to estimate
            lines.append(t("forecast.overdue", locale, amount=fmt(result.overdue)))
        else:
            amount, so_far, daily = fmt(result.overdue), fmt(cost or 0), fmt(per_day or 0)
            if per_day:
                lines.append(
                    t("forecast.overdue.cost", locale, amount=amount, cost=so_far, per_day=daily)
                )
            else:  # e.g. 停息挂账: the agreement froze the cost
                lines.append(t("forecast.overdue.cost.fixed", locale, amount=amount, cost=so_far))
    elif cost:  # nothing overdue now (paid late, or rolled into an agreement): still a claim
        lines.append(t("forecast.cost", locale, cost=fmt(cost)))
    if result.ongoing:
        lines.append(t("forecast.ongoing", locale, ids=", ".join(result.ongoing)))
    if result.apart:
        lines.append(t("forecast.apart", locale, ids=", ".join(result.apart)))
    return lines


def _comparison(result: Forecast, locale: str, fmt: Any) -> str:
    assert result.baseline is not None  # noqa: S101 - the caller checked

    def when(month: str | None) -> str:
        return t("forecast.none_month", locale) if month is None else month_text(month, locale)

    fields = {
        "strategy": t(f"strategy.{result.strategy}", locale),
        "month": when(result.outcome.debt_free),
        "base_month": when(result.baseline.debt_free),
        "interest": fmt(result.outcome.interest),
        "base_interest": fmt(result.baseline.interest),
    }
    if result.budget is not None:
        return t("forecast.compare.budget", locale, budget=fmt(result.budget), **fields)
    return t("forecast.compare.extra", locale, extra=fmt(result.extra or Decimal(0)), **fields)
