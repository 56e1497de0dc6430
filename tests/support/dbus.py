"""A real, private D-Bus session bus and a recording notification server for tests.

``session_bus()`` starts ``dbus-daemon`` with a minimal config (no service activation, so
an absent notification server really is absent) and yields its address.
``NotificationServer`` owns ``org.freedesktop.Notifications`` on that bus in a thread,
records every ``Notify`` call and answers ``GetCapabilities`` / ``GetServerInformation``.
"""

from __future__ import annotations

import itertools
import select
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from jeepney import DBusAddress, HeaderFields, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

INTERFACE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={directory}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def dbus_daemon_available() -> bool:
    return shutil.which("dbus-daemon") is not None


@contextmanager
def session_bus() -> Iterator[str]:
    """Run a private session bus for the ``with`` block; yield its address."""
    with tempfile.TemporaryDirectory(prefix="reminderd-bus-") as directory:
        config = Path(directory) / "session.conf"
        config.write_text(_CONFIG.format(directory=directory))
        daemon = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--print-address", "--nofork"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            ready, _, _ = select.select([daemon.stdout], [], [], 10)
            if not ready:
                raise RuntimeError("dbus-daemon did not print its address within 10s")
            address = daemon.stdout.readline().decode().strip()
            if not address:
                raise RuntimeError(f"dbus-daemon failed: {daemon.stderr.read().decode()}")
            yield address
        finally:
            daemon.terminate()
            daemon.wait(timeout=10)
            daemon.stdout.close()
            daemon.stderr.close()


@dataclass
class Notification:
    app_name: str
    replaces_id: int
    icon: str
    summary: str
    body: str
    actions: list[str]
    hints: dict
    expire_timeout: int
    sender: str
    id: int = 0


class NotificationServer:
    """Owns ``org.freedesktop.Notifications`` on ``address`` in a thread, recording calls.

    ``capabilities`` is what ``GetCapabilities`` answers. ``invoke`` (an action key) makes
    the server emit ``ActionInvoked`` for each notification that offers that action, sent
    only to the notification's sender (a unicast signal: its destination is the sender, so
    the bus routes it to that connection alone), as strict servers such as dunst do. With
    ``click_first`` the signal goes out *before* the ``Notify`` reply, the order a user's
    instant click can produce. ``click(index, action)`` clicks a recorded notification later,
    as a user does. ``silent`` owns the name and never answers, to test timeouts.
    """

    def __init__(
        self,
        address: str,
        *,
        capabilities: tuple[str, ...] = ("body", "actions"),
        invoke: str | None = None,
        silent: bool = False,
        click_first: bool = False,
    ) -> None:
        self.address = address
        self.capabilities = list(capabilities)
        self.invoke = invoke
        self.silent = silent
        self.click_first = click_first
        self.notifications: list[Notification] = []
        self._clicks: list[tuple[int, str]] = []
        self._clicks_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._error: BaseException | None = None

    def __enter__(self) -> NotificationServer:
        self._thread.start()
        if not self._ready.wait(10) or self._error:
            raise RuntimeError(f"notification server did not start: {self._error!r}")
        return self

    def click(self, index: int, action: str) -> None:
        """Emit ``ActionInvoked`` for ``notifications[index]`` (to its sender only)."""
        with self._clicks_lock:
            self._clicks.append((index, action))

    def _action_signal(self, notification: Notification, action: str):  # noqa: ANN202
        signal = new_signal(
            DBusAddress(PATH, interface=INTERFACE), "ActionInvoked", "us", (notification.id, action)
        )
        signal.header.fields[HeaderFields.destination] = notification.sender  # unicast
        return signal

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _serve(self) -> None:
        try:
            connection = open_dbus_connection(bus=self.address)
        except BaseException as error:
            self._error = error
            self._ready.set()
            return
        with connection:
            reply = connection.send_and_get_reply(message_bus.RequestName(INTERFACE), timeout=5)
            assert reply.body[0] == 1, f"could not own {INTERFACE}: {reply.body}"
            self._ready.set()
            while not self._stop.is_set():
                with self._clicks_lock:
                    clicks, self._clicks = self._clicks, []
                for index, action in clicks:
                    connection.send(self._action_signal(self.notifications[index], action))
                try:
                    message = connection.receive(timeout=0.1)
                except TimeoutError:
                    continue
                if message.header.message_type != MessageType.method_call or self.silent:
                    continue
                for answer in self._answer(message):
                    connection.send(answer)

    def _answer(self, message):  # noqa: ANN202 - yields jeepney messages
        member = message.header.fields.get(HeaderFields.member)
        sender = message.header.fields.get(HeaderFields.sender)
        if member == "GetCapabilities":
            yield new_method_return(message, "as", (self.capabilities,))
        elif member == "GetServerInformation":
            yield new_method_return(message, "ssss", ("recorder", "reminderd-tests", "1", "1.2"))
        elif member == "Notify":
            notification_id = next(self._ids)
            notification = Notification(*message.body, sender=sender, id=notification_id)
            self.notifications.append(notification)
            reply = new_method_return(message, "u", (notification_id,))
            if not self.click_first:
                yield reply
            if self.invoke and self.invoke in notification.actions[::2]:
                yield self._action_signal(notification, self.invoke)
            if self.click_first:
                yield reply
        elif member == "CloseNotification":
            yield new_method_return(message)
            # A real server then says the notification is gone (reason 3: closed by a call);
            # libnotify clients such as notify-send wait for that signal before they exit.
            closed = new_signal(
                DBusAddress(PATH, interface=INTERFACE),
                "NotificationClosed",
                "uu",
                (message.body[0], 3),
            )
            closed.header.fields[HeaderFields.destination] = sender
            yield closed
        else:
            yield new_error(message, "org.freedesktop.DBus.Error.UnknownMethod")
