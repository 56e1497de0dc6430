"""What reminders say, in English and Simplified Chinese.

Pure functions: given the loan, the installment, the reminder, what was paid and the current
instant, return the subject and the complete plain-text body. Dates are shown in the loan's
zone; amounts with their currency symbol.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from reminderd.model import Installment, Loan, Reminder
from reminderd.money import format_money

if TYPE_CHECKING:
    from reminderd.core.overdue import OverdueCost

_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "zh": ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"),
}

_TEXT = {
    "en": {
        "subject_ahead": "Repayment reminder: {loan} {outstanding} due in {days} (#{label})",
        "subject_due": "Repayment due today: {loan} {outstanding} (#{label})",
        "subject_overdue": "OVERDUE {days}: {loan} {outstanding} (#{label})",
        "subject_overdue_today": "OVERDUE since {time}: {loan} {outstanding} (#{label})",
        "missed_prefix": "[missed] ",
        "loan": "Loan: {loan}",
        "lender": "Lender: {lender}",
        "installment": "Installment: {label}",
        "amount": "Amount due: {amount}",
        "paid": "Already paid: {paid}",
        "outstanding": "Still to pay: {outstanding}",
        "due_date": "Due date: {date} {weekday}, {time} ({zone})",
        "status_ahead": "Status: due in {days}",
        "status_due": "Status: due today",
        "status_overdue": "Status: overdue by {days}; penalty interest may be accruing",
        "status_overdue_today": "Status: overdue since {time} today",
        "balance_after": "Balance after this payment: {balance}",
        "notes": "Notes: {notes}",
        "missed": (
            "This reminder was due at {at} and was missed while reminderd was not running "
            "(or the computer was asleep)."
        ),
        "record": "When you have paid, record it: {command} pay {loan_id} {amount}",
        "test_subject": "reminderd test message",
        "test_body": (
            "This is a test message from reminderd, sent at {now}.\n"
            "If you can read it, repayment reminders will reach you here."
        ),
        "action_paid": "Paid",
        "action_snooze": "Snooze",
        "overdue_cost": (
            "{days} late; estimated penalty so far {cost}, +{per_day} per further day"
        ),
        "version": "Plan version {version}, agreed {on}",
    },
    "zh": {
        "subject_ahead": "还款提醒：{loan} 第{label}期 应还{outstanding}，{days}后到期",
        "subject_due": "今日还款到期：{loan} 第{label}期 应还{outstanding}",
        "subject_overdue": "逾期提醒：{loan} 第{label}期 已逾期{days}，应还{outstanding}",
        "subject_overdue_today": (
            "逾期提醒：{loan} 第{label}期 已于今天{time}逾期，应还{outstanding}"
        ),
        "missed_prefix": "【补发】",
        "loan": "贷款：{loan}",
        "lender": "出借方：{lender}",
        "installment": "期数：第{label}期",
        "amount": "应还金额：{amount}",
        "paid": "已还金额：{paid}",
        "outstanding": "待还金额：{outstanding}",
        "due_date": "到期日：{date} {weekday} {time}（{zone}）",
        "status_ahead": "状态：{days}后到期",
        "status_due": "状态：今天到期",
        "status_overdue": "状态：已逾期{days}，可能正在产生罚息",
        "status_overdue_today": "状态：已于今天{time}逾期",
        "balance_after": "本期还款后剩余本金：{balance}",
        "notes": "备注：{notes}",
        "missed": "此提醒原定于{at}发送，因 reminderd 未运行（或电脑处于休眠）而错过，现补发。",
        "record": "还款后请记录：{command} pay {loan_id} {amount}",
        "test_subject": "reminderd 测试消息",
        "test_body": (
            "这是 reminderd 于{now}发送的测试消息。\n如果您能看到它，还款提醒就能送达这里。"
        ),
        "action_paid": "已还款",
        "action_snooze": "稍后提醒",
        "overdue_cost": "逾期 {days} 天，预计罚息已达 {cost}，每多一天 +{per_day}",
        "version": "还款方案第 {version} 版，{on}达成",
    },
}


def language(locale: str) -> str:
    """Return ``zh`` for any Chinese locale (``zh_CN``, ``zh-CN.UTF-8``), else ``en``."""
    return "zh" if locale.lower().replace("-", "_").startswith("zh") else "en"


def _days(count: int, lang: str) -> str:
    if lang == "zh":
        return f"{count}天"
    return f"{count} day" if count == 1 else f"{count} days"


def _date(moment: datetime, lang: str) -> str:
    if lang == "zh":
        return f"{moment.year}年{moment.month}月{moment.day}日"
    return moment.date().isoformat()


def render(
    loan: Loan,
    inst: Installment,
    reminder: Reminder,
    *,
    paid: Decimal,
    now: datetime,
    locale: str,
    catch_up: bool = False,
    command: str = "reminderd",
    overdue: OverdueCost | None = None,
) -> tuple[str, str]:
    """Return the (subject, body) of ``reminder`` for installment ``inst`` of ``loan``.

    ``command`` starts the "record it" hint: ``reminderd`` with the ``-c``/``--state-dir``
    the service runs with (:func:`reminderd.commands.invocation.reminderd_command`).

    ``paid`` is what was already paid towards this installment; the text asks for the rest.
    ``now`` (aware) decides "in N days" / "overdue by N days", counted in calendar days in
    the loan's zone. ``catch_up`` marks a reminder sent late after downtime. ``overdue`` is
    the loan's overdue cost (SPEC §8); an overdue reminder says it when the contract has one.
    """
    lang = language(locale)
    text = _TEXT[lang]
    zone = loan.timezone
    due_local = inst.due_at.astimezone(zone)
    now_local = now.astimezone(zone)
    outstanding = max(inst.amount - paid, Decimal(0))
    money = {
        "amount": format_money(inst.amount, loan.currency),
        "paid": format_money(paid, loan.currency),
        "outstanding": format_money(outstanding, loan.currency),
        "balance": format_money(inst.balance_after, loan.currency),
    }
    label = inst.label()
    clock = due_local.strftime("%H:%M")
    days_left = (inst.due - now_local.date()).days
    fields = {"loan": loan.name, "label": label, "outstanding": money["outstanding"], "time": clock}

    # A lead-0 reminder fires exactly at the due instant: that is "due today", not overdue.
    if reminder.kind == "overdue" or now_local.date() > inst.due:
        late = (now_local.date() - inst.due).days
        variant = "overdue" if late > 0 else "overdue_today"
        fields["days"] = _days(late, lang)
    elif days_left <= 0 or reminder.kind == "due":
        variant = "due"
    else:
        variant = "ahead"
        fields["days"] = _days(days_left, lang)

    subject = text[f"subject_{variant}"].format(**fields)
    if catch_up:
        subject = text["missed_prefix"] + subject

    lines = [text["loan"].format(loan=loan.name)]
    if loan.lender:
        lines.append(text["lender"].format(lender=loan.lender))
    lines.append(text["installment"].format(label=label))
    if inst.version > 1:
        lines.append(version_line(loan, inst.version, locale))
    lines.append(text["amount"].format(amount=money["amount"]))
    if paid > 0:
        lines.append(text["paid"].format(paid=money["paid"]))
        lines.append(text["outstanding"].format(outstanding=money["outstanding"]))
    lines.append(
        text["due_date"].format(
            date=_date(due_local, lang),
            weekday=_WEEKDAYS[lang][due_local.weekday()],
            time=clock,
            zone=zone.key,
        )
    )
    lines.append(text[f"status_{variant}"].format(**fields))
    if overdue is not None and variant == "overdue" and (overdue.total or overdue.per_day):
        lines.append(overdue_line(overdue, locale))
    lines.append(text["balance_after"].format(balance=money["balance"]))
    if loan.notes:
        lines.append(text["notes"].format(notes=loan.notes))
    if catch_up:
        at = reminder.at.astimezone(zone)
        lines.append("")
        lines.append(text["missed"].format(at=f"{_date(at, lang)} {at.strftime('%H:%M')}"))
    lines.append("")
    lines.append(text["record"].format(command=command, loan_id=loan.id, amount=f"{outstanding:f}"))
    return subject, "\n".join(lines) + "\n"


def overdue_line(cost: OverdueCost, locale: str) -> str:
    """What being late costs, in one line: ``逾期 12 天，预计罚息已达 ¥36.00，每多一天 +¥3.00``
    / ``12 days late; estimated penalty so far ¥36.00, +¥3.00 per further day``."""
    lang = language(locale)
    days = f"{cost.days}" if lang == "zh" else _days(cost.days, lang)
    return _TEXT[lang]["overdue_cost"].format(
        days=days,
        cost=format_money(cost.total, cost.currency),
        per_day=format_money(cost.per_day, cost.currency),
    )


def version_line(loan: Loan, version: int, locale: str) -> str:
    """Which agreement an installment belongs to: ``Plan version 2, agreed 2026-11-20``."""
    lang = language(locale)
    on = loan.renegotiated[version - 2].on
    shown = f"{on.year}年{on.month}月{on.day}日" if lang == "zh" else on.isoformat()
    return _TEXT[lang]["version"].format(version=version, on=shown)


def render_test(locale: str, now: datetime) -> tuple[str, str]:
    """Return the (subject, body) of the ``notify-test`` message sent at ``now``."""
    text = _TEXT[language(locale)]
    stamp = now.isoformat(timespec="seconds")
    return text["test_subject"], text["test_body"].format(now=stamp) + "\n"


def action_labels(locale: str) -> dict[str, str]:
    """Return the desktop button labels by action key (``paid``, ``snooze``)."""
    text = _TEXT[language(locale)]
    return {"paid": text["action_paid"], "snooze": text["action_snooze"]}


_GROUP_TEXT = {
    "en": {
        "subject": "OVERDUE: {loan}: {count} installments, {total} to pay",
        "heading": "Overdue installments:",
        "row": "  #{label}  due {date} ({days} overdue)  {outstanding}",
        "total": "Total overdue: {total}",
        "status": "Status: overdue; penalty interest may be accruing",
    },
    "zh": {
        "subject": "逾期提醒：{loan} 共{count}期逾期，合计应还{total}",
        "heading": "逾期各期：",
        "row": "  第{label}期  到期日 {date}（已逾期{days}）  待还{outstanding}",
        "total": "逾期合计：{total}",
        "status": "状态：已逾期，可能正在产生罚息",
    },
}


def render_overdue_group(
    loan: Loan,
    rows: list[tuple[Installment, Decimal]],
    *,
    now: datetime,
    locale: str,
    catch_up: bool = False,
    missed_at: datetime | None = None,
    command: str = "reminderd",
) -> tuple[str, str]:
    """Return the (subject, body) of one message telling of several overdue installments of
    ``loan`` at once: ``rows`` holds each installment (oldest first) with what was already
    paid towards it. Lists each with its due date, days overdue and what is still to pay,
    then the total; ``catch_up`` (with ``missed_at``) marks it as sent late; ``command``
    starts the "record it" hint, as in :func:`render`."""
    lang = language(locale)
    text = _TEXT[lang]
    group = _GROUP_TEXT[lang]
    zone = loan.timezone
    today = now.astimezone(zone).date()
    lines = [text["loan"].format(loan=loan.name)]
    if loan.lender:
        lines.append(text["lender"].format(lender=loan.lender))
    lines.append(group["heading"])
    total = Decimal(0)
    for inst, paid in rows:
        outstanding = max(inst.amount - paid, Decimal(0))
        total += outstanding
        lines.append(
            group["row"].format(
                label=inst.label(),
                date=_date(inst.due_at.astimezone(zone), lang),
                days=_days(max((today - inst.due).days, 0), lang),
                outstanding=format_money(outstanding, loan.currency),
            )
        )
    shown_total = format_money(total, loan.currency)
    lines.append(group["total"].format(total=shown_total))
    lines.append(group["status"])
    if loan.notes:
        lines.append(text["notes"].format(notes=loan.notes))
    if catch_up and missed_at is not None:
        at = missed_at.astimezone(zone)
        lines.append("")
        lines.append(text["missed"].format(at=f"{_date(at, lang)} {at.strftime('%H:%M')}"))
    lines.append("")
    lines.append(text["record"].format(command=command, loan_id=loan.id, amount=f"{total:f}"))
    subject = group["subject"].format(loan=loan.name, count=len(rows), total=shown_total)
    if catch_up:
        subject = text["missed_prefix"] + subject
    return subject, "\n".join(lines) + "\n"
