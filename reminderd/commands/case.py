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

from reminderd import ledger, text
from reminderd.commands import casefile
from reminderd.context import Context
from reminderd.errors import UserError
from reminderd.ledger import notes as note_rows
from reminderd.ledger import receipts
from reminderd.model import Config, Loan
from reminderd.views import cash, locale_of, record_id

NOTE_USAGE = (  # the synopsis; "usage: " is said in the locale
    "reminderd note LOAN TEXT [--on DATETIME] [--kind KIND] [--who NAME] "
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
        raise UserError(text.t("note.needs", locale_of(context), usage=NOTE_USAGE))
    config = context.config()
    locale = config.locale
    now = context.now()
    loan = _known_loan(config, args.loan)
    said = _clean(args.text, "TEXT", MAX_TEXT, locale, multiline=True)
    if not said:
        raise UserError(text.t("note.empty", locale))
    who = _clean(args.who, "--who", MAX_WHO, locale) if args.who is not None else None
    at = _when(args.on, loan, now, locale)
    if len(args.attach) > MAX_FILES:
        raise UserError(text.t("note.files_limit", locale, limit=MAX_FILES))
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
                        text=said,
                        recorded_at=now,
                        files=tuple(files),
                    )
        except BaseException:
            for path in created:  # nothing refers to them
                path.unlink(missing_ok=True)
            raise
    finally:
        conn.close()
    attached = text.t("note.files", locale, count=len(files)) if files else ""
    kind = text.t(f"contact.{args.kind}", locale)
    context.print(
        text.t("note.recorded", locale, id=note_id, loan=loan.id, kind=kind, at=at) + attached
    )
    context.print(text.t("note.undo_hint", locale, id=note_id))
    return 0


def _undo(args: argparse.Namespace, context: Context) -> int:
    locale = locale_of(context)
    if args.loan or args.text:
        raise UserError(text.t("note.undo_alone", locale, usage=NOTE_USAGE))
    note_id = record_id(args.undo, "what.note", "note.no_such", locale)
    now = context.now()
    conn = ledger.connect(context.state_dir, create=False)
    if conn is None:
        raise UserError(text.t("note.nothing_yet", locale, id=note_id))
    try:
        with ledger.transaction(conn):
            entry = note_rows.undo(conn, note_id, now)
    finally:
        conn.close()
    context.print(text.t("note.reversed", locale, id=note_id, loan=entry.loan_id, entry=entry.id))
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
        context.print(text.t("case.exported", config.locale, loan=loan.id, path=target))
        return 0
    if args.json:
        context.print(json.dumps(content, ensure_ascii=False, indent=2))
        return 0
    context.print(_text(content, config.locale))
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
        found = note_rows.case_records(conn, loan.id, len(loan.renegotiated))
    finally:
        conn.close()
    payments, notes = found.payments, found.notes
    content = casefile.build(loan, payments, notes, found.sent, found.documents, now)
    sources: dict[str, Path] = {}
    named = [(p.receipt_sha256, p.receipt_name) for p in payments if p.receipt_sha256]
    named += [(f.sha256, f.name) for n in notes for f in n.files]
    named += [(d.sha256, d.name) for d in found.documents.values()]
    for sha, name in named:
        sources[sha] = context.state_dir / receipts.RECEIPTS_DIR / receipts.stored_name(sha, name)
    return content, sources


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
        context.warn(warning.in_locale(locale_of(context)))


def _known_loan(config: Config, loan_id: str) -> Loan:
    loan = config.loan(loan_id)
    if loan is None:
        locale = config.locale
        known = text.t("list", locale).join(item.id for item in config.loans)
        known = known or text.t("none", locale)
        raise UserError(text.t("error.unknown_loan", locale, loan=loan_id, known=known))
    return loan


def _attachment(text: str) -> receipts.Receipt:
    try:
        return receipts.check(text)
    except UserError as error:
        if error.key is not None and error.key.startswith("receipt."):
            key = "attachment." + error.key.removeprefix("receipt.")
            raise UserError.said(key, **error.fields) from None
        raise UserError(error.message.replace("receipt", "attachment")) from None


def _clean(written: str, what: str, limit: int, locale: str, *, multiline: bool = False) -> str:
    allowed = "\t\n" if multiline else "\t"
    if len(written) > limit:
        raise UserError(
            text.t("error.too_long", locale, what=what, length=len(written), limit=limit)
        )
    if any((ord(ch) < 32 and ch not in allowed) or ord(ch) == 127 for ch in written):
        raise UserError(text.t("error.control", locale, what=what))
    return written.strip()


def _when(written: str | None, loan: Loan, now: datetime, locale: str = "en") -> str:
    """``--on``: ``YYYY-MM-DD`` (kept as a date) or ``YYYY-MM-DD HH:MM[:SS]`` in the loan's
    zone (kept as an aware datetime); not in the future. Default: now."""
    zone = loan.timezone
    local_now = now.astimezone(zone)
    if written is None:
        return local_now.isoformat(timespec="seconds")
    cleaned = written.strip()
    try:
        if len(cleaned) == 10:
            day = date.fromisoformat(cleaned)
            if day > local_now.date():
                raise UserError(text.t("error.on.future", locale, day=day, today=local_now.date()))
            return day.isoformat()
        moment = datetime.fromisoformat(cleaned.replace("T", " "))
    except ValueError:
        raise UserError(text.t("error.on.not_when", locale, text=written)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if moment > now:
        raise UserError(text.t("error.on.future_time", locale, text=cleaned))
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _text(content: dict[str, Any], locale: str = "en") -> str:
    """The timeline for a terminal in ``locale``, one event a line."""
    loan = content["loan"]
    currency = loan["currency"]

    def show(value: str) -> str:
        return cash(Decimal(value), currency, locale)

    lines = [text.t("case.head", locale, name=loan["name"], id=loan["id"], version=loan["version"])]
    cost = content["overdue"]
    if cost["days"]:
        lines.append(
            text.t(
                "case.late",
                locale,
                days=cost["days"],
                cost=show(cost["cost"]),
                per_day=show(cost["per_day"]),
            )
        )
    for event in content["events"]:
        lines.append(f"{event['at'][:16]:16}  {describe(event, show, locale)}")
    return "\n".join(lines)


def describe(event: dict[str, Any], show: Any, locale: str = "en") -> str:
    """One event in words in ``locale``, for the terminal; ``show`` formats an amount."""

    def say(key: str, **fields: object) -> str:
        return text.t(key, locale, **fields)

    kind = event["kind"]
    if kind == "agreement":
        return say("case.agreement", version=event["version"], text=event["text"] or "").strip()
    if kind == "due":
        label = f"{event['number']}/{event['of']}" if event["of"] else str(event["number"])
        status = text.state(event["status"], locale)
        amount = show(event["amount"])
        return say("case.due", version=event["version"], label=label, amount=amount, status=status)
    if kind == "payment":
        files = say("list").join(item["name"] for item in event["files"])
        shown = say("case.payment", id=event["id"], amount=show(event["amount"]))
        return shown + (say("case.files", files=files) if files else "")
    if kind == "undo":
        if "payment" in event:
            return say("case.undo.payment", id=event["payment"])
        return say("case.undo.note", id=event["note"])
    if kind == "note":
        contact = say(f"contact.{event['contact']}")
        if event["who"]:
            return say("case.note_with", contact=contact, who=event["who"], text=event["text"])
        return say("case.note", contact=contact, text=event["text"])
    reminder = say(f"reminder.{event['reminder']}")
    return say("case.reminder", channel=event["channel"], reminder=reminder, number=event["number"])
