"""Amount text as people write it (``pay``, ``plan --principal``): the value recorded is the
value a person reads, or the text is refused with the reason (issue 12, item 1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminderd import money


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200", "1200.00"),
        ("1200.5", "1200.50"),
        ("1,200.50", "1200.50"),  # one thousand two hundred and a half
        ("1,200", "1200.00"),
        ("12,345,678.9", "12345678.90"),
        ("999,999", "999999.00"),
        ("１，２００．５", "1200.50"),  # full-width, as a Chinese input method types it
        (" 7 ", "7.00"),
        (".5", "0.50"),  # no leading zero, as on a calculator
        ("12.", "12.00"),  # a trailing point
    ],
)
def test_well_formed_amounts_are_read_as_written(text: str, expected: str) -> None:
    assert str(money.parse_amount(text, "CNY")) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("12,00", "decimal mark is a point"),  # was ¥1,200.00
        ("1,5", "decimal mark is a point"),  # was ¥15.00
        ("1.200,00", "decimal mark is a point"),  # was ¥1.20
        ("1,2,3", "groups of three digits"),  # was ¥123
        ("1,2000", "groups of three digits"),
        (",200", "groups of three digits"),
        ("1,,200", "groups of three digits"),
        ("1,000_000", "groups of three digits"),  # two different separators
        ("1,200.5,0", "decimal mark is a point"),
        ("1²", "not an amount"),  # NFKC would have read 12
    ],
)
def test_malformed_groups_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        money.parse_amount(text, "CNY")


def _read_like_a_person(text: str) -> Decimal:
    """The value of ``text`` read digit by digit: the digits before the point are the whole
    part, those after it the fraction; separators carry no value. No parsing library."""
    whole, fraction, seen_point = 0, Decimal(0), False
    scale = Decimal(1)
    for char in text.strip():
        if char in "+-,_ ":
            continue
        if char == ".":
            seen_point = True
            continue
        digit = "0123456789".index(char)  # anything else must have been refused
        if seen_point:
            scale /= 10
            fraction += digit * scale
        else:
            whole = whole * 10 + digit
    return whole + fraction


def _groups_ok(text: str) -> bool:
    """Every separator of an accepted text is followed by exactly three digits."""
    body = text.strip().split(".")[0]
    for separator in ",_":
        if separator in body:
            head, *groups = body.split(separator)
            if not 1 <= len(head.lstrip("+-")) <= 3 or any(len(g) != 3 for g in groups):
                return False
    return True


@settings(max_examples=500, deadline=None)
@given(
    whole=st.integers(min_value=0, max_value=10**14),
    cents=st.integers(min_value=0, max_value=99),
    decimals=st.sampled_from([0, 1, 2]),
    grouped=st.booleans(),
)
def test_any_rendered_amount_parses_to_the_number_written(
    whole: int, cents: int, decimals: int, grouped: bool
) -> None:
    # Render as a person would ("1,234,567.05" or "1234567.05") and read it back.
    value = Decimal(whole) + (Decimal(cents).scaleb(-2) if decimals else 0)
    if decimals == 1:
        value = Decimal(whole) + Decimal(cents // 10).scaleb(-1)
    if value == 0:
        return  # zero is refused: asserted in test_money
    rendered = f"{value:,f}" if grouped else f"{value:f}"

    assert money.parse_amount(rendered, "CNY") == value


@settings(max_examples=2000, deadline=None)
@given(text=st.text(alphabet="0123456789,._+- ", max_size=16))
def test_any_accepted_text_means_what_its_digits_say(text: str) -> None:
    try:
        parsed = money.parse_amount(text, "CNY")
    except ValueError:
        return  # a refusal always names the reason: asserted above
    # Accepted: no digit dropped, none moved across the point, no misplaced separator.
    assert parsed == _read_like_a_person(text)
    assert _groups_ok(text)
