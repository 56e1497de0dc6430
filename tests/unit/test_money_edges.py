"""Amount text refused with the right reason: a hint about separators only when the text is
a number written with separators, never a "did you mean" that would itself be refused."""

from __future__ import annotations

import pytest

from reminderd import money


@pytest.mark.parametrize(
    "text",
    [
        "१,५",  # Devanagari 1,5: not ASCII digits, so no "did you mean १.५" (refused too)
        "١٢,٠٠٠",  # Arabic-Indic 12,000: no thousands hint either, only "not an amount"
        "1.2.3",  # two points and no comma: nothing about commas or groups
        "ten,5",  # words with a comma are not a number with a misplaced separator
    ],
    ids=["devanagari-digits", "arabic-indic-digits", "two-points", "word-and-comma"],
)
def test_text_that_is_no_number_gets_the_plain_reason_with_an_example(text: str) -> None:
    # A person who typed something other than a number must be shown how to write one, not
    # told about thousands groups or decimal commas their text does not have.
    with pytest.raises(money.AmountError) as refused:
        money.parse_amount(text, "CNY")
    assert str(refused.value) == (
        f"not an amount: {text!r} (write it like 1200, 1200.50 or 1,200.50)"
    )
