"""``note`` and ``case``: the case file of a loan (SPEC §8).

``note`` checks everything before it writes: the loan, the text, the date, every attachment,
then the database. Only then are the files copied (like receipts: by content hash, private)
and the note recorded, in one transaction. ``case`` reads the ledger, keeps any agreement
document seen for the first time, and prints the timeline, its JSON, or exports it.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from reminderd import ledger, money
from reminderd.commands import casefile
from reminderd.context import Context
from reminderd.errors import UserError
from reminderd.ledger import notes as note_rows
from reminderd.ledger import receipts
from reminderd.ledger import records as payment_rows
from reminderd.model import Config, Loan

NOTE_USAGE = (
    "usage: reminderd note LOAN TEXT [--on DATETIME] [--kind KIND] [--who NAME] "
    "[--attach FILE]... | reminderd note --undo ID"
)
MAX_TEXT = 4000
MAX_WHO = 200
MAX_FILES = 20


def note(args: argparse.Namespace, context: Context) -> int:
    """Record a contact with the lender or a collector (or, with ``--undo ID``, its
    reversal); print its id."""
    if args.undo is not None:
        return _undo(args, context)
    if not args.loan or args.text is None:
        raise UserError(f"note needs a LOAN and a TEXT ({NOTE_USAGE})")
    config = context.config()
    now = context.now()
    loan = _known_loan(config, args.loan)
    text = _clean(args.text, "TEXT", MAX_TEXT, multiline=True)
    if not text:
        raise UserError("the note's TEXT is empty; say what was said or promised")
    who = _clean(args.who, "--who", MAX_WHO) if args.who is not None else None
    at = _when(args.on, loan, now)
    if len(args.attach) > MAX_FILES:
        raise UserError(f"at most {MAX_FILES} --attach files per note")
    checked = [_attachment(item) for item in args.attach]

    conn = ledger.connect(context.state_dir, create=True)
    assert conn is not None  # noqa: S101 - create=True always gives a connection
    created: list[Path] = []
    try:
        _keep_documents(conn, loan, context, now)
        try:
            # A sweep (a pay's, the service's) must not take the files before the note is
            # recorded.
            with receipts.writing(context.state_dir):
                files = []
                for item in checked:
                    stored = receipts.store(context.state_dir, item)
                    if stored.created:
                        created.append(stored.path)
                    files.append(note_rows.StoredFile(name=item.name, sha256=stored.sha256))
                with ledger.transaction(conn):
                    note_id = note_rows.add(
                        conn,
                        loan_id=loan.id,
                        at=at,
                        kind=args.kind,
                        who=who or None,
                        text=text,
                        recorded_at=now,
                        files=tuple(files),
                    )
        except BaseException:
            for path in created:  # nothing refers to them
                path.unlink(missing_ok=True)
            raise
    finally:
        conn.close()
    attached = f", {len(files)} file(s) kept" if files else ""
    context.print(f"Recorded note {note_id}: {loan.id} {args.kind} on {at}{attached}")
    context.print(f"To reverse it: reminderd note --undo {note_id}")
    return 0


def _undo(args: argparse.Namespace, context: Context) -> int:
    if args.loan or args.text:
        raise UserError(f"note --undo ID takes no LOAN or TEXT ({NOTE_USAGE})")
    try:
        note_id = int(args.undo)
    except ValueError:
        raise UserError(f"--undo needs a note id (a number), got {args.undo!r}") from None
    if not 0 < note_id < 2**63:
        raise UserError(f"there is no note {args.undo} (see `reminderd case LOAN`)")
    now = context.now()
    conn = ledger.connect(context.state_dir, create=False)
    if conn is None:
        raise UserError(f"there is no note {note_id}: nothing has been recorded yet")
    try:
        with ledger.transaction(conn):
            entry = note_rows.undo(conn, note_id, now)
    finally:
        conn.close()
    context.print(f"Reversed note {note_id} ({entry.loan_id}), recorded as note {entry.id}")
    return 0


def case(args: argparse.Namespace, context: Context) -> int:
    """Print a loan's timeline (``--json``: the SPEC §8 object), or ``--export PATH`` it."""
    config = context.config()
    now = context.now()
    loan = _known_loan(config, args.loan)
    content, sources = gather(config, loan, context, now)
    if args.export:
        from reminderd.commands import case_export

        target = case_export.write(Path(args.export).expanduser(), content, sources, config)
        context.print(f"Wrote the case file of {loan.id} to {target}")
        return 0
    if args.json:
        context.print(json.dumps(content, ensure_ascii=False, indent=2))
        return 0
    context.print(_text(content))
    return 0


def gather(
    config: Config, loan: Loan, context: Context, now: datetime
) -> tuple[dict[str, Any], dict[str, Path]]:
    """Read what the ledger holds about ``loan`` and build the case file; return it and the
    stored path of every file it names (by SHA-256)."""
    conn = ledger.connect(context.state_dir, create=bool(_documents_of(loan)))
    if conn is None:
        return casefile.build(loan, [], [], [], {}, now), {}
    try:
        _keep_documents(conn, loan, context, now)
        with ledger.reading(conn):
            payments = payment_rows.listing(conn, loan.id)
            notes = note_rows.listing(conn, loan.id)
            sent = _sent(conn, loan.id)
            documents = {
                version: stored
                for version in range(2, len(loan.renegotiated) + 2)
                if (stored := note_rows.document(conn, loan.id, version)) is not None
            }
    finally:
        conn.close()
    content = casefile.build(loan, payments, notes, sent, documents, now)
    sources: dict[str, Path] = {}
    named = [(p.receipt_sha256, p.receipt_name) for p in payments if p.receipt_sha256]
    named += [(f.sha256, f.name) for n in notes for f in n.files]
    named += [(d.sha256, d.name) for d in documents.values()]
    for sha, name in named:
        sources[sha] = context.state_dir / receipts.RECEIPTS_DIR / receipts.stored_name(sha, name)
    return content, sources


def _sent(conn: sqlite3.Connection, loan_id: str) -> list[note_rows.SentReminder]:
    try:
        return note_rows.sent_reminders(conn, loan_id)
    except sqlite3.OperationalError:  # pragma: no cover - every migrated ledger has the table
        return []


def _documents_of(loan: Loan) -> list[tuple[int, Path]]:
    return [
        (version, agreement.document)
        for version, agreement in enumerate(loan.renegotiated, start=2)
        if agreement.document is not None
    ]


def _keep_documents(conn: sqlite3.Connection, loan: Loan, context: Context, now: datetime) -> None:
    """Store each agreement document the first time it is seen (like a receipt); a document
    not there yet is a warning, and is kept when it appears."""
    wanted = [(loan.id, version, path) for version, path in _documents_of(loan)]
    for warning in note_rows.keep_documents(conn, context.state_dir, wanted, now):
        context.warn(warning)


def _known_loan(config: Config, loan_id: str) -> Loan:
    loan = config.loan(loan_id)
    if loan is None:
        known = ", ".join(item.id for item in config.loans) or "none"
        raise UserError(f"unknown loan {loan_id!r}; the config has: {known}")
    return loan


def _attachment(text: str) -> receipts.Receipt:
    try:
        return receipts.check(text)
    except UserError as error:
        raise UserError(error.message.replace("receipt", "attachment")) from None


def _clean(text: str, what: str, limit: int, *, multiline: bool = False) -> str:
    allowed = "\t\n" if multiline else "\t"
    if len(text) > limit:
        raise UserError(f"{what} is too long ({len(text)} characters; at most {limit})")
    if any((ord(ch) < 32 and ch not in allowed) or ord(ch) == 127 for ch in text):
        raise UserError(f"{what} must not contain control characters")
    return text.strip()


def _when(text: str | None, loan: Loan, now: datetime) -> str:
    """``--on``: ``YYYY-MM-DD`` (kept as a date) or ``YYYY-MM-DD HH:MM[:SS]`` in the loan's
    zone (kept as an aware datetime); not in the future. Default: now."""
    zone = loan.timezone
    local_now = now.astimezone(zone)
    if text is None:
        return local_now.isoformat(timespec="seconds")
    cleaned = text.strip()
    try:
        if len(cleaned) == 10:
            day = date.fromisoformat(cleaned)
            if day > local_now.date():
                raise UserError(f"--on: {day} is in the future (today is {local_now.date()})")
            return day.isoformat()
        moment = datetime.fromisoformat(cleaned.replace("T", " "))
    except ValueError:
        raise UserError(
            f"--on: not a date or time: {text!r} (write YYYY-MM-DD or 'YYYY-MM-DD HH:MM')"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if moment > now:
        raise UserError(f"--on: {cleaned} is in the future")
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _text(content: dict[str, Any]) -> str:
    """The timeline for a terminal, one event a line."""
    loan = content["loan"]
    currency = loan["currency"]

    def cash(value: str) -> str:
        return money.format_money(Decimal(value), currency)

    lines = [f"{loan['name']} ({loan['id']}), version {loan['version']} in force"]
    cost = content["overdue"]
    if cost["days"]:
        lines.append(
            f"{cost['days']} days late; estimated cost so far {cash(cost['cost'])}, "
            f"+{cash(cost['per_day'])} per further day"
        )
    for event in content["events"]:
        lines.append(f"{event['at'][:16]:16}  {describe(event, cash)}")
    return "\n".join(lines)


def describe(event: dict[str, Any], cash: Any) -> str:
    """One event in words (English), for the terminal."""
    kind = event["kind"]
    if kind == "agreement":
        return f"agreement: version {event['version']} in force. {event['text'] or ''}".strip()
    if kind == "due":
        label = f"{event['number']}/{event['of']}" if event["of"] else str(event["number"])
        return f"due v{event['version']} {label} {cash(event['amount'])}: {event['status']}"
    if kind == "payment":
        files = ", ".join(item["name"] for item in event["files"])
        return f"payment {event['id']}: {cash(event['amount'])}" + (f" ({files})" if files else "")
    if kind == "undo":
        target = f"payment {event['payment']}" if "payment" in event else f"note {event['note']}"
        return f"undo of {target}"
    if kind == "note":
        who = f" with {event['who']}" if event["who"] else ""
        return f"{event['contact']}{who}: {event['text']}"
    return f"reminder sent by {event['channel']} ({event['reminder']}, #{event['number']})"
