"""systemd's readiness protocol (``sd_notify``) without a dependency: one datagram per state
change to ``$NOTIFY_SOCKET``. Outside systemd it does nothing.

A notification never blocks: when the manager does not read its socket (a stalled or busy
manager, a supervisor that reads only ``READY``) and the socket's queue is full, the datagram
is dropped (``EAGAIN``), because a status line is not worth one late reminder.
"""

from __future__ import annotations

import os
import socket
import time


class Notifier:
    def __init__(self, address: str | None = None) -> None:
        self.address = address if address is not None else os.environ.get("NOTIFY_SOCKET", "")
        self.dropped = 0  # datagrams dropped because the manager's queue was full

    def send(self, **fields: str) -> bool:
        """Send ``KEY=value`` lines (``READY=1``, ``STATUS=…``) without blocking.

        Returns True when the datagram was queued; False outside systemd, when the socket is
        unreachable, or when its queue is full (then the message is dropped, never waited for).
        """
        if not self.address:
            return False
        target = self.address
        if target.startswith("@"):  # an abstract socket
            target = "\0" + target[1:]
        payload = "\n".join(f"{key}={value}" for key, value in fields.items()).encode()
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.setblocking(False)
                sock.connect(target)
                sock.send(payload, socket.MSG_DONTWAIT)
        except BlockingIOError:
            self.dropped += 1
            return False
        except OSError:
            return False
        return True

    def ready(self, status: str) -> None:
        self.send(READY="1", STATUS=status)

    def reloading(self) -> None:
        # MONOTONIC_USEC lets Type=notify-reload match this message to the reload it asked for.
        self.send(RELOADING="1", MONOTONIC_USEC=str(time.monotonic_ns() // 1000))

    def status(self, status: str) -> None:
        self.send(STATUS=status)

    def stopping(self) -> None:
        self.send(STOPPING="1")
