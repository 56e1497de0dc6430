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

from reminderd import ledger, money, text
from reminderd.accounts.describe import settlement
from reminderd.accounts.report import status_report
from reminderd.context import Context
from reminderd.errors import EXIT_FAILURE, UserError
from reminderd.ledger import receipts
from reminderd.ledger import records as payment_rows
from reminderd.model import Config, Loan
from reminderd.standing import for_loan
from reminderd.views import cash, columns, format_table, locale_of, record_id, warn_if_no_ledger

PAY_USAGE = (  # the synopsis; "usage: " is said in the locale
    "reminderd pay LOAN AMOUNT [--on DATE] [--receipt FILE] [--note TEXT] | reminderd pay --undo ID"
)
MAX_NOTE = 1000


def pay(args: argparse.Namespace, context: Context) -> int:
    """Record a payment (or, with ``--undo ID``, its reversing entry); say what it settled."""
    if args.undo is not None:
        return _undo(args, context)
    if not args.loan or not args.amount:
        raise UserError(text.t("pay.needs", locale_of(context), usage=PAY_USAGE))
    config = context.config()
    locale = config.locale
    now = context.now()
    loan = _known_loan(config, args.loan)
    try:
        amount = money.parse_amount(args.amount, loan.currency)
    except ValueError as error:
        reason = error.in_locale(locale) if isinstance(error, money.AmountError) else error
        raise UserError(text.t("pay.amount", locale, error=reason)) from None
    paid_on = _paid_on(args.on, config, now)
    note = _note(args.note, locale)
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
        text.t(
            "pay.recorded",
            locale,
            id=payment_id,
            loan=loan.id,
            amount=cash(amount, loan.currency, locale),
            on=paid_on.isoformat(),
        )
        + (
            text.t("pay.receipt", locale, name=receipt.name, digest=stored.sha256[:12])
            if receipt and stored
            else ""
        )
    )
    context.print(_what_changed(loan, before, after, locale))
    context.print(text.t("pay.undo_hint", locale, id=payment_id))
    return _refresh_calendar(config, after, now, context)


def _undo(args: argparse.Namespace, context: Context) -> int:
    locale = locale_of(context)
    if args.loan or args.amount:
        raise UserError(text.t("pay.undo_alone", locale, usage=PAY_USAGE))
    payment_id = record_id(args.undo, "what.payment", "pay.no_such", locale)
    config = context.config()
    now = context.now()
    conn = ledger.connect(context.state_dir, create=False)
    if conn is None:
        raise UserError(text.t("pay.nothing_yet", locale, id=payment_id))
    try:
        with ledger.transaction(conn):
            before = payment_rows.totals(conn)
            entry = payment_rows.undo(conn, payment_id, now)
            after = payment_rows.totals(conn)
    finally:
        conn.close()
    context.print(
        text.t(
            "pay.undid",
            locale,
            id=payment_id,
            loan=entry.loan_id,
            amount=cash(-entry.amount, entry.currency, locale),
            on=entry.paid_on.isoformat(),
            entry=entry.id,
        )
    )
    loan = config.loan(entry.loan_id)
    if loan is not None:
        context.print(_what_changed(loan, before, after, locale))
    return _refresh_calendar(config, after, now, context)


def _what_changed(
    loan: Loan, before: dict[str, Decimal], after: dict[str, Decimal], locale: str
) -> str:
    old = for_loan(loan, before)
    new = for_loan(loan, after)
    said = settlement(old, new, loan.currency, locale)
    said = said[0].upper() + said[1:]
    following = new.next_open()
    if following is None:
        return text.t("pay.paid_off", locale, what=said, name=loan.name)
    return text.t(
        "pay.next",
        locale,
        what=said,
        label=following.installment.label(),
        due=following.installment.due.isoformat(),
        owed=cash(following.outstanding, loan.currency, locale),
    )


def _known_loan(config: Config, loan_id: str) -> Loan:
    loan = config.loan(loan_id)
    if loan is None:
        locale = config.locale
        known = text.t("list", locale).join(item.id for item in config.loans)
        known = known or text.t("none", locale)
        raise UserError(text.t("error.unknown_loan", locale, loan=loan_id, known=known))
    return loan


def _paid_on(written: str | None, config: Config, now: datetime) -> date:
    """The payment date: ``--on`` (a real date, not after today in the config's zone)."""
    today = now.astimezone(config.timezone).date()
    if written is None:
        return today
    locale = config.locale
    try:
        day = date.fromisoformat(written.strip())
    except ValueError:
        raise UserError(text.t("error.on.not_date", locale, text=written)) from None
    if len(written.strip()) != 10:
        raise UserError(text.t("error.on.format", locale, text=written))
    if day > today:
        raise UserError(
            text.t("error.on.future", locale, day=day.isoformat(), today=today.isoformat())
        )
    return day


def _note(written: str | None, locale: str) -> str | None:
    if written is None:
        return None
    if len(written) > MAX_NOTE:
        raise UserError(
            text.t("error.too_long", locale, what="--note", length=len(written), limit=MAX_NOTE)
        )
    if any(ord(ch) < 32 and ch not in "\t\n" for ch in written):
        raise UserError(text.t("error.control", locale, what="--note"))
    return written.strip() or None


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
            text.t("pay.calendar", config.locale, path=config.calendar.path, reason=reason)
        )
        return EXIT_FAILURE
    return 0


def history(args: argparse.Namespace, context: Context) -> int:
    """List recorded payments (of one loan), with their receipts and undo links."""
    # history needs no config; its locale is the config's when there is one.
    locale = locale_of(context)
    if not ledger.database_path(context.state_dir).exists():
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
        context.print(
            text.t("history.none_for", locale, loan=args.loan)
            if args.loan
            else text.t("history.none", locale)
        )
        return 0
    table = [
        [
            str(row.id),
            row.paid_on.isoformat(),
            row.loan_id,
            cash(row.amount, row.currency, locale),
            row.receipt_name or "",
            _remark(row, locale),
        ]
        for row in rows
    ]
    header = columns(locale, "id", "on", "loan", "amount", "receipt", "note")
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


def _remark(row: payment_rows.Payment, locale: str) -> str:
    parts = [row.note] if row.note and row.undoes is None else []
    if row.undoes is not None:
        parts.append(text.t("history.undoes", locale, id=row.undoes))
    if row.undone_by is not None:
        parts.append(text.t("history.undone_by", locale, id=row.undone_by))
    return text.t("sep", locale).join(parts)


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
    locale = config.locale
    warn_if_no_ledger(context, locale)
    report = status_report(config, ledger.paid_totals(context.state_dir), context.now())
    if args.json:
        context.print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0

    def show(amount: str, currency: str) -> str:
        return cash(Decimal(amount), currency, locale)

    loans = [
        [
            row["id"],
            show(row["total"], row["currency"]),
            show(row["paid"], row["currency"]),
            show(row["outstanding"], row["currency"]),
            row["next_due"] or text.t("status.paid_off", locale),
            (
                text.t(
                    "status.overdue",
                    locale,
                    amount=show(row["overdue"], row["currency"]),
                    count=row["overdue_count"],
                )
                if row["overdue_count"]
                else "-"
            ),
            show(row["credit"], row["currency"]) if Decimal(row["credit"]) else "",
            row["name"],
        ]
        for row in report["loans"]
    ]
    header = columns(
        locale, "loan", "total", "paid", "outstanding", "next_due", "overdue", "credit", "name"
    )
    # The life of a debt (SPEC §8) only widens the table of configs that use it.
    if any(loan.overdue or loan.renegotiated for loan in config.loans):
        header[-1:-1] = columns(locale, "version", "late_cost")
        for table_row, row in zip(loans, report["loans"], strict=True):
            late = (
                text.t(
                    "status.per_day",
                    locale,
                    cost=show(row["overdue_cost"], row["currency"]),
                    per_day=show(row["overdue_per_day"], row["currency"]),
                )
                if Decimal(row["overdue_per_day"])
                else show(row["overdue_cost"], row["currency"])
            )
            version = (
                text.t("status.version_since", locale, version=row["version"], on=row["agreed_on"])
                if row["agreed_on"]
                else text.t("status.version", locale, version=row["version"])
            )
            table_row[-1:-1] = [version, late]
    context.print(format_table(header, loans, right={1, 2, 3}))
    if any(loan.overdue for loan in config.loans):
        totals = text.t("list", locale).join(
            show(amount, code) for code, amount in report["overdue_costs"].items()
        )
        context.print(text.t("status.late_total", locale, totals=totals))
    context.print()
    months = [
        [
            row["month"],
            show(row["due"], row["currency"]),
            show(row["outstanding"], row["currency"]),
            show(row["budget"], row["currency"]) if row["budget"] is not None else "",
            text.t("status.over_budget", locale) if row["over"] else "",
        ]
        for row in report["months"]
    ]
    header = [*columns(locale, "month", "due_amount", "still_owed", "budget"), ""]
    context.print(format_table(header, months, right={1, 2, 3}))
    return 0
