"""Currencies from ISO 4217's list of active codes (the ``iso4217`` package), not a hand table.

The expectations are hand-picked from ISO 4217 list one (published 2026-01-01): CNY 2 places,
JPY/KRW/ISK 0, BHD 3, CLF 4, and HUF/IDR 2 (where Babel/CLDR's cash habit says 0). ANG (→ XCG,
2025), BGN (→ EUR, 2026) and ZWL (→ ZWG, 2024) were withdrawn; XAU/XXX have no minor unit.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from reminderd import money, schema
from reminderd.text import money as shown


@pytest.mark.parametrize(
    ("currency", "places"),
    [
        ("CNY", 2),
        ("USD", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("ISK", 0),
        ("BHD", 3),
        ("CLF", 4),
        ("HUF", 2),
        ("IDR", 2),
        ("IQD", 3),
        ("XCG", 2),
        ("ZWG", 2),
    ],
)
def test_minor_units_follow_iso_4217(currency: str, places: int) -> None:
    assert money.minor_units(currency) == places
    assert money.check_currency(currency.lower()) == currency


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        # HUF has 2 places in ISO 4217 (Babel would show 0): 1234.565 -> 1234.57 half-up.
        ("1234.565", "HUF", "1234.57"),
        # IDR 2 places: 99.995 -> 100.00.
        ("99.995", "IDR", "100.00"),
        # BHD 3 places: 0.0005 -> 0.001.
        ("0.0005", "BHD", "0.001"),
        # CLF 4 places: 1.00005 -> 1.0001.
        ("1.00005", "CLF", "1.0001"),
        # ISK 0 places: 2.5 -> 3.
        ("2.5", "ISK", "3"),
    ],
)
def test_rounding_uses_iso_places(amount: str, currency: str, expected: str) -> None:
    assert str(money.round_money(Decimal(amount), currency)) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        # Babel alone prints HUF and IDR without decimals; the ISO places are shown.
        ("1234.5", "HUF", "en", "HUF1,234.50"),
        ("1234.5", "IDR", "en", "IDR1,234.50"),
        ("1234.5", "BHD", "en", "BHD1,234.500"),
        ("1.25", "CLF", "en", "CLF1.2500"),
        # JPY 0 places: 1234.5 -> 1235 half-up; CNY and JPY stay told apart.
        ("1234.5", "JPY", "en", "¥1,235"),
        ("1234.5", "JPY", "zh_CN", "JP¥1,235"),
        ("1234.5", "CNY", "en", "CN¥1,234.50"),
        ("1234.5", "CNY", "zh_CN", "¥1,234.50"),
        ("-7", "USD", "en", "-$7.00"),
    ],
)
def test_formatting_shows_iso_places(
    amount: str, currency: str, locale: str, expected: str
) -> None:
    assert shown(Decimal(amount), currency, locale) == expected


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("ANG", ["ANG was withdrawn from ISO 4217", "2025-06-30", "XCG"]),
        ("BGN", ["BGN was withdrawn from ISO 4217", "EUR"]),
        ("ZWL", ["ZWL was withdrawn from ISO 4217", "ZWG"]),
        ("XAU", ["XAU has no minor unit", "cannot be a loan's currency"]),
        ("XXX", ["XXX has no minor unit"]),
        ("RMB", ["unknown currency 'RMB'"]),
    ],
)
def test_withdrawn_and_unit_less_codes_are_refused(code: str, words: list[str]) -> None:
    with pytest.raises(money.CurrencyError) as refused:
        money.check_currency(code)
    for word in words:
        assert word in str(refused.value)
    assert code not in money.KNOWN
    with pytest.raises(money.CurrencyError):
        money.minor_units(code)


@pytest.mark.parametrize(
    ("code", "history"),
    [
        # CLDR: the Netherlands Antillean guilder was tender in Curaçao and Sint Maarten until
        # 2025-06-30 (territories sorted, comma-joined), replaced there by the Caribbean guilder.
        ("ANG", "in use until 2025-06-30 in CW, SX; now XCG"),
        # Zimbabwe: two tender currencies started after ZWL did, so both are named, with "or".
        ("ZWL", "in use until 2024-08-31 in ZW; now USD or ZWG"),
        # The Cuban convertible peso: CUP, still tender, is older than CUC, so it is not
        # named as what replaced it; no "now" part at all.
        ("CUC", "in use until 2021-06-01 in CU"),
    ],
)
def test_withdrawn_code_names_where_it_ended_and_what_followed(code: str, history: str) -> None:
    with pytest.raises(money.CurrencyError) as refused:
        money.check_currency(code)
    assert str(refused.value) == (
        f"{code} was withdrawn from ISO 4217 ({history}); use the current code"
    )


def test_config_refuses_withdrawn_currency_with_the_reason() -> None:
    with pytest.raises(schema.Invalid, match="ANG was withdrawn from ISO 4217"):
        schema._currency(" ang ")
    assert schema._currency(" xcg ") == "XCG"


def test_data_file_scan_agrees_with_the_packages_api() -> None:
    import iso4217

    # The fast scan of table.xml must read what the package itself reads, every code.
    from_api = {currency.code: currency.exponent for currency in iso4217.Currency}
    assert money._iso_table() == from_api
    # 150+ active currencies at the 2026-01-01 edition, and only active ones.
    assert len(money.KNOWN) > 150
    assert {"ANG", "BGN", "ZWL"}.isdisjoint(from_api)


def test_importing_money_reads_no_currency_data() -> None:
    import subprocess
    import sys

    # The CLI's start-up (reminderd --version) must not pay for the ISO table.
    code = (
        "import sys, reminderd.money, reminderd.cli; "
        "print('iso4217' in sys.modules, reminderd.money._iso_table.cache_info().currsize)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "0"]
