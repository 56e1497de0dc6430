"""The forecast (SPEC §9), a pure function of (config, paid, now): worked examples checked by
hand, and the properties every strategy keeps."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from reminderd.config import parse
from reminderd.core.forecast import forecast, to_json
from reminderd.model import Config

NOW = datetime(2027, 1, 5, 4, 0, tzinfo=UTC)  # 12:00 on 5 January 2027 in Shanghai

TWO_LOANS = """
timezone: Asia/Shanghai
currency: CNY
loans:
  - id: card
    name: Card
    plan: {kind: equal_principal, principal: 1200, count: 3, first_due: 2027-01-15,
           annual_rate: 12%}
  - id: wallet
    name: Wallet
    plan: {kind: equal_principal, principal: 900, count: 3, first_due: 2027-01-20,
           annual_rate: 0}
"""


def config_from(text: str) -> Config:
    return parse(text.encode(), Path("config.yaml"))


def test_plan_alone_lists_the_months_and_ends_with_the_last_due() -> None:
    result = forecast(config_from(TWO_LOANS), {}, NOW)
    # card: 1% a month on the outstanding; parts 400.
    #   Jan 400 + 12.00 = 412, Feb 400 + 8.00 = 408, Mar 400 + 4.00 = 404
    # wallet: 300 each month.  Jan 712, Feb 708, Mar 704; balance 2100-700=1400, 700, 0
    months = [(m.month, m.due, m.ahead, m.balance) for m in result.outcome.months]
    assert months == [
        ("2027-01", Decimal("712.00"), 0, Decimal("1400.00")),
        ("2027-02", Decimal("708.00"), 0, Decimal("700.00")),
        ("2027-03", Decimal("704.00"), 0, Decimal("0.00")),
    ]
    assert result.strategy == "plan"
    assert result.outcome.debt_free == "2027-03"
    assert result.outcome.total == Decimal("2124.00")  # 2100 + 24
    assert result.outcome.interest == Decimal("24.00")  # 12 + 8 + 4
    assert result.baseline is None


def test_avalanche_with_500_extra_puts_it_on_the_dearer_loan_first() -> None:
    result = forecast(config_from(TWO_LOANS), {}, NOW, extra=Decimal(500))
    assert result.strategy == "avalanche"  # the default once there is an extra
    # Jan: dues 712; card (12%) owes 800 after its row, 500 ahead leaves 300.
    # Feb: card 300 × 1% = 3.00 interest, part 300 → 303; wallet 300 → dues 603.
    #      Card is done; 300 of the 500 goes ahead on the wallet's last 300. Debt-free in Feb.
    months = [(m.month, m.due, m.ahead, m.balance) for m in result.outcome.months]
    assert months == [
        ("2027-01", Decimal("712.00"), Decimal(500), Decimal("900.00")),  # 300 + 600
        ("2027-02", Decimal("603.00"), Decimal("300.00"), Decimal("0.00")),
    ]
    assert result.outcome.debt_free == "2027-02"
    assert result.outcome.interest == Decimal("15.00")  # 12 + 3
    assert result.outcome.total == Decimal("2115.00")  # 712 + 500 + 603 + 300
    assert result.baseline is not None
    assert (result.baseline.debt_free, result.baseline.interest) == ("2027-03", Decimal("24.00"))


def test_snowball_with_500_extra_clears_the_smaller_balance_first_and_costs_more() -> None:
    result = forecast(config_from(TWO_LOANS), {}, NOW, extra=Decimal(500), strategy="snowball")
    # Jan: dues 712; balances card 800, wallet 600: the wallet is smaller, 500 ahead → 100.
    # Feb: card 800 × 1% = 8.00, part 400 → 408; wallet its last 100 → dues 508.
    #      Then card's 400 left takes 400 of the 500. Debt-free in Feb.
    months = [(m.month, m.due, m.ahead, m.balance) for m in result.outcome.months]
    assert months == [
        ("2027-01", Decimal("712.00"), Decimal(500), Decimal("900.00")),  # 800 + 100
        ("2027-02", Decimal("508.00"), Decimal("400.00"), Decimal("0.00")),
    ]
    assert result.outcome.interest == Decimal("20.00")  # 12 + 8: more than avalanche's 15
    assert result.outcome.total == Decimal("2120.00")  # 712 + 500 + 508 + 400


ANNUITY = """
timezone: Asia/Shanghai
currency: CNY
loans:
  - id: bank
    name: Bank
    plan: {kind: annuity, principal: 3000, count: 3, first_due: 2027-01-15, annual_rate: 12%}
"""


def test_an_annuity_prepaid_ahead_ends_sooner_at_the_same_installment_with_less_interest() -> None:
    # r = 1%: A = 3000 × 0.01 × 1.01³ / (1.01³ − 1) = 30.90903 / 0.030301 = 1020.066… → 1020.07
    # plan: Jan 30.00 interest, part 990.07, left 2009.93
    #       Feb: the level payment for 2009.93 over 2 is 2009.93 × 0.01 × 1.0201 / 0.0201
    #            = 1020.0645, more than half a cent from 1020.07: re-levelled to 1020.06
    #            (plans' rule); interest 20.0993 → 20.10, part 999.96, left 1009.97
    #       Mar 10.0997 → 10.10, last: part 1009.97 → 1020.07; interest 60.20
    plan = forecast(config_from(ANNUITY), {}, NOW)
    assert [m.due for m in plan.outcome.months] == [
        Decimal("1020.07"),
        Decimal("1020.06"),
        Decimal("1020.07"),
    ]
    assert plan.outcome.interest == Decimal("60.20")
    # 1000 ahead in Jan: left 1009.93; Feb 10.0993 → 10.10 interest, the same 1020.07 would be
    # part 1009.97 > 1009.93, so Feb pays 1009.93 + 10.10 = 1020.03 and the loan ends in Feb.
    ahead = forecast(config_from(ANNUITY), {}, NOW, extra=Decimal(1000))
    assert [(m.due, m.ahead) for m in ahead.outcome.months] == [
        (Decimal("1020.07"), Decimal(1000)),
        (Decimal("1020.03"), Decimal(0)),
    ]
    assert ahead.outcome.debt_free == "2027-02"
    assert ahead.outcome.interest == Decimal("40.10")  # 30.00 + 10.10
    assert ahead.outcome.total == Decimal("3040.10")  # 3000 + 40.10


def test_an_equal_principal_prepaid_keeps_its_part_and_pays_less_interest() -> None:
    text = TWO_LOANS.replace("count: 3, first_due: 2027-01-15", "count: 4, first_due: 2027-01-15")
    # card 1200 over 4: part 300. Plan: Jan 12.00, Feb 9.00, Mar 6.00, Apr 3.00 interest.
    # avalanche 300 extra: Jan 312 + wallet 300; card left 900 - 300 = 600.
    # Feb: 600 × 1% = 6.00, part 300 → 306, left 300; 300 ahead clears it. Interest 18.
    result = forecast(config_from(text), {}, NOW, extra=Decimal(300))
    assert result.outcome.months[1].due == Decimal("606.00")  # card 306 + wallet 300
    assert result.outcome.interest == Decimal("18.00")
    assert result.baseline is not None and result.baseline.interest == Decimal("30.00")


def test_a_budget_pays_ahead_what_the_months_dues_leave() -> None:
    # budget 1000: Jan dues 712 leave 288 ahead on the card (800 → 512).
    # Feb: card 512 × 1% = 5.12, part 400 → 405.12; wallet 300 → 705.12; 294.88 ahead → card
    #      left 112 - 294.88: takes 112, then the wallet's last 300 takes 182.88 → 117.12 left.
    # Mar: wallet 117.12 due; card done. Debt-free in Mar, interest 12 + 5.12 = 17.12.
    result = forecast(config_from(TWO_LOANS), {}, NOW, budget=Decimal(1000))
    months = [(m.due, m.ahead) for m in result.outcome.months]
    assert months == [
        (Decimal("712.00"), Decimal("288.00")),
        (Decimal("705.12"), Decimal("294.88")),
        (Decimal("117.12"), Decimal("0")),
    ]
    assert result.outcome.interest == Decimal("17.12")


def test_a_partly_paid_installment_is_settled_first_then_the_principal() -> None:
    wallet = (
        TWO_LOANS[: TWO_LOANS.index("  - id: card")]
        + TWO_LOANS[TWO_LOANS.index("  - id: wallet") :]
    )
    december = datetime(2026, 12, 28, 4, 0, tzinfo=UTC)
    result = forecast(config_from(wallet), {"wallet": Decimal(100)}, december, extra=Decimal(250))
    # wallet: 300 a month from January, 100 paid: January has 200 left; the plan asks
    # Dec 0, Jan 200, Feb 300, Mar 300 (800 in all).
    # Dec: 250 ahead: January's 200 first, then 50 off the principal (600 → 550).
    # Jan: nothing due now; the plan's 200 + 250 = 450 ahead (550 → 100).
    # Feb: the last 100 due (part 300 capped at what is left). Paid 250 + 450 + 100 = 800.
    months = [(m.month, m.due, m.ahead, m.balance) for m in result.outcome.months]
    assert months == [
        ("2026-12", Decimal(0), Decimal(250), Decimal("550.00")),
        ("2027-01", Decimal(0), Decimal(450), Decimal("100.00")),
        ("2027-02", Decimal("100.00"), Decimal(0), Decimal("0.00")),
    ]
    assert result.outcome.total == Decimal(800)  # 900 - 100 already paid


MIXED = """
timezone: Asia/Shanghai
currency: CNY
loans:
  - id: rent
    name: Rent
    plan: {kind: recurring, amount: 2000, first_due: 2027-01-01, count: 24, ongoing: true}
  - id: phone
    name: Phone
    plan: {kind: once, due: 2026-12-20, amount: 150}
  - id: dollars
    name: Friend
    currency: USD
    plan: {kind: once, due: 2027-02-01, amount: 250}
"""


def test_bills_and_other_currencies_stay_out_of_the_balance_and_an_overdue_due_is_now() -> None:
    result = forecast(config_from(MIXED), {}, NOW)
    assert result.ongoing == ("rent",)
    assert result.apart == ("dollars",)
    # The phone's 150 was due in December and is unpaid: it falls in January, the only month.
    assert [(m.month, m.due, m.bills, m.balance) for m in result.outcome.months] == [
        ("2027-01", Decimal(150), Decimal(2000), Decimal(0))
    ]
    assert result.overdue == Decimal(150)
    assert result.outcome.debt_free == "2027-01"
    body = to_json(result)
    assert body["ongoing"] == ["rent"] and body["apart"] == ["dollars"]
    assert body["months"] == [
        {"month": "2027-01", "due": "150.00", "bills": "2000.00", "ahead": "0.00",
         "balance": "0.00"}
    ]  # fmt: skip


def test_nothing_owed_has_no_debt_free_month() -> None:
    result = forecast(config_from(TWO_LOANS), {"card": Decimal(1224), "wallet": Decimal(900)}, NOW)
    assert result.outcome.months == ()
    assert result.outcome.debt_free is None
    assert result.outcome.total == 0


def test_json_has_the_keys_of_spec_9_with_money_as_strings() -> None:
    body = to_json(forecast(config_from(TWO_LOANS), {}, NOW, extra=Decimal(500)), months=1)
    assert {"currency", "strategy", "extra", "months", "debt_free", "total", "interest",
            "baseline", "ongoing", "apart"} <= set(body)  # fmt: skip
    assert body["extra"] == "500.00" and body["total"] == "2115.00"
    assert len(body["months"]) == 1  # --months limits the rows ...
    assert body["debt_free"] == "2027-02"  # ... never the totals
    assert body["baseline"] == {"debt_free": "2027-03", "total": "2124.00", "interest": "24.00"}


def test_bad_arguments_are_refused() -> None:
    config = config_from(TWO_LOANS)
    with pytest.raises(ValueError, match="not both"):
        forecast(config, {}, NOW, extra=Decimal(1), budget=Decimal(1))
    with pytest.raises(ValueError, match="aware"):
        forecast(config, {}, NOW.replace(tzinfo=None))


# ---- properties -------------------------------------------------------------------------

KINDS = st.sampled_from(["equal_principal", "annuity", "once", "list"])


@st.composite
def configs(draw: st.DrawFn) -> str:
    lines = ["timezone: Asia/Shanghai", "currency: CNY", "loans:"]
    for index in range(draw(st.integers(1, 3))):
        kind = draw(KINDS)
        day = draw(st.integers(1, 28))
        lines.append(f"  - id: loan{index}\n    name: Loan {index}")
        if kind in ("equal_principal", "annuity"):
            principal = draw(st.integers(100, 50_000))
            count = draw(st.integers(1, 24))
            rate = draw(st.sampled_from(["0", "6%", "12%", "18%", "24%"]))
            lines.append(
                f"    plan: {{kind: {kind}, principal: {principal}, count: {count}, "
                f"first_due: 2027-01-{day:02d}, annual_rate: {rate}}}"
            )
        elif kind == "once":
            lines.append(f"    plan: {{kind: once, due: 2027-03-{day:02d}, amount: 700}}")
        else:
            amounts = draw(st.lists(st.integers(1, 5000), min_size=1, max_size=6))
            rows = ", ".join(
                f"{{due: 2027-{month + 1:02d}-{day:02d}, amount: {amount}}}"
                for month, amount in enumerate(amounts)
            )
            lines.append(f"    plan: {{kind: list, installments: [{rows}]}}")
    return "\n".join(lines) + "\n"


PAID = st.dictionaries(
    st.sampled_from(["loan0", "loan1", "loan2"]), st.integers(0, 20_000).map(Decimal)
)


@given(configs(), st.sampled_from(["avalanche", "snowball"]), PAID)
def test_with_no_extra_every_strategy_is_the_plan(
    text: str, strategy: str, paid: dict[str, Decimal]
) -> None:
    config = config_from(text)
    plan = forecast(config, paid, NOW).outcome
    other = forecast(config, paid, NOW, extra=Decimal(0), strategy=strategy).outcome
    assert (other.months, other.debt_free, other.total, other.interest) == (
        plan.months,
        plan.debt_free,
        plan.total,
        plan.interest,
    )


# Found by Hypothesis: with a fixed X on top of the shrinking dues, 1980 a month left 4.46
# for July while 1005 a month was done in June (June's big list installment, still due in
# the plan, paid it off). A month now pays the plan's dues plus X, whatever was prepaid.
ROLLOVER = """timezone: Asia/Shanghai
currency: CNY
loans:
  - id: loan0
    name: Loan 0
    plan: {kind: equal_principal, principal: 7162, count: 11, first_due: 2027-01-01}
  - id: loan1
    name: Loan 1
    plan: {kind: list, installments: [{due: 2027-01-01, amount: 1}, {due: 2027-05-01,
           amount: 856}, {due: 2027-06-01, amount: 4999}]}
  - id: loan2
    name: Loan 2
    plan: {kind: list, installments: [{due: 2027-01-01, amount: 1}, {due: 2027-04-01,
           amount: 2770}]}
"""


@given(
    configs(),
    st.sampled_from(["avalanche", "snowball"]),
    st.integers(0, 3000),
    st.integers(0, 3000),
    PAID,
)
@example(ROLLOVER, "avalanche", 1005, 975, {})
@example(TWO_LOANS, "snowball", 1, 1, {"card": Decimal(12)})  # a partly paid installment
def test_more_extra_never_makes_the_debt_free_month_later(
    text: str, strategy: str, smaller: int, more: int, paid: dict[str, Decimal]
) -> None:
    config = config_from(text)
    low = forecast(config, paid, NOW, extra=Decimal(smaller), strategy=strategy).outcome
    high = forecast(config, paid, NOW, extra=Decimal(smaller + more), strategy=strategy).outcome
    if low.debt_free is None:  # everything was paid already
        assert high.debt_free is None
        return
    assert high.debt_free is not None and high.debt_free <= low.debt_free
    if strategy == "avalanche":
        # Dearest first: paying more ahead never costs more in total. (Snowball may: it
        # ignores rates, and a little more extra can reorder which balance is smallest.)
        assert high.total <= low.total
