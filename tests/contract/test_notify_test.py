"""``notify-test`` through real channels.

``reminderd/config.py`` is not on this branch yet, so the handler is called directly with a
Context whose config is set; once the loader lands, an e2e test should run the installed
``reminderd notify-test`` as a subprocess against a config file.
"""

from __future__ import annotations

import argparse
import io
import ssl
import sys
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import trustme

from reminderd.channels.commands import notify_test
from reminderd.context import Context
from reminderd.errors import UserError
from reminderd.model import (
    CalendarSettings,
    Channels,
    CommandSettings,
    Config,
    DesktopSettings,
    EmailSettings,
    Reminders,
    Secret,
)
from tests.support.dbus import NotificationServer, dbus_daemon_available, session_bus
from tests.support.smtp import PASSWORD, USER, smtp_server

RECORDER = "import os, sys; open(sys.argv[1], 'a').write(os.environ['REMINDERD_SUBJECT'] + '\\n')\n"


@pytest.fixture(scope="module")
def tls():
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    return authority, context


@pytest.fixture
def ca_file(tls, tmp_path):
    path = tmp_path / "ca.pem"
    tls[0].cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def smtp(tls):
    with smtp_server(mode="starttls", server_context=tls[1]) as server:
        yield server


@pytest.fixture
def command(tmp_path):
    script = tmp_path / "record.py"
    script.write_text(RECORDER)
    out = tmp_path / "subjects.txt"
    return CommandSettings(argv=(sys.executable, str(script), str(out)), timeout=10), out


def make_config(channels: Channels, locale: str = "zh_CN") -> Config:
    return Config(
        source=Path("/nonexistent/config.yaml"),
        timezone=ZoneInfo("Asia/Shanghai"),
        locale=locale,
        currency="CNY",
        reminders=Reminders(before=(), time=time(9), overdue_every=None, channels=()),
        channels=channels,
        calendar=CalendarSettings(path=Path("/nonexistent/cal.ics")),
        budget_monthly=None,
        loans=(),
    )


def run(channels: Channels, channel: str | None = None) -> tuple[int, list[str]]:
    out = io.StringIO()
    context = Context(out=out, err=io.StringIO(), _config=make_config(channels))
    status = notify_test(argparse.Namespace(channel=channel), context)
    return status, out.getvalue().splitlines()


def email_settings(server, **changes) -> EmailSettings:
    fields = {
        "host": server.host,
        "port": server.port,
        "security": "starttls",
        "sender": "me@example.test",
        "to": ("me@example.test",),
        "username": USER,
        "password": Secret(env="NOTIFY_TEST_SMTP_PW"),
        "timeout": 5.0,
    }
    fields.update(changes)
    return EmailSettings(**fields)


@pytest.fixture(autouse=True)
def smtp_password(monkeypatch):
    monkeypatch.setenv("NOTIFY_TEST_SMTP_PW", PASSWORD)


def test_notify_test_all_channels_working_prints_ok_and_exits_0(smtp, ca_file, command):
    settings, out = command
    status, lines = run(Channels(email=email_settings(smtp, ca_file=ca_file), command=settings))
    assert lines == ["email：成功", "command：成功"]  # the config is zh_CN
    assert status == 0
    assert out.read_text("utf-8").splitlines() == ["reminderd 测试消息"]
    assert str(smtp.recorder.messages[0]["Subject"]) == "reminderd 测试消息"


def test_notify_test_failing_email_prints_reason_exits_1_no_password(smtp, command):
    settings, out = command
    status, lines = run(Channels(email=email_settings(smtp), command=settings))
    assert status == 1
    assert lines[0].startswith("email：失败：certificate verify failed")
    assert lines[1] == "command：成功"
    assert all(PASSWORD not in line for line in lines)


def test_notify_test_channel_option_sends_only_that_channel(smtp, ca_file, command):
    settings, out = command
    status, lines = run(
        Channels(email=email_settings(smtp, ca_file=ca_file), command=settings), "command"
    )
    assert (status, lines) == (0, ["command：成功"])
    assert smtp.recorder.messages == []


def test_notify_test_unconfigured_channel_is_usage_error(command):
    with pytest.raises(UserError, match="没有配置渠道 'email'") as raised:
        run(Channels(command=command[0]), "email")
    assert raised.value.exit_code == 2


def test_notify_test_no_channels_is_usage_error():
    with pytest.raises(UserError) as raised:
        run(Channels())
    assert raised.value.exit_code == 2


@pytest.mark.skipif(not dbus_daemon_available(), reason="dbus-daemon not installed")
def test_notify_test_desktop_without_server_fails_with_server_ok(monkeypatch):
    desktop = Channels(desktop=DesktopSettings(backend="dbus", timeout=3))
    with session_bus() as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        assert run(desktop) == (
            1,
            ["desktop：失败：会话总线上没有运行任何通知服务"],
        )
        with NotificationServer(address) as server:
            assert run(desktop) == (0, ["desktop：成功"])
        assert server.notifications[0].summary == "reminderd 测试消息"
