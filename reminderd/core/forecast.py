"""The forecast (SPEC §9): month by month from now, what falls due, what is paid ahead, the
balance left, and the month the debt ends, as a pure function of (config, paid, now).

The months start at the current month in the config's zone. Everything still owed counts: an
overdue installment falls in the current month (it is to be paid now). Payments ahead are
made at the end of a month, after that month's dues. On an ``equal_principal`` or ``annuity``
plan a payment ahead reduces the outstanding principal and the rest of the plan is replayed
with :func:`reminderd.plans.amortized_step` (the plan's own arithmetic): the same level,
interest on the reduced principal, so it ends sooner. On any other kind it settles the next
installments early. Without any payment ahead a loan's rows are the plan's rows exactly.

A renegotiated loan (SPEC §8) counts as :func:`reminderd.standing.for_loan` has it: payments
belong to the version in force on their day, superseded installments and those rolled into an
agreement are not dues, and what is still owed is the version in force's installments. Paying
ahead replays that version's plan (its kind, level and rate), never the superseded one; its
``annual_rate`` is the one avalanche ranks by.

With ``--extra X`` a month pays what the plan asks of it plus X: when paying ahead has taken
an installment off a later month, what the plan asked then goes ahead as well (the usual
avalanche and snowball: a freed payment rolls on to the next debt).

Only debts in the config's currency take part; a ``recurring`` plan with ``ongoing: true``
(a bill) is counted in each month's ``bills`` but not in the balance nor the debt-free month.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from reminderd import money, plans
from reminderd.model import Config, Loan, Plan
from reminderd.standing import for_loan

STRATEGIES = ("plan", "avalanche", "snowball")
AMORTIZED = ("equal_principal", "annuity")


@dataclass
class _Row:
    """An installment still to pay: its month, what is left of it, its parts."""

    index: int  # 0-based position in the plan
    month: str
    due: date
    left: Decimal
    interest: Decimal
    balance_after: Decimal  # principal (amortized) or amount still owed after it


@dataclass
class _Debt:
    loan: Loan
    rows: list[_Row]
    # Amortized: the principal outstanding after the first ``frozen`` rows. A row partly
    # paid already is frozen: it stays as the plan has it, and a replay starts after it.
    principal: Decimal
    frozen: int = 0
    plan: Plan | None = None  # the plan of the version in force (set by the runner)
    # The interest of installments settled ahead in full: they are paid as the plan has them,
    # interest included, though they never fall due in the run.
    interest_settled: Decimal = Decimal(0)

    @property
    def terms(self) -> Plan:
        """The plan the open installments belong to: the latest version's for a
        renegotiated loan (earlier versions' rows are settled, superseded or rolled)."""
        return self.plan if self.plan is not None else self.loan.plan

    @property
    def amortized(self) -> bool:
        return self.terms.kind in AMORTIZED

    @property
    def balance(self) -> Decimal:
        if self.amortized:
            return self.principal + sum((row.left for row in self.rows[: self.frozen]), Decimal(0))
        return sum((row.left for row in self.rows), Decimal(0))

    @property
    def rate(self) -> Decimal:
        return self.terms.annual_rate


@dataclass(frozen=True)
class Month:
    month: str  # YYYY-MM
    due: Decimal  # debts' installments falling in the month (overdue ones in the first)
    bills: Decimal  # ongoing bills falling in the month
    ahead: Decimal  # paid ahead at the month's end
    balance: Decimal  # owed at the month's end, future interest not counted


@dataclass(frozen=True)
class Outcome:
    """One run of the forecast: its months (through the debt-free month), and totals over the
    whole horizon: ``total`` paid from now (dues and ahead), of which ``interest``."""

    strategy: str
    months: tuple[Month, ...]
    debt_free: str | None
    total: Decimal
    interest: Decimal


@dataclass(frozen=True)
class Forecast:
    currency: str
    strategy: str
    extra: Decimal | None
    budget: Decimal | None
    outcome: Outcome
    baseline: Outcome | None  # the plan, when the strategy is another
    overdue: Decimal  # owed now on installments whose due instant passed (config currency)
    ongoing: tuple[str, ...]
    apart: tuple[str, ...]
    loans: tuple[str, ...] = field(default=())  # the debts taking part


def forecast(
    config: Config,
    paid: Mapping[str, Decimal],
    now: datetime,
    *,
    strategy: str | None = None,
    extra: Decimal | None = None,
    budget: Decimal | None = None,
) -> Forecast:
    """Return the forecast of SPEC §9.

    Given the config, the net amount paid per loan, an aware ``now``, and at most one of
    ``extra`` (paid more every month) and ``budget`` (a month's dues and bills leave the rest
    of it to pay ahead). ``strategy`` defaults to ``plan`` when neither is given, else
    ``avalanche``. Raises ``ValueError`` for a naive ``now``, an unknown strategy, both
    ``extra`` and ``budget``, or a negative amount.
    """
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    if extra is not None and budget is not None:
        raise ValueError("give extra or budget, not both")
    if any(value is not None and value < 0 for value in (extra, budget)):
        raise ValueError("extra and budget must not be negative")
    if strategy is None:
        strategy = "plan" if extra is None and budget is None else "avalanche"
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}")
    currency = config.currency
    today = now.astimezone(config.timezone).date()
    ongoing = tuple(loan.id for loan in config.loans if is_bill(loan))
    apart = tuple(
        loan.id for loan in config.loans if loan.currency != currency and not is_bill(loan)
    )
    debts = [loan for loan in config.loans if loan.currency == currency and not is_bill(loan)]
    bills = [loan for loan in config.loans if loan.currency == currency and is_bill(loan)]
    overdue = Decimal(0)
    for loan in debts:
        standing = for_loan(loan, paid)
        overdue += sum((row.outstanding for row in standing.overdue(now)), Decimal(0))
    run = _Runner(config, paid, today, debts, bills)
    plan = run("plan", None, None)
    plan_dues = {row.month: row.due for row in plan.months}
    outcome = plan if strategy == "plan" else run(strategy, extra, budget, plan_dues)
    baseline = None if strategy == "plan" else plan
    return Forecast(
        currency=currency,
        strategy=strategy,
        extra=extra,
        budget=budget,
        outcome=outcome,
        baseline=baseline,
        overdue=overdue,
        ongoing=ongoing,
        apart=apart,
        loans=tuple(loan.id for loan in debts),
    )


def is_bill(loan: Loan) -> bool:
    """True for a ``recurring`` plan marked ``ongoing: true``: a bill, not a debt."""
    return loan.plan.kind == "recurring" and loan.plan.ongoing


def plan_of(loan: Loan, version: int) -> Plan:
    """The plan of ``loan``'s ``version`` (1: ``plan``; 2 on: the agreements in order)."""
    return loan.plan if version == 1 else loan.renegotiated[version - 2].plan


def month_of(day: date) -> str:
    """``YYYY-MM`` of ``day``."""
    return f"{day.year:04d}-{day.month:02d}"


def next_month(month: str) -> str:
    """The ``YYYY-MM`` after ``month``."""
    year, number = (int(part) for part in month.split("-"))
    return f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"


class _Runner:
    """Replays the debts month by month under one strategy; fresh state for every call."""

    def __init__(
        self,
        config: Config,
        paid: Mapping[str, Decimal],
        today: date,
        debts: list[Loan],
        bills: list[Loan],
    ) -> None:
        self.currency = config.currency
        self.paid = paid
        self.current = month_of(today)
        self.debts = debts
        self.bills: dict[str, Decimal] = {}
        for loan in bills:
            standing = for_loan(loan, paid)
            for row in standing.open_rows():
                month = max(month_of(row.installment.due), self.current)
                self.bills[month] = self.bills.get(month, Decimal(0)) + row.outstanding

    def _start(self, loan: Loan) -> _Debt:
        standing = for_loan(loan, self.paid)
        open_rows = standing.open_rows()
        plan = plan_of(loan, open_rows[0].installment.version) if open_rows else loan.plan
        rows = [
            _Row(
                index=row.installment.number - 1,
                month=max(month_of(row.installment.due), self.current),
                due=row.installment.due,
                left=row.outstanding,
                interest=row.installment.interest,
                balance_after=row.installment.balance_after,
            )
            for row in open_rows
        ]
        if not open_rows:
            return _Debt(loan, rows, Decimal(0), plan=plan)
        first = open_rows[0]
        if first.paid > 0:
            return _Debt(loan, rows, first.installment.balance_after, frozen=1, plan=plan)
        principal = first.installment.balance_after + first.installment.principal
        return _Debt(loan, rows, principal, plan=plan)

    def __call__(
        self,
        strategy: str,
        extra: Decimal | None,
        budget: Decimal | None,
        plan_dues: dict[str, Decimal] | None = None,
    ) -> Outcome:
        """Run the months under ``strategy``. With ``extra``, each month pays the plan's dues
        of that month (``plan_dues``, from the ``plan`` run) plus ``extra``: what paying
        ahead took off a month's dues goes ahead too, so the person pays the same each
        month and a larger extra can never end the debt later."""
        debts = [self._start(loan) for loan in self.debts]
        months: list[Month] = []
        total = interest = Decimal(0)
        month = self.current
        last_due: str | None = None
        while any(debt.rows for debt in debts):
            due = Decimal(0)
            for debt in debts:
                while debt.rows and debt.rows[0].month <= month:
                    row = debt.rows.pop(0)
                    due += row.left
                    interest += row.interest
                    if debt.frozen:
                        debt.frozen -= 1  # the principal after it is known already
                    elif debt.amortized:
                        debt.principal = row.balance_after
                    last_due = month
            bills = self.bills.get(month, Decimal(0))
            if strategy == "plan":
                room = Decimal(0)
            elif budget is not None:
                room = max(budget - due - bills, Decimal(0))
            else:
                planned = (plan_dues or {}).get(month, Decimal(0))
                room = (extra or Decimal(0)) + max(planned - due, Decimal(0))
            ahead = self._pay_ahead(debts, strategy, room)
            if ahead:
                last_due = month
            total += due + ahead
            balance = sum((debt.balance for debt in debts), Decimal(0))
            months.append(Month(month, due, bills, ahead, balance))
            month = next_month(month)
        interest += sum((debt.interest_settled for debt in debts), Decimal(0))
        return Outcome(strategy, tuple(months), last_due, total, interest)

    def _pay_ahead(self, debts: list[_Debt], strategy: str, room: Decimal) -> Decimal:
        """Put up to ``room`` on the open debts in the strategy's order; return what was used."""
        used = Decimal(0)
        while room > used:
            open_debts = [debt for debt in debts if debt.balance > 0]
            if not open_debts:
                break
            if strategy == "avalanche":
                target = min(open_debts, key=lambda d: (-d.rate, d.balance, d.loan.id))
            else:
                target = min(open_debts, key=lambda d: (d.balance, d.loan.id))
            used += self._prepay(target, room - used)
        return used

    def _prepay(self, debt: _Debt, amount: Decimal) -> Decimal:
        """Pay up to ``amount`` ahead on ``debt``; return what it took."""
        # Installments that stay as they are (any on a plain list; a partly paid one on an
        # amortized plan) are settled early, oldest first.
        taken = Decimal(0)
        while debt.rows and amount > taken and (not debt.amortized or debt.frozen):
            row = debt.rows[0]
            share = min(row.left, amount - taken)
            row.left -= share
            taken += share
            if row.left == 0:
                debt.rows.pop(0)
                debt.frozen = max(debt.frozen - 1, 0)
                debt.interest_settled += row.interest
        if debt.amortized and amount > taken and debt.principal > 0:
            share = min(amount - taken, debt.principal)
            debt.principal -= share
            taken += share
            self._replay(debt)
        return taken

    def _replay(self, debt: _Debt) -> None:
        """Recompute an amortized debt's rows from its reduced principal: same level, same
        dates, interest on what is left, ending as soon as nothing is."""
        plan = debt.terms
        assert plan.count is not None and plan.every is not None  # noqa: S101 - amortized
        level = plans.level_payment(plan, debt.loan.currency)
        outstanding = debt.principal
        replayed = debt.rows[: debt.frozen]
        for row in debt.rows[debt.frozen :]:
            if outstanding <= 0:
                break
            last = row.index == plan.count - 1
            part, interest = plans.amortized_step(
                plan, outstanding, level, debt.loan.currency, last=last
            )
            outstanding -= part
            replayed.append(
                _Row(row.index, row.month, row.due, part + interest, interest, outstanding)
            )
        debt.rows = replayed


def to_json(result: Forecast, months: int | None = None) -> dict[str, object]:
    """The ``forecast --json`` object of SPEC §9 (money as decimal strings); ``months`` limits
    the rows listed, never the totals."""
    currency = result.currency

    def cash(amount: Decimal | None) -> str | None:
        return None if amount is None else money.to_json(amount, currency)

    rows = result.outcome.months if months is None else result.outcome.months[:months]
    body: dict[str, object] = {
        "currency": currency,
        "strategy": result.strategy,
        "extra": cash(result.extra),
        "budget": cash(result.budget),
        "months": [
            {
                "month": row.month,
                "due": cash(row.due),
                "bills": cash(row.bills),
                "ahead": cash(row.ahead),
                "balance": cash(row.balance),
            }
            for row in rows
        ],
        "debt_free": result.outcome.debt_free,
        "total": cash(result.outcome.total),
        "interest": cash(result.outcome.interest),
        "overdue": cash(result.overdue),
        "ongoing": list(result.ongoing),
        "apart": list(result.apart),
    }
    if result.baseline is not None:
        body["baseline"] = {
            "debt_free": result.baseline.debt_free,
            "total": cash(result.baseline.total),
            "interest": cash(result.baseline.interest),
        }
    return body
