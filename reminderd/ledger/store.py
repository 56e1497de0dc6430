"""The state database: one SQLite file, opened migrated, in WAL mode, with a busy timeout.

Every write goes through :func:`transaction` (``BEGIN IMMEDIATE``), so the CLI and the running
service can share the file; a lock that outlasts the busy timeout becomes a
:class:`~reminderd.errors.RuntimeFailure`, never "database is locked". The schema is versioned
with ``PRAGMA user_version``; :data:`MIGRATIONS` holds one tuple of statements per version, and
a database newer than this code, or a file that is not a database, is refused untouched.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reminderd.errors import RuntimeFailure, UserError

DB_NAME = "reminderd.sqlite3"
BUSY_TIMEOUT_SECONDS = 15.0
_SQLITE_HEADER = b"SQLite format 3\x00"

# Version 1: the first ledger, payments only.
V1 = (
    """
    CREATE TABLE payments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        loan_id TEXT NOT NULL,
        amount TEXT NOT NULL,           -- decimal text, never REAL
        currency TEXT NOT NULL,
        paid_on TEXT NOT NULL,          -- ISO date
        note TEXT,
        recorded_at TEXT NOT NULL       -- aware ISO datetime
    )
    """,
    "CREATE INDEX payments_loan ON payments (loan_id)",
)

# Version 2: receipts, undo entries, the delivery log, snoozes and a key-value table.
V2 = (
    "ALTER TABLE payments ADD COLUMN receipt_sha256 TEXT",
    "ALTER TABLE payments ADD COLUMN receipt_name TEXT",
    "ALTER TABLE payments ADD COLUMN undoes INTEGER REFERENCES payments (id)",
    # At most one reversing entry per payment, even when two `pay --undo` race.
    "CREATE UNIQUE INDEX payments_undoes ON payments (undoes) WHERE undoes IS NOT NULL",
    """
    CREATE TABLE deliveries (
        reminder_key TEXT NOT NULL, channel TEXT NOT NULL,
        loan_id TEXT NOT NULL, number INTEGER NOT NULL, kind TEXT NOT NULL, fire_at TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, updated_at TEXT NOT NULL,
        PRIMARY KEY (reminder_key, channel))
    """,
    """
    CREATE TABLE snoozes (
        loan_id TEXT NOT NULL, number INTEGER NOT NULL, until TEXT NOT NULL,
        PRIMARY KEY (loan_id, number))
    """,
    "CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)

# Version 3: the case file (SPEC §8): notes of contacts with the lender, their attachments,
# and the agreement documents kept like receipts. Nothing earlier changes, so a version 2
# database passes through with its payments, deliveries and snoozes as they were.
V3 = (
    """
    CREATE TABLE notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        loan_id TEXT NOT NULL,
        at TEXT NOT NULL,               -- ISO date, or aware ISO datetime, of the contact
        kind TEXT NOT NULL,             -- call | message | letter | visit | agreement | other
        who TEXT,
        text TEXT NOT NULL,
        recorded_at TEXT NOT NULL,      -- aware ISO datetime
        undoes INTEGER REFERENCES notes (id)
    )
    """,
    "CREATE INDEX notes_loan ON notes (loan_id)",
    # At most one reversal per note, even when two `note --undo` race.
    "CREATE UNIQUE INDEX notes_undoes ON notes (undoes) WHERE undoes IS NOT NULL",
    """
    CREATE TABLE note_files (
        note_id INTEGER NOT NULL REFERENCES notes (id),
        position INTEGER NOT NULL,
        sha256 TEXT NOT NULL,           -- stored under receipts/ by content hash
        name TEXT NOT NULL,             -- the original file name
        PRIMARY KEY (note_id, position))
    """,
    """
    CREATE TABLE documents (
        loan_id TEXT NOT NULL,
        version INTEGER NOT NULL,       -- the plan version whose agreement this is
        sha256 TEXT NOT NULL,
        name TEXT NOT NULL,
        stored_at TEXT NOT NULL,
        PRIMARY KEY (loan_id, version))
    """,
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (V1, V2, V3)
SCHEMA_VERSION = len(MIGRATIONS)


def database_path(state_dir: Path) -> Path:
    """Return where the state database of ``state_dir`` lives."""
    return state_dir / DB_NAME


class _BusyAtOpen(Exception):
    """Opening met a lock that SQLite's busy handler does not wait for."""


def connect(state_dir: Path, *, create: bool) -> sqlite3.Connection | None:
    """:func:`_connect`, tried again while the database is busy, up to the busy timeout.

    Several processes creating the same new database at once (six ``pay`` on a fresh state
    dir) meet locks that SQLite's busy handler does not wait for: switching to WAL needs the
    file to itself, and a reader of the half-made schema holds it. Those are retried here.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    pause = 0.01
    while True:
        try:
            return _connect(state_dir, create=create)
        except _BusyAtOpen as busy:
            if time.monotonic() + pause > deadline:
                raise _busy(database_path(state_dir)) from busy.__cause__
            time.sleep(pause)  # a lock held by another process: nothing to wait on but time
            pause = min(pause * 2, 0.25)


def _connect(state_dir: Path, *, create: bool) -> sqlite3.Connection | None:
    """Open the state database, migrated to :data:`SCHEMA_VERSION`, in WAL mode.

    With ``create=False`` a missing database gives ``None`` and nothing is created; with
    ``create=True`` the state directory (mode 0700) and the database are made when missing.
    The connection is in autocommit mode: group writes with :func:`transaction`.

    Raises ``UserError`` for a file that is not a database or one made by a newer reminderd
    (the file is left untouched), ``RuntimeFailure`` when the state directory cannot be used or
    the database stays locked beyond the busy timeout.
    """
    path = database_path(state_dir)
    if not create and not path.exists():
        return None
    if create:
        try:
            state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise RuntimeFailure(
                f"cannot create the state directory {state_dir}: {error.strerror or error}"
            ) from error
    _check_header(path)
    is_new = not path.exists()
    mode = "rwc" if create else "rw"
    try:
        conn = sqlite3.connect(
            f"{path.absolute().as_uri()}?mode={mode}",
            uri=True,
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,
        )
    except sqlite3.Error as error:
        raise RuntimeFailure(f"cannot open the state database {path}: {error}") from error
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        version = _user_version(conn)
        if version > SCHEMA_VERSION:
            raise UserError(
                f"{path} was made by a newer reminderd (schema version {version}; this one "
                f"knows up to {SCHEMA_VERSION}); upgrade reminderd. The file was left untouched."
            )
        # Reading the schema makes SQLite parse it: a damaged file fails here, before any write.
        tables = [
            str(name)
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        # Version 0 with tables is not a ledger at all (reminderd sets the version in the same
        # transaction that makes its tables): another program's database, never written into.
        if version < SCHEMA_VERSION and (version > 0 or tables):
            _check_integrity(conn, path)
        # The version is read again: another reminderd making this ledger at the same moment
        # may have committed its tables, with their version, between the two reads above.
        if version == 0 and tables and _user_version(conn) == 0:
            raise UserError(
                f"{path} is an SQLite database reminderd did not make (tables: "
                f"{', '.join(tables[:5])}{', ...' if len(tables) > 5 else ''}); it was left "
                "untouched. Move it aside to start a new ledger."
            )
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        if version < SCHEMA_VERSION:
            _migrate(conn)
        if is_new and create:
            path.chmod(0o600)  # payments are private; SQLite's -wal/-shm files copy this mode
    except BaseException as error:
        conn.close()
        if isinstance(error, sqlite3.OperationalError):
            if _is_busy(error):
                raise _BusyAtOpen() from error
            raise RuntimeFailure(f"cannot use the state database {path}: {error}") from error
        if isinstance(error, sqlite3.DatabaseError):  # not a database, or a damaged one
            raise _not_a_database(path, error) from error
        raise
    return conn


def _check_header(path: Path) -> None:
    """Refuse a file that is not an SQLite database, before SQLite gets a chance to write to
    it: a read-only connection reads its header.

    Never with a plain ``open()``: closing any descriptor of the database file drops every
    POSIX lock this process holds on it, so the service's long-lived connections would look
    gone to another process, whose close then deletes the WAL index under them ("disk I/O
    error"). SQLite's own connections share their locks and defer such closes.
    """
    if path.is_dir():
        raise UserError(f"{path} is a directory, not the reminderd state database")
    if not path.exists():
        return
    try:
        probe = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise RuntimeFailure(f"cannot read the state database {path}: {error}") from error
    try:
        probe.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorcode", None) == 26 or "not a database" in str(error):
            raise _not_a_database(path, None) from error  # SQLITE_NOTADB
    finally:
        probe.close()


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse to migrate a damaged database: a migration would write into it."""
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise _not_a_database(path, sqlite3.DatabaseError(result))


def _not_a_database(path: Path, error: Exception | None) -> UserError:
    # One line: SQLite's integrity report spans several ("*** in database main ***\n…").
    detail = f" ({' '.join(str(error).split())})" if error else ""
    return UserError(
        f"{path} is not a usable reminderd database{detail}; it was left untouched. Move it "
        "aside (or restore a backup) to start a new ledger."
    )


def _user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema to :data:`SCHEMA_VERSION`, in one transaction; a concurrent process
    that migrated first leaves nothing to do."""
    with transaction(conn):
        version = _user_version(conn)
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                conn.execute(statement)
        if version < SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _database_file(conn: sqlite3.Connection) -> str:
    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return str(file)
    return "the state database"  # pragma: no cover - every connection has a main database


def _is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _busy(path: Path | str) -> RuntimeFailure:
    return RuntimeFailure(
        f"the state database {path} is busy (another reminderd holds it); nothing was recorded"
    )


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block in one ``BEGIN IMMEDIATE`` transaction: commit on success, roll back on
    any exception. Raises ``RuntimeFailure`` when the write lock cannot be had in time."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if _is_busy(error):
            raise _busy(_database_file(conn)) from error
        raise
    try:
        yield conn
    except BaseException:
        conn.rollback()
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.OperationalError as error:
        conn.rollback()
        if _is_busy(error):
            raise _busy(_database_file(conn)) from error
        raise


@contextmanager
def reading(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run reads in one snapshot (``BEGIN``); a lock held past the busy timeout becomes a
    ``RuntimeFailure`` instead of "database is locked"."""
    try:
        conn.execute("BEGIN")
        yield conn
    except sqlite3.OperationalError as error:
        if _is_busy(error):
            raise RuntimeFailure(
                f"the state database {_database_file(conn)} is busy (another reminderd holds "
                "it); try again"
            ) from error
        raise
    finally:
        if conn.in_transaction:
            conn.rollback()


def get_value(conn: sqlite3.Connection, key: str) -> str | None:
    """Return the ``kv`` value stored under ``key``, or ``None``."""
    row = conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_value(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Store ``value`` under ``key`` in ``kv``; in its own transaction unless one is open."""
    statement = (
        "INSERT INTO kv (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    if conn.in_transaction:
        conn.execute(statement, (key, value))
        return
    with transaction(conn):
        conn.execute(statement, (key, value))
