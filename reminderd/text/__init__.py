"""One message catalogue (en, zh_CN) for what people read: ``t(key, locale, **fields)``.

The forecast's and the page's texts are in :mod:`.catalogue`, the other commands' in
:mod:`.cli`, what commands refuse in :mod:`.errors`, the reminders' in :mod:`.reminders`, the
calendar's in :mod:`.calendar`; :data:`LOCALES` is their union.
Money is formatted by :func:`money` with Babel's CLDR data, so CNY reads ``¥`` in Chinese and
``CN¥`` in English while JPY reads ``JP¥`` in Chinese and ``¥`` in English: a person never
mistakes one for the other. A key missing from a locale falls back to English; a key missing
from English is a bug (``KeyError``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from reminderd.text import calendar, catalogue, cli, errors, reminders

TABLES = (catalogue, cli, errors, reminders, calendar)
EN: dict[str, str] = {key: value for table in TABLES for key, value in table.EN.items()}
ZH_CN: dict[str, str] = {key: value for table in TABLES for key, value in table.ZH_CN.items()}
LOCALES = {"en": EN, "zh_CN": ZH_CN}
_BABEL_LOCALE = {"en": "en", "zh_CN": "zh_Hans_CN"}


def t(key: str, locale: str, **fields: object) -> str:
    """The text for ``key`` in ``locale`` (English when the locale lacks it), with ``fields``
    filled in by ``str.format``. Raises ``KeyError`` for a key English does not have."""
    table = LOCALES.get(locale, EN)
    template = table.get(key)
    if template is None:
        template = EN[key]
    return template.format(**fields) if fields else template


def money(amount: Decimal, currency: str, locale: str) -> str:
    """``amount`` of ``currency`` for people in ``locale`` (``¥1,234.50``, ``CN¥1,234.50``,
    ``JP¥1,234``), at the currency's ISO 4217 minor unit, with CLDR's symbols via Babel."""
    import copy

    from babel import Locale

    from reminderd import money as amounts

    places = amounts.minor_units(currency)
    rounded = amounts.round_money(amount, currency)
    where = Locale.parse(_BABEL_LOCALE.get(locale, "en"))
    # Babel's digits are CLDR's cash habits (HUF, IDR, IQD: 0), not ISO 4217's minor units the
    # amounts are kept in (HUF 2): show exactly the ISO places, so no filler is shown/hidden.
    pattern = copy.copy(where.currency_formats["standard"])
    pattern.frac_prec = (places, places)
    return pattern.apply(rounded, where, currency=currency, currency_digits=False)


def money_format(currency: str, locale: str) -> Callable[[Decimal], str]:
    """A function that formats amounts of ``currency`` in ``locale`` exactly as :func:`money`
    does, some ten times faster: the calendar formats 100,000 amounts per build.

    Babel is asked once per (currency, locale) how zero looks (``CN¥0.00``, ``0.00 CHF``);
    a non-negative amount is then Python's own ``f"{value:,.2f}"`` between that prefix and
    suffix. Whatever the shape cannot vouch for (negative amounts, a locale whose
    separators are not ``,``/``.``, CLDR digits that differ from the currency's minor
    unit) goes to :func:`money` itself."""
    return _money_format(currency, locale)


@functools.lru_cache(maxsize=256)
def _money_format(currency: str, locale: str) -> Callable[[Decimal], str]:
    from reminderd import money as amounts

    def slow(amount: Decimal) -> str:
        return money(amount, currency, locale)

    places = amounts.minor_units(currency)
    zero = money(Decimal(0), currency, locale)
    body = "0." + "0" * places if places else "0"
    found = re.search(rf"(?<![\d.,]){re.escape(body)}(?![\d.,])", zero)
    if found is None or money(Decimal("1234567.5"), currency, locale) != zero.replace(
        body, f"{Decimal('1234567.5'):,.{places}f}"
    ):
        return slow
    prefix, suffix = zero[: found.start()], zero[found.end() :]
    pattern = f",.{places}f"
    round_money = amounts.round_money

    def fast(amount: Decimal) -> str:
        if amount < 0:
            return slow(amount)
        return f"{prefix}{round_money(amount, currency):{pattern}}{suffix}"

    return fast


def step(count: int, unit: str, locale: str) -> str:
    """A plan's period for people: ``1 month``, ``2 weeks`` / ``1 个月``, ``2 周``."""
    return t(f"step.{unit}" if count == 1 else f"step.{unit}s", locale, count=count)


def state(status: str, locale: str) -> str:
    """An installment's ``status`` (``overdue``, ``upcoming``…) as a table shows it."""
    return t(f"state.{status}", locale)


def money_whole(amount: Decimal, currency: str, locale: str) -> str:
    """``amount`` without decimals, for a chart's axis (``¥2,500``, ``CN¥2,500``)."""
    from babel.numbers import format_currency

    return format_currency(
        amount,
        currency,
        format="¤#,##0",
        currency_digits=False,
        locale=_BABEL_LOCALE.get(locale, "en"),
    )


def month(label: str, locale: str) -> str:
    """A ``YYYY-MM`` month for people: ``Mar 2027`` or ``2027年3月``."""
    year, number = (int(part) for part in label.split("-"))
    if locale == "zh_CN":
        return f"{year}年{number}月"
    return f"{_MONTHS[number - 1]} {year}"


def short_month(label: str, locale: str) -> str:
    """A ``YYYY-MM`` month for a chart's axis: ``Mar`` / ``3月``, with the year in January."""
    year, number = (int(part) for part in label.split("-"))
    if locale == "zh_CN":
        return f"{year % 100:02d}年{number}月" if number == 1 else f"{number}月"
    return f"{_MONTHS[number - 1]} {year % 100:02d}" if number == 1 else _MONTHS[number - 1]


def day(value: date, locale: str) -> str:
    """A date for people: ``5 Mar 2027`` or ``2027年3月5日``."""
    if locale == "zh_CN":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
