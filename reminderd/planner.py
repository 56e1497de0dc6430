"""``reminderd plan``: propose an installment plan for a negotiation.

Given a principal and either a count or a budget per installment, it prints the timetable and
a YAML block that can be pasted under ``loans:``. With ``--budget`` it finds the smallest count
whose every installment fits: the largest installment only shrinks as the count grows (but for
a cent of rounding, which the final check covers), so a binary search is enough.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import time
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from reminderd import money, plans, text
from reminderd.context import Context
from reminderd.durations import Lead, Step, parse_step
from reminderd.errors import UserError
from reminderd.model import DueSpec, Installment, Loan, Plan, Reminders
from reminderd.schema import MAX_INSTALLMENTS
from reminderd.validation import Invalid, to_due, to_rate
from reminderd.views import cash, columns, format_table

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")


def propose(
    principal: Decimal,
    *,
    kind: str,
    annual_rate: Decimal,
    first_due: DueSpec,
    every: Step,
    currency: str,
    timezone: object,
    count: int | None = None,
    budget: Decimal | None = None,
    loan_id: str = "new-plan",
    locale: str = "en",
) -> tuple[Loan, tuple[Installment, ...]]:
    """Return the proposed loan and its installments.

    Exactly one of ``count`` and ``budget`` is given. Raises ``UserError`` when no count up to
    the limit keeps every installment within ``budget``.
    """
    loan = Loan(
        id=loan_id,
        name=text.t("plan.name", locale),
        currency=currency,
        plan=Plan(
            kind=kind,
            principal=principal,
            count=count or 1,
            first_due=first_due,
            every=every,
            annual_rate=annual_rate,
        ),
        reminders=Reminders(before=(Lead(days=1),), time=time(9), overdue_every=None, channels=()),
        timezone=timezone,  # type: ignore[arg-type]
    )
    if count is not None:
        return loan, plans.installments(loan)
    assert budget is not None  # noqa: S101 - argparse makes one of them required

    def largest(n: int) -> Decimal:
        candidate = replace(loan, plan=replace(loan.plan, count=n))
        return max(inst.amount for inst in plans.installments(candidate))

    if largest(MAX_INSTALLMENTS) > budget:
        rate = plans.periodic_rate(annual_rate, every)
        interest = money.round_money(principal * rate, currency)
        raise UserError(
            text.t(
                "plan.no_fit", locale, limit=MAX_INSTALLMENTS, budget=cash(budget, currency, locale)
            )
            + (
                text.t("plan.no_fit.interest", locale, interest=cash(interest, currency, locale))
                if interest
                else ""
            )
        )
    low, high = 1, MAX_INSTALLMENTS
    while low < high:
        middle = (low + high) // 2
        if largest(middle) <= budget:
            high = middle
        else:
            low = middle + 1
    chosen = replace(loan, plan=replace(loan.plan, count=low))
    return chosen, plans.installments(chosen)


def plan_yaml(loan: Loan, rate_text: str) -> str:
    """The ``loans:`` entry for ``loan``, ready to paste into a config file."""
    plan = loan.plan
    assert plan.principal is not None and plan.first_due is not None  # noqa: S101
    assert plan.every is not None  # noqa: S101
    return "\n".join(
        [
            f"  - id: {loan.id}",
            f"    name: {loan.name}",
            f"    currency: {loan.currency}",
            "    plan:",
            f"      kind: {plan.kind}",
            f"      principal: {money.to_json(plan.principal, loan.currency)}",
            f"      count: {plan.count}",
            f"      first_due: {plan.first_due.day.isoformat()}",
            f"      every: {plan.every.as_text()}",
            f'      annual_rate: "{rate_text}"',
        ]
    )


def plan_command(args: argparse.Namespace, context: Context) -> int:
    """Print a proposed plan's table, totals and YAML."""
    zone, currency, locale = _defaults(context)
    currency = (args.currency or currency).upper()
    from reminderd.money import KNOWN

    if currency not in KNOWN:
        raise UserError(text.t("plan.currency", locale, text=args.currency))
    try:
        principal = money.parse_amount(args.principal, currency)
        # "--budget=" is given, and empty: refused as an amount, not taken for "no budget".
        budget = money.parse_amount(args.budget, currency) if args.budget is not None else None
    except money.AmountError as error:
        raise UserError(error.in_locale(locale)) from None
    rate = _option(to_rate, args.annual_rate, "plan.rate", locale)
    every = _option(parse_step, args.every, "plan.every", locale)
    if args.first_due:
        day, at = _option(to_due, args.first_due, "plan.first_due", locale)
    else:
        today = context.now().astimezone(zone).date()
        day, at = plans.add_steps(today, Step(1, "month"), 1), None
    loan, rows = propose(
        principal,
        kind=args.kind,
        annual_rate=rate,
        first_due=DueSpec(day, at),
        every=every,
        currency=currency,
        timezone=zone,
        count=args.count,
        budget=budget,
        loan_id=args.loan_id,
        locale=locale,
    )
    _print(context, loan, rows, args.annual_rate.strip(), budget, locale)
    return 0


def _option(read: Callable[[str], T], written: str, key: str, locale: str) -> T:
    """``read(written)``; a refusal becomes a UserError saying ``key`` in ``locale`` (the
    reader's own English reason in English)."""
    try:
        return read(written)
    except (ValueError, Invalid) as error:
        raise UserError(text.t(key, locale, text=written, reason=error)) from None


def _defaults(context: Context) -> tuple[object, str, str]:
    """The config's zone, currency and locale when a valid config is at hand, else the
    system's zone, CNY and English."""
    from reminderd.config import system_zone

    if context.config_path.exists():
        try:
            config = context.config()
        except UserError:
            context.warn(text.t("plan.config_errors", "en"))
        else:
            return config.timezone, config.currency, config.locale
    return system_zone(context.environ), "CNY", "en"


def _print(
    context: Context,
    loan: Loan,
    rows: tuple[Installment, ...],
    rate_text: str,
    budget: Decimal | None,
    locale: str,
) -> None:
    currency = loan.currency

    def show(amount: Decimal) -> str:
        return cash(amount, currency, locale)

    table = [
        [
            inst.label(),
            inst.due.isoformat(),
            show(inst.amount),
            show(inst.principal),
            show(inst.interest),
            show(inst.balance_after),
        ]
        for inst in rows
    ]
    header = columns(locale, "number", "due", "amount", "principal", "interest", "balance_after")
    context.print(format_table(header, table, right={2, 3, 4, 5}))
    total = sum((inst.amount for inst in rows), Decimal(0))
    interest = sum((inst.interest for inst in rows), Decimal(0))
    largest = max(inst.amount for inst in rows)
    context.print("")
    every = loan.plan.every
    assert every is not None  # noqa: S101 - a proposed plan always has its period
    context.print(
        text.t(
            "plan.summary",
            locale,
            count=len(rows),
            every=text.step(every.count, every.unit, locale),
            largest=show(largest),
            total=show(total),
            interest=show(interest),
        )
    )
    if budget is not None:
        context.print(text.t("plan.budget", locale, budget=show(budget)))
    context.print("")
    context.print(text.t("plan.paste", locale))
    context.print(plan_yaml(loan, rate_text))
