"""The calendar's content: a pure function of (config, payments, now) that returns the bytes
of an RFC 5545 ``VCALENDAR`` (SPEC §5). No clock, no files, no sockets.

The lines are written directly rather than through ``icalendar`` objects: building 36,000
events as objects takes about 30 s, writing them as text well under a second. The tests read
the output back with ``icalendar`` and ``vobject`` and check the line rules themselves.

Alarms: an all-day event starts at local midnight of its date, so each ``TRIGGER`` is the
exact time from that midnight (in the loan's zone) to the service's reminder instant. Only
hours, minutes and seconds are written (``-PT159H`` rather than ``-P6DT15H``): RFC 5545 counts
those exactly, so the alarm lands on the reminder instant even when a DST change lies between.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from reminderd import __version__, text
from reminderd.core import versions
from reminderd.durations import Lead, resolve_local
from reminderd.model import Config, Installment, Loan
from reminderd.standing import Standing, for_loan

PRODID = f"-//reminderd//reminderd {__version__}//EN"
CRLF = "\r\n"
MAX_LINE_OCTETS = 75

# Control characters are not allowed in iCalendar TEXT (tab is); user text may carry them.
_ONE_DAY = timedelta(days=1)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def uid(loan_id: str, number: int, version: int = 1) -> str:
    """Return the stable UID of installment ``number`` of loan ``loan_id``; a later plan
    version (SPEC §8) adds it, ``loan-v2-3@reminderd``, so version 1 keeps its UIDs."""
    if version > 1:
        return f"{loan_id}-v{version}-{number}@reminderd"
    return f"{loan_id}-{number}@reminderd"


def sequence(row: Standing, now: datetime) -> int:
    """Return the event's ``SEQUENCE``: it grows as the installment moves along
    unpaid → part paid → settled, and by one more once its due instant has passed.

    Derived from the standing alone, so it needs no stored state; a second partial payment
    changes the description without raising it (clients still take the newer ``DTSTAMP``).
    """
    if row.closed:  # superseded or rolled: one step past anything it showed before
        return 4
    paid_rank = 2 if row.settled else (1 if row.paid > 0 else 0)
    return paid_rank + (1 if now >= row.installment.due_at else 0)


def build_calendar(config: Config, paid: Mapping[str, Decimal], now: datetime) -> bytes:
    """Return the whole calendar: one all-day event per installment of every loan.

    ``paid`` is the total recorded as paid per loan id; ``now`` is an aware datetime, used
    for ``DTSTAMP`` and to tell overdue installments from upcoming ones.
    """
    return b"".join(calendar_chunks(config, paid, now))


def calendar_chunks(config: Config, paid: Mapping[str, Decimal], now: datetime) -> Iterator[bytes]:
    """The calendar of :func:`build_calendar`, a loan's events at a time, so that a writer
    need not hold the whole file (hundreds of MB for thousands of loans) in memory."""
    yield _fold(_calendar_head(config))
    stamp = _utc_stamp(now)
    texts = _Texts.of(config.locale)  # once per calendar: not per loan, not per event
    for loan in config.loans:
        standing = for_loan(loan, paid)
        shared = _LoanText.of(texts, loan)
        # Each chunk ends with CRLF, so folding chunk by chunk equals folding the whole.
        yield _fold("".join(_event(shared, row, now, stamp) for row in standing.rows))
    yield _fold("END:VCALENDAR\r\n")


def single_event_calendar(
    config: Config,
    loan: Loan,
    inst: Installment,
    paid: Mapping[str, Decimal],
    now: datetime,
) -> bytes:
    """Return a calendar holding only ``inst`` (for an e-mail attachment), with the same UID,
    summary and alarms as its event in :func:`build_calendar`."""
    standing = for_loan(loan, paid)
    row = next(
        (
            row
            for row in standing.rows
            if (row.installment.version, row.installment.number) == (inst.version, inst.number)
        ),
        Standing(inst, Decimal(0)),
    )
    shared = _LoanText.of(_Texts.of(config.locale), loan)
    chunks = [_calendar_head(config), _event(shared, row, now, _utc_stamp(now))]
    chunks.append("END:VCALENDAR\r\n")
    return _fold("".join(chunks))


def event_count(config: Config) -> int:
    """Return how many events :func:`build_calendar` writes for ``config``."""
    return sum(len(versions.installments(loan)) for loan in config.loans)


def alarm_triggers(inst: Installment, leads: tuple[Lead, ...]) -> list[timedelta]:
    """Return one trigger per lead, in the configured order (a lead that lands on the same
    instant as an earlier one is left out): the exact time from local midnight of the due date
    to the reminder instant ``lead.before(inst.due_at)``."""
    return list(_triggers(inst.due, inst.due_at, str(inst.due_at.tzinfo), leads))


@functools.lru_cache(maxsize=16384)
def _triggers(
    due: date, due_at: datetime, zone_name: str, leads: tuple[Lead, ...]
) -> tuple[timedelta, ...]:
    # Cached: thousands of installments share a due date, a time of day and their leads.
    # ``zone_name`` is part of the key because aware datetimes compare equal across zones.
    zone = due_at.tzinfo
    midnight = resolve_local(datetime.combine(due, time(0)), zone)  # type: ignore[arg-type]  # noqa: DTZ001
    start = midnight.astimezone(UTC)
    triggers: list[timedelta] = []
    for lead in leads:
        # In UTC: Python subtracts two datetimes of the same zone as wall-clock times.
        trigger = lead.before(due_at).astimezone(UTC) - start
        if trigger not in triggers:
            triggers.append(trigger)
    return tuple(triggers)


def _calendar_head(config: Config) -> str:
    refresh = _duration_value(config.calendar.refresh)
    name = _text(config.calendar.name)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{name}",
        f"X-WR-CALNAME:{name}",
        f"X-WR-TIMEZONE:{config.timezone.key}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}",
        f"X-PUBLISHED-TTL:{refresh}",
    ]
    return "".join(line + CRLF for line in lines)


@dataclass(frozen=True, eq=False)  # hashed by identity: one per locale, a cache key of _when
class _Texts:
    """The catalogue's calendar templates for one locale, looked up once per calendar."""

    locale: str
    marks: dict[str, str]  # by status: what the summary starts with
    summary: str
    summary_version: str
    description: str
    lender: str
    notes: str
    when: str
    alarm: str
    date: str

    @classmethod
    @functools.lru_cache(maxsize=8)
    def of(cls, locale: str) -> _Texts:
        """The templates for ``locale`` (English for a locale the catalogue lacks)."""
        loc = locale if locale in text.LOCALES else "en"
        marks = {
            status: text.t(f"calendar.mark.{status}", loc)
            for status in ("settled", "overdue", "superseded", "rolled")
        }
        return cls(
            loc,
            marks,
            text.t("calendar.summary", loc),
            text.t("calendar.summary.version", loc),
            text.t("calendar.description", loc),
            text.t("calendar.lender", loc),
            text.t("calendar.notes", loc),
            text.t("calendar.when", loc),
            text.t("calendar.alarm", loc),
            text.t("date", loc),
        )


@dataclass(frozen=True)
class _LoanText:
    """What every event of one loan shares, escaped once (36,000 events must stay fast)."""

    loan: Loan
    texts: _Texts
    zone_name: str
    money: Callable[[Decimal], str]
    description_tail: str  # lender and notes, escaped

    @classmethod
    def of(cls, texts: _Texts, loan: Loan) -> _LoanText:
        tail = []
        if loan.lender:
            tail.append(texts.lender.format(lender=loan.lender))
        if loan.notes:
            tail.append(texts.notes.format(notes=loan.notes))
        return cls(
            loan,
            texts,
            str(loan.timezone),
            _money(loan.currency, texts.locale),
            "".join("\\n" + _text(t) for t in tail),
        )


def _event(shared: _LoanText, row: Standing, now: datetime, stamp: str) -> str:
    """Return one folded ``VEVENT`` block, each line ending in CRLF."""
    loan, texts, inst, money = shared.loan, shared.texts, row.installment, shared.money
    amount = money(inst.amount)
    label = inst.label()
    status = row.status(now)
    mark = texts.marks.get(status, "")
    if inst.version > 1:
        base = texts.summary_version.format(
            loan=loan.name, version=inst.version, amount=amount, label=label
        )
    else:
        base = texts.summary.format(loan=loan.name, amount=amount, label=label)
    when = _when(inst.due_at, shared.zone_name, texts)
    description = texts.description.format(
        loan=loan.name,
        id=loan.id,
        when=when,
        amount=amount,
        paid=money(row.paid),
        outstanding=money(row.outstanding),
        balance=money(inst.balance_after),
    )
    parts = [
        "BEGIN:VEVENT\r\n",
        f"UID:{uid(loan.id, inst.number, inst.version)}" + CRLF,
        f"DTSTAMP:{stamp}\r\nSEQUENCE:{sequence(row, now)}\r\n"
        f"DTSTART;VALUE=DATE:{_ical_date(inst.due)}\r\n"
        f"DTEND;VALUE=DATE:{_ical_date(inst.due + _ONE_DAY)}\r\n",
        f"SUMMARY:{_text(mark + base)}" + CRLF,
        f"DESCRIPTION:{_text(description)}{shared.description_tail}" + CRLF,
        # A superseded installment is cancelled so that a subscribed calendar drops it.
        f"STATUS:{'CANCELLED' if row.superseded else 'CONFIRMED'}\r\nTRANSP:TRANSPARENT\r\n",
    ]
    if not row.settled and not row.closed:
        alarm_text = f"DESCRIPTION:{_text(texts.alarm.format(summary=base, when=when))}\r\n"
        triggers = _triggers(inst.due, inst.due_at, shared.zone_name, loan.reminders.before)
        parts.extend(
            f"BEGIN:VALARM\r\nACTION:DISPLAY\r\n{alarm_text}"
            f"TRIGGER:{_trigger_value(trigger)}\r\nEND:VALARM\r\n"
            for trigger in triggers
        )
    parts.append("END:VEVENT\r\n")
    return "".join(parts)


@functools.lru_cache(maxsize=16384)
def _ical_date(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


@functools.lru_cache(maxsize=16384)
def _when(due_at: datetime, zone_name: str, texts: _Texts) -> str:
    # English keeps the zone's abbreviation (``CST``); Chinese names the zone by its id,
    # since an abbreviation is English letters (and CST means three different zones).
    zone = zone_name if texts.locale == "zh_CN" else due_at.strftime("%Z")
    day = texts.date.format(year=due_at.year, month=due_at.month, day=due_at.day)
    return texts.when.format(date=day, time=f"{due_at:%H:%M}", zone=zone)


def stamp(now: datetime) -> str:
    """Return the ``DTSTAMP`` value every event of a calendar built at ``now`` carries (UTC,
    ``YYYYMMDDTHHMMSSZ``: always 16 characters). Raises ``ValueError`` for a naive ``now``."""
    return _utc_stamp(now)


def _utc_stamp(now: datetime) -> str:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _text(value: str) -> str:
    """Escape ``value`` as an iCalendar TEXT value (RFC 5545 §3.3.11)."""
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _money(currency: str, locale: str) -> Callable[[Decimal], str]:
    """The catalogue's money for one loan's currency, cached by amount: a loan's 36
    installments repeat their amounts, and thousands of loans share them."""
    return _money_cached(text.money_format(currency, locale))


@functools.lru_cache(maxsize=256)
def _money_cached(shown: Callable[[Decimal], str]) -> Callable[[Decimal], str]:
    return functools.lru_cache(maxsize=4096)(shown)


@functools.lru_cache(maxsize=1024)
def _trigger_value(trigger: timedelta) -> str:
    """Write ``trigger`` with exact units only: ``-PT15H``, ``PT9H``, ``PT0S``."""
    total = int(trigger.total_seconds())
    sign = "-" if total < 0 else ""
    return sign + _exact(abs(total))


def _exact(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    units = ((hours, "H"), (minutes, "M"), (secs, "S"))
    parts = [f"{value}{unit}" for value, unit in units if value]
    return "PT" + ("".join(parts) or "0S")


def _duration_value(lead: Lead) -> str:
    """Write a :class:`Lead` as an ISO 8601 duration (``P1D``, ``PT6H``, ``P1DT12H``)."""
    if lead.days and lead.seconds:
        return f"P{lead.days}D" + _exact(lead.seconds)[1:]
    if lead.days:
        return f"P{lead.days}D"
    return _exact(lead.seconds)


def _fold(document: str) -> bytes:
    """Encode ``document`` (unfolded lines, each ending in CRLF) as UTF-8 and fold every line
    longer than 75 octets, never inside a character; continuations start with a space
    (RFC 5545 §3.1). One pass over the whole text: far faster than line by line."""
    lines = document.encode().split(b"\r\n")
    return b"\r\n".join(
        line if len(line) <= MAX_LINE_OCTETS else b"\r\n ".join(_pieces(line)) for line in lines
    )


def _pieces(data: bytes) -> Iterator[bytes]:
    start = 0
    limit = MAX_LINE_OCTETS
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back up to its lead
            end -= 1
        yield data[start:end]
        start = end
        limit = MAX_LINE_OCTETS - 1  # room for the leading space
    yield data[start:]
