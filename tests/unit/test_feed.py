"""The subscription feed, served for real on loopback (ephemeral ports), read with
``http.client`` and raw sockets."""

from __future__ import annotations

import http.client
import logging
import os
import select
import socket
import stat
import time

import pytest

from reminderd.calendar import feed
from reminderd.errors import UserError

SECRET = "s" * 10 + "-_" + "A1b2C3d4e5F6g7H8i9J0k1L2m3"
TIMEOUT = 0.5
DEADLINE = 2.0
BODY = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def server():
    running = feed.FeedServer(
        "127.0.0.1", 0, SECRET, BODY, request_timeout=TIMEOUT, deadline=DEADLINE
    )
    running.start()
    yield running
    running.stop()


def request(server, method="GET", path=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request(method, path or feed.feed_path(SECRET), headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def raw(server, data: bytes, wait: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def test_feed_get_secret_path_serves_calendar(server):
    status, headers, body = request(server)
    assert status == 200 and body == BODY
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert headers["ETag"].startswith('"') and headers["Cache-Control"]
    assert headers["Content-Length"] == str(len(BODY))
    assert "Python" not in headers.get("Server", "")


def test_feed_if_none_match_same_etag_304(server):
    _, headers, _ = request(server)
    status, again, body = request(server, headers={"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b"" and again["ETag"] == headers["ETag"]
    status, _, body = request(server, headers={"If-None-Match": '"other", W/' + headers["ETag"]})
    assert status == 304
    status, _, body = request(server, headers={"If-None-Match": '"stale"'})
    assert status == 200 and body == BODY


def test_feed_set_calendar_new_content_new_etag(server):
    _, first, _ = request(server)
    server.set_calendar(BODY.replace(b"2.0", b"2.0\r\nX-NEW:1"))
    status, second, body = request(server, headers={"If-None-Match": first["ETag"]})
    assert status == 200 and b"X-NEW:1" in body and second["ETag"] != first["ETag"]


def test_feed_head_headers_without_body(server):
    status, headers, body = request(server, "HEAD")
    assert status == 200 and body == b"" and headers["Content-Length"] == str(len(BODY))


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/repayments.ics",
        "/" + SECRET[:-1] + "x/repayments.ics",
        "/" + SECRET + "/",
        "/" + SECRET + "/other.ics",
        "/" + SECRET + "/../" + SECRET + "/repayments.ics",
        "/x/../" + SECRET + "/repayments.ics",
        "/%2e%2e/" + SECRET + "/repayments.ics",
        "/" + SECRET + "/%2e%2e/repayments.ics",
        "/" + SECRET.upper() + "/repayments.ics",
        "/etc/passwd",
        "/" + "a" * 1500,
    ],
)
def test_feed_other_path_404(server, path):
    status, _, body = request(server, path=path)
    assert status == 404 and b"BEGIN:VCALENDAR" not in body


def test_feed_query_string_ignored(server):
    status, _, body = request(server, path=feed.feed_path(SECRET) + "?refresh=1")
    assert status == 200 and body == BODY


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "PROPFIND"])
def test_feed_other_method_405(server, method):
    status, headers, body = request(server, method)
    assert status == 405 and headers["Allow"] == "GET, HEAD" and BODY not in body


def test_feed_huge_request_line_rejected(server):
    answer = raw(server, b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 414") or answer.startswith(b"HTTP/1.1 414")


def test_feed_huge_headers_rejected(server):
    path = feed.feed_path(SECRET).encode()
    headers = b"".join(b"X-%d: %s\r\n" % (n, b"v" * 500) for n in range(40))
    answer = raw(server, b"GET " + path + b" HTTP/1.1\r\n" + headers + b"\r\n")
    assert b" 431 " in answer.split(b"\r\n", 1)[0]


def test_feed_silent_client_dropped_within_timeout(server):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT + 5) as sock:
        assert sock.recv(1024) == b""  # the server closed it; a client timeout would raise
    assert time.monotonic() - started < TIMEOUT + 1


def test_feed_defaults_drop_silent_clients():
    # A server built with the defaults, as the service builds it: a client that says nothing
    # is dropped after the default 5 s of silence (not before: a slow phone on a bad network
    # gets its 5 s), and well before the 15 s deadline; 30 s here only guards against a hang.
    assert (feed.REQUEST_TIMEOUT, feed.CONNECTION_DEADLINE) == (5.0, 15.0)
    running = feed.FeedServer("127.0.0.1", 0, SECRET, BODY)
    running.start()
    try:
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", running.port), timeout=30) as sock:
            assert sock.recv(1024) == b""  # closed by the server; a client timeout raises
        assert time.monotonic() - started >= 5.0 - 0.1  # dropped for silence, not at once
    finally:
        running.stop()


def test_feed_trickling_client_dropped_by_deadline(server):
    # A byte every 0.2 s never trips the per-read timeout; the overall deadline ends it.
    started = time.monotonic()
    closed = False
    with socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
        for _ in range(int(DEADLINE / 0.2) + 25):
            try:
                sock.sendall(b"G")
            except OSError:
                closed = True
                break
            readable, _, _ = select.select([sock], [], [], 0.2)
            if readable and sock.recv(4096) == b"":
                closed = True
                break
    elapsed = time.monotonic() - started
    # Not before the deadline; and closed at all within the loop's bound (about 5 s past it),
    # with no tighter wall-clock figure that a loaded machine could miss.
    assert closed and DEADLINE - 0.5 < elapsed


def test_feed_secret_never_logged(server, caplog):
    caplog.set_level(logging.DEBUG, logger="reminderd.feed")
    request(server)
    request(server, path="/nope")
    assert caplog.records and SECRET not in caplog.text


def test_feed_before_first_calendar_503():
    empty = feed.FeedServer("127.0.0.1", 0, SECRET)
    empty.start()
    try:
        assert request(empty)[0] == 503
    finally:
        empty.stop()


def test_feed_ipv6_loopback_serves():
    if not socket.has_ipv6:
        pytest.skip("no IPv6 here")
    try:
        server = feed.FeedServer("::1", 0, SECRET, BODY)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    server.start()
    try:
        connection = http.client.HTTPConnection("::1", server.port, timeout=5)
        connection.request("GET", feed.feed_path(SECRET))
        assert connection.getresponse().read() == BODY
        connection.close()
    finally:
        server.stop()


def test_feed_short_secret_refused():
    with pytest.raises(ValueError, match="32"):
        feed.FeedServer("127.0.0.1", 0, "short")


def test_load_secret_created_private_and_kept(tmp_path):
    state = tmp_path / "state"
    first = feed.load_secret(state)
    assert len(first) >= 32
    assert stat.S_IMODE((state / feed.SECRET_FILE).stat().st_mode) == 0o600
    assert feed.load_secret(state) == first


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602, 0o610])
def test_load_secret_readable_by_others_refused(tmp_path, mode):
    # Anyone but the owner — the group or the world, reading, writing or even just
    # executing — is one permission too many for the key to the feed and the page.
    feed.load_secret(tmp_path)
    os.chmod(tmp_path / feed.SECRET_FILE, mode)
    with pytest.raises(UserError, match="chmod 600"):
        feed.load_secret(tmp_path)


def test_serve_listen_address_binds_and_stops(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = feed.serve(f"127.0.0.1:{port}", tmp_path, BODY)
    try:
        assert server.port == port
        secret = feed.load_secret(tmp_path)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", feed.feed_path(secret))
        assert connection.getresponse().read() == BODY
        connection.close()
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("listen", "expected"),
    [
        ("127.0.0.1:8765", ("127.0.0.1", 8765)),
        ("[::1]:80", ("::1", 80)),
        ("localhost:1", ("localhost", 1)),
    ],
)
def test_parse_listen_forms_split(listen, expected):
    assert feed.parse_listen(listen) == expected


def test_feed_url_ipv6_bracketed():
    assert feed.feed_url("::1", 8765, SECRET, "webcal") == (
        f"webcal://[::1]:8765/{SECRET}/repayments.ics"
    )
