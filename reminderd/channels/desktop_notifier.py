"""Desktop notifications through the ``desktop-notifier`` library (an optional extra): WinRT
toasts on Windows, ``UNUserNotificationCenter`` on macOS, D-Bus on Linux.

"Delivered" means the platform accepted the notification: the library calls
``on_dispatched`` only after the platform call returned without error (it swallows
failures and logs them), so a send whose ``on_dispatched`` did not run is a
:class:`DeliveryError`. The "Paid" and "Snooze" buttons reach the service's action handler
while :meth:`DesktopNotifierChannel.listen_actions` runs.

The library is asynchronous; the channel keeps one event loop in a background thread for
sending and for the buttons' callbacks.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable
from typing import Any

from reminderd.channels.base import DeliveryError, Message
from reminderd.messages import action_labels
from reminderd.model import DesktopSettings

logger = logging.getLogger(__name__)

APP_NAME = "reminderd"
ACTION_KEYS = ("paid", "snooze")
# Windows shows a toast title on at most two lines and plyer's balloon refused titles over
# 64 characters; macOS cuts a title at one line. Longer subjects are shortened here, and the
# whole subject opens the body so nothing is lost.
TITLE_LIMIT = 64
INSTALL_HINT = "pip install 'reminderd[desktop-notifier]'"

ActionCallback = Callable[[str, str], None]


def shorten(subject: str, body: str, limit: int = TITLE_LIMIT) -> tuple[str, str]:
    """Return ``(title, body)``: ``subject`` as is when it fits in ``limit`` characters, else
    its first ``limit - 1`` characters and "…", with the whole subject as the body's first
    line."""
    if len(subject) <= limit:
        return subject, body
    title = subject[: limit - 1].rstrip() + "…"
    return title, f"{subject}\n{body}"


def library_available() -> bool:
    """Return whether the optional ``desktop_notifier`` package can be imported."""
    try:
        import desktop_notifier  # noqa: F401
    except ImportError:
        return False
    return True


def _real_notifier() -> Any:
    from desktop_notifier import DesktopNotifier

    return DesktopNotifier(app_name=APP_NAME)


class DesktopNotifierChannel:
    """Shows each message with ``desktop-notifier``; ``notifier_factory`` (called once, on the
    channel's loop) makes the library's ``DesktopNotifier`` or an object with the same
    ``send_notification`` coroutine."""

    name = "desktop"
    backend = "desktop-notifier"
    confirmed = True
    warning: str | None = None

    def __init__(
        self,
        settings: DesktopSettings,
        *,
        locale: str = "en",
        notifier_factory: Callable[[], Any] = _real_notifier,
    ) -> None:
        self.settings = settings
        self._labels = action_labels(locale)
        self._factory = notifier_factory
        self._notifier: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._callback: ActionCallback | None = None

    # -- sending --------------------------------------------------------------------------

    def send(self, message: Message) -> None:
        """Show ``message``; raise :class:`DeliveryError` unless the platform accepted it
        within the timeout."""
        try:
            from desktop_notifier import Button, Notification, Urgency
        except ImportError:
            raise DeliveryError(
                f"desktop backend desktop-notifier is not installed: {INSTALL_HINT}",
                permanent=True,
            ) from None
        loop = self._ensure_loop()
        title, body = shorten(message.subject, message.body)
        dispatched = threading.Event()
        buttons: tuple[Any, ...] = ()
        if message.actions:
            buttons = tuple(
                Button(title=self._labels[key], on_pressed=self._pressed(message.key, key))
                for key in ACTION_KEYS
            )
        notification = Notification(
            title=title,
            message=body,
            urgency=Urgency.Critical if message.kind == "overdue" else Urgency.Normal,
            buttons=buttons,
            on_dispatched=dispatched.set,
        )
        future = asyncio.run_coroutine_threadsafe(self._send(notification), loop)
        try:
            future.result(timeout=self.settings.timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise DeliveryError("timed out waiting for the notification center") from None
        except DeliveryError:
            raise
        except Exception as error:  # noqa: BLE001 - the library raises anything; keep it short
            raise DeliveryError(f"desktop notification failed: {type(error).__name__}") from None
        if not dispatched.is_set():
            raise DeliveryError(
                "the notification center did not accept the notification "
                "(are notifications allowed for reminderd?)"
            )

    async def _send(self, notification: Any) -> None:
        if self._notifier is None:
            self._notifier = self._factory()
        await self._notifier.send_notification(notification)

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._start_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="desktop-notifier", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def close(self) -> None:
        """Stop the channel's event loop; the next send starts a new one."""
        with self._start_lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
            self._notifier = None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=2)
            loop.close()

    # -- actions ---------------------------------------------------------------------------

    def _pressed(self, key: str, action: str) -> Callable[[], None]:
        def pressed() -> None:
            callback = self._callback
            if callback is None:
                return
            try:
                callback(key, action)
            except Exception:  # noqa: BLE001 - a bad callback must not stop the notifier
                logger.exception("action callback failed for %s", key)

        return pressed

    def listen_actions(self, callback: ActionCallback, stop: threading.Event) -> None:
        """Call ``callback(message_key, action)`` for each "Paid"/"Snooze" press until
        ``stop`` is set. Blocks; the presses arrive on the channel's loop thread."""
        self._callback = callback
        try:
            stop.wait()
        finally:
            self._callback = None

    def stop_listening(self, stop: threading.Event) -> None:
        """Set ``stop`` so that ``listen_actions`` returns."""
        stop.set()
