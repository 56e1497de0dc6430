"""``reminderd notify-test [--channel NAME]``: send a test message and say what worked."""

from __future__ import annotations

import argparse

from reminderd.channels import DeliveryError, Message, build_channels
from reminderd.context import Context
from reminderd.errors import EXIT_FAILURE, EXIT_OK, UserError
from reminderd.messages import render_test


def notify_test(args: argparse.Namespace, context: Context) -> int:
    """Send the test message through each configured channel (or ``--channel NAME``).

    Prints one line per channel, ``NAME: ok`` or ``NAME: FAILED: reason``. Returns 0 when all
    worked, 1 when any failed. Raises :class:`UserError` (exit 2) for a channel name that is
    not configured, or when no channel is configured at all.
    """
    config = context.config()
    configured = config.channels.names()
    wanted = getattr(args, "channel", None)
    if wanted is not None and wanted not in configured:
        known = ", ".join(configured) or "none"
        raise UserError(f"channel {wanted!r} is not configured (configured: {known})")
    if not configured:
        raise UserError("no channel is configured: add one under channels: in the config")
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
                context.print(f"{name}: FAILED: {error.reason}")
                continue
            if getattr(channel, "confirmed", True):
                context.print(f"{name}: ok")
            else:
                context.print(f"{name}: ok (handed to plyer; delivery cannot be confirmed)")
    finally:
        for channel in channels.values():
            channel.close()
    return EXIT_FAILURE if failed else EXIT_OK
