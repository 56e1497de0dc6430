"""`reminderd plan` with the installed command: what a person takes into a negotiation.

Every expected figure is worked by hand in the comments. The first due date is a month from
today: a proposal may start on any day, and none of these figures depends on which.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import Cli

FIRST = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()


def plan(run_cli: Cli, *args: str) -> str:
    done = run_cli("plan", "--first-due", FIRST, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def summary(output: str) -> str:
    return next(line for line in output.splitlines() if " installments, " in line)


@pytest.mark.parametrize(
    ("budget", "count", "said"),
    [
        # 1,200.00 at 0% in 12 is 100.00 each: a budget of exactly 100.00 fits 12.
        ("100", 12, "12 installments, 1 month apart; largest CN¥100.00; total CN¥1,200.00"),
        # One cent less does not: 13 installments, 1,200 / 13 = 92.307… → 92.31 (the last
        # takes the rounding: 1,200.00 − 12 × 92.31 = 92.28).
        ("99.99", 13, "13 installments, 1 month apart; largest CN¥92.31; total CN¥1,200.00"),
    ],
)
def test_plan_by_budget_takes_the_smallest_count_that_fits_the_budget_exactly(
    run_cli: Cli, budget: str, count: int, said: str
) -> None:
    output = plan(run_cli, "--budget", budget, "--principal", "1200")
    assert summary(output).startswith(said)
    assert f"      count: {count}\n" in output  # the YAML to paste says the same


def test_plan_annuity_first_and_last_installments_worked_by_hand(run_cli: Cli) -> None:
    # 12,000.00 at 12% a year, 12 monthly annuity installments: 1% a month.
    # payment = 12,000 × 0.01 / (1 − 1.01^−12) = 120 / 0.1125508 = 1,066.185… → 1,066.19
    # #1: interest 12,000.00 × 1% = 120.00; principal 1,066.19 − 120.00 = 946.19;
    #     balance 12,000.00 − 946.19 = 11,053.81
    # #2: interest 11,053.81 × 1% = 110.5381 → 110.54; principal 955.65; balance 10,098.16
    output = plan(
        run_cli,
        "--count",
        "12",
        "--principal",
        "12000",
        "--annual-rate",
        "12%",
        "--kind",
        "annuity",
    )
    rows = [line.split() for line in output.splitlines() if line[:3] in ("1/1", "2/1", "12/")]
    assert [row[0] for row in rows] == ["1/12", "2/12", "12/12"]
    assert rows[0][2:] == ["CN¥1,066.19", "CN¥946.19", "CN¥120.00", "CN¥11,053.81"]
    assert rows[1][2:] == ["CN¥1,066.19", "CN¥955.65", "CN¥110.54", "CN¥10,098.16"]
    assert rows[2][-1] == "CN¥0.00"  # paid off by the last
    assert "      kind: annuity\n" in output and '      annual_rate: "12%"\n' in output


def test_plan_by_budget_that_nothing_fits_says_why_with_the_first_periods_interest(
    run_cli: Cli,
) -> None:
    # 12,000.00 at 24% a year, monthly: 2% a month, so the first month's interest alone is
    # 12,000 × 0.02 = 240.00, more than the budget of 200: no count fits. Exit 2, one line.
    done = run_cli(
        "plan", "--first-due", FIRST, "--principal", "12000", "--annual-rate", "24%",
        "--budget", "200",
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "reminderd: no plan of up to 1200 installments keeps every one within CN¥200.00: "
        "the first period's interest alone is CN¥240.00\n"
    )


def test_plan_without_a_first_due_starts_one_month_from_today_in_the_configs_zone(
    run_cli: Cli,
) -> None:
    # No --first-due: the first installment falls one calendar month from today, "today"
    # being the config's zone's (Shanghai here, +08:00). Month arithmetic by dateutil, not
    # the product's: 31 January + 1 month is 28 (or 29) February. Read before and after the
    # run, so a midnight in between cannot fail the test.
    from zoneinfo import ZoneInfo

    from dateutil.relativedelta import relativedelta

    run_cli.write_config(
        "timezone: Asia/Shanghai\n"
        "loans:\n  - {id: a, name: A, plan: {kind: once, due: 2030-01-15, amount: 1}}\n"
    )
    zone = ZoneInfo("Asia/Shanghai")
    before = datetime.now(zone).date()
    done = run_cli("plan", "--principal", "1200", "--count", "2")
    after = datetime.now(zone).date()
    assert done.returncode == 0, done.stderr
    [first] = [line for line in done.stdout.splitlines() if line.startswith("1/2 ")]
    expected = {(day + relativedelta(months=1)).isoformat() for day in (before, after)}
    assert first.split()[1] in expected, (first, expected)
