"""Notice changes of the config file without polling: inotify on Linux, through ctypes.

Two watches, so that only the config file wakes the service: one on the file itself for its
writes (``IN_CLOSE_WRITE``), and one on its directory for names only (``IN_MOVED_TO``,
``IN_CREATE``, ``IN_DELETE``, ``IN_MOVED_FROM``), because editors save by writing a new file
and renaming it over the old one. A neighbour written again and again (a log beside the
config) therefore wakes nothing: the directory watch has no ``IN_MODIFY``. When the file is
replaced, its watch is moved to the new file. Elsewhere (or without inotify) only SIGHUP
reloads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import struct
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

IN_MODIFY = 0x002
IN_ATTRIB = 0x004
IN_CLOSE_WRITE = 0x008
IN_MOVED_FROM = 0x040
IN_MOVED_TO = 0x080
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_IGNORED = 0x8000
IN_CLOEXEC = 0o2000000
IN_NONBLOCK = 0o4000
_EVENT = struct.Struct("iIII")
_DIRECTORY_MASK = IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE
_FILE_MASK = IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF


class ConfigWatcher:
    """Call ``on_change()`` (from a background thread) when ``path`` may have changed.

    ``wakeups`` counts the reads of inotify events, so a test can tell that a neighbour's
    writes did not wake the watcher.
    """

    def __init__(self, path: Path, on_change: Callable[[], None]) -> None:
        self.path = path.absolute()
        self.on_change = on_change
        self.wakeups = 0
        self._fd = -1
        self._libc: ctypes.CDLL | None = None
        self._file_wd = -1
        self._stop_read, self._stop_write = os.pipe()
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Start watching; False when inotify is not available here."""
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name, use_errno=True)
            fd = libc.inotify_init1(IN_CLOEXEC | IN_NONBLOCK)
        except (OSError, AttributeError):
            return False
        if fd < 0:
            return False
        directory = os.fsencode(str(self.path.parent))
        if libc.inotify_add_watch(fd, directory, _DIRECTORY_MASK) < 0:
            os.close(fd)
            return False
        self._fd = fd
        self._libc = libc
        self._watch_file()
        self._thread = threading.Thread(target=self._loop, name="config-watch", daemon=True)
        self._thread.start()
        return True

    def _watch_file(self) -> None:
        """(Re)place the watch on the file itself; a missing file is watched when it returns."""
        assert self._libc is not None  # noqa: S101 - only called once started
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(str(self.path)), _FILE_MASK)
        self._file_wd = wd if wd >= 0 else -1

    def stop(self) -> None:
        if self._thread is not None:
            os.write(self._stop_write, b"x")
            self._thread.join(timeout=30)  # it answers at once; a loaded machine may be slow
        for fd in (self._fd, self._stop_read, self._stop_write):
            if fd >= 0:
                os.close(fd)
        self._fd = -1

    def _loop(self) -> None:
        import select

        target = os.fsencode(self.path.name)
        while True:
            readable, _, _ = select.select([self._fd, self._stop_read], [], [])
            if self._stop_read in readable:
                return
            try:
                data = os.read(self._fd, 64 * 1024)
            except BlockingIOError:
                continue
            self.wakeups += 1
            offset = 0
            changed = False
            while offset + _EVENT.size <= len(data):
                wd, mask, _, length = _EVENT.unpack_from(data, offset)
                name = data[offset + _EVENT.size : offset + _EVENT.size + length].rstrip(b"\0")
                offset += _EVENT.size + length
                if wd == self._file_wd and wd >= 0:
                    if mask & (IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF):
                        changed = True
                elif name == target:
                    changed = True
                    if mask & (IN_MOVED_TO | IN_CREATE):
                        self._watch_file()  # the new file behind the name
            if changed:
                try:
                    self.on_change()
                except Exception:  # a failing callback must not kill the watch
                    log.exception("config change handler failed")
