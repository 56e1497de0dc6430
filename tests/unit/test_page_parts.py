"""The page's pure parts: the charts' SVG and the ``ongoing`` plan key that keeps bills out."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from reminderd.config import parse
from reminderd.errors import ConfigError
from reminderd.web import charts


def draw_dues(months: list[tuple[str, Decimal, bool]], budget: Decimal | None) -> str:
    return charts.dues_chart(
        months,
        budget,
        label=lambda month: month[5:],
        amount=str,
        axis_label=str,
        title="dues <&>",
        over_text="over",
    )


def test_one_bar_per_month_over_budget_marked_and_the_budget_line_drawn() -> None:
    months = [("2027-01", Decimal(1200), False), ("2027-02", Decimal(1800), True)]
    svg = draw_dues(months, Decimal(1500))
    assert re.findall(r'data-month="([0-9-]+)"', svg) == ["2027-01", "2027-02"]
    assert svg.count('class="bar over"') == 1
    assert 'class="budget"' in svg
    assert 'aria-label="dues &lt;&amp;&gt;"' in svg  # text is escaped
    # The axis tops at 2000 (the round step above 1800): 1800 is 9/10 of the plot's
    # 220 - 14 - 28 = 178 units, 160.2 high.
    assert 'height="160.2"' in svg


def test_no_budget_no_line_and_zero_dues_still_draw() -> None:
    svg = draw_dues([("2027-01", Decimal(0), False)], None)
    assert 'class="budget"' not in svg and svg.count("<rect") == 1


def test_the_balance_chart_has_a_point_per_month_and_few_labels() -> None:
    points = [(f"2027-{m:02d}", Decimal(1000 - 80 * m)) for m in range(1, 13)]
    svg = charts.balance_chart(points, label=str, amount=str, axis_label=str, title="balance")
    assert svg.count("<circle") == 12
    assert svg.count('class="month"') <= 7


CONFIG = """
timezone: UTC
currency: CNY
loans:
  - id: rent
    name: Rent
    plan: {{kind: recurring, amount: 2000, first_due: 2027-01-01, count: 12{ongoing}}}
"""


@pytest.mark.parametrize(("text", "expected"), [("", False), (", ongoing: true", True)])
def test_ongoing_is_a_boolean_on_recurring_plans(text: str, expected: bool) -> None:
    config = parse(CONFIG.format(ongoing=text).encode(), Path("config.yaml"))
    assert config.loans[0].plan.ongoing is expected


def test_ongoing_must_be_true_or_false_and_only_on_recurring() -> None:
    with pytest.raises(ConfigError, match=r"loans\[0\]\.plan\.ongoing: write true or false"):
        parse(CONFIG.format(ongoing=", ongoing: maybe").encode(), Path("config.yaml"))
    annuity = CONFIG.format(ongoing="").replace(
        "kind: recurring, amount: 2000", "kind: annuity, principal: 2000, ongoing: true"
    )
    with pytest.raises(ConfigError, match="ongoing"):
        parse(annuity.encode(), Path("config.yaml"))


PAGE_CONFIG = """
timezone: Asia/Shanghai
locale: {locale}
currency: CNY
budget: {{monthly: {budget}}}
loans:
  - id: card
    name: Card & <Co>
    plan: {{kind: equal_principal, principal: 1200, count: 3, first_due: 2027-01-15}}
"""


def render(locale: str, paid: dict[str, Decimal], budget: int = 500) -> str:
    from datetime import UTC, datetime

    from reminderd.web import content, page

    config = parse(PAGE_CONFIG.format(locale=locale, budget=budget).encode(), Path("config.yaml"))
    now = datetime(2027, 1, 5, 4, 0, tzinfo=UTC)
    return page.render(content.build(config, paid, [], now))


def test_a_month_over_budget_says_by_how_much_and_names_are_escaped() -> None:
    html = render("en", {})
    # January's due is 400 (1200 / 3, no interest) against 500: 100 left.
    assert 'data-total="left" data-value="100.00"' in html and "CN¥100.00 left" in html
    assert "Card &amp; &lt;Co&gt;" in html and "<Co>" not in html
    assert "Debt-free in Mar 2027" in html
    # With a budget of 300 the same 400 is 100 over, in the warning style.
    over = render("zh_CN", {}, budget=300)
    assert 'data-total="left" data-value="-100.00"' in over and "超出 ¥100.00" in over
    assert '<div class="stat warn">' in over


def test_paid_off_says_so_first() -> None:
    html = render("zh_CN", {"card": Decimal(1200)})
    assert "没有欠款" in html and "您已还清全部债务" in html
    assert 'data-total="owed" data-value="0' in html
    assert 'id="balance-chart"' not in html  # nothing left to chart
