"""The forecast (SPEC §9), a pure function of (config, paid, now): worked examples checked by
hand, and the properties every strategy keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from reminderd.config import parse
from reminderd.core.forecast import forecast, to_json
from reminderd.model import Config
from reminderd.standing import Paid

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


def test_a_budget_leaves_the_months_bills_paid_before_paying_ahead() -> None:
    # The same two loans and a rent of 200 a month (a bill, `ongoing: true`) with a budget
    # of 1200: each month's bills come out of it first, so 1200 - 200 leaves what the budget
    # of 1000 left above, month by month: Jan 1000 - 712 = 288 ahead, Feb 1000 - 705.12
    # = 294.88 ahead, Mar 117.12 due and nothing ahead (the debts are done).
    rent = """  - id: rent
    name: Rent
    plan: {kind: recurring, amount: 200, first_due: 2027-01-01, count: 24, ongoing: true}
"""
    result = forecast(config_from(TWO_LOANS + rent), {}, NOW, budget=Decimal(1200))
    months = [(m.month, m.due, m.bills, m.ahead) for m in result.outcome.months]
    assert months == [
        ("2027-01", Decimal("712.00"), Decimal(200), Decimal("288.00")),
        ("2027-02", Decimal("705.12"), Decimal(200), Decimal("294.88")),
        ("2027-03", Decimal("117.12"), Decimal(200), Decimal("0")),
    ]
    assert result.outcome.debt_free == "2027-03"


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


# ---- renegotiated loans (SPEC §8 meets §9) ------------------------------------------------

RENEGOTIATED = """
timezone: Asia/Shanghai
currency: CNY
loans:
  - id: wallet
    name: Wallet
    plan: {kind: equal_principal, principal: 1200, count: 6, first_due: 2027-01-15,
           annual_rate: 12%}
    renegotiated:
      - on: 2027-04-01
        note: "停息挂账: the rest of the principal over 5 months at 0%"
        plan: {kind: equal_principal, principal: 1000, count: 5, first_due: 2027-04-15,
               annual_rate: 0}
"""
AFTER_AGREEMENT = datetime(2027, 4, 10, 4, 0, tzinfo=UTC)  # noon, 10 April 2027, Shanghai


def dated(*payments: tuple[str, str]) -> Paid:
    return Paid(
        {"wallet": [(date.fromisoformat(day), Decimal(amount)) for day, amount in payments]}
    )


def test_a_renegotiated_loan_ends_and_totals_as_the_new_plan_says() -> None:
    # Version 1: parts 200, 1% a month on 1200, 1000, 800, 600, 400, 200 → 212, 210, 208, 206,
    # 204, 202 due the 15th of Jan..Jun. 212 paid on 15 Jan settles #1; Feb and Mar missed.
    # On 1 April the 停息挂账 agreement: #2 and #3 (due before it, unsettled) are rolled into
    # it, #4..#6 (due from 15 April) superseded. Version 2: 1000 / 5 = 200 each, 0%, due
    # 15 Apr..15 Aug. Nothing of version 1 is a due any more, nothing is overdue (rolled).
    config = config_from(RENEGOTIATED)
    result = forecast(config, dated(("2027-01-15", "212")), AFTER_AGREEMENT)
    months = [(m.month, m.due, m.balance) for m in result.outcome.months]
    assert months == [
        ("2027-04", Decimal("200"), Decimal("800")),
        ("2027-05", Decimal("200"), Decimal("600")),
        ("2027-06", Decimal("200"), Decimal("400")),
        ("2027-07", Decimal("200"), Decimal("200")),
        ("2027-08", Decimal("200"), Decimal("0")),
    ]
    assert result.outcome.debt_free == "2027-08"
    assert result.outcome.total == Decimal("1000")  # 5 × 200, no interest at 0%
    assert result.outcome.interest == 0
    assert result.overdue == 0  # rolled into the agreement, not overdue


def test_the_same_loan_without_the_agreement_would_end_sooner_and_owe_interest() -> None:
    # The contrast that shows the agreement is what counts above: without it, on 10 April #2
    # (210) and #3 (208) are overdue and fall in April with #4 (206): 624; May 204, Jun 202.
    # Total 624 + 204 + 202 = 1030, of which interest 10 + 8 + 6 + 4 + 2 = 30.
    config = config_from(RENEGOTIATED.split("    renegotiated:")[0])
    result = forecast(config, dated(("2027-01-15", "212")), AFTER_AGREEMENT)
    assert [(m.month, m.due) for m in result.outcome.months] == [
        ("2027-04", Decimal("624.00")),
        ("2027-05", Decimal("204.00")),
        ("2027-06", Decimal("202.00")),
    ]
    assert (result.outcome.debt_free, result.outcome.total) == ("2027-06", Decimal("1030.00"))
    assert result.outcome.interest == Decimal("30.00")
    assert result.overdue == Decimal("418.00")  # 210 + 208


def test_a_payment_after_the_agreement_counts_in_the_version_in_force() -> None:
    # 300 paid on 5 April (version 2 in force): #1 of version 2 (200) settled, 100 of #2.
    # Had it gone to version 1 (oldest first), it would settle rolled #2 (210) and part of #3.
    config = config_from(RENEGOTIATED)
    paid = dated(("2027-01-15", "212"), ("2027-04-05", "300"))
    result = forecast(config, paid, AFTER_AGREEMENT)
    # April: nothing left due (its 200 paid); balance 1000 − 300 = 700; May: #2's 100 left.
    months = [(m.month, m.due, m.balance) for m in result.outcome.months]
    assert months == [
        ("2027-04", Decimal("0"), Decimal("700")),
        ("2027-05", Decimal("100"), Decimal("600")),
        ("2027-06", Decimal("200"), Decimal("400")),
        ("2027-07", Decimal("200"), Decimal("200")),
        ("2027-08", Decimal("200"), Decimal("0")),
    ]
    assert result.outcome.total == Decimal("700")


def test_paying_ahead_on_a_renegotiated_loan_replays_the_plan_in_force() -> None:
    # Same payments, 100 extra a month. The plan in force is version 2 (0%, level 200); had
    # the replay used version 1 (12%), every replayed row would carry interest.
    #   Apr: due 0; 100 ahead settles #2's last 100 → balance 600.
    #   May: due 0 (#2 gone); room 100 + plan's May 100 = 200 ahead → principal 400;
    #        replay: #3 Jun 200, #4 Jul 200. Balance 400.
    #   Jun: due 200 → 200 left; room 100 + (200 − 200) = 100 ahead → 100: Jul 100.
    #   Jul: due 100; debt-free. Total 100 + 200 + 300 + 100 = 700; interest 0.
    config = config_from(RENEGOTIATED)
    paid = dated(("2027-01-15", "212"), ("2027-04-05", "300"))
    result = forecast(config, paid, AFTER_AGREEMENT, extra=Decimal(100))
    months = [(m.month, m.due, m.ahead, m.balance) for m in result.outcome.months]
    assert months == [
        ("2027-04", Decimal("0"), Decimal("100"), Decimal("600")),
        ("2027-05", Decimal("0"), Decimal("200"), Decimal("400")),
        ("2027-06", Decimal("200"), Decimal("100"), Decimal("100")),
        ("2027-07", Decimal("100"), Decimal("0"), Decimal("0")),
    ]
    assert result.outcome.debt_free == "2027-07"
    assert result.baseline is not None and result.baseline.debt_free == "2027-08"
    assert (result.outcome.total, result.outcome.interest) == (Decimal("700"), 0)


OVERDUE_TERMS = """
timezone: Asia/Shanghai
currency: CNY
loans:
  - id: card
    name: Card
    plan: {kind: equal_principal, principal: 1200, count: 3, first_due: 2027-01-15,
           annual_rate: 12%}
    overdue: {daily_rate: "0.05%", fee: 50, grace: 3d}
  - id: shop
    name: Shop
    plan: {kind: once, due: 2027-01-30, amount: 100}
    overdue: {daily_rate: "0.1%", fee: 0, grace: 0d}
  - id: abroad
    name: Abroad
    currency: USD
    plan: {kind: once, due: 2027-01-01, amount: 100}
    overdue: {daily_rate: "1%", fee: 5, grace: 0d}
"""


def test_the_forecast_overdue_cost_is_the_cost_so_far_over_its_debts() -> None:
    # 5 February 2027, nothing paid.
    # card #1 (412, due 15 Jan, grace 3 days): days 19 Jan..5 Feb = 13 + 5 = 18;
    #   412 × 0.0005 × 18 = 3.708; fee 50 (unpaid at the end of 18 Jan).
    # shop (100, due 30 Jan, no grace): days 31 Jan..5 Feb = 6; 100 × 0.001 × 6 = 0.60.
    # abroad is in USD: listed apart, not in the CNY figure.
    # Cost so far: round(3.708) 3.71 + 50 + 0.60 = 54.31.
    # One more day: card 412 × 0.0005 × 19 = 3.914 → 3.91, +0.20; shop 0.70, +0.10 → 0.30.
    from reminderd.commands.forecast import overdue_cost, overdue_figures

    config = config_from(OVERDUE_TERMS)
    now = datetime(2027, 2, 5, 4, 0, tzinfo=UTC)
    assert overdue_figures(config, Paid({}), now) == (Decimal("54.31"), Decimal("0.30"))
    assert overdue_cost(config, Paid({}), now) == Decimal("54.31")
    # Paid 412 on 20 Jan: card's penalty ran 19 and 20 Jan only (payments dated before d):
    # 412 × 0.0005 × 2 = 0.412 → 0.41; the fee stays (unpaid after the grace); and being
    # settled, no more per day. 0.41 + 50 + 0.60 = 51.01; per day only shop's 0.10.
    paid = Paid({"card": [(date(2027, 1, 20), Decimal("412.00"))]})
    assert overdue_figures(config, paid, now) == (Decimal("51.01"), Decimal("0.10"))


# ---- properties with agreements -----------------------------------------------------------

AGREED_ON = st.sampled_from(["2026-12-10", "2027-01-01", "2027-01-05", "2027-01-06", "2027-02-10"])


@st.composite
def renegotiated_configs(draw: st.DrawFn) -> str:
    """:func:`configs`, each loan with or without one agreement (in the past, today or ahead
    of NOW), whose plan starts on or after its ``on``."""
    text = draw(configs())
    lines = text.splitlines()
    out: list[str] = []
    for line in lines:
        out.append(line)
        if not line.startswith("    plan:") or not draw(st.booleans()):
            continue
        on = date.fromisoformat(draw(AGREED_ON))
        first = on + timedelta(days=draw(st.integers(0, 40)))
        kind = draw(st.sampled_from(["equal_principal", "annuity", "list"]))
        if kind == "list":
            amounts = draw(st.lists(st.integers(1, 3000), min_size=1, max_size=4))
            rows = ", ".join(
                f"{{due: {first + timedelta(days=30 * k)}, amount: {amount}}}"
                for k, amount in enumerate(amounts)
            )
            plan = f"{{kind: list, installments: [{rows}]}}"
        else:
            principal = draw(st.integers(100, 20_000))
            count = draw(st.integers(1, 12))
            rate = draw(st.sampled_from(["0", "12%"]))
            plan = (
                f"{{kind: {kind}, principal: {principal}, count: {count}, first_due: {first},"
                f" annual_rate: {rate}}}"
            )
        out.append(f"    renegotiated:\n      - on: {on}\n        plan: {plan}")
    return "\n".join(out) + "\n"


@st.composite
def dated_paid(draw: st.DrawFn) -> Paid:
    rows: dict[str, list[tuple[date, Decimal]]] = {}
    for _ in range(draw(st.integers(0, 5))):
        loan = draw(st.sampled_from(["loan0", "loan1", "loan2"]))
        day = date(2026, 11, 1) + timedelta(days=draw(st.integers(0, 65)))  # to 5 Jan 2027
        rows.setdefault(loan, []).append((day, Decimal(draw(st.integers(1, 8000)))))
    return Paid({loan: sorted(items) for loan, items in rows.items()})


@given(renegotiated_configs(), dated_paid())
def test_the_plan_total_is_what_status_says_is_outstanding(text: str, paid: Paid) -> None:
    # The forecast and `status` read one standing: what the plan still asks is the sum of
    # the debts' outstanding (superseded and rolled installments in neither).
    from reminderd.accounts import status_report

    config = config_from(text)
    result = forecast(config, paid, NOW)
    rows = status_report(config, paid, NOW)["loans"]
    assert result.outcome.total == sum((Decimal(row["outstanding"]) for row in rows), Decimal(0))


@given(
    renegotiated_configs(),
    st.sampled_from(["avalanche", "snowball"]),
    st.integers(0, 3000),
    st.integers(0, 3000),
    dated_paid(),
)
def test_with_agreements_no_extra_is_the_plan_and_more_never_ends_later(
    text: str, strategy: str, smaller: int, more: int, paid: Paid
) -> None:
    config = config_from(text)
    plan = forecast(config, paid, NOW).outcome
    none = forecast(config, paid, NOW, extra=Decimal(0), strategy=strategy).outcome
    assert (none.months, none.debt_free, none.total) == (plan.months, plan.debt_free, plan.total)
    low = forecast(config, paid, NOW, extra=Decimal(smaller), strategy=strategy).outcome
    high = forecast(config, paid, NOW, extra=Decimal(smaller + more), strategy=strategy).outcome
    if low.debt_free is None:
        assert high.debt_free is None
        return
    assert high.debt_free is not None and high.debt_free <= low.debt_free
