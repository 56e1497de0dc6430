"""The case file's content (SPEC §8): a pure function of the loan, what the ledger holds about
it (payments, notes, documents, reminders sent) and ``now``. ``case --json`` prints it,
``case --export`` writes it as ``case.json`` and renders it as ``index.html``.

The ledger's rows come in as plain objects (``reminderd.ledger.records.Payment``,
``reminderd.ledger.notes.Note``…); nothing here reads a file, the database or the clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from reminderd import money
from reminderd.core import overdue, versions
from reminderd.model import Loan
from reminderd.standing import by_version

# Same instant: the agreement first, then what fell due, then what was done about it.
_ORDER = {"agreement": 0, "due": 1, "payment": 2, "undo": 3, "note": 4, "reminder": 5}


def _file(item: Any) -> dict[str, str]:
    return {"name": item.name, "sha256": item.sha256}


def build(
    loan: Loan,
    payments: Sequence[Any],
    notes: Sequence[Any],
    sent: Sequence[Any],
    documents: Mapping[int, Any],
    now: datetime,
) -> dict[str, Any]:
    """Return the ``case LOAN --json`` object: ``loan``, ``versions``, ``overdue`` and
    ``events`` (oldest first, each with ``at`` and ``kind`` and its details).

    ``payments`` are the loan's ledger payments (undo entries included), ``notes`` its notes
    (reversals included), ``sent`` the reminders a channel accepted, ``documents`` the stored
    agreement document per version. ``now`` must be aware.
    """
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    zone = loan.timezone
    today = now.astimezone(zone).date()
    currency = loan.currency

    def cash(amount: Decimal) -> str:
        return money.to_json(amount, currency)

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone)

    rows = versions.installments(loan)
    dated = [(payment.paid_on, payment.amount) for payment in payments]
    standing = by_version(loan, rows, dated)
    cost = overdue.cost(loan, rows, dated, today)
    events: list[tuple[datetime, dict[str, Any]]] = []

    version_list = []
    for number in range(1, versions.count(loan) + 1):
        agreement = loan.renegotiated[number - 2] if number > 1 else None
        stored = documents.get(number)
        entry = {
            "version": number,
            "on": agreement.on.isoformat() if agreement else None,
            "note": agreement.note if agreement else None,
            "document": _file(stored) if stored else None,
            "plan": (agreement.plan if agreement else loan.plan).kind,
            "installments": sum(1 for row in rows if row.version == number),
        }
        version_list.append(entry)
        if agreement is not None:
            event = {
                "at": agreement.on.isoformat(),
                "kind": "agreement",
                "version": number,
                "text": agreement.note,
                "files": [_file(stored)] if stored else [],
            }
            events.append((start_of(agreement.on), event))

    for row in standing.rows:
        inst = row.installment
        event = {
            "at": inst.due.isoformat(),
            "kind": "due",
            "version": inst.version,
            "number": inst.number,
            "of": inst.of,
            "amount": cash(inst.amount),
            "paid": cash(row.paid),
            "status": row.status(now),
        }
        event["met"] = _met(loan, rows, dated, row, today)
        if row.rolled_on is not None and not row.settled:
            event["rolled_on"] = row.rolled_on.isoformat()
        events.append((inst.due_at, event))

    for payment in payments:
        version = versions.version_on(loan, payment.paid_on)
        if payment.undoes is not None:
            event = {
                "at": payment.paid_on.isoformat(),
                "kind": "undo",
                "payment": payment.undoes,
                "amount": cash(payment.amount),
                "version": version,
                "recorded_at": payment.recorded_at.isoformat(),
            }
        else:
            event = {
                "at": payment.paid_on.isoformat(),
                "kind": "payment",
                "id": payment.id,
                "amount": cash(payment.amount),
                "version": version,
                "text": payment.note,
                "files": (
                    [{"name": payment.receipt_name, "sha256": payment.receipt_sha256}]
                    if payment.receipt_sha256
                    else []
                ),
                "undone_by": payment.undone_by,
            }
        events.append((start_of(payment.paid_on), event))

    for note in notes:
        at = _note_instant(note.at, zone)
        if note.undoes is not None:
            event = {"at": note.at, "kind": "undo", "note": note.undoes, "text": note.text}
        else:
            event = {
                "at": note.at,
                "kind": "note",
                "id": note.id,
                "contact": note.kind,
                "who": note.who,
                "text": note.text,
                "files": [_file(item) for item in note.files],
                "undone_by": note.undone_by,
            }
        events.append((at, event))

    for reminder in sent:
        sent_at = datetime.fromisoformat(reminder.sent_at)
        event = {
            "at": sent_at.astimezone(zone).isoformat(timespec="seconds"),
            "kind": "reminder",
            "number": reminder.number,
            "reminder": reminder.kind,
            "channel": reminder.channel,
            "due_to_fire_at": reminder.fire_at,
        }
        events.append((sent_at, event))

    events.sort(key=lambda item: (item[0], _ORDER[item[1]["kind"]]))
    return {
        "loan": {
            "id": loan.id,
            "name": loan.name,
            "lender": loan.lender,
            "notes": loan.notes,
            "currency": currency,
            "version": versions.version_on(loan, today),
        },
        "as_of": now.astimezone(zone).isoformat(timespec="seconds"),
        "versions": version_list,
        "standing": {
            "paid": cash(standing.paid),
            "outstanding": cash(standing.outstanding),
            "rolled": cash(standing.rolled),
            "credit": cash(standing.credit),
        },
        "overdue": {
            "days": cost.days,
            "cost": cash(cost.total),
            "penalty": cash(cost.penalty),
            "fees": cash(cost.fees),
            "per_day": cash(cost.per_day),
        },
        "events": [event for _, event in events],
    }


def _met(
    loan: Loan,
    rows: Sequence[Any],
    dated: Sequence[tuple[date, Decimal]],
    row: Any,
    today: date,
) -> bool | None:
    """Whether the installment was fully paid by payments dated on or before its due date;
    ``None`` when that cannot be said yet (not due) or never will (superseded)."""
    inst = row.installment
    if row.superseded or inst.due >= today and not row.settled:
        return None
    by_then = by_version(loan, rows, [(day, amount) for day, amount in dated if day <= inst.due])
    same = next(
        r
        for r in by_then.rows
        if (r.installment.version, r.installment.number) == (inst.version, inst.number)
    )
    return same.settled


def _note_instant(text: str, zone: Any) -> datetime:
    """A note's ``at`` (a date, or an aware datetime) as an instant for ordering."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(0), tzinfo=zone)
    return datetime.fromisoformat(text)
