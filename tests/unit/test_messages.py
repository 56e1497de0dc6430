from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from reminderd.durations import Lead
from reminderd.messages import action_labels, language, render, render_test
from reminderd.model import Installment, Loan, Plan, Reminder, Reminders

SHANGHAI = ZoneInfo("Asia/Shanghai")
DUE_AT = datetime(2026, 12, 15, 9, 0, tzinfo=SHANGHAI)

LOAN = Loan(
    id="wallet-a",
    name="Wallet A",
    currency="CNY",
    plan=Plan(kind="equal_principal"),
    reminders=Reminders(
        before=(Lead(days=3),), time=time(9), overdue_every=Lead(days=1), channels=("email",)
    ),
    timezone=SHANGHAI,
    lender="Example Finance",
    notes="Hotline 95555",
)
INSTALLMENT = Installment(
    loan_id="wallet-a",
    number=3,
    of=12,
    nominal=date(2026, 12, 15),
    due=date(2026, 12, 15),
    due_at=DUE_AT,
    amount=Decimal("1200.00"),
    principal=Decimal("1000.00"),
    interest=Decimal("200.00"),
    balance_after=Decimal("9000.00"),
)


def reminder(kind: str, at: datetime) -> Reminder:
    return Reminder(loan_id="wallet-a", number=3, at=at, kind=kind)


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 12, day, hour, 0, tzinfo=SHANGHAI)


def test_render_ahead_en_says_days_amount_label_balance():
    subject, body = render(
        LOAN, INSTALLMENT, reminder("ahead", at(12)), paid=Decimal(0), now=at(12), locale="en"
    )
    assert subject == "Repayment reminder: Wallet A CN¥1,200.00 due in 3 days (#3/12)"
    assert "Installment: 3/12" in body
    assert "Amount due: CN¥1,200.00" in body
    assert "Due date: 2026-12-15 Tuesday, 09:00 (Asia/Shanghai)" in body
    assert "Balance after this payment: CN¥9,000.00" in body
    assert "Lender: Example Finance" in body
    assert "Notes: Hotline 95555" in body
    assert "reminderd pay wallet-a 1200.00" in body
    assert "Already paid" not in body


def test_render_ahead_zh_cn_uses_simplified_chinese():
    subject, body = render(
        LOAN, INSTALLMENT, reminder("ahead", at(12)), paid=Decimal(0), now=at(12), locale="zh_CN"
    )
    assert subject == "还款提醒：Wallet A 第3/12期 应还¥1,200.00，3天后到期"
    assert "应还金额：¥1,200.00" in body
    assert "到期日：2026年12月15日 星期二 09:00（Asia/Shanghai）" in body
    assert "本期还款后剩余本金：¥9,000.00" in body
    assert "期数：第3/12期" in body


def test_render_due_today_partial_payment_asks_for_the_rest():
    subject, body = render(
        LOAN, INSTALLMENT, reminder("due", at(15)), paid=Decimal("200"), now=at(15), locale="en"
    )
    assert subject == "Repayment due today: Wallet A CN¥1,000.00 (#3/12)"
    assert "Already paid: CN¥200.00" in body
    assert "Still to pay: CN¥1,000.00" in body
    assert "reminderd pay wallet-a 1000.00" in body


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "OVERDUE 2 days: Wallet A CN¥1,200.00 (#3/12)"),
        ("zh_CN", "逾期提醒：Wallet A 第3/12期 已逾期2天，应还¥1,200.00"),
    ],
)
def test_render_overdue_counts_calendar_days_in_loan_zone(locale, expected):
    # 17 Dec 07:00 in Shanghai (+08:00) is 16 Dec 23:00 in UTC: the count must use the loan's
    # zone (two days late, not one).
    now = at(17, 7).astimezone(ZoneInfo("UTC"))
    assert now.day == 16
    subject, body = render(
        LOAN, INSTALLMENT, reminder("overdue", at(17, 9)), paid=Decimal(0), now=now, locale=locale
    )
    assert subject == expected


def test_render_overdue_same_day_says_since_time():
    subject, _ = render(
        LOAN,
        INSTALLMENT,
        reminder("overdue", at(15, 21)),
        paid=Decimal(0),
        now=at(15, 21),
        locale="en",
    )
    assert subject == "OVERDUE since 09:00: Wallet A CN¥1,200.00 (#3/12)"


@pytest.mark.parametrize(
    ("locale", "marker"),
    [("en", "missed while reminderd was not running"), ("zh_CN", "因 reminderd 未运行")],
)
def test_render_catch_up_marks_missed_reminder(locale, marker):
    subject, body = render(
        LOAN,
        INSTALLMENT,
        reminder("ahead", at(12)),
        paid=Decimal(0),
        now=at(13),
        locale=locale,
        catch_up=True,
    )
    assert subject.startswith(("[missed] ", "【补发】"))
    assert marker in body
    assert "2026" in body.split(marker)[0].splitlines()[-1]


def test_render_open_ended_installment_has_no_count():
    open_ended = dataclasses.replace(INSTALLMENT, of=None)
    subject, _ = render(
        LOAN, open_ended, reminder("due", at(15)), paid=Decimal(0), now=at(15), locale="zh_CN"
    )
    assert "第3期" in subject


def test_render_test_message_localised():
    now = datetime(2026, 12, 1, 9, 30, tzinfo=SHANGHAI)
    assert render_test("en", now)[0] == "reminderd test message"
    subject, body = render_test("zh_CN", now)
    assert subject == "reminderd 测试消息"
    assert "2026-12-01T09:30:00+08:00" in body


@pytest.mark.parametrize(
    ("locale", "expected"), [("zh_CN", "zh"), ("zh-CN.UTF-8", "zh"), ("en", "en"), ("fr", "en")]
)
def test_language_locale_variants_map_to_known_language(locale, expected):
    assert language(locale) == expected


def test_action_labels_zh_cn_are_chinese():
    assert action_labels("zh_CN") == {"paid": "已还款", "snooze": "稍后提醒"}
