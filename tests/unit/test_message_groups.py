"""What a reminder says at its edges: one day ahead or late, the due day itself, the last cents
of a partial payment, the cost line, the plan version, and the "missed" line of catch-up
reminders, single or grouped, always in the loan's own zone (never the computer's)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from reminderd.core import versions
from reminderd.core.overdue import OverdueCost
from reminderd.durations import Lead
from reminderd.messages import render, render_overdue_group, version_line
from reminderd.model import Installment, Loan, Plan, Reminder, Reminders
from tests.unit.conftest import parse_text

SHANGHAI = ZoneInfo("Asia/Shanghai")

LOAN = Loan(
    id="wallet-b",
    name="Wallet B",
    currency="CNY",
    plan=Plan(kind="equal_principal"),
    reminders=Reminders(
        before=(Lead(days=3),), time=time(9), overdue_every=Lead(days=1), channels=("email",)
    ),
    timezone=SHANGHAI,
)
# #3 of 12: 1200.00 due Tuesday 2026-12-15 at 09:00 in Shanghai (01:00 UTC).
INSTALLMENT = Installment(
    loan_id="wallet-b",
    number=3,
    of=12,
    nominal=date(2026, 12, 15),
    due=date(2026, 12, 15),
    due_at=datetime(2026, 12, 15, 9, 0, tzinfo=SHANGHAI),
    amount=Decimal("1200.00"),
    principal=Decimal("1000.00"),
    interest=Decimal("200.00"),
    balance_after=Decimal("9000.00"),
)


def shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


def _render(kind: str, at: datetime, now: datetime, **options: object) -> tuple[str, str]:
    return render(
        LOAN,
        INSTALLMENT,
        Reminder(loan_id="wallet-b", number=3, at=at, kind=kind),
        paid=options.pop("paid", Decimal(0)),
        now=now,
        locale=options.pop("locale", "en"),
        **options,
    )


@pytest.mark.parametrize(
    ("kind", "at", "now", "subject"),
    [
        # A reminder one day ahead (a 1-day lead): exactly one day to go.
        (
            "ahead",
            shanghai(14, 9),
            shanghai(14, 9),
            "Repayment reminder: Wallet B CN¥1,200.00 due in 1 day (#3/12)",
        ),
        # The 3-day-ahead reminder, missed and only sent on the due morning: "due today".
        (
            "ahead",
            shanghai(12, 9),
            shanghai(15, 8),
            "Repayment due today: Wallet B CN¥1,200.00 (#3/12)",
        ),
        # One calendar day after the due day: one day late, not "overdue since 09:00".
        (
            "overdue",
            shanghai(16, 9),
            shanghai(16, 10),
            "OVERDUE 1 day: Wallet B CN¥1,200.00 (#3/12)",
        ),
        # 07:00 on 12-17 in Shanghai is 23:00 on 12-16 in UTC, the service's clock: the loan's
        # calendar says 2 days late (12-17 − 12-15), UTC's would say 1.
        (
            "overdue",
            shanghai(17, 7),
            shanghai(17, 7).astimezone(UTC),
            "OVERDUE 2 days: Wallet B CN¥1,200.00 (#3/12)",
        ),
    ],
    ids=["one-day-ahead", "ahead-sent-on-due-day", "one-day-late", "late-near-midnight"],
)
def test_reminder_subject_counts_days_in_the_loans_calendar(
    kind: str, at: datetime, now: datetime, subject: str
) -> None:
    # The subject is what the borrower reads first: "today" versus "tomorrow" versus "late"
    # must match the day it is where the loan lives.
    assert _render(kind, at, now)[0] == subject


@pytest.mark.parametrize(
    ("paid", "paid_shown", "left_shown", "command_amount"),
    [
        # 1200.00 − 1199.50 = 0.50 still to pay: the last fifty fen, not a rounded yuan.
        ("1199.50", "CN¥1,199.50", "CN¥0.50", "0.50"),
        # 0.50 already paid: it is shown, and 1200.00 − 0.50 = 1199.50 is asked for.
        ("0.50", "CN¥0.50", "CN¥1,199.50", "1199.50"),
    ],
)
def test_a_partial_payment_is_shown_and_exactly_the_rest_is_asked_for(
    paid: str, paid_shown: str, left_shown: str, command_amount: str
) -> None:
    # A borrower who paid part must be asked for what is left, to the cent, and see what
    # they paid; the "record it" command must carry that same amount.
    subject, body = _render("due", shanghai(15, 9), shanghai(15, 9), paid=Decimal(paid))
    assert subject == f"Repayment due today: Wallet B {left_shown} (#3/12)"
    lines = body.splitlines()
    assert lines[lines.index("Amount due: CN¥1,200.00") + 1 :][:2] == [
        f"Already paid: {paid_shown}",
        f"Still to pay: {left_shown}",
    ]
    assert body.endswith(f"record it: reminderd pay wallet-b {command_amount}\n")


@pytest.mark.parametrize(
    ("cost", "line"),
    [
        # Interest frozen but a fee of 30 kept: 30.00 so far, nothing more per day.
        (
            OverdueCost("CNY", Decimal("0"), Decimal("30"), Decimal("0.00"), 2),
            "2 days late; estimated penalty so far CN¥30.00, +CN¥0.00 per further day",
        ),
        # Still within the grace days: nothing yet, but tomorrow adds 51.00.
        (
            OverdueCost("CNY", Decimal("0.00"), Decimal("0"), Decimal("51.00"), 2),
            "2 days late; estimated penalty so far CN¥0.00, +CN¥51.00 per further day",
        ),
    ],
    ids=["fee-only", "cost-starts-tomorrow"],
)
def test_an_overdue_reminder_tells_the_cost_when_either_figure_is_not_zero(
    cost: OverdueCost, line: str
) -> None:
    # A fee already owed, or a cost about to start, is what urges the borrower to pay now.
    _, body = _render("overdue", shanghai(17, 9), shanghai(17, 10), overdue=cost)
    assert "Status: overdue by 2 days; penalty interest may be accruing\n" + line + "\n" in body


@pytest.mark.parametrize(
    ("locale", "line"),
    [
        (
            "en",
            "This reminder was due at 2026-12-12 09:00 and was missed while reminderd was not "
            "running (or the computer was asleep).",
        ),
        (
            "zh_CN",
            "此提醒原定于2026年12月12日 09:00发送，"
            "因 reminderd 未运行（或电脑处于休眠）而错过，现补发。",
        ),
    ],
)
def test_a_missed_reminder_says_when_it_was_due_in_the_loans_zone_and_language(
    locale: str, line: str
) -> None:
    # 09:00 in Shanghai is 01:00 UTC: the borrower must read the time their reminder was set
    # for, in their own language's date form.
    _, body = _render("ahead", shanghai(12, 9), shanghai(13, 10), catch_up=True, locale=locale)
    assert line in body.splitlines()


def test_the_version_line_names_the_day_of_the_installments_own_agreement() -> None:
    # With two agreements, an installment of version 2 must name the first agreement's day,
    # version 3 the second's: the borrower checks it against the papers they signed.
    loan = parse_text(
        "loans:\n  - id: r\n    name: R\n"
        "    plan: {kind: once, due: 2026-03-01, amount: 3000}\n"
        "    renegotiated:\n"
        "      - on: 2026-04-01\n        plan: {kind: once, due: 2026-05-01, amount: 3000}\n"
        "      - on: 2026-06-10\n        plan: {kind: once, due: 2026-07-01, amount: 3000}\n"
    ).loans[0]
    assert version_line(loan, 2, "en") == "Plan version 2, agreed 2026-04-01"
    assert version_line(loan, 3, "zh_CN") == "还款方案第3版，2026年6月10日达成"


# Daily installments of 10.00 due at 07:00 in Shanghai: 23:00 UTC the day before.
DAILY = parse_text(
    "timezone: Asia/Shanghai\n"
    'reminders: {before: [0d], time: "07:00", overdue_every: 1d}\n'
    "loans:\n  - id: d\n    name: Daily D\n    lender: Example Lending\n"
    "    plan: {kind: recurring, amount: 10, first_due: 2027-01-01, every: 1 day, count: 30}\n"
).loans[0]
FIRST_THREE = versions.installments(DAILY)[:3]
# #1 paid 9.70 of 10.00 (0.30 left), #2 and #3 nothing.
ROWS = [
    (FIRST_THREE[0], Decimal("9.70")),
    (FIRST_THREE[1], Decimal(0)),
    (FIRST_THREE[2], Decimal(0)),
]
NOW = datetime(2027, 1, 3, 12, 0, tzinfo=SHANGHAI).astimezone(UTC)
MISSED_AT = datetime(2027, 1, 3, 7, 0, tzinfo=SHANGHAI)  # 2027-01-02 23:00 UTC


def test_a_group_message_lists_what_is_left_of_each_installment_on_the_loans_dates() -> None:
    # The service passes the reminder's instant even when nothing was missed: an on-time
    # message must not claim it was missed, and each row must show the date the borrower's
    # contract says (07:00 in Shanghai is the evening before in UTC).
    subject, body = render_overdue_group(DAILY, ROWS, now=NOW, locale="en", missed_at=MISSED_AT)
    # 0.30 + 10.00 + 10.00 = 20.30
    assert subject == "OVERDUE: Daily D: 3 installments, CN¥20.30 to pay"
    assert body == (
        "Loan: Daily D\n"
        "Lender: Example Lending\n"
        "Overdue installments:\n"
        "  #1/30  due 2027-01-01 (2 days overdue)  CN¥0.30\n"
        "  #2/30  due 2027-01-02 (1 day overdue)  CN¥10.00\n"
        "  #3/30  due 2027-01-03 (0 days overdue)  CN¥10.00\n"
        "Total overdue: CN¥20.30\n"
        "Status: overdue; penalty interest may be accruing\n"
        "\n"
        "When you have paid, record it: reminderd pay d 20.30\n"
    )


@pytest.mark.parametrize(
    ("locale", "prefix", "line", "record"),
    [
        (
            "en",
            "[missed] ",
            "This reminder was due at 2027-01-03 07:00 and was missed while reminderd was not "
            "running (or the computer was asleep).",
            "When you have paid, record it: reminderd pay d 20.30",
        ),
        (
            "zh_CN",
            "【补发】",
            "此提醒原定于2027年1月3日 07:00发送，"
            "因 reminderd 未运行（或电脑处于休眠）而错过，现补发。",
            "还款后请记录：reminderd pay d 20.30",
        ),
    ],
)
def test_a_catch_up_group_message_says_when_it_was_due_in_the_loans_zone(
    locale: str, prefix: str, line: str, record: str
) -> None:
    # Sent late after downtime, the message must say so, with the instant it was meant for
    # as the borrower's clock showed it (07:00 Shanghai, not 23:00 the day before in UTC).
    subject, body = render_overdue_group(
        DAILY, ROWS, now=NOW, locale=locale, catch_up=True, missed_at=MISSED_AT
    )
    assert subject.startswith(prefix)
    # ... the status line, a blank line, the missed line, a blank line, the record hint.
    assert body.splitlines()[-4:] == ["", line, "", record]


def test_a_grouped_overdue_message_is_a_catch_up_when_any_of_its_reminders_was_missed() -> None:
    # Two overdue installments of one loan, reminded daily at their own times: #1's reminder
    # of today came 30 s ago (on time, within the 5-minute grace); #2's came at 08:00, an
    # hour ago, while reminderd was not running. The one grouped message is a catch-up.
    from reminderd.agenda import Agenda

    config = parse_text(
        "timezone: UTC\nreminders: {before: [0d], overdue_every: 1d}\nloans:\n"
        "  - id: g\n    name: G\n    plan:\n      kind: list\n      installments:\n"
        '        - {due: "2027-03-01 09:00", amount: 100}\n'
        '        - {due: "2027-03-03 08:00", amount: 100}\n'
    )
    now = datetime(2027, 3, 5, 9, 0, 30, tzinfo=UTC)
    [due] = Agenda(config).due(now, {})
    assert (due.installment.number, [item.installment.number for item in due.group]) == (2, [1])
    assert due.catch_up
