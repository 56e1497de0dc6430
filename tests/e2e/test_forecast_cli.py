"""``forecast`` as a user runs it: the installed command against a config whose dates are
relative to today, a real ledger, JSON and the human table in both locales."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.e2e.conftest import Cli

TODAY = datetime.now(UTC).date()


def month_after(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    return date(day.year + year, month + 1, 15)


M0, M1, M2, M3 = (f"{d.year:04d}-{d.month:02d}" for d in (month_after(TODAY, k) for k in range(4)))
FIRST_DUE = month_after(TODAY, 1)  # the 15th of next month: nothing due in the current one


def config(locale: str = "en", extra_loans: str = "") -> str:
    return f"""
timezone: UTC
locale: {locale}
currency: CNY
loans:
  - id: card
    name: Card
    plan: {{kind: equal_principal, principal: 1200, count: 3, first_due: {FIRST_DUE},
           annual_rate: 12%}}
  - id: wallet
    name: 钱包
    plan: {{kind: equal_principal, principal: 900, count: 3, first_due: {FIRST_DUE},
           annual_rate: 0}}
{extra_loans}
"""


def test_avalanche_and_snowball_with_500_extra_against_the_plan(run_cli: Cli) -> None:
    run_cli.write_config(config())
    avalanche = run_cli.json("forecast", "--extra", "500", "--json")
    # Extra starts this month (M0), when nothing is due yet. Each month pays the plan's dues
    # (M1 412 + 300 = 712, M2 408 + 300 = 708) plus 500; what is not due goes ahead.
    # avalanche: M0 500 on the card (12%): 1200 → 700. M1: card 7.00 + 400, wallet 300 → 707;
    #   712 + 500 - 707 = 505 ahead: the card's last 300, then 205 on the wallet (600 → 395).
    #   M2: wallet 300, then its last 95 ahead. Interest 7.00; 500 + 707 + 505 + 300 + 95 = 2107.
    assert avalanche["strategy"] == "avalanche"
    assert [m["month"] for m in avalanche["months"]] == [M0, M1, M2]
    assert [m["due"] for m in avalanche["months"]] == ["0.00", "707.00", "300.00"]
    assert [m["ahead"] for m in avalanche["months"]] == ["500.00", "505.00", "95.00"]
    assert (avalanche["debt_free"], avalanche["interest"], avalanche["total"]) == (
        M2,
        "7.00",
        "2107.00",
    )
    # plan: card 412, 408, 404 (1% on 1200, 800, 400) and wallet 300 ×3: interest 24, M3.
    assert avalanche["baseline"] == {"debt_free": M3, "total": "2124.00", "interest": "24.00"}
    snowball = run_cli.json("forecast", "--extra", "500", "--strategy", "snowball", "--json")
    # snowball: M0 500 on the wallet (900 < 1200): 400 left. M1: card 412, wallet 300 → 712;
    #   712 + 500 - 712 = 500 ahead: the wallet's last 100, then 400 on the card (800 → 400).
    #   M2: card 4.00 + 400 = 404. Interest 12 + 4 = 16; paid 500 + 712 + 500 + 404 = 2116.
    assert [m["due"] for m in snowball["months"]] == ["0.00", "712.00", "404.00"]
    assert (snowball["debt_free"], snowball["interest"], snowball["total"]) == (
        M2,
        "16.00",
        "2116.00",
    )


def test_plan_is_the_default_and_a_payment_counts(run_cli: Cli) -> None:
    run_cli.write_config(config())
    plan = run_cli.json("forecast", "--json")
    assert plan["strategy"] == "plan" and "baseline" not in plan
    assert (plan["debt_free"], plan["total"]) == (M3, "2124.00")
    assert run_cli("pay", "wallet", "900").returncode == 0
    after = run_cli.json("forecast", "--json", "--months", "1")
    assert (after["debt_free"], after["total"]) == (M3, "1224.00")  # 2124 - 900
    assert len(after["months"]) == 1


def test_human_output_follows_the_locale(run_cli: Cli) -> None:
    bill = f"""  - id: rent
    name: Rent
    plan: {{kind: recurring, amount: 2000, first_due: {FIRST_DUE}, count: 12, ongoing: true}}
  - id: yen
    name: Yen
    currency: JPY
    plan: {{kind: once, due: {FIRST_DUE}, amount: 5000}}
"""
    run_cli.write_config(config("zh_CN", bill))
    done = run_cli("forecast", "--extra", "500")
    assert done.returncode == 0, done.stderr
    m2 = date.fromisoformat(M2 + "-01")
    m3 = date.fromisoformat(M3 + "-01")
    assert (
        f"雪崩法（利率最高的先还），每月多还 ¥500.00：{m2.year}年{m2.month}月还清，" in done.stdout
    )
    assert f"而不是{m3.year}年{m3.month}月；利息 ¥7.00，而不是 ¥24.00" in done.stdout
    assert "固定账单，不计入债务：rent" in done.stdout
    assert "其他币种，此处不计：yen" in done.stdout
    run_cli.write_config(config("en", bill))
    english = run_cli("forecast", "--extra", "500")
    assert "debt-free" in english.stdout and "CN¥7.00 instead of CN¥24.00" in english.stdout


def test_a_bad_amount_is_one_line_and_exit_2(run_cli: Cli) -> None:
    run_cli.write_config(config())
    done = run_cli("forecast", "--budget", "12.345")
    assert done.returncode == 2
    assert done.stderr.startswith("reminderd: --budget:") and len(done.stderr.splitlines()) == 1
    both = run_cli("forecast", "--budget", "1", "--extra", "1")
    assert both.returncode == 2


def renegotiated_config(locale: str) -> str:
    missed, agreed = TODAY - timedelta(days=20), TODAY - timedelta(days=5)
    return f"""
timezone: UTC
locale: {locale}
currency: CNY
loans:
  - id: lent
    name: Lent
    plan:
      kind: list
      installments:
        - {{due: {missed}, amount: 1000}}
    overdue: {{daily_rate: "0.1%", fee: 30, grace: 2d}}
    renegotiated:
      - on: {agreed}
        note: "停息挂账: 1000 in two halves"
        plan:
          kind: list
          installments:
            - {{due: {month_after(TODAY, 1)}, amount: 500}}
            - {{due: {month_after(TODAY, 2)}, amount: 500}}
        overdue: {{daily_rate: 0, fee: 0, grace: 0d}}
"""


def test_a_renegotiated_loan_forecasts_the_new_plan_and_its_cost_so_far(run_cli: Cli) -> None:
    run_cli.write_config(renegotiated_config("en"))
    # 1000 was due 20 days ago and missed; 5 days ago an agreement (0%) rolled it into two
    # halves of 500, due the 15th of the next two months. 200 paid 2 days ago counts in the
    # agreement (in force that day): the first half owes 300.
    paid_on = (TODAY - timedelta(days=2)).isoformat()
    assert run_cli("pay", "lent", "200", "--on", paid_on).returncode == 0
    result = run_cli.json("forecast", "--json")
    assert [(m["month"], m["due"]) for m in result["months"]] == [
        (M0, "0.00"),
        (M1, "300.00"),
        (M2, "500.00"),
    ]
    assert (result["debt_free"], result["total"], result["interest"]) == (M2, "800.00", "0.00")
    assert result["overdue"] == "0.00"  # rolled into the agreement: not overdue
    # Cost so far: grace 2 days, so days from due + 3 to the day before the agreement:
    # (agreed − 1) − (missed + 3) + 1 = (T−6) − (T−17) + 1 = 12 days × 1000 × 0.001 = 12.00,
    # plus the fee 30 (unpaid after the grace) = 42.00. The agreement's terms are 0: no more.
    assert (result["overdue_cost"], result["overdue_per_day"]) == ("42.00", "0.00")
    status = run_cli.json("status", "--json")
    assert status["loans"][0]["overdue_cost"] == result["overdue_cost"]
    text = run_cli("forecast").stdout
    assert "Being late has cost CN¥42.00 so far" in text


def test_the_cost_line_in_chinese(run_cli: Cli) -> None:
    run_cli.write_config(renegotiated_config("zh_CN"))
    done = run_cli("forecast")
    assert done.returncode == 0, done.stderr
    assert "逾期费用至今 ¥42.00：估计出借方可能主张的金额，不计入以上合计。" in done.stdout
