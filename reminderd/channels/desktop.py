"""Desktop notifications, reported honestly.

On Linux the channel speaks to ``org.freedesktop.Notifications`` on the session bus itself
(with ``jeepney``), so "delivered" means the notification server answered ``Notify`` with an
id: no session bus, an unreachable bus or no notification server is a :class:`DeliveryError`.
Elsewhere, or with ``backend: plyer``, it hands the message to plyer, which cannot say whether
anything was shown: such a channel has ``confirmed = False`` and ``notify-test`` says so.
"""

from __future__ import annotations

import html
import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from reminderd.channels.base import DeliveryError, Message, run_bounded
from reminderd.messages import action_labels
from reminderd.model import DesktopSettings

if TYPE_CHECKING:
    from jeepney import Message as BusMessage

logger = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
APP_NAME = "reminderd"
ACTION_KEYS = ("paid", "snooze")
_REMEMBERED_IDS = 512
_PENDING_CLICKS = 64  # clicks whose notification id is not known yet (its reply is on its way)

ActionCallback = Callable[[str, str], None]


def jeepney_available() -> bool:
    """Return whether the optional ``jeepney`` package can be imported."""
    try:
        import jeepney  # noqa: F401
    except ImportError:
        return False
    return True


def choose_backend(backend: str, *, platform: str = sys.platform) -> tuple[str, str | None]:
    """Return ``(backend, warning)``: ``dbus`` or ``plyer``, and why delivery is unconfirmed.

    ``auto`` picks D-Bus on Linux and the BSDs when jeepney is installed, else plyer.
    """
    if backend in ("dbus", "plyer", "desktop-notifier"):
        return backend, None
    if platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        if jeepney_available():
            return "dbus", None
        return "plyer", (
            "jeepney is not installed, so desktop notifications go through plyer and their "
            "delivery cannot be confirmed; install it with: pip install 'reminderd[dbus]'"
        )
    # macOS and Windows: desktop-notifier confirms delivery and has buttons (SPEC §11).
    from reminderd.channels.desktop_notifier import INSTALL_HINT, library_available

    if library_available():
        return "desktop-notifier", None
    return "plyer", (
        "desktop-notifier is not installed, so desktop notifications go through plyer and "
        f"their delivery cannot be confirmed; install it with: {INSTALL_HINT}"
    )


class DesktopChannel:
    """Shows each message as a desktop notification."""

    name = "desktop"

    def __init__(
        self, settings: DesktopSettings, *, environ: Mapping[str, str], locale: str = "en"
    ) -> None:
        self.settings = settings
        self._environ = dict(environ)
        self._labels = action_labels(locale)
        self.backend, self.warning = choose_backend(settings.backend)
        if self.warning:
            logger.warning("%s", self.warning)
        # True when a successful send means the notification server accepted the message.
        self.confirmed = self.backend == "dbus"
        self._keys: OrderedDict[int, str] = OrderedDict()
        # A click can reach the listener before the Notify reply reaches the sender: it waits
        # here, and the sender dispatches it once it learns the id (never dropped).
        self._pending: OrderedDict[int, str] = OrderedDict()
        self._keys_lock = threading.Lock()
        self._router: Any = None  # the listener's connection, while it listens
        self._callback: ActionCallback | None = None
        self._listening = threading.Event()  # set once the listener's connection exists
        self._listener: tuple[Any, Any, Any] | None = None  # (connection, router, queue)

    # -- sending --------------------------------------------------------------------------

    def send(self, message: Message) -> None:
        """Show ``message``; raise :class:`DeliveryError` when it was not accepted in time."""
        if self.backend == "plyer":
            self._send_plyer(message)
        else:
            self._send_dbus(message)

    def close(self) -> None:
        """Nothing stays open between sends; a running listener stops on its own event."""

    def _address(self) -> str:
        address = self._environ.get("DBUS_SESSION_BUS_ADDRESS")
        if not address:
            raise DeliveryError.said("deliver.no_session")
        return address

    def _send_dbus(self, message: Message) -> None:
        if not jeepney_available():
            raise DeliveryError(
                "desktop backend dbus needs jeepney: pip install 'reminderd[dbus]'",
                permanent=True,
            )
        address = self._address()
        timeout = self.settings.timeout
        deadline = time.monotonic() + timeout
        router = self._router
        if router is not None and message.actions:
            # Sent on the listener's connection so that servers which send ActionInvoked
            # only to the notification's sender still reach us.
            try:
                self._notify(
                    lambda msg, limit: router.send_and_get_reply(msg, timeout=limit),
                    message,
                    deadline,
                )
            except Exception as error:  # noqa: BLE001 - every failure becomes a short reason
                raise _bus_error(error, address) from None
            return
        holder: list[Any] = []

        def attempt() -> None:
            from jeepney.io.blocking import open_dbus_connection

            connection = open_dbus_connection(bus=address, auth_timeout=timeout)
            holder.append(connection)
            with connection:
                self._notify(
                    lambda msg, limit: connection.send_and_get_reply(msg, timeout=limit),
                    message,
                    deadline,
                )

        try:
            run_bounded(attempt, timeout, "desktop notification")
        except DeliveryError:
            for connection in holder:
                connection.close()  # unblocks the abandoned thread
            raise
        except Exception as error:  # noqa: BLE001 - every failure becomes a short reason
            raise _bus_error(error, address) from None

    def _notify(
        self,
        call: Callable[[BusMessage, float], BusMessage],
        message: Message,
        deadline: float,
    ) -> None:
        from jeepney import DBusAddress, new_method_call
        from jeepney.wrappers import unwrap_msg

        target = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=INTERFACE)

        def remaining() -> float:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            return left

        capabilities = unwrap_msg(call(new_method_call(target, "GetCapabilities"), remaining()))
        capabilities = set(capabilities[0])
        body = message.body
        if "body-markup" in capabilities:
            body = html.escape(body, quote=False)
        actions: list[str] = []
        if message.actions and "actions" in capabilities:
            for key in ACTION_KEYS:
                actions += [key, self._labels[key]]
        urgency = 2 if message.kind == "overdue" else 1
        hints = {"urgency": ("y", urgency), "desktop-entry": ("s", APP_NAME)}
        request = new_method_call(
            target,
            "Notify",
            "susssasa{sv}i",
            (APP_NAME, 0, "", message.subject, body, actions, hints, -1),
        )
        (notification_id,) = unwrap_msg(call(request, remaining()))
        if not notification_id:
            raise DeliveryError("the notification server did not return a notification id")
        if actions:
            self._remember(notification_id, message.key)

    def _remember(self, notification_id: int, key: str) -> None:
        """Map a notification id to its message key; dispatch a click that came first."""
        with self._keys_lock:
            self._keys[notification_id] = key
            while len(self._keys) > _REMEMBERED_IDS:
                self._keys.popitem(last=False)
            early = self._pending.pop(notification_id, None)
            callback = self._callback
        if early is not None and callback is not None:
            self._call(callback, key, early)

    def _send_plyer(self, message: Message) -> None:
        def notify() -> None:
            from plyer import notification

            notification.notify(
                title=message.subject,
                message=message.body,
                app_name=APP_NAME,
                timeout=max(1, int(self.settings.timeout)),
            )

        try:
            run_bounded(notify, self.settings.timeout, "desktop notification")
        except DeliveryError:
            raise
        except ImportError:
            raise DeliveryError("plyer is not installed", permanent=True) from None
        except NotImplementedError:
            raise DeliveryError(
                "no desktop notification support on this system", permanent=True
            ) from None
        except Exception as error:  # noqa: BLE001 - plyer raises anything; report it short
            raise DeliveryError(f"desktop notification failed: {type(error).__name__}") from None

    # -- actions ---------------------------------------------------------------------------

    def open_actions(self, callback: ActionCallback) -> None:
        """Open the listener's connection and subscribe to ``ActionInvoked``, now.

        From then on, notifications that offer actions are sent on this connection (servers
        send ``ActionInvoked`` only to a notification's sender), so call it before the first
        one is sent. Raises :class:`DeliveryError` when the session bus cannot be reached (or
        the backend is not D-Bus). :meth:`listen_actions` then handles the clicks.
        """
        if self.backend != "dbus" or not jeepney_available():
            raise DeliveryError("actions need the dbus desktop backend (jeepney)")
        address = self._address()
        from queue import Queue

        from jeepney import MatchRule
        from jeepney.bus_messages import message_bus
        from jeepney.io.threading import DBusRouter, Proxy, open_dbus_connection

        try:
            connection = open_dbus_connection(bus=address, auth_timeout=self.settings.timeout)
        except Exception as error:  # noqa: BLE001
            raise _bus_error(error, address) from None
        router = DBusRouter(connection)
        rule = MatchRule(
            type="signal", interface=INTERFACE, member="ActionInvoked", path=OBJECT_PATH
        )
        try:
            Proxy(message_bus, router, timeout=self.settings.timeout).AddMatch(rule)
            queue: Queue[Any] = Queue(maxsize=64)
            router.filter(rule, queue=queue)
        except Exception as error:  # noqa: BLE001
            router.close()
            connection.close()
            raise _bus_error(error, address) from None
        with self._keys_lock:
            self._callback = callback
        self._listener = (connection, router, queue)
        self._router = router
        self._listening.set()

    def listen_actions(self, callback: ActionCallback, stop: threading.Event) -> None:
        """Call ``callback(message_key, action)`` for each "Paid"/"Snooze" click until ``stop``.

        Blocks: run it in a thread of the service. Opens the connection first unless
        :meth:`open_actions` did. Raises :class:`DeliveryError` when the session bus cannot
        be reached; a callback's exception is logged and listening goes on.
        """
        if self._listener is None:
            self.open_actions(callback)
        assert self._listener is not None  # noqa: S101 - open_actions set it or raised
        connection, router, queue = self._listener
        try:
            # Block without a timeout: idle means idle. ``stop_listening`` wakes us.
            while not stop.is_set():
                signal = queue.get()
                if signal is None:
                    continue
                self._dispatch_action(signal.body, callback)
        finally:
            self._listening.clear()
            self._router = None
            self._listener = None
            with self._keys_lock:
                self._callback = None
            router.close()
            connection.close()

    def stop_listening(self, stop: threading.Event) -> None:
        """Set ``stop`` and wake ``listen_actions`` so that it returns."""
        stop.set()
        listener = self._listener
        if listener is not None:
            listener[2].put(None)

    def _dispatch_action(self, body: tuple[Any, ...], callback: ActionCallback) -> None:
        notification_id, action = body
        if action not in ACTION_KEYS:
            return
        with self._keys_lock:
            key = self._keys.get(notification_id)
            if key is None:
                # Its Notify reply has not been read yet (or it is not ours): keep it for
                # ``_remember``, bounded, so a stranger's clicks cannot pile up.
                self._pending[notification_id] = action
                while len(self._pending) > _PENDING_CLICKS:
                    self._pending.popitem(last=False)
                return
        self._call(callback, key, action)

    @staticmethod
    def _call(callback: ActionCallback, key: str, action: str) -> None:
        try:
            callback(key, action)
        except Exception:  # noqa: BLE001 - a bad callback must not stop the listener
            logger.exception("action callback failed for %s", key)


def _bus_error(error: BaseException, address: str) -> DeliveryError:
    """Map jeepney and socket errors to a short reason."""
    from jeepney.wrappers import DBusErrorResponse

    if isinstance(error, DeliveryError):
        return error
    if isinstance(error, DBusErrorResponse):
        if error.name == "org.freedesktop.DBus.Error.ServiceUnknown":
            return DeliveryError.said("deliver.no_server")
        if error.name == "org.freedesktop.DBus.Error.NoReply":
            return DeliveryError.said("deliver.no_answer")
        return DeliveryError.said("deliver.refused", name=error.name)
    if isinstance(error, TimeoutError):
        return DeliveryError.said("deliver.bus_timeout")
    if isinstance(error, (FileNotFoundError, ConnectionRefusedError)):
        return DeliveryError.said("deliver.bus_unreachable_at", address=address)
    if isinstance(error, ConnectionError):
        return DeliveryError.said("deliver.bus_closed")
    if isinstance(error, OSError):
        reason = error.strerror or error
        return DeliveryError.said("deliver.bus_unreachable", reason=reason)
    if isinstance(error, (RuntimeError, ValueError, KeyError)):
        # jeepney raises these for addresses it cannot parse or transports it lacks
        return DeliveryError(f"unusable DBUS_SESSION_BUS_ADDRESS: {error}")
    return DeliveryError(f"desktop notification failed: {type(error).__name__}")
