"""Payments in the ledger: recorded, listed, undone by a reversing entry, totalled per loan.

A payment is never changed or deleted. Undoing one adds a row with ``undoes`` set to its id
and the negated amount, so the history keeps both and the totals net them out.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from reminderd.errors import UserError
from reminderd.ledger.store import connect, reading
from reminderd.standing import Paid


@dataclass(frozen=True)
class Payment:
    """One ledger row. ``undoes`` is set on a reversing entry; ``undone_by`` on the payment a
    reversing entry points at."""

    id: int
    loan_id: str
    amount: Decimal
    currency: str
    paid_on: date
    note: str | None
    receipt_sha256: str | None
    receipt_name: str | None
    recorded_at: datetime
    undoes: int | None = None
    undone_by: int | None = None


_SELECT = """
    SELECT p.id, p.loan_id, p.amount, p.currency, p.paid_on, p.note, p.receipt_sha256,
           p.receipt_name, p.recorded_at, p.undoes, u.id
    FROM payments AS p LEFT JOIN payments AS u ON u.undoes = p.id
"""


def _payment(row: Iterable[object]) -> Payment:
    (id_, loan, amount, currency, paid_on, note, sha, name, recorded, undoes, undone_by) = row
    return Payment(
        id=int(id_),  # type: ignore[call-overload]
        loan_id=str(loan),
        amount=Decimal(str(amount)),
        currency=str(currency),
        paid_on=date.fromisoformat(str(paid_on)),
        note=None if note is None else str(note),
        receipt_sha256=None if sha is None else str(sha),
        receipt_name=None if name is None else str(name),
        recorded_at=datetime.fromisoformat(str(recorded)),
        undoes=None if undoes is None else int(undoes),  # type: ignore[call-overload]
        undone_by=None if undone_by is None else int(undone_by),  # type: ignore[call-overload]
    )


def add(
    conn: sqlite3.Connection,
    *,
    loan_id: str,
    amount: Decimal,
    currency: str,
    paid_on: date,
    recorded_at: datetime,
    note: str | None = None,
    receipt_sha256: str | None = None,
    receipt_name: str | None = None,
) -> int:
    """Insert one payment (call inside :func:`transaction`); return its id."""
    if recorded_at.tzinfo is None:
        raise ValueError("recorded_at must be aware")
    cursor = conn.execute(
        """
        INSERT INTO payments (loan_id, amount, currency, paid_on, note, receipt_sha256,
                              receipt_name, recorded_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            loan_id,
            f"{amount:f}",
            currency,
            paid_on.isoformat(),
            note,
            receipt_sha256,
            receipt_name,
            recorded_at.isoformat(),
        ),
    )
    return int(cursor.lastrowid or 0)


def get(conn: sqlite3.Connection, payment_id: int) -> Payment | None:
    """Return the payment with ``payment_id``, or ``None``."""
    row = conn.execute(_SELECT + " WHERE p.id = ?", (payment_id,)).fetchone()
    return None if row is None else _payment(row)


def undo(conn: sqlite3.Connection, payment_id: int, recorded_at: datetime) -> Payment:
    """Record the reversing entry of ``payment_id`` (call inside :func:`transaction`) and
    return it. Raises ``UserError`` for an unknown id, an undo entry, or a payment already
    undone."""
    original = get(conn, payment_id)
    if original is None:
        raise UserError.said("ledger.no_payment", id=payment_id)
    if original.undoes is not None:
        raise UserError.said("ledger.undo_of_undo", id=payment_id, undoes=original.undoes)
    if original.undone_by is not None:
        raise UserError.said("ledger.already_undone", id=payment_id, by=original.undone_by)
    cursor = conn.execute(
        """
        INSERT INTO payments (loan_id, amount, currency, paid_on, note, receipt_sha256,
                              receipt_name, recorded_at, undoes)
        VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?)
        """,
        (
            original.loan_id,
            f"{-original.amount:f}",
            original.currency,
            original.paid_on.isoformat(),
            f"undo of payment {payment_id}",
            recorded_at.isoformat(),
            payment_id,
        ),
    )
    entry = get(conn, int(cursor.lastrowid or 0))
    assert entry is not None  # noqa: S101 - just inserted in this transaction
    return entry


def listing(conn: sqlite3.Connection, loan_id: str | None = None) -> list[Payment]:
    """Every payment (of ``loan_id`` when given), in the order they were recorded."""
    if loan_id is None:
        rows = conn.execute(_SELECT + " ORDER BY p.id").fetchall()
    else:
        rows = conn.execute(_SELECT + " WHERE p.loan_id = ? ORDER BY p.id", (loan_id,)).fetchall()
    return [_payment(row) for row in rows]


def totals(conn: sqlite3.Connection) -> Paid:
    """The net amount paid per loan (payments minus their undo entries), a mapping that also
    keeps each loan's payments by day (``.dated``) for renegotiated plans."""
    dated: dict[str, list[tuple[date, Decimal]]] = {}
    for loan_id, paid_on, amount in conn.execute(
        "SELECT loan_id, paid_on, amount FROM payments ORDER BY paid_on, id"
    ):
        dated.setdefault(loan_id, []).append((date.fromisoformat(paid_on), Decimal(amount)))
    return Paid(dated)


def paid_totals(state_dir: Path) -> Paid:
    """The net amount paid per loan, read without creating the ledger (empty when absent)."""
    conn = connect(state_dir, create=False)
    if conn is None:
        return Paid({})
    try:
        with reading(conn):
            return totals(conn)
    finally:
        conn.close()


def payments(state_dir: Path, loan_id: str | None = None) -> list[Payment]:
    """Every recorded payment (of ``loan_id`` when given), read without creating the ledger."""
    conn = connect(state_dir, create=False)
    if conn is None:
        return []
    try:
        with reading(conn):
            return listing(conn, loan_id)
    finally:
        conn.close()
