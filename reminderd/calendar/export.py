"""Writing the calendar file: atomically, so a reader (a phone syncing the file, a web server
serving it) never sees half a calendar (SPEC §4). The only module here that writes files.

Three programs may write the same file at once: ``pay``, ``export`` and the running service.
Each writes under an exclusive lock on the file's directory (``flock``; no lock file that
would sit beside the calendar) and reads the ledger *inside* that lock, so whichever writes
last writes the newest state; the last rename can no longer carry an older snapshot. A new
calendar that differs from the file already there only in its ``DTSTAMP`` leaves the file as
it was, so its bytes (and the feed's ETag) change only when what it shows changes.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

from reminderd.calendar import content
from reminderd.errors import RuntimeFailure
from reminderd.model import Config
from reminderd.platform import files

try:
    import fcntl
except ImportError:  # Windows: no flock; concurrent writers there are not guarded
    fcntl = None  # type: ignore[assignment]

Paid = Mapping[str, Decimal] | Callable[[], Mapping[str, Decimal]]
_HEAD = 1 << 16  # where the old file's DTSTAMP is looked for
_BLOCK = 1 << 18  # how much of the old and new file are compared at a time


def write(config: Config, paid: Paid, now: datetime, path: Path | None = None) -> Path:
    """Build the calendar for (``config``, ``paid``, ``now``) and write it to ``path``, else to
    ``calendar.path``; return the path written.

    ``paid`` is the total paid per loan, or a function returning it: that function is called
    under the file's lock, so the calendar written is the ledger's newest state even when
    another process writes the same file at the same moment.

    Raises :class:`RuntimeFailure` naming the path when it cannot be written; the file that
    was there before is then left as it was.
    """
    target = path if path is not None else config.calendar.path
    with locked(target):
        current = paid() if callable(paid) else paid
        replace_if_changed(target, content.calendar_chunks(config, current, now), now)
    return target


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the exclusive lock for writing ``path`` (made with its parents if needed).

    Raises :class:`RuntimeFailure` naming ``path`` when its directory cannot be made or opened.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = (
            os.open(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if fcntl else None
        )
    except OSError as error:
        raise RuntimeFailure(_cannot(path, error)) from None
    if descriptor is None:
        yield
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)  # released by close, even on a crash
        except OSError:
            pass  # a file system without locks (some network mounts): write unguarded
        yield
    finally:
        os.close(descriptor)


def replace_if_changed(path: Path, chunks: Iterable[bytes], now: datetime) -> bool:
    """Write ``chunks`` (a calendar stamped ``now``) to ``path`` atomically, unless the file
    there already holds the same calendar but for its ``DTSTAMP``; return whether ``path``
    changed. Call it under :func:`locked`. Raises like :func:`write_chunks`.
    """
    stamp = content.stamp(now).encode("ascii")
    return _write(path, chunks, keep_if_same_as=stamp)


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
    _write(path, chunks, keep_if_same_as=None)


def _write(path: Path, chunks: Iterable[bytes], keep_if_same_as: bytes | None) -> bool:
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
        with os.fdopen(handle, "w+b") as stream:
            for chunk in chunks:
                stream.write(chunk)
            stream.flush()
            if keep_if_same_as is not None and _same_but_stamp(path, stream, keep_if_same_as):
                return False
            files.set_mode(stream.fileno(), _file_mode(path.parent))
            os.fsync(stream.fileno())
        os.replace(temporary, path)
        temporary = None
        _sync_directory(path.parent)
        return True
    except OSError as error:
        raise RuntimeFailure(_cannot(path, error)) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _same_but_stamp(path: Path, new: IO[bytes], new_stamp: bytes) -> bool:
    """Whether the file at ``path`` equals ``new`` (an open file) once its ``DTSTAMP`` value
    is read as ``new_stamp``. A stamp has a fixed length, so equal calendars have equal sizes
    and their lines start at the same offsets: the two are compared block by block, each
    block cut after its last line end, never holding either file whole."""
    try:
        old = path.open("rb")
    except FileNotFoundError:
        return False
    with old:
        size = os.fstat(old.fileno()).st_size
        if size != new.tell():
            return False
        new.seek(0)
        head = old.read(_HEAD)  # the first event's DTSTAMP follows the short calendar head
        marker = head.find(b"\r\nDTSTAMP:")
        old_stamp = head[marker + 10 : marker + 10 + len(new_stamp)] if marker >= 0 else new_stamp
        old.seek(0)
        offset = 0
        while offset < size:
            block = new.read(_BLOCK)
            cut = block.rfind(b"\r\n") + 2 if offset + len(block) < size else len(block)
            if cut <= 1:
                cut = len(block)
            block = block[:cut]
            new.seek(offset + cut)
            theirs = old.read(cut)
            if theirs != block and (
                old_stamp == new_stamp
                or theirs.replace(b"DTSTAMP:" + old_stamp, b"DTSTAMP:" + new_stamp) != block
            ):
                return False
            offset += cut
        return True


def _cannot(path: Path, error: OSError) -> str:
    reason = error.strerror or str(error)
    return f"cannot write the calendar to {path}: {reason}"


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
