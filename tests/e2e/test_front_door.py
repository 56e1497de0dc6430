"""The front door (issue 12): ``check`` tells the whole truth, and input that cannot be right
is refused, each with one line and the exit status of SPEC §3. Every test runs the installed
command; dates are relative to the real clock."""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.service import PATIENCE, ServiceProcess, wait_for
from tests.support.smtp import Recorder, smtp_server
from tests.unit.test_amounts import _groups_ok, _read_like_a_person

PROBLEM = re.compile(
    r"^(?P<path>[^\n]+?):(?P<line>\d+):(?P<column>\d+): (?P<where>.+?): (?P<what>.+)$"
)


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def days_from_today(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def config(channels: str = "  command:\n    argv: [/bin/true]\n", loans: str | None = None) -> str:
    """A config in UTC with the given channels block and, by default, one future loan."""
    if loans is None:
        loans = (
            "  - id: card-a\n"
            "    name: Card A\n"
            f"    plan: {{kind: once, due: {days_from_today(40)}, amount: 5000}}\n"
        )
    return f"timezone: UTC\nchannels:\n{channels}loans:\n{loans}"


def one_error_line(done: subprocess.CompletedProcess[str], code: int) -> str:
    """The run failed with ``code`` and said why on one ``reminderd:`` line, no traceback."""
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("reminderd: "), lines
    return lines[0]


# ---- 1. amounts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("12,00", "decimal mark is a point"),  # recorded ¥1,200.00 before
        ("1,5", "decimal mark is a point"),  # ¥15.00
        ("1.200,00", "decimal mark is a point"),  # ¥1.20
        ("1,2,3", "groups of three digits"),  # ¥123
    ],
)
def test_pay_refuses_an_amount_whose_commas_are_not_thousands(run_cli, text, reason) -> None:
    run_cli.write_config(config())

    line = one_error_line(run_cli("pay", "card-a", text), 2)

    assert reason in line and repr(text) in line
    assert not (run_cli.state_dir / "reminderd.sqlite3").exists()  # nothing recorded


def test_pay_records_a_grouped_amount_as_a_person_reads_it(run_cli) -> None:
    run_cli.write_config(config())

    done = run_cli("pay", "card-a", "1,200.50")

    assert done.returncode == 0, done.stderr
    [payment] = run_cli.json("history", "--json")
    assert payment["amount"] == "1200.50"  # one thousand two hundred and fifty fen


def _rendered(value: int, grouped: bool) -> str:
    # value is in fen: 123456 -> "1,234.56" or "1234.56"
    amount = Decimal(value).scaleb(-2)
    return f"{amount:,f}" if grouped else f"{amount:f}"


AMOUNT_TEXTS = st.one_of(
    st.builds(_rendered, st.integers(min_value=1, max_value=10**12), st.booleans()),
    st.text(alphabet="0123456789,.", min_size=1, max_size=9),
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=AMOUNT_TEXTS)
def test_pay_records_what_a_person_reads_or_refuses(run_cli, text) -> None:
    run_cli.write_config(config())
    before = len(run_cli.json("history", "--json")) if run_cli.state_dir.exists() else 0

    done = run_cli("pay", "card-a", text)

    if done.returncode != 0:
        one_error_line(done, 2)
        return
    payments = run_cli.json("history", "--json")
    assert len(payments) == before + 1
    # The oracle reads the digits one by one: none dropped, none moved across the point.
    assert Decimal(payments[-1]["amount"]) == _read_like_a_person(text)
    assert _groups_ok(text)


def test_plan_refuses_a_misgrouped_principal(run_cli) -> None:
    line = one_error_line(run_cli("plan", "--principal", "12,00", "--count", "3"), 2)
    assert "decimal mark is a point" in line


def test_plan_refuses_an_empty_budget_instead_of_crashing(run_cli) -> None:
    # Found by tests/reliability/test_cli_fuzz.py: "--budget=" was taken for no budget at all.
    line = one_error_line(run_cli("plan", "--principal", "1000", "--budget="), 2)
    assert "not an amount: ''" in line


# ---- 2. several recipients in one string ---------------------------------------------------


class EnvelopeRecorder(Recorder):
    """Keeps each message's envelope recipients (RCPT TO), not its header."""

    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append(list(envelope.rcpt_tos))
        return await super().handle_DATA(server, session, envelope)


def test_to_with_two_addresses_in_one_string_reaches_both_by_envelope(run_cli) -> None:
    recorder = EnvelopeRecorder()
    with smtp_server(mode="plain", auth=False, recorder=recorder) as server:
        channels = (
            "  email:\n"
            f"    host: {server.host}\n"
            f"    port: {server.port}\n"
            "    security: none\n"
            "    from: reminders@example.com\n"
            '    to: "a@example.com, b@example.com"\n'
        )
        run_cli.write_config(config(channels))

        done = run_cli("notify-test", "--channel", "email")

        assert done.returncode == 0, done.stderr
        assert wait_for(lambda: recorder.envelopes, PATIENCE)
    assert recorder.envelopes == [["a@example.com", "b@example.com"]]


def test_to_with_something_that_is_no_address_is_refused_by_check(run_cli) -> None:
    channels = (
        '  email:\n    host: 127.0.0.1\n    from: me@example.com\n    to: "a@example.com; b"\n'
    )
    run_cli.write_config(config(channels))

    done = run_cli("check")

    assert done.returncode == 2
    assert "channels.email.to[0]: not an e-mail address" in done.stderr


# ---- 3 and 10. channels checked without sending --------------------------------------------


def email_with(secret: str) -> str:
    return (
        "  email:\n    host: 127.0.0.1\n    port: 2525\n    from: me@example.com\n"
        f"    to: you@example.com\n    username: me\n{secret}"
    )


@pytest.mark.parametrize("mode", [0o644, 0o604, 0o640])
def test_check_refuses_a_password_file_others_can_read(run_cli, tmp_path, mode) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text("hunter2-invented\n")
    secret.chmod(mode)
    run_cli.write_config(config(email_with(f"    password_file: {secret}\n")))

    done = run_cli("check")

    assert done.returncode == 1, done.stdout + done.stderr
    assert "channel problem" in done.stdout and ": OK" not in done.stdout
    assert f"channels.email.password_file: password file {secret} is accessible" in done.stderr
    assert f"chmod 600 {secret}" in done.stderr
    assert "hunter2" not in done.stdout + done.stderr


def test_check_refuses_a_missing_password_file_and_ca_file(run_cli, tmp_path) -> None:
    missing = tmp_path / "nowhere" / "password"
    ca = tmp_path / "no-ca.pem"
    secret = f"    password_file: {missing}\n    ca_file: {ca}\n"
    run_cli.write_config(config(email_with(secret)))

    done = run_cli("check")

    assert done.returncode == 1
    assert f"channels.email.password_file: password file {missing} does not exist" in done.stderr
    assert f"channels.email.ca_file: {ca} does not exist" in done.stderr


def test_check_accepts_a_private_password_file(run_cli, tmp_path) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text("hunter2-invented\n")
    secret.chmod(0o600)
    run_cli.write_config(config(email_with(f"    password_file: {secret}\n")))

    done = run_cli("check")

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{run_cli.config}: OK")


def test_check_says_an_unset_variable_is_needed_by_the_service(run_cli) -> None:
    run_cli.write_config(config(email_with("    password_env: REMINDERD_TEST_SMTP_PW\n")))

    done = run_cli("check", env={"REMINDERD_TEST_SMTP_PW": ""})

    # Not an error: the service's environment (a unit's Environment=) may well have it.
    assert done.returncode == 0, done.stderr
    assert (
        "reminderd: not verified: channels.email.password_env: the variable "
        "REMINDERD_TEST_SMTP_PW is not set here; the service needs it"
    ) in done.stderr.splitlines()


def test_a_password_pasted_into_password_env_is_never_shown(run_cli) -> None:
    pasted = "S3cr3t-invented!pw"
    run_cli.write_config(config(email_with(f'    password_env: "{pasted}"\n')))

    checked = run_cli("check")
    sent = run_cli("notify-test", "--channel", "email")

    assert checked.returncode == 0 and sent.returncode == 1
    for done in (checked, sent):
        assert pasted not in done.stdout + done.stderr
        assert "the variable named in password_env" in done.stdout + done.stderr


def test_run_logs_channel_problems_and_puts_them_in_the_systemd_status(run_cli, tmp_path) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text("hunter2-invented\n")
    secret.chmod(0o644)
    run_cli.write_config(config(email_with(f"    password_file: {secret}\n")))
    service = ServiceProcess(run_cli.config, run_cli.state_dir, env=run_cli.env)
    try:
        service.start()
        service._drain()
        ready = [message for message in service.messages if "READY=1" in message]
        assert ready, service.messages
        assert "1 channel problem: channels.email.password_file" in ready[0]
        assert wait_for(
            lambda: "channel problem: channels.email.password_file" in service.log(), 10
        )
    finally:
        service.kill()


# ---- 4. the feed's address taken -----------------------------------------------------------


def test_run_refuses_to_start_when_the_feed_address_is_taken(run_cli, tmp_path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen(1)
        port = other.getsockname()[1]
        text = config().replace(
            "loans:",
            f"calendar:\n  path: {tmp_path / 'cal.ics'}\n"
            f"  serve:\n    listen: 127.0.0.1:{port}\nloans:",
        )
        run_cli.write_config(text)

        done = run_cli("run", timeout=30)

    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("reminderd: ")]
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0], done.stderr
    assert "Traceback" not in done.stderr


# ---- 5. NUL and line breaks in strings that become paths, arguments, headers ---------------


def test_nul_and_line_breaks_are_config_errors_with_their_position(run_cli) -> None:
    text = (
        "timezone: UTC\n"
        "channels:\n"
        "  email:\n"
        "    host: 127.0.0.1\n"
        '    from: "a@example.com\\r\\nBcc: x@example.com"\n'
        "    to: you@example.com\n"
        "    username: me\n"
        '    password_file: "/tmp/pw\\0x"\n'
        "  command:\n"
        '    argv: ["/bin/true\\0x"]\n'
        "calendar:\n"
        '  path: "/tmp/cal\\0.ics"\n'
        "loans:\n"
        "  - id: a\n"
        "    name: A\n"
        f"    plan: {{kind: once, due: {days_from_today(5)}, amount: 1}}\n"
    )
    run_cli.write_config(text)

    done = run_cli("check")

    assert done.returncode == 2 and "Traceback" not in done.stderr
    found = {}
    for line in done.stderr.splitlines():
        match = PROBLEM.match(line)
        assert match, line
        found[match["where"]] = (int(match["line"]), int(match["column"]), match["what"])
    assert found["channels.email.from"][:2] == (5, 11)
    assert "line break" in found["channels.email.from"][2]
    assert found["channels.email.password_file"][:2] == (8, 20)
    assert found["channels.command.argv[0]"][:2] == (10, 12)
    assert found["calendar.path"][:2] == (12, 9)
    assert all("NUL" in found[key][2] for key in found if key != "channels.email.from")


# ---- 6. the whole config is bounded --------------------------------------------------------


def test_a_config_of_too_many_installments_is_refused_early_with_the_figure(run_cli) -> None:
    loan = (
        "  - id: l{index}\n    name: L{index}\n"
        "    plan: {{kind: recurring, amount: 1, first_due: 2026-01-01, every: 1 day,"
        " count: 1000}}\n"
    )
    # 401 loans × 1,000 daily installments = 401,000 > 400,000
    run_cli.write_config(config(loans="".join(loan.format(index=i) for i in range(401))))

    for command in ("check", "upcoming"):
        done = run_cli(command)
        assert done.returncode == 2, done.stderr
        assert "loans: the plans add up to 401,000 installments; at most 400,000" in done.stderr


# ---- 7. overdue before next due ------------------------------------------------------------


def test_check_says_what_is_overdue_before_what_is_next(run_cli) -> None:
    loans = (
        "  - id: card-a\n    name: Card A\n    plan:\n      kind: list\n      installments:\n"
        f"        - {{due: {days_from_today(-60)}, amount: 300}}\n"
        f"        - {{due: {days_from_today(-30)}, amount: 300}}\n"
        f"        - {{due: {days_from_today(30)}, amount: 300}}\n"
    )
    run_cli.write_config(config(loans=loans))
    assert run_cli("pay", "card-a", "100").returncode == 0

    done = run_cli("check")

    assert done.returncode == 0, done.stderr
    lines = [line.strip() for line in done.stdout.splitlines()]
    overdue = [i for i, line in enumerate(lines) if line.startswith("overdue:")]
    following = [i for i, line in enumerate(lines) if line.startswith("next due:")]
    assert overdue and following and overdue[0] < following[0], done.stdout
    # 300 + 300 due, 100 paid: 500 unpaid over two installments since 1/3
    assert lines[overdue[0]] == (
        f"overdue:      {days_from_today(-60)}  Card A 2 installments since 1/3  CN¥500.00 unpaid"
    )
    assert lines[following[0]].startswith(f"next due:     {days_from_today(30)} 09:00 UTC")


# ---- 8. a tab --------------------------------------------------------------------------------


def test_a_tab_in_the_indentation_is_named_as_such(run_cli) -> None:
    run_cli.write_config("timezone: UTC\nloans:\n  - id: a\n\tname: A\n")

    done = run_cli("check")

    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"{run_cli.config}:4:1: (file): a tab at 4:1: YAML indents with spaces, not tabs"
    )


# ---- 9. the record-it hint works as printed ------------------------------------------------


def test_the_record_hint_names_the_config_and_state_dir_the_service_uses(run_cli, tmp_path) -> None:
    folder = tmp_path / "my configs"
    folder.mkdir()
    bodies = tmp_path / "bodies.txt"
    script = tmp_path / "keep.sh"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$REMINDERD_BODY" >> "{bodies}"\n')
    script.chmod(0o755)
    loans = (
        "  - id: card-a\n    name: Card A\n"
        f"    plan: {{kind: once, due: {days_from_today(-2)}, amount: 250}}\n"
    )
    path = folder / "reminderd config.yaml"
    path.write_text(config(f"  command:\n    argv: [{script}]\n", loans))
    state = tmp_path / "state dir"

    done = run_cli("-c", str(path), "--state-dir", str(state), "run", "--once")

    assert done.returncode == 0, done.stderr
    hint = [line for line in bodies.read_text().splitlines() if "pay card-a" in line]
    assert hint, bodies.read_text()
    command = hint[0].split(": ", 1)[1]
    assert command == (
        f"reminderd -c {shlex.quote(str(path))} --state-dir {shlex.quote(str(state))} "
        "pay card-a 250.00"
    )
    # Run as printed, from another folder and with nothing in the environment pointing there.
    env = {
        k: v for k, v in run_cli.env.items() if k not in ("REMINDERD_CONFIG", "REMINDERD_STATE_DIR")
    }
    argv = [*run_cli.command, *shlex.split(command)[1:]]
    paid = subprocess.run(argv, env=env, cwd="/", capture_output=True, text=True, timeout=60)
    assert paid.returncode == 0, paid.stderr
    assert "paid off" in paid.stdout


# ---- 11. run --once and an unwritable calendar ---------------------------------------------


def test_run_once_exits_1_when_the_calendar_cannot_be_written(run_cli, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    text = config().replace("loans:", f"calendar:\n  path: {blocker / 'cal.ics'}\nloans:")
    run_cli.write_config(text)

    done = run_cli("run", "--once")

    assert done.returncode == 1, done.stderr
    assert f"the calendar {blocker / 'cal.ics'} was not written" in done.stderr


def test_run_once_exits_1_when_a_channel_fails_and_the_next_run_sends_it(run_cli, tmp_path):
    # A timer runs `run --once` every 15 minutes: a reminder its channel refused must make
    # the run fail (systemd shows the unit failed) and go out at the next run, once.
    sent = tmp_path / "sent.txt"
    script = tmp_path / "channel.sh"
    script.write_text(
        f'#!/bin/sh\n[ -e "{tmp_path}/down" ] && exit 3\necho "$REMINDERD_KEY" >> "{sent}"\n'
    )
    script.chmod(0o755)
    (tmp_path / "down").touch()
    loans = (
        "  - id: card-a\n    name: Card A\n"
        f"    plan: {{kind: once, due: {days_from_today(-2)}, amount: 250}}\n"
    )
    run_cli.write_config(config(f"  command:\n    argv: [{script}]\n", loans))

    down = run_cli("run", "--once")

    assert down.returncode == 1, down.stderr
    assert "run --once: 0 sent, 1 failed" in down.stderr
    assert "not delivered: card-a/" in down.stderr and "via command" in down.stderr
    assert not sent.exists()
    (tmp_path / "down").unlink()
    up = run_cli("run", "--once")
    assert up.returncode == 0, up.stderr
    assert len(sent.read_text().splitlines()) == 1
    again = run_cli("run", "--once")
    assert again.returncode == 0, again.stderr
    assert len(sent.read_text().splitlines()) == 1  # sent once, not at every run


# ---- 12. a state directory with no ledger --------------------------------------------------


@pytest.mark.parametrize("command", ["status", "history", "upcoming"])
@pytest.mark.parametrize(
    ("locale", "words"),
    [("en", "no ledger in {dir} yet: no payments recorded there"), ("zh_CN", "{dir} 中还没有账本")],
)
def test_readers_say_when_the_state_dir_has_no_ledger(run_cli, tmp_path, command, locale, words):
    run_cli.write_config(f"locale: {locale}\n" + config())
    typo = tmp_path / "stat"

    done = run_cli(command, "--state-dir", str(typo))

    assert done.returncode == 0, done.stderr
    assert f"reminderd: {words.format(dir=typo)}" in done.stderr
    assert not typo.exists()  # a reader creates nothing


def test_readers_say_nothing_about_a_ledger_that_exists(run_cli) -> None:
    run_cli.write_config(config())
    assert run_cli("pay", "card-a", "1").returncode == 0

    done = run_cli("status")

    assert done.returncode == 0 and "no ledger" not in done.stderr


# ---- 8 and 13 of the issue (done in cli.py): options on either side, help texts ------------


def test_global_options_are_accepted_after_the_command(run_cli, tmp_path) -> None:
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text(config())
    env = {"REMINDERD_CONFIG": str(tmp_path / "missing.yaml")}

    checked = run_cli("check", "-c", str(elsewhere), env=env)
    status = run_cli(
        "status", "--json", "-c", str(elsewhere), "--state-dir", str(tmp_path / "s"), env=env
    )

    assert checked.returncode == 0 and checked.stdout.startswith(f"{elsewhere}: OK")
    assert status.returncode == 0, status.stderr
    assert [loan["id"] for loan in json.loads(status.stdout)["loans"]] == ["card-a"]


def test_help_names_the_config_variable_and_each_command_has_a_description(run_cli) -> None:
    top = run_cli("--help")
    assert top.returncode == 0 and "REMINDERD_CONFIG" in top.stdout
    upcoming = run_cli("upcoming", "--help")
    assert upcoming.returncode == 0
    assert "--days" in upcoming.stdout and "30" in upcoming.stdout  # the default is said
    pay = run_cli("pay", "--help")
    assert "YYYY-MM-DD" in pay.stdout  # --on's format


# ---- receipts (issue 11, item 8): the in-process part; the kill -9 test is in reliability --


def test_pay_removes_a_leftover_temporary_copy_and_an_orphan_receipt(run_cli, tmp_path) -> None:
    run_cli.write_config(config())
    folder = run_cli.state_dir / "receipts"
    folder.mkdir(parents=True)
    (folder / ".incoming-left-by-a-kill").write_bytes(b"x" * 1000)
    orphan = folder / (("ab" * 32) + ".pdf")  # a stored name no payment refers to
    orphan.write_bytes(b"%PDF invented")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF a receipt")

    done = run_cli("pay", "card-a", "10", "--receipt", str(scan))

    assert done.returncode == 0, done.stderr
    [payment] = run_cli.json("history", "--json")
    names = sorted(os.listdir(folder))
    assert names == [payment["receipt"]["sha256"] + ".pdf"]
    assert stat.S_ISREG((folder / names[0]).stat().st_mode)


def test_check_speaks_the_configs_locale(run_cli) -> None:
    loans = (
        "  - id: card-a\n    name: 信用卡\n    plan:\n      kind: list\n      installments:\n"
        f"        - {{due: {days_from_today(-10)}, amount: 300}}\n"
        f"        - {{due: {days_from_today(20)}, amount: 300}}\n"
    )
    run_cli.write_config("locale: zh_CN\n" + config(loans=loans))

    done = run_cli("check")

    assert done.returncode == 0, done.stderr
    lines = [line.strip() for line in done.stdout.splitlines()]
    assert lines[0] == f"{run_cli.config}：没有问题"
    assert lines[4] == f"已逾期：  {days_from_today(-10)}  信用卡 1/2  未还 ¥300.00"
    assert lines[5].startswith(f"下次到期：{days_from_today(20)} 09:00 UTC  信用卡 2/2")
