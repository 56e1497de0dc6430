"""The case file in the ledger (SPEC §8): notes of contacts with a lender or collector, their
attached files, agreement documents, and the reminders the delivery log says were sent.

Like payments, a note is never changed or deleted: ``note --undo`` adds a reversing row whose
``undoes`` points at it. Files are stored by :mod:`reminderd.ledger.receipts` (content hash,
private mode); these tables keep their original names.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from reminderd.errors import UserError

KINDS = ("call", "message", "letter", "visit", "agreement", "other")


@dataclass(frozen=True)
class StoredFile:
    name: str  # the original file name
    sha256: str


@dataclass(frozen=True)
class Note:
    id: int
    loan_id: str
    at: str  # ISO date or aware ISO datetime
    kind: str
    who: str | None
    text: str
    recorded_at: datetime
    files: tuple[StoredFile, ...] = ()
    undoes: int | None = None
    undone_by: int | None = None


@dataclass(frozen=True)
class SentReminder:
    number: int
    kind: str  # ahead | due | overdue | catchup…
    channel: str
    fire_at: str  # when the reminder was due to go out
    sent_at: str  # when the channel accepted it


_SELECT = """
    SELECT n.id, n.loan_id, n.at, n.kind, n.who, n.text, n.recorded_at, n.undoes, u.id
    FROM notes AS n LEFT JOIN notes AS u ON u.undoes = n.id
"""


def add(
    conn: sqlite3.Connection,
    *,
    loan_id: str,
    at: str,
    kind: str,
    who: str | None,
    text: str,
    recorded_at: datetime,
    files: tuple[StoredFile, ...] = (),
) -> int:
    """Insert one note and its files (call inside ``transaction``); return its id."""
    if recorded_at.tzinfo is None:
        raise ValueError("recorded_at must be aware")
    cursor = conn.execute(
        "INSERT INTO notes (loan_id, at, kind, who, text, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
        (loan_id, at, kind, who, text, recorded_at.isoformat()),
    )
    note_id = int(cursor.lastrowid or 0)
    conn.executemany(
        "INSERT INTO note_files (note_id, position, sha256, name) VALUES (?, ?, ?, ?)",
        [(note_id, index, item.sha256, item.name) for index, item in enumerate(files)],
    )
    return note_id


def get(conn: sqlite3.Connection, note_id: int) -> Note | None:
    """Return the note with ``note_id`` (with its files), or ``None``."""
    row = conn.execute(_SELECT + " WHERE n.id = ?", (note_id,)).fetchone()
    return None if row is None else _note(conn, row)


def undo(conn: sqlite3.Connection, note_id: int, recorded_at: datetime) -> Note:
    """Record the reversal of ``note_id`` (inside ``transaction``) and return it. Raises
    ``UserError`` for an unknown id, a reversal, or a note already reversed."""
    original = get(conn, note_id)
    if original is None:
        raise UserError.said("ledger.no_note", id=note_id)
    if original.undoes is not None:
        raise UserError.said("ledger.note_is_reversal", id=note_id, undoes=original.undoes)
    if original.undone_by is not None:
        raise UserError.said("ledger.note_reversed", id=note_id, by=original.undone_by)
    cursor = conn.execute(
        "INSERT INTO notes (loan_id, at, kind, who, text, recorded_at, undoes) "
        "VALUES (?, ?, ?, NULL, ?, ?, ?)",
        (
            original.loan_id,
            recorded_at.isoformat(),
            original.kind,
            f"reversal of note {note_id}",
            recorded_at.isoformat(),
            note_id,
        ),
    )
    entry = get(conn, int(cursor.lastrowid or 0))
    assert entry is not None  # noqa: S101 - just inserted in this transaction
    return entry


def listing(conn: sqlite3.Connection, loan_id: str) -> list[Note]:
    """Every note of ``loan_id``, reversals included, in the order they were recorded."""
    rows = conn.execute(_SELECT + " WHERE n.loan_id = ? ORDER BY n.id", (loan_id,)).fetchall()
    return [_note(conn, row) for row in rows]


def _note(conn: sqlite3.Connection, row: tuple[object, ...]) -> Note:
    (id_, loan, at, kind, who, text, recorded, undoes, undone_by) = row
    files = tuple(
        StoredFile(name=str(name), sha256=str(sha))
        for sha, name in conn.execute(
            "SELECT sha256, name FROM note_files WHERE note_id = ? ORDER BY position", (id_,)
        )
    )
    return Note(
        id=int(id_),  # type: ignore[call-overload]
        loan_id=str(loan),
        at=str(at),
        kind=str(kind),
        who=None if who is None else str(who),
        text=str(text),
        recorded_at=datetime.fromisoformat(str(recorded)),
        files=files,
        undoes=None if undoes is None else int(undoes),  # type: ignore[call-overload]
        undone_by=None if undone_by is None else int(undone_by),  # type: ignore[call-overload]
    )


def document(conn: sqlite3.Connection, loan_id: str, version: int) -> StoredFile | None:
    """Return the stored agreement document of ``version`` of ``loan_id``, if any."""
    row = conn.execute(
        "SELECT name, sha256 FROM documents WHERE loan_id = ? AND version = ?", (loan_id, version)
    ).fetchone()
    return None if row is None else StoredFile(name=str(row[0]), sha256=str(row[1]))


def keep_document(
    conn: sqlite3.Connection, loan_id: str, version: int, stored: StoredFile, at: datetime
) -> bool:
    """Record the document of a version the first time it is seen; return whether it was new
    (the first one kept stays: the record is of what was agreed, not of later edits)."""
    cursor = conn.execute(
        "INSERT OR IGNORE INTO documents (loan_id, version, sha256, name, stored_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (loan_id, version, stored.sha256, stored.name, at.isoformat()),
    )
    return cursor.rowcount > 0


def sent_reminders(conn: sqlite3.Connection, loan_id: str) -> list[SentReminder]:
    """The reminders of ``loan_id`` a channel accepted, per channel, in the order sent."""
    rows = conn.execute(
        "SELECT number, kind, channel, fire_at, updated_at FROM deliveries "
        "WHERE loan_id = ? AND state = 'sent' ORDER BY updated_at, fire_at, channel",
        (loan_id,),
    ).fetchall()
    return [
        SentReminder(int(number), str(kind), str(channel), str(fire_at), str(sent_at))
        for number, kind, channel, fire_at, sent_at in rows
    ]


@dataclass(frozen=True)
class CaseRecords:
    """What the ledger holds for one loan's case file, read in one snapshot."""

    payments: list[Any]  # reminderd.ledger.records.Payment
    notes: list[Note]
    sent: list[SentReminder]
    documents: dict[int, StoredFile]  # agreement version -> its stored document


def case_records(conn: sqlite3.Connection, loan_id: str, agreements: int) -> CaseRecords:
    """Read, in one snapshot, the payments, notes, reminders sent and the documents of the
    ``agreements`` agreements (versions 2 …) of ``loan_id``."""
    from reminderd.ledger import records
    from reminderd.ledger.store import reading

    with reading(conn):
        return CaseRecords(
            payments=records.listing(conn, loan_id),
            notes=listing(conn, loan_id),
            sent=sent_reminders(conn, loan_id),
            documents={
                version: stored
                for version in range(2, agreements + 2)
                if (stored := document(conn, loan_id, version)) is not None
            },
        )


def keep_documents(
    conn: sqlite3.Connection,
    state_dir: Path,
    wanted: Sequence[tuple[str, int, Path]],
    now: datetime,
) -> list[UserError]:
    """Store each (loan id, version, path) agreement document not kept yet, like a receipt
    (by content hash, private), and record it. Return one warning per document that cannot
    be kept yet (missing, unreadable): it is kept the first time it can be. A warning's
    ``str()`` is English (for the log); ``in_locale`` says it for the command line."""
    from reminderd.ledger import receipts
    from reminderd.ledger.store import transaction

    warnings = []
    for loan_id, version, path in wanted:
        if document(conn, loan_id, version) is not None:
            continue
        try:
            checked = receipts.check(str(path))
        except UserError as error:
            if error.key is not None and error.key.startswith("receipt."):
                reason = UserError.said("document." + error.key[8:], **error.fields)
            else:
                reason = UserError(error.message.replace("receipt", "document"))
            warnings.append(
                UserError.said("document.not_kept", loan=loan_id, version=version, reason=reason)
            )
            continue
        with receipts.writing(state_dir):  # a sweep must not take it before it is recorded
            stored = receipts.store(state_dir, checked)
            with transaction(conn):
                created = keep_document(
                    conn, loan_id, version, StoredFile(name=checked.name, sha256=stored.sha256), now
                )
        if not created and stored.created:  # another process kept one first
            stored.path.unlink(missing_ok=True)
    return warnings


def keep_config_documents(
    state_dir: Path, loans: Sequence[object], now: datetime
) -> list[UserError]:
    """:func:`keep_documents` for every agreement document of ``loans`` (config loans), for
    the service at start and on reload; opens the ledger only when there is one to keep."""
    from reminderd.ledger.store import connect

    wanted = [
        (loan.id, version, agreement.document)  # type: ignore[attr-defined]
        for loan in loans
        for version, agreement in enumerate(loan.renegotiated, start=2)  # type: ignore[attr-defined]
        if agreement.document is not None
    ]
    if not wanted:
        return []
    conn = connect(state_dir, create=True)
    assert conn is not None  # noqa: S101 - create=True
    try:
        return keep_documents(conn, state_dir, wanted, now)
    finally:
        conn.close()
