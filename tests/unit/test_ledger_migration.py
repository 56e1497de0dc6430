"""A ledger made by the release before plan versions and the case file (schema version 2)
passes through the migration to version 3 unchanged, and with a config from before (no
``renegotiated``, no ``overdue``) status, upcoming and history say what they said before.

The version 2 database is built here from that release's schema SQL, copied verbatim, not
from the code under test.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reminderd.ledger import store
from tests.e2e.conftest import Cli

# reminderd/ledger/store.py as released: V1 and V2, verbatim.
RELEASED_SCHEMA = (
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
    "ALTER TABLE payments ADD COLUMN receipt_sha256 TEXT",
    "ALTER TABLE payments ADD COLUMN receipt_name TEXT",
    "ALTER TABLE payments ADD COLUMN undoes INTEGER REFERENCES payments (id)",
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

NOW = datetime.now(UTC)
TODAY = NOW.date()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def released_database(state_dir: Path) -> Path:
    state_dir.mkdir(mode=0o700)
    path = state_dir / "reminderd.sqlite3"
    conn = sqlite3.connect(path)
    for statement in RELEASED_SCHEMA:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    rows = [
        ("a", "1500.00", day(-20), "first", None),
        ("a", "100.00", day(-3), None, None),
        ("a", "-100.00", day(-3), "undo of payment 2", 2),
    ]
    for loan, amount, on, note, undoes in rows:
        conn.execute(
            "INSERT INTO payments (loan_id, amount, currency, paid_on, note, recorded_at, undoes)"
            " VALUES (?, ?, 'CNY', ?, ?, ?, ?)",
            (loan, amount, on, note, NOW.isoformat(), undoes),
        )
    conn.execute(
        "INSERT INTO deliveries VALUES ('a/2/overdue/x', 'desktop', 'a', 2, 'overdue', ?, 'sent',"
        " 1, NULL, ?)",
        (NOW.isoformat(), NOW.isoformat()),
    )
    conn.execute("INSERT INTO kv VALUES ('feed-path', 'invented-secret-path')")
    conn.commit()
    conn.close()
    path.chmod(0o600)
    return path


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()  # noqa: S608
            for table in ("payments", "deliveries", "snoozes", "kv")
        }
    finally:
        conn.close()


def test_ledger_migration_released_database_and_config_give_the_same_output(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    # A config from before: three installments of 1000, the first two already due.
    cli.write_config(
        "timezone: UTC\nloans:\n  - id: a\n    name: A\n    plan:\n      kind: list\n"
        "      installments:\n"
        f"        - {{due: {day(-30)}, amount: 1000}}\n"
        f"        - {{due: {day(-10)}, amount: 1000}}\n"
        f"        - {{due: {day(10)}, amount: 1000}}\n"
    )
    path = released_database(cli.state_dir)
    before = dump(path)

    status = cli.json("status", "--json")
    upcoming = cli.json("upcoming", "--json")
    history = cli.json("history", "--json")

    # Paid net 1500 (1500 + 100 − 100): #1 settled, #2 500 of 1000 (overdue), #3 upcoming.
    [loan] = status["loans"]
    assert {key: loan[key] for key in ("total", "paid", "outstanding", "credit")} == {
        "total": "3000.00",
        "paid": "1500.00",
        "outstanding": "1500.00",
        "credit": "0.00",
    }
    assert (loan["next_due"], loan["overdue"], loan["overdue_count"]) == (day(-10), "500.00", 1)
    assert (loan["count"], loan["settled"]) == (3, 1)
    # The SPEC §8 fields are there, and neutral: no agreement, no overdue terms.
    assert (loan["version"], loan["agreed_on"], loan["overdue_cost"]) == (1, None, "0.00")
    assert loan["overdue_days"] == 10  # today − the due date of #2, the oldest unsettled
    assert [(r["number"], r["paid"], r["status"], r["version"]) for r in upcoming] == [
        (2, "500.00", "overdue", 1),
        (3, "0.00", "upcoming", 1),
    ]
    assert [(h["id"], h["amount"], h["on"], h["undoes"], h["version"]) for h in history] == [
        (1, "1500.00", day(-20), None, 1),
        (2, "100.00", day(-3), None, 1),
        (3, "-100.00", day(-3), 2, 1),
    ]

    # The database is now version 3, and everything it held is as it was.
    assert dump(path) == before
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION == 3
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 0
    finally:
        conn.close()
