"""``export`` and ``feed-url``: fetch their inputs (config, payments, clock, state dir), call
the calendar modules and print. No logic of their own."""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path

from reminderd.calendar import content, feed
from reminderd.calendar import export as calendar_export
from reminderd.context import Context
from reminderd.errors import UserError
from reminderd.text import t


def export(args: argparse.Namespace, context: Context) -> int:
    """Write the calendar to ``-o FILE`` or ``calendar.path``; print the path and the count."""
    config = context.config()
    target = Path(args.output).expanduser() if getattr(args, "output", None) else None
    written = calendar_export.write(config, lambda: _paid(context), context.now(), target)
    context.print(
        t("export.written", config.locale, path=written, count=content.event_count(config))
    )
    return 0


def feed_url(args: argparse.Namespace, context: Context) -> int:
    """Print the feed's ``http://`` and ``webcal://`` addresses (making its secret on first
    use), and a QR code of the first when ``segno`` is installed."""
    config = context.config()
    locale = config.locale
    if config.calendar.serve_listen is None:
        raise UserError(t("feed.disabled", locale, config=context.config_path))
    host, port = feed.parse_listen(config.calendar.serve_listen)
    secret = feed.load_secret(context.state_dir)
    url = feed.feed_url(host, port, secret)
    context.print(url)
    context.print(feed.feed_url(host, port, secret, scheme="webcal"))
    from reminderd.web.routes import page_url

    context.print(page_url(host, port, secret))  # the page (SPEC §10)
    if host in ("0.0.0.0", "::"):  # noqa: S104 - a hint, not a bind
        context.warn(t("feed.everywhere", locale, host=host))
    elif host in ("127.0.0.1", "::1", "localhost"):
        context.warn(t("feed.loopback", locale))
    _print_qr(url, context)
    return 0


def _print_qr(url: str, context: Context) -> None:
    isatty = getattr(context.out, "isatty", None)
    if isatty is None or not isatty():
        return  # a QR code is for a person at a terminal, not for a script reading the URLs
    try:
        import segno
    except ImportError:
        return  # optional: pip install 'reminderd[qr]'
    segno.make(url, error="m").terminal(out=context.out, compact=True)


def _paid(context: Context) -> dict[str, Decimal]:
    """The payments per loan."""
    from reminderd.views import paid_totals

    return paid_totals(context)
