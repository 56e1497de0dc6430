"""The reminders' and the calendar's catalogue (text/reminders.py, text/calendar.py): both
locales with the same keys and fields, no key twice across the whole catalogue, money that
tells CNY from JPY, and Chinese reminders and calendar events without an English word."""

from __future__ import annotations

import re
import string
import textwrap
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from reminderd import text
from reminderd.calendar import content
from reminderd.config import parse
from reminderd.core.overdue import OverdueCost
from reminderd.durations import Lead
from reminderd.messages import (
    action_labels,
    overdue_line,
    render,
    render_overdue_group,
    render_test,
)
from reminderd.model import Installment, Loan, Plan, Reminder, Reminders
from reminderd.text import calendar, catalogue, cli, errors, reminders
from tests.e2e.test_locale import CJK, latin_words


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("table", [reminders, calendar], ids=["reminders", "calendar"])
def test_both_locales_have_the_same_keys_in_order_and_the_same_fields(table) -> None:  # noqa: ANN001
    assert list(table.EN) == list(table.ZH_CN)  # same order: a missing translation shows
    for key, english in table.EN.items():
        assert fields(english) == fields(table.ZH_CN[key]), key


def test_no_key_means_two_things_across_the_whole_catalogue() -> None:
    tables = [catalogue, cli, errors, reminders, calendar]
    keys = [set(table.EN) for table in tables]
    assert sum(len(part) for part in keys) == len(set().union(*keys))
    assert set(text.EN) == set(text.ZH_CN) == set().union(*keys)


def test_chinese_sentences_use_full_width_punctuation() -> None:
    # A half-width colon, comma, semicolon or bracket next to a Chinese character is the
    # mixed punctuation the two old tables had ("借款: …", "(1/12)").
    mixed = re.compile(r"[\u3400-\u9fff][:,;()]|[:,;()][\u3400-\u9fff]")
    for table in (reminders, calendar):
        for key, chinese in table.ZH_CN.items():
            assert not mixed.search(chinese), (key, chinese)


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [
        ("1234.5", "CNY", "en", "CN¥1,234.50"),
        ("1234.5", "CNY", "zh_CN", "¥1,234.50"),
        ("50000", "JPY", "en", "¥50,000"),
        ("50000", "JPY", "zh_CN", "JP¥50,000"),
        ("0.005", "USD", "en", "$0.01"),  # half-up to the cent first
        ("1234567.891", "KWD", "en", "KWD1,234,567.891"),  # three minor digits
        ("-12", "EUR", "en", "-€12.00"),  # negative: Babel itself
        ("0", "CNY", "zh_CN", "¥0.00"),
    ],
)
def test_the_fast_money_says_what_babel_says(
    amount: str, currency: str, locale: str, shown: str
) -> None:
    assert text.money_format(currency, locale)(Decimal(amount)) == shown
    assert text.money(Decimal(amount), currency, locale) == shown


@pytest.mark.parametrize("currency", ["CNY", "JPY", "USD", "EUR", "CHF", "KWD", "HUF", "GBP"])
@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_fast_money_agrees_with_babel_over_many_amounts(currency: str, locale: str) -> None:
    shown = text.money_format(currency, locale)
    amounts = [Decimal(n) / 1000 for n in range(0, 2_000_000, 7919)]
    amounts += [Decimal("999999999.995"), Decimal("0.004"), Decimal("-0.5"), Decimal("1e6")]
    for amount in amounts:
        assert shown(amount) == text.money(amount, currency, locale), amount


ZONE = ZoneInfo("Asia/Shanghai")
LOAN = Loan(
    id="loan-a",
    name="信用贷 甲",
    currency="CNY",
    plan=Plan(kind="list"),
    reminders=Reminders(
        before=(Lead(days=3),), time=time(9), overdue_every=Lead(days=1), channels=("email",)
    ),
    timezone=ZONE,
    lender="示例银行",
    notes="客服电话 400-000-0000",
)


def installment(number: int, due: date, amount: str, balance: str) -> Installment:
    return Installment(
        loan_id="loan-a",
        number=number,
        of=3,
        nominal=due,
        due=due,
        due_at=datetime.combine(due, time(9), ZONE),
        amount=Decimal(amount),
        principal=Decimal(amount),
        interest=Decimal(0),
        balance_after=Decimal(balance),
    )


FIRST = installment(1, date(2027, 1, 1), "600.00", "1200.00")
SECOND = installment(2, date(2027, 1, 3), "600.00", "600.00")
NOW = datetime(2027, 1, 5, 10, 0, tzinfo=ZONE)
# 600 × 3 = 1800 owed; 2 days late on #2 counted from 01-03 to 01-05; cost invented: 4.00.
COST = OverdueCost("CNY", Decimal("4.00"), Decimal(0), Decimal("1.00"), 4)


def without_zone_ids(said: str) -> str:
    # A zone's IANA id (Asia/Shanghai) is a code the reader may need, not an English word.
    return re.sub(r"\b[A-Z][a-z]+/[A-Za-z_]+\b", " ", said)


def test_a_chinese_reminder_mail_and_desktop_text_have_no_english_word() -> None:
    said = []
    said += render(
        LOAN,
        SECOND,
        Reminder("loan-a", 2, datetime(2027, 1, 4, 9, 0, tzinfo=ZONE), "overdue"),
        paid=Decimal("100"),
        now=NOW,
        locale="zh_CN",
        catch_up=True,
        overdue=COST,
    )
    said += render_overdue_group(
        LOAN,
        [(FIRST, Decimal(0)), (SECOND, Decimal("100"))],
        now=NOW,
        locale="zh_CN",
        catch_up=True,
        missed_at=datetime(2027, 1, 4, 9, 0, tzinfo=ZONE),
    )
    said += render_test("zh_CN", NOW)
    said += action_labels("zh_CN").values()
    for one in said:
        assert latin_words(without_zone_ids(one)) == [], one
        assert CJK.search(one), one
    # the same in English is full of English words: the walk would see them
    subject, body = render(
        LOAN, SECOND, Reminder("loan-a", 2, NOW, "overdue"), paid=Decimal(0), now=NOW, locale="en"
    )
    assert {"OVERDUE", "days", "Amount", "Status"} <= set(latin_words(subject + body))


def test_the_chinese_group_and_cost_lines_read_as_written_by_hand() -> None:
    subject, body = render_overdue_group(
        LOAN, [(FIRST, Decimal(0)), (SECOND, Decimal("100"))], now=NOW, locale="zh_CN"
    )
    # 600 + (600 − 100) = 1,100.00; #1 is 4 days late (01-01 → 01-05), #2 two (01-03 → 01-05)
    assert subject == "逾期提醒：信用贷 甲 共2期逾期，合计应还¥1,100.00"
    assert body == (
        "贷款：信用贷 甲\n"
        "出借方：示例银行\n"
        "逾期各期：\n"
        "  第1/3期  到期日 2027年1月1日（已逾期4天）  待还¥600.00\n"
        "  第2/3期  到期日 2027年1月3日（已逾期2天）  待还¥500.00\n"
        "逾期合计：¥1,100.00\n"
        "状态：已逾期，可能正在产生罚息\n"
        "备注：客服电话 400-000-0000\n"
        "\n"
        "还款后请记录：reminderd pay loan-a 1100.00\n"
    )
    assert overdue_line(COST, "zh_CN") == "已逾期4天，预计罚息已达¥4.00，每多一天加¥1.00"
    assert overdue_line(COST, "en") == (
        "4 days late; estimated penalty so far CN¥4.00, +CN¥1.00 per further day"
    )


CALENDAR = """
timezone: Asia/Shanghai
locale: {locale}
currency: CNY
reminders: {{before: [1d], time: "09:00", overdue_every: 1d}}
loans:
  - id: loan-a
    name: 信用贷 甲
    lender: 示例银行
    plan:
      kind: list
      installments:
        - {{due: 2026-11-20, amount: 1500}}
        - {{due: 2027-01-15, amount: 2000.50}}
  - id: yen-b
    name: 日元贷 乙
    currency: JPY
    plan: {{kind: once, due: 2027-01-10, amount: 50000}}
"""


def events(locale: str) -> dict[str, icalendar.Event]:
    config = parse(
        textwrap.dedent(CALENDAR.format(locale=locale)).encode(), Path("/nonexistent/c.yaml")
    )
    # 1,600 paid on loan-a: #1 (1,500) settled, 100 towards #2
    data = content.build_calendar(
        config, {"loan-a": Decimal("1600")}, datetime(2026, 12, 1, tzinfo=UTC)
    )
    return {str(event["UID"]): event for event in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def test_a_chinese_calendar_event_reads_as_written_by_hand_and_has_no_english_word() -> None:
    by_uid = events("zh_CN")
    settled, part, yen = (
        by_uid["loan-a-1@reminderd"],
        by_uid["loan-a-2@reminderd"],
        by_uid["yen-b-1@reminderd"],
    )
    assert settled["SUMMARY"] == "✓ 已还：信用贷 甲 ¥1,500.00（第1/2期）"
    assert part["SUMMARY"] == "信用贷 甲 ¥2,000.50（第2/2期）"
    # 2,000.50 − 100 = 1,900.50 still to pay
    assert part["DESCRIPTION"] == (
        "借款：信用贷 甲（loan-a）\n到期：2027年1月15日 09:00（Asia/Shanghai）\n"
        "金额：¥2,000.50\n已还：¥100.00\n未还：¥1,900.50\n还后余额：¥0.00\n出借方：示例银行"
    )
    [alarm] = part.walk("VALARM")
    assert alarm["DESCRIPTION"] == (
        "信用贷 甲 ¥2,000.50（第2/2期）将于2027年1月15日 09:00（Asia/Shanghai）到期"
    )
    assert yen["SUMMARY"] == "日元贷 乙 JP¥50,000（第1/1期）"  # yen, not yuan
    for event in by_uid.values():
        said = [str(event["SUMMARY"]), str(event["DESCRIPTION"])]
        said += [str(alarm["DESCRIPTION"]) for alarm in event.walk("VALARM")]
        for one in said:
            # the loan's id in brackets is an id, not a word
            left = without_zone_ids(one).replace("loan-a", " ").replace("yen-b", " ")
            assert latin_words(left) == [], one


def test_the_english_calendar_keeps_its_words_and_tells_yuan_from_yen() -> None:
    by_uid = events("en")
    part, yen = by_uid["loan-a-2@reminderd"], by_uid["yen-b-1@reminderd"]
    assert part["SUMMARY"] == "信用贷 甲 CN¥2,000.50 (2/2)"
    assert part["DESCRIPTION"] == (
        "Loan: 信用贷 甲 (loan-a)\nDue: 2027-01-15 09:00 CST\nAmount: CN¥2,000.50\n"
        "Paid: CN¥100.00\nOutstanding: CN¥1,900.50\nBalance after: CN¥0.00\nLender: 示例银行"
    )
    [alarm] = part.walk("VALARM")
    assert alarm["DESCRIPTION"] == "信用贷 甲 CN¥2,000.50 (2/2) is due 2027-01-15 09:00 CST"
    assert yen["SUMMARY"] == "日元贷 乙 ¥50,000 (1/1)"
