"""Config errors: each one reported with its exact line, column and key path, all at once."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from reminderd import config
from reminderd.errors import ConfigError, UserError
from tests.unit.conftest import (
    PROBLEM_LINE,
    fixture_path,
    parse_fixture,
    parse_text,
    problems_of,
    text_problems,
)

# fixture file -> (line, column, where, words the message must contain); positions counted by
# hand in the fixture files.
SINGLE_PROBLEM = {
    "syntax_error.yaml": (5, 1, "(file)", ["YAML syntax", "']'"]),
    "impossible_date.yaml": (6, 12, "loans[0].plan.due", ["impossible date 2027-02-30"]),
    "unknown_zone.yaml": (1, 11, "timezone", ["unknown time zone", "did you mean 'Asia/Shanghai'"]),
    "unknown_currency.yaml": (1, 11, "currency", ["unknown currency 'RMB'"]),
    "duplicate_ids.yaml": (5, 9, "loans[1].id", ["duplicate id 'card'", "loans[0]"]),
    "duplicate_keys.yaml": (5, 5, "loans[0].name", ["duplicate key 'name'", "line 4"]),
    "too_many_decimals.yaml": (8, 15, "loans[0].plan.amount", ["12.345", "CNY", "2 decimals"]),
    "jpy_decimals.yaml": (8, 15, "loans[0].plan.amount", ["10.5", "JPY", "no decimals"]),
    "empty.yaml": (1, 1, "(file)", ["empty"]),
    "count_zero.yaml": (7, 14, "loans[0].plan.count", ["at least 1"]),
    "recurring_neither.yaml": (5, 7, "loans[0].plan", ["exactly one of count or until"]),
    "recurring_both.yaml": (5, 7, "loans[0].plan", ["exactly one of count or until"]),
    "recurring_until_too_far.yaml": (9, 14, "loans[0].plan.until", ["at most 1200"]),
    "zero_step.yaml": (8, 14, "loans[0].plan.every", ["at least 1"]),
    "self_alias.yaml": (1, 1, "(file)", ["refers to itself"]),
    "unconfigured_channel.yaml": (
        6,
        37,
        "loans[0].reminders.channels[1]",
        ["'email' is not configured", "configured: desktop"],
    ),
}


@pytest.mark.parametrize("name", sorted(SINGLE_PROBLEM))
def test_parse_broken_fixture_reports_one_problem_at_its_position(name: str) -> None:
    line, column, where, words = SINGLE_PROBLEM[name]

    problems = problems_of(name)

    assert len(problems) == 1, problems
    match = PROBLEM_LINE.match(problems[0])
    assert match, problems[0]
    assert (match["path"], int(match["line"]), int(match["column"]), match["where"]) == (
        name,
        line,
        column,
        where,
    )
    for word in words:
        assert word in problems[0]


def test_parse_misspelt_key_suggests_the_right_one() -> None:
    problems = problems_of("unknown_key.yaml")

    # The misspelt key is one problem; the amount it should have been is missing, another.
    assert problems == [
        "unknown_key.yaml:5:7: loans[0].plan.amount: is required (amount due)",
        "unknown_key.yaml:7:7: loans[0].plan.amonut: unknown key (did you mean 'amount'?)",
    ]


def test_parse_file_with_five_problems_reports_all_five_sorted_by_line() -> None:
    problems = problems_of("five_problems.yaml")

    positions = [PROBLEM_LINE.match(problem) for problem in problems]
    assert all(positions), problems
    assert [(int(m["line"]), int(m["column"]), m["where"]) for m in positions] == [
        (1, 11, "timezone"),
        (2, 1, "curency"),
        (6, 29, "loans[0].plan.due"),
        (9, 46, "loans[1].plan.principal"),
        (10, 9, "loans[2].id"),
    ]
    assert "did you mean 'Europe/Berlin'" in problems[0]
    assert "did you mean 'currency'" in problems[1]


@pytest.mark.parametrize(
    "mode",
    [0o644, 0o640, 0o604, 0o620],  # readable by everyone, the group, others; group-writable
)
def test_parse_inline_password_in_a_file_others_can_open_is_refused(mode: int) -> None:
    problems = problems_of("inline_password.yaml", mode=mode)

    assert len(problems) == 1
    assert problems[0].startswith("inline_password.yaml:7:15: channels.email.password: ")
    assert "chmod 600" in problems[0]
    assert "hunter2" not in problems[0]


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_parse_inline_password_readable_by_group_or_others_is_refused(mode: int) -> None:
    assert len(problems_of("inline_password.yaml", mode=mode)) == 1


def test_parse_inline_password_in_private_file_is_accepted() -> None:
    loaded = parse_fixture("inline_password.yaml", mode=0o600)

    assert loaded.channels.email is not None
    assert loaded.channels.email.password.inline == "hunter2"


def test_parse_config_without_secrets_may_be_world_readable() -> None:
    loaded = parse_fixture("jpy_equal_principal.yaml", mode=0o644)

    assert loaded.currency == "JPY"


def test_load_missing_file_raises_user_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"

    with pytest.raises(UserError) as caught:
        config.load(missing)

    assert not isinstance(caught.value, ConfigError)
    assert str(missing) in caught.value.message
    assert caught.value.exit_code == 2


def test_load_directory_raises_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="directory"):
        config.load(tmp_path)


def test_load_reads_the_file_mode_for_the_password_rule(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(fixture_path("inline_password.yaml").read_bytes())
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        config.load(path)

    path.chmod(0o600)
    assert config.load(path).channels.email is not None
    path.chmod(0o400)  # read-only for its owner is private too
    assert config.load(path).channels.email is not None


def test_parse_non_utf8_byte_reports_its_line_and_column() -> None:
    data = b"loans:\n  - id: a\n    name: caf\xe9\n"

    with pytest.raises(ConfigError) as caught:
        config.parse(data, Path("latin1.yaml"))

    # "    name: caf" is 13 characters: the bad byte is the 14th of line 3.
    assert caught.value.problems == [
        "latin1.yaml:3:14: (file): not UTF-8 text (byte 0xe9); save the file as UTF-8"
    ]


def test_parse_utf8_with_bom_and_chinese_text_is_accepted() -> None:
    data = (
        "\ufeffloans:\n  - id: a\n    name: 消费贷\n"
        "    plan: {kind: once, due: 2027-01-05, amount: 1}\n"
    )

    loaded = config.parse(data.encode("utf-8"), Path("bom.yaml"))

    assert loaded.loans[0].name == "消费贷"


def test_parse_billion_laughs_is_refused_by_counting() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        aliases = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    text = "\n".join(lines) + "\nloans: []\n"

    # Refused by counting, not by running out of memory: the speed is the bench's business,
    # and a broken bound would make this test hang or exhaust memory rather than pass.
    problems = text_problems(text)

    assert any("(file): the file expands to too many values" in p for p in problems), problems


# "loans: " is 7 characters. The root mapping is level 1 and "loans"'s value level 2, so the
# 64th "[" (column 8 + 63) is level 65, and the 65th "[" (column 8 + 64) is the first past the
# bound of 64 nested levels. Keys are not levels: with "{a: " (4 characters each) the 65th
# mapping, at column 8 + 64 * 4, is the first past it.
@pytest.mark.parametrize(("opening", "column"), [("[", 8 + 64), ("{a: ", 8 + 64 * 4)])
def test_parse_deep_nesting_is_refused_with_a_position(opening: str, column: int) -> None:
    closing = "]" if opening == "[" else "}"
    text = "loans: " + opening * 5000 + closing * 5000 + "\n"

    # Refused by counting, not by running out of memory: the speed is the bench's business,
    # and a broken bound would make this test hang or exhaust memory rather than pass.
    problems = text_problems(text)

    [problem] = problems
    found = re.fullmatch(
        r"config\.yaml:1:(\d+): \(file\): nested more than 64 levels deep", problem
    )
    assert found is not None, problem
    # Our own check stops at ``column``; libyaml (PyYAML >= 6.0.4) may stop first while it
    # scans ahead, at its own limit further along the line.
    assert int(found.group(1)) >= column


def test_parse_nesting_within_the_bound_is_not_refused_for_depth() -> None:
    # 64 lists under the root mapping's "notes": the innermost is 64 levels below the root,
    # exactly the bound; the 65th would be refused.
    text = "loans: []\nnotes: " + "[" * 64 + "]" * 64 + "\n"

    problems = text_problems(text)

    assert problems == ["config.yaml:2:1: notes: unknown key"]


def test_parse_root_that_is_not_a_mapping_names_the_file_as_where() -> None:
    problems = text_problems("- just a list\n")

    assert len(problems) == 1
    assert problems[0].startswith("config.yaml:1:1: (file): must be a mapping")
    assert PROBLEM_LINE.match(problems[0])


def test_parse_missing_loans_key_is_required() -> None:
    problems = text_problems("currency: CNY\n")

    assert problems == ["config.yaml:1:1: loans: is required (every debt and its plan)"]


def test_parse_recurring_count_zero_is_one_problem_not_two() -> None:
    problems = text_problems(
        "loans:\n  - id: a\n    name: A\n"
        "    plan: {kind: recurring, amount: 1, count: 0, first_due: 2027-01-01}\n"
    )

    assert problems == ["config.yaml:4:47: loans[0].plan.count: must be at least 1"]


def test_parse_unconfigured_channel_in_defaults_is_reported_once_not_per_loan() -> None:
    text = (
        "reminders: {channels: [email]}\n"
        "loans:\n"
        "  - id: a\n    name: A\n    plan: {kind: once, due: 2027-01-05, amount: 1}\n"
        "  - id: b\n    name: B\n    plan: {kind: once, due: 2027-01-06, amount: 1}\n"
    )

    problems = text_problems(text)

    assert len(problems) == 1
    assert problems[0].startswith("config.yaml:1:24: reminders.channels[0]: channel 'email'")


@pytest.mark.parametrize(
    ("value", "where_suffix"),
    [
        ("count: " + "9" * 5000, "count"),
        ("count: 3, every: " + "9" * 5000 + " days", "every"),
    ],
)
def test_parse_number_with_thousands_of_digits_is_a_config_error(
    value: str, where_suffix: str
) -> None:
    text = (
        "loans:\n  - id: a\n    name: A\n"
        f"    plan: {{kind: recurring, amount: 1, first_due: 2027-01-01, {value}}}\n"
    )

    problems = text_problems(text)

    assert len(problems) == 1
    assert f" loans[0].plan.{where_suffix}: " in problems[0]
    assert "4300" not in problems[0]


def test_parse_lead_with_thousands_of_digits_is_a_config_error() -> None:
    problems = text_problems("reminders: {before: [" + "9" * 5000 + "d]}\nloans: []\n")

    assert len(problems) == 1
    assert problems[0].startswith("config.yaml:1:22: reminders.before[0]: ")
    assert "too long" in problems[0]


def test_parse_valid_fixture_builds_the_loan() -> None:
    loaded = parse_fixture("jpy_equal_principal.yaml")

    (loan,) = loaded.loans
    assert (loan.id, loan.currency, loan.plan.count) == ("yen", "JPY", 3)
    assert str(loan.timezone) == "Asia/Tokyo"


def test_parse_loan_overrides_inherit_the_other_reminder_keys() -> None:
    loaded = parse_text(
        'reminders: {before: [3d], time: "10:30", overdue_every: never}\n'
        "loans:\n  - id: a\n    name: A\n    reminders: {before: [1d]}\n"
        "    plan: {kind: once, due: 2027-01-05, amount: 1}\n"
    )

    settings = loaded.loans[0].reminders
    assert [lead.days for lead in settings.before] == [1]
    assert settings.time.isoformat() == "10:30:00"
    assert settings.overdue_every is None


def test_parse_control_character_reports_its_line_and_column_in_one_line() -> None:
    problems = text_problems("loans:\n  - id: a\x07b\n")

    assert problems == [
        "config.yaml:2:10: (file): YAML does not allow the control character U+0007 here"
    ]


def test_parse_key_with_a_newline_stays_on_one_line() -> None:
    problems = text_problems('"a\\nb": 1\nloans: []\n')

    assert problems == ["config.yaml:1:1: a\\nb: unknown key"]


@pytest.mark.parametrize(
    ("currency", "amount", "said"),
    [
        ("CNY", "12.345", "12.345 has too many decimals: CNY takes at most 2 decimals"),
        ("JPY", "10.5", "10.5 has too many decimals: JPY takes no decimals"),
        ("CNY", "0", "must be more than 0"),
        ("CNY", "-5", "must be more than 0, got -5"),
    ],
)
def test_a_config_amount_the_currency_cannot_hold_is_a_problem_not_rounded(
    currency: str, amount: str, said: str
) -> None:
    # An amount in the config is a promise to a lender: 12.345 is not silently 12.35.
    problems = text_problems(
        f"currency: {currency}\nloans:\n  - id: a\n    name: A\n"
        f"    plan: {{kind: once, due: 2030-01-15, amount: {amount}}}\n"
    )
    assert len(problems) == 1, problems
    assert problems[0].startswith("config.yaml:5:") and "loans[0].plan.amount" in problems[0]
    assert said in problems[0], problems[0]


@pytest.mark.parametrize(
    "sources",
    [
        ("password_env: SMTP_PW", "password_file: /run/secrets/smtp"),
        ('password: "invented"', "password_env: SMTP_PW"),
    ],
)
def test_two_password_sources_for_one_channel_are_a_problem(sources: tuple[str, str]) -> None:
    # Which one would be used? Neither is guessed: the config names the conflict.
    problems = text_problems(
        "channels:\n  email:\n    host: smtp.example.com\n    from: me@example.com\n"
        "    to: me@example.com\n    username: me\n"
        + "".join(f"    {source}\n" for source in sources)
        + "loans:\n  - {id: a, name: A, plan: {kind: once, due: 2030-01-15, amount: 1}}\n"
    )
    assert len(problems) == 1, problems
    assert "channels.email.password" in problems[0] and "use only one of" in problems[0]


@pytest.mark.parametrize(
    ("security", "port"),
    [("starttls", 587), ("ssl", 465), ("none", 25), (None, 587)],  # RFC 6409, 8314, 5321
)
def test_email_port_left_out_is_the_standard_one_for_its_security(
    security: str | None, port: int
) -> None:
    # The submission port for STARTTLS (587), implicit TLS (465), plain SMTP (25); with no
    # `security:` at all, STARTTLS (the default) and so 587.
    line = f"    security: {security}\n" if security else ""
    loaded = parse_text(
        "channels:\n  email:\n    host: smtp.example.com\n    from: me@example.com\n"
        "    to: me@example.com\n"
        + line
        + "loans:\n  - {id: a, name: A, plan: {kind: once, due: 2030-01-15, amount: 1}}\n"
    )
    assert loaded.channels.email is not None
    assert (loaded.channels.email.security, loaded.channels.email.port) == (
        security or "starttls",
        port,
    )


def test_a_relative_ca_file_is_found_next_to_the_config_wherever_reminderd_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `ca_file: certs/ca.pem` in /…/conf/config.yaml means /…/conf/certs/ca.pem, whatever
    # the working directory (a service's is often /); `~` is the home directory.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    source = tmp_path / "conf" / "config.yaml"
    found = []
    for written in ("certs/ca.pem", "~/ca.pem"):
        text = (
            "channels:\n  email:\n    host: smtp.example.com\n    from: me@example.com\n"
            f"    to: me@example.com\n    ca_file: {written}\n"
            "loans:\n  - {id: a, name: A, plan: {kind: once, due: 2030-01-15, amount: 1}}\n"
        )
        email = config.parse(text.encode(), source).channels.email
        assert email is not None
        found.append(email.ca_file)
    assert found == [tmp_path / "conf" / "certs" / "ca.pem", tmp_path / "home" / "ca.pem"]


def test_two_list_installments_on_one_day_at_different_times_are_accepted() -> None:
    """A lender that takes two payments the same day (morning and evening): the dates do
    not go back, so the plan is valid."""
    from reminderd import plans

    config = parse_text(
        "timezone: Asia/Shanghai\nloans:\n  - id: a\n    name: A\n    plan:\n"
        "      kind: list\n      installments:\n"
        '        - {due: "2027-03-10 09:00", amount: 10}\n'
        '        - {due: "2027-03-10 18:00", amount: 20}\n'
    )
    rows = plans.installments(config.loans[0])
    assert [(row.due_at.isoformat(), row.amount) for row in rows] == [
        ("2027-03-10T09:00:00+08:00", Decimal("10.00")),
        ("2027-03-10T18:00:00+08:00", Decimal("20.00")),
    ]


def test_a_recurring_plan_until_its_first_due_is_one_payment() -> None:
    from reminderd import plans

    config = parse_text(
        "timezone: Asia/Shanghai\nloans:\n  - id: b\n    name: B\n"
        "    plan: {kind: recurring, amount: 30, first_due: 2027-03-10, until: 2027-03-10}\n"
    )
    assert [(row.due.isoformat(), row.amount) for row in plans.installments(config.loans[0])] == [
        ("2027-03-10", Decimal("30.00"))
    ]
