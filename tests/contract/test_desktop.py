"""The desktop channel against a real private session bus and a recording server."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time

import pytest

from reminderd.channels import DeliveryError
from reminderd.channels.desktop import DesktopChannel, choose_backend
from reminderd.model import DesktopSettings
from tests.contract.contract import FAILING_TIMEOUT, ChannelContract, sample_message
from tests.support.dbus import NotificationServer, dbus_daemon_available, session_bus

pytestmark = pytest.mark.skipif(not dbus_daemon_available(), reason="dbus-daemon not installed")

DBUS = DesktopSettings(backend="dbus", timeout=5.0)


@pytest.fixture(scope="module")
def bus_address():
    with session_bus() as address:
        yield address


@pytest.fixture
def server(bus_address):
    with NotificationServer(bus_address) as running:
        yield running


def desktop(address: str | None, **settings) -> DesktopChannel:
    environ = {"DBUS_SESSION_BUS_ADDRESS": address} if address else {}
    return DesktopChannel(DesktopSettings(**{"backend": "dbus", **settings}), environ=environ)


class TestDesktopDbus(ChannelContract):
    @pytest.fixture
    def channel(self, server, bus_address):
        return desktop(bus_address)

    @pytest.fixture
    def delivered(self, server):
        return lambda: [(n.summary, n.body) for n in server.notifications]

    @pytest.fixture
    def failing_channel(self):
        return desktop(None, timeout=FAILING_TIMEOUT)


def test_desktop_no_session_bus_variable_raises_delivery_error():
    with pytest.raises(DeliveryError, match="DBUS_SESSION_BUS_ADDRESS is not set"):
        desktop(None).send(sample_message())


def test_desktop_bus_socket_missing_raises_delivery_error(tmp_path):
    channel = desktop(f"unix:path={tmp_path}/no-such-bus")
    with pytest.raises(DeliveryError, match="not reachable"):
        channel.send(sample_message())


def test_desktop_bus_without_notification_server_raises_delivery_error(bus_address):
    with pytest.raises(DeliveryError, match="no notification server"):
        desktop(bus_address).send(sample_message())


def test_desktop_silent_server_times_out_within_timeout(bus_address):
    with NotificationServer(bus_address, silent=True):
        started = time.monotonic()
        with pytest.raises(DeliveryError, match="timed out"):
            desktop(bus_address, timeout=1.0).send(sample_message())
        assert time.monotonic() - started < 3.0


def test_desktop_actions_offered_when_server_supports_them(server, bus_address):
    channel = DesktopChannel(
        DBUS, environ={"DBUS_SESSION_BUS_ADDRESS": bus_address}, locale="zh_CN"
    )
    channel.send(sample_message(actions=True))
    channel.send(sample_message(actions=False))
    with_actions, without = server.notifications
    assert with_actions.actions == ["paid", "已还款", "snooze", "稍后提醒"]
    assert without.actions == []
    assert with_actions.app_name == "reminderd"


def test_desktop_actions_omitted_when_server_lacks_them(bus_address):
    with NotificationServer(bus_address, capabilities=("body",)) as server:
        desktop(bus_address).send(sample_message(actions=True))
    assert server.notifications[0].actions == []


def test_desktop_body_markup_server_gets_escaped_body(bus_address):
    with NotificationServer(bus_address, capabilities=("body", "body-markup")) as server:
        desktop(bus_address).send(sample_message(body="a < b & c"))
    assert server.notifications[0].body == "a &lt; b &amp; c"


def test_desktop_overdue_is_critical_urgency(server, bus_address):
    desktop(bus_address).send(sample_message(kind="overdue"))
    assert server.notifications[0].hints["urgency"] == ("y", 2)


def listen(channel: DesktopChannel, clicks: list, clicked: threading.Event):
    """Open the listener (synchronously, as the service does) and run it in a thread."""

    def on_action(key: str, action: str) -> None:
        clicks.append((key, action))
        clicked.set()

    stop = threading.Event()
    channel.open_actions(on_action)
    listener = threading.Thread(target=channel.listen_actions, args=(on_action, stop))
    listener.start()
    return stop, listener


@pytest.mark.parametrize("click_first", [False, True], ids=["reply-first", "click-first"])
def test_desktop_listen_actions_reports_click_with_message_key(bus_address, click_first):
    # click-first: ActionInvoked reaches the listener before the Notify reply reaches the
    # sender, so the id is not known yet when the click is read; it must wait, not be lost.
    channel = desktop(bus_address)
    clicks: list[tuple[str, str]] = []
    clicked = threading.Event()
    with NotificationServer(bus_address, invoke="paid", click_first=click_first) as server:
        stop, listener = listen(channel, clicks, clicked)
        try:
            message = sample_message(actions=True)
            channel.send(message)
            assert clicked.wait(5), "ActionInvoked never reached the callback"
            # Sent on the listener's own connection: the only one the unicast click reaches.
            assert server.notifications[0].sender == channel._router.unique_name
        finally:
            channel.stop_listening(stop)
            listener.join(timeout=5)
    assert clicks == [(message.key, "paid")]
    assert not listener.is_alive()


def test_desktop_choose_backend_auto_on_windows_without_desktop_notifier_warns_plyer(monkeypatch):
    # With desktop-notifier installed, auto picks it: tests/contract/test_desktop_notifier.py
    monkeypatch.setitem(__import__("sys").modules, "desktop_notifier", None)
    backend, warning = choose_backend("auto", platform="win32")
    assert backend == "plyer"
    assert "pip install 'reminderd[desktop-notifier]'" in warning


def test_desktop_choose_backend_auto_on_linux_with_jeepney_uses_dbus():
    assert choose_backend("auto", platform="linux") == ("dbus", None)


def test_desktop_choose_backend_auto_without_jeepney_warns_unconfirmed(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "jeepney", None)
    backend, warning = choose_backend("auto", platform="linux")
    assert backend == "plyer"
    assert "cannot be confirmed" in warning
    assert "pip install 'reminderd[dbus]'" in warning


def test_desktop_plyer_backend_is_marked_unconfirmed():
    channel = DesktopChannel(DesktopSettings(backend="plyer"), environ={})
    assert channel.confirmed is False
    assert desktop("unix:path=/nonexistent").confirmed is True


# The recording server stands in for the user's notification daemon in every desktop test, so
# it is checked here against a real libnotify client (notify-send, Debian's libnotify-bin):
# what notify-send sends is recorded field for field, and a click the server emits reaches it.
needs_notify_send = pytest.mark.skipif(
    shutil.which("notify-send") is None, reason="notify-send not installed (libnotify-bin)"
)


@needs_notify_send
def test_recording_server_records_what_a_real_libnotify_client_sends(server, bus_address):
    environ = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus_address}
    done = subprocess.run(
        ["notify-send", "--app-name=probe", "--urgency=critical", "--print-id", "Due", "¥200"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [notification] = server.notifications
    assert (notification.app_name, notification.summary, notification.body) == (
        "probe",
        "Due",
        "¥200",
    )
    assert notification.hints["urgency"] == ("y", 2)  # critical, as the spec numbers it
    assert done.stdout.strip() == str(notification.id)  # the id the server answered


@needs_notify_send
def test_a_click_from_the_recording_server_reaches_a_real_libnotify_client(bus_address):
    environ = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus_address}
    with NotificationServer(bus_address, invoke="paid"):
        done = subprocess.run(
            ["notify-send", "--action=paid=Paid", "--action=snooze=Snooze", "Due", "¥200"],
            env=environ,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    # notify-send prints the name of the action the user chose: the unicast ActionInvoked
    # signal the server sends (as dunst does) is routed to the client that asked.
    assert (done.returncode, done.stdout.strip()) == (0, "paid"), done.stderr
