"""``pay``, ``history`` and ``status``: fetch the config, the ledger and the clock, call the
pure parts (:mod:`reminderd.standing`, :mod:`.report`, :mod:`.describe`), print.

``pay`` checks every input before it writes anything: the loan, the amount, the date, the
receipt, then the database itself. Only then is the receipt copied and the payment recorded,
in one transaction.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from reminderd import ledger, money
from reminderd.accounts.describe import settlement
from reminderd.accounts.report import status_report
from reminderd.context import Context
from reminderd.errors import EXIT_FAILURE, UserError
from reminderd.ledger import receipts
from reminderd.ledger import records as payment_rows
from reminderd.model import Config, Loan
from reminderd.standing import for_loan
from reminderd.views import format_table, warn_if_no_ledger

PAY_USAGE = (
    "usage: reminderd pay LOAN AMOUNT [--on DATE] [--receipt FILE] [--note TEXT]"
    " | reminderd pay --undo ID"
)
MAX_NOTE = 1000


def pay(args: argparse.Namespace, context: Context) -> int:
    """Record a payment (or, with ``--undo ID``, its reversing entry); say what it settled."""
    if args.undo is not None:
        return _undo(args, context)
    if not args.loan or not args.amount:
        raise UserError(f"pay needs a LOAN and an AMOUNT ({PAY_USAGE})")
    config = context.config()
    now = context.now()
    loan = _known_loan(config, args.loan)
    try:
        amount = money.parse_amount(args.amount, loan.currency)
    except ValueError as error:
        raise UserError(f"amount: {error}") from None
    paid_on = _paid_on(args.on, config, now)
    note = _note(args.note)
    receipt = receipts.check(args.receipt) if args.receipt else None

    conn = ledger.connect(context.state_dir, create=True)
    assert conn is not None  # noqa: S101 - create=True always gives a connection
    try:
        receipts.sweep(context.state_dir, conn)  # what a killed pay left behind
        # Held from the copy to the commit, so that a sweep never takes this receipt.
        holding = receipts.writing(context.state_dir) if receipt else contextlib.nullcontext()
        with holding:
            stored = receipts.store(context.state_dir, receipt) if receipt else None
            try:
                with ledger.transaction(conn):
                    before = payment_rows.totals(conn)
                    payment_id = payment_rows.add(
                        conn,
                        loan_id=loan.id,
                        amount=amount,
                        currency=loan.currency,
                        paid_on=paid_on,
                        recorded_at=now,
                        note=note,
                        receipt_sha256=stored.sha256 if stored else None,
                        receipt_name=receipt.name if receipt else None,
                    )
                    after = payment_rows.totals(conn)
            except BaseException:
                if stored is not None and stored.created:
                    stored.path.unlink(missing_ok=True)  # nothing refers to it
                raise
    finally:
        conn.close()

    context.print(
        f"Recorded payment {payment_id}: {loan.id} {money.format_money(amount, loan.currency)}"
        f" on {paid_on.isoformat()}"
        + (f", receipt {receipt.name} (sha256 {stored.sha256[:12]}…)" if receipt and stored else "")
    )
    context.print(_what_changed(loan, before, after))
    context.print(f"To undo it: reminderd pay --undo {payment_id}")
    return _refresh_calendar(config, after, now, context)


def _undo(args: argparse.Namespace, context: Context) -> int:
    if args.loan or args.amount:
        raise UserError(f"pay --undo ID takes no LOAN or AMOUNT ({PAY_USAGE})")
    try:
        payment_id = int(args.undo)
    except ValueError:
        raise UserError(f"--undo needs a payment id (a number), got {args.undo!r}") from None
    if not 0 < payment_id < 2**63:  # SQLite's integer range; ids start at 1
        raise UserError(f"there is no payment {args.undo} (see reminderd history)")
    config = context.config()
    now = context.now()
    conn = ledger.connect(context.state_dir, create=False)
    if conn is None:
        raise UserError(f"there is no payment {payment_id}: no payment has been recorded yet")
    try:
        with ledger.transaction(conn):
            before = payment_rows.totals(conn)
            entry = payment_rows.undo(conn, payment_id, now)
            after = payment_rows.totals(conn)
    finally:
        conn.close()
    amount = money.format_money(-entry.amount, entry.currency)
    context.print(
        f"Undid payment {payment_id} ({entry.loan_id} {amount} on {entry.paid_on.isoformat()}),"
        f" recorded as entry {entry.id}"
    )
    loan = config.loan(entry.loan_id)
    if loan is not None:
        context.print(_what_changed(loan, before, after))
    return _refresh_calendar(config, after, now, context)


def _what_changed(loan: Loan, before: dict[str, Decimal], after: dict[str, Decimal]) -> str:
    old = for_loan(loan, before)
    new = for_loan(loan, after)
    text = settlement(old, new, loan.currency)
    following = new.next_open()
    if following is None:
        return f"{text[0].upper()}{text[1:]}. {loan.name} is paid off."
    owed = money.format_money(following.outstanding, loan.currency)
    return (
        f"{text[0].upper()}{text[1:]}. Next: {following.installment.label()} due "
        f"{following.installment.due.isoformat()}, {owed} to pay."
    )


def _known_loan(config: Config, loan_id: str) -> Loan:
    loan = config.loan(loan_id)
    if loan is None:
        known = ", ".join(item.id for item in config.loans) or "none"
        raise UserError(f"unknown loan {loan_id!r}; the config has: {known}")
    return loan


def _paid_on(text: str | None, config: Config, now: datetime) -> date:
    """The payment date: ``--on`` (a real date, not after today in the config's zone)."""
    today = now.astimezone(config.timezone).date()
    if text is None:
        return today
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"--on: not a real date: {text!r} (write it as YYYY-MM-DD)") from None
    if len(text.strip()) != 10:
        raise UserError(f"--on: write the date as YYYY-MM-DD, got {text!r}")
    if day > today:
        raise UserError(f"--on: {day.isoformat()} is in the future (today is {today.isoformat()})")
    return day


def _note(text: str | None) -> str | None:
    if text is None:
        return None
    if len(text) > MAX_NOTE:
        raise UserError(f"--note is too long ({len(text)} characters; at most {MAX_NOTE})")
    if any(ord(ch) < 32 and ch not in "\t\n" for ch in text):
        raise UserError("--note must not contain control characters")
    return text.strip() or None


def _refresh_calendar(
    config: Config, paid: dict[str, Decimal], now: datetime, context: Context
) -> int:
    """Rewrite the calendar if its file exists, so a phone stops showing what is now paid.

    The payment is already recorded: a failure here is a warning and exit status 1.
    """
    if not config.calendar.path.exists():
        return 0
    from reminderd.calendar import export

    try:
        # The ledger is read again under the calendar's lock: a concurrent `pay` may have
        # recorded more since ``paid``, and the last writer must write the newest state.
        export.write(config, lambda: ledger.paid_totals(context.state_dir), now)
    except Exception as error:  # the payment stands whatever went wrong with the calendar
        reason = getattr(error, "message", None) or str(error) or type(error).__name__
        context.warn(
            f"the payment is recorded, but the calendar {config.calendar.path} "
            f"could not be rewritten: {reason}"
        )
        return EXIT_FAILURE
    return 0


def history(args: argparse.Namespace, context: Context) -> int:
    """List recorded payments (of one loan), with their receipts and undo links."""
    if not ledger.database_path(context.state_dir).exists():
        try:
            locale = context.config().locale
        except UserError:  # history needs no config; the notice is still worth giving
            locale = "en"
        warn_if_no_ledger(context, locale)
    rows = ledger.payments(context.state_dir, args.loan)
    if args.loan and not rows:
        _known_loan(context.config(), args.loan)
    if args.json:
        shown = [_payment_json(row) for row in rows]
        for item, row in zip(shown, rows, strict=True):
            item["version"] = _version_of(context, row)
        context.print(json.dumps(shown, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        context.print("No payments recorded" + (f" for {args.loan}." if args.loan else "."))
        return 0
    table = [
        [
            str(row.id),
            row.paid_on.isoformat(),
            row.loan_id,
            money.format_money(row.amount, row.currency),
            row.receipt_name or "",
            _remark(row),
        ]
        for row in rows
    ]
    header = ["id", "on", "loan", "amount", "receipt", "note"]
    context.print(format_table(header, table, right={0, 3}))
    return 0


def _version_of(context: Context, row: payment_rows.Payment) -> int | None:
    """The plan version in force on the payment's day (SPEC §8); null when the config cannot
    be read or no longer has the loan: history never needs a valid config."""
    from reminderd.core import versions
    from reminderd.errors import ConfigError

    try:
        loan = context.config().loan(row.loan_id)
    except (UserError, ConfigError):
        return None
    return None if loan is None else versions.version_on(loan, row.paid_on)


def _remark(row: payment_rows.Payment) -> str:
    parts = [row.note] if row.note and row.undoes is None else []
    if row.undoes is not None:
        parts.append(f"undoes {row.undoes}")
    if row.undone_by is not None:
        parts.append(f"undone by {row.undone_by}")
    return "; ".join(parts)


def _payment_json(row: payment_rows.Payment) -> dict[str, Any]:
    return {
        "id": row.id,
        "loan": row.loan_id,
        "on": row.paid_on.isoformat(),
        "amount": money.to_json(row.amount, row.currency),
        "currency": row.currency,
        "note": row.note,
        "receipt": (
            {"name": row.receipt_name, "sha256": row.receipt_sha256} if row.receipt_sha256 else None
        ),
        "undoes": row.undoes,
        "undone_by": row.undone_by,
        "recorded_at": row.recorded_at.isoformat(),
    }


def status(args: argparse.Namespace, context: Context) -> int:
    """Print per loan what is owed, paid and overdue, and per month the dues against the budget."""
    config = context.config()
    warn_if_no_ledger(context, config.locale)
    report = status_report(config, ledger.paid_totals(context.state_dir), context.now())
    if args.json:
        context.print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0

    def cash(text: str, currency: str) -> str:
        return money.format_money(Decimal(text), currency)

    loans = [
        [
            row["id"],
            cash(row["total"], row["currency"]),
            cash(row["paid"], row["currency"]),
            cash(row["outstanding"], row["currency"]),
            row["next_due"] or "paid off",
            (
                f"{cash(row['overdue'], row['currency'])} ({row['overdue_count']}) OVERDUE"
                if row["overdue_count"]
                else "-"
            ),
            cash(row["credit"], row["currency"]) if Decimal(row["credit"]) else "",
            row["name"],
        ]
        for row in report["loans"]
    ]
    header = ["loan", "total", "paid", "outstanding", "next due", "overdue", "credit", "name"]
    # The life of a debt (SPEC §8) only widens the table of configs that use it.
    if any(loan.overdue or loan.renegotiated for loan in config.loans):
        header[-1:-1] = ["version", "late cost"]
        for table_row, row in zip(loans, report["loans"], strict=True):
            late = (
                f"{cash(row['overdue_cost'], row['currency'])} "
                f"(+{cash(row['overdue_per_day'], row['currency'])}/day)"
                if Decimal(row["overdue_per_day"])
                else cash(row["overdue_cost"], row["currency"])
            )
            version = f"v{row['version']}" + (
                f" since {row['agreed_on']}" if row["agreed_on"] else ""
            )
            table_row[-1:-1] = [version, late]
    context.print(format_table(header, loans, right={1, 2, 3}))
    if any(loan.overdue for loan in config.loans):
        totals = ", ".join(cash(amount, code) for code, amount in report["overdue_costs"].items())
        context.print(f"Estimated cost of being late so far: {totals}")
    context.print()
    months = [
        [
            row["month"],
            cash(row["due"], row["currency"]),
            cash(row["outstanding"], row["currency"]),
            cash(row["budget"], row["currency"]) if row["budget"] is not None else "",
            "OVER BUDGET" if row["over"] else "",
        ]
        for row in report["months"]
    ]
    context.print(
        format_table(["month", "due", "still owed", "budget", ""], months, right={1, 2, 3})
    )
    return 0
