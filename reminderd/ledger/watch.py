"""Notice that another program changed the ledger (``pay``, ``pay --undo``, a snooze), so
the running service can follow at once instead of at its next 15-minute check.

On Linux the state directory is watched with inotify (through ctypes): a commit writes the
database's WAL file, which wakes the watcher; it then asks its own connection, kept open,
whether anything was committed (``PRAGMA data_version``), and only then reads a short summary
of the ledger (the newest payment id, the snoozes), calling back when that changed: the
service's own writes (its delivery log) cost a small query and no check. The connection stays
open so that the watcher's reads never create or remove the WAL file (which would wake it
again, forever). Elsewhere, or without inotify, the two files' size and time are looked at
once a second. Idle costs nothing on Linux: the thread blocks in ``select``.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import select
import sqlite3
import struct
import threading
from collections.abc import Callable
from pathlib import Path

from reminderd.ledger.store import connect, database_path

log = logging.getLogger(__name__)

IN_MODIFY = 0x002
IN_CLOSE_WRITE = 0x008
IN_MOVED_TO = 0x080
IN_CREATE = 0x100
IN_CLOEXEC = 0o2000000
POLL_SECONDS = 1.0  # only where inotify is missing
_EVENT = struct.Struct("iIII")
_UNREAD = ("the ledger could not be read at start",)  # unequal to any summary
_SUMMARY = (
    "SELECT (SELECT coalesce(max(id), 0) FROM payments),"
    " (SELECT count(*) || '/' || coalesce(max(until), '') FROM snoozes)"
)


def summary(conn: sqlite3.Connection) -> tuple[object, ...]:
    """A short fingerprint of what the ledger holds for the service: it changes with every
    payment, undo and snooze."""
    return tuple(conn.execute(_SUMMARY).fetchone())


class LedgerWatcher:
    """Call ``on_change()`` (from a thread of its own) after the ledger in ``state_dir``
    changed; :meth:`start` then :meth:`stop`."""

    def __init__(self, state_dir: Path, on_change: Callable[[], None]) -> None:
        self.state_dir = state_dir
        self.on_change = on_change
        self._names = {database_path(state_dir).name.encode()}
        self._names.add(next(iter(self._names)) + b"-wal")
        self._stop_read, self._stop_write = os.pipe()
        self._fd = -1
        self._thread: threading.Thread | None = None
        self._conn: sqlite3.Connection | None = None
        self._seen: tuple[object, ...] = _UNREAD
        self._version = -1
        self._files: list[Path] = []
        self._stats: list[tuple[int, int] | None] = []

    def start(self) -> str:
        """Start watching; return how (``inotify`` or ``polling``).

        The first look, which every later one is compared with, is taken here, before this
        returns: a change committed after ``start()`` is always reported. (Taken in the
        thread, a payment made while the thread was still starting became part of the first
        look, and was never reported: a loaded machine lost it.) When that look cannot read
        the ledger (none yet, or locked), the first successful look calls back. That look
        has a connection of its own: SQLite connections stay in the thread that made them."""
        self._fd = _inotify(self.state_dir)  # first: a commit from now on wakes the thread
        if self._fd < 0:
            self._files = [self.state_dir / name.decode() for name in self._names]
            self._stats = _stats(self._files)
        self._seen = self._first_look()
        loop = self._inotify_loop if self._fd >= 0 else self._poll_loop
        self._thread = threading.Thread(target=loop, name="ledger-watch", daemon=True)
        self._thread.start()
        return "inotify" if self._fd >= 0 else "polling"

    def stop(self) -> None:
        if self._thread is not None:
            os.write(self._stop_write, b"x")
            self._thread.join(timeout=30)  # it answers at once; a loaded machine may be slow
            self._thread = None
        for fd in (self._fd, self._stop_read, self._stop_write):
            if fd >= 0:
                os.close(fd)
        self._fd = self._stop_read = self._stop_write = -1

    def _inotify_loop(self) -> None:
        while True:
            readable, _, _ = select.select([self._fd, self._stop_read], [], [])
            if self._stop_read in readable:
                self._close()
                return
            if self._touched(os.read(self._fd, 64 * 1024)):
                self._compare()

    def _touched(self, data: bytes) -> bool:
        offset, touched = 0, False
        while offset + _EVENT.size <= len(data):
            _, _, _, length = _EVENT.unpack_from(data, offset)
            name = data[offset + _EVENT.size : offset + _EVENT.size + length].rstrip(b"\0")
            offset += _EVENT.size + length
            touched = touched or name in self._names
        return touched

    def _poll_loop(self) -> None:
        files, seen = self._files, self._stats
        while not select.select([self._stop_read], [], [], POLL_SECONDS)[0]:
            now = _stats(files)
            if now != seen:
                seen = now
                self._compare()

    def _first_look(self) -> tuple[object, ...]:
        try:
            conn = connect(self.state_dir, create=False)
            if conn is None:
                return _UNREAD
            with contextlib.closing(conn):
                return summary(conn)
        except Exception:  # locked or half-made: the thread's first successful look calls back
            log.debug("cannot read the ledger's summary at start", exc_info=True)
            return _UNREAD

    def _compare(self) -> None:
        """Call back if the ledger's summary changed since last seen."""
        try:
            if self._conn is None:
                self._conn = connect(self.state_dir, create=False)
                if self._conn is None:
                    return
                self._version = -1
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            if version == self._version:
                return  # nothing committed since the last look
            self._version = version
            current = summary(self._conn)
        except Exception:  # a locked or half-made file: look again at the next change
            log.debug("cannot read the ledger's summary now", exc_info=True)
            self._close()
            return
        changed, self._seen = current != self._seen, current
        if not changed:
            return
        try:
            self.on_change()
        except Exception:  # a failing callback must not end the watch
            log.exception("ledger change handler failed")

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _stats(files: list[Path]) -> list[tuple[int, int] | None]:
    result: list[tuple[int, int] | None] = []
    for path in files:
        try:
            info = path.stat()
            result.append((info.st_size, info.st_mtime_ns))
        except OSError:
            result.append(None)
    return result


def _inotify(directory: Path) -> int:
    """An inotify descriptor watching ``directory`` for writes, or -1 where there is none."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        fd = libc.inotify_init1(IN_CLOEXEC)
    except (OSError, AttributeError, TypeError):
        return -1
    if fd < 0:
        return -1
    mask = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE
    if libc.inotify_add_watch(fd, os.fsencode(str(directory)), mask) < 0:
        os.close(fd)
        return -1
    return fd
