"""The subscription feed: a small HTTP server that serves the calendar on one secret path and
nothing else (SPEC §7).

The service owns it: :func:`serve` binds and starts it in a thread, the service pushes new
content with :meth:`FeedServer.set_calendar` after each change, and stops it with
:meth:`FeedServer.stop`. Requests read neither the clock, nor the config, nor any file.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import logging
import os
import re
import secrets
import selectors
import socket
import socketserver
import stat
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO

from reminderd.errors import RuntimeFailure, UserError
from reminderd.platform import files

FEED_NAME = "repayments.ics"
SECRET_FILE = "feed-secret"  # noqa: S105 - a file name, not a secret
SECRET_BYTES = 32  # token_urlsafe(32): 43 characters
MAX_REQUEST_LINE = 2048
MAX_REQUEST_HEAD = 8192  # request line and headers together
MAX_CONNECTIONS = 32
REQUEST_TIMEOUT = 5.0  # seconds a client may stay silent
CONNECTION_DEADLINE = 15.0  # seconds a whole request may take, however slowly it trickles
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
    if files.open_to_others(mode):
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

    def read_body(self, size: int) -> bytes:
        """The page's small POST body: exactly ``size`` bytes, or fewer if the client
        stops (the socket's timeout and the connection's deadline still apply)."""
        return self._stream.read(size)

    def close(self) -> None:
        self._stream.close()


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer
    server_version = "reminderd"
    sys_version = ""
    timeout = REQUEST_TIMEOUT

    def setup(self) -> None:
        self.timeout = self.server.request_timeout
        super().setup()
        # A per-read timeout alone lets a client trickle one byte at a time forever.
        self._watchdog = threading.Timer(self.server.deadline, self._abort)
        self._watchdog.daemon = True
        self._watchdog.start()
        self.rfile = _LimitedReader(self.rfile, MAX_REQUEST_HEAD)  # type: ignore[assignment]

    def finish(self) -> None:
        self._watchdog.cancel()
        with contextlib.suppress(OSError):
            super().finish()

    def _abort(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

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
            self._page()
            return
        if self.command not in ("GET", "HEAD"):
            self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
            self.send_header("Allow", "GET, HEAD")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._answer(head_only=self.command == "HEAD")
        self.wfile.flush()

    def _answer(self, *, head_only: bool) -> None:
        path = self.path.split("?", 1)[0].encode("latin-1", "replace")
        if not hmac.compare_digest(path, self.server.expected_path):
            self._not_found()
            return
        body, etag = self.server.calendar()
        if body is None:
            self.send_response(HTTPStatus.SERVICE_UNAVAILABLE)
            self.send_header("Retry-After", "60")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if _matches(self.headers.get("If-None-Match", ""), etag):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._common_headers(etag)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self._common_headers(etag)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Disposition", f'inline; filename="{FEED_NAME}"')
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

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
        """``length`` bytes of body: what the head's reader holds, then the socket's (with the
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


class FeedServer(ThreadingHTTPServer):
    """Serves one calendar at ``/<secret>/repayments.ics``; 404 for any other path, 405 for
    any method but GET and HEAD. Threads are daemons; a silent client is dropped after
    ``request_timeout`` seconds and any request after ``deadline``."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

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
        silent for ``request_timeout`` seconds, or still talking after ``deadline``, is cut off.

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
        self._content: tuple[bytes | None, str] = (None, "")
        self.page: Any = None  # reminderd.web.routes.PageRoutes, set by the service
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._thread: threading.Thread | None = None
        super().__init__(address[:2], _Handler)
        if calendar is not None:
            self.set_calendar(calendar)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn): slow, and not needed.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    @property
    def port(self) -> int:
        """The port actually bound (useful after binding port 0)."""
        return int(self.server_address[1])

    def set_calendar(self, data: bytes) -> None:
        """Serve ``data`` from now on (a single assignment: readers see old or new, whole)."""
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        self._content = (bytes(data), etag)

    def calendar(self) -> tuple[bytes | None, str]:
        """Return the calendar being served and its ETag (``None`` before the first one)."""
        return self._content

    def process_request(self, request: Any, client_address: Any) -> None:
        # Bound the number of threads a flood of connections can start.
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.warning("feed: error while answering %s", client_address[0], exc_info=True)

    def start(self) -> None:
        """Serve in a daemon thread until :meth:`stop`."""
        self._wake_read, self._wake_write = os.pipe()
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, name="reminderd-feed", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        # socketserver's serve_forever wakes every poll_interval to look for shutdown(); a
        # service that must stay idle blocks on the socket and a wake-up pipe instead.
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self._wake_read, selectors.EVENT_READ)
            while not self._stopping:
                for key, _ in selector.select():
                    if key.fileobj is self and not self._stopping:
                        self._handle_request_noblock()

    def stop(self) -> None:
        """Stop serving and close the socket; requests in flight finish on their own."""
        if self._thread is not None:
            self._stopping = True
            os.write(self._wake_write, b"x")
            self._thread.join()
            self._thread = None
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
