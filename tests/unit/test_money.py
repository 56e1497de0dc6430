"""Money: decimal amounts at the currency's minor unit, rounded half-up, never floats."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminderd import money


@pytest.mark.parametrize(
    ("currency", "places"), [("CNY", 2), ("USD", 2), ("EUR", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3)]
)
def test_minor_units_known_currencies(currency: str, places: int) -> None:
    assert money.minor_units(currency) == places
    assert money.quantum(currency) == Decimal(1).scaleb(-places)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("2.345", "CNY", "2.35"),  # half-up, not banker's (2.34)
        ("2.335", "CNY", "2.34"),
        ("-2.345", "CNY", "-2.35"),
        ("0.5", "JPY", "1"),
        ("1.5", "JPY", "2"),
        ("2.5", "JPY", "3"),
        ("1.0005", "KWD", "1.001"),
    ],
)
def test_round_money_rounds_half_up(amount: str, currency: str, expected: str) -> None:
    assert str(money.round_money(Decimal(amount), currency)) == expected


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        ("1200", "CNY", "1200.00"),
        ("1,200.5", "CNY", "1200.50"),
        ("12.340", "CNY", "12.34"),
        ("100000", "JPY", "100000"),
        ("10.0", "JPY", "10"),
        ("1_000", "USD", "1000.00"),
    ],
)
def test_parse_amount_accepts_and_quantizes(text: str, currency: str, expected: str) -> None:
    assert str(money.parse_amount(text, currency)) == expected


@pytest.mark.parametrize(
    ("text", "currency", "words"),
    [
        ("12.345", "CNY", "too many decimals"),
        ("10.5", "JPY", "no decimals"),
        ("0", "CNY", "more than 0"),
        ("-1", "CNY", "negative"),
        ("1e3", "CNY", "not an amount"),
        ("abc", "CNY", "not an amount"),
        ("1000000000000000", "CNY", "too large"),
        ("12,00", "CNY", "the decimal mark is a point"),
        ("1.234,56", "CNY", "a comma only separates thousands"),
        ("1,2345", "CNY", "groups of three digits must follow it"),
    ],
)
def test_parse_amount_refuses_bad_text(text: str, currency: str, words: str) -> None:
    with pytest.raises(ValueError, match=words) as refused:
        money.parse_amount(text, currency)
    # The message quotes what the person typed, so a config with many amounts shows which.
    assert text in str(refused.value)


def test_format_money_symbol_and_separators() -> None:
    assert money.format_money(Decimal("1200.5"), "CNY") == "¥1,200.50"
    assert money.format_money(Decimal("33334"), "JPY") == "¥33,334"
    assert money.format_money(Decimal("-5"), "CHF") == "-5.00 CHF"
    # Nothing left to pay is ¥0.00, never "-¥0.00".
    assert money.format_money(Decimal("0"), "CNY") == "¥0.00"
    assert money.format_money(Decimal("0"), "CHF") == "0.00 CHF"
    assert money.format_money(Decimal("-0.01"), "USD") == "-$0.01"
    assert money.to_json(Decimal("7"), "USD") == "7.00"


@settings(max_examples=300, deadline=None)
@given(
    minor=st.integers(min_value=1, max_value=10**14 - 1),
    currency=st.sampled_from(["CNY", "JPY", "KWD"]),
)
def test_parse_amount_exact_minor_units_round_trip(minor: int, currency: str) -> None:
    places = money.minor_units(currency)
    amount = Decimal(minor).scaleb(-places)

    parsed = money.parse_amount(f"{amount:f}", currency)

    assert parsed == amount
    assert parsed.as_tuple().exponent == -places
