"""Overdue cost at its edges (SPEC §8), worked by hand: which days a payment still costs, a fee
for the last cents left unpaid, money carried into (and kept out of) a renegotiated plan, and
the loan's own calendar deciding "today"."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from reminderd.core import overdue, versions
from reminderd.model import Loan
from reminderd.standing import Paid
from tests.unit.conftest import parse_text

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _loan(body: str) -> Loan:
    return parse_text(f"timezone: Asia/Shanghai\nloans:\n  - id: e\n    name: E\n{body}").loans[0]


def _cost(loan: Loan, payments: list[tuple[str, str]], today: str) -> overdue.OverdueCost:
    dated = [(date.fromisoformat(day), Decimal(amount)) for day, amount in payments]
    return overdue.cost(loan, versions.installments(loan), dated, date.fromisoformat(today))


# 1000 due 2026-03-01, 0.1 % a day: exactly 1.00 for each day nothing is paid.
ONE_A_DAY = _loan(
    '    plan: {kind: once, due: 2026-03-01, amount: 1000}\n    overdue: {daily_rate: "0.1%"}\n'
)


@pytest.mark.parametrize(
    ("paid_on", "penalty"),
    [
        ("2026-03-01", "0.00"),  # on the due day: no day ever cost anything
        ("2026-03-02", "1.00"),  # the day after: 03-02 itself still counts (paid during it)
        ("2026-03-30", "29.00"),  # 03-02 … 03-30 = 29 days; today 03-31 is already free
        ("2026-03-31", "30.00"),  # paid today: 03-02 … 03-31 = 30 days
    ],
)
def test_a_payment_in_full_stops_the_penalty_from_the_next_day_on(
    paid_on: str, penalty: str
) -> None:
    # A day costs when the money arrived after it began: the estimate must not charge one day
    # too many (or too few) around the day a borrower finally pays.
    cost = _cost(ONE_A_DAY, [(paid_on, "1000")], "2026-03-31")
    assert cost.penalty == Decimal(penalty)
    assert cost.fees == Decimal(0)
    assert cost.per_day == Decimal("0.00")  # nothing is owed any more: tomorrow adds nothing


GRACE_FEE = _loan(
    "    plan: {kind: once, due: 2026-03-01, amount: 1000}\n"
    '    overdue: {daily_rate: "0.1%", fee: 50, grace: 3d}\n'
)


@pytest.mark.parametrize(
    ("paid", "fees", "total"),
    [
        # 0.50 still owed at the end of the last grace day (03-04): the fee of 50 is due.
        # Penalty: 03-05 … 03-10 = 6 days × 0.50 × 0.001 = 0.003 → 0.00. Total 50.00.
        ("999.50", "50", "50.00"),
        # Paid in full within the grace days: neither fee nor penalty.
        ("1000", "0", "0.00"),
    ],
)
def test_the_late_fee_is_charged_for_any_amount_left_unpaid_after_the_grace_days(
    paid: str, fees: str, total: str
) -> None:
    # A borrower who leaves a few cents unpaid still owes the contract's fee: the estimate
    # would otherwise promise them they escaped it.
    cost = _cost(GRACE_FEE, [("2026-03-03", paid)], "2026-03-10")
    assert (cost.fees, cost.total) == (Decimal(fees), Decimal(total))


# Version 1: 1000 due 03-01 and 1000 due 04-01; an agreement on 04-01 replaces what is left by
# one installment of 1000 due 04-10. The installment due on 04-01 itself is superseded.
CARRIED = _loan(
    "    plan:\n      kind: list\n      installments:\n"
    "        - {due: 2026-03-01, amount: 1000}\n"
    "        - {due: 2026-04-01, amount: 1000}\n"
    '    overdue: {daily_rate: "0.1%"}\n'
    "    renegotiated:\n"
    "      - on: 2026-04-01\n"
    "        plan: {kind: once, due: 2026-04-10, amount: 1000}\n"
)


def test_money_paid_beyond_the_old_plan_is_credit_towards_the_agreement() -> None:
    # 1500 paid on 03-10 settles #1 late and leaves 500 that must count towards the agreed
    # installment, once, from the agreement's first day: otherwise the estimate overstates
    # (or understates) what the lender will claim.
    cost = _cost(CARRIED, [("2026-03-10", "1500"), ("2026-04-15", "200")], "2026-04-20")
    # v1 #1 (03-01): 03-02 … 03-10 = 9 days × 1000 × 0.001 = 9.00; then paid.
    # v1 #2 (due 04-01, the agreement's day): superseded, its 1000 is not v1's to cover.
    # v1's money 1500 − its live installments 1000 = 500 carried into v2 on 04-01.
    # v2 #1 (04-10, 1000): 04-11 … 04-15 (5 days) × 500 unpaid × 0.001 = 2.50;
    #   04-16 … 04-20 (5 days) × (1000 − 500 − 200 = 300) × 0.001 = 1.50.
    # 9.00 + 2.50 + 1.50 = 13.00; tomorrow 300 × 0.001 = 0.30 more.
    assert cost.penalty == Decimal("13.00")
    assert cost.per_day == Decimal("0.30")
    assert cost.days == 10  # 04-20 − 04-10, the agreed installment still owed


# Same old plan, but the agreement takes over on 03-20 (before #2 fell due).
AGREED_0320 = _loan(
    "    plan:\n      kind: list\n      installments:\n"
    "        - {due: 2026-03-01, amount: 1000}\n"
    "        - {due: 2026-04-01, amount: 1000}\n"
    '    overdue: {daily_rate: "0.1%"}\n'
    "    renegotiated:\n"
    "      - on: 2026-03-20\n"
    "        plan: {kind: once, due: 2026-04-10, amount: 1000}\n"
)


def test_a_payment_made_on_the_agreement_day_counts_once_towards_the_agreement() -> None:
    # A payment on the day an agreement takes effect belongs to the new plan, exactly once:
    # neither lost between the two plans nor counted by both.
    cost = _cost(AGREED_0320, [("2026-03-10", "1000"), ("2026-03-20", "500")], "2026-04-20")
    # v1 #1: 03-02 … 03-10 = 9 days × 1.00 = 9.00; 1000 paid covers it, nothing carried.
    # v2 #1 (04-10, 1000): the 500 of 03-20 is v2's → 04-11 … 04-20 = 10 days × 500 × 0.001
    #   = 5.00. Total 14.00; tomorrow 500 × 0.001 = 0.50.
    assert cost.penalty == Decimal("14.00")
    assert cost.per_day == Decimal("0.50")


def test_an_agreed_installment_costs_in_full_when_the_old_plan_was_paid_exactly() -> None:
    # Paying the old plan to the cent carries nothing over: the agreed installment is owed
    # in full, and its penalty is on all of it.
    cost = _cost(AGREED_0320, [("2026-02-28", "1000")], "2026-04-20")
    # v1 #1 paid before due: 0. v1 money 1000 − 1000 = 0 carried.
    # v2 #1 (04-10, 1000): 04-11 … 04-20 = 10 days × 1000 × 0.001 = 10.00.
    assert cost.penalty == Decimal("10.00")
    assert cost.per_day == Decimal("1.00")


@pytest.mark.parametrize(
    ("paid", "penalty"),
    [
        # Totals only (what a plain mapping gives): 400 counts as paid before the due date.
        # 03-02 … 03-11 = 10 days × 600 × 0.001 = 6.00.
        ({"e": Decimal("400")}, "6.00"),
        # Nothing recorded for this loan: 10 days × 1000 × 0.001 = 10.00.
        ({}, "10.00"),
        ({"other": Decimal("400")}, "10.00"),
        # With days (the ledger's Paid): 400 on 03-06 → 03-02 … 03-06 = 5 × 1.00 = 5.00,
        # 03-07 … 03-11 = 5 × 0.60 = 3.00; 8.00.
        (Paid({"e": [(date(2026, 3, 6), Decimal("400"))]}), "8.00"),
    ],
    ids=["totals", "nothing-paid", "another-loan-paid", "dated"],
)
def test_of_loan_reads_payments_as_totals_or_by_day_on_the_loans_own_calendar(
    paid: dict[str, Decimal], penalty: str
) -> None:
    # What forecast and the overdue reminder show: the loan's payments (and only its own),
    # on the day it is in the loan's zone. 00:30 on 03-11 in Shanghai is still 03-10 in UTC,
    # which would count one day fewer.
    now = datetime(2026, 3, 11, 0, 30, tzinfo=SHANGHAI).astimezone(ZoneInfo("UTC"))
    cost = overdue.of_loan(ONE_A_DAY, paid, now)
    assert cost.penalty == Decimal(penalty)
    assert cost.days == 10  # 03-11 − 03-01
