"""Notice config changes where inotify is missing (macOS, Windows): look at the file's
size, modification time and identity every few seconds. Windows has no SIGHUP, so without
this an edited config would wait for a restart."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0


def signature(path: Path) -> tuple[int, int, int, int] | None:
    """What tells one version of the file from the next: its time, size and identity."""
    try:
        info = os.stat(path)
    except OSError:
        return None  # a save in progress (removed, then renamed in): the next look sees it
    return (info.st_mtime_ns, info.st_size, info.st_ino, info.st_dev)


class PollingWatcher:
    """Call ``on_change()`` (from a background thread) when ``path`` changes; the same
    ``start``/``stop`` as :class:`reminderd.watch.ConfigWatcher`."""

    def __init__(
        self, path: Path, on_change: Callable[[], None], interval: float = POLL_SECONDS
    ) -> None:
        self.path = path.absolute()
        self.on_change = on_change
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Start looking; always True (stat works everywhere)."""
        seen = signature(self.path)

        def loop() -> None:
            nonlocal seen
            while not self._stop.wait(self.interval):
                now = signature(self.path)
                if now == seen or now is None:
                    continue
                seen = now
                try:
                    self.on_change()
                except Exception:  # a failing callback must not end the watch
                    log.exception("config change handler failed")

        self._thread = threading.Thread(target=loop, name="config-poll", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)  # it answers at once; a loaded machine may be slow
