"""The calendar's content, read back by three independent readers: ``icalendar``, ``vobject``
and a strict RFC 5545 line reader written here."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from reminderd import plans, reminders
from reminderd.calendar import content
from reminderd.config import parse
from reminderd.durations import resolve_local

NOW = datetime(2026, 12, 1, tzinfo=UTC)

BASE = """
timezone: Asia/Shanghai
locale: {locale}
currency: CNY
reminders: {{before: [7d, 3d, 1d, 0d], time: "09:00", overdue_every: 1d}}
calendar: {{name: 还款计划, refresh: 6h}}
loans:
  - id: wallet-a
    name: Wallet A
    lender: Example Finance; Ltd.
    notes: "Hotline 400-000-0000, contract EX-0001 — 合同编号 甲乙丙丁戊己庚辛壬癸子丑寅卯"
    plan: {{kind: equal_principal, principal: 12000, count: 12, first_due: 2026-12-15,
            every: 1 month, annual_rate: 0}}
    reminders: {{before: [5d, 1d, 0d]}}
  - id: consumer-b
    name: 消费贷 B
    plan: {{kind: annuity, principal: 30000, count: 24, first_due: 2026-12-31,
            every: 1 month, annual_rate: 7.2%}}
  - id: card-c
    name: Card C
    plan:
      kind: list
      installments:
        - {{due: 2026-11-20, amount: 1500}}
        - {{due: "2027-02-20 18:00", amount: 2000.50}}
    reminders: {{before: [2h, 1d, 3d], time: "10:00"}}
"""


def make_config(text: str, tmp_path: Path | None = None):
    path = (tmp_path or Path("/nonexistent")) / "config.yaml"
    return parse(textwrap.dedent(text).encode(), path)


@pytest.fixture
def config():
    return make_config(BASE.format(locale="en"))


def strict_lines(data: bytes) -> list[str]:
    """Unfold ``data`` as RFC 5545 §3.1 says, failing on any line that does not end in CRLF,
    is longer than 75 octets, or is not valid UTF-8 on its own."""
    assert data.endswith(b"\r\n")
    physical = data[:-2].split(b"\r\n")
    logical: list[bytes] = []
    for line in physical:
        assert b"\r" not in line and b"\n" not in line, line
        assert len(line) <= 75, (len(line), line)
        line.decode("utf-8")  # a fold never splits a character
        if line.startswith(b" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return [line.decode("utf-8") for line in logical]


def vevents(data: bytes) -> list:
    return [c for c in icalendar.Calendar.from_ical(data).walk("VEVENT")]


def by_uid(data: bytes) -> dict:
    return {str(event["UID"]): event for event in vevents(data)}


def test_build_calendar_lines_crlf_folded_at_75_octets(config):
    data = content.build_calendar(config, {}, NOW)
    lines = strict_lines(data)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert any(len(line.encode()) > 75 for line in lines)  # folding was exercised
    notes = next(line for line in lines if line.startswith("DESCRIPTION:Loan: Wallet A"))
    assert "合同编号 甲乙丙丁戊己庚辛壬癸子丑寅卯" in notes


def test_build_calendar_properties_present(config):
    calendar = icalendar.Calendar.from_ical(content.build_calendar(config, {}, NOW))
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"].startswith("-//reminderd//")
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["NAME"] == "还款计划"
    assert calendar["X-WR-CALNAME"] == "还款计划"
    assert calendar["X-WR-TIMEZONE"] == "Asia/Shanghai"
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=6)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar["X-PUBLISHED-TTL"] == "PT6H"


def test_build_calendar_vobject_reads_every_event(config):
    parsed = vobject.readOne(content.build_calendar(config, {}, NOW).decode())
    events = parsed.vevent_list
    assert len(events) == content.event_count(config) == 12 + 24 + 2
    names = {event.summary.value for event in events}
    assert sum(name.startswith("消费贷 B CN¥") and name.endswith("/24)") for name in names) == 24
    first = next(e for e in events if e.uid.value == "wallet-a-1@reminderd")
    assert first.dtstart.value == date(2026, 12, 15)
    assert first.dtend.value == date(2026, 12, 16)
    assert first.summary.value == "Wallet A CN¥1,000.00 (1/12)"
    assert "Lender: Example Finance; Ltd." in first.description.value
    assert [alarm.trigger.value for alarm in first.valarm_list] == [
        timedelta(hours=-111),
        timedelta(hours=-15),
        timedelta(hours=9),
    ]


def test_build_calendar_events_are_all_day_with_exclusive_end(config):
    for event in vevents(content.build_calendar(config, {}, NOW)):
        start, end = event["DTSTART"], event["DTEND"]
        assert start.params.get("VALUE") == "DATE"
        assert type(start.dt) is date
        assert end.dt == start.dt + timedelta(days=1)
        assert event["TRANSP"] == "TRANSPARENT"
        assert event["DTSTAMP"].dt == NOW


def test_build_calendar_uids_same_across_exports_and_payments(config):
    before = by_uid(content.build_calendar(config, {}, NOW))
    after = by_uid(
        content.build_calendar(
            config, {"wallet-a": Decimal("2500"), "消费贷": Decimal(1)}, NOW + timedelta(days=40)
        )
    )
    assert set(before) == set(after)
    assert "wallet-a-12@reminderd" in before and "consumer-b-24@reminderd" in before


def test_build_calendar_payment_marks_paid_and_raises_sequence(config):
    unpaid = by_uid(content.build_calendar(config, {}, NOW))
    paid = by_uid(content.build_calendar(config, {"wallet-a": Decimal("1500")}, NOW))
    first, second = paid["wallet-a-1@reminderd"], paid["wallet-a-2@reminderd"]
    assert first["SUMMARY"] == "✓ Paid: Wallet A CN¥1,000.00 (1/12)"
    assert first.walk("VALARM") == []
    assert "Paid: CN¥500.00" in second["DESCRIPTION"]
    assert "Outstanding: CN¥500.00" in second["DESCRIPTION"]
    assert second.walk("VALARM")  # part paid: still reminded
    for uid in ("wallet-a-1@reminderd", "wallet-a-2@reminderd"):
        assert paid[uid]["SEQUENCE"] > unpaid[uid]["SEQUENCE"]
    assert paid["wallet-a-3@reminderd"]["SEQUENCE"] == unpaid["wallet-a-3@reminderd"]["SEQUENCE"]


def test_sequence_path_unpaid_to_settled_never_decreases(config):
    loan = config.loan("wallet-a")
    inst = plans.installments(loan)[0]
    steps = [
        (Decimal(0), NOW),
        (Decimal(0), inst.due_at),  # now overdue
        (Decimal(300), inst.due_at + timedelta(days=1)),
        (Decimal(1000), inst.due_at + timedelta(days=2)),
    ]
    sequences = []
    for amount, now in steps:
        data = content.single_event_calendar(config, loan, inst, {"wallet-a": amount}, now)
        sequences.append(int(vevents(data)[0]["SEQUENCE"]))
    assert sequences == sorted(sequences) and len(set(sequences)) == 4


def test_build_calendar_overdue_marked_and_description_complete(config):
    events = by_uid(content.build_calendar(config, {}, NOW))
    overdue = events["card-c-1@reminderd"]
    assert overdue["SUMMARY"] == "OVERDUE: Card C CN¥1,500.00 (1/2)"
    description = str(events["wallet-a-2@reminderd"]["DESCRIPTION"])
    for part in (
        "Amount: CN¥1,000.00",
        "Paid: CN¥0.00",
        "Outstanding: CN¥1,000.00",
        "Balance after: CN¥10,000.00",
        "Lender: Example Finance; Ltd.",
        "Notes: Hotline 400-000-0000, contract EX-0001",
        "Due: 2027-01-15 09:00 CST",
    ):
        assert part in description


def test_build_calendar_zh_cn_marks_localised():
    config = make_config(BASE.format(locale="zh_CN"))
    events = by_uid(content.build_calendar(config, {"wallet-a": Decimal(1000)}, NOW))
    assert events["wallet-a-1@reminderd"]["SUMMARY"] == "✓ 已还：Wallet A ¥1,000.00（第1/12期）"
    assert events["card-c-1@reminderd"]["SUMMARY"] == "已逾期：Card C ¥1,500.00（第1/2期）"
    assert str(events["consumer-b-1@reminderd"]["SUMMARY"]).startswith("消费贷 B ¥")
    assert "还后余额" in events["wallet-a-2@reminderd"]["DESCRIPTION"]


def test_build_calendar_same_inputs_same_bytes(config):
    paid = {"wallet-a": Decimal("1234.56")}
    assert content.build_calendar(config, paid, NOW) == content.build_calendar(config, paid, NOW)


def test_build_calendar_naive_now_rejected(config):
    with pytest.raises(ValueError, match="aware"):
        content.build_calendar(config, {}, datetime(2026, 1, 1))  # noqa: DTZ001


def test_build_calendar_inline_password_never_included(tmp_path):
    text = BASE.format(locale="en") + textwrap.dedent(
        """
        channels:
          email:
            host: smtp.example.com
            port: 465
            security: ssl
            username: me@example.com
            password: "hunter2-very-secret"
            from: "Repayments <me@example.com>"
            to: [me@example.com]
        """
    )
    config = make_config(text, tmp_path)
    data = content.build_calendar(config, {}, NOW)
    assert b"hunter2" not in data and b"smtp.example.com" not in data


def test_build_calendar_control_characters_and_escapes_survive_round_trip(tmp_path):
    text = BASE.format(locale="en").replace(
        'notes: "Hotline', 'notes: "a\\\\b;c,d\\nsecond line\\u0007 Hotline'
    )
    config = make_config(text, tmp_path)
    data = content.build_calendar(config, {}, NOW)
    strict_lines(data)
    description = str(by_uid(data)["wallet-a-1@reminderd"]["DESCRIPTION"])
    assert "Notes: a\\b;c,d\nsecond line Hotline" in description


def test_alarm_triggers_examples_from_spec(config):
    card = config.loan("card-c")
    second = plans.installments(card)[1]  # due 2027-02-20 18:00, leads 2h, 1d, 3d
    assert content.alarm_triggers(second, card.reminders.before) == [
        timedelta(hours=16),
        timedelta(hours=-6),
        timedelta(hours=-54),
    ]
    wallet = config.loan("wallet-a")
    first = plans.installments(wallet)[0]  # 09:00, leads 5d, 1d, 0d
    assert content.alarm_triggers(first, wallet.reminders.before)[1:] == [
        timedelta(hours=-15),
        timedelta(hours=9),
    ]
    lines = strict_lines(content.build_calendar(config, {}, NOW))
    assert "TRIGGER:-PT15H" in lines and "TRIGGER:PT9H" in lines and "TRIGGER:PT16H" in lines


DST_CASES = {
    # zone, due dates around the zone's changes, due time, leads
    "new-york-spring": ("America/New_York", "2027-03-14", "09:00", "[7d, 1d, 0d, 2h, 30m]"),
    "new-york-autumn": ("America/New_York", "2027-11-07", "01:30", "[1d, 0d, 1h, 3d12h]"),
    "new-york-day-after": ("America/New_York", "2027-03-15", "09:00", "[1d, 0d, 26h]"),
    "shanghai": ("Asia/Shanghai", "2027-01-31", "09:00", "[7d, 3d, 1d, 0d]"),
    "london-spring": ("Europe/London", "2027-03-28", "00:30", "[1d, 0d]"),
}


# The instants (UTC) each case's three daily installments must be reminded at, in the
# configured order of the leads, worked out by hand: a day lead keeps the local time N days
# earlier, an hour or minute lead is an exact duration.
DST_EXPECTED = {
    # DST starts Sun 2027-03-14 02:00: 09:00 is 13:00Z from the 14th, 14:00Z before it.
    "new-york-spring": [
        ["03-07 14:00", "03-13 14:00", "03-14 13:00", "03-14 11:00", "03-14 12:30"],
        ["03-08 14:00", "03-14 13:00", "03-15 13:00", "03-15 11:00", "03-15 12:30"],
        ["03-09 14:00", "03-15 13:00", "03-16 13:00", "03-16 11:00", "03-16 12:30"],
    ],
    # DST ends Sun 2027-11-07 02:00 EDT → 01:00 EST: 01:30 that day happens twice and is
    # taken the first time (EDT, 05:30Z); the 8th and 9th at 01:30 EST are 06:30Z. 3d12h:
    # three days earlier at 01:30 EDT (05:30Z), then 12 hours more.
    "new-york-autumn": [
        ["11-06 05:30", "11-07 05:30", "11-07 04:30", "11-03 17:30"],
        ["11-07 05:30", "11-08 06:30", "11-08 05:30", "11-04 17:30"],
        ["11-08 06:30", "11-09 06:30", "11-09 05:30", "11-05 17:30"],
    ],
    # All after the change: 09:00 EDT = 13:00Z; 26 h before 13:00Z is 11:00Z the day before.
    "new-york-day-after": [
        ["03-14 13:00", "03-15 13:00", "03-14 11:00"],
        ["03-15 13:00", "03-16 13:00", "03-15 11:00"],
        ["03-16 13:00", "03-17 13:00", "03-16 11:00"],
    ],
    # No DST: 09:00 +08:00 = 01:00Z, across the end of January.
    "shanghai": [
        ["01-24 01:00", "01-28 01:00", "01-30 01:00", "01-31 01:00"],
        ["01-25 01:00", "01-29 01:00", "01-31 01:00", "02-01 01:00"],
        ["01-26 01:00", "01-30 01:00", "02-01 01:00", "02-02 01:00"],
    ],
    # BST starts Sun 2027-03-28 01:00 GMT: 00:30 on the 28th is still GMT (00:30Z), on the
    # 29th and 30th it is BST (23:30Z the evening before).
    "london-spring": [
        ["03-27 00:30", "03-28 00:30"],
        ["03-28 00:30", "03-28 23:30"],
        ["03-28 23:30", "03-29 23:30"],
    ],
}


@pytest.mark.parametrize(
    ("case", "expected"),
    [(DST_CASES[name], DST_EXPECTED[name]) for name in DST_CASES],
    ids=DST_CASES.keys(),
)
def test_alarm_midnight_plus_trigger_equals_service_reminder(case, expected):
    zone_name, due, at, leads = case
    config = make_config(
        f"""
        timezone: {zone_name}
        reminders: {{before: {leads}, time: "{at}"}}
        loans:
          - id: x
            name: X
            currency: USD
            plan: {{kind: recurring, amount: 10, first_due: {due}, every: 1 day, count: 3}}
        """
    )
    zone = ZoneInfo(zone_name)
    loan = config.loans[0]
    events = by_uid(content.build_calendar(config, {}, NOW))
    for inst, instants in zip(plans.installments(loan), expected, strict=True):
        event = events[content.uid(loan.id, inst.number)]
        start = event["DTSTART"].dt
        # An all-day event starts at local midnight; the trigger is an exact duration.
        midnight = resolve_local(datetime.combine(start, time(0)), zone)  # noqa: DTZ001
        fired = [(midnight.astimezone(UTC) + alarm["TRIGGER"].dt) for alarm in event.walk("VALARM")]
        wanted = [datetime.fromisoformat(f"2027-{text}+00:00") for text in instants]
        assert fired == wanted  # the configured order, not sorted
        service = {r.at.astimezone(UTC) for r in reminders.before_due(inst, loan.reminders)}
        assert set(fired) == service


def test_single_event_calendar_one_event_same_as_full(config):
    loan = config.loan("consumer-b")
    inst = plans.installments(loan)[4]
    data = content.single_event_calendar(config, loan, inst, {"consumer-b": Decimal(10)}, NOW)
    strict_lines(data)
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["METHOD"] == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    full = by_uid(content.build_calendar(config, {"consumer-b": Decimal(10)}, NOW))
    assert event.to_ical() == full[content.uid("consumer-b", 5)].to_ical()


def test_build_calendar_open_ended_recurring_numbered_without_total():
    config = make_config(
        """
        timezone: UTC
        loans:
          - id: card-min
            name: Card minimum
            currency: EUR
            plan: {kind: recurring, amount: 30, first_due: 2027-01-05, every: 1 month,
                   until: 2027-03-05}
        """
    )
    summaries = [str(e["SUMMARY"]) for e in vevents(content.build_calendar(config, {}, NOW))]
    assert summaries == [
        "Card minimum €30.00 (1)",
        "Card minimum €30.00 (2)",
        "Card minimum €30.00 (3)",
    ]


def test_export_write_private_directory_keeps_file_private(tmp_path, config):
    from reminderd.calendar import export

    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    written = export.write(config, {}, NOW, private / "cal.ics")
    assert oct(written.stat().st_mode & 0o777) == oct(0o600)
    assert written.read_bytes() == content.build_calendar(config, {}, NOW)


def test_export_write_parent_is_a_file_fails_naming_path(tmp_path, config):
    from reminderd.calendar import export
    from reminderd.errors import RuntimeFailure

    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    target = blocker / "cal.ics"
    with pytest.raises(RuntimeFailure, match=str(target)):
        export.write(config, {}, NOW, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


def test_export_write_target_is_directory_fails_without_temp_left(tmp_path, config):
    from reminderd.calendar import export
    from reminderd.errors import RuntimeFailure

    (tmp_path / "cal.ics").mkdir()
    with pytest.raises(RuntimeFailure, match="cal.ics"):
        export.write(config, {}, NOW, tmp_path / "cal.ics")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cal.ics"]
