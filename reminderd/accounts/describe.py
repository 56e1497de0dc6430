"""What a payment did, in words: which installments it settled, which it paid part of, what
became credit. Pure: two standings in, one sentence out."""

from __future__ import annotations

from decimal import Decimal

from reminderd import text
from reminderd.standing import LoanStanding


def settlement(before: LoanStanding, after: LoanStanding, currency: str, locale: str = "en") -> str:
    """Describe the change from ``before`` to ``after`` (a payment, or its undo) in ``locale``.

    Returns e.g. ``settles 3/12 (CN¥1,000.00); 4/12 partly: CN¥200.00 of CN¥1,000.00 paid;
    CN¥150.00 credit beyond everything the plan asks``.
    """

    def cash(amount: Decimal) -> str:
        return text.money(amount, currency, locale)

    def say(key: str, **fields: object) -> str:
        return text.t(key, locale, **fields)

    settled, partly, reopened = [], [], []
    for old, new in zip(before.rows, after.rows, strict=True):
        change = new.paid - old.paid
        label = new.installment.label()
        if change > 0 and new.settled:
            settled.append(say("pay.settled_item", label=label, amount=cash(change)))
        elif change > 0:
            partly.append(
                say(
                    "pay.partly",
                    label=label,
                    paid=cash(new.paid),
                    amount=cash(new.installment.amount),
                )
            )
        elif change < 0:
            reopened.append(say("pay.reopened_item", label=label, amount=cash(new.outstanding)))
    parts = []
    if settled:
        parts.append(say("pay.settles", items=say("list").join(settled)))
    parts.extend(partly)
    if reopened:
        parts.append(say("pay.reopens", items=say("list").join(reopened)))
    credit_change = after.credit - before.credit
    if credit_change > 0:
        # allocate() only leaves credit once every installment is settled.
        parts.append(say("pay.credit", amount=cash(credit_change)))
    elif credit_change < 0:
        parts.append(say("pay.credit_down", amount=cash(-credit_change)))
    return say("sep").join(parts) if parts else say("pay.nothing_changed")
