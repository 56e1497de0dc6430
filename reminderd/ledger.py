"""The state database: payments, receipts, the delivery log, snoozes. One SQLite file.

The CLI and the running service open it at the same time: WAL mode lets readers go on while
one writer writes, every write is one ``BEGIN IMMEDIATE`` transaction, and a busy timeout
waits for the other writer instead of failing. The schema is versioned with
``PRAGMA user_version`` and migrated forward in order; a file from a newer reminderd, or one
that is not a database at all, is refused and left exactly as it is.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from reminderd.errors import RuntimeFailure, UserError

FILE_NAME = "reminderd.sqlite3"
BUSY_TIMEOUT_MS = 15_000
MAX_RECEIPT_BYTES = 50 * 1024 * 1024

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: payments only.
    (
        """CREATE TABLE payments (
            id INTEGER PRIMARY KEY,
            loan_id TEXT NOT NULL,
            amount TEXT NOT NULL,          -- a decimal string, never a float
            currency TEXT NOT NULL,
            paid_on TEXT NOT NULL,         -- YYYY-MM-DD
            note TEXT,
            recorded_at TEXT NOT NULL      -- ISO 8601 with offset
        )""",
        "CREATE INDEX payments_loan ON payments (loan_id)",
    ),
    # 2: receipts, undo entries, the delivery log, snoozes, small settings.
    (
        "ALTER TABLE payments ADD COLUMN receipt_sha256 TEXT",
        "ALTER TABLE payments ADD COLUMN receipt_name TEXT",
        "ALTER TABLE payments ADD COLUMN undoes INTEGER REFERENCES payments (id)",
        "CREATE UNIQUE INDEX payments_undoes ON payments (undoes) WHERE undoes IS NOT NULL",
        """CREATE TABLE deliveries (
            reminder_key TEXT NOT NULL,
            channel TEXT NOT NULL,
            loan_id TEXT NOT NULL,
            number INTEGER NOT NULL,
            kind TEXT NOT NULL,
            fire_at TEXT NOT NULL,
            state TEXT NOT NULL,           -- 'sent' | 'failed'
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (reminder_key, channel)
        )""",
        """CREATE TABLE snoozes (
            loan_id TEXT NOT NULL,
            number INTEGER NOT NULL,
            until TEXT NOT NULL,
            PRIMARY KEY (loan_id, number)
        )""",
        "CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
)
VERSION = len(MIGRATIONS)


def database_path(state_dir: Path) -> Path:
    return state_dir / FILE_NAME


def connect(state_dir: Path, *, create: bool) -> sqlite3.Connection | None:
    """Open the state database, migrated to the current schema.

    Returns None when it does not exist and ``create`` is false (readers never create it).
    Raises ``UserError`` for a file that is not a database or comes from a newer reminderd,
    and ``RuntimeFailure`` when the directory or file cannot be made or opened.
    """
    path = database_path(state_dir)
    if not path.exists():
        if not create:
            return None
        try:
            state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise RuntimeFailure(
                f"cannot create the state directory {state_dir}: {error.strerror}"
            ) from None
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as error:
        raise RuntimeFailure(f"cannot open the state database {path}: {error}") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > VERSION:
            raise UserError(
                f"the state database {path} was made by a newer reminderd (schema {version}, "
                f"this one knows {VERSION}); upgrade reminderd — the file was not touched"
            )
        if version < VERSION:
            _migrate(conn)
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as error:
        conn.close()
        if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
            raise busy(path) from None
        raise UserError(
            f"the state database {path} is damaged or not a database ({error}); it was left "
            "as it is: move it aside to start a new one"
        ) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the lock.
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        for number in range(current, VERSION):
            for statement in MIGRATIONS[number]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def busy(path: Path) -> RuntimeFailure:
    return RuntimeFailure(
        f"the state database {path} is busy (another reminderd holds it); nothing was recorded, "
        "try again"
    )


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, taken at once (``BEGIN IMMEDIATE``): all of it or none."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise busy(Path(conn.execute("PRAGMA database_list").fetchone()[2])) from None
        raise
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextlib.contextmanager
def opened(state_dir: Path, *, create: bool) -> Iterator[sqlite3.Connection | None]:
    conn = connect(state_dir, create=create)
    try:
        yield conn
    finally:
        if conn is not None:
            conn.close()


# ---- payments ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payment:
    id: int
    loan_id: str
    amount: Decimal
    currency: str
    paid_on: date
    note: str | None
    recorded_at: datetime
    receipt_sha256: str | None
    receipt_name: str | None
    undoes: int | None
    undone_by: int | None


def paid_totals(state_dir: Path) -> dict[str, Decimal]:
    """The net amount paid per loan (undo entries included), without creating anything."""
    with opened(state_dir, create=False) as conn:
        if conn is None:
            return {}
        totals: dict[str, Decimal] = {}
        for loan_id, amount in conn.execute("SELECT loan_id, amount FROM payments"):
            totals[loan_id] = totals.get(loan_id, Decimal(0)) + Decimal(amount)
        return totals


def payments(state_dir: Path, loan_id: str | None = None) -> list[Payment]:
    """Every recorded payment (and undo entry), oldest first."""
    with opened(state_dir, create=False) as conn:
        if conn is None:
            return []
        query = """
            SELECT p.id, p.loan_id, p.amount, p.currency, p.paid_on, p.note, p.recorded_at,
                   p.receipt_sha256, p.receipt_name, p.undoes, u.id
            FROM payments p LEFT JOIN payments u ON u.undoes = p.id
        """
        rows = (
            conn.execute(query + " WHERE p.loan_id = ? ORDER BY p.id", (loan_id,))
            if loan_id
            else conn.execute(query + " ORDER BY p.id")
        )
        return [
            Payment(
                id=row[0],
                loan_id=row[1],
                amount=Decimal(row[2]),
                currency=row[3],
                paid_on=date.fromisoformat(row[4]),
                note=row[5],
                recorded_at=datetime.fromisoformat(row[6]),
                receipt_sha256=row[7],
                receipt_name=row[8],
                undoes=row[9],
                undone_by=row[10],
            )
            for row in rows
        ]


def record_payment(
    conn: sqlite3.Connection,
    *,
    loan_id: str,
    amount: Decimal,
    currency: str,
    paid_on: date,
    note: str | None,
    recorded_at: datetime,
    receipt: tuple[str, str] | None = None,
    undoes: int | None = None,
) -> int:
    """Insert one payment (inside the caller's transaction); return its id."""
    cursor = conn.execute(
        """INSERT INTO payments (loan_id, amount, currency, paid_on, note, recorded_at,
                                 receipt_sha256, receipt_name, undoes)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            loan_id,
            f"{amount:f}",
            currency,
            paid_on.isoformat(),
            note,
            recorded_at.isoformat(),
            receipt[0] if receipt else None,
            receipt[1] if receipt else None,
            undoes,
        ),
    )
    return int(cursor.lastrowid or 0)


# ---- receipts ------------------------------------------------------------------------------

_SUFFIX = re.compile(r"\.[a-z0-9]{1,10}")


def receipt_target(state_dir: Path, digest: str, original_name: str) -> Path:
    """Where a receipt is kept: named by its hash, with a checked lower-case extension only,
    so that no name given by a user can point outside the receipts directory."""
    suffix = Path(original_name).suffix.lower()
    return state_dir / "receipts" / (digest + (suffix if _SUFFIX.fullmatch(suffix) else ""))


def read_receipt(source: Path) -> bytes:
    """Read a receipt to keep; ``UserError`` when it is missing, unreadable or too large."""
    try:
        if source.is_dir():
            raise UserError(f"--receipt {source}: is a directory, not a file")
        size = source.stat().st_size
        if size > MAX_RECEIPT_BYTES:
            raise UserError(f"--receipt {source}: larger than {MAX_RECEIPT_BYTES // 2**20} MB")
        return source.read_bytes()
    except FileNotFoundError:
        raise UserError(f"--receipt {source}: no such file") from None
    except PermissionError:
        raise UserError(f"--receipt {source}: not readable (permission denied)") from None
    except OSError as error:
        raise UserError(f"--receipt {source}: cannot read it ({error.strerror})") from None


def store_receipt(state_dir: Path, data: bytes, original_name: str) -> tuple[str, Path]:
    """Copy a receipt into the state directory atomically; return (sha256, stored path)."""
    digest = hashlib.sha256(data).hexdigest()
    target = receipt_target(state_dir, digest, original_name)
    if target.exists():
        return digest, target
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".receipt-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise RuntimeFailure(
            f"cannot keep the receipt in {target.parent}: {error.strerror}; nothing was recorded"
        ) from None
    return digest, target


# ---- small settings ------------------------------------------------------------------------


def get_value(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_value(conn: sqlite3.Connection, key: str, value: str) -> None:
    with transaction(conn):
        conn.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
