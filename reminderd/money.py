"""Money: Decimal amounts at a currency's minor unit, rounded half-up, formatted for people."""

from __future__ import annotations

import functools
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Which currencies exist, and their minor units, come from ISO 4217's own list of active codes
# as the ``iso4217`` package ships it (``table.xml``, list one of the standard), read on first
# use: importing that package parses the XML into an enum (~15 ms), more than the CLI's start-up
# can spare, so the file is scanned here with one regular expression (well under 1 ms).
_ENTRY = re.compile(
    rb"<Ccy>\s*([A-Z]{3})\s*</Ccy>\s*<CcyNbr>[^<]*</CcyNbr>\s*<CcyMnrUnts>\s*([^<]*?)\s*</CcyMnrUnts>"
)


class CurrencyError(ValueError):
    """A currency code refused as a loan's currency: ``str()`` is the reason, in English
    (config errors are English, SPEC §config)."""


@functools.cache
def _iso_table() -> dict[str, int | None]:
    """Return ISO 4217's active codes -> minor units (``None`` where ISO says ``N.A.``: gold,
    funds, ``XXX``), from the ``iso4217`` package's data file."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("iso4217")  # locates the package without running it
    origin = spec.origin if spec else None
    table = Path(origin).with_name("table.xml") if origin else None
    if table is not None and table.is_file():
        found = {
            code.decode(): int(units) if units.isdigit() else None
            for code, units in _ENTRY.findall(table.read_bytes())
        }
        if found:
            return found
    # The data file moved in some future release: ask the package's API instead (slower).
    import iso4217

    return {currency.code: currency.exponent for currency in iso4217.Currency}


def __getattr__(name: str) -> object:
    """``KNOWN``: the codes a loan may be in (active in ISO 4217, with a minor unit), built on
    first use so that importing this module reads no data."""
    if name == "KNOWN":
        return _known()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _known() -> frozenset[str]:
    return frozenset(code for code, units in _iso_table().items() if units is not None)


def check_currency(text: str) -> str:
    """Given a currency code as written (``cny``, `` USD``), return it upper-cased when it is
    an active ISO 4217 currency with a minor unit. Raises :class:`CurrencyError` naming why
    not: withdrawn from ISO 4217 (and its successor), no minor unit (``XAU``), or unknown."""
    code = text.strip().upper()
    table = _iso_table()
    if code in table:
        if table[code] is None:
            raise CurrencyError(
                f"{code} has no minor unit in ISO 4217 (a metal, fund or special code), "
                "so it cannot be a loan's currency; use a currency such as CNY, USD"
            )
        return code
    withdrawn = _withdrawal(code)
    if withdrawn:
        raise CurrencyError(
            f"{code} was withdrawn from ISO 4217 ({withdrawn}); use the current code"
        )
    raise CurrencyError(f"unknown currency {text.strip()!r}; use an ISO 4217 code such as CNY, USD")


def _withdrawal(code: str) -> str | None:
    """When ``code`` is a currency CLDR (via Babel) says was once tender, return when it ended
    and what replaced it (``in use until 2025-06-30 in CW, SX; now XCG``); else ``None``."""
    from babel.core import get_global

    # (end, territory, successors) for each territory that used ``code``; the message names
    # those where it ended last (ANG: Curaçao and Sint Maarten in 2025, not Aruba in 1986).
    ended: list[tuple[tuple[int, int, int], str, set[str]]] = []
    active = _iso_table()
    for territory, history in get_global("territory_currencies").items():
        for currency, start, end, _tender in history:
            if currency != code or end is None:
                continue
            successors = {
                other
                for other, other_start, other_end, other_tender in history
                if other_end is None
                and other_tender
                and active.get(other) is not None
                and (other_start or (0, 0, 0)) >= (start or (0, 0, 0))
            }
            ended.append((end, territory, successors))
    if not ended:
        return None
    last = max(end for end, _territory, _successors in ended)
    places = sorted(territory for end, territory, _successors in ended if end == last)
    now = sorted(set().union(*(later for end, _territory, later in ended if end == last)))
    text = f"in use until {last[0]:04d}-{last[1]:02d}-{last[2]:02d} in {', '.join(places)}"
    return f"{text}; now {' or '.join(now)}" if now else text


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
    """Return the number of decimal places of ``currency`` per ISO 4217 (CNY 2, JPY 0, BHD 3,
    CLF 4). Raises :class:`CurrencyError` for a code that is not an active currency with a
    minor unit (config and ``plan`` refuse those before any amount is read)."""
    units = _iso_table().get(currency)
    if units is None:
        check_currency(currency)  # raises the reason
        raise CurrencyError(f"unknown currency {currency!r}")  # pragma: no cover
    return units


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
