"""What a payment did, in words: which installments it settled, which it paid part of, what
became credit. Pure: two standings in, one sentence out."""

from __future__ import annotations

from decimal import Decimal

from reminderd.money import format_money
from reminderd.standing import LoanStanding


def settlement(before: LoanStanding, after: LoanStanding, currency: str) -> str:
    """Describe the change from ``before`` to ``after`` (a payment, or its undo).

    Returns e.g. ``settles 3/12 (¥1,000.00); 4/12 partly: ¥200.00 of ¥1,000.00 paid;
    ¥150.00 credit beyond everything the plan asks``.
    """

    def cash(amount: Decimal) -> str:
        return format_money(amount, currency)

    settled, partly, reopened = [], [], []
    for old, new in zip(before.rows, after.rows, strict=True):
        change = new.paid - old.paid
        label = new.installment.label()
        if change > 0 and new.settled:
            settled.append(f"{label} ({cash(change)})")
        elif change > 0:
            partly.append(
                f"{label} partly: {cash(new.paid)} of {cash(new.installment.amount)} paid"
            )
        elif change < 0:
            reopened.append(f"{label} ({cash(new.outstanding)} owed)")
    parts = []
    if settled:
        parts.append("settles " + ", ".join(settled))
    parts.extend(partly)
    if reopened:
        parts.append("reopens " + ", ".join(reopened))
    credit_change = after.credit - before.credit
    if credit_change > 0:
        # allocate() only leaves credit once every installment is settled.
        parts.append(f"{cash(credit_change)} credit beyond everything the plan asks")
    elif credit_change < 0:
        parts.append(f"credit down by {cash(-credit_change)}")
    return "; ".join(parts) if parts else "changes nothing owed"
