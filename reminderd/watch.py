"""Notice changes of the config file without polling: inotify on Linux, through ctypes.

The directory is watched, not the file, because editors save by writing a new file and
renaming it over the old one. Elsewhere (or if inotify is unavailable) only SIGHUP reloads.
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
IN_CLOSE_WRITE = 0x008
IN_MOVED_FROM = 0x040
IN_MOVED_TO = 0x080
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_CLOEXEC = 0o2000000
_EVENT = struct.Struct("iIII")


class ConfigWatcher:
    """Call ``on_change()`` (from a background thread) when ``path`` may have changed."""

    def __init__(self, path: Path, on_change: Callable[[], None]) -> None:
        self.path = path.absolute()
        self.on_change = on_change
        self._fd = -1
        self._stop_read, self._stop_write = os.pipe()
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Start watching; False when inotify is not available here."""
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name, use_errno=True)
            fd = libc.inotify_init1(IN_CLOEXEC)
        except (OSError, AttributeError):
            return False
        if fd < 0:
            return False
        mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY
        directory = os.fsencode(str(self.path.parent))
        if libc.inotify_add_watch(fd, directory, mask) < 0:
            os.close(fd)
            return False
        self._fd = fd
        self._thread = threading.Thread(target=self._loop, name="config-watch", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        if self._thread is not None:
            os.write(self._stop_write, b"x")
            self._thread.join(timeout=2)
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
            data = os.read(self._fd, 64 * 1024)
            offset = 0
            changed = False
            while offset + _EVENT.size <= len(data):
                _, _, _, length = _EVENT.unpack_from(data, offset)
                name = data[offset + _EVENT.size : offset + _EVENT.size + length].rstrip(b"\0")
                offset += _EVENT.size + length
                if name == target:
                    changed = True
            if changed:
                try:
                    self.on_change()
                except Exception:  # a failing callback must not kill the watch
                    log.exception("config change handler failed")
