"""Plans: amounts add up, dates step from first_due, month ends, holidays and make-up days."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminderd import money, plans
from reminderd.config import parse as config_parse
from reminderd.durations import Step
from reminderd.errors import ConfigError
from reminderd.model import DueSpec, Plan
from tests.support.profiles import examples
from tests.unit.conftest import make_loan, one_loan, parse_fixture

CURRENCIES = ["CNY", "USD", "EUR", "JPY", "KRW", "KWD"]
PERIODS_PER_YEAR = {"month": 12, "year": 1, "week": 52, "day": 365}


def _round_half_up(value: Fraction, places: int) -> Decimal:
    """Round an exact fraction half-up to ``places`` decimals, without Decimal arithmetic."""
    scaled = value * 10**places
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-places)


@st.composite
def amortized_plans(draw: st.DrawFn, kind: str) -> tuple[Plan, str]:
    currency = draw(st.sampled_from(CURRENCIES))
    places = money.minor_units(currency)
    count = draw(st.integers(min_value=1, max_value=120))
    # The config refuses less than one minor unit per installment; anything from there up.
    minor = draw(st.integers(min_value=count, max_value=10**9))
    principal = Decimal(minor).scaleb(-places)
    rate = Decimal(draw(st.integers(min_value=0, max_value=3600))).scaleb(-4)  # 0 .. 36%
    unit = draw(st.sampled_from(["month", "year", "week", "day"]))
    step = Step(draw(st.integers(min_value=1, max_value=3)), unit)
    first = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2150, 12, 31)))
    plan = Plan(
        kind=kind,
        principal=principal,
        count=count,
        first_due=DueSpec(first),
        every=step,
        annual_rate=rate,
    )
    return plan, currency


@pytest.mark.parametrize("kind", ["equal_principal", "annuity"])
@settings(max_examples=examples(300), deadline=None)
@given(data=st.data())
def test_installments_amortized_random_plan_keeps_every_invariant(
    kind: str, data: st.DataObject
) -> None:
    plan, currency = data.draw(amortized_plans(kind))
    rows = plans.installments(make_loan(plan, currency=currency))
    places = money.minor_units(currency)
    quantum = money.quantum(currency)
    periods = Fraction(PERIODS_PER_YEAR[plan.every.unit], plan.every.count)

    assert len(rows) == plan.count
    assert [row.number for row in rows] == list(range(1, plan.count + 1))
    # The principal parts add up to the principal exactly.
    assert sum(row.principal for row in rows) == plan.principal
    # Dates strictly increase (no adjust).
    assert all(a.due < b.due for a, b in zip(rows, rows[1:], strict=False))
    assert rows[0].due == plan.first_due.day
    outstanding = plan.principal
    for row in rows:
        for amount in (row.amount, row.principal, row.interest, row.balance_after):
            assert amount == amount.quantize(quantum)
        assert row.amount == row.principal + row.interest
        # Interest on the outstanding balance, computed here with exact fractions.
        expected = _round_half_up(
            Fraction(outstanding) * Fraction(plan.annual_rate) / periods, places
        )
        assert row.interest == expected
        assert row.principal >= 0
        assert row.amount > 0  # at least one minor unit per installment, so none is free
        outstanding -= row.principal
        assert row.balance_after == outstanding
    assert rows[-1].balance_after == 0
    balances = [row.balance_after for row in rows]
    assert balances == sorted(balances, reverse=True)
    if kind == "annuity":
        _assert_annuity_payments_stay_level(rows, plan, quantum)
    else:
        assert len({row.principal for row in rows[:-1]}) <= 1


def _exact_level_payment(balance: Fraction, rate: Fraction, count: int) -> Fraction:
    """B × r × (1 + r)^n / ((1 + r)^n − 1), or B / n at 0%, as an exact fraction."""
    if rate == 0:
        return balance / count
    growth = (1 + rate) ** count
    return balance * rate * growth / (growth - 1)


def _assert_annuity_payments_stay_level(rows: tuple, plan: Plan, quantum: Decimal) -> None:
    """Every installment but the last is within half a minor unit of the exact level payment
    for what was then outstanding over the installments then left (computed here with exact
    fractions), and it changes only when the one before is no longer that close; the last is
    within 2 + r minor units of the one before it (it is within ½ of B(1 + r), which moved
    at most (½ + ½)(1 + r) from the payment before, itself within ½)."""
    rate = Fraction(plan.annual_rate) * plan.every.count / PERIODS_PER_YEAR[plan.every.unit]
    half = Fraction(quantum) / 2
    outstanding = Fraction(plan.principal)
    previous = None
    for index, row in enumerate(rows[:-1]):
        exact = _exact_level_payment(outstanding, rate, plan.count - index)
        assert abs(Fraction(row.amount) - exact) <= half, (index, row.amount, float(exact))
        if previous is not None and abs(Fraction(previous) - exact) < half * (
            1 - Fraction(1, 10**9)
        ):
            assert row.amount == previous, (index, previous, row.amount, float(exact))
        previous = row.amount
        outstanding -= Fraction(row.principal)
    if previous is not None:
        assert abs(Fraction(rows[-1].amount - previous)) <= (2 + rate) * Fraction(quantum)


@settings(max_examples=examples(200), deadline=None)
@given(
    first=st.dates(min_value=date(1990, 1, 1), max_value=date(2150, 12, 31)),
    months=st.integers(min_value=1, max_value=12),
    count=st.integers(min_value=1, max_value=60),
)
def test_step_dates_months_count_from_first_due_and_clamp_to_month_end(
    first: date, months: int, count: int
) -> None:
    stepped = plans.step_dates(first, Step(months, "month"))
    dates = [next(stepped) for _ in range(count)]

    for index, day in enumerate(dates):
        # k steps of N months from first_due: the month index moves by exactly k × N ...
        assert (day.year * 12 + day.month) - (first.year * 12 + first.month) == index * months
        # ... and the day is first_due's own day, or (a shorter month) the month's last day,
        # which is before first_due's day: the next day is in another month.
        assert day.day == first.day or (
            day.day < first.day and (day + timedelta(days=1)).month != day.month
        )


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        (
            "2027-01-31",
            ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31", "2027-06-30"],
        ),
        (
            "2027-01-30",
            ["2027-01-30", "2027-02-28", "2027-03-30", "2027-04-30", "2027-05-30", "2027-06-30"],
        ),
        (
            "2028-01-29",
            ["2028-01-29", "2028-02-29", "2028-03-29", "2028-04-29", "2028-05-29", "2028-06-29"],
        ),
        (
            "2027-01-29",
            ["2027-01-29", "2027-02-28", "2027-03-29", "2027-04-29", "2027-05-29", "2027-06-29"],
        ),
        (
            "2028-01-31",
            ["2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30", "2028-05-31", "2028-06-30"],
        ),
        (
            "2027-08-31",
            ["2027-08-31", "2027-09-30", "2027-10-31", "2027-11-30", "2027-12-31", "2028-01-31"],
        ),
    ],
)
def test_installments_monthly_plan_from_month_end_returns_to_its_day(
    first: str, expected: list[str]
) -> None:
    loan = one_loan(f"{{kind: recurring, amount: 10, count: 6, first_due: {first}}}")

    assert [row.due.isoformat() for row in plans.installments(loan)] == expected


def test_installments_yearly_plan_from_leap_day_falls_on_28th_until_next_leap_year() -> None:
    loan = one_loan("{kind: recurring, amount: 10, count: 5, first_due: 2028-02-29, every: 1 year}")

    assert [row.due.isoformat() for row in plans.installments(loan)] == [
        "2028-02-29",
        "2029-02-28",
        "2030-02-28",
        "2031-02-28",
        "2032-02-29",
    ]


def test_installments_recurring_until_includes_the_until_date() -> None:
    loan = one_loan("{kind: recurring, amount: 300, first_due: 2026-12-05, until: 2027-06-05}")

    rows = plans.installments(loan)

    assert [row.due.isoformat() for row in rows] == [
        "2026-12-05",
        "2027-01-05",
        "2027-02-05",
        "2027-03-05",
        "2027-04-05",
        "2027-05-05",
        "2027-06-05",
    ]
    assert rows[0].of is None


def test_installments_jpy_equal_principal_last_absorbs_the_rounding() -> None:
    (loan,) = parse_fixture("jpy_equal_principal.yaml").loans

    rows = plans.installments(loan)

    # 100000 / 3 = 33333.33…: two parts of 33333, the last 100000 - 66666 = 33334.
    assert [row.amount for row in rows] == [Decimal(33333), Decimal(33333), Decimal(33334)]
    assert [row.balance_after for row in rows] == [Decimal(66667), Decimal(33334), Decimal(0)]
    assert [row.due.isoformat() for row in rows] == ["2027-01-31", "2027-02-28", "2027-03-31"]


def test_installments_jpy_annuity_worked_by_hand() -> None:
    loan = one_loan(
        "{kind: annuity, principal: 100000, count: 3, first_due: 2027-01-31, annual_rate: 12%}",
        top="currency: JPY\n",
    )

    rows = plans.installments(loan)

    # Monthly rate 1%: payment = 100000 × 0.01 × 1.01³ / (1.01³ − 1) = 34002.21… → 34002.
    # Interest 1000; 66998 × 1% = 669.98 → 670; 33666 × 1% = 336.66 → 337.
    assert [(r.amount, r.principal, r.interest) for r in rows] == [
        (Decimal(34002), Decimal(33002), Decimal(1000)),
        (Decimal(34002), Decimal(33332), Decimal(670)),
        (Decimal(34003), Decimal(33666), Decimal(337)),
    ]


@pytest.mark.parametrize("kind", ["equal_principal", "annuity"])
def test_installments_interest_rounds_the_exact_fraction_half_up(kind: str) -> None:
    loan = one_loan(
        f"{{kind: {kind}, principal: 60, count: 1, first_due: 2027-01-15, annual_rate: 1.3%}}"
    )

    (row,) = plans.installments(loan)

    # 60 × 0.013 / 12 = 0.78 / 12 = 0.065 exactly → half-up 0.07 (a rate cut to 28 digits
    # first, 0.0010833…3, gave 0.0649…96 → 0.06).
    assert (row.amount, row.interest) == (Decimal("60.07"), Decimal("0.07"))


def test_period_interest_ties_round_away_from_zero_at_each_minor_unit() -> None:
    # 1 × 0.078 / 12 = 0.0065 → 0.01 (CNY, a tie: up); 100 × 0.06 / 12 = 0.5 → 1 (JPY tie,
    # up); 50 × 0.06 / 12 = 0.25 → 0 (JPY); 1 × 0.0006 / 12 = 0.00005 → 0.000 (KWD, 3 places).
    month = Step(1, "month")
    assert plans.period_interest(Decimal(1), Decimal("0.078"), month, "CNY") == Decimal("0.01")
    assert plans.period_interest(Decimal(100), Decimal("0.06"), month, "JPY") == Decimal(1)
    assert plans.period_interest(Decimal(50), Decimal("0.06"), month, "JPY") == Decimal(0)
    assert plans.period_interest(Decimal(1), Decimal("0.0006"), month, "KWD") == Decimal("0.000")
    # Weekly: 5200 × 0.1 / 52 = 10 exactly; 2 weeks: 20.
    assert plans.period_interest(Decimal(5200), Decimal("0.1"), Step(2, "week"), "CNY") == (
        Decimal("20.00")
    )
    # Daily: 365 × 0.01 / 365 = 0.01; 1 × 0.1825 / 365 = 0.0005 → 0.00 (CNY), KWD 0.001 (tie).
    assert plans.period_interest(Decimal(365), Decimal("0.01"), Step(1, "day"), "CNY") == (
        Decimal("0.01")
    )
    assert plans.period_interest(Decimal(1), Decimal("0.1825"), Step(1, "day"), "CNY") == (
        Decimal("0.00")
    )
    assert plans.period_interest(Decimal(1), Decimal("0.1825"), Step(1, "day"), "KWD") == (
        Decimal("0.001")
    )


def test_installments_long_jpy_annuity_does_not_balloon_at_the_end() -> None:
    loan = one_loan(
        "{kind: annuity, principal: 5000, count: 120, first_due: 2027-01-15, annual_rate: 36%}",
        top="currency: JPY\n",
    )

    rows = plans.installments(loan)

    # 3% a month. 1.03^120 ≈ 34.711 (1.03^10 = 1.343916, ^12 of that ≈ 34.711), so the level
    # payment is 5000 × 0.03 × 34.711 / 33.711 = 150 × 1.02966 ≈ 154.45 → 154. Kept at 154,
    # the 0.45 a month short compounds to 0.45 × (34.711 − 1) / 0.03 ≈ 506 and the last
    # installment would be about 154 + 506 ≈ 681 (the bug). Re-levelled, each installment is
    # 154 or 155, the last included.
    assert {row.amount for row in rows} == {Decimal(154), Decimal(155)}
    # First rows by hand: interest 5000 × 3% = 150, part 154 − 150 = 4, balance 4996; then
    # 4996 × 3% = 149.88 → 150, part 4, balance 4992; 4992 × 3% = 149.76 → 150, 4988.
    assert [(r.amount, r.principal, r.interest, r.balance_after) for r in rows[:3]] == [
        (Decimal(154), Decimal(4), Decimal(150), Decimal(4996)),
        (Decimal(154), Decimal(4), Decimal(150), Decimal(4992)),
        (Decimal(154), Decimal(4), Decimal(150), Decimal(4988)),
    ]
    assert sum(row.principal for row in rows) == Decimal(5000)
    assert rows[-1].balance_after == 0


def test_installments_annuity_keeps_one_payment_when_the_drift_stays_small() -> None:
    loan = one_loan("{kind: annuity, principal: 1.90, count: 3, first_due: 2027-01-15}")

    rows = plans.installments(loan)

    # 0%: 1.90 / 3 = 0.6333 → 0.63. After one, 1.27 over 2 = 0.635: exactly half a cent
    # from 0.63, a tie, so the payment stays; the last takes 1.90 − 1.26 = 0.64.
    assert [row.amount for row in rows] == [Decimal("0.63"), Decimal("0.63"), Decimal("0.64")]


def test_installments_cny_equal_principal_with_interest_worked_by_hand() -> None:
    loan = one_loan(
        "{kind: equal_principal, principal: 1000, count: 3, first_due: 2027-01-15, "
        "annual_rate: 0.12}"
    )

    rows = plans.installments(loan)

    # Parts 333.33, 333.33, 333.34; interest 1% of 1000, 666.67 (6.6667 → 6.67), 333.34
    # (3.3334 → 3.33).
    assert [(r.amount, r.interest) for r in rows] == [
        (Decimal("343.33"), Decimal("10.00")),
        (Decimal("340.00"), Decimal("6.67")),
        (Decimal("336.67"), Decimal("3.33")),
    ]


# ---- working days -------------------------------------------------------------------------
# China 2026 in the installed holidays data (checked with holidays.country_holidays("CN",
# years=2026)): Spring Festival off 2026-02-15 (Sun) .. 02-23 (Mon), with Saturdays 02-14 and
# 02-28 official make-up working days; National Day off 10-01 .. 10-07, with Sunday 09-20 and
# Saturday 10-10 make-up working days; Sunday 2026-01-04 a make-up day for New Year.


@pytest.mark.parametrize(
    ("nominal", "adjust", "expected"),
    [
        ("2026-02-17", "preceding", "2026-02-14"),  # back over the holiday to a make-up Saturday
        ("2026-02-17", "following", "2026-02-24"),
        ("2026-02-15", "following", "2026-02-24"),
        ("2026-02-23", "preceding", "2026-02-14"),
        ("2026-10-01", "preceding", "2026-09-30"),
        ("2026-10-05", "following", "2026-10-08"),
        ("2026-10-03", "preceding", "2026-09-30"),
        ("2026-10-04", "following", "2026-10-08"),
        ("2026-02-14", "following", "2026-02-14"),  # make-up Saturday: not moved
        ("2026-02-28", "preceding", "2026-02-28"),  # make-up Saturday: not moved
        ("2026-01-04", "following", "2026-01-04"),  # make-up Sunday: not moved
        ("2026-10-10", "preceding", "2026-10-10"),  # make-up Saturday: not moved
        ("2026-01-01", "following", "2026-01-04"),  # off Thu 1, Fri 2, Sat 3; Sun 4 works
        ("2026-03-07", "following", "2026-03-09"),  # an ordinary Saturday
        ("2026-03-10", "preceding", "2026-03-10"),  # an ordinary Tuesday
    ],
)
def test_installments_china_holidays_adjust_honours_make_up_working_days(
    nominal: str, adjust: str, expected: str
) -> None:
    loan = one_loan(
        f"{{kind: once, due: {nominal}, amount: 100}}",
        loan=f"    adjust: {adjust}\n    holidays: CN\n",
    )

    (row,) = plans.installments(loan)

    assert (row.nominal.isoformat(), row.due.isoformat()) == (nominal, expected)


@pytest.mark.parametrize(
    ("nominal", "adjust", "expected"),
    [
        ("2026-02-14", "following", "2026-02-16"),  # without a calendar, Saturday is a weekend
        ("2026-02-14", "preceding", "2026-02-13"),
        ("2026-02-17", "following", "2026-02-17"),  # and holidays are ordinary weekdays
        ("2026-10-04", "preceding", "2026-10-02"),
        ("2026-10-04", "none", "2026-10-04"),
    ],
)
def test_installments_weekend_only_adjust_without_holidays(
    nominal: str, adjust: str, expected: str
) -> None:
    loan = one_loan(f"{{kind: once, due: {nominal}, amount: 100}}", loan=f"    adjust: {adjust}\n")

    (row,) = plans.installments(loan)

    assert row.due.isoformat() == expected


def test_installments_adjusted_plan_keeps_numbers_and_amounts() -> None:
    loan = one_loan(
        "{kind: equal_principal, principal: 300, count: 3, first_due: 2026-01-17}",
        loan="    adjust: following\n    holidays: CN\n",
    )

    rows = plans.installments(loan)

    # 01-17 Sat → Mon 01-19; 02-17 Spring Festival → Tue 02-24; 03-17 is a Tuesday.
    assert [(r.number, r.nominal.isoformat(), r.due.isoformat(), r.amount) for r in rows] == [
        (1, "2026-01-17", "2026-01-19", Decimal("100.00")),
        (2, "2026-02-17", "2026-02-24", Decimal("100.00")),
        (3, "2026-03-17", "2026-03-17", Decimal("100.00")),
    ]


def test_installments_tiny_principal_never_makes_a_zero_installment() -> None:
    # 0.15 over 10: 0.015 → 0.02 a part would use everything up after seven and a half parts;
    # the parts are rounded down to 0.01 instead and the last takes the rest (0.06).
    loan = one_loan("{kind: equal_principal, principal: 0.15, count: 10, first_due: 2027-01-15}")

    rows = plans.installments(loan)

    assert all(row.amount > 0 for row in rows), [row.amount for row in rows]


def test_installments_tiny_principal_parts_round_down_and_last_absorbs() -> None:
    loan = one_loan("{kind: equal_principal, principal: 0.15, count: 10, first_due: 2027-01-15}")

    amounts = [row.principal for row in plans.installments(loan)]

    assert amounts == [Decimal("0.01")] * 9 + [Decimal("0.06")]


def test_installments_parts_that_would_use_the_principal_up_early_round_down() -> None:
    # 0.06 over 4: 0.015 → 0.02 a part, and 3 × 0.02 = 0.06 would leave the last nothing; so
    # the parts round down to 0.01 and the last takes 0.06 − 0.03 = 0.03.
    loan = one_loan("{kind: equal_principal, principal: 0.06, count: 4, first_due: 2027-01-15}")

    amounts = [row.amount for row in plans.installments(loan)]

    assert amounts == [Decimal("0.01")] * 3 + [Decimal("0.03")]


def test_config_principal_smaller_than_one_minor_unit_per_installment_is_an_error() -> None:
    text = (
        "loans:\n  - id: a\n    name: A\n    plan:\n      kind: equal_principal\n"
        "      principal: 0.05\n      count: 10\n      first_due: 2027-01-15\n"
    )
    with pytest.raises(ConfigError) as raised:
        config_parse(text.encode(), Path("c.yaml"))
    assert raised.value.problems == [
        "c.yaml:7:14: loans[0].plan.count: ¥0.05 cannot be split into 10 installments of at "
        "least ¥0.01"
    ]


def test_recurring_with_a_count_is_numbered_of_its_count_and_with_until_it_is_open() -> None:
    # SPEC §2: recurring takes `count` or `until`. With a count the person knows how many are
    # left ("2/3"); with an end date the number is open ("2").
    counted = one_loan(
        "{kind: recurring, amount: 50, first_due: 2027-01-05, every: 1 month, count: 3}"
    )
    assert [(inst.of, inst.label()) for inst in plans.installments(counted)] == [
        (3, "1/3"),
        (3, "2/3"),
        (3, "3/3"),
    ]
    until = one_loan(
        "{kind: recurring, amount: 50, first_due: 2027-01-05, every: 1 month, until: 2027-03-05}"
    )
    assert [(inst.of, inst.label()) for inst in plans.installments(until)] == [
        (None, "1"),
        (None, "2"),
        (None, "3"),
    ]


def test_every_two_weeks_falls_due_fourteen_days_apart() -> None:
    # 2027-01-05 is a Tuesday; every 2 weeks: 01-19, 02-02 (14 and 28 days later), Tuesdays.
    loan = one_loan(
        "{kind: recurring, amount: 50, first_due: 2027-01-05, every: 2 weeks, count: 3}"
    )
    dues = [inst.due for inst in plans.installments(loan)]
    assert dues == [date(2027, 1, 5), date(2027, 1, 19), date(2027, 2, 2)]
    assert {due.isoweekday() for due in dues} == {2}


def test_every_ten_days_falls_due_ten_days_apart_across_a_month_end() -> None:
    # every: 10 days from 2027-01-25: 01-25, 02-04 (25 + 10 = 35 = 31 + 4), 02-14.
    loan = one_loan(
        "{kind: recurring, amount: 50, first_due: 2027-01-25, every: 10 days, count: 3}"
    )
    dues = [inst.due for inst in plans.installments(loan)]
    assert dues == [date(2027, 1, 25), date(2027, 2, 4), date(2027, 2, 14)]


def test_a_first_due_with_a_time_of_day_keeps_it_for_every_installment() -> None:
    # SPEC §3: a due written with a time of day keeps its own time, not `reminders.time`.
    # Recurring from "2027-01-05 18:30" (Shanghai, +08:00), monthly, 2: both at 18:30.
    loan = one_loan(
        '{kind: recurring, amount: 50, first_due: "2027-01-05 18:30", every: 1 month, count: 2}',
        top="timezone: Asia/Shanghai\nreminders: {time: '09:00'}\n",
    )
    assert [inst.due_at.isoformat() for inst in plans.installments(loan)] == [
        "2027-01-05T18:30:00+08:00",
        "2027-02-05T18:30:00+08:00",
    ]


def test_an_agreed_list_owes_nothing_after_its_last_installment() -> None:
    # 300 + 500 + 200 = 1,000: after #1 700 is owed, after #2 200, after #3 nothing.
    loan = one_loan(
        "{kind: list, installments: [{due: 2027-01-10, amount: 300},"
        " {due: 2027-02-10, amount: 500}, {due: 2027-03-10, amount: 200}]}"
    )
    assert [inst.balance_after for inst in plans.installments(loan)] == [
        Decimal(700),
        Decimal(200),
        Decimal(0),
    ]


@pytest.mark.parametrize(
    ("adjust", "day", "instant"),
    [
        # 2027-01-16 is a Saturday (2027-01-01 is a Friday: +14 days is a Friday, +15 Saturday).
        ("following", "2027-01-18", "2027-01-18T09:00:00+08:00"),  # to Monday
        ("preceding", "2027-01-15", "2027-01-15T09:00:00+08:00"),  # to Friday
        ("none", "2027-01-16", "2027-01-16T09:00:00+08:00"),
    ],
)
def test_a_moved_installment_falls_due_on_the_day_it_moved_to(adjust, day, instant) -> None:
    """The date shown and the instant reminders, "overdue" and the calendar use are the same
    day: a Saturday installment moved to Monday is not overdue on Saturday."""
    loan = one_loan(
        "{kind: once, due: 2027-01-16, amount: 10}",
        top="timezone: Asia/Shanghai\n",
        loan=f"    adjust: {adjust}\n",
    )
    (row,) = plans.installments(loan)
    assert (row.due.isoformat(), row.due_at.isoformat()) == (day, instant)


def test_equal_principal_parts_on_a_half_cent_round_half_up() -> None:
    # 100.25 over 2 = 50.125 a part: half-up gives 50.13 (half-even would give 50.12); the
    # last installment takes the rest, 100.25 − 50.13 = 50.12.
    loan = one_loan(
        "{kind: equal_principal, principal: 100.25, count: 2, first_due: 2027-01-15, "
        "annual_rate: 0}",
        top="timezone: Asia/Shanghai\n",
    )
    assert [row.amount for row in plans.installments(loan)] == [
        Decimal("50.13"),
        Decimal("50.12"),
    ]
