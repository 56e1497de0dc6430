"""Delivery channels: desktop, e-mail, a command, apprise, and an in-memory one.

:func:`build_channels` turns the config's ``channels:`` block into ready :class:`Channel`
objects. Backends are imported only here, on demand, so ``reminderd --help`` stays fast and
optional dependencies stay optional.
"""

from __future__ import annotations

from collections.abc import Mapping

from reminderd.channels.base import (
    Channel,
    DeliveryError,
    Message,
    UnavailableChannel,
)
from reminderd.model import Channels

__all__ = [
    "Channel",
    "DeliveryError",
    "Message",
    "UnavailableChannel",
    "build_channels",
    "secret_environment_names",
]


def secret_environment_names(channels: Channels) -> set[str]:
    """Return the names of environment variables that hold secrets of ``channels``."""
    names: set[str] = set()
    if channels.email and channels.email.password.env:
        names.add(channels.email.password.env)
    if channels.apprise and channels.apprise.urls_env:
        names.add(channels.apprise.urls_env)
    return names


def build_channels(
    channels: Channels, *, environ: Mapping[str, str], locale: str
) -> dict[str, Channel]:
    """Return one channel per configured name, in :meth:`Channels.names` order.

    A channel whose optional dependency is missing is built as an
    :class:`UnavailableChannel` whose sends fail with the install hint, so the other
    channels keep working and the failure shows in ``notify-test`` and the delivery log.
    """
    built: dict[str, Channel] = {}
    if channels.desktop:
        from reminderd.channels.desktop import DesktopChannel, choose_backend

        if choose_backend(channels.desktop.backend)[0] == "desktop-notifier":
            from reminderd.channels.desktop_notifier import DesktopNotifierChannel

            built["desktop"] = DesktopNotifierChannel(channels.desktop, locale=locale)
        else:
            built["desktop"] = DesktopChannel(channels.desktop, environ=environ, locale=locale)
    if channels.email:
        from reminderd.channels.mail import EmailChannel

        built["email"] = EmailChannel(channels.email, environ=environ)
    if channels.command:
        from reminderd.channels.command import CommandChannel

        built["command"] = CommandChannel(
            channels.command, environ=environ, withhold=secret_environment_names(channels)
        )
    if channels.apprise:
        from reminderd.channels.apprise import AppriseChannel, AppriseMissing

        try:
            built["apprise"] = AppriseChannel(channels.apprise, environ=environ)
        except AppriseMissing as missing:
            built["apprise"] = UnavailableChannel("apprise", str(missing))
    return built
