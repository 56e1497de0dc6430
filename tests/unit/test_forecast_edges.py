"""Edges of the forecast (SPEC §9) no other test pins: paying ahead across several
installments in one month, an installment settled early leaving the rest of its plan alone,
the last installment of an amortized plan after a payment ahead, a loan already paid off,
``--months`` on the human table, and every field of ``forecast --json``. Every expected
figure is worked out by hand in a comment."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from reminderd.commands.forecast import render
from reminderd.config import parse
from reminderd.core.forecast import Forecast, forecast, to_json
from reminderd.model import Config
from tests.support.deadline import hang_guard

JANUARY = datetime(2027, 1, 5, 4, 0, tzinfo=UTC)  # noon, 5 January 2027, in Shanghai
DECEMBER = datetime(2026, 12, 28, 4, 0, tzinfo=UTC)  # noon, 28 December 2026, in Shanghai
FEBRUARY = datetime(2027, 2, 5, 4, 0, tzinfo=UTC)  # noon, 5 February 2027, in Shanghai

HEAD = "timezone: Asia/Shanghai\ncurrency: CNY\nloans:\n"


def config_from(loans: str) -> Config:
    return parse((HEAD + loans).encode(), Path("config.yaml"))


def rows(result: Forecast) -> list[tuple[str, Decimal, Decimal, Decimal, Decimal]]:
    """(month, due, bills, ahead, balance) of each month of the outcome."""
    return [(m.month, m.due, m.bills, m.ahead, m.balance) for m in result.outcome.months]


SHOP = """  - id: shop
    name: Shop
    plan: {kind: list, installments: [{due: 2027-01-15, amount: 100},
           {due: 2027-02-15, amount: 100}, {due: 2027-03-15, amount: 100},
           {due: 2027-04-15, amount: 100}]}
"""


def test_paying_ahead_on_a_list_settles_several_installments_and_stops_at_the_extra() -> None:
    """A month's extra spread over several installments must be counted once, in full,
    and never exceed itself; else the months show more (or less) paid than the person pays."""
    result = forecast(config_from(SHOP), {}, JANUARY, extra=Decimal(150))
    # Jan: 100 due; room 150 + (plan's Jan 100 − 100 due) = 150: February's 100 settled,
    #      then 50 of March's 100. Owed after: March's 50 + April's 100 = 150.
    # Feb: nothing due (settled); room 150 + (plan's Feb 100 − 0) = 250, but only 150 is
    #      owed: March's last 50 and April's 100. Debt-free in February.
    assert rows(result) == [
        ("2027-01", Decimal(100), Decimal(0), Decimal(150), Decimal(150)),
        ("2027-02", Decimal(0), Decimal(0), Decimal(150), Decimal(0)),
    ]
    assert result.outcome.debt_free == "2027-02"
    assert result.outcome.total == Decimal(400)  # 100 + 150 + 150: the list's 4 × 100


BANK_AND_RENT = """  - id: bank
    name: Bank
    plan: {kind: annuity, principal: 3000, count: 3, first_due: 2027-01-15, annual_rate: 12%}
  - id: rent
    name: Rent
    plan: {kind: recurring, amount: 1000, first_due: 2027-01-01, count: 12, ongoing: true}
"""


def test_settling_an_installment_early_leaves_the_rest_of_an_annuity_as_planned() -> None:
    """Paying exactly what is left of the next installment ahead must not re-level the later
    ones: the reminders and the forecast would disagree on what February asks."""
    config = config_from(BANK_AND_RENT)
    # Annuity, r = 1% a month: A = 3000 × 0.01 × 1.01³ / (1.01³ − 1) = 1020.066… → 1020.07.
    # Plan: Jan interest 30.00, part 990.07, left 2009.93; Feb re-levelled by the plan to
    # 1020.06 (2009.93 over 2 levels at 1020.0645), left 1009.97; Mar 1020.07, left 0.
    # 20.07 paid: January's installment has 1000.00 left.
    # Budget 1000, rent 1000 a month from 1 January:
    # Dec: nothing due, no rent yet: 1000 ahead settles January's 1000.00 exactly, nothing
    #      on the principal (2009.93 after January's row, as the plan has it).
    # Jan: nothing due (settled), rent 1000: 1000 − 0 − 1000 leaves nothing ahead.
    # Feb, Mar: the plan's own 1020.06 and 1020.07 (a replay at the first level 1020.07
    #      would give Feb 20.10 + 999.97 = 1020.07 and Mar 1009.96 + 10.10 = 1020.06).
    result = forecast(config, {"bank": Decimal("20.07")}, DECEMBER, budget=Decimal(1000))
    assert rows(result) == [
        ("2026-12", Decimal(0), Decimal(0), Decimal(1000), Decimal("2009.93")),
        ("2027-01", Decimal(0), Decimal(1000), Decimal(0), Decimal("2009.93")),
        ("2027-02", Decimal("1020.06"), Decimal(1000), Decimal(0), Decimal("1009.97")),
        ("2027-03", Decimal("1020.07"), Decimal(1000), Decimal(0), Decimal(0)),
    ]
    assert result.outcome.debt_free == "2027-03"
    # 1000 + 1020.06 + 1020.07 = 3040.13, the plan's 3060.20 less the 20.07 paid.
    assert result.outcome.total == Decimal("3040.13")
    # January's installment was paid as the plan has it, its 30.00 of interest included:
    # 30.00 + 2009.93 × 1% = 20.10 + 1009.97 × 1% = 10.10 → 60.20, the plan's own interest.
    # (It was 30.20: an installment settled ahead lost its interest, and the comparison with
    # the plan claimed 30.00 saved by paying January 18 days early.)
    assert result.outcome.interest == Decimal("60.20")
    assert result.baseline is not None and result.baseline.interest == Decimal("60.20")


LEVEL_ROUNDED_DOWN = """  - id: loan
    name: Loan
    plan: {kind: equal_principal, principal: 700.03, count: 7, first_due: 2027-02-15,
           annual_rate: 0}
  - id: phone
    name: Phone
    plan: {kind: once, due: 2027-01-15, amount: 100}
  - id: gym
    name: Gym
    plan: {kind: recurring, amount: 50, first_due: 2027-03-01, count: 12, ongoing: true}
"""


def test_the_last_installment_takes_all_that_is_left_after_payments_ahead() -> None:
    """After paying ahead (twice), the last installment must still clear the loan; else a few
    cents stay owed after the month the forecast calls debt-free."""
    # Part 700.03 / 7 = 100.0043 → 100.00; the plan's last (August) takes the rest: 100.03.
    # Budget 100.01, the gym's 50 a month from March:
    # Jan: the phone's 100 due: 0.01 ahead on the loan: 700.02; replayed: Feb..Jul 100.00,
    #      August the last, all that is left: 100.02.
    # Feb: 100 due: 0.01 ahead again: 600.01; replayed again: Mar..Jul 100.00, Aug 100.01.
    # Mar..Jul: 100 due and the gym's 50 leave nothing of 100.01 to pay ahead.
    # Aug: 100.01. Paid 100 + 0.01 + 100 + 0.01 + 5 × 100 + 100.01 = 800.03 = 700.03 + 100.
    config = config_from(LEVEL_ROUNDED_DOWN)
    result = forecast(config, {}, JANUARY, budget=Decimal("100.01"))
    zero, cent, hundred, gym = Decimal(0), Decimal("0.01"), Decimal(100), Decimal(50)
    assert rows(result) == [
        ("2027-01", hundred, zero, cent, Decimal("700.02")),
        ("2027-02", hundred, zero, cent, Decimal("600.01")),
        ("2027-03", hundred, gym, zero, Decimal("500.01")),
        ("2027-04", hundred, gym, zero, Decimal("400.01")),
        ("2027-05", hundred, gym, zero, Decimal("300.01")),
        ("2027-06", hundred, gym, zero, Decimal("200.01")),
        ("2027-07", hundred, gym, zero, Decimal("100.01")),
        ("2027-08", Decimal("100.01"), gym, zero, zero),
    ]
    assert result.outcome.debt_free == "2027-08"
    assert result.outcome.total == Decimal("800.03")


WALLET = """  - id: wallet
    name: Wallet
    plan: {kind: equal_principal, principal: 900, count: 3, first_due: 2027-01-20,
           annual_rate: 0}
"""

RENT_FROM_FEBRUARY = """  - id: rent
    name: Rent
    plan: {kind: recurring, amount: 600, first_due: 2027-02-01, count: 12, ongoing: true}
"""


def test_a_remainder_under_one_unit_is_still_an_installment_after_paying_ahead() -> None:
    """Fifty fen left after a payment ahead is still owed and still falls due; dropping it
    would call the person debt-free a month early while the balance says 0.50."""
    config = config_from(WALLET + RENT_FROM_FEBRUARY)
    # Wallet: 300 a month, Jan 20, Feb 20, Mar 20. Budget 599.50:
    # Jan: 300 due, no rent yet: 599.50 − 300 = 299.50 ahead: principal 600 → 300.50;
    #      replayed: Feb 300 (left 0.50), Mar the last 0.50.
    # Feb: 300 due, rent 600: 599.50 − 900 < 0, nothing ahead; 0.50 left.
    # Mar: 0.50 due, rent 600; debt-free in March. Paid 300 + 299.50 + 300 + 0.50 = 900.
    result = forecast(config, {}, JANUARY, budget=Decimal("599.50"))
    zero = Decimal(0)
    assert rows(result) == [
        ("2027-01", Decimal(300), zero, Decimal("299.50"), Decimal("300.50")),
        ("2027-02", Decimal(300), Decimal(600), zero, Decimal("0.50")),
        ("2027-03", Decimal("0.50"), Decimal(600), zero, zero),
    ]
    assert result.outcome.debt_free == "2027-03"
    assert result.outcome.total == Decimal(900)


def test_a_principal_under_one_unit_is_paid_ahead_and_the_forecast_finishes() -> None:
    """A principal of 0.50 left must take the extra like any other; a forecast that skips it
    keeps choosing the same debt and never returns."""
    # Extra 299.50. Jan: 300 due; room 299.50 + (plan's 300 − 300) = 299.50 ahead:
    # principal 600 → 300.50; replayed: Feb 300 (left 0.50), Mar 0.50.
    # Feb: 300 due, principal 0.50; room 299.50 + (300 − 300) = 299.50: 0.50 of it ahead,
    # and nothing is left: debt-free in February. Paid 300 + 299.50 + 300 + 0.50 = 900.
    with hang_guard(10, "the forecast"):
        result = forecast(config_from(WALLET), {}, JANUARY, extra=Decimal("299.50"))
    zero = Decimal(0)
    assert rows(result) == [
        ("2027-01", Decimal(300), zero, Decimal("299.50"), Decimal("300.50")),
        ("2027-02", Decimal(300), zero, Decimal("0.50"), zero),
    ]
    assert result.outcome.debt_free == "2027-02"
    assert result.outcome.total == Decimal(900)


CARD = """  - id: card
    name: Card
    plan: {kind: equal_principal, principal: 1200, count: 3, first_due: 2027-01-15,
           annual_rate: 12%}
"""


def test_a_loan_already_paid_off_takes_no_extra_even_at_the_highest_rate() -> None:
    """Avalanche must skip a paid-off loan, dear as it was; else the extra goes nowhere and
    the debt still open is not paid ahead."""
    # Card 1200 at 12%: 412 + 408 + 404 = 1224, all paid. Wallet 900 at 0%, 300 a month.
    # Jan: wallet 300 due; 300 extra ahead on the wallet (the card owes nothing): 600 → 300;
    #      replayed: Feb 300, the last. Feb: 300 due, nothing left to pay ahead.
    result = forecast(
        config_from(CARD + WALLET), {"card": Decimal(1224)}, JANUARY, extra=Decimal(300)
    )
    zero = Decimal(0)
    assert rows(result) == [
        ("2027-01", Decimal(300), zero, Decimal(300), Decimal(300)),
        ("2027-02", Decimal(300), zero, zero, zero),
    ]
    assert (result.outcome.debt_free, result.outcome.total) == ("2027-02", Decimal(900))
    assert result.outcome.interest == 0  # the card's interest was paid with it
    assert result.baseline is not None
    assert (result.baseline.debt_free, result.baseline.total) == ("2027-03", Decimal(900))


def test_months_limits_the_rows_printed_never_the_debt_free_month_nor_the_totals() -> None:
    """``--months 1`` shows one row and says how many more there are; the debt-free month and
    totals still cover the whole horizon, or the person would read a wrong end date."""
    # Card: 400 a part, 1% a month on 1200, 800, 400: 412, 408, 404; wallet 300 a month.
    # Jan: 412 + 300 = 712, balance 2100 − 700 = 1400. Total 2100 + 24 = 2124, interest 24.
    result = forecast(config_from(CARD + WALLET), {}, JANUARY)
    assert "\n".join(render(result, "en", 1)).splitlines() == [
        "Forecast in CNY: the plan",
        "",
        "month           due    ahead      balance",
        "Jan 2027  CN¥712.00  CN¥0.00  CN¥1,400.00",
        "… 2 more months (all of them: without --months)",
        "",
        "Debt-free in Mar 2027.",
        "Still to pay: CN¥2,124.00, of which interest CN¥24.00.",
    ]
    # --months 3 covers the whole horizon: every row, and no "more months" line.
    # Feb: 408 + 300 = 708, balance 1400 − 700 = 700; Mar: 404 + 300 = 704, balance 0.
    assert "\n".join(render(result, "en", 3)).splitlines() == [
        "Forecast in CNY: the plan",
        "",
        "month           due    ahead      balance",
        "Jan 2027  CN¥712.00  CN¥0.00  CN¥1,400.00",
        "Feb 2027  CN¥708.00  CN¥0.00    CN¥700.00",
        "Mar 2027  CN¥704.00  CN¥0.00      CN¥0.00",
        "",
        "Debt-free in Mar 2027.",
        "Still to pay: CN¥2,124.00, of which interest CN¥24.00.",
    ]


ABROAD = """  - id: abroad
    name: Abroad
    currency: USD
    plan: {kind: once, due: 2027-03-01, amount: 50}
  - id: rent
    name: Rent
    plan: {kind: recurring, amount: 100, first_due: 2027-01-01, count: 3, ongoing: true}
"""


def test_forecast_json_carries_every_field_of_spec_9() -> None:
    """Scripts read ``forecast --json``: each field must hold its own figure, the budget,
    the interest and what is overdue included."""
    config = config_from(CARD + WALLET + ABROAD)
    # 5 February, nothing paid. January's card 412 (1% on 1200 + 400) and wallet 300 are
    # overdue: 712, and they fall in February with February's card 408 and wallet 300:
    # due 1420. Rent 100 a month (a bill): January's, unpaid, and February's: 200.
    # Budget 2000: 2000 − 1420 − 200 = 380 ahead; avalanche: the card (12%) first, its
    # principal after February 400 → 20. Balance 20 + the wallet's March 300 = 320.
    # Mar: card 20 × 1% = 0.20 + the last part 20 = 20.20, wallet 300: due 320.20; rent 100.
    # Total 1420 + 380 + 320.20 = 2120.20; interest 12 + 8 + 0.20 = 20.20.
    # The plan: Feb 1420, Mar 404 + 300 = 704: total 2124, interest 12 + 8 + 4 = 24.
    result = forecast(config, {}, FEBRUARY, budget=Decimal(2000))
    assert to_json(result) == {
        "currency": "CNY",
        "strategy": "avalanche",
        "extra": None,
        "budget": "2000.00",
        "months": [
            {"month": "2027-02", "due": "1420.00", "bills": "200.00", "ahead": "380.00",
             "balance": "320.00"},
            {"month": "2027-03", "due": "320.20", "bills": "100.00", "ahead": "0.00",
             "balance": "0.00"},
        ],
        "debt_free": "2027-03",
        "total": "2120.20",
        "interest": "20.20",
        "overdue": "712.00",
        "ongoing": ["rent"],
        "apart": ["abroad"],
        "baseline": {"debt_free": "2027-03", "total": "2124.00", "interest": "24.00"},
    }  # fmt: skip


def test_the_overdue_figure_is_what_is_left_of_late_installments_after_payments() -> None:
    """A person who paid part of a late installment must see what is still late, not the
    whole installment again."""
    config = config_from(SHOP)
    # Shop: 100 due 01-15 and 02-15 (both late on 02-20), 30 paid: allocated oldest first,
    # January has 70 left, February 100: 170 overdue (not 200).
    late = datetime(2027, 2, 20, 4, 0, tzinfo=UTC)  # noon, 20 February, in Shanghai
    result = forecast(config, {"shop": Decimal(30)}, late)
    assert result.overdue == Decimal(170)
    assert to_json(result)["overdue"] == "170.00"
