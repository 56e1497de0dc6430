"""Every column of the rows each plan kind gives, worked by hand: amount, principal, interest
and the balance left after each installment (what `upcoming`, the reminders and the forecast
show), for the kinds without interest; and one period's interest at 0% and 12% a year."""

from __future__ import annotations

from decimal import Decimal

from reminderd import plans
from reminderd.model import Step
from tests.unit.conftest import parse_text


def columns(config_text: str) -> list[tuple[str, Decimal, Decimal, Decimal, Decimal]]:
    loan = parse_text(config_text).loans[0]
    return [
        (row.due.isoformat(), row.amount, row.principal, row.interest, row.balance_after)
        for row in plans.installments(loan)
    ]


def d(*amounts: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(amount) for amount in amounts)


def test_a_one_off_debt_is_all_principal_and_leaves_nothing_owed() -> None:
    text = (
        "timezone: Asia/Shanghai\nloans:\n  - id: o\n    name: O\n"
        "    plan: {kind: once, due: 2027-02-10, amount: 2500.5}\n"
    )
    # one row: 2500.50 due, all of it principal, no interest, 0.00 left after it
    assert columns(text) == [("2027-02-10", *d("2500.50", "2500.50", "0", "0.00"))]


def test_an_agreed_list_counts_down_what_is_left_and_charges_no_interest() -> None:
    text = (
        "timezone: Asia/Shanghai\nloans:\n  - id: l\n    name: L\n"
        "    plan:\n      kind: list\n      installments:\n"
        "        - {due: 2027-01-15, amount: 300}\n"
        "        - {due: 2027-02-15, amount: 200.25}\n"
        "        - {due: 2027-03-15, amount: 99.75}\n"
    )
    # 300 + 200.25 + 99.75 = 600.00 in all: left after each, 300.00, 99.75, 0.00
    assert columns(text) == [
        ("2027-01-15", *d("300.00", "300.00", "0", "300.00")),
        ("2027-02-15", *d("200.25", "200.25", "0", "99.75")),
        ("2027-03-15", *d("99.75", "99.75", "0", "0.00")),
    ]


def test_a_counted_recurring_bill_counts_down_what_is_left() -> None:
    text = (
        "timezone: Asia/Shanghai\nloans:\n  - id: r\n    name: R\n"
        "    plan: {kind: recurring, amount: 120, first_due: 2027-01-31, every: 1 month, "
        "count: 3}\n"
    )
    # 3 x 120.00 = 360.00: left after each, 240.00, 120.00, 0.00; February has no 31st
    assert columns(text) == [
        ("2027-01-31", *d("120.00", "120.00", "0", "240.00")),
        ("2027-02-28", *d("120.00", "120.00", "0", "120.00")),
        ("2027-03-31", *d("120.00", "120.00", "0", "0.00")),
    ]


def test_a_months_interest_at_zero_and_at_twelve_percent_a_year() -> None:
    # 0% a year on 1,000.00 for a month: 0.00 of interest
    interest = plans.period_interest(Decimal("1000.00"), Decimal(0), Step(1, "month"), "CNY")
    assert str(interest) == "0.00"
    # and 12% a year on 1,000.00 for a month: 1000 x 0.12 / 12 = 10.00
    interest = plans.period_interest(Decimal("1000.00"), Decimal("0.12"), Step(1, "month"), "CNY")
    assert str(interest) == "10.00"
