"""The page (SPEC §10) in a real browser (Debian's headless Chromium under Playwright): written
by ``report -o`` and served live by ``reminderd run``. Its totals must be ``status --json``'s,
its chart one bar per month, and its Paid button must record a payment exactly once, with the
page's token and never without it. Screenshots at 390 px and 1280 px are kept as artifacts."""

from __future__ import annotations

import http.client
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import Cli
from tests.support.browser import artifacts_dir
from tests.support.service import PATIENCE, ServiceProcess, wait_for
from tests.support.smtp import free_port

TODAY = datetime.now(UTC).date()


def config(locale: str = "en", serve: str = "") -> str:
    return f"""
timezone: UTC
locale: {locale}
currency: CNY
budget: {{monthly: 1500}}
calendar: {{name: Repayments{serve}}}
loans:
  - id: card
    name: Card <b>A</b>
    lender: Example Bank
    plan: {{kind: equal_principal, principal: 3000, count: 6,
           first_due: {TODAY - timedelta(days=10)}, annual_rate: 12%}}
  - id: phone
    name: 电话分期
    plan:
      kind: list
      installments:
        - {{due: {TODAY + timedelta(days=3)}, amount: 200}}
        - {{due: {TODAY + timedelta(days=40)}, amount: 200}}
  - id: yen
    name: Yen loan
    currency: JPY
    plan: {{kind: once, due: {TODAY + timedelta(days=20)}, amount: 5000}}
"""


def open_page(browser: Any, url: str, width: int) -> tuple[Any, list[str]]:
    """A page at ``width`` px showing ``url``, and the console errors it logs."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )  # noqa: E501
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return page, errors


def value(page: Any, name: str) -> Decimal:
    return Decimal(page.get_attribute(f'[data-total="{name}"]', "data-value"))


def check_against_status(page: Any, status: dict[str, Any]) -> None:
    """The page's totals are status's numbers; the dues chart has one bar per coming month."""
    cny = [row for row in status["loans"] if row["currency"] == "CNY"]
    assert value(page, "owed") == sum(Decimal(row["outstanding"]) for row in cny)
    assert value(page, "overdue") == sum(Decimal(row["overdue"]) for row in cny)
    current = f"{TODAY.year:04d}-{TODAY.month:02d}"
    months = [m for m in status["months"] if m["currency"] == "CNY" and m["month"] >= current]
    bars = page.locator("#dues-chart rect.bar")
    assert bars.count() == len(months[:12]) > 0
    assert [bars.nth(i).get_attribute("data-month") for i in range(bars.count())] == [
        m["month"] for m in months[:12]
    ]
    due = [Decimal(bars.nth(i).get_attribute("data-due")) for i in range(bars.count())]
    assert due == [Decimal(m["due"]) for m in months[:12]]


def screenshots(browser: Any, url: str, name: str) -> None:
    for width in (390, 1280):
        page, errors = open_page(browser, url, width)
        page.screenshot(path=str(artifacts_dir() / f"{name}-{width}.png"), full_page=True)
        assert errors == []
        page.close()


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_written_page_matches_status(run_cli: Cli, browser: Any, locale: str) -> None:
    run_cli.write_config(config(locale))
    receipt = run_cli.root / "receipt-0001.pdf"
    receipt.write_bytes(b"%PDF-1.4 an invented receipt\n")
    assert run_cli("pay", "card", "100", "--receipt", str(receipt)).returncode == 0
    target = run_cli.root / "out" / "page.html"
    done = run_cli("report", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(target)
    assert target.stat().st_mode & 0o077 == 0  # it lists debts: the owner's only
    html = target.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")
    assert "Card &lt;b&gt;A&lt;/b&gt;" in html  # names are text, never markup
    page, errors = open_page(browser, target.as_uri(), 1280)
    check_against_status(page, run_cli.json("status", "--json"))
    # card: 530 due 10 days ago (500 + 1% of 3000), 100 paid: 430 overdue, first and marked.
    first = page.locator("li.due").first
    assert first.get_attribute("data-loan") == "card" and "overdue" in first.get_attribute("class")
    assert value(page, "overdue") == Decimal("430.00")
    assert page.locator("form.pay").count() == 0  # the file has no Paid buttons
    assert "receipt-0001.pdf" in page.inner_text("table.payments")
    heading = page.inner_text("h1")
    assert heading == ("我的还款全貌" if locale == "zh_CN" else "Where I stand")
    assert errors == []
    screenshots(browser, target.as_uri(), f"page-static-{locale}")


def first_summary(calendar: Path) -> str:
    """The SUMMARY of the card's first installment in the calendar file ("" before it)."""
    import icalendar

    if not calendar.exists():
        return ""
    parsed = icalendar.Calendar.from_ical(calendar.read_bytes())
    for event in parsed.walk("VEVENT"):
        if str(event.get("UID", "")).startswith("card-1@"):
            return str(event.get("SUMMARY", ""))
    return ""


def post(url: str, body: str) -> tuple[int, str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(
            "POST", parts.path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()


def get(url: str) -> int:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_the_served_page_records_a_payment_once_and_only_with_its_token(
    run_cli: Cli, browser: Any
) -> None:
    port = free_port()
    serve = f', serve: {{listen: "127.0.0.1:{port}"}}, path: {run_cli.root / "cal.ics"}'
    run_cli.write_config(config("en", serve))
    urls = run_cli("feed-url").stdout.split()
    assert urls[0].startswith("http://") and urls[1].startswith("webcal://")
    page_url = urls[2]
    assert page_url == f"http://127.0.0.1:{port}/{urls[0].split('/')[3]}/"
    service = ServiceProcess(run_cli.config, run_cli.state_dir, env=run_cli.env)
    service.start()
    try:
        page, errors = open_page(browser, page_url, 390)
        check_against_status(page, run_cli.json("status", "--json"))
        assert value(page, "overdue") == Decimal("530.00")  # 500 + 1% of 3000, nothing paid
        # Forged: no token, a made-up token, a token for another nonce. Nothing is recorded.
        pay_url = page_url + "paid"
        token = page.get_attribute(
            'li[data-loan="card"][data-number="1"] input[name=token]', "value"
        )  # noqa: E501
        assert post(pay_url, "loan=card&number=1")[0] == 403
        assert post(pay_url, "token=" + "a" * 2000)[0] == 413  # bodies are bounded
        assert post(pay_url, "token=abc.def&loan=card&number=1")[0] == 403
        nonce, _, mac = token.partition(".")
        assert post(pay_url, f"token=x{nonce}.{mac}&loan=card&number=1")[0] == 403
        assert get(page_url) == 200 and get(page_url + "?paid=1") == 200  # a GET never writes
        assert run_cli.json("history", "--json") == []
        # The Paid button, clicked twice, then the same form sent once more: one payment.
        button = page.locator('li[data-loan="card"][data-number="1"] button')
        button.dblclick()
        page.wait_for_selector(".notice")
        again = post(pay_url, f"token={token}&loan=card&number=1")
        assert again[0] == 303 and again[1].startswith("./?paid=")
        history = run_cli.json("history", "--json")
        assert [(p["loan"], p["amount"]) for p in history] == [("card", "530.00")]
        assert "530.00" in page.inner_text(".notice") or "CN¥530.00" in page.inner_text(".notice")
        page.reload()
        assert value(page, "overdue") == Decimal("0.00")
        check_against_status(page, run_cli.json("status", "--json"))
        assert errors == []
        page.screenshot(path=str(artifacts_dir() / "page-served-390.png"), full_page=True)
        wide, wide_errors = open_page(browser, page_url, 1280)
        wide.screenshot(path=str(artifacts_dir() / "page-served-1280.png"), full_page=True)
        assert wide_errors == []
        # Each loan links to its case file, answered read only: it has the payment just made.
        wide.click('article.loan[data-loan="card"] a.case')
        wide.wait_for_url(page_url + "case/card")
        assert "Case file: Card <b>A</b> (card)" in wide.inner_text("h1")
        assert "530.00" in wide.inner_text("body")
        wide.screenshot(path=str(artifacts_dir() / "page-served-case-1280.png"), full_page=True)
        assert wide_errors == []
        assert len(run_cli.json("history", "--json")) == 1
        # The service took the payment in: its calendar marks installment 1 as paid.
        calendar = run_cli.root / "cal.ics"
        assert wait_for(lambda: first_summary(calendar).startswith("✓"), PATIENCE), service.log()
    finally:
        service.kill()


EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.yaml"


def test_the_example_config_page_knows_the_renegotiated_loan(run_cli: Cli, browser: Any) -> None:
    """config.example.yaml as shipped: loan-e went overdue and was renegotiated (停息挂账) on
    2026-11-20. The page shows version 2 and that date, what was rolled into the agreement
    and the cost so far, each equal to ``status --json`` taken from the same ledger."""
    run_cli.write_config(EXAMPLE.read_text(encoding="utf-8"))
    target = run_cli.root / "example.html"
    done = run_cli("report", "-o", str(target))
    assert done.returncode == 0, done.stderr
    status = run_cli.json("status", "--json")
    loans = {row["id"]: row for row in status["loans"]}
    loan_e = loans["loan-e"]
    assert (loan_e["version"], loan_e["agreed_on"]) == (2, "2026-11-20")
    page, errors = open_page(browser, target.as_uri(), 1280)
    cny = [row for row in status["loans"] if row["currency"] == "CNY"]
    assert value(page, "owed") == sum(Decimal(row["outstanding"]) for row in cny)
    assert value(page, "overdue") == sum(Decimal(row["overdue"]) for row in cny)
    cost = sum(Decimal(row["overdue_cost"]) for row in cny)
    assert cost > 0  # loan-e's missed installments cost something before the agreement
    assert value(page, "overdue_cost") == cost == Decimal(status["overdue_costs"]["CNY"])
    card = page.locator('article.loan[data-loan="loan-e"]')
    assert card.get_attribute("data-version") == "2"
    text = card.inner_text()
    assert "第 2 版" in text and "2026年11月20日协商" in text  # the example is in zh_CN
    rolled = Decimal(loan_e["rolled"])
    assert rolled > 0 and f"¥{rolled:,.2f} 已并入协商" in text
    assert f"¥{Decimal(loan_e['overdue_cost']):,.2f}" in text
    assert "reminderd case loan-e" in text
    # No due row of loan-e belongs to the superseded plan.
    for row in page.locator('li.due[data-loan="loan-e"]').all():
        assert row.get_attribute("data-version") == "2"
    assert errors == []
    page.close()
    screenshots(browser, target.as_uri(), "page-example")
