"""Apprise: one channel to many services (chat apps, push services, webhooks).

apprise is an optional extra, imported only when this channel is built. Its URLs often hold
tokens, so they are treated as secrets: never logged, never in an error message (a bad one
is named by its position only).
"""

from __future__ import annotations

from collections.abc import Mapping

from reminderd.channels.base import DeliveryError, Message, run_bounded
from reminderd.model import AppriseSettings

INSTALL_HINT = "the apprise channel needs the apprise package: pip install 'reminderd[apprise]'"


class AppriseMissing(Exception):
    """apprise is not installed; ``str()`` says how to install it."""


def apprise_urls(settings: AppriseSettings, environ: Mapping[str, str]) -> list[str]:
    """Return the configured URLs plus those in ``$urls_env`` (whitespace-separated)."""
    urls = list(settings.urls)
    if settings.urls_env:
        urls += environ.get(settings.urls_env, "").split()
    return urls


class AppriseChannel:
    """Sends each message to every configured apprise URL; all must accept it."""

    name = "apprise"

    def __init__(self, settings: AppriseSettings, *, environ: Mapping[str, str]) -> None:
        try:
            import apprise
        except ImportError:
            raise AppriseMissing(INSTALL_HINT) from None
        self.settings = settings
        self._apprise = apprise
        self._urls = apprise_urls(settings, environ)

    def _client(self) -> object:
        client = self._apprise.Apprise()
        if not self._urls:
            where = f" (is {self.settings.urls_env} set?)" if self.settings.urls_env else ""
            raise DeliveryError(f"no apprise URL configured{where}", permanent=True)
        for position, url in enumerate(self._urls, start=1):
            if not client.add(url):
                raise DeliveryError(
                    f"apprise URL #{position} is not understood by apprise", permanent=True
                )
        return client

    def send(self, message: Message) -> None:
        """Notify every URL; raise :class:`DeliveryError` when any refuses or time runs out."""
        client = self._client()

        def notify() -> bool:
            return bool(client.notify(title=message.subject, body=message.body))  # type: ignore[attr-defined]

        try:
            accepted = run_bounded(notify, self.settings.timeout, "apprise notification")
        except DeliveryError:
            raise
        except Exception as error:  # noqa: BLE001 - apprise plugins raise anything
            raise DeliveryError(f"apprise failed: {type(error).__name__}") from None
        if not accepted:
            raise DeliveryError("apprise: at least one service did not accept the message")

    def close(self) -> None:
        """Nothing is kept open between messages."""
