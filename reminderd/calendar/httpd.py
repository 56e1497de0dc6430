"""A small HTTP/1.0-style server that stays up under slow and numerous clients (issue 11,
item 7), for the subscription feed and whatever else it serves.

One thread reads every request head with a selector, so a slow client costs a socket, not a
thread. A head must arrive within ``deadline`` seconds, with no silence longer than
``request_timeout``; when more than :data:`MAX_PENDING` heads are still arriving, the oldest
(the slowest) is dropped. Complete requests go to :data:`WORKERS` threads through a queue of
at most :data:`MAX_QUEUED` (beyond it the oldest is dropped); each answer is bounded by
``deadline`` too. The listen backlog is :data:`BACKLOG`. While nothing arrives the reading
thread blocks with no timeout and the workers wait on a condition: idle means idle.

Subclasses implement :meth:`HeadServer.answer`.
"""

from __future__ import annotations

import collections
import contextlib
import http.client
import logging
import os
import selectors
import socket
import socketserver
import threading
import time
from typing import Any, BinaryIO

MAX_REQUEST_LINE = 2048
MAX_REQUEST_HEAD = 8192  # request line and headers together
MAX_PENDING = 512  # connections whose request head is still arriving
MAX_QUEUED = 1024  # complete requests waiting for a worker (a head is small)
WORKERS = 4  # threads that answer; each answer is bounded by the deadline
BACKLOG = 256  # the kernel's queue of connections not yet accepted
_ACCEPT_BATCH = 64
_SEND_PIECE = 1 << 20

log = logging.getLogger("reminderd.feed")


class LimitedReader:
    """Reads at most ``budget`` bytes of a request head; beyond that the head is too large."""

    def __init__(self, stream: BinaryIO, budget: int) -> None:
        self._stream = stream
        self._budget = budget

    def readline(self, size: int = -1) -> bytes:
        limit = self._budget + 1 if size < 0 else min(size, self._budget + 1)
        line = self._stream.readline(limit)
        self._budget -= len(line)
        if self._budget < 0:
            raise http.client.LineTooLong("request head")
        return line

    def read(self, size: int = -1) -> bytes:
        return b""  # GET and HEAD carry no body; nothing else is read

    def read_body(self, size: int) -> bytes:
        """Up to ``size`` bytes of a body that arrived with the head (the page's small POST);
        the caller reads the rest from the socket."""
        return self._stream.read(size)

    def close(self) -> None:
        self._stream.close()


class Writer:
    """The answer's stream: every send waits at most ``request_timeout`` for the client, and
    all of them together end by ``deadline`` (a client reading a byte at a time is cut off)."""

    closed = False

    def __init__(self, connection: socket.socket, idle: float, deadline: float) -> None:
        self.connection = connection
        self.idle = idle
        self.deadline = deadline  # time.monotonic() value

    def wait(self) -> None:
        """Set the socket's timeout for the next send; raise ``TimeoutError`` past the end."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("answer deadline passed")
        self.connection.settimeout(min(self.idle, remaining))

    def write(self, data: bytes) -> int:
        view = memoryview(data)
        while view:
            self.wait()
            sent = self.connection.send(view)
            view = view[sent:]
        return len(data)

    def send_file(self, stream: BinaryIO, size: int) -> None:
        offset = 0
        while offset < size:
            self.wait()
            sent = self.connection.sendfile(stream, offset, min(_SEND_PIECE, size - offset))
            if not sent:
                break  # the file is shorter than it was: the client sees a short body
            offset += sent

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def head_complete(head: bytes) -> bool:
    """Whether ``head`` is all the server will read: the blank line that ends it, or more
    than a request line or a head may hold (the handler then answers 414 or 431)."""
    if b"\r\n\r\n" in head or b"\n\n" in head or len(head) > MAX_REQUEST_HEAD:
        return True
    return len(head) > MAX_REQUEST_LINE and b"\n" not in head[: MAX_REQUEST_LINE + 1]


class _Pending:
    """A connection whose request head is still arriving."""

    __slots__ = ("address", "head", "last", "started")

    def __init__(self, address: Any, now: float) -> None:
        self.address = address
        self.head = b""
        self.started = now
        self.last = now


class HeadServer(socketserver.TCPServer):
    """Accepts connections, reads each request head (see the module's docstring) and hands
    complete heads to :meth:`answer` on a worker thread; :meth:`start`, then :meth:`stop`."""

    allow_reuse_address = True
    request_queue_size = BACKLOG

    def __init__(
        self, address: tuple[Any, ...], family: int, request_timeout: float, deadline: float
    ) -> None:
        """Bind to ``address`` (of ``family``). Raises ``OSError`` when it cannot be bound."""
        self.address_family = family
        self.request_timeout = request_timeout
        self.deadline = deadline
        self._work = threading.Condition()
        self._queue: collections.deque[tuple[socket.socket, Any, bytes]] = collections.deque()
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self.shed = 0  # connections dropped to make room (for tests and the bench)
        super().__init__(address, socketserver.BaseRequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn): slow, and not needed.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    @property
    def port(self) -> int:
        """The port actually bound (useful after binding port 0)."""
        return int(self.server_address[1])

    def answer(self, connection: socket.socket, address: Any, head: bytes) -> None:
        """Answer the request whose head is ``head`` (on a worker thread; the connection is
        closed afterwards)."""
        raise NotImplementedError

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.warning("feed: error while answering %s", client_address[0], exc_info=True)

    def start(self) -> None:
        """Serve in daemon threads until :meth:`stop`."""
        self._wake_read, self._wake_write = os.pipe()
        self._stopping = False
        self.socket.setblocking(False)
        self._threads = [threading.Thread(target=self._serve, name="reminderd-feed", daemon=True)]
        self._threads += [
            threading.Thread(target=self._answer_loop, name=f"reminderd-feed-{n}", daemon=True)
            for n in range(WORKERS)
        ]
        for thread in self._threads:
            thread.start()

    def _serve(self) -> None:
        # Blocks with no timeout while no head is arriving: an idle feed wakes nobody.
        pending: dict[socket.socket, _Pending] = {}
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_read, selectors.EVENT_READ)
            while not self._stopping:
                for key, _ in selector.select(self._next_expiry(pending)):
                    try:
                        if key.fileobj is self.socket:
                            self._accept(selector, pending)
                        elif isinstance(key.fileobj, socket.socket):
                            self._receive(key.fileobj, selector, pending)
                    except Exception:  # one bad connection must not stop the feed
                        log.warning("feed: error while reading a request", exc_info=True)
                        if key.fileobj is not self.socket:
                            self._drop(key.fileobj, selector, pending)
                self._expire(selector, pending)
            for connection in list(pending):
                self._drop(connection, selector, pending)

    def _accept(self, selector: selectors.BaseSelector, pending: dict[Any, _Pending]) -> None:
        for _ in range(_ACCEPT_BATCH):
            try:
                connection, address = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # out of descriptors: shed the oldest and let the backlog wait
                if pending:
                    self._drop(next(iter(pending)), selector, pending)
                    self.shed += 1
                else:
                    time.sleep(0.05)  # the answers hold them all: wait, rather than spin
                return
            connection.setblocking(False)
            pending[connection] = _Pending(address, time.monotonic())
            selector.register(connection, selectors.EVENT_READ)
            if len(pending) > MAX_PENDING:
                self._drop(next(iter(pending)), selector, pending)  # the oldest: the slowest
                self.shed += 1

    def _receive(
        self, connection: socket.socket, selector: selectors.BaseSelector, pending: dict
    ) -> None:
        state = pending.get(connection)
        if state is None:
            return
        try:
            data = connection.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(connection, selector, pending)
            return
        if not data and not state.head:
            self._drop(connection, selector, pending)
            return
        state.head += data
        state.last = time.monotonic()
        if not data or head_complete(state.head):
            selector.unregister(connection)
            del pending[connection]
            self._enqueue(connection, state.address, state.head)

    def _next_expiry(self, pending: dict[Any, _Pending]) -> float | None:
        if not pending:
            return None
        now = time.monotonic()
        soonest = min(
            min(state.last + self.request_timeout, state.started + self.deadline)
            for state in pending.values()
        )
        return max(0.0, soonest - now)

    def _expire(self, selector: selectors.BaseSelector, pending: dict[Any, _Pending]) -> None:
        now = time.monotonic()
        for connection, state in list(pending.items()):
            if now >= state.last + self.request_timeout or now >= state.started + self.deadline:
                self._drop(connection, selector, pending)

    def _drop(self, connection: Any, selector: selectors.BaseSelector, pending: dict) -> None:
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(connection)
        pending.pop(connection, None)
        with contextlib.suppress(OSError):
            connection.close()

    def _enqueue(self, connection: socket.socket, address: Any, head: bytes) -> None:
        with self._work:
            self._queue.append((connection, address, head))
            if len(self._queue) > MAX_QUEUED:
                oldest, _, _ = self._queue.popleft()
                with contextlib.suppress(OSError):
                    oldest.close()
                self.shed += 1
            self._work.notify()

    def _answer_loop(self) -> None:
        while True:
            with self._work:
                self._work.wait_for(lambda: self._queue or self._stopping)
                if not self._queue:
                    return
                connection, address, head = self._queue.popleft()
            try:
                self.answer(connection, address, head)
            except Exception:
                self.handle_error(connection, address)
            finally:
                self.shutdown_request(connection)

    def stop(self) -> None:
        """Stop serving and close the socket; answers being sent finish on their own."""
        if self._threads:
            self._stopping = True
            os.write(self._wake_write, b"x")
            self._threads[0].join()
            with self._work:
                for connection, _, _ in self._queue:
                    with contextlib.suppress(OSError):
                        connection.close()
                self._queue.clear()
                self._work.notify_all()
            self._threads = []
            os.close(self._wake_read)
            os.close(self._wake_write)
        self.server_close()
