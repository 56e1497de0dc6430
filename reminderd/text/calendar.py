"""What the calendar's events say (``SUMMARY``, ``DESCRIPTION``, alarms): English and
Simplified Chinese side by side, by key. :mod:`reminderd.calendar.content` looks each
template up once per calendar, never per event (36,000 events must stay fast). Chinese uses
full-width punctuation (``：`` ``（）``); amounts arrive formatted by the catalogue's money."""

from __future__ import annotations

EN: dict[str, str] = {
    # what the summary starts with, by the installment's status
    "calendar.mark.settled": "✓ Paid: ",
    "calendar.mark.overdue": "OVERDUE: ",
    "calendar.mark.superseded": "Replaced by agreement: ",
    "calendar.mark.rolled": "Rolled into agreement: ",
    "calendar.summary": "{loan} {amount} ({label})",
    "calendar.summary.version": "{loan} v{version} {amount} ({label})",
    "calendar.description": (
        "Loan: {loan} ({id})\nDue: {when}\nAmount: {amount}\nPaid: {paid}\n"
        "Outstanding: {outstanding}\nBalance after: {balance}"
    ),
    "calendar.lender": "Lender: {lender}",
    "calendar.notes": "Notes: {notes}",
    "calendar.when": "{date} {time} {zone}",
    "calendar.alarm": "{summary} is due {when}",
}

ZH_CN: dict[str, str] = {
    # what the summary starts with, by the installment's status
    "calendar.mark.settled": "✓ 已还：",
    "calendar.mark.overdue": "已逾期：",
    "calendar.mark.superseded": "已被新协议取代：",
    "calendar.mark.rolled": "已并入新协议：",
    "calendar.summary": "{loan} {amount}（第{label}期）",
    "calendar.summary.version": "{loan} 第{version}版 {amount}（第{label}期）",
    "calendar.description": (
        "借款：{loan}（{id}）\n到期：{when}\n金额：{amount}\n已还：{paid}\n"
        "未还：{outstanding}\n还后余额：{balance}"
    ),
    "calendar.lender": "出借方：{lender}",
    "calendar.notes": "备注：{notes}",
    "calendar.when": "{date} {time}（{zone}）",
    "calendar.alarm": "{summary}将于{when}到期",
}
