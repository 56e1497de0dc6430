"""``pay``, ``history`` and ``status``: the record of what was paid, and where that leaves you.

``status_report`` is pure (config, payments, now in; the SPEC §3 JSON object out); the
command functions validate, write through ``ledger`` and print.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from reminderd import ledger, money
from reminderd.context import Context
from reminderd.errors import RuntimeFailure, UserError
from reminderd.model import Config, Loan
from reminderd.standing import LoanStanding
from reminderd.validation import Invalid, to_date
from reminderd.views import format_table, standings


def status_report(config: Config, paid: Mapping[str, Decimal], now: datetime) -> dict[str, Any]:
    """Per loan: total, paid, outstanding, next due, overdue; per month and currency: the
    sum of that month's installment amounts (before payments) against ``budget.monthly``.

    Months run from the earlier of this month and the oldest unsettled installment's month
    to the last month of any plan, so a month that is behind stays in view until it is paid.
    """
    by_loan = standings(config, paid)
    loans = []
    for loan in config.loans:
        standing = by_loan[loan.id]
        nxt = standing.next_open()
        overdue_rows = standing.overdue(now)
        cash = _cash(loan.currency)
        loans.append(
            {
                "id": loan.id,
                "name": loan.name,
                "currency": loan.currency,
                "total": cash(standing.total),
                "paid": cash(standing.paid),
                "outstanding": cash(standing.outstanding),
                "credit": cash(standing.credit),
                "next_due": nxt.installment.due.isoformat() if nxt else None,
                "overdue": cash(sum((row.outstanding for row in overdue_rows), Decimal(0))),
                "overdue_count": len(overdue_rows),
            }
        )
    return {"loans": loans, "months": _months(config, by_loan, now)}


def _months(
    config: Config, by_loan: Mapping[str, LoanStanding], now: datetime
) -> list[dict[str, Any]]:
    sums: dict[tuple[str, str], Decimal] = {}
    start = now.astimezone(config.timezone).strftime("%Y-%m")
    for loan in config.loans:
        for row in by_loan[loan.id].rows:
            month = row.installment.due.strftime("%Y-%m")
            key = (month, loan.currency)
            sums[key] = sums.get(key, Decimal(0)) + row.installment.amount
            if not row.settled and month < start:
                start = month
    months = []
    for (month, currency), due in sorted(sums.items()):
        if month < start:
            continue
        budget = config.budget_monthly if currency == config.currency else None
        months.append(
            {
                "month": month,
                "currency": currency,
                "due": money.to_json(due, currency),
                "budget": money.to_json(budget, currency) if budget is not None else None,
                "over": budget is not None and due > budget,
            }
        )
    return months


def _cash(currency: str) -> Any:
    return lambda amount: money.to_json(amount, currency)


# ---- pay -----------------------------------------------------------------------------------


def pay(args: argparse.Namespace, context: Context) -> int:
    """Record a payment (or with ``--undo ID`` reverse one); rewrite the calendar."""
    if args.undo is not None:
        return _undo(args, context)
    if args.loan is None or args.amount is None:
        raise UserError(
            "pay needs LOAN and AMOUNT (or --undo ID), e.g. reminderd pay wallet-a 1000"
        )
    config = context.config()
    loan = _loan(config, args.loan)
    now = context.now()
    try:
        amount = money.parse_amount(args.amount, loan.currency)
    except ValueError as error:
        raise UserError(f"AMOUNT: {error}") from None
    today = now.astimezone(loan.timezone).date()
    paid_on = _date(args.on, today) if args.on else today
    receipt_data = ledger.read_receipt(Path(args.receipt)) if args.receipt else None
    note = args.note.strip() if args.note and args.note.strip() else None

    before = ledger.paid_totals(context.state_dir)
    receipt = None
    if receipt_data is not None:
        digest, _ = ledger.store_receipt(context.state_dir, receipt_data, Path(args.receipt).name)
        receipt = (digest, Path(args.receipt).name)
    conn = ledger.connect(context.state_dir, create=True)
    assert conn is not None  # noqa: S101 - create=True
    try:
        with ledger.transaction(conn):
            payment_id = ledger.record_payment(
                conn,
                loan_id=loan.id,
                amount=amount,
                currency=loan.currency,
                paid_on=paid_on,
                note=note,
                recorded_at=now,
                receipt=receipt,
            )
    finally:
        conn.close()
    after = dict(before)
    after[loan.id] = before.get(loan.id, Decimal(0)) + amount
    context.print(
        f"recorded payment #{payment_id}: {money.format_money(amount, loan.currency)} to "
        f"{loan.name} on {paid_on.isoformat()}"
        + (f", receipt {receipt[1]} (sha256 {receipt[0][:12]}…)" if receipt else "")
    )
    for line in describe_settlement(config, loan, before, after):
        context.print("  " + line)
    context.print(f"  (a mistake? reminderd pay --undo {payment_id})")
    return _refresh_calendar(context, config, after)


def describe_settlement(
    config: Config, loan: Loan, before: Mapping[str, Decimal], after: Mapping[str, Decimal]
) -> list[str]:
    """What a payment changed: installments settled, one partly paid, credit left over."""
    old = standings(config, before)[loan.id]
    new = standings(config, after)[loan.id]
    cash = _fmt(loan.currency)
    lines = []
    for was, now in zip(old.rows, new.rows, strict=True):
        if now.paid == was.paid:
            continue
        label = now.installment.label()
        if now.settled:
            lines.append(f"settles {label} due {now.installment.due} ({cash(now.paid)})")
        elif now.paid > 0:
            lines.append(
                f"{label} due {now.installment.due} partly paid: {cash(now.paid)} of "
                f"{cash(now.installment.amount)}, {cash(now.outstanding)} still to pay"
            )
    if new.credit > old.credit:
        lines.append(f"{cash(new.credit)} more than the plan asks: kept as credit")
    nxt = new.next_open()
    if nxt is None:
        lines.append(f"{loan.name} is paid off")
    else:
        lines.append(
            f"next: {nxt.installment.label()} due {nxt.installment.due}, "
            f"{cash(nxt.outstanding)} to pay"
        )
    return lines


def _undo(args: argparse.Namespace, context: Context) -> int:
    if args.loan is not None or args.amount is not None:
        raise UserError("--undo ID takes no LOAN or AMOUNT")
    try:
        target = int(args.undo)
    except ValueError:
        raise UserError(
            f"--undo: not a payment id: {args.undo!r} (see reminderd history)"
        ) from None
    config = context.config()
    now = context.now()
    conn = ledger.connect(context.state_dir, create=False)
    if conn is None:
        raise UserError(f"--undo {target}: no payment has been recorded yet")
    try:
        with ledger.transaction(conn):
            row = conn.execute(
                "SELECT loan_id, amount, currency, undoes FROM payments WHERE id = ?", (target,)
            ).fetchone()
            if row is None:
                raise UserError(f"--undo {target}: no such payment (see reminderd history)")
            loan_id, amount, currency, undoes = row
            if undoes is not None:
                raise UserError(f"--undo {target}: that entry is itself an undo of #{undoes}")
            already = conn.execute("SELECT id FROM payments WHERE undoes = ?", (target,)).fetchone()
            if already:
                raise UserError(f"--undo {target}: already undone by #{already[0]}")
            undo_id = ledger.record_payment(
                conn,
                loan_id=loan_id,
                amount=-Decimal(amount),
                currency=currency,
                paid_on=now.astimezone(config.timezone).date(),
                note=f"undo of #{target}",
                recorded_at=now,
                undoes=target,
            )
    finally:
        conn.close()
    context.print(
        f"recorded #{undo_id}: payment #{target} ({money.format_money(Decimal(amount), currency)}"
        f" to {loan_id}) is undone"
    )
    return _refresh_calendar(context, config, ledger.paid_totals(context.state_dir))


def _refresh_calendar(context: Context, config: Config, paid: Mapping[str, Decimal]) -> int:
    """Rewrite the calendar after a payment, if it has been written before."""
    if not config.calendar.path.exists():
        return 0
    from reminderd.calendar import export

    try:
        export.write(config, paid, context.now())
    except RuntimeFailure as error:
        context.warn(f"the payment is recorded, but {error.message}")
        return error.exit_code
    return 0


def _loan(config: Config, loan_id: str) -> Loan:
    loan = config.loan(loan_id)
    if loan is None:
        known = ", ".join(item.id for item in config.loans) or "none"
        raise UserError(f"unknown loan {loan_id!r} (loans: {known})")
    return loan


def _date(text: str, today: date) -> date:
    try:
        day = to_date(text)
    except Invalid as error:
        raise UserError(f"--on: {error}") from None
    if day > today:
        raise UserError(f"--on {text}: that is in the future (today is {today})")
    return day


def _fmt(currency: str) -> Any:
    return lambda amount: money.format_money(amount, currency)


# ---- history and status --------------------------------------------------------------------


def history(args: argparse.Namespace, context: Context) -> int:
    """Print recorded payments (all, or one loan's), with their receipts."""
    config = context.config()
    if args.loan is not None and config.loan(args.loan) is None:
        _loan(config, args.loan)
    rows = ledger.payments(context.state_dir, args.loan)
    if args.json:
        context.print(
            json.dumps([_payment_json(row) for row in rows], ensure_ascii=False, indent=2)
        )
        return 0
    if not rows:
        context.print("No payments recorded yet.")
        return 0
    table = [
        [
            f"#{row.id}",
            row.paid_on.isoformat(),
            row.loan_id,
            money.format_money(row.amount, row.currency),
            (f"undo of #{row.undoes}" if row.undoes else "")
            + (f"undone by #{row.undone_by}" if row.undone_by else ""),
            row.receipt_name or "",
            row.note or "",
        ]
        for row in rows
    ]
    header = ["id", "on", "loan", "amount", "", "receipt", "note"]
    context.print(format_table(header, table, right={3}))
    return 0


def _payment_json(row: ledger.Payment) -> dict[str, Any]:
    return {
        "id": row.id,
        "loan": row.loan_id,
        "on": row.paid_on.isoformat(),
        "amount": money.to_json(row.amount, row.currency),
        "currency": row.currency,
        "note": row.note,
        "receipt": {"name": row.receipt_name, "sha256": row.receipt_sha256}
        if row.receipt_sha256
        else None,
        "recorded_at": row.recorded_at.isoformat(),
        "undoes": row.undoes,
        "undone_by": row.undone_by,
    }


def status(args: argparse.Namespace, context: Context) -> int:
    """Print per-loan totals and the monthly dues against the budget."""
    config = context.config()
    report = status_report(config, ledger.paid_totals(context.state_dir), context.now())
    if args.json:
        context.print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    table = []
    for item in report["loans"]:
        cash = _fmt(item["currency"])
        table.append(
            [
                item["id"],
                cash(Decimal(item["total"])),
                cash(Decimal(item["paid"])),
                cash(Decimal(item["outstanding"])),
                item["next_due"] or "paid off",
                f"{cash(Decimal(item['overdue']))} ({item['overdue_count']})"
                if item["overdue_count"]
                else "",
                item["name"],
            ]
        )
    header = ["loan", "total", "paid", "outstanding", "next due", "OVERDUE", "name"]
    context.print(format_table(header, table, right={1, 2, 3}))
    context.print("")
    months = report["months"]
    shown = months[:12]
    month_rows = [
        [
            m["month"],
            _fmt(m["currency"])(Decimal(m["due"])),
            _fmt(m["currency"])(Decimal(m["budget"])) if m["budget"] else "",
            "OVER BUDGET" if m["over"] else "",
        ]
        for m in shown
    ]
    context.print(format_table(["month", "due", "budget", ""], month_rows, right={1, 2}))
    if len(months) > len(shown):
        context.print(f"… {len(months) - len(shown)} more months (status --json shows all)")
    return 0
