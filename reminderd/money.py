"""Money: Decimal amounts at a currency's minor unit, rounded half-up, formatted for people."""

from __future__ import annotations

import functools
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 minor units for the currencies people are likely to owe in; every other valid
# three-letter code from ``KNOWN`` uses 2.
_MINOR_UNITS_NOT_TWO = {
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "CLP": 0,
    "ISK": 0,
    "PYG": 0,
    "UGX": 0,
    "XAF": 0,
    "XOF": 0,
    "KMF": 0,
    "GNF": 0,
    "RWF": 0,
    "VUV": 0,
    "XPF": 0,
    "DJF": 0,
    "BIF": 0,
    "BHD": 3,
    "JOD": 3,
    "KWD": 3,
    "OMR": 3,
    "TND": 3,
    "IQD": 3,
    "LYD": 3,
}
KNOWN = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
    KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR
    MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
    SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
    UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL""".split()
)
_SYMBOLS = {
    "CNY": "¥",
    "JPY": "¥",
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "KRW": "₩",
    "HKD": "HK$",
    "TWD": "NT$",
    "INR": "₹",
    "RUB": "₽",
    "SGD": "S$",
    "AUD": "A$",
    "CAD": "C$",
    "MOP": "MOP$",
}
MAX_AMOUNT = Decimal("1e15")
_AMOUNT_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)
# Thousands groups as a person writes them: 1 to 3 digits, then groups of exactly three, all
# separated by the same mark (``1,200,000.50`` or ``1_200_000``); decimals never grouped.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?P<sep>[,_])\d{3}(?:(?P=sep)\d{3})*(\.\d*)?", re.ASCII)


class AmountError(ValueError):
    """An amount refused by :func:`parse_amount`: ``str()`` is the English reason; ``key``
    and ``fields`` say it again in a locale (``reminderd.text.t``)."""

    def __init__(self, key: str, **fields: object) -> None:
        from reminderd.text import t

        super().__init__(t(key, "en", **fields))
        self.key = key
        self.fields = fields

    def in_locale(self, locale: str) -> str:
        """The reason in ``locale``."""
        from reminderd.text import t

        return t(self.key, locale, **self.fields)


_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．＿＋－", "0123456789,._+-")


def minor_units(currency: str) -> int:
    """Return the number of decimal places of ``currency`` (2 unless ISO 4217 says otherwise)."""
    return _MINOR_UNITS_NOT_TWO.get(currency, 2)


@functools.cache
def quantum(currency: str) -> Decimal:
    """Return the smallest amount of ``currency`` as a Decimal exponent (``0.01``, ``1``)."""
    return Decimal(1).scaleb(-minor_units(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` half-up to the minor unit of ``currency``."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def parse_amount(text: str, currency: str, *, allow_zero: bool = False) -> Decimal:
    """Parse a decimal amount written by a person (``pay``, ``plan --principal/--budget``).

    Given ``1200``, ``1200.5`` or ``1,200.50`` (commas, or underscores, only between
    well-formed groups of three digits; full-width digits and commas count as ASCII ones),
    returns the Decimal at ``currency``'s minor unit. Raises ``ValueError`` with a readable
    reason when ``text`` is not such a number (``12,00``, ``1,5``, ``1.200,00``, ``1,2,3``),
    is negative (or zero, unless ``allow_zero``), is absurdly large, or has more decimals
    than ``currency`` has.
    """
    # A Chinese input method types full-width "１，２００"; read it as "1,200". Only those
    # forms: NFKC would also turn a superscript "1²" into "12".
    stripped = text.translate(_FULL_WIDTH).strip()
    if _AMOUNT_TEXT.fullmatch(stripped):
        cleaned = stripped
    elif _GROUPED.fullmatch(stripped):
        cleaned = stripped.replace(",", "").replace("_", "")
    else:
        raise _why_not_amount(text, stripped)
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover - the regex admits only valid text
        raise AmountError("amount.plain", text=text) from error
    if value < 0:
        raise AmountError("amount.negative", text=text)
    if value == 0 and not allow_zero:
        raise AmountError("amount.zero")
    if value >= MAX_AMOUNT:
        raise AmountError("amount.large", text=text)
    places = minor_units(currency)
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        if places == 0:
            raise AmountError("amount.no_decimals", text=text, currency=currency)
        raise AmountError("amount.decimals", text=text, currency=currency, places=places)
    return value.quantize(quantum(currency))


def _why_not_amount(text: str, stripped: str) -> AmountError:
    """The reason ``text`` is refused, naming the likely intent when it has separators."""
    decimal_comma = re.fullmatch(r"[+-]?(\d+),(\d{1,2})", stripped, re.ASCII)
    if decimal_comma:
        meant = f"{decimal_comma[1]}.{decimal_comma[2]}"
        return AmountError("amount.decimal_comma", text=text, meant=meant)
    if re.fullmatch(r"[+-]?[\d.,_]*\d[\d.,_]*", stripped, re.ASCII) and re.search(
        r"[,_]", stripped
    ):
        if re.search(r"\.\d*[,_]", stripped) or re.fullmatch(r"[^,]*\.[^,]*,\d{1,2}", stripped):
            return AmountError("amount.mixed", text=text)
        return AmountError("amount.groups", text=text)
    return AmountError("amount.plain", text=text)


def format_money(amount: Decimal, currency: str) -> str:
    """Format ``amount`` for people: symbol when known, thousands separators (``¥1,200.00``)."""
    places = minor_units(currency)
    body = f"{abs(amount):,.{places}f}"
    sign = "-" if amount < 0 else ""
    symbol = _SYMBOLS.get(currency)
    if symbol:
        return f"{sign}{symbol}{body}"
    return f"{sign}{body} {currency}"


def to_json(amount: Decimal, currency: str) -> str:
    """Return ``amount`` as the decimal string used in JSON output (``"1200.00"``)."""
    return f"{round_money(amount, currency):f}"
