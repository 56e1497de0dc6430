"""What reminders say (e-mail, desktop, command channels): English and Simplified Chinese
side by side, by key. Filled in by :mod:`reminderd.messages`; keep both tables in the same
order so a missing translation shows. Chinese sentences use full-width punctuation (``：``
``，`` ``（）`` ``。``); amounts arrive already formatted by :func:`reminderd.text.money`.

``reminder.ahead``/``due``/``overdue`` (the kinds a case timeline names) live in
:mod:`.cli`; these keys are deeper (``reminder.subject.ahead``) so none is used twice."""

from __future__ import annotations

EN: dict[str, str] = {
    # the subject line
    "reminder.subject.ahead": "Repayment reminder: {loan} {outstanding} due in {days} (#{label})",
    "reminder.subject.due": "Repayment due today: {loan} {outstanding} (#{label})",
    "reminder.subject.overdue": "OVERDUE {days}: {loan} {outstanding} (#{label})",
    "reminder.subject.overdue_today": "OVERDUE since {time}: {loan} {outstanding} (#{label})",
    "reminder.missed_prefix": "[missed] ",
    # the body
    "reminder.loan": "Loan: {loan}",
    "reminder.lender": "Lender: {lender}",
    "reminder.installment": "Installment: {label}",
    "reminder.amount": "Amount due: {amount}",
    "reminder.paid": "Already paid: {paid}",
    "reminder.outstanding": "Still to pay: {outstanding}",
    "reminder.due_date": "Due date: {date} {weekday}, {time} ({zone})",
    "reminder.status.ahead": "Status: due in {days}",
    "reminder.status.due": "Status: due today",
    "reminder.status.overdue": "Status: overdue by {days}; penalty interest may be accruing",
    "reminder.status.overdue_today": "Status: overdue since {time} today",
    "reminder.balance_after": "Balance after this payment: {balance}",
    "reminder.notes": "Notes: {notes}",
    "reminder.missed": (
        "This reminder was due at {at} and was missed while reminderd was not running "
        "(or the computer was asleep)."
    ),
    "reminder.record": "When you have paid, record it: {command} pay {loan_id} {amount}",
    "reminder.cost": "{days} late; estimated penalty so far {cost}, +{per_day} per further day",
    "reminder.version": "Plan version {version}, agreed {on}",
    # several overdue installments of one loan in one message
    "reminder.group.subject": "OVERDUE: {loan}: {count} installments, {total} to pay",
    "reminder.group.heading": "Overdue installments:",
    "reminder.group.row": "  #{label}  due {date} ({days} overdue)  {outstanding}",
    "reminder.group.total": "Total overdue: {total}",
    "reminder.group.status": "Status: overdue; penalty interest may be accruing",
    # notify-test and the desktop buttons
    "reminder.test.subject": "reminderd test message",
    "reminder.test.body": (
        "This is a test message from reminderd, sent at {now}.\n"
        "If you can read it, repayment reminders will reach you here."
    ),
    "reminder.action.paid": "Paid",
    "reminder.action.snooze": "Snooze",
    # counts, dates and weekdays (the calendar uses them too)
    "days.one": "{count} day",
    "days.many": "{count} days",
    "date": "{year:04d}-{month:02d}-{day:02d}",
    "weekday.0": "Monday",
    "weekday.1": "Tuesday",
    "weekday.2": "Wednesday",
    "weekday.3": "Thursday",
    "weekday.4": "Friday",
    "weekday.5": "Saturday",
    "weekday.6": "Sunday",
}

ZH_CN: dict[str, str] = {
    # the subject line
    "reminder.subject.ahead": "还款提醒：{loan} 第{label}期 应还{outstanding}，{days}后到期",
    "reminder.subject.due": "今日还款到期：{loan} 第{label}期 应还{outstanding}",
    "reminder.subject.overdue": "逾期提醒：{loan} 第{label}期 已逾期{days}，应还{outstanding}",
    "reminder.subject.overdue_today": (
        "逾期提醒：{loan} 第{label}期 已于今天{time}逾期，应还{outstanding}"
    ),
    "reminder.missed_prefix": "【补发】",
    # the body
    "reminder.loan": "贷款：{loan}",
    "reminder.lender": "出借方：{lender}",
    "reminder.installment": "期数：第{label}期",
    "reminder.amount": "应还金额：{amount}",
    "reminder.paid": "已还金额：{paid}",
    "reminder.outstanding": "待还金额：{outstanding}",
    "reminder.due_date": "到期日：{date} {weekday} {time}（{zone}）",
    "reminder.status.ahead": "状态：{days}后到期",
    "reminder.status.due": "状态：今天到期",
    "reminder.status.overdue": "状态：已逾期{days}，可能正在产生罚息",
    "reminder.status.overdue_today": "状态：已于今天{time}逾期",
    "reminder.balance_after": "本期还款后剩余本金：{balance}",
    "reminder.notes": "备注：{notes}",
    "reminder.missed": (
        "此提醒原定于{at}发送，因 reminderd 未运行（或电脑处于休眠）而错过，现补发。"
    ),
    "reminder.record": "还款后请记录：{command} pay {loan_id} {amount}",
    "reminder.cost": "已逾期{days}，预计罚息已达{cost}，每多一天加{per_day}",
    "reminder.version": "还款方案第{version}版，{on}达成",
    # several overdue installments of one loan in one message
    "reminder.group.subject": "逾期提醒：{loan} 共{count}期逾期，合计应还{total}",
    "reminder.group.heading": "逾期各期：",
    "reminder.group.row": "  第{label}期  到期日 {date}（已逾期{days}）  待还{outstanding}",
    "reminder.group.total": "逾期合计：{total}",
    "reminder.group.status": "状态：已逾期，可能正在产生罚息",
    # notify-test and the desktop buttons
    "reminder.test.subject": "reminderd 测试消息",
    "reminder.test.body": (
        "这是 reminderd 于{now}发送的测试消息。\n如果您能看到它，还款提醒就能送达这里。"
    ),
    "reminder.action.paid": "已还款",
    "reminder.action.snooze": "稍后提醒",
    # counts, dates and weekdays (the calendar uses them too)
    "days.one": "{count}天",
    "days.many": "{count}天",
    "date": "{year}年{month}月{day}日",
    "weekday.0": "星期一",
    "weekday.1": "星期二",
    "weekday.2": "星期三",
    "weekday.3": "星期四",
    "weekday.4": "星期五",
    "weekday.5": "星期六",
    "weekday.6": "星期日",
}
