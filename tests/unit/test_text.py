"""The message catalogue: every key in both locales, money that tells CNY from JPY."""

from __future__ import annotations

import string
from datetime import date
from decimal import Decimal

import pytest

from reminderd.text import day, money, month, t
from reminderd.text.catalogue import EN, ZH_CN


def test_every_english_key_has_a_chinese_text_with_the_same_fields() -> None:
    assert set(EN) == set(ZH_CN)
    for key, english in EN.items():
        fields = {name for _, name, _, _ in string.Formatter().parse(english) if name}
        chinese = {name for _, name, _, _ in string.Formatter().parse(ZH_CN[key]) if name}
        assert fields == chinese, key


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [
        ("1234.5", "CNY", "zh_CN", "¥1,234.50"),
        ("1234.5", "CNY", "en", "CN¥1,234.50"),  # in English ¥ alone would read as yen
        ("1234", "JPY", "zh_CN", "JP¥1,234"),  # in Chinese ¥ alone would read as yuan
        ("1234", "JPY", "en", "¥1,234"),
        ("0.005", "USD", "en", "$0.01"),  # rounded half-up to the cent first
        ("-12", "EUR", "en", "-€12.00"),
    ],
)
def test_money_tells_the_currencies_apart(
    amount: str, currency: str, locale: str, shown: str
) -> None:
    assert money(Decimal(amount), currency, locale) == shown


def test_months_days_and_fallback() -> None:
    assert month("2027-03", "zh_CN") == "2027年3月"
    assert month("2027-03", "en") == "Mar 2027"
    assert day(date(2027, 3, 5), "zh_CN") == "2027年3月5日"
    assert t("page.pay", "fr") == "Paid"  # an unknown locale reads English
    with pytest.raises(KeyError):
        t("no.such.key", "en")
