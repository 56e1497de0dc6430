"""Config strings that become headers, paths and amounts (issue 12, items 2, 5, 6, 8)."""

from __future__ import annotations

import pytest

from tests.unit.conftest import parse_text, text_problems

LOAN = "loans:\n  - id: a\n    name: A\n    plan: {kind: once, due: 2030-01-01, amount: 1}\n"


def email(to: str, sender: str = "me@example.com") -> str:
    return f"channels:\n  email:\n    host: 127.0.0.1\n    from: {sender}\n    to: {to}\n" + LOAN


@pytest.mark.parametrize(
    ("to", "expected"),
    [
        ('"a@example.com, b@example.com"', ("a@example.com", "b@example.com")),
        ("[a@example.com, b@example.com]", ("a@example.com", "b@example.com")),
        ('["a@example.com, b@example.com", a@example.com]', ("a@example.com", "b@example.com")),
        ('"Jane Roe <jane@example.com>"', ("Jane Roe <jane@example.com>",)),
        (
            "'\"Roe, Jane\" <jane@example.com>, b@example.com'",
            ('"Roe, Jane" <jane@example.com>', "b@example.com"),
        ),
        ("张三@例子.公司", ("张三@例子.公司",)),
    ],
)
def test_to_holds_one_recipient_per_address(to: str, expected: tuple[str, ...]) -> None:
    assert parse_text(email(to)).channels.email.to == expected


@pytest.mark.parametrize(
    "to",
    [
        '"a@example.com; b"',
        '"a@b.c Bcc: x@example.com"',
        "me@",
        '"@example.com"',
        '"a@example.com,,b"',
    ],
)
def test_to_refuses_what_is_not_a_list_of_addresses(to: str) -> None:
    [problem] = text_problems(email(to))
    assert "channels.email.to[0]: not an e-mail address" in problem


@pytest.mark.parametrize(
    ("sender", "words"),
    [
        ('"a@example.com\\r\\nBcc: x@example.com"', "line break"),
        ('"a@example.com, b@example.com"', "must be one address, got 2"),
        ('"a@example.com\\0"', "NUL"),
    ],
)
def test_from_is_exactly_one_address_on_one_line(sender: str, words: str) -> None:
    [problem] = text_problems(email("you@example.com", sender))
    assert ":4:11: channels.email.from: " in problem and words in problem


def test_an_argv_item_may_span_lines_but_holds_no_nul() -> None:
    ok = 'channels:\n  command:\n    argv: [sh, -c, "echo one\\necho two"]\n' + LOAN
    bad = 'channels:\n  command:\n    argv: [sh, "-c\\0"]\n' + LOAN

    assert parse_text(ok).channels.command.argv[2] == "echo one\necho two"
    [problem] = text_problems(bad)
    assert "channels.command.argv[1]: contains a NUL character" in problem


@pytest.mark.parametrize(
    ("text", "ok"),
    [("1_000", True), ("1_000_000.5", True), ("1_2_3", False), ("10_00", False), ("1__000", False)],
)
def test_config_amounts_take_underscores_only_between_groups_of_three(text: str, ok: bool) -> None:
    plan = f"{{kind: once, due: 2030-01-01, amount: {text}}}"
    config = f"loans:\n  - id: a\n    name: A\n    plan: {plan}\n"
    if ok:
        assert (
            parse_text(config).loans[0].plan.amount == int(float(text.replace("_", "")) * 100) / 100
        )
    else:
        assert "not a plain decimal number" in text_problems(config)[0]


def test_the_total_bound_counts_until_plans_before_building_them() -> None:
    loan = (
        "  - id: l{i}\n    name: L{i}\n    plan: {{kind: recurring, amount: 1,"
        " first_due: 2026-01-01, every: 1 day, until: 2028-12-31}}\n"
    )
    # 2026-01-01 .. 2028-12-31 daily: 365 + 365 + 366 = 1,096 days, 1,096 installments each,
    # over the per-loan 1,200? no: 1,096 ≤ 1,200; 366 loans × 1,096 = 401,136 > 400,000
    text = "loans:\n" + "".join(loan.format(i=i) for i in range(366))

    [problem] = text_problems(text)

    assert "loans: the plans add up to 401,136 installments; at most 400,000" in problem


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("loans:\n\t- id: a\n", "2:1"),
        ("loans:\n  - id: a\n    name: A\n  \tplan: x\n", "4:3"),
    ],
)
def test_a_tab_in_the_indentation_is_named(text: str, where: str) -> None:
    [problem] = text_problems(text)
    assert problem.endswith(f"(file): a tab at {where}: YAML indents with spaces, not tabs")
