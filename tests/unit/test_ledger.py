"""The ledger store in-process: connect, migrate, transactions, busy handling, kv, totals."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from reminderd import ledger
from reminderd.errors import RuntimeFailure, UserError
from reminderd.ledger import records, store

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def add(conn: sqlite3.Connection, loan_id: str, amount: str) -> int:
    with ledger.transaction(conn):
        return records.add(
            conn,
            loan_id=loan_id,
            amount=Decimal(amount),
            currency="CNY",
            paid_on=date(2026, 12, 1),
            recorded_at=NOW,
        )


@pytest.fixture
def conn(tmp_path: Path):
    connection = ledger.connect(tmp_path / "state", create=True)
    assert connection is not None
    yield connection
    connection.close()


def test_connect_without_create_and_no_file_returns_none_and_creates_nothing(tmp_path) -> None:
    assert ledger.connect(tmp_path / "state", create=False) is None
    assert ledger.paid_totals(tmp_path / "state") == {}
    assert ledger.payments(tmp_path / "state") == []
    assert not (tmp_path / "state").exists()


def test_connect_with_create_makes_a_private_wal_database(tmp_path, conn) -> None:
    state = tmp_path / "state"
    assert state.stat().st_mode & 0o777 == 0o700
    assert (state / store.DB_NAME).stat().st_mode & 0o777 == 0o600
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000


def test_a_payment_keeps_the_day_it_was_made_not_the_day_it_was_recorded(conn) -> None:
    # `pay --on 2026-11-20`, typed on 2026-12-01: the money counts from 11-20 (overdue cost,
    # plan versions); when it was typed is kept apart.
    with ledger.transaction(conn):
        made = records.add(
            conn,
            loan_id="a",
            amount=Decimal("30"),
            currency="CNY",
            paid_on=date(2026, 11, 20),
            recorded_at=NOW,
        )
    payment = records.get(conn, made)
    assert payment is not None
    assert (payment.paid_on, payment.recorded_at) == (date(2026, 11, 20), NOW)
    assert records.totals(conn).dated == {"a": ((date(2026, 11, 20), Decimal(30)),)}


def test_paid_totals_nets_undo_entries_per_loan(tmp_path, conn) -> None:
    first = add(conn, "a", "100.10")
    add(conn, "a", "0.20")
    add(conn, "b", "5")
    with ledger.transaction(conn):
        records.undo(conn, first, NOW)
    assert ledger.paid_totals(tmp_path / "state") == {"a": Decimal("0.20"), "b": Decimal("5.00")}
    stored = conn.execute("SELECT typeof(amount) FROM payments").fetchall()
    assert {row[0] for row in stored} == {"text"}


def test_undo_unknown_or_repeated_raises_user_error(conn) -> None:
    first = add(conn, "a", "10")
    with pytest.raises(UserError, match="no payment 42"), ledger.transaction(conn):
        records.undo(conn, 42, NOW)
    with ledger.transaction(conn):
        entry = records.undo(conn, first, NOW)
    with pytest.raises(UserError, match="already undone"), ledger.transaction(conn):
        records.undo(conn, first, NOW)
    with pytest.raises(UserError, match="itself the undo"), ledger.transaction(conn):
        records.undo(conn, entry.id, NOW)
    assert len(records.listing(conn)) == 2


def test_an_undo_takes_the_day_of_the_payment_it_reverses(conn) -> None:
    # A payment of 2026-12-01 undone weeks later: the reversing entry is dated 2026-12-01
    # (recorded on 2027-01-15), so a renegotiated plan books both to the same version: the
    # money by day holds +100 and −100 on that one day.
    first = add(conn, "a", "100")
    later = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
    with ledger.transaction(conn):
        entry = records.undo(conn, first, later)
    assert (entry.paid_on, entry.recorded_at, entry.amount) == (
        date(2026, 12, 1),
        later,
        Decimal("-100.00"),
    )
    day = date(2026, 12, 1)
    assert records.totals(conn).dated == {"a": ((day, Decimal(100)), (day, Decimal(-100)))}


def test_transaction_exception_rolls_back_everything(conn) -> None:
    with pytest.raises(RuntimeError), ledger.transaction(conn):
        records.add(
            conn,
            loan_id="a",
            amount=Decimal(1),
            currency="CNY",
            paid_on=date(2026, 12, 1),
            recorded_at=NOW,
        )
        raise RuntimeError("boom")
    assert records.listing(conn) == []
    assert not conn.in_transaction


def test_transaction_lock_held_past_timeout_is_a_runtime_failure(tmp_path, conn) -> None:
    other = ledger.connect(tmp_path / "state", create=False)
    assert other is not None
    other.execute("PRAGMA busy_timeout = 100")
    try:
        with ledger.transaction(conn):
            add_args = {"loan_id": "a", "amount": Decimal(1), "currency": "CNY"}
            records.add(conn, **add_args, paid_on=date(2026, 12, 1), recorded_at=NOW)
            with pytest.raises(RuntimeFailure, match="is busy .*nothing was recorded"):
                with ledger.transaction(other):
                    pass
        assert not other.in_transaction
    finally:
        other.close()


def test_connect_lock_held_past_timeout_is_a_runtime_failure(tmp_path, monkeypatch) -> None:
    state = tmp_path / "state"
    state.mkdir()
    holder = sqlite3.connect(state / store.DB_NAME, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(store, "BUSY_TIMEOUT_SECONDS", 0.2)
    try:
        with pytest.raises(RuntimeFailure, match="busy"):
            ledger.connect(state, create=True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_kv_set_then_get_round_trips_and_overwrites(conn) -> None:
    assert ledger.get_value(conn, "feed-path") is None
    ledger.set_value(conn, "feed-path", "abc")
    ledger.set_value(conn, "feed-path", "秘密")
    assert ledger.get_value(conn, "feed-path") == "秘密"
    with ledger.transaction(conn):
        ledger.set_value(conn, "other", "1")
    assert ledger.get_value(conn, "other") == "1"


def test_migration_from_every_older_version_keeps_payments(tmp_path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    raw = sqlite3.connect(state / store.DB_NAME)
    for statement in store.MIGRATIONS[0]:
        raw.execute(statement)
    raw.execute(
        "INSERT INTO payments (loan_id, amount, currency, paid_on, note, recorded_at) "
        "VALUES ('a', '12.50', 'CNY', '2026-11-01', NULL, ?)",
        (NOW.isoformat(),),
    )
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()
    [payment] = ledger.payments(state)
    assert (payment.loan_id, payment.amount, payment.receipt_sha256) == (
        "a",
        Decimal("12.50"),
        None,
    )
    conn = ledger.connect(state, create=False)
    assert conn is not None
    try:
        # a second connect finds nothing to migrate and the new tables are usable
        ledger.set_value(conn, "k", "v")
        assert conn.execute("SELECT count(*) FROM deliveries").fetchone()[0] == 0
    finally:
        conn.close()
