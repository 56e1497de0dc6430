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

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from reminderd import __version__, plans
from reminderd.durations import Lead, resolve_local
from reminderd.model import Config, Installment, Loan
from reminderd.money import format_money
from reminderd.standing import Standing, allocate

PRODID = f"-//reminderd//reminderd {__version__}//EN"
CRLF = "\r\n"
MAX_LINE_OCTETS = 75

_TEXTS = {
    "en": {
        "paid": "✓ Paid: ",
        "overdue": "OVERDUE: ",
        "amount": "Amount",
        "paid_so_far": "Paid",
        "outstanding": "Outstanding",
        "balance_after": "Balance after",
        "due": "Due",
        "lender": "Lender",
        "notes": "Notes",
        "loan": "Loan",
        "alarm": "{summary} is due {when}",
    },
    "zh_CN": {
        "paid": "✓ 已还：",
        "overdue": "已逾期：",
        "amount": "金额",
        "paid_so_far": "已还",
        "outstanding": "未还",
        "balance_after": "还后余额",
        "due": "到期",
        "lender": "出借方",
        "notes": "备注",
        "loan": "借款",
        "alarm": "{summary} 将于 {when} 到期",
    },
}
# Control characters are not allowed in iCalendar TEXT (tab is); user text may carry them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def uid(loan_id: str, number: int) -> str:
    """Return the stable UID of installment ``number`` of loan ``loan_id``."""
    return f"{loan_id}-{number}@reminderd"


def sequence(row: Standing, now: datetime) -> int:
    """Return the event's ``SEQUENCE``: it grows as the installment moves along
    unpaid → part paid → settled, and by one more once its due instant has passed.

    Derived from the standing alone, so it needs no stored state; a second partial payment
    changes the description without raising it (clients still take the newer ``DTSTAMP``).
    """
    paid_rank = 2 if row.settled else (1 if row.paid > 0 else 0)
    return paid_rank + (1 if now >= row.installment.due_at else 0)


def build_calendar(config: Config, paid: Mapping[str, Decimal], now: datetime) -> bytes:
    """Return the whole calendar: one all-day event per installment of every loan.

    ``paid`` is the total recorded as paid per loan id; ``now`` is an aware datetime, used
    for ``DTSTAMP`` and to tell overdue installments from upcoming ones.
    """
    lines = _calendar_head(config)
    stamp = _utc_stamp(now)
    for loan in config.loans:
        standing = allocate(plans.installments(loan), paid.get(loan.id, Decimal(0)))
        for row in standing.rows:
            lines.extend(_event(config, loan, row, now, stamp))
    lines.append("END:VCALENDAR")
    return _serialize(lines)


def single_event_calendar(
    config: Config,
    loan: Loan,
    inst: Installment,
    paid: Mapping[str, Decimal],
    now: datetime,
) -> bytes:
    """Return a calendar holding only ``inst`` (for an e-mail attachment), with the same UID,
    summary and alarms as its event in :func:`build_calendar`."""
    standing = allocate(plans.installments(loan), paid.get(loan.id, Decimal(0)))
    row = next(
        (row for row in standing.rows if row.installment.number == inst.number),
        Standing(inst, Decimal(0)),
    )
    lines = _calendar_head(config)
    lines.extend(_event(config, loan, row, now, _utc_stamp(now)))
    lines.append("END:VCALENDAR")
    return _serialize(lines)


def event_count(config: Config) -> int:
    """Return how many events :func:`build_calendar` writes for ``config``."""
    return sum(len(plans.installments(loan)) for loan in config.loans)


def alarm_triggers(inst: Installment, leads: tuple[Lead, ...]) -> list[timedelta]:
    """Return one trigger per lead, in the configured order (a lead that lands on the same
    instant as an earlier one is left out): the exact time from local midnight of the due date
    to the reminder instant ``lead.before(inst.due_at)``."""
    zone = inst.due_at.tzinfo
    midnight = resolve_local(datetime.combine(inst.due, time(0)), zone)  # type: ignore[arg-type]  # noqa: DTZ001
    start = midnight.astimezone(UTC)
    triggers: list[timedelta] = []
    for lead in leads:
        # In UTC: Python subtracts two datetimes of the same zone as wall-clock times.
        trigger = lead.before(inst.due_at).astimezone(UTC) - start
        if trigger not in triggers:
            triggers.append(trigger)
    return triggers


def _calendar_head(config: Config) -> list[str]:
    refresh = _duration_value(config.calendar.refresh)
    name = _text(config.calendar.name)
    return [
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


def _event(config: Config, loan: Loan, row: Standing, now: datetime, stamp: str) -> list[str]:
    inst = row.installment
    texts = _TEXTS.get(config.locale, _TEXTS["en"])
    status = row.status(now)
    base = f"{loan.name} {format_money(inst.amount, loan.currency)} ({inst.label()})"
    summary = {"settled": texts["paid"], "overdue": texts["overdue"]}.get(status, "") + base
    when = inst.due_at.strftime("%Y-%m-%d %H:%M %Z")
    details = [
        (texts["loan"], f"{loan.name} ({loan.id})"),
        (texts["due"], when),
        (texts["amount"], format_money(inst.amount, loan.currency)),
        (texts["paid_so_far"], format_money(row.paid, loan.currency)),
        (texts["outstanding"], format_money(row.outstanding, loan.currency)),
        (texts["balance_after"], format_money(inst.balance_after, loan.currency)),
    ]
    if loan.lender:
        details.append((texts["lender"], loan.lender))
    if loan.notes:
        details.append((texts["notes"], loan.notes))
    description = "\n".join(f"{label}: {value}" for label, value in details)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid(loan.id, inst.number)}",
        f"DTSTAMP:{stamp}",
        f"SEQUENCE:{sequence(row, now)}",
        f"DTSTART;VALUE=DATE:{inst.due:%Y%m%d}",
        f"DTEND;VALUE=DATE:{inst.due + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{_text(summary)}",
        f"DESCRIPTION:{_text(description)}",
        "STATUS:CONFIRMED",
        "TRANSP:TRANSPARENT",
    ]
    if not row.settled:
        alarm_text = _text(texts["alarm"].format(summary=base, when=when))
        for trigger in alarm_triggers(inst, loan.reminders.before):
            lines.extend(
                (
                    "BEGIN:VALARM",
                    "ACTION:DISPLAY",
                    f"DESCRIPTION:{alarm_text}",
                    f"TRIGGER:{_trigger_value(trigger)}",
                    "END:VALARM",
                )
            )
    lines.append("END:VEVENT")
    return lines


def _utc_stamp(now: datetime) -> str:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _text(value: str) -> str:
    """Escape ``value`` as an iCalendar TEXT value (RFC 5545 §3.3.11)."""
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


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


def _serialize(lines: list[str]) -> bytes:
    return b"".join(_fold(line) for line in lines)


def _fold(line: str) -> bytes:
    """Encode ``line`` as UTF-8 and fold it into pieces of at most 75 octets, never inside a
    multi-byte character; each piece ends in CRLF, continuations start with a space."""
    data = line.encode()
    if len(data) <= MAX_LINE_OCTETS:
        return data + b"\r\n"
    return b"\r\n ".join(_pieces(data)) + b"\r\n"


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
