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

from reminderd import money, reminders, text
from reminderd.context import Context
from reminderd.core import versions
from reminderd.errors import UserError
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


def warn_if_no_ledger(context: Context, locale: str = "en") -> bool:
    """Given a command that only reads the ledger, say on stderr when the state directory
    has none (a mistyped ``--state-dir`` would otherwise show ¥0 paid); return whether it
    said so. Nothing is created."""
    from reminderd.ledger import database_path

    if database_path(context.state_dir).exists():
        return False
    context.warn(text.t("no_ledger", locale, dir=context.state_dir))
    return True


def locale_of(context: Context) -> str:
    """Given a context, the config's ``locale`` when its config loads, else ``en``: for the
    errors a command raises before or without needing the config. Never raises."""
    try:
        return context.config().locale
    except Exception:  # noqa: BLE001 - whatever is wrong with the config, the error at hand comes first
        return "en"


def record_id(given: str, what: str, no_such: str, locale: str) -> int:
    """The ledger id ``--undo`` was given (``what``: the catalogue key naming the kind of
    record; ``no_such``: the key of the error for an id out of range). Raises ``UserError``
    for text that is not a whole number, or a number outside SQLite's ids (1 … 2^63 − 1)."""
    try:
        number = int(given)
    except ValueError:
        kind = text.t(what, locale)
        raise UserError(text.t("error.undo.id", locale, what=kind, text=given)) from None
    if not 0 < number < 2**63:
        raise UserError(text.t(no_such, locale, id=given))
    return number


def cash(amount: Decimal, currency: str, locale: str) -> str:
    """Money for people in ``locale`` (``CN¥1,200.00`` / ``¥1,200.00``, JPY apart)."""
    return text.money(amount, currency, locale)


def overdue_and_next(
    config: Config, paid: Mapping[str, Decimal], now: datetime
) -> tuple[list[tuple[Loan, list[Standing]]], tuple[Loan, Standing] | None]:
    """Given the config, the payments per loan and ``now``, return each loan's unsettled
    installments due at or before ``now`` (loans in config order, oldest first) and the
    earliest unsettled installment due after ``now`` (None when nothing is left)."""
    overdue: list[tuple[Loan, list[Standing]]] = []
    next_due: tuple[Loan, Standing] | None = None
    by_id = {loan.id: loan for loan in config.loans}
    for loan_id, standing in standings(config, paid).items():
        loan = by_id[loan_id]
        late = []
        for row in standing.rows:
            if row.settled or row.closed:  # superseded or rolled into an agreement: not owed
                continue
            if row.installment.due_at <= now:
                late.append(row)
                continue
            if next_due is None or row.installment.due_at < next_due[1].installment.due_at:
                next_due = (loan, row)
            break
        if late:
            overdue.append((loan, late))
    return overdue, next_due


MAX_OVERDUE_LINES = 10


def check(args: argparse.Namespace, context: Context) -> int:
    """Validate the config and the channels' settings; print a short summary in the config's
    ``locale``: what is overdue first, then the next due. Return 1 when a channel will fail
    (the config itself is valid), else 0; an invalid config raises ``ConfigError``."""
    from reminderd.channels.checks import ERROR, check_channels

    config = context.config()
    locale = config.locale

    def say(key: str, **fields: object) -> str:
        return text.t(f"check.{key}", locale, **fields)

    now = context.now()
    findings = check_channels(config.channels, context.environ)
    errors = [finding for finding in findings if finding.level == ERROR]
    count = sum(len(versions.installments(loan)) for loan in config.loans)
    overdue, next_due = overdue_and_next(config, paid_totals(context), now)
    if errors:
        context.print(say("problems", source=config.source, count=len(errors)))
    else:
        context.print(say("ok", source=config.source))
    context.print(say("loans", count=len(config.loans)))
    context.print(say("installments", count=count))
    context.print(
        say(
            "channels",
            names=text.t("list", locale).join(config.channels.names()) or text.t("none", locale),
        )
    )
    for loan, rows in overdue[:MAX_OVERDUE_LINES]:
        owed = cash(sum((row.outstanding for row in rows), Decimal(0)), loan.currency, locale)
        first = rows[0].installment
        what = first.label()
        if len(rows) > 1:
            what = say("overdue_many", count=len(rows), label=first.label())
        context.print(
            say("overdue", due=first.due.isoformat(), loan=loan.name, what=what, owed=owed)
        )
    if len(overdue) > MAX_OVERDUE_LINES:
        context.print(say("overdue_more", count=len(overdue) - MAX_OVERDUE_LINES))
    if next_due is None:
        context.print(say("nothing"))
    else:
        loan, row = next_due
        inst = row.installment
        when = inst.due_at.astimezone(loan.timezone).strftime("%Y-%m-%d %H:%M %Z")
        owed = cash(row.outstanding, loan.currency, locale)
        context.print(say("next", when=when, loan=loan.name, label=inst.label(), owed=owed))
    for finding in findings:
        line = finding.line(locale)
        context.warn(line if finding.level == ERROR else say("unverified", line=line))
    if not config.channels.names():
        context.warn(say("no_channels"))
    return 1 if errors else 0


def upcoming(args: argparse.Namespace, context: Context) -> int:
    """Print unsettled overdue installments, then the ones due in the next ``--days``."""
    config = context.config()
    locale = config.locale
    now = context.now()
    warn_if_no_ledger(context, locale)
    rows = upcoming_rows(config, paid_totals(context), now, args.days)
    if args.json:
        context.print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        context.print(text.t("upcoming.nothing", locale, days=args.days))
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
            text.t("upcoming.today", locale)
            if days_left == 0
            else text.t("upcoming.in", locale, days=days_left)
            if days_left > 0
            else text.t("upcoming.ago", locale, days=-days_left)
        )
        table.append(
            [
                text.state(row["status"], locale),
                row["due"],
                when,
                loan.id,
                number,
                cash(Decimal(row["outstanding"]), loan.currency, locale),
                cash(Decimal(row["amount"]), loan.currency, locale),
                loan.name,
            ]
        )
    header = columns(
        locale, "status", "due", "when", "loan", "number", "outstanding", "amount", "name"
    )
    context.print(format_table(header, table, right={5, 6}))
    return 0


def columns(locale: str, *keys: str) -> list[str]:
    """A table's header: the ``col.KEY`` texts of ``keys`` in ``locale``."""
    return [text.t(f"col.{key}", locale) for key in keys]


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
