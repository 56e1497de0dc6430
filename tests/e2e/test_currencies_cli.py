"""The installed ``reminderd check`` with currencies from ISO 4217's active list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.conftest import Cli


def _config(currency: str, amount: str) -> str:
    # A date a year ahead of the real clock, so the installment is "next due" whenever run.
    due = (datetime.now(UTC) + timedelta(days=365)).date().isoformat()
    return f"""\
timezone: Asia/Shanghai
loans:
  - id: trip
    name: Trip
    currency: {currency}
    plan:
      kind: once
      due: {due}
      amount: {amount}
"""


def test_withdrawn_currency_is_one_clear_line(run_cli: Cli) -> None:
    run_cli.write_config(_config("ANG", "100"))
    done = run_cli("check")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "ANG was withdrawn from ISO 4217" in lines[0]
    assert "XCG" in lines[0]
    assert "Traceback" not in done.stderr


def test_gold_is_refused_as_a_loan_currency(run_cli: Cli) -> None:
    run_cli.write_config(_config("XAU", "100"))
    done = run_cli("check")
    assert done.returncode == 2
    assert "XAU has no minor unit in ISO 4217" in done.stderr
    assert "Traceback" not in done.stderr


def test_huf_keeps_iso_two_decimals(run_cli: Cli) -> None:
    # ISO 4217 gives HUF 2 places (Babel alone would print HUF1,235): 1234.5 -> HUF1,234.50.
    run_cli.write_config(_config("huf", "1234.5"))
    done = run_cli("check")
    assert done.returncode == 0, done.stderr
    assert "HUF1,234.50" in done.stdout


def test_plan_reads_a_currency_code_in_any_case(run_cli: Cli) -> None:
    # ISO 4217 codes are upper case; `--currency usd` is the same currency, as in the config.
    run_cli.write_config(_config("CNY", "100"))
    done = run_cli("plan", "--currency", "usd", "--count", "2", "--principal", "100")
    assert done.returncode == 0, done.stderr
    assert "    currency: USD\n" in done.stdout
    # 100.00 in two equal installments at 0%: 50.00 each, in dollars.
    assert "largest $50.00; total $100.00 of which interest $0.00" in done.stdout
