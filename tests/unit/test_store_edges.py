"""The state database's edges as a user meets them: where the state directory is made and
what is said when it cannot be, what is refused (a newer, foreign, damaged or unopenable file)
and that it is left as it was, and how a lock held by another reminderd is waited out. Real
SQLite files in tmp_path; where the wait itself is the subject, a fake clock stands in for
``time`` in the store, so no verdict hangs on the wall clock."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from reminderd.errors import RuntimeFailure, UserError
from reminderd.ledger import store

REFUSAL_TAIL = "; it was left untouched. Move it aside (or restore a backup) to start a new ledger."


def made(state: Path) -> Path:
    """A current (version 3) ledger in ``state``, closed; return its path."""
    conn = store.connect(state, create=True)
    assert conn is not None
    conn.close()
    return state / "reminderd.sqlite3"


def version_1_ledger(state: Path) -> Path:
    """A ledger as the first release wrote it: V1's tables, one payment, user_version 1, in
    the rollback-journal mode (one file, nothing beside it)."""
    state.mkdir(parents=True)
    path = state / "reminderd.sqlite3"
    raw = sqlite3.connect(path)
    for statement in store.V1:
        raw.execute(statement)
    raw.execute(
        "INSERT INTO payments (loan_id, amount, currency, paid_on, recorded_at) "
        "VALUES ('car', '10', 'CNY', '2026-11-30', '2026-12-01T08:00:00+00:00')"
    )
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()
    return path


def zero_btree_header(path: Path, page: int) -> bytes:
    """Zero the first 8 bytes of the b-tree header of ``page`` (1-based, 4096-byte pages) of
    the SQLite file at ``path`` (on page 1 it follows the 100-byte file header); return the
    file's new content."""
    content = bytearray(path.read_bytes())
    start = 100 if page == 1 else (page - 1) * 4096
    content[start : start + 8] = bytes(8)
    path.write_bytes(bytes(content))
    return bytes(content)


# --- the state directory ---------------------------------------------------------------


def test_the_state_directory_is_made_with_its_missing_parents(tmp_path) -> None:
    """`--state-dir ~/new/place/state` on a fresh machine: every missing level is made."""
    state = tmp_path / "new" / "place" / "state"
    conn = store.connect(state, create=True)
    assert conn is not None
    conn.close()
    assert state.is_dir()
    assert (state / "reminderd.sqlite3").is_file()


def test_a_state_directory_that_cannot_be_made_is_named_with_the_reason(tmp_path) -> None:
    """A state dir below a regular file: the user reads which directory and the OS's reason
    (strerror of ENOTDIR), not Python's "[Errno 20] ..." repr."""
    plain = tmp_path / "plain"
    plain.write_text("not a folder\n", encoding="utf-8")
    state = plain / "state"
    with pytest.raises(RuntimeFailure) as refused:
        store.connect(state, create=True)
    assert refused.value.message == f"cannot create the state directory {state}: Not a directory"


# --- nothing made where nothing should be -----------------------------------------------


def test_a_ledger_moved_aside_while_opening_without_create_is_not_made_again(
    tmp_path, monkeypatch
) -> None:
    """`history` (create=False) finds the ledger, and it is moved aside right after (the
    race is put in the window by wrapping the header check): no new empty ledger appears at
    the path; the user is told it cannot be opened."""
    state = tmp_path / "state"
    path = made(state)
    real_check = store._check_header

    def check_then_move_aside(checked: Path) -> None:
        real_check(checked)
        checked.rename(checked.with_name("aside.sqlite3"))

    monkeypatch.setattr(store, "_check_header", check_then_move_aside)
    with pytest.raises(RuntimeFailure) as refused:
        store.connect(state, create=False)
    assert refused.value.message == (
        f"cannot open the state database {path}: unable to open database file"
    )
    assert not path.exists()  # (the probe's -wal and -shm may stay beside it: no ledger)
    assert (state / "aside.sqlite3").is_file()


def test_a_ledger_path_that_cannot_be_opened_is_named(tmp_path) -> None:
    """The ledger is a symlink to a place below a regular file: SQLite cannot open it, and
    the user reads which database and SQLite's reason."""
    state = tmp_path / "state"
    state.mkdir()
    (state / "plain").write_text("x\n", encoding="utf-8")
    path = state / "reminderd.sqlite3"
    path.symlink_to(state / "plain" / "ledger.sqlite3")
    with pytest.raises(RuntimeFailure) as refused:
        store.connect(state, create=True)
    assert refused.value.message == (
        f"cannot open the state database {path}: unable to open database file"
    )


def test_a_ledger_path_that_cannot_be_read_is_named(tmp_path, monkeypatch) -> None:
    """A socket where the ledger should be (works as root too, unlike permission bits):
    the read-only header probe cannot open it; the user reads which file and why."""
    state = tmp_path / "state"
    state.mkdir()
    monkeypatch.chdir(state)  # a relative bind: AF_UNIX paths are limited to 108 bytes
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind("reminderd.sqlite3")
        path = state / "reminderd.sqlite3"
        for create in (True, False):
            with pytest.raises(RuntimeFailure) as refused:
                store.connect(state, create=create)
            assert refused.value.message == (
                f"cannot read the state database {path}: unable to open database file"
            )


def test_an_existing_ledger_keeps_the_mode_its_owner_gave_it(tmp_path) -> None:
    """Only a database just made is set to 0600; one the owner opened to their group (0640,
    e.g. for a backup job) is not reset by every `pay`."""
    state = tmp_path / "state"
    path = made(state)
    path.chmod(0o640)
    conn = store.connect(state, create=True)
    assert conn is not None
    conn.close()
    assert path.stat().st_mode & 0o777 == 0o640


# --- refusals, the file left as it was ---------------------------------------------------


def test_a_ledger_from_a_newer_reminderd_is_refused_by_name_and_left_untouched(
    tmp_path,
) -> None:
    """user_version 4 while this reminderd knows versions 1..3 (V1, V2, V3)."""
    state = tmp_path / "state"
    state.mkdir()
    path = state / "reminderd.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE later (x)")
    raw.execute("PRAGMA user_version = 4")
    raw.commit()
    raw.close()
    before = path.read_bytes()
    for create in (True, False):
        with pytest.raises(UserError) as refused:
            store.connect(state, create=create)
        assert refused.value.message == (
            f"{path} was made by a newer reminderd (schema version 4; this one knows up to 3);"
            " upgrade reminderd. The file was left untouched."
        )
    assert path.read_bytes() == before
    assert sorted(p.name for p in state.iterdir()) == ["reminderd.sqlite3"]  # no -wal, -shm


def test_a_file_that_is_not_a_database_is_refused_by_name_without_a_none(tmp_path) -> None:
    """A CSV saved over the ledger: the message names the path, has no "(None)" and no
    SQLite detail (the header says it all), and the file is left as it was."""
    state = tmp_path / "state"
    state.mkdir()
    path = state / "reminderd.sqlite3"
    content = b"loan,amount\ncar,100\n" * 20
    path.write_bytes(content)
    for create in (True, False):
        with pytest.raises(UserError) as refused:
            store.connect(state, create=create)
        assert refused.value.message == f"{path} is not a usable reminderd database{REFUSAL_TAIL}"
    assert path.read_bytes() == content
    assert sorted(p.name for p in state.iterdir()) == ["reminderd.sqlite3"]


def test_a_directory_where_the_ledger_goes_is_refused_by_name(tmp_path) -> None:
    state = tmp_path / "state"
    path = state / "reminderd.sqlite3"
    path.mkdir(parents=True)
    with pytest.raises(UserError) as refused:
        store.connect(state, create=True)
    assert refused.value.message == f"{path} is a directory, not the reminderd state database"


def _truncated(path: Path) -> None:
    """A copy cut short: the header (which promises 4 pages of 4096 bytes) but 1000 bytes."""
    path.write_bytes(path.read_bytes()[:1000])


def _schema_page_broken(path: Path) -> None:
    """Page 1 keeps its 100-byte file header; the b-tree header of sqlite_master after it is
    zeroed, so the header probe passes and reading the schema fails."""
    zero_btree_header(path, 1)


@pytest.mark.parametrize("damage", [_truncated, _schema_page_broken])
def test_a_malformed_ledger_is_refused_with_sqlites_reason_and_left_untouched(
    tmp_path, damage
) -> None:
    state = tmp_path / "state"
    path = version_1_ledger(state)
    damage(path)
    before = path.read_bytes()
    for create in (True, False):
        with pytest.raises(UserError) as refused:
            store.connect(state, create=create)
        assert refused.value.message == (
            f"{path} is not a usable reminderd database (database disk image is malformed)"
            f"{REFUSAL_TAIL}"
        )
    assert path.read_bytes() == before
    assert sorted(p.name for p in state.iterdir()) == ["reminderd.sqlite3"]


def test_a_damaged_version_1_ledger_is_checked_before_migrating(tmp_path) -> None:
    """A version 1 ledger whose index page is broken: refused with SQLite's finding on one
    line, before the switch to WAL or the migration writes into it."""
    state = tmp_path / "state"
    path = version_1_ledger(state)
    raw = sqlite3.connect(path)
    page_size = raw.execute("PRAGMA page_size").fetchone()[0]
    [(root,)] = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = 'payments_loan'")
    raw.close()
    # V1 makes payments (page 2), sqlite_sequence for AUTOINCREMENT (3), payments_loan (4).
    assert (page_size, root) == (4096, 4)
    content = zero_btree_header(path, 4)
    with pytest.raises(UserError) as refused:
        store.connect(state, create=True)
    # quick_check says "*** in database main ***\nPage 4: ...": joined on one line.
    assert refused.value.message == (
        f"{path} is not a usable reminderd database (*** in database main *** Page 4: "
        f"btreeInitPage() returns error code 11){REFUSAL_TAIL}"
    )
    assert path.read_bytes() == content
    assert sorted(p.name for p in state.iterdir()) == ["reminderd.sqlite3"]


def test_a_damaged_sqlite_file_at_version_0_is_refused_and_left_untouched(tmp_path) -> None:
    """Another program's SQLite file (or a ledger whose user_version was reset) with a
    broken index page where the ledger goes: like a damaged version 1 or 2 ledger, it should
    be refused with SQLite's finding before anything writes into it."""
    state = tmp_path / "state"
    state.mkdir()
    path = state / "reminderd.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE t (x)")  # page 2
    raw.execute("CREATE INDEX t_x ON t (x)")  # page 3
    raw.execute("INSERT INTO t VALUES (1)")
    raw.commit()
    [(root,)] = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = 't_x'")
    raw.close()
    assert root == 3
    content = zero_btree_header(path, 3)
    with pytest.raises(UserError) as refused:
        store.connect(state, create=True)
    assert refused.value.message == (
        f"{path} is not a usable reminderd database (*** in database main *** Page 3: "
        f"btreeInitPage() returns error code 11){REFUSAL_TAIL}"
    )
    assert path.read_bytes() == content


def test_another_programs_sqlite_database_is_refused_by_name_and_left_untouched(
    tmp_path,
) -> None:
    """A healthy SQLite file where the ledger goes, made by another program (user_version 0,
    tables of its own): reminderd's tables are never added to it."""
    state = tmp_path / "state"
    state.mkdir()
    path = state / "reminderd.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE contacts (name TEXT)")
    raw.execute("CREATE TABLE accounts (id INTEGER)")
    raw.commit()
    raw.close()
    content = path.read_bytes()
    with pytest.raises(UserError) as refused:
        store.connect(state, create=True)
    assert refused.value.message == (
        f"{path} is an SQLite database reminderd did not make (tables: accounts, contacts); "
        "it was left untouched. Move it aside to start a new ledger."
    )
    assert path.read_bytes() == content
    assert sorted(item.name for item in state.iterdir()) == ["reminderd.sqlite3"]


def test_a_ledger_another_reminderd_makes_between_two_reads_is_not_called_foreign(
    tmp_path, monkeypatch
) -> None:
    """Two commands making the ledger at once (two clicks on the page): this one reads the
    version of the still-empty file (0), then the other commits its tables with their
    version before this one lists the tables. It is a ledger being made, not another
    program's database: this one opens it."""
    state = tmp_path / "state"
    state.mkdir()
    (state / "reminderd.sqlite3").touch()
    read = store._user_version
    first: list[int] = []

    def then_the_other_commits(conn: sqlite3.Connection) -> int:
        version = read(conn)
        if not first:
            first.append(version)
            other = store.connect(state, create=True)  # the other command, start to end
            assert other is not None
            other.close()
        return version

    monkeypatch.setattr(store, "_user_version", then_the_other_commits)
    conn = store.connect(state, create=True)
    assert conn is not None
    with contextlib.closing(conn):
        assert read(conn) == 3
    assert first == [0]


def test_an_empty_file_where_the_ledger_goes_becomes_the_ledger(tmp_path) -> None:
    """A zero-byte file is an empty SQLite database: no tables, version 0, so it is made
    into the ledger (what `touch` before the first start would leave)."""
    state = tmp_path / "state"
    state.mkdir()
    (state / "reminderd.sqlite3").touch()
    conn = store.connect(state, create=True)
    assert conn is not None
    with conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3


# --- another reminderd holding the file --------------------------------------------------


def test_a_current_ledger_opens_for_reading_while_another_reminderd_writes(
    tmp_path, monkeypatch
) -> None:
    """WAL lets `history` read while the service holds the write lock: opening a ledger that
    needs no migration takes no lock. (The busy timeout is cut to 0.2 s only so that a
    regression fails fast; the real code never waits here.)"""
    state = tmp_path / "state"
    path = made(state)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO kv (key, value) VALUES ('k', 'uncommitted')")
    monkeypatch.setattr(store, "BUSY_TIMEOUT_SECONDS", 0.2)
    try:
        reader = store.connect(state, create=False)
        assert reader is not None
        try:
            assert store.get_value(reader, "k") is None  # the writer's row is not committed
        finally:
            reader.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_lock_held_briefly_at_open_is_waited_for(tmp_path) -> None:
    """Another process holds the new ledger (rollback journal, BEGIN IMMEDIATE) for about
    half a second, then lets go itself: switching to WAL needs the file to itself, so the
    command waits and goes on instead of failing at once."""
    state = tmp_path / "state"
    state.mkdir()
    path = state / "reminderd.sqlite3"
    held = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(0.5)  # the other process's work; not a verdict
        conn.execute("ROLLBACK")
        conn.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        conn = store.connect(state, create=True)
        assert conn is not None
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        conn.close()
    finally:
        holder.join()


class FakeClock:
    """Stands in for ``time`` in the store: ``sleep`` advances ``monotonic`` and lets the
    holder go once ``release_at`` seconds have passed (never, when it is None)."""

    def __init__(self, holder: sqlite3.Connection, release_at: float | None) -> None:
        self.now = 0.0
        self.sleeps = 0
        self.holder = holder
        self.release_at = release_at
        self.released_at: float | None = None

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        # 15 s in pauses of 0.25 s is 60 of them, plus a few shorter ones at first.
        if self.sleeps > 200:
            raise AssertionError("retrying without letting time pass: the file is hammered")
        self.now += seconds
        if self.release_at is not None and self.released_at is None:
            if self.now >= self.release_at:
                self.holder.execute("ROLLBACK")
                self.released_at = self.now


def _held_new_ledger(state: Path) -> sqlite3.Connection:
    state.mkdir()
    holder = sqlite3.connect(state / "reminderd.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


@pytest.mark.parametrize("release_at", [0.05, 2.0])
def test_a_released_lock_is_noticed_within_a_quarter_second(
    tmp_path, monkeypatch, release_at
) -> None:
    """Once the other reminderd lets go (early, or after a while), the command goes on
    within one retry pause, at most 0.25 s later (fake time)."""
    state = tmp_path / "state"
    holder = _held_new_ledger(state)
    clock = FakeClock(holder, release_at)
    monkeypatch.setattr(store, "time", clock)
    try:
        conn = store.connect(state, create=True)
        assert conn is not None
        conn.close()
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
    assert clock.released_at is not None
    assert clock.now <= release_at + 0.25


def test_a_lock_never_released_is_waited_out_for_the_busy_timeout_then_named(
    tmp_path, monkeypatch
) -> None:
    """A lock that outlasts the busy timeout (15 s): the command gives up after waiting it
    out, neither a pause (0.25 s) early nor past it, and names the database (fake time)."""
    state = tmp_path / "state"
    holder = _held_new_ledger(state)
    clock = FakeClock(holder, None)
    monkeypatch.setattr(store, "time", clock)
    try:
        with pytest.raises(RuntimeFailure) as busy:
            store.connect(state, create=True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    path = state / "reminderd.sqlite3"
    assert busy.value.message == (
        f"the state database {path} is busy (another reminderd holds it); nothing was recorded"
    )
    assert 15.0 - 0.25 < clock.now <= 15.0
