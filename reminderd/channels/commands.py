"""``reminderd notify-test [--channel NAME]``: send a test message and say what worked."""

from __future__ import annotations

import argparse

from reminderd.channels import DeliveryError, Message, build_channels
from reminderd.context import Context
from reminderd.errors import EXIT_FAILURE, EXIT_OK, UserError
from reminderd.messages import render_test
from reminderd.text import t


def notify_test(args: argparse.Namespace, context: Context) -> int:
    """Send the test message through each configured channel (or ``--channel NAME``).

    Prints one line per channel, ``NAME: ok`` or ``NAME: FAILED: reason``. Returns 0 when all
    worked, 1 when any failed. Raises :class:`UserError` (exit 2) for a channel name that is
    not configured, or when no channel is configured at all.
    """
    config = context.config()
    locale = config.locale
    configured = config.channels.names()
    wanted = getattr(args, "channel", None)
    if wanted is not None and wanted not in configured:
        known = t("list", locale).join(configured) or t("none", locale)
        raise UserError(t("notify.unknown", locale, name=wanted, known=known))
    if not configured:
        raise UserError(t("notify.none", locale))
    names = [wanted] if wanted else list(configured)

    now = context.now()
    subject, body = render_test(config.locale, now.astimezone(config.timezone))
    message = Message(
        key=f"test/{now.isoformat()}", kind="test", subject=subject, body=body, actions=False
    )
    channels = build_channels(config.channels, environ=context.environ, locale=config.locale)
    failed = False
    try:
        for name in names:
            channel = channels[name]
            try:
                channel.send(message)
            except DeliveryError as error:
                failed = True
                reason = error.in_locale(locale)
                context.print(t("notify.failed", locale, name=name, reason=reason))
                continue
            if getattr(channel, "confirmed", True):
                context.print(t("notify.ok", locale, name=name))
            else:
                context.print(t("notify.unconfirmed", locale, name=name))
    finally:
        for channel in channels.values():
            channel.close()
    return EXIT_FAILURE if failed else EXIT_OK
