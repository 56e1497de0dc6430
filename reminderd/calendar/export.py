"""Writing the calendar file: atomically, so a reader (a phone syncing the file, a web server
serving it) never sees half a calendar (SPEC §4). The only module here that writes files."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from reminderd.calendar import content
from reminderd.errors import RuntimeFailure
from reminderd.model import Config
from reminderd.platform import files


def write(
    config: Config,
    paid: Mapping[str, Decimal],
    now: datetime,
    path: Path | None = None,
) -> Path:
    """Build the calendar for (``config``, ``paid``, ``now``) and write it to ``path``, else to
    ``calendar.path``; return the path written.

    Raises :class:`RuntimeFailure` naming the path when it cannot be written; the file that
    was there before is then left as it was.
    """
    target = path if path is not None else config.calendar.path
    write_chunks(target, content.calendar_chunks(config, paid, now))
    return target


def write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (see :func:`write_chunks`)."""
    write_chunks(path, [data])


def write_chunks(path: Path, chunks: Iterable[bytes]) -> None:
    """Replace ``path`` with the concatenated ``chunks`` atomically: a temporary file in the
    same directory, flushed to disk, then renamed over the target. Parent directories are
    created.

    The file is readable by everyone (0644) unless its directory is private (no access for
    group and others), where it stays private (0600). Raises :class:`RuntimeFailure` naming
    the path on any error; no temporary file is left behind.
    """
    temporary: str | None = None
    try:
        if os.path.lexists(path) and not path.is_file():
            # Renaming over it would replace a device (/dev/null, as root) or a directory
            # entry that is not ours to replace.
            raise RuntimeFailure(f"cannot write the calendar to {path}: not a regular file")
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
        with os.fdopen(handle, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk)
            stream.flush()
            files.set_mode(stream.fileno(), _file_mode(path.parent))
            os.fsync(stream.fileno())
        os.replace(temporary, path)
        temporary = None
        _sync_directory(path.parent)
    except OSError as error:
        reason = error.strerror or str(error)
        raise RuntimeFailure(f"cannot write the calendar to {path}: {reason}") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _file_mode(directory: Path) -> int:
    private = stat.S_IMODE(directory.stat().st_mode) & 0o077 == 0
    return 0o600 if private else 0o644


def _sync_directory(directory: Path) -> None:
    """Flush the rename itself to disk (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
