"""The desktop-notifier backend (macOS, Windows) against a fake of the library's
``DesktopNotifier``: the same ``send_notification`` coroutine, fed the library's real
``Notification`` and ``Button`` objects, and behaving as the library does (a platform refusal
is swallowed and logged; ``on_dispatched`` runs only when the platform accepted).

No real notification center runs here: WinRT and UNUserNotificationCenter exist only on a real
PC or Mac, and the library's Linux backend would be a second D-Bus path beside ours.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import threading

import desktop_notifier
import pytest

from reminderd.channels import DeliveryError, build_channels
from reminderd.channels.desktop import choose_backend
from reminderd.channels.desktop_notifier import DesktopNotifierChannel, shorten
from reminderd.model import Channels, DesktopSettings
from tests.contract.contract import FAILING_TIMEOUT, ChannelContract, sample_message
from tests.support.service import wait_for


class FakeNotifier:
    """What ``desktop_notifier.DesktopNotifier`` does, without a platform behind it.

    ``mode``: ``accept`` (the platform took it), ``refuse`` (the platform raised; the library
    logs and returns the identifier anyway), ``hang`` (the platform never answers).
    """

    def __init__(self, mode: str = "accept") -> None:
        self.mode = mode
        self.shown: list[desktop_notifier.Notification] = []
        self.loop: asyncio.AbstractEventLoop | None = None

    async def send_notification(self, notification: desktop_notifier.Notification) -> str:
        self.loop = asyncio.get_running_loop()
        if self.mode == "hang":
            await asyncio.sleep(3600)
        if self.mode == "accept":
            self.shown.append(notification)
            if notification.on_dispatched:
                notification.on_dispatched()
        return notification.identifier

    def press(self, index: int, button: int) -> None:
        """The user presses a button: the library runs its callback on its loop."""
        assert self.loop is not None
        self.loop.call_soon_threadsafe(self.shown[index].buttons[button].on_pressed)


def channel_with(fake: FakeNotifier, **settings: object) -> DesktopNotifierChannel:
    settings = {"backend": "desktop-notifier", **settings}
    return DesktopNotifierChannel(DesktopSettings(**settings), notifier_factory=lambda: fake)


class TestDesktopNotifierChannel(ChannelContract):
    @pytest.fixture
    def fake(self):
        return FakeNotifier()

    @pytest.fixture
    def channel(self, fake):
        channel = channel_with(fake)
        yield channel
        channel.close()

    @pytest.fixture
    def delivered(self, fake):
        return lambda: [(shown.title, shown.message) for shown in fake.shown]

    @pytest.fixture
    def failing_channel(self):
        channel = channel_with(FakeNotifier("hang"), timeout=FAILING_TIMEOUT)
        yield channel
        channel.close()


def test_desktop_notifier_fake_has_the_library_send_notification_signature():
    real = inspect.signature(desktop_notifier.DesktopNotifier.send_notification)
    fake = inspect.signature(FakeNotifier.send_notification)
    assert list(real.parameters) == list(fake.parameters) == ["self", "notification"]
    assert inspect.iscoroutinefunction(desktop_notifier.DesktopNotifier.send_notification)


def test_desktop_notifier_refused_by_platform_raises_and_nothing_counts_as_delivered():
    fake = FakeNotifier("refuse")
    channel = channel_with(fake)
    try:
        with pytest.raises(DeliveryError, match="did not accept"):
            channel.send(sample_message())
    finally:
        channel.close()
    assert fake.shown == []


def test_desktop_notifier_accepted_sends_the_library_notification_type():
    fake = FakeNotifier()
    channel = channel_with(fake)
    try:
        channel.send(sample_message(kind="overdue"))
    finally:
        channel.close()
    (shown,) = fake.shown
    assert isinstance(shown, desktop_notifier.Notification)
    assert shown.urgency == desktop_notifier.Urgency.Critical
    assert shown.buttons == ()  # no actions asked for, no buttons


def test_desktop_notifier_paid_and_snooze_presses_reach_the_action_handler():
    fake = FakeNotifier()
    channel = channel_with(fake)
    pressed: list[tuple[str, str]] = []
    two = threading.Semaphore(0)

    def on_action(key: str, action: str) -> None:
        pressed.append((key, action))
        two.release()

    stop = threading.Event()
    listener = threading.Thread(target=channel.listen_actions, args=(on_action, stop))
    listener.start()
    try:
        message = sample_message(actions=True)
        channel.send(message)
        (shown,) = fake.shown
        assert [button.title for button in shown.buttons] == ["Paid", "Snooze"]
        assert all(isinstance(b, desktop_notifier.Button) for b in shown.buttons)
        # The listener may still be starting; presses before it listens are dropped, so
        # wait until it holds the callback.
        assert wait_for(lambda: channel._callback is not None, timeout=5)
        fake.press(0, 0)
        assert two.acquire(timeout=5)
        fake.press(0, 1)
        assert two.acquire(timeout=5)
    finally:
        channel.stop_listening(stop)
        listener.join(timeout=5)
        channel.close()
    assert pressed == [(message.key, "paid"), (message.key, "snooze")]
    assert not listener.is_alive()


def test_desktop_notifier_buttons_are_labelled_in_chinese_for_zh_cn():
    fake = FakeNotifier()
    channel = DesktopNotifierChannel(
        DesktopSettings(backend="desktop-notifier"), locale="zh_CN", notifier_factory=lambda: fake
    )
    try:
        channel.send(sample_message(actions=True))
    finally:
        channel.close()
    assert [button.title for button in fake.shown[0].buttons] == ["已还款", "稍后提醒"]


def test_desktop_notifier_long_title_is_shortened_with_the_whole_subject_in_the_body():
    fake = FakeNotifier()
    channel = channel_with(fake)
    subject = "Repayment reminder: " + "a" * 80  # 20 + 80 = 100 characters
    try:
        channel.send(sample_message(subject=subject, body="Due on Friday.\n"))
    finally:
        channel.close()
    (shown,) = fake.shown
    # 63 characters of the subject (20 + 43 a's) and an ellipsis: 64 in all.
    assert shown.title == "Repayment reminder: " + "a" * 43 + "…"
    assert len(shown.title) == 64
    assert shown.message == subject + "\nDue on Friday.\n"


def test_desktop_notifier_shorten_keeps_a_title_of_exactly_the_limit():
    assert shorten("x" * 64, "body") == ("x" * 64, "body")
    assert shorten("x" * 65, "body") == ("x" * 63 + "…", "x" * 65 + "\nbody")


def test_desktop_notifier_missing_library_is_a_permanent_error_with_the_install_hint(
    monkeypatch,
):
    monkeypatch.setitem(sys.modules, "desktop_notifier", None)
    channel = channel_with(FakeNotifier())
    with pytest.raises(DeliveryError, match=r"reminderd\[desktop-notifier\]") as raised:
        channel.send(sample_message())
    assert raised.value.permanent


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_desktop_choose_backend_auto_on_macos_and_windows_uses_desktop_notifier(platform):
    assert choose_backend("auto", platform=platform) == ("desktop-notifier", None)


def test_desktop_choose_backend_plyer_stays_selectable_on_windows():
    assert choose_backend("plyer", platform="win32") == ("plyer", None)


def test_build_channels_with_desktop_notifier_backend_builds_that_channel():
    channels = Channels(desktop=DesktopSettings(backend="desktop-notifier"))
    built = build_channels(channels, environ={}, locale="en")
    assert isinstance(built["desktop"], DesktopNotifierChannel)
    assert built["desktop"].confirmed
