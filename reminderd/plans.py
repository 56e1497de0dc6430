"""Repayment plans as pure functions: a :class:`Loan` in, its :class:`Installment` rows out.

Money is Decimal, rounded half-up once per amount at the currency's minor unit. For the
amortized kinds the principal parts add up to the principal exactly: the last installment
absorbs the rounding. Interest is ``outstanding × annual_rate × steps / periods_per_year``
rounded half-up from the exact fraction, never from a rate already cut to 28 digits.

An annuity's payment is the level payment rounded half-up, kept from one installment to the
next until the level payment that would repay the balance still outstanding over the
installments still to come rounds to another amount (more than half a minor unit away); then
it is re-levelled to that amount. A payment fixed once let each period's rounding error (up to
half a minor unit) compound: over long plans in a 0-decimal currency the last installment
ballooned (¥5,000 over 120 months at 36%: ¥154 a month, then ¥681). Re-levelled, that plan
pays ¥154 or ¥155 each month, the last included; an ordinary loan, whose drift stays under
half a minor unit, keeps one payment and a last installment that absorbs the rest.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal, localcontext
from zoneinfo import ZoneInfo

from reminderd import money, workdays
from reminderd.durations import Step, resolve_local
from reminderd.model import DueSpec, Installment, Loan, Plan
from reminderd.schema import MAX_INSTALLMENTS

_PERIODS_PER_YEAR = {"day": Decimal(365), "week": Decimal(52), "month": Decimal(12), "year": 1}


def step_dates(first: date, every: Step) -> Iterator[date]:
    """Yield ``first`` and the dates ``k × every`` after it, each counted from ``first`` so a
    plan on the 31st falls on the last day of shorter months and returns to the 31st."""
    index = 0
    while True:
        yield add_steps(first, every, index)
        index += 1


@functools.lru_cache(maxsize=65536)
def add_steps(first: date, every: Step, times: int) -> date:
    """``first`` moved by ``times`` steps of ``every``; a month or year step that lands past
    the end of a month takes the month's last day."""
    if every.unit == "day":
        return first + timedelta(days=every.count * times)
    if every.unit == "week":
        return first + timedelta(weeks=every.count * times)
    months = every.count * times * (12 if every.unit == "year" else 1)
    year, month = divmod(first.month - 1 + months, 12)
    year += first.year
    return date(year, month + 1, min(first.day, calendar.monthrange(year, month + 1)[1]))


def periodic_rate(annual_rate: Decimal, every: Step) -> Decimal:
    """``annual_rate / periods_per_year`` for a step of ``every``, to 34 significant digits
    (for the annuity's payment; interest amounts use :func:`period_interest`, which is exact)."""
    with localcontext() as context:
        context.prec = 34
        return annual_rate * every.count / _PERIODS_PER_YEAR[every.unit]


def period_interest(
    outstanding: Decimal, annual_rate: Decimal, every: Step, currency: str
) -> Decimal:
    """Given a balance, a yearly rate, the step and the currency, return one period's interest
    ``outstanding × annual_rate × every.count / periods_per_year`` rounded half-up (ties away
    from zero) to the currency's minor unit, from the exact fraction.

    Dividing first (``annual_rate / 12``) cut the rate to 28 digits: 60 × 0.013 / 12 is
    exactly 0.065 (→ 0.07), but 60 × 0.0010833…3 is 0.06499…96 (→ 0.06).
    """
    numerator, denominator = (outstanding * annual_rate * every.count).as_integer_ratio()
    # In minor units: value / quantum = numerator × 10^places / (denominator × periods).
    numerator *= 10 ** money.minor_units(currency)
    denominator *= int(_PERIODS_PER_YEAR[every.unit])
    whole = (2 * abs(numerator) + denominator) // (2 * denominator)
    return Decimal(-whole if numerator < 0 else whole).scaleb(-money.minor_units(currency))


def installments(loan: Loan) -> tuple[Installment, ...]:
    """Return every installment of ``loan``'s plan, in order, numbered from 1."""
    return _installments_cached(loan)


# Unbounded: a command asks for each loan's rows more than once (export: the calendar, then
# the event count), and a bound below the number of loans made every ask a miss. The service
# keeps these rows for its whole life anyway; a loan changed by a reload adds one entry.
@functools.cache
def _installments_cached(loan: Loan) -> tuple[Installment, ...]:
    plan = loan.plan
    rows = _ROWS[plan.kind](plan, loan.currency)
    total = len(rows)
    of = None if plan.kind == "recurring" and plan.until is not None else total
    result = []
    for number, (spec, amount, principal, interest, balance) in enumerate(rows, start=1):
        due = workdays.adjust(spec.day, loan.adjust, loan.holidays)
        at = spec.at or loan.reminders.time
        result.append(
            Installment(
                loan_id=loan.id,
                number=number,
                of=of,
                nominal=spec.day,
                due=due,
                due_at=due_instant(due, at, loan),
                amount=amount,
                principal=principal,
                interest=interest,
                balance_after=balance,
            )
        )
    return tuple(result)


def due_instant(day: date, at: time, loan: Loan) -> datetime:
    """The due date at its time of day in the loan's zone (a DST gap moves forward)."""
    return _local_instant(day, at, loan.timezone)


# Many loans share due dates and times (a household's bills, an adviser's clients): resolving
# each (date, time, zone) once takes a third off building a thousand loans' plans.
@functools.lru_cache(maxsize=65536)
def _local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    return resolve_local(datetime.combine(day, at), zone)  # noqa: DTZ001


_Row = tuple[DueSpec, Decimal, Decimal, Decimal, Decimal]


def _once(plan: Plan, currency: str) -> list[_Row]:
    assert plan.due is not None and plan.amount is not None  # noqa: S101 - schema guarantees
    amount = money.round_money(plan.amount, currency)
    return [(plan.due, amount, amount, Decimal(0), Decimal(0) * amount)]


def _listed(plan: Plan, currency: str) -> list[_Row]:
    amounts = [money.round_money(item.amount, currency) for item in plan.installments]
    remaining = sum(amounts, Decimal(0))
    rows = []
    for item, amount in zip(plan.installments, amounts, strict=True):
        remaining -= amount
        rows.append((item.due, amount, amount, Decimal(0), remaining))
    return rows


def _dates(plan: Plan, count: int | None) -> list[DueSpec]:
    assert plan.first_due is not None and plan.every is not None  # noqa: S101
    specs = []
    for day in step_dates(plan.first_due.day, plan.every):
        if count is not None and len(specs) >= count:
            break
        if plan.until is not None and day > plan.until:
            break
        if len(specs) >= MAX_INSTALLMENTS:
            break
        specs.append(DueSpec(day, plan.first_due.at))
    return specs


def _recurring(plan: Plan, currency: str) -> list[_Row]:
    assert plan.amount is not None  # noqa: S101
    amount = money.round_money(plan.amount, currency)
    specs = _dates(plan, plan.count)
    remaining = amount * len(specs)
    rows = []
    for spec in specs:
        remaining -= amount
        rows.append((spec, amount, amount, Decimal(0), remaining))
    return rows


def _equal_principal(plan: Plan, currency: str) -> list[_Row]:
    return _amortized(plan, currency)


def annuity_payment(principal: Decimal, rate: Decimal, count: int, currency: str) -> Decimal:
    """The level payment of an annuity (等额本息), rounded to the currency."""
    return money.round_money(_exact_annuity_payment(principal, rate, count), currency)


def _exact_annuity_payment(principal: Decimal, rate: Decimal, count: int) -> Decimal:
    """``principal × r × (1 + r)^n / ((1 + r)^n − 1)`` to 34 digits, not rounded."""
    with localcontext() as context:
        context.prec = 34
        if rate == 0:
            return principal / count
        factor = (1 + rate) ** count
        return principal * rate * factor / (factor - 1)


def _annuity(plan: Plan, currency: str) -> list[_Row]:
    return _amortized(plan, currency)


def _amortized(plan: Plan, currency: str) -> list[_Row]:
    assert plan.principal is not None and plan.count is not None  # noqa: S101
    level = level_payment(plan, currency)
    outstanding = money.round_money(plan.principal, currency)
    annuity = plan.kind == "annuity"
    rate = periodic_rate(plan.annual_rate, plan.every)  # type: ignore[arg-type]
    unit = money.quantum(currency)
    rows = []
    for index, spec in enumerate(_dates(plan, plan.count)):
        last = index == plan.count - 1
        if annuity and not last:
            # Re-level once the payment that would repay what is left over the installments
            # left rounds to another amount than the one being paid (see the module's
            # docstring); a tie keeps the payment. The forecast's replay of a plan paid ahead
            # keeps its installment instead, so this stays here, not in amortized_step.
            exact = _exact_annuity_payment(outstanding, rate, plan.count - index)
            if abs(exact - level) > unit / 2:
                level = money.round_money(exact, currency)
        part, interest = amortized_step(plan, outstanding, level, currency, last=last)
        outstanding -= part
        rows.append((spec, part + interest, part, interest, outstanding))
    return rows


# ---- one period of an amortized plan ----------------------------------------------------
# The plan above and the forecast (reminderd/core/forecast.py, which replays a plan after a
# payment ahead) both step through these two functions: one amortization, not two copies.


def level_payment(plan: Plan, currency: str) -> Decimal:
    """What stays level in an amortized ``plan``: the principal part of each installment for
    ``equal_principal``, the whole installment for ``annuity``. Given a plan of one of those
    kinds; returns an amount rounded to ``currency``."""
    assert plan.principal is not None and plan.count is not None  # noqa: S101
    principal = money.round_money(plan.principal, currency)
    if plan.kind == "annuity":
        rate = periodic_rate(plan.annual_rate, plan.every)  # type: ignore[arg-type]
        return annuity_payment(principal, rate, plan.count, currency)
    part = money.round_money(principal / plan.count, currency)
    if part * (plan.count - 1) >= principal:
        # Rounding each part up would use the principal up before the last installment
        # (0.15 over 10: 0.02 each runs out after 8); round the parts down instead.
        part = (principal / plan.count).quantize(money.quantum(currency), rounding=ROUND_DOWN)
    return part


def amortized_step(
    plan: Plan, outstanding: Decimal, level: Decimal, currency: str, *, last: bool
) -> tuple[Decimal, Decimal]:
    """One installment of the amortized ``plan`` on ``outstanding`` principal, with ``level``
    from :func:`level_payment`. Returns (principal part, interest): the interest is one
    period's (``outstanding × annual_rate / periods_per_year``, rounded); the part is the
    level part (``equal_principal``) or the level payment less the interest (``annuity``),
    never more than what is outstanding, and all of it when ``last``."""
    interest = period_interest(outstanding, plan.annual_rate, plan.every, currency)  # type: ignore[arg-type]
    if last:
        return outstanding, interest
    if plan.kind == "annuity":
        return min(max(level - interest, Decimal(0)), outstanding), interest
    return min(level, outstanding), interest


_ROWS = {
    "once": _once,
    "list": _listed,
    "recurring": _recurring,
    "equal_principal": _equal_principal,
    "annuity": _annuity,
}
