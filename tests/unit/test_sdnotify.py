"""sd_notify never blocks (issue 11.10): a real datagram socket that nobody reads."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

from reminderd.sdnotify import Notifier


def test_notifier_drops_instead_of_blocking_when_the_manager_does_not_read(
    tmp_path: Path,
) -> None:
    address = tmp_path / "notify.sock"
    unread = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    unread.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    unread.bind(str(address))
    notifier = Notifier(str(address))
    results: list[bool] = []
    # In a thread: a blocking send would hang here, and the join's deadline tells so.
    sender = threading.Thread(
        target=lambda: results.extend(notifier.send(STATUS=f"check {n}") for n in range(200)),
        daemon=True,
    )
    sender.start()
    sender.join(timeout=30)
    try:
        assert not sender.is_alive(), "sd_notify blocked on a full socket"
        # The queue takes some (at most net.unix.max_dgram_qlen, 10 by default), the rest
        # are dropped and counted.
        assert results[0] is True
        assert results.count(False) == notifier.dropped > 0
        assert len(results) == 200
        received = 0
        unread.setblocking(False)
        while True:
            try:
                unread.recv(4096)
            except BlockingIOError:
                break
            received += 1
        assert received == results.count(True)
    finally:
        unread.close()


def test_notifier_outside_systemd_does_nothing() -> None:
    assert Notifier("").send(READY="1") is False
