"""What reminders say, in English and Simplified Chinese.

Pure functions: given the loan, the installment, the reminder, what was paid and the current
instant, return the subject and the complete plain-text body. Dates are shown in the loan's
zone; amounts through the catalogue's money (``CN¥`` in English, ``JP¥`` in Chinese). The
words themselves are in the one catalogue, :mod:`reminderd.text.reminders`.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING

from reminderd import text
from reminderd.model import Installment, Loan, Reminder

if TYPE_CHECKING:
    from reminderd.core.overdue import OverdueCost


def language(locale: str) -> str:
    """Return ``zh`` for any Chinese locale (``zh_CN``, ``zh-CN.UTF-8``), else ``en``."""
    return "zh" if locale.lower().replace("-", "_").startswith("zh") else "en"


def _locale(locale: str) -> str:
    """The catalogue's name for ``locale``: ``zh_CN`` for any Chinese one, else ``en``."""
    return "zh_CN" if language(locale) == "zh" else "en"


def _days(count: int, loc: str) -> str:
    return text.t("days.one" if count == 1 else "days.many", loc, count=count)


def _date(moment: datetime | date, loc: str) -> str:
    return text.t("date", loc, year=moment.year, month=moment.month, day=moment.day)


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
    loc = _locale(locale)
    zone = loan.timezone
    due_local = inst.due_at.astimezone(zone)
    now_local = now.astimezone(zone)
    outstanding = max(inst.amount - paid, Decimal(0))
    shown = text.money_format(loan.currency, loc)
    money = {
        "amount": shown(inst.amount),
        "paid": shown(paid),
        "outstanding": shown(outstanding),
        "balance": shown(inst.balance_after),
    }
    label = inst.label()
    clock = due_local.strftime("%H:%M")
    days_left = (inst.due - now_local.date()).days
    fields = {"loan": loan.name, "label": label, "outstanding": money["outstanding"], "time": clock}

    # A lead-0 reminder fires exactly at the due instant: that is "due today", not overdue.
    if reminder.kind == "overdue" or now_local.date() > inst.due:
        late = (now_local.date() - inst.due).days
        variant = "overdue" if late > 0 else "overdue_today"
        fields["days"] = _days(late, loc)
    elif days_left <= 0 or reminder.kind == "due":
        variant = "due"
    else:
        variant = "ahead"
        fields["days"] = _days(days_left, loc)

    subject = text.t(f"reminder.subject.{variant}", loc, **fields)
    if catch_up:
        subject = text.t("reminder.missed_prefix", loc) + subject

    lines = [text.t("reminder.loan", loc, loan=loan.name)]
    if loan.lender:
        lines.append(text.t("reminder.lender", loc, lender=loan.lender))
    lines.append(text.t("reminder.installment", loc, label=label))
    if inst.version > 1:
        lines.append(version_line(loan, inst.version, locale))
    lines.append(text.t("reminder.amount", loc, amount=money["amount"]))
    if paid > 0:
        lines.append(text.t("reminder.paid", loc, paid=money["paid"]))
        lines.append(text.t("reminder.outstanding", loc, outstanding=money["outstanding"]))
    lines.append(
        text.t(
            "reminder.due_date",
            loc,
            date=_date(due_local, loc),
            weekday=text.t(f"weekday.{due_local.weekday()}", loc),
            time=clock,
            zone=zone.key,
        )
    )
    lines.append(text.t(f"reminder.status.{variant}", loc, **fields))
    if overdue is not None and variant == "overdue" and (overdue.total or overdue.per_day):
        lines.append(overdue_line(overdue, locale))
    lines.append(text.t("reminder.balance_after", loc, balance=money["balance"]))
    if loan.notes:
        lines.append(text.t("reminder.notes", loc, notes=loan.notes))
    if catch_up:
        lines.append("")
        lines.append(_missed(reminder.at, zone, loc))
    lines.append("")
    lines.append(_record(command, loan.id, outstanding, loc))
    return subject, "\n".join(lines) + "\n"


def _missed(at: datetime, zone: tzinfo, loc: str) -> str:
    local = at.astimezone(zone)
    return text.t("reminder.missed", loc, at=f"{_date(local, loc)} {local.strftime('%H:%M')}")


def _record(command: str, loan_id: str, amount: Decimal, loc: str) -> str:
    return text.t("reminder.record", loc, command=command, loan_id=loan_id, amount=f"{amount:f}")


def overdue_line(cost: OverdueCost, locale: str) -> str:
    """What being late costs, in one line: ``已逾期12天，预计罚息已达¥36.00，每多一天加¥3.00``
    / ``12 days late; estimated penalty so far CN¥36.00, +CN¥3.00 per further day``."""
    loc = _locale(locale)
    shown = text.money_format(cost.currency, loc)
    return text.t(
        "reminder.cost",
        loc,
        days=_days(cost.days, loc),
        cost=shown(cost.total),
        per_day=shown(cost.per_day),
    )


def version_line(loan: Loan, version: int, locale: str) -> str:
    """Which agreement an installment belongs to: ``Plan version 2, agreed 2026-11-20``."""
    loc = _locale(locale)
    on = loan.renegotiated[version - 2].on
    return text.t("reminder.version", loc, version=version, on=_date(on, loc))


def render_test(locale: str, now: datetime) -> tuple[str, str]:
    """Return the (subject, body) of the ``notify-test`` message sent at ``now``."""
    loc = _locale(locale)
    stamp = now.isoformat(timespec="seconds")
    return text.t("reminder.test.subject", loc), text.t("reminder.test.body", loc, now=stamp) + "\n"


def action_labels(locale: str) -> dict[str, str]:
    """Return the desktop button labels by action key (``paid``, ``snooze``)."""
    loc = _locale(locale)
    return {
        "paid": text.t("reminder.action.paid", loc),
        "snooze": text.t("reminder.action.snooze", loc),
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
    loc = _locale(locale)
    shown = text.money_format(loan.currency, loc)
    zone = loan.timezone
    today = now.astimezone(zone).date()
    lines = [text.t("reminder.loan", loc, loan=loan.name)]
    if loan.lender:
        lines.append(text.t("reminder.lender", loc, lender=loan.lender))
    lines.append(text.t("reminder.group.heading", loc))
    total = Decimal(0)
    for inst, paid in rows:
        outstanding = max(inst.amount - paid, Decimal(0))
        total += outstanding
        lines.append(
            text.t(
                "reminder.group.row",
                loc,
                label=inst.label(),
                date=_date(inst.due_at.astimezone(zone), loc),
                days=_days(max((today - inst.due).days, 0), loc),
                outstanding=shown(outstanding),
            )
        )
    shown_total = shown(total)
    lines.append(text.t("reminder.group.total", loc, total=shown_total))
    lines.append(text.t("reminder.group.status", loc))
    if loan.notes:
        lines.append(text.t("reminder.notes", loc, notes=loan.notes))
    if catch_up and missed_at is not None:
        lines.append("")
        lines.append(_missed(missed_at, zone, loc))
    lines.append("")
    lines.append(_record(command, loan.id, total, loc))
    subject = text.t(
        "reminder.group.subject", loc, loan=loan.name, count=len(rows), total=shown_total
    )
    if catch_up:
        subject = text.t("reminder.missed_prefix", loc) + subject
    return subject, "\n".join(lines) + "\n"
