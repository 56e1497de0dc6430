"""The config file's schema: the single source for validation, the reference table in the
README, and the check that ``config.example.yaml`` covers every key.

``python -m reminderd.schema`` prints the reference table (Markdown).
"""

from __future__ import annotations

import functools
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from reminderd import money
from reminderd.durations import Lead, parse_duration, parse_step
from reminderd.validation import (
    Field,
    Invalid,
    ListOf,
    Struct,
    Tagged,
    Type,
    check_characters,
    to_amount,
    to_choice,
    to_date,
    to_decimal,
    to_due,
    to_int,
    to_rate,
    to_text,
    to_time,
)

MAX_INSTALLMENTS = 1200  # a hundred years of monthly payments; more is a mistake
MAX_LOANS = 100_000
# Across all loans: what keeps check and upcoming within seconds and a few hundred MB
# (figures in the README); a person's debts are far fewer.
MAX_TOTAL_INSTALLMENTS = 400_000


def _duration(text: str) -> Lead:
    try:
        return parse_duration(text)
    except ValueError as error:
        raise Invalid(str(error)) from None


def _duration_or_never(text: str) -> Lead | None:
    if text.strip().lower() == "never":
        return None
    lead = _duration(text)
    if lead.is_zero():
        raise Invalid('must be longer than 0 (write "never" to turn overdue reminders off)')
    return lead


def _step(text: str) -> object:
    try:
        return parse_step(text)
    except ValueError as error:
        raise Invalid(str(error)) from None


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone(text: str) -> ZoneInfo:
    name = text.strip()
    try:
        if "/" not in name and name != "UTC" and name not in _zone_names():
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        import difflib

        close = difflib.get_close_matches(name, sorted(_zone_names()), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise Invalid(
            f"unknown time zone {name!r}{hint}; use an IANA name such as Asia/Shanghai"
        ) from None


def _boolean(text: str) -> bool:
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise Invalid(f"write true or false, not {text.strip()!r}")
    return value == "true"


def _daily_rate(text: str) -> object:
    stripped = text.strip()
    if stripped.endswith("%"):
        value = to_decimal(stripped[:-1]) / 100
    else:
        value = to_decimal(stripped)
    if value < 0 or value > 1:
        raise Invalid(f"must be between 0 and 100% a day, got {stripped}")
    return value


def _fee(text: str) -> object:
    value = to_decimal(text)
    if value < 0:
        raise Invalid(f"must not be negative, got {text.strip()}")
    return value


def _currency(text: str) -> str:
    try:
        return money.check_currency(text)
    except money.CurrencyError as error:
        raise Invalid(str(error)) from None


def _country(text: str) -> str:
    code = text.strip().upper()
    country, _, subdivision = code.partition("-")
    import holidays

    supported = holidays.list_supported_countries()
    if country not in supported:
        raise Invalid(f"no holiday calendar for {text.strip()!r}; use a country code such as CN")
    if subdivision and subdivision not in supported[country]:
        raise Invalid(f"{country} has no subdivision {subdivision!r}")
    return code


def _listen(text: str) -> str:
    match = re.fullmatch(r"(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})", text.strip())
    if not match or not 0 < int(match.group(2)) < 65536:
        raise Invalid(f"not an address: {text!r} (write 127.0.0.1:8765 or [::1]:8765)")
    return text.strip()


# An addr-spec as people write them: no spaces, quotes, brackets or separators on either
# side of the @; the domain may be IDN text but not start or end with a dot.
_ADDR_SPEC = re.compile(r'[^@\s<>(),;:"\[\]\\]+@(?!\.)[^@\s<>(),;:"\[\]\\]+(?<!\.)')


def _mailboxes(text: str) -> list[str]:
    """The mailboxes in ``text`` (``a@x.com``, ``Jane <j@x.com>``, several with commas),
    each as it goes into a header; raise :class:`Invalid` naming what is not an address."""
    from email.headerregistry import Address
    from email.utils import getaddresses

    check_characters(text)
    found = getaddresses([text])
    # getaddresses glues words together where it cannot parse ("a@b.c Bcc: x" gives
    # "a@b.cBcc"): an address that is not written as such in the text is not one.
    if not found or any(not _ADDR_SPEC.fullmatch(addr) or addr not in text for _, addr in found):
        raise Invalid(f"not an e-mail address: {text.strip()!r} (write name@example.com)")
    try:
        return [str(Address(name, addr_spec=addr)) if name else addr for name, addr in found]
    except (ValueError, TypeError):
        raise Invalid(f"not an e-mail address: {text.strip()!r} (write name@example.com)") from None


def _address(text: str) -> str:
    mailboxes = _mailboxes(text)
    if len(mailboxes) > 1:
        raise Invalid(f"must be one address, got {len(mailboxes)}: {text.strip()!r}")
    return mailboxes[0]


def _recipients(text: str) -> tuple[str, ...]:
    # "a@x.com, b@y.com" in one string means two recipients: each gets its own RCPT TO.
    return tuple(_mailboxes(text))


DURATION = Type("a duration (30s, 2h, 1d, 1d12h, P1D)", _duration)
TIMEOUT = Type("a duration (30s)", _duration)
TEXT = Type("text", to_text())
LINE = Type("one line of text", to_text(one_line=True))  # a header, a host, a name
PATH = Type("a file path", to_text(4096, one_line=True))
AMOUNT = Type("an amount (1200.50)", to_amount)
DUE = Type("a date (YYYY-MM-DD) or date and time (YYYY-MM-DD HH:MM)", to_due)
STEP = Type("a step (1 month, 2 weeks, 14 days, 1 year)", _step)

REMINDER_FIELDS = (
    Field(
        "before",
        ListOf(DURATION, max_items=20, single_ok=True),
        "lead times before the due instant",
        default=("7d", "3d", "1d", "0d"),
    ),
    Field(
        "time",
        Type("a time of day (HH:MM or HH:MM:SS)", to_time),
        "local wall-clock time of the due instant",
        default="09:00",
    ),
    Field(
        "overdue_every",
        Type('a duration, or "never"', _duration_or_never),
        "repeat after a missed due date until paid",
        default="1d",
    ),
    Field(
        "channels",
        ListOf(Type("a channel name", to_choice("desktop", "email", "command", "apprise"))),
        "which channels get the reminders",
        default_doc="every configured channel",
    ),
)
REMINDERS = Struct(REMINDER_FIELDS, name="reminder settings")

EMAIL = Struct(
    (
        Field("host", LINE, "SMTP server", required=True),
        Field(
            "port",
            Type("a port", to_int(1, 65535)),
            "SMTP port",
            default_doc="587 (starttls), 465 (ssl), 25 (none)",
        ),
        Field(
            "security",
            Type("starttls | ssl | none", to_choice("starttls", "ssl", "none")),
            "how the connection is encrypted",
            default="starttls",
        ),
        Field("username", LINE, "login name; no login when absent"),
        Field("password_env", LINE, "name of the environment variable holding the password"),
        Field(
            "password_file",
            PATH,
            "file holding the password (must be private, mode 600); a relative name is "
            "looked up in $CREDENTIALS_DIRECTORY",
        ),
        Field("password", TEXT, "the password itself; only in a config file nobody else can read"),
        Field("from", Type("an e-mail address", _address), "the From: address", required=True),
        Field(
            "to",
            ListOf(Type("e-mail addresses", _recipients), min_items=1, single_ok=True),
            'recipients; "a@example.com, b@example.com" is two',
            required=True,
        ),
        Field("ca_file", PATH, "extra CA certificate(s) for a private mail server"),
        Field("timeout", TIMEOUT, "give up on one attempt after this long", default="30s"),
    ),
    name="e-mail settings",
    null_is_empty=False,
)

CHANNELS = Struct(
    (
        Field(
            "desktop",
            Struct(
                (
                    Field(
                        "backend",
                        Type(
                            "auto | dbus | desktop-notifier | plyer",
                            to_choice("auto", "dbus", "desktop-notifier", "plyer"),
                        ),
                        "auto: dbus on Linux, desktop-notifier on macOS and Windows (both "
                        "confirm delivery and show the buttons); plyer cannot confirm",
                        default="auto",
                    ),
                    Field("timeout", TIMEOUT, "give up after this long", default="10s"),
                )
            ),
            "desktop notifications; {} turns them on",
        ),
        Field("email", EMAIL, "e-mail over SMTP"),
        Field(
            "command",
            Struct(
                (
                    Field(
                        "argv",
                        ListOf(TEXT, min_items=1, max_items=100),
                        "program and arguments, run without a shell; details in REMINDERD_* "
                        "environment variables",
                        required=True,
                    ),
                    Field("timeout", TIMEOUT, "kill the program after this long", default="30s"),
                ),
                null_is_empty=False,
            ),
            "run a program for each reminder",
        ),
        Field(
            "apprise",
            Struct(
                (
                    Field(
                        "urls", ListOf(LINE, single_ok=True), "Apprise URLs (ntfy://, tgram://…)"
                    ),
                    Field("urls_env", LINE, "environment variable holding the URLs (secret)"),
                    Field("timeout", TIMEOUT, "give up after this long", default="30s"),
                ),
                null_is_empty=False,
            ),
            "push services through Apprise (pip install 'reminderd[apprise]')",
        ),
    ),
    name="channels",
)

CALENDAR = Struct(
    (
        Field(
            "path",
            PATH,
            "where the .ics file is written",
            default_doc="$XDG_DATA_HOME/reminderd/repayments.ics",
        ),
        Field("name", TEXT, "calendar name shown by calendar programs", default="Repayments"),
        Field(
            "serve",
            Struct(
                (
                    Field(
                        "listen",
                        Type("host:port", _listen),
                        "address of the subscription feed",
                        default="127.0.0.1:8765",
                    ),
                )
            ),
            "serve the calendar over HTTP for subscription",
        ),
        Field("refresh", DURATION, "how often subscribers should refresh", default="6h"),
    ),
    name="calendar settings",
)

COUNT = Type("a whole number", to_int(1, MAX_INSTALLMENTS))
RATE = Type("a yearly rate (0.18 or 18%)", to_rate)
FIRST_DUE = Field("first_due", DUE, "date of the first installment", required=True)
EVERY = Field("every", STEP, "time between installments", default="1 month")
ANNUAL_RATE = Field("annual_rate", RATE, "yearly interest rate; 0 = waived", default="0")
AMORTIZED = Struct(
    (
        Field("principal", AMOUNT, "amount borrowed", required=True),
        Field("count", COUNT, "number of installments", required=True),
        FIRST_DUE,
        EVERY,
        ANNUAL_RATE,
    )
)

PLAN = Tagged(
    "kind",
    {
        "once": Struct(
            (
                Field("due", DUE, "due date", required=True),
                Field("amount", AMOUNT, "amount due", required=True),
            )
        ),
        "list": Struct(
            (
                Field(
                    "installments",
                    ListOf(
                        Struct(
                            (
                                Field("due", DUE, "due date", required=True),
                                Field("amount", AMOUNT, "amount due", required=True),
                            ),
                            name="an installment",
                            null_is_empty=False,
                        ),
                        min_items=1,
                        max_items=MAX_INSTALLMENTS,
                    ),
                    "the agreed timetable, as written",
                    required=True,
                ),
            )
        ),
        "equal_principal": AMORTIZED,
        "annuity": AMORTIZED,
        "recurring": Struct(
            (
                Field("amount", AMOUNT, "amount of each payment", required=True),
                FIRST_DUE,
                EVERY,
                Field("count", COUNT, "number of payments (or until)"),
                Field("until", Type("a date (YYYY-MM-DD)", to_date), "last possible date"),
                Field(
                    "ongoing",
                    Type("true | false", _boolean),
                    "an open-ended bill (rent, a card's minimum), not a debt to pay off",
                    default="false",
                ),
            )
        ),
    },
)

OVERDUE = Struct(
    (
        Field(
            "daily_rate",
            Type("a daily rate (0.0005 or 0.05%)", _daily_rate),
            "penalty interest per day on the unpaid part (罚息)",
            default="0",
        ),
        Field(
            "fee",
            Type("an amount (50, or 0)", _fee),
            "charged once per installment still unpaid after the grace (违约金)",
            default="0",
        ),
        Field("grace", DURATION, "whole days after the due date before any cost", default="0d"),
    ),
    name="overdue terms",
)

AGREEMENT = Struct(
    (
        Field(
            "on",
            Type("a date (YYYY-MM-DD)", to_date),
            "the day the new terms take effect",
            required=True,
        ),
        Field("plan", PLAN, "the agreed plan (same kinds as plan)", required=True),
        Field("note", TEXT, "who agreed what, how (call, letter, agent number)"),
        Field("document", PATH, "the signed agreement; kept like a receipt (SHA-256)"),
        Field("overdue", OVERDUE, "overdue terms from `on`; keys given replace the loan's"),
    ),
    name="an agreement",
    null_is_empty=False,
)

LOAN = Struct(
    (
        Field(
            "id",
            Type(
                "an id ([a-z0-9_-]+)",
                to_text(64, r"[a-z0-9_-]+", "use only a-z, 0-9, _ and - (at most 64)"),
            ),
            "short unique name, used by the CLI and in calendar UIDs",
            required=True,
        ),
        Field("name", LINE, "shown to you", required=True),
        Field("lender", TEXT, "who is owed"),
        Field("notes", TEXT, "free text: hotline, account number…; shown in the calendar"),
        Field(
            "currency",
            Type("an ISO 4217 code", _currency),
            "this loan's currency",
            default_doc="the top-level currency",
        ),
        Field(
            "timezone",
            Type("an IANA zone name", _zone),
            "zone of this loan's due instants",
            default_doc="the top-level timezone",
        ),
        Field("plan", PLAN, "the repayment plan (kinds below)", required=True),
        Field("reminders", Struct(REMINDER_FIELDS), "overrides of the reminder defaults"),
        Field(
            "adjust",
            Type("none | preceding | following", to_choice("none", "preceding", "following")),
            "move a due date off weekends and holidays",
            default="none",
        ),
        Field(
            "holidays",
            Type("a country code (CN, US, US-CA)", _country),
            "holiday calendar for adjust",
            default_doc="weekends only",
        ),
        Field("overdue", OVERDUE, "what a late installment costs; keys override the defaults"),
        Field(
            "renegotiated",
            ListOf(AGREEMENT, min_items=1, max_items=100),
            "later agreements, oldest first; each is the next plan version",
        ),
    ),
    name="a loan",
    null_is_empty=False,
)

ROOT = Struct(
    (
        Field(
            "timezone",
            Type("an IANA zone name", _zone),
            "time zone of due instants and reminders",
            default_doc="the system's zone",
        ),
        Field(
            "locale",
            Type(
                "en | zh_CN",
                to_choice(
                    "en", "zh_CN", aliases={"zh": "zh_CN", "zh-CN": "zh_CN", "zh_Hans": "zh_CN"}
                ),
            ),
            "language of messages",
            default="en",
        ),
        Field("currency", Type("an ISO 4217 code", _currency), "default currency", default="CNY"),
        Field("reminders", REMINDERS, "reminder defaults; every loan may override any key"),
        Field("channels", CHANNELS, "where reminders go", default_doc="desktop only"),
        Field("calendar", CALENDAR, "the .ics calendar"),
        Field(
            "budget",
            Struct((Field("monthly", AMOUNT, "warn when a month's dues exceed this"),)),
            "your monthly repayment budget",
        ),
        Field("overdue", OVERDUE, "default overdue terms of every loan", default_doc="no cost"),
        Field("loans", ListOf(LOAN, max_items=MAX_LOANS), "every debt and its plan", required=True),
    ),
    name="the config",
    null_is_empty=False,
)


def _walk(struct: Struct | Tagged, prefix: str) -> list[tuple[str, Field]]:
    rows: list[tuple[str, Field]] = []
    if isinstance(struct, Tagged):
        for kind, variant in struct.variants.items():
            for key, spec in _walk(variant, prefix):
                rows.append((f"{key} ({struct.tag}: {kind})", spec))
        return rows
    for spec in struct.fields:
        path = f"{prefix}.{spec.key}" if prefix else spec.key
        rows.append((path, spec))
        inner = spec.type.item if isinstance(spec.type, ListOf) else spec.type
        if inner is PLAN and path != "loans[].plan":
            continue  # an agreement's plan takes the same keys as loans[].plan, listed there
        if isinstance(inner, Struct | Tagged):
            suffix = "[]" if isinstance(spec.type, ListOf) else ""
            rows.extend(_walk(inner, path + suffix))
    return rows


def all_keys() -> list[str]:
    """Every key path of the schema, e.g. ``loans[].plan.principal``."""
    return [path.split(" ")[0] for path, _ in _walk(ROOT, "")]


def reference_markdown() -> str:
    """The config reference table for the README, generated from this schema."""
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    seen = set()
    for path, spec in _walk(ROOT, ""):
        path = path.replace("(kind: equal_principal)", "(kind: equal_principal, annuity)")
        if path in seen or "(kind: annuity)" in path:
            continue
        seen.add(path)
        if spec.required:
            default = "required"
        elif spec.default_doc:
            default = spec.default_doc
        elif spec.default is None:
            default = "—"
        elif isinstance(spec.default, tuple):
            default = "[" + ", ".join(spec.default) + "]"
        else:
            default = str(spec.default)
        kind = getattr(spec.type, "name", "")
        cells = (f"`{path}`", kind, default, spec.doc)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(reference_markdown())  # noqa: T201
