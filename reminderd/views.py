"""``check`` and ``upcoming``: read-only views of the config and where each installment stands.

The functions named ``*_rows`` are pure (config, payments, now in; data out); the command
functions only fetch those inputs and print.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from reminderd import money, reminders
from reminderd.context import Context
from reminderd.core import versions
from reminderd.model import Config, Loan
from reminderd.standing import LoanStanding, Standing, for_loan


def standings(config: Config, paid: Mapping[str, Decimal]) -> dict[str, LoanStanding]:
    """Every loan's installments with the loan's recorded payments spread over them."""
    return {loan.id: for_loan(loan, paid) for loan in config.loans}


def upcoming_rows(
    config: Config, paid: Mapping[str, Decimal], now: datetime, days: int
) -> list[dict[str, Any]]:
    """Unsettled overdue installments (oldest first), then those due within ``days`` days,
    as the JSON objects of SPEC §3."""
    horizon = now + timedelta(days=days)
    overdue: list[tuple[Loan, Standing]] = []
    coming: list[tuple[Loan, Standing]] = []
    by_id = {loan.id: loan for loan in config.loans}
    for loan_id, standing in standings(config, paid).items():
        loan = by_id[loan_id]
        for row in standing.rows:
            if row.closed:  # superseded or rolled into an agreement: not owed as such
                continue
            due_at = row.installment.due_at
            if due_at <= now and not row.settled:
                overdue.append((loan, row))
            elif now < due_at <= horizon:
                coming.append((loan, row))

    def order(item: tuple[Loan, Standing]) -> tuple[datetime, str, int]:
        return (item[1].installment.due_at, item[0].id, item[1].installment.number)

    return [_row_json(loan, row, now) for loan, row in sorted(overdue, key=order)] + [
        _row_json(loan, row, now) for loan, row in sorted(coming, key=order)
    ]


def _row_json(loan: Loan, row: Standing, now: datetime) -> dict[str, Any]:
    inst = row.installment
    currency = loan.currency

    def cash(amount: Decimal) -> str:
        return money.to_json(amount, currency)

    return {
        "loan": loan.id,
        "name": loan.name,
        "number": inst.number,
        "of": inst.of,
        "due": inst.due.isoformat(),
        "due_at": inst.due_at.isoformat(),
        "amount": cash(inst.amount),
        "principal": cash(inst.principal),
        "interest": cash(inst.interest),
        "paid": cash(row.paid),
        "outstanding": cash(row.outstanding),
        "balance_after": cash(inst.balance_after),
        "currency": currency,
        "status": row.status(now),
        "version": inst.version,
        "reminders": [
            reminder.at.isoformat() for reminder in reminders.before_due(inst, loan.reminders)
        ],
    }


def paid_totals(context: Context) -> dict[str, Decimal]:
    """The total recorded as paid per loan, read from the ledger without creating it."""
    from reminderd import ledger

    return ledger.paid_totals(context.state_dir)


def check(args: argparse.Namespace, context: Context) -> int:
    """Validate the config and print a short summary."""
    config = context.config()
    now = context.now()
    count = 0
    next_due: tuple[datetime, Loan, Any] | None = None
    for loan in config.loans:
        rows = versions.installments(loan)
        count += len(rows)
        for inst in rows:
            if versions.superseded(loan, inst):  # replaced by an agreement: never due
                continue
            if inst.due_at > now:
                if next_due is None or inst.due_at < next_due[0]:
                    next_due = (inst.due_at, loan, inst)
                break
    context.print(f"{config.source}: OK")
    context.print(f"  loans:        {len(config.loans)}")
    context.print(f"  installments: {count}")
    context.print(f"  channels:     {', '.join(config.channels.names()) or 'none'}")
    if next_due is None:
        context.print("  next due:     nothing left to pay")
    else:
        _, loan, inst = next_due
        when = inst.due_at.astimezone(loan.timezone).strftime("%Y-%m-%d %H:%M %Z")
        context.print(
            f"  next due:     {when}  {loan.name} {inst.label()}  "
            f"{money.format_money(inst.amount, loan.currency)}"
        )
    if not config.channels.names():
        context.warn("no channels are configured: reminders will go nowhere")
    return 0


def upcoming(args: argparse.Namespace, context: Context) -> int:
    """Print unsettled overdue installments, then the ones due in the next ``--days``."""
    config = context.config()
    now = context.now()
    rows = upcoming_rows(config, paid_totals(context), now, args.days)
    if args.json:
        context.print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        context.print(f"Nothing overdue and nothing due in the next {args.days} days.")
        return 0
    by_id = {loan.id: loan for loan in config.loans}
    table = []
    for row in rows:
        loan = by_id[row["loan"]]
        number = f"{row['number']}/{row['of']}" if row["of"] else str(row["number"])
        due_at = datetime.fromisoformat(row["due_at"])
        days_left = (
            due_at.astimezone(loan.timezone).date() - now.astimezone(loan.timezone).date()
        ).days
        when = (
            "today"
            if days_left == 0
            else f"in {days_left}d"
            if days_left > 0
            else f"{-days_left}d ago"
        )
        table.append(
            [
                row["status"].upper() if row["status"] == "overdue" else row["status"],
                row["due"],
                when,
                loan.id,
                number,
                money.format_money(Decimal(row["outstanding"]), loan.currency),
                money.format_money(Decimal(row["amount"]), loan.currency),
                loan.name,
            ]
        )
    header = ["status", "due", "when", "loan", "n/N", "outstanding", "amount", "name"]
    context.print(format_table(header, table, right={5, 6}))
    return 0


def format_table(header: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> str:
    """Align columns for a terminal (wide CJK characters count double)."""
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        out = []
        for index, cell in enumerate(cells):
            pad = " " * (widths[index] - _width(str(cell)))
            out.append(pad + str(cell) if index in right else str(cell) + pad)
        return "  ".join(out).rstrip()

    return "\n".join([line(header), *(line(row) for row in rows)])


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
