"""``report [-o FILE.html]``: fetch the config, the ledger and the clock, render the page
(:mod:`reminderd.web`) and write it, atomically and readable only by its owner (it lists
debts). The default path is ``report.html`` beside the calendar file."""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from datetime import datetime
from pathlib import Path

from reminderd.context import Context
from reminderd.errors import RuntimeFailure
from reminderd.model import Config
from reminderd.web import content as page_content
from reminderd.web import page

REPORT_NAME = "report.html"


def report(args: argparse.Namespace, context: Context) -> int:
    """Write the page to ``-o FILE`` or beside the calendar; print the path written."""
    config = context.config()
    target = (
        Path(args.output).expanduser()
        if getattr(args, "output", None)
        else config.calendar.path.parent / REPORT_NAME
    )
    html = render_page(config, context.state_dir, context.now())
    write_private(target, html.encode("utf-8"))
    context.print(str(target))
    return 0


def render_page(
    config: Config, state_dir: Path, now: datetime, actions: page.Actions | None = None
) -> str:
    """The page for ``config`` and the ledger in ``state_dir`` at ``now`` (the served page
    passes ``actions`` for its Paid buttons). Reads the ledger without creating it."""
    from reminderd import ledger

    paid = ledger.paid_totals(state_dir)
    payments = ledger.payments(state_dir)
    built = page_content.build(config, paid, payments, now)
    return page.render(built, actions)


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (a temporary file, fsync, rename), mode 0600.
    Raises :class:`RuntimeFailure` naming the path; no temporary file is left behind."""
    temporary: str | None = None
    try:
        if os.path.lexists(path) and not path.is_file():
            raise RuntimeFailure.said("report.not_a_file", path=path)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
        with os.fdopen(handle, "wb") as stream:  # mkstemp makes it 0600
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        reason = error.strerror or str(error)
        raise RuntimeFailure.said("report.cannot_write", path=path, reason=reason) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
