"""One overdue message per loan (issue 11.5): the agenda folds a loan's overdue installments
into one, and the message lists them with their total, in English and Chinese."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from reminderd.agenda import Agenda
from reminderd.config import parse
from reminderd.messages import render_overdue_group

DAILY = """
timezone: Asia/Shanghai
reminders: {before: [0d], time: "09:00", overdue_every: 1d}
loans:
  - id: d
    name: Daily D
    plan: {kind: recurring, amount: 10, first_due: 2027-01-01, every: 1 day, count: 200}
  - id: m
    name: Monthly M
    plan:
      kind: list
      installments:
        - {due: 2027-03-10, amount: 100}
"""


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


def agenda() -> Agenda:
    return Agenda(parse(DAILY.encode(), Path("test.yaml")))


def test_daily_plan_90_days_behind_is_one_message_listing_all_91() -> None:
    # 2027-01-01 + 90 days = 2027-04-01: installments 1..91 are due at or before 09:00 that
    # day. At 12:00, #91 is three hours past due (beyond the 5-minute grace): overdue too.
    dues = agenda().due(shanghai("2027-04-01T12:00:00"), {})
    daily = [item for item in dues if item.loan.id == "d"]
    assert len(daily) == 1
    [message] = daily
    assert message.kind == "overdue"
    assert [member.installment.number for member in message.members] == list(range(1, 92))
    assert message.installment.number == 91  # the newest leads: its reminder is the key
    # M's single installment (due 2027-03-10) is overdue alone: its own message.
    [monthly] = [item for item in dues if item.loan.id == "m"]
    assert monthly.group == ()


def test_paid_oldest_first_shrinks_the_group() -> None:
    # 905.00 paid covers 90 installments of 10.00 and half of #91 (900 + 5).
    dues = agenda().due(shanghai("2027-04-01T12:00:00"), {"d": Decimal("905")})
    [message] = [item for item in dues if item.loan.id == "d"]
    assert message.group == ()
    assert message.installment.number == 91
    assert message.standing.paid == Decimal("5")


def test_group_message_lists_each_and_the_total_in_english_and_chinese() -> None:
    dues = agenda().due(shanghai("2027-01-03T12:00:00"), {"d": Decimal("4")})
    [message] = [item for item in dues if item.loan.id == "d"]
    rows = [(member.installment, member.standing.paid) for member in message.members]
    now = shanghai("2027-01-03T12:00:00")
    subject, body = render_overdue_group(message.loan, rows, now=now, locale="en")
    # #1 10.00 - 4.00 paid = 6.00; #2 10.00; #3 10.00 -> 26.00 in all.
    assert subject == "OVERDUE: Daily D: 3 installments, CN¥26.00 to pay"
    assert "  #1/200  due 2027-01-01 (2 days overdue)  CN¥6.00" in body
    assert "  #3/200  due 2027-01-03 (0 days overdue)  CN¥10.00" in body
    assert "Total overdue: CN¥26.00" in body
    assert body.endswith("reminderd pay d 26.00\n")
    subject, body = render_overdue_group(message.loan, rows, now=now, locale="zh_CN")
    assert subject == "逾期提醒：Daily D 共3期逾期，合计应还¥26.00"
    assert "  第1/200期  到期日 2027年1月1日（已逾期2天）  待还¥6.00" in body
    assert "逾期合计：¥26.00" in body


def test_two_overdue_installments_are_already_one_message() -> None:
    # The smallest group: on 2027-01-02 at 12:00 (Shanghai) daily #1 (due 2027-01-01 09:00)
    # and #2 (due 2027-01-02 09:00, three hours ago, beyond the grace) are overdue; #3 is due
    # tomorrow. One message, led by #2, carrying #1.
    now = shanghai("2027-01-02T12:00:00")
    dues = agenda().due(now, {})
    [message] = [item for item in dues if item.loan.id == "d"]
    assert message.kind == "overdue"
    assert [member.installment.number for member in message.members] == [1, 2]
    assert [item.installment.number for item in message.group] == [1]
    rows = [(member.installment, member.standing.paid) for member in message.members]
    subject, _ = render_overdue_group(message.loan, rows, now=now, locale="en")
    assert subject == "OVERDUE: Daily D: 2 installments, CN¥20.00 to pay"  # 10.00 + 10.00


def test_a_loan_behind_on_two_still_gets_the_ahead_reminder_of_its_next_one() -> None:
    # L: #1 due 2027-03-01, #2 due 2027-03-05, both unpaid; #3 due 2027-03-20, reminded 3 days
    # ahead (2027-03-17 09:00). At 2027-03-17 09:00:30 (within the 5-minute grace): one
    # overdue message listing #1 and #2, and #3's ahead reminder beside it, not swallowed.
    config = parse(
        b"""
timezone: Asia/Shanghai
reminders: {before: [3d], time: "09:00", overdue_every: 1d}
loans:
  - id: l
    name: Loan L
    plan:
      kind: list
      installments:
        - {due: 2027-03-01, amount: 100}
        - {due: 2027-03-05, amount: 100}
        - {due: 2027-03-20, amount: 100}
""",
        Path("test.yaml"),
    )
    dues = Agenda(config).due(shanghai("2027-03-17T09:00:30"), {})
    kinds = sorted((item.kind, item.installment.number) for item in dues)
    assert kinds == [("ahead", 3), ("overdue", 2)]
    [group] = [item for item in dues if item.kind == "overdue"]
    assert [member.installment.number for member in group.members] == [1, 2]


def test_group_message_counts_days_late_by_the_loans_own_calendar_near_midnight() -> None:
    # 00:30 on 3 January in Shanghai is still 2 January in UTC, the clock the service reads
    # (16:30 UTC). #1 (due 1 January) is 2 days overdue and #2 (due 2 January) 1 day, by the
    # Shanghai calendar the loan lives in.
    now = shanghai("2027-01-03T00:30:00").astimezone(UTC)
    dues = agenda().due(now, {})
    [message] = [item for item in dues if item.loan.id == "d"]
    rows = [(member.installment, member.standing.paid) for member in message.members]
    assert [inst.number for inst, _ in rows] == [1, 2]
    _, body = render_overdue_group(message.loan, rows, now=now, locale="en")
    assert "  #1/200  due 2027-01-01 (2 days overdue)  CN¥10.00" in body
    assert "  #2/200  due 2027-01-02 (1 day overdue)  CN¥10.00" in body


def test_a_group_message_sent_is_logged_under_each_installment_it_told_of(tmp_path) -> None:
    # One message for #1–#3 (2027-01-03 12:00, nothing paid): the log has it as sent for
    # each of the three reminders, so the case file lists it for each and none of them is
    # told again alone before its next instant.
    import sqlite3

    from reminderd.delivery import record

    [message] = [
        item for item in agenda().due(shanghai("2027-01-03T12:00:00"), {}) if item.loan.id == "d"
    ]
    record(tmp_path, message, "command", state="sent", error=None, attempts=1)
    with sqlite3.connect(tmp_path / "reminderd.sqlite3") as conn:
        rows = conn.execute(
            "SELECT reminder_key, number, kind, state FROM deliveries ORDER BY number"
        ).fetchall()
    assert [(number, kind, state) for _, number, kind, state in rows] == [
        (1, "overdue", "sent"),
        (2, "overdue", "sent"),
        (3, "overdue", "sent"),
    ]
    assert [key for key, *_ in rows] == [member.reminder.key for member in message.members]
