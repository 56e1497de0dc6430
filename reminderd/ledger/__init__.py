"""The ledger: payments, receipts, the delivery log, snoozes and small settings, in one SQLite
file under the state directory (SPEC §4).

``store`` opens and migrates the database and runs transactions; ``records`` writes and
reads payments; ``receipts`` keeps receipt files by content hash. The names below are the API
the rest of reminderd uses::

    conn = ledger.connect(state_dir, create=True)   # None with create=False and no file
    with ledger.transaction(conn):                  # BEGIN IMMEDIATE ... COMMIT / ROLLBACK
        ledger.set_value(conn, "feed-path", secret)
    ledger.paid_totals(state_dir)                   # {"loan-id": Decimal, ...}, net of undos
"""

from __future__ import annotations

from reminderd.ledger.records import Payment, paid_totals, payments
from reminderd.ledger.store import (
    BUSY_TIMEOUT_SECONDS,
    DB_NAME,
    MIGRATIONS,
    SCHEMA_VERSION,
    connect,
    database_path,
    get_value,
    reading,
    set_value,
    transaction,
)

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "DB_NAME",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Payment",
    "connect",
    "database_path",
    "get_value",
    "paid_totals",
    "payments",
    "reading",
    "set_value",
    "transaction",
]
