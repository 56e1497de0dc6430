"""The command channel running small real scripts."""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

from reminderd.channels import DeliveryError
from reminderd.channels.command import CommandChannel
from reminderd.model import CommandSettings
from tests.contract.contract import FAILING_TIMEOUT, ChannelContract, sample_message

RECORDER = textwrap.dedent(
    """
    import json, os, sys
    record = {name: value for name, value in os.environ.items()}
    record["stdin"] = sys.stdin.buffer.read().decode("utf-8")
    with open(sys.argv[1], "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\\n")
    """
)

FAILING = textwrap.dedent(
    """
    import sys
    sys.stderr.write("first problem\\nnotifier: token expired\\n\\n")
    sys.exit(3)
    """
)

SLEEPING = "import time; time.sleep(30)\n"


@pytest.fixture
def script(tmp_path):
    def write(source: str) -> str:
        path = tmp_path / f"script{len(list(tmp_path.iterdir()))}.py"
        path.write_text(source)
        return str(path)

    return write


@pytest.fixture
def record_file(tmp_path):
    return tmp_path / "records.jsonl"


def records(record_file):
    if not record_file.exists():
        return []
    return [json.loads(line) for line in record_file.read_text("utf-8").splitlines()]


class TestCommandChannel(ChannelContract):
    @pytest.fixture
    def channel(self, script, record_file):
        argv = (sys.executable, script(RECORDER), str(record_file))
        return CommandChannel(CommandSettings(argv=argv, timeout=10), environ={"PATH": "/usr/bin"})

    @pytest.fixture
    def delivered(self, record_file):
        return lambda: [
            (record["REMINDERD_SUBJECT"], record["REMINDERD_BODY"])
            for record in records(record_file)
        ]

    @pytest.fixture
    def failing_channel(self, script):
        argv = (sys.executable, script(SLEEPING))
        return CommandChannel(CommandSettings(argv=argv, timeout=FAILING_TIMEOUT), environ={})


def test_command_environment_has_details_and_no_secrets(script, record_file):
    environ = {
        "PATH": "/usr/bin",
        "SMTP_PW": "hunter2",
        "APPRISE_URLS": "tgram://token",
        "CREDENTIALS_DIRECTORY": "/run/credentials/reminderd.service",
        "REMINDERD_BODY": "stale value from the parent",
        "HOME": "/home/someone",
    }
    argv = (sys.executable, script(RECORDER), str(record_file))
    channel = CommandChannel(
        CommandSettings(argv=argv), environ=environ, withhold={"SMTP_PW", "APPRISE_URLS"}
    )
    message = sample_message(kind="overdue")
    channel.send(message)
    (record,) = records(record_file)
    assert record["REMINDERD_KIND"] == "overdue"
    assert record["REMINDERD_KEY"] == message.key
    assert record["REMINDERD_LOAN"] == "wallet-a"
    assert record["REMINDERD_BODY"] == message.body
    assert record["stdin"] == message.body
    assert record["HOME"] == "/home/someone"
    for hidden in ("SMTP_PW", "APPRISE_URLS", "CREDENTIALS_DIRECTORY"):
        assert hidden not in record


def test_command_built_from_a_config_never_sees_the_other_channels_secrets(
    script, record_file, tmp_path
):
    # The channels as the service builds them from a config: the e-mail password comes from
    # MAIL_PW and the apprise URLs (tokens) from PUSH_URLS; the command program gets the
    # environment without either (the variable names are the config's own, not fixed ones).
    from reminderd.channels import build_channels
    from reminderd.config import parse

    argv = [sys.executable, script(RECORDER), str(record_file)]
    loaded = parse(
        (
            "channels:\n"
            "  email: {host: smtp.example.com, from: me@example.com, to: me@example.com,\n"
            "          username: me, password_env: MAIL_PW}\n"
            "  apprise: {urls_env: PUSH_URLS}\n"
            f"  command: {{argv: {json.dumps(argv)}}}\n"
            "loans:\n  - {id: a, name: A, plan: {kind: once, due: 2030-01-15, amount: 1}}\n"
        ).encode(),
        tmp_path / "config.yaml",
    )
    environ = {
        "PATH": "/usr/bin",
        "HOME": "/home/someone",
        "MAIL_PW": "invented-password",
        "PUSH_URLS": "json://127.0.0.1:9/invented-token",
    }
    channels = build_channels(loaded.channels, environ=environ, locale="en")
    channels["command"].send(sample_message())
    (record,) = records(record_file)
    assert record["HOME"] == "/home/someone"
    assert "MAIL_PW" not in record
    assert "PUSH_URLS" not in record


def test_command_nonzero_exit_reports_status_and_last_stderr_line(script):
    channel = CommandChannel(CommandSettings(argv=(sys.executable, script(FAILING))), environ={})
    with pytest.raises(DeliveryError, match=r"exited with status 3: notifier: token expired$"):
        channel.send(sample_message())


def test_command_killed_by_a_signal_is_not_delivered(script):
    # A program that dies by a signal (here it sends itself SIGKILL, 9) never said "done":
    # a failure naming the signal, so the reminder is retried, never logged as sent.
    killed = "import os, signal, sys\nsys.stderr.write('sending\\n')\nos.kill(os.getpid(), 9)\n"
    channel = CommandChannel(CommandSettings(argv=(sys.executable, script(killed))), environ={})
    with pytest.raises(DeliveryError, match=r"signal 9: sending$"):
        channel.send(sample_message())


def test_command_timeout_reports_timed_out(script):
    argv = (sys.executable, script(SLEEPING))
    channel = CommandChannel(CommandSettings(argv=argv, timeout=0.5), environ={})
    with pytest.raises(DeliveryError, match="timed out after 0.5s"):
        channel.send(sample_message())


def test_command_missing_program_is_permanent_failure(tmp_path):
    channel = CommandChannel(CommandSettings(argv=(str(tmp_path / "nope"),)), environ={})
    with pytest.raises(DeliveryError, match="command not found") as raised:
        channel.send(sample_message())
    assert raised.value.permanent
