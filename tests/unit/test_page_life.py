"""The page meets the life of a debt (SPEC §8 × §10): a renegotiated loan with overdue terms
shows its version and agreement date, the amount rolled into the agreement, days late and
the cost so far; the totals' overdue cost is the sum of ``status``'s own per-loan figures and
equals the forecast's. Expected values worked by hand in the comments."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from reminderd.accounts import status_report
from reminderd.commands.forecast import overdue_figures
from reminderd.config import parse
from reminderd.standing import Paid
from reminderd.web import content, page

CONFIG = """
timezone: Asia/Shanghai
locale: {locale}
currency: CNY
loans:
  - id: wallet
    name: Wallet
    plan: {{kind: equal_principal, principal: 1200, count: 6, first_due: 2027-01-15,
           annual_rate: 12%}}
    overdue: {{daily_rate: "0.05%", fee: 50, grace: 3d}}
    renegotiated:
      - on: 2027-04-01
        note: "停息挂账"
        plan: {{kind: equal_principal, principal: 1000, count: 5, first_due: 2027-04-15,
               annual_rate: 0}}
        overdue: {{daily_rate: 0, fee: 0, grace: 0d}}
  - id: card
    name: Card
    plan: {{kind: once, due: 2027-04-10, amount: 300}}
    overdue: {{daily_rate: "0.1%", fee: 0, grace: 0d}}
"""
NOW = datetime(2027, 4, 20, 4, 0, tzinfo=UTC)  # noon, 20 April 2027 in Shanghai
PAID = Paid({"wallet": [(date(2027, 1, 15), Decimal("212.00"))]})

# wallet, version 1: 212, 210, 208, 206, 204, 202 due the 15th of Jan..Jun (parts 200, 1% a
# month on 1200, 1000, …). 212 paid 15 Jan settles #1. On 1 April the agreement rolls #2
# (210) and #3 (208) into version 2 and supersedes #4..#6. Their cost stops on 31 March:
#   #2, due 15 Feb, grace to 18 Feb: 19 Feb..31 Mar = 10 + 31 = 41 days × 210 × 0.0005
#       = 4.305, fee 50;
#   #3, due 15 Mar, grace to 18 Mar: 19..31 Mar = 13 days × 208 × 0.0005 = 1.352, fee 50.
#   Penalty 5.657 → 5.66; + 100 fees = 105.66. Version 2's terms are 0: it grows no more.
#   Version 2 #1 (200, due 15 Apr) is 5 days late and owed: overdue 200.
#   Rolled into the agreement: 210 + 208 = 418.
# card: 300 due 10 April, no grace: 11..20 Apr = 10 days × 300 × 0.001 = 3.00; tomorrow
#   3.30, so +0.30 a day. 10 days late.
# Totals: overdue 200 + 300 = 500; cost so far 105.66 + 3.00 = 108.66; +0.30 a day.


def build(locale: str = "en") -> content.Content:
    config = parse(CONFIG.format(locale=locale).encode(), Path("config.yaml"))
    return content.build(config, PAID, [], NOW)


def test_the_totals_carry_the_overdue_cost_so_far_worked_by_hand() -> None:
    built = build()
    assert built.totals.overdue == Decimal("500.00")
    assert built.totals.overdue_cost == Decimal("108.66")
    assert built.totals.overdue_per_day == Decimal("0.30")
    # The same figure as status's rows and as the forecast's.
    config = parse(CONFIG.format(locale="en").encode(), Path("config.yaml"))
    rows = {row["id"]: row for row in status_report(config, PAID, NOW)["loans"]}
    assert rows["wallet"]["overdue_cost"] == "105.66"
    assert rows["card"]["overdue_cost"] == "3.00"
    assert overdue_figures(config, PAID, NOW) == (Decimal("108.66"), Decimal("0.30"))


def test_each_loan_shows_version_agreement_rolled_and_days_late() -> None:
    html = page.render(build("en"))
    wallet = re.search(r'<article class="loan[^"]*" data-loan="wallet".*?</article>', html)
    card = re.search(r'<article class="loan[^"]*" data-loan="card".*?</article>', html)
    assert wallet is not None and card is not None
    assert 'data-version="2"' in wallet.group(0)
    assert "Version 2 · agreed 1 Apr 2027" in wallet.group(0)
    assert "CN¥418.00 rolled into the agreement" in wallet.group(0)
    assert "5 days late: cost so far CN¥105.66, no longer growing" in wallet.group(0)
    assert "10 days late: cost so far CN¥3.00, +CN¥0.30 a day" in card.group(0)
    assert "reminderd case wallet" in wallet.group(0)
    # The totals show the cost so far with its exact value for a reader.
    assert 'data-total="overdue_cost" data-value="108.66"' in html
    assert "cost so far CN¥108.66, +CN¥0.30 a day" in html


def test_the_page_in_chinese_says_the_same() -> None:
    html = page.render(build("zh_CN"))
    assert "第 2 版 · 2027年4月1日协商" in html
    assert "¥418.00 已并入协商" in html
    assert "逾期 5 天：费用至今 ¥105.66，不再增加" in html
    assert "逾期 10 天：费用至今 ¥3.00，每天 +¥0.30" in html
    assert "至今费用 ¥108.66，每天 +¥0.30" in html


def test_dues_list_only_the_version_in_force_and_name_it() -> None:
    built = build()
    # Rolled #2, #3 and superseded #4 of version 1 are not dues; version 2's #1 is (overdue).
    keys = [(row["loan"], row["version"], row["number"]) for row in built.dues]
    assert ("wallet", 1, 2) not in keys and ("wallet", 1, 4) not in keys
    assert keys[:2] == [("card", 1, 1), ("wallet", 2, 1)]  # overdue first, oldest first
    html = page.render(built)
    assert 'data-loan="wallet" data-version="2" data-number="1"' in html
    assert "Version 2 · 1/5" in html
