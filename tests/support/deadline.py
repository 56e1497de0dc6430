"""A bound on a block that could hang (an endless loop, a stuck command): it fails with
``TimeoutError`` instead of hanging the suite. Main thread only (``SIGALRM``)."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType


@contextlib.contextmanager
def hang_guard(seconds: int, what: str) -> Iterator[None]:
    """Raise ``TimeoutError("WHAT still running after Ns")`` if the block outlasts ``seconds``."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"{what} still running after {seconds}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
