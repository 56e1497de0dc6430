"""The subscription feed: a small HTTP server that serves the calendar on one secret path and
nothing else (SPEC §7).

The service owns it: :func:`serve` binds and starts it in a thread, the service points it at
the calendar file with :meth:`FeedServer.set_calendar_file` once written, and stops it with
:meth:`FeedServer.stop`. Each request opens the file, so the feed shows whatever the last
writer (the service, ``pay``, ``export``) renamed into place, streamed from the file with
``sendfile``: the calendar is never held in memory. Its ETag is a hash of the bytes, kept per
file identity, so it changes exactly when the bytes do. Requests read neither the clock nor
the config.

Under load (SPEC §7, issue 11) the connections are handled by :mod:`.httpd`: request heads
read by one selector thread with deadlines, a bounded pool that drops the slowest first, a
few answering threads and a real listen backlog.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import io
import logging
import os
import re
import secrets
import socket
import stat
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, BinaryIO

from reminderd.calendar import httpd
from reminderd.calendar.httpd import MAX_REQUEST_HEAD, MAX_REQUEST_LINE
from reminderd.errors import RuntimeFailure, UserError

FEED_NAME = "repayments.ics"
SECRET_FILE = "feed-secret"  # noqa: S105 - a file name, not a secret
SECRET_BYTES = 32  # token_urlsafe(32): 43 characters
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
        self.rfile = httpd.LimitedReader(io.BytesIO(self._head), MAX_REQUEST_HEAD)  # type: ignore[assignment]
        self.wfile = httpd.Writer(self.connection, self.server.request_timeout, deadline)  # type: ignore[assignment]

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
        if self.server.page is not None and self.server.page.owns(self.path):
            self._page()  # the page's routes say which paths (and methods) are theirs
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

    def _page(self) -> None:
        """Let the page's routes (:mod:`reminderd.web.routes`) answer. A POST body is read
        only up to the routes' bound."""
        from reminderd.web.routes import MAX_BODY

        body = b""
        if self.command == "POST":
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY:
                status = HTTPStatus.LENGTH_REQUIRED if length < 0 else HTTPStatus(413)
                self._send(status, [], b"")
                return
            body = self._read_body(length)
        self._send(*self.server.page.answer(self.command, self.path, self.headers, body))

    def _read_body(self, length: int) -> bytes:
        """``length`` bytes of body: what arrived with the head, then the socket's (with the
        request timeout; the connection's deadline still applies)."""
        body = self.rfile.read_body(length)  # type: ignore[attr-defined]
        if len(body) < length:
            self.connection.settimeout(self.server.request_timeout)
        while len(body) < length:
            chunk = self.connection.recv(length - len(body))
            if not chunk:
                break
            body += chunk
        return body

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

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


Route = Callable[[_Handler, bool], None]


class _FileCalendar(io.BytesIO):
    """The in-memory calendar of :meth:`FeedServer.set_calendar`, opened like a file."""


class FeedServer(httpd.HeadServer):
    """Serves one calendar at ``/<secret>/repayments.ics``; 404 for any other path (unless a
    route is added), 405 for any method but GET and HEAD."""

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
        self.secret = secret
        self.expected_path = feed_path(secret).encode("ascii")
        self._routes: dict[bytes, Route] = {}
        self.page: Any = None  # reminderd.web.routes.PageRoutes, set by the service
        self._data: tuple[bytes, str] | None = None
        self._file: Path | None = None
        self._etag_lock = threading.Lock()
        self._etag: tuple[tuple[int, int, int, int] | None, str] = (None, "")
        super().__init__(address[:2], family, request_timeout, deadline)
        if calendar is not None:
            self.set_calendar(calendar)

    def answer(self, connection: socket.socket, address: Any, head: bytes) -> None:
        _Handler(connection, address, self, head)

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
                while block := stream.read(1 << 20):
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
