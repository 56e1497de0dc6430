"""``forecast``: fetch the config, the payments and the clock, call the pure
:func:`reminderd.core.forecast.forecast`, print a table (in the config's locale) or JSON."""

from __future__ import annotations

import argparse
import json
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
    cost = overdue_cost(config, paid, now)
    if args.json:
        body = to_json(result, args.months)
        body["overdue_cost"] = None if cost is None else money.to_json(cost, config.currency)
        context.print(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    for line in render(result, config.locale, args.months, cost):
        context.print(line)
    return 0


def overdue_cost(config: Config, paid: dict[str, Decimal], now: datetime) -> Decimal | None:
    """Hook for SPEC §8's overdue cost, in the config's currency: ``None`` until
    ``reminderd.core.overdue`` (built alongside) lands and this is wired to it."""
    return None


def _amount(text: str | None, option: str, currency: str) -> Decimal | None:
    if text is None:
        return None
    try:
        return money.parse_amount(text, currency, allow_zero=True)
    except ValueError as error:
        raise UserError(f"{option}: {error}") from None


def render(
    result: Forecast, locale: str, months: int | None, cost: Decimal | None = None
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
        if cost is None:
            lines.append(t("forecast.overdue", locale, amount=fmt(result.overdue)))
        else:
            lines.append(
                t("forecast.overdue.cost", locale, amount=fmt(result.overdue), cost=fmt(cost))
            )
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
