"""``status_report``: per-loan totals and per-month dues, a pure function of (config, paid, now)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminderd import plans
from reminderd.accounts import status_report
from reminderd.accounts.describe import settlement
from reminderd.config import parse
from reminderd.model import Config
from reminderd.standing import allocate
from tests.support.profiles import examples

CONFIG = """
timezone: Asia/Shanghai
currency: CNY
budget: {monthly: 1500}
loans:
  - id: wallet
    name: 钱包
    plan: {kind: equal_principal, principal: 3000, count: 3, first_due: 2027-01-15,
           every: 1 month, annual_rate: 0}
  - id: card
    name: Card
    plan:
      kind: list
      installments:
        - {due: 2027-01-20, amount: 600}
        - {due: 2027-03-20, amount: 400.50}
  - id: friend
    name: Friend
    currency: USD
    timezone: America/New_York
    plan: {kind: once, due: 2027-02-01, amount: 250}
"""


def config_from(text: str) -> Config:
    return parse(text.encode(), Path("config.yaml"))


@pytest.fixture
def config() -> Config:
    return config_from(CONFIG)


def loan_row(report: dict, loan_id: str) -> dict:
    return next(row for row in report["loans"] if row["id"] == loan_id)


def month_row(report: dict, month: str, currency: str = "CNY") -> dict:
    return next(r for r in report["months"] if r["month"] == month and r["currency"] == currency)


BEFORE = datetime(2026, 12, 1, tzinfo=UTC)


def test_status_report_nothing_paid_owes_every_installment(config: Config) -> None:
    report = status_report(config, {}, BEFORE)
    wallet = loan_row(report, "wallet")
    assert wallet == {
        "id": "wallet",
        "name": "钱包",
        "currency": "CNY",
        "total": "3000.00",
        "paid": "0.00",
        "outstanding": "3000.00",
        "credit": "0.00",
        "next_due": "2027-01-15",
        "overdue": "0.00",
        "overdue_count": 0,
        "count": 3,
        "settled": 0,
        # SPEC §8: no agreement, no overdue terms, nothing late yet
        "version": 1,
        "agreed_on": None,
        "overdue_days": 0,
        "overdue_cost": "0.00",
        "overdue_per_day": "0.00",
        "rolled": "0.00",
    }


def test_status_report_partial_payment_moves_next_due_only_when_settled(config: Config) -> None:
    report = status_report(config, {"wallet": Decimal("1200")}, BEFORE)
    wallet = loan_row(report, "wallet")
    assert (wallet["paid"], wallet["outstanding"]) == ("1200.00", "1800.00")
    assert wallet["next_due"] == "2027-02-15"
    assert wallet["settled"] == 1


def test_status_report_overpayment_is_credit_and_nothing_is_due(config: Config) -> None:
    report = status_report(config, {"friend": Decimal("300")}, BEFORE)
    friend = loan_row(report, "friend")
    assert friend["credit"] == "50.00"
    assert friend["outstanding"] == "0.00"
    assert friend["next_due"] is None


def test_status_report_after_due_instant_counts_overdue_amount(config: Config) -> None:
    # 2027-01-20 10:00 Shanghai: wallet 1/3 (due 01-15) and card 1/2 (due 01-20 09:00) passed.
    now = datetime(2027, 1, 20, 2, 0, tzinfo=UTC)
    report = status_report(config, {"card": Decimal("100")}, now)
    assert loan_row(report, "wallet")["overdue"] == "1000.00"
    card = loan_row(report, "card")
    assert (card["overdue"], card["overdue_count"]) == ("500.00", 1)


def test_status_report_at_the_due_instant_is_overdue(config: Config) -> None:
    now = datetime(2027, 1, 15, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai: the due instant
    wallet = loan_row(status_report(config, {}, now), "wallet")
    assert (wallet["overdue"], wallet["overdue_count"]) == ("1000.00", 1)


def test_status_report_just_before_due_instant_is_not_overdue(config: Config) -> None:
    now = datetime(2027, 1, 15, 0, 59, tzinfo=UTC)  # 08:59 in Shanghai, due at 09:00
    assert loan_row(status_report(config, {}, now), "wallet")["overdue_count"] == 0


@pytest.mark.parametrize(
    ("budget", "over"),
    [
        ("1600", False),  # January's dues 1000 + 600 = 1600.00: equal to the budget, not over
        ("1599.99", True),  # one cent less than the dues: over
        ("1600.01", False),  # one cent more than the dues: not over
    ],
)
def test_status_report_budget_boundary_equal_is_not_over(budget: str, over: bool) -> None:
    config = config_from(
        CONFIG.replace("budget: {monthly: 1500}", f"budget: {{monthly: {budget}}}")
    )

    january = month_row(status_report(config, {}, BEFORE), "2027-01")

    assert (january["due"], january["over"]) == ("1600.00", over)


def test_status_report_month_over_budget_only_when_due_exceeds_it(config: Config) -> None:
    report = status_report(config, {}, BEFORE)
    january = month_row(report, "2027-01")
    assert (january["due"], january["budget"], january["over"]) == ("1600.00", "1500.00", True)
    february = month_row(report, "2027-02")
    assert (february["due"], february["over"]) == ("1000.00", False)


def test_status_report_due_is_before_payments(config: Config) -> None:
    report = status_report(config, {"wallet": Decimal("3000"), "card": Decimal("600")}, BEFORE)
    january = month_row(report, "2027-01")
    assert (january["due"], january["outstanding"], january["over"]) == ("1600.00", "0.00", True)


def test_status_report_other_currency_has_no_budget_and_is_never_over(config: Config) -> None:
    text = CONFIG.replace("monthly: 1500", "monthly: 100")
    report = status_report(config_from(text), {}, BEFORE)
    usd = month_row(report, "2027-02", "USD")
    assert (usd["due"], usd["budget"], usd["over"]) == ("250.00", None, False)
    assert month_row(report, "2027-02")["over"] is True


def test_status_report_without_budget_nothing_is_over(config: Config) -> None:
    text = CONFIG.replace("budget: {monthly: 1500}\n", "")
    report = status_report(config_from(text), {}, BEFORE)
    assert all(row["budget"] is None and row["over"] is False for row in report["months"])


def test_status_report_months_run_from_current_month_to_last_due(config: Config) -> None:
    report = status_report(config, {}, BEFORE)
    cny = [row["month"] for row in report["months"] if row["currency"] == "CNY"]
    assert cny == ["2026-12", "2027-01", "2027-02", "2027-03"]
    assert [r["month"] for r in report["months"] if r["currency"] == "USD"] == ["2027-02"]


def test_status_report_months_start_at_oldest_unsettled_month(config: Config) -> None:
    now = datetime(2027, 3, 1, tzinfo=UTC)
    report = status_report(config, {"wallet": Decimal("1000")}, now)
    # wallet 1/3 is settled; card 1/2 (January) is still owed, so January stays listed.
    assert report["months"][0]["month"] == "2027-01"
    paid_up = status_report(config, {"wallet": Decimal(3000), "card": Decimal(600)}, now)
    assert paid_up["months"][0]["month"] == "2027-02"  # the US loan's February is still open


def test_status_report_month_uses_adjusted_due_date() -> None:
    # 2027-01-31 is a Sunday: `following` moves it to Monday 1 February.
    text = """
timezone: Asia/Shanghai
currency: CNY
loans:
  - id: shifted
    name: Shifted
    plan: {kind: once, due: 2027-01-31, amount: 100}
    adjust: following
"""
    report = status_report(config_from(text), {}, BEFORE)
    assert month_row(report, "2027-02")["due"] == "100.00"
    assert month_row(report, "2027-01")["due"] == "0.00"


def test_status_report_naive_now_is_refused(config: Config) -> None:
    with pytest.raises(ValueError, match="aware"):
        status_report(config, {}, datetime(2027, 1, 1))  # noqa: DTZ001


def test_settlement_partial_and_settled_are_both_described(config: Config) -> None:
    rows = plans.installments(config.loan("wallet"))
    before = allocate(rows, Decimal(0))
    after = allocate(rows, Decimal(1200))
    # English tells CNY from JPY: CN¥ (CLDR's English symbol for the yuan).
    assert settlement(before, after, "CNY") == (
        "settles 1/3 (CN¥1,000.00); 2/3 partly: CN¥200.00 of CN¥1,000.00 paid"
    )
    assert settlement(after, before, "CNY").startswith("reopens 1/3 (CN¥1,000.00 owed)")


def test_settlement_of_a_partly_paid_installment_names_what_this_payment_put_on_it(
    config: Config,
) -> None:
    # 1,200 already paid: #1 settled, #2 has 200 of 1,000. Paying 800 more settles #2 with
    # the 800 this payment put on it (not the 1,000 it now holds); #1 is not mentioned.
    rows = plans.installments(config.loan("wallet"))
    before = allocate(rows, Decimal(1200))
    after = allocate(rows, Decimal(2000))
    assert settlement(before, after, "CNY") == "settles 2/3 (CN¥800.00)"


def test_settlement_overpayment_mentions_the_credit(config: Config) -> None:
    rows = plans.installments(config.loan("friend"))
    text = settlement(allocate(rows, Decimal(0)), allocate(rows, Decimal(400)), "USD")
    assert text == "settles 1/1 ($250.00); $150.00 credit beyond everything the plan asks"


# ---- properties -----------------------------------------------------------------------

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2)
loan_plans = st.fixed_dictionaries(
    {
        "principal": amounts,
        "count": st.integers(min_value=1, max_value=24),
        "offset": st.integers(min_value=0, max_value=800),
        "kind": st.sampled_from(["equal_principal", "annuity"]),
        "rate": st.sampled_from(["0", "7.2%", "18%"]),
        "paid": st.decimals(min_value=Decimal(0), max_value=Decimal("200000"), places=2),
    }
).filter(
    # A principal must cover one minor unit per installment (a config error otherwise).
    lambda loan: loan["principal"] >= loan["count"] * Decimal("0.01")
)


def build(loans: list[dict]) -> Config:
    lines = ["timezone: Asia/Shanghai", "currency: CNY", "budget: {monthly: 5000}", "loans:"]
    for index, loan in enumerate(loans):
        first = date(2026, 1, 31) + timedelta(days=loan["offset"])
        lines += [
            f"  - id: loan-{index}",
            f"    name: Loan {index}",
            f"    plan: {{kind: {loan['kind']}, principal: {loan['principal']}, "
            f"count: {loan['count']}, first_due: {first.isoformat()}, every: 1 month, "
            f"annual_rate: '{loan['rate']}'}}",
        ]
    return config_from("\n".join(lines) + "\n")


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(loan_plans, min_size=1, max_size=4), st.integers(min_value=0, max_value=1200))
def test_status_report_paid_and_outstanding_add_up_to_total(loans: list[dict], day: int) -> None:
    config = build(loans)
    paid = {f"loan-{i}": loan["paid"] for i, loan in enumerate(loans)}
    now = datetime(2025, 12, 1, tzinfo=UTC) + timedelta(days=day)
    report = status_report(config, paid, now)
    for index, row in enumerate(report["loans"]):
        total, paid_part = Decimal(row["total"]), Decimal(row["paid"])
        assert paid_part + Decimal(row["outstanding"]) == total
        assert paid_part + Decimal(row["credit"]) == paid[f"loan-{index}"]
        assert Decimal(0) <= Decimal(row["overdue"]) <= Decimal(row["outstanding"])
        installments = plans.installments(config.loans[index])
        assert total == sum(inst.amount for inst in installments)


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(loan_plans, min_size=1, max_size=4))
def test_status_report_months_due_adds_up_to_every_installment(loans: list[dict]) -> None:
    config = build(loans)
    paid = {f"loan-{i}": loan["paid"] for i, loan in enumerate(loans)}
    now = datetime(2025, 12, 1, tzinfo=UTC)  # before every plan: every month is listed
    report = status_report(config, paid, now)
    every_installment = sum(
        inst.amount for loan in config.loans for inst in plans.installments(loan)
    )
    assert sum(Decimal(row["due"]) for row in report["months"]) == every_installment
    months = [row["month"] for row in report["months"]]
    assert months == sorted(months) and len(months) == len(set(months))


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(loan_plans, min_size=1, max_size=3), st.integers(min_value=0, max_value=1500))
def test_status_report_listed_months_hold_everything_still_owed(
    loans: list[dict], day: int
) -> None:
    config = build(loans)
    paid = {f"loan-{i}": loan["paid"] for i, loan in enumerate(loans)}
    now = datetime(2025, 12, 1, tzinfo=UTC) + timedelta(days=day)
    report = status_report(config, paid, now)
    owed = sum(Decimal(row["outstanding"]) for row in report["loans"])
    assert sum(Decimal(row["outstanding"]) for row in report["months"]) == owed


def test_an_unpaid_installment_is_listed_at_its_exact_due_instant() -> None:
    """`upcoming` at 09:00:00 sharp on the due day: the installment is owed now (overdue, as
    the agenda's due reminder says), not gone from the list between "coming" and "late"."""
    from reminderd.views import upcoming_rows
    from tests.unit.conftest import parse_text

    config = parse_text(
        "timezone: Asia/Shanghai\nloans:\n  - id: a\n    name: A\n"
        "    plan: {kind: once, due: 2027-03-10, amount: 100}\n"
    )
    at_due = datetime(2027, 3, 10, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai (+08:00)
    rows = upcoming_rows(config, {}, at_due, days=7)
    assert [(row["loan"], row["due_at"], row["outstanding"]) for row in rows] == [
        ("a", "2027-03-10T09:00:00+08:00", "100.00")
    ]
    # A second earlier it is coming; paid in full it is gone.
    assert len(upcoming_rows(config, {}, at_due - timedelta(seconds=1), days=7)) == 1
    assert upcoming_rows(config, {"a": Decimal(100)}, at_due, days=7) == []


def test_upcoming_gives_the_due_date_moved_off_the_weekend() -> None:
    """`adjust: following` moves Saturday 2027-03-13 to Monday 2027-03-15: `upcoming --json`
    gives the day the money is due, in `due` as in `due_at`, not the plan's Saturday."""
    from reminderd.views import upcoming_rows
    from tests.unit.conftest import parse_text

    config = parse_text(
        "timezone: Asia/Shanghai\nloans:\n  - id: w\n    name: W\n    adjust: following\n"
        "    plan: {kind: once, due: 2027-03-13, amount: 100}\n"
    )
    now = datetime(2027, 3, 10, tzinfo=UTC)
    [row] = upcoming_rows(config, {}, now, days=7)
    assert (row["due"], row["due_at"]) == ("2027-03-15", "2027-03-15T09:00:00+08:00")


def test_overdue_costs_are_summed_per_currency_never_across() -> None:
    """SPEC §8: what being late has cost, in total per currency. Three USD loans and one CNY
    loan, each 10 days late with a fee of 5 (its own currency): USD 3 × 5 = 15.00, CNY 5.00."""
    from reminderd.accounts.report import status_report as report
    from tests.unit.conftest import parse_text

    def loan(loan_id: str, currency: str) -> str:
        return (
            f"  - id: {loan_id}\n    name: {loan_id}\n    currency: {currency}\n"
            "    plan: {kind: once, due: 2027-03-01, amount: 100}\n"
        )

    config = parse_text(
        "timezone: Asia/Shanghai\ncurrency: CNY\n"
        "overdue: {daily_rate: 0, fee: 5, grace: 0d}\nloans:\n"
        + loan("cny-a", "CNY")
        + loan("usd-b", "USD")
        + loan("usd-c", "USD")
        + loan("usd-d", "USD")
    )
    late = datetime(2027, 3, 11, 4, 0, tzinfo=UTC)  # noon, 11 March, in Shanghai
    assert report(config, {}, late)["overdue_costs"] == {"CNY": "5.00", "USD": "15.00"}


def test_the_next_due_is_the_earliest_of_the_loans_next_installments() -> None:
    """`check`'s "next due": whichever loan comes first, wherever it is in the config."""
    from reminderd.views import overdue_and_next
    from tests.unit.conftest import parse_text

    config = parse_text(
        "timezone: Asia/Shanghai\nloans:\n"
        "  - {id: b, name: B, plan: {kind: once, due: 2027-03-10, amount: 10}}\n"
        "  - {id: a, name: A, plan: {kind: once, due: 2027-03-05, amount: 10}}\n"
        "  - {id: c, name: C, plan: {kind: once, due: 2027-03-20, amount: 10}}\n"
    )
    before = datetime(2027, 3, 1, 4, 0, tzinfo=UTC)
    overdue, next_due = overdue_and_next(config, {}, before)
    assert overdue == [] and next_due is not None
    assert (next_due[0].id, next_due[1].installment.due.isoformat()) == ("a", "2027-03-05")


def test_status_next_due_is_the_date_after_weekend_adjustment() -> None:
    """The date to pay by is the working day the installment moved to, as the reminders and
    the calendar say: 2027-01-16 is a Saturday, `following` makes it Monday the 18th."""
    from tests.unit.conftest import parse_text

    config = parse_text(
        "timezone: Asia/Shanghai\nloans:\n  - id: a\n    name: A\n    adjust: following\n"
        "    plan: {kind: once, due: 2027-01-16, amount: 10}\n"
    )
    report = status_report(config, {}, datetime(2027, 1, 10, 4, 0, tzinfo=UTC))
    assert report["loans"][0]["next_due"] == "2027-01-18"
