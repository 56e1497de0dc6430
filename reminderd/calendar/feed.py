"""The subscription feed: a small HTTP server that serves the calendar on one secret path and
nothing else (SPEC §7).

The service owns it: :func:`serve` binds and starts it in a thread, the service points it at
the calendar file with :meth:`FeedServer.set_calendar_file` once written, and stops it with
:meth:`FeedServer.stop`. Each request opens the file, so the feed shows whatever the last
writer (the service, ``pay``, ``export``) renamed into place, streamed from the file with
``sendfile``: the calendar is never held in memory. Its ETag is a hash of the bytes, kept per
file identity, so it changes exactly when the bytes do. Requests read neither the clock nor
the config.

Under load (SPEC §7, issue 11): one thread reads every request head with a selector, so a
slow client costs a socket, not a thread. A head must arrive within ``deadline`` seconds, with
no silence longer than ``request_timeout``; when more than :data:`MAX_PENDING` heads are still
arriving, the oldest (the slowest) is dropped. Complete requests go to :data:`WORKERS` threads
through a queue of at most :data:`MAX_QUEUED`; the listen backlog is :data:`BACKLOG`.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import hmac
import http.client
import io
import logging
import os
import re
import secrets
import selectors
import socket
import socketserver
import stat
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, BinaryIO

from reminderd.errors import RuntimeFailure, UserError

FEED_NAME = "repayments.ics"
SECRET_FILE = "feed-secret"  # noqa: S105 - a file name, not a secret
SECRET_BYTES = 32  # token_urlsafe(32): 43 characters
MAX_REQUEST_LINE = 2048
MAX_REQUEST_HEAD = 8192  # request line and headers together
MAX_PENDING = 512  # connections whose request head is still arriving
MAX_QUEUED = 1024  # complete requests waiting for a worker (a head is small)
WORKERS = 4  # threads that answer; each answer is bounded by the deadline
BACKLOG = 256  # the kernel's queue of connections not yet accepted
_ACCEPT_BATCH = 64
_SEND_PIECE = 1 << 20
REQUEST_TIMEOUT = 5.0  # seconds a client may stay silent
CONNECTION_DEADLINE = 15.0  # seconds a request head (and, apart, an answer) may take in all
_SECRET_TEXT = re.compile(r"^[A-Za-z0-9_-]{32,256}$")
_LISTEN = re.compile(r"^(\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9.-]+)):(?P<port>\d{1,5})$")

log = logging.getLogger("reminderd.feed")


def parse_listen(listen: str) -> tuple[str, int]:
    """Split ``127.0.0.1:8765`` or ``[::1]:8765`` into (host, port); raise ``UserError``."""
    match = _LISTEN.match(listen.strip())
    if match is None or not 0 <= int(match["port"]) < 65536:
        raise UserError(f"not an address: {listen!r} (write 127.0.0.1:8765 or [::1]:8765)")
    return match["v6"] or match["host"], int(match["port"])


def feed_path(secret: str) -> str:
    """Return the URL path the feed answers on."""
    return f"/{secret}/{FEED_NAME}"


def feed_url(host: str, port: int, secret: str, scheme: str = "http") -> str:
    """Return the subscription URL (``http`` or ``webcal``) for a feed at ``host``:``port``."""
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}{feed_path(secret)}"


def load_secret(state_dir: Path, *, create: bool = True) -> str:
    """Return the feed's secret, kept in ``state_dir/feed-secret`` (mode 0600); make one with
    :func:`secrets.token_urlsafe` the first time when ``create``.

    Raises :class:`UserError` when the file is readable by others or does not hold a secret,
    and :class:`RuntimeFailure` when it cannot be read or written.
    """
    path = state_dir / SECRET_FILE
    try:
        if create and not path.exists():
            state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            with contextlib.suppress(FileExistsError):
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "w") as stream:
                    stream.write(secrets.token_urlsafe(SECRET_BYTES) + "\n")
                    stream.flush()
                    os.fsync(stream.fileno())
        mode = stat.S_IMODE(path.stat().st_mode)
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except FileNotFoundError:
        raise UserError(f"no feed secret yet at {path}: run `reminderd feed-url`") from None
    except OSError as error:
        raise RuntimeFailure(f"cannot read or create {path}: {error.strerror}") from None
    if mode & 0o077:
        raise UserError(f"{path} is readable by others; run: chmod 600 {path}")
    if not _SECRET_TEXT.match(text):
        raise UserError(f"{path} does not hold a feed secret; delete it to make a new one")
    return text


class _LimitedReader:
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

    def close(self) -> None:
        self._stream.close()


class _Writer:
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


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer
    server_version = "reminderd"
    sys_version = ""
    timeout = REQUEST_TIMEOUT

    def __init__(
        self, request: socket.socket, address: Any, server: FeedServer, head: bytes
    ) -> None:
        self._head = head
        super().__init__(request, address, server)  # type: ignore[arg-type]

    def setup(self) -> None:
        # The head was read already (by the server's selector); this thread only answers.
        self.connection = self.request
        self.connection.setblocking(True)
        deadline = time.monotonic() + self.server.deadline
        self.rfile = _LimitedReader(io.BytesIO(self._head), MAX_REQUEST_HEAD)  # type: ignore[assignment]
        self.wfile = _Writer(self.connection, self.server.request_timeout, deadline)  # type: ignore[assignment]

    def finish(self) -> None:
        pass  # nothing buffered; the server closes the socket

    def handle(self) -> None:
        self.close_connection = True  # one request per connection, bounded by the deadline
        with contextlib.suppress(OSError, http.client.LineTooLong):
            self.handle_one_request()

    def handle_one_request(self) -> None:
        self.raw_requestline = self.rfile.readline(MAX_REQUEST_LINE + 1)
        if not self.raw_requestline:
            return
        if len(self.raw_requestline) > MAX_REQUEST_LINE:
            self.requestline, self.request_version, self.command = "", "", ""
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            return
        if not self.parse_request():
            return
        if self.command not in ("GET", "HEAD"):
            self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
            self.send_header("Allow", "GET, HEAD")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._answer(head_only=self.command == "HEAD")

    def _answer(self, *, head_only: bool) -> None:
        path = self.path.split("?", 1)[0].encode("latin-1", "replace")
        if hmac.compare_digest(path, self.server.expected_path):
            self._calendar(head_only=head_only)
            return
        route = self.server.route(path)
        if route is None:
            self._not_found()
        else:
            route(self, head_only)

    def _calendar(self, *, head_only: bool) -> None:
        opened = self.server.open_calendar()
        if opened is None:
            self.send_response(HTTPStatus.SERVICE_UNAVAILABLE)
            self.send_header("Retry-After", "60")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body, size, etag = opened
        with contextlib.closing(body):
            if _matches(self.headers.get("If-None-Match", ""), etag):
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self._common_headers(etag)
                self.end_headers()
                return
            self.send_response(HTTPStatus.OK)
            self._common_headers(etag)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(size))
            self.send_header("Content-Disposition", f'inline; filename="{FEED_NAME}"')
            self.end_headers()
            if not head_only:
                self.wfile.send_file(body, size)  # type: ignore[attr-defined]

    def _common_headers(self, etag: str) -> None:
        self.send_header("ETag", etag)
        self.send_header("Cache-Control", "private, no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")

    def _not_found(self) -> None:
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", "10")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(b"not found\n")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        # The request line holds the secret: never let it reach a log.
        text = (format % args).replace(self.server.secret, "<secret>")
        log.debug("%s %s", self.client_address[0], text)


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 §13.1.2: ``*`` or any listed tag equal to ``etag`` under weak comparison."""
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


def _head_complete(head: bytes) -> bool:
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


Route = Callable[[_Handler, bool], None]


class _FileCalendar(io.BytesIO):
    """The in-memory calendar of :meth:`FeedServer.set_calendar`, opened like a file."""


class FeedServer(socketserver.TCPServer):
    """Serves one calendar at ``/<secret>/repayments.ics``; 404 for any other path (unless a
    route is added), 405 for any method but GET and HEAD."""

    allow_reuse_address = True
    request_queue_size = BACKLOG

    def __init__(
        self,
        host: str,
        port: int,
        secret: str,
        calendar: bytes | None = None,
        *,
        request_timeout: float = REQUEST_TIMEOUT,
        deadline: float = CONNECTION_DEADLINE,
    ) -> None:
        """Bind to ``host``:``port`` (IPv4, IPv6 or a name; port 0 picks a free one). A client
        silent for ``request_timeout`` seconds, or whose head is still arriving after
        ``deadline``, is cut off; so is an answer still being sent after ``deadline``.

        Raises ``OSError`` when the address cannot be bound.
        """
        if not _SECRET_TEXT.match(secret):
            raise ValueError("the feed secret must be 32 or more URL-safe characters")
        family, _, _, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        self.address_family = family
        self.secret = secret
        self.request_timeout = request_timeout
        self.deadline = deadline
        self.expected_path = feed_path(secret).encode("ascii")
        self._routes: dict[bytes, Route] = {}
        self._data: tuple[bytes, str] | None = None
        self._file: Path | None = None
        self._etag_lock = threading.Lock()
        self._etag: tuple[tuple[int, int, int, int] | None, str] = (None, "")
        self._work = threading.Condition()
        self._queue: collections.deque[tuple[socket.socket, Any, bytes]] = collections.deque()
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self.shed = 0  # connections dropped to make room (for tests and the bench)
        super().__init__(address[:2], _Handler)
        if calendar is not None:
            self.set_calendar(calendar)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    @property
    def port(self) -> int:
        """The port actually bound (useful after binding port 0)."""
        return int(self.server_address[1])

    # ---- what is served ---------------------------------------------------------------------

    def set_calendar(self, data: bytes) -> None:
        """Serve ``data`` (held in memory) from now on; readers see the old or the new, whole."""
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        self._data, self._file = (bytes(data), etag), None

    def set_calendar_file(self, path: Path) -> None:
        """Serve the file at ``path`` from now on, as it is at each request (it is replaced
        by rename, so a request sees one whole version)."""
        self._file, self._data = path, None

    def add_route(self, suffix: str, respond: Route) -> None:
        """Answer ``/<secret>/<suffix>`` with ``respond(handler, head_only)`` (GET and HEAD
        only; the path is compared in constant time, like the calendar's)."""
        self._routes[f"/{self.secret}/{suffix}".encode("ascii")] = respond

    def route(self, path: bytes) -> Route | None:
        """Return the route for ``path`` (without its query), or ``None``."""
        found = None
        for candidate, respond in self._routes.items():
            if hmac.compare_digest(path, candidate):
                found = respond
        return found

    def open_calendar(self) -> tuple[BinaryIO, int, str] | None:
        """Return the calendar as an open file (the caller closes it), its size and its ETag;
        ``None`` before there is one."""
        if self._data is not None:
            data, etag = self._data
            return _FileCalendar(data), len(data), etag
        if self._file is None:
            return None
        try:
            stream = self._file.open("rb")
        except OSError:
            return None
        info = os.fstat(stream.fileno())
        identity = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        with self._etag_lock:  # one request hashes a new file; the others wait for it
            if self._etag[0] != identity:
                digest = hashlib.sha256()
                while block := stream.read(_SEND_PIECE):
                    digest.update(block)
                stream.seek(0)
                self._etag = (identity, '"' + digest.hexdigest()[:32] + '"')
            etag = self._etag[1]
        return stream, info.st_size, etag

    def calendar(self) -> tuple[bytes | None, str]:
        """Return the calendar being served and its ETag (``None`` before the first one);
        reads the whole file: for tests, not for answering requests."""
        opened = self.open_calendar()
        if opened is None:
            return None, ""
        stream, _, etag = opened
        with stream:
            return stream.read(), etag

    # ---- serving ----------------------------------------------------------------------------

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
        if not data or _head_complete(state.head):
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
                _Handler(connection, address, self, head)
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


def serve(listen: str, state_dir: Path, calendar: bytes | None = None) -> FeedServer:
    """Bind the feed to ``listen`` (``calendar.serve.listen``), with the secret kept in
    ``state_dir`` (made if needed), start it and return it.

    Raises :class:`RuntimeFailure` when the address cannot be bound.
    """
    host, port = parse_listen(listen)
    secret = load_secret(state_dir)
    try:
        server = FeedServer(host, port, secret, calendar)
    except OSError as error:
        raise RuntimeFailure(
            f"cannot serve the calendar on {listen}: {error.strerror or error}"
        ) from None
    server.start()
    return server
