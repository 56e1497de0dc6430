"""Overdue cost (SPEC §8), worked by hand: penalty interest per day on the unpaid part, a fee
after the grace days, one rounding at the end, nothing after an agreement took over."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from reminderd.core import overdue, versions
from reminderd.model import Loan
from tests.unit.conftest import parse_text


def _loan(body: str) -> Loan:
    return parse_text(f"timezone: Asia/Shanghai\nloans:\n  - id: e\n    name: E\n{body}").loans[0]


def _cost(loan: Loan, payments: list[tuple[str, str]], today: str) -> overdue.OverdueCost:
    dated = [(date.fromisoformat(day), Decimal(amount)) for day, amount in payments]
    return overdue.cost(loan, versions.installments(loan), dated, date.fromisoformat(today))


MONTH = _loan(
    '    plan: {kind: once, due: 2026-03-01, amount: 6000}\n    overdue: {daily_rate: "0.05%"}\n'
)


def test_overdue_cost_over_a_month_with_a_partial_payment_in_the_middle() -> None:
    cost = _cost(MONTH, [("2026-03-16", "2000")], "2026-03-31")
    # Cost days: 03-02 … 03-31 (due 03-01 < d <= today), 30 days.
    # d = 03-02 … 03-16 (15 days): nothing paid before d → 6000 × 0.0005 = 3.00 a day = 45.00
    # d = 03-17 … 03-31 (15 days): 2000 paid on 03-16 → 4000 × 0.0005 = 2.00 a day = 30.00
    assert cost.penalty == Decimal("75.00")
    assert cost.fees == Decimal("0")
    assert cost.total == Decimal("75.00")
    assert cost.per_day == Decimal("2.00")  # 4000 × 0.0005
    assert cost.days == 30  # 03-31 − 03-01


def test_overdue_cost_counts_nothing_on_the_due_day_itself() -> None:
    cost = _cost(MONTH, [], "2026-03-01")
    assert (cost.total, cost.days) == (Decimal("0.00"), 0)
    assert cost.per_day == Decimal("3.00")  # tomorrow, 03-02, costs 6000 × 0.0005


def test_overdue_twelve_days_late_matches_the_reminder_text_example() -> None:
    cost = _cost(MONTH, [], "2026-03-13")
    # 12 days (03-02 … 03-13) × 3.00 = 36.00; one more day +3.00
    assert (cost.days, cost.total, cost.per_day) == (12, Decimal("36.00"), Decimal("3.00"))


GRACE = _loan(
    "    plan: {kind: once, due: 2026-03-01, amount: 1000}\n"
    '    overdue: {daily_rate: "0.1%", fee: 50, grace: 3d}\n'
)


def test_overdue_fee_waits_for_the_end_of_the_grace_days() -> None:
    last_grace_day = _cost(GRACE, [], "2026-03-04")
    # Grace: 03-02, 03-03, 03-04. Nothing costs yet; tomorrow 03-05 costs 1000 × 0.001 = 1.00
    # and the fee of 50.00 becomes due: +51.00.
    assert (last_grace_day.total, last_grace_day.per_day) == (Decimal("0.00"), Decimal("51.00"))
    later = _cost(GRACE, [], "2026-03-10")
    # 03-05 … 03-10 = 6 days × 1.00 = 6.00, plus the fee 50.00
    assert (later.penalty, later.fees, later.total) == (
        Decimal("6.00"),
        Decimal("50"),
        Decimal("56.00"),
    )


def test_overdue_paid_on_the_last_grace_day_costs_nothing() -> None:
    cost = _cost(GRACE, [("2026-03-04", "1000")], "2026-03-10")
    assert cost.total == Decimal("0.00")
    assert cost.days == 0


def test_overdue_paid_the_day_after_the_grace_costs_the_fee_and_that_day() -> None:
    cost = _cost(GRACE, [("2026-03-05", "1000")], "2026-03-10")
    # d = 03-05: nothing paid before it → 1.00; from 03-06 nothing is owed. Fee: unpaid at the
    # end of 03-04 → 50.00. Total 51.00.
    assert cost.total == Decimal("51.00")


def test_overdue_fee_alone_is_charged_when_interest_is_frozen() -> None:
    # 停息 with a late fee kept: daily_rate 0, fee 30, no grace. Due 03-01, unpaid on 03-10:
    # no penalty interest, the fee of 30.00 (unpaid at the end of the due day); per day 0.
    loan = _loan(
        "    plan: {kind: once, due: 2026-03-01, amount: 1000}\n"
        "    overdue: {daily_rate: 0, fee: 30}\n"
    )
    cost = _cost(loan, [], "2026-03-10")
    assert (cost.penalty, cost.fees, cost.total, cost.per_day) == (
        Decimal("0"),
        Decimal("30"),
        Decimal("30.00"),
        Decimal("0.00"),
    )
    assert cost.days == 9


def test_overdue_penalty_is_rounded_once_not_per_day() -> None:
    loan = _loan(
        "    plan: {kind: once, due: 2026-03-01, amount: 101}\n    overdue: {daily_rate: 0.0005}\n"
    )
    cost = _cost(loan, [], "2026-03-11")
    # 10 days × 101 × 0.0005 = 10 × 0.0505 = 0.505 → 0.51 half-up (per day: 0.05 × 10 = 0.50)
    assert cost.penalty == Decimal("0.51")


def test_overdue_cost_stops_when_an_agreement_takes_over() -> None:
    loan = _loan(
        "    plan:\n      kind: list\n      installments:\n"
        "        - {due: 2026-03-15, amount: 1000}\n"
        "        - {due: 2026-04-15, amount: 1000}\n"
        "        - {due: 2026-05-15, amount: 1000}\n"
        '    overdue: {daily_rate: "0.1%"}\n'
        "    renegotiated:\n"
        "      - on: 2026-05-01\n"
        "        plan: {kind: once, due: 2026-05-20, amount: 2000}\n"
        "        overdue: {daily_rate: 0}\n"
    )
    cost = _cost(loan, [], "2026-06-10")
    # v1 #1 (03-15): 03-16 … 04-30 = 16 + 30 = 46 days × 1.00 = 46.00
    # v1 #2 (04-15): 04-16 … 04-30 = 15 days × 1.00 = 15.00; both rolled on 05-01, no more cost
    # v1 #3 (05-15) superseded: nothing. v2 (05-20) unpaid 21 days but its rate is 0.
    assert cost.total == Decimal("61.00")
    assert cost.per_day == Decimal("0.00")
    assert cost.days == 21  # 06-10 − 05-20, the oldest installment still owed (v2 #1)


def test_overdue_without_terms_costs_nothing_but_counts_days() -> None:
    loan = _loan("    plan: {kind: once, due: 2026-03-01, amount: 1000}\n")
    cost = _cost(loan, [], "2026-03-11")
    assert (cost.total, cost.per_day, cost.days) == (Decimal("0.00"), Decimal("0.00"), 10)


def test_overdue_terms_merge_top_level_loan_and_version_keys() -> None:
    config = parse_text(
        'overdue: {daily_rate: "0.05%", fee: 20}\n'
        "loans:\n  - id: e\n    name: E\n"
        "    plan: {kind: once, due: 2026-03-01, amount: 1000}\n"
        "    overdue: {grace: 3d}\n"
        "    renegotiated:\n      - on: 2026-04-01\n"
        "        plan: {kind: once, due: 2026-04-20, amount: 900}\n"
        "        overdue: {daily_rate: 0}\n"
    )
    loan = config.loans[0]
    assert loan.overdue is not None and loan.renegotiated[0].overdue is not None
    assert (loan.overdue.daily_rate, loan.overdue.fee, loan.overdue.grace_days) == (
        Decimal("0.0005"),
        Decimal("20"),
        3,
    )
    frozen = loan.renegotiated[0].overdue
    assert (frozen.daily_rate, frozen.fee, frozen.grace_days) == (Decimal(0), Decimal("20"), 3)


def test_overdue_line_says_days_cost_and_one_more_day_in_both_languages() -> None:
    from reminderd.messages import overdue_line

    cost = _cost(MONTH, [], "2026-03-13")  # 12 days × 3.00 (worked above)
    assert overdue_line(cost, "zh_CN") == "已逾期12天，预计罚息已达¥36.00，每多一天加¥3.00"
    assert overdue_line(cost, "en") == (
        "12 days late; estimated penalty so far CN¥36.00, +CN¥3.00 per further day"
    )


def test_overdue_reminder_body_carries_the_cost_line_and_the_version() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from reminderd.messages import render
    from reminderd.model import Reminder

    loan = _loan(
        "    plan: {kind: once, due: 2026-03-01, amount: 6000}\n"
        '    overdue: {daily_rate: "0.05%"}\n'
        "    renegotiated:\n      - on: 2026-03-05\n"
        "        plan: {kind: once, due: 2026-03-10, amount: 6000}\n"
    )
    inst = versions.installments(loan)[1]
    now = datetime(2026, 3, 22, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    cost = _cost(loan, [], "2026-03-22")
    # v1 (03-01) rolled on 03-05: cost days 03-02 … 03-04 = 3 × 3.00 = 9.00
    # v2 (03-10), same terms: 03-11 … 03-22 = 12 × 3.00 = 36.00; total 45.00, +3.00 a day
    assert (cost.days, cost.total, cost.per_day) == (12, Decimal("45.00"), Decimal("3.00"))
    _, body = render(
        loan,
        inst,
        Reminder(loan.id, 1, now, "overdue", 12),
        paid=Decimal(0),
        now=now,
        locale="zh_CN",
        overdue=cost,
    )
    assert "已逾期12天，预计罚息已达¥45.00，每多一天加¥3.00" in body
    assert "还款方案第2版，2026年3月5日达成" in body
