"""The calendar is streamed to its file under a lock and served from the file (issue 17,
issue 11 item 6): the file equals the built calendar byte for byte, a calendar that differs
only in DTSTAMP leaves the file alone, the ledger is read inside the lock, writing never holds
the whole text, and the feed's ETag follows the file's bytes."""

from __future__ import annotations

import http.client
import os
import threading
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from reminderd.calendar import content, export, feed
from reminderd.calendar.writer import CalendarWriter
from reminderd.config import parse

NOW = datetime(2026, 12, 1, tzinfo=UTC)
SECRET = "s" * 43


def make_config(tmp_path: Path, loans: int = 2):
    # Due dates from 2027-01-10 on: nothing falls due between NOW and NOW + 1 day.
    text = ["timezone: UTC", "locale: en", "currency: CNY"]
    text += [f"calendar: {{path: {tmp_path / 'cal' / 'repayments.ics'}}}", "loans:"]
    for index in range(loans):
        text += [
            f"  - id: loan-{index}",
            f"    name: Invented loan {index}",
            "    plan: {kind: equal_principal, principal: 3600, count: 36, first_due: 2027-01-10}",
        ]
    return parse("\n".join(text).encode(), tmp_path / "config.yaml")


def test_write_file_equals_the_built_calendar(tmp_path):
    config = make_config(tmp_path)
    target = export.write(config, {"loan-0": Decimal("150")}, NOW)
    assert target.read_bytes() == content.build_calendar(config, {"loan-0": Decimal("150")}, NOW)


def test_write_same_calendar_later_keeps_the_file_and_its_stamp(tmp_path):
    config = make_config(tmp_path)
    target = export.write(config, {}, NOW)
    before, data = os.stat(target), target.read_bytes()
    export.write(config, {}, NOW + timedelta(hours=5))
    assert os.stat(target).st_ino == before.st_ino and target.read_bytes() == data
    assert b"DTSTAMP:20261201T000000Z" in data  # the first write's stamp stays
    export.write(config, {"loan-1": Decimal("1")}, NOW + timedelta(hours=5))
    changed = target.read_bytes()
    assert changed != data and b"DTSTAMP:20261201T050000Z" in changed


def test_same_but_stamp_compares_across_small_blocks(tmp_path, monkeypatch):
    # Blocks of 97 bytes cut lines anywhere: each block must be cut at a line end to compare.
    monkeypatch.setattr(export, "_BLOCK", 97)
    config = make_config(tmp_path)
    target = export.write(config, {}, NOW)
    inode = os.stat(target).st_ino
    later = NOW + timedelta(minutes=1)
    assert not export.replace_if_changed(target, content.calendar_chunks(config, {}, later), later)
    assert os.stat(target).st_ino == inode
    # The same size, one character different near the end: a change.
    other = content.build_calendar(config, {}, later).replace(
        b"Invented loan 1 ", b"Invented loan 7 "
    )
    assert export.replace_if_changed(target, [other], later)
    assert target.read_bytes() == other


def test_write_reads_the_ledger_inside_the_lock(tmp_path):
    config = make_config(tmp_path)
    target = config.calendar.path
    calls: list[float] = []

    def paid() -> dict[str, Decimal]:
        calls.append(time.monotonic())
        return {"loan-0": Decimal("100")}

    with export.locked(target):
        writer = threading.Thread(target=export.write, args=(config, paid, NOW))
        writer.start()
        writer.join(0.5)
        assert writer.is_alive() and calls == []  # waiting for the lock, ledger not read
        released = time.monotonic()
    writer.join(30)
    assert len(calls) == 1 and calls[0] >= released
    assert "Paid: CN¥100.00" in target.read_text(encoding="utf-8").replace("\r\n ", "")


def test_writing_never_holds_the_whole_calendar(tmp_path):
    config = make_config(tmp_path, loans=100)  # 3,600 events, about 3 MB
    export.write(config, {}, NOW)  # fills the caches that last (plans, formatted dates)
    tracemalloc.start()
    try:
        target = export.write(config, {"loan-0": Decimal(100)}, NOW)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = target.stat().st_size
    assert size > 2_000_000
    assert peak < size / 4, (peak, size)  # a loan's events at a time, not the file


def test_calendar_writer_writes_the_ledger_not_the_stale_request(tmp_path):
    config = make_config(tmp_path)
    written: list[Path] = []
    writer = CalendarWriter(on_written=written.append, read_paid=lambda: {"loan-1": Decimal(7)})
    try:
        writer.request(config, None, {}, NOW)  # the request's own totals are older
        assert writer.wait_idle(30)
    finally:
        writer.stop()
    assert written == [config.calendar.path]
    assert content.build_calendar(config, {"loan-1": Decimal(7)}, NOW) == written[0].read_bytes()


def get(server, etag: str | None = None) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", feed.feed_path(SECRET), headers={"If-None-Match": etag or ""})
        response = connection.getresponse()
        return response.status, response.getheader("ETag") or "", response.read()
    finally:
        connection.close()


@pytest.fixture
def server():
    running = feed.FeedServer("127.0.0.1", 0, SECRET)
    running.start()
    yield running
    running.stop()


def test_feed_serves_the_file_and_its_etag_follows_the_bytes(tmp_path, server):
    path = tmp_path / "cal.ics"
    server.set_calendar_file(path)
    assert get(server)[0] == 503  # no file yet
    export.write_bytes(path, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    status, etag, body = get(server)
    assert (status, body) == (200, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    export.write_bytes(path, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")  # a new file, same bytes
    assert get(server, etag)[:2] == (304, etag)
    export.write_bytes(path, b"BEGIN:VCALENDAR\r\nX-NEW:1\r\nEND:VCALENDAR\r\n")
    status, new_etag, body = get(server, etag)
    assert status == 200 and new_etag != etag and b"X-NEW:1" in body


def test_feed_route_answers_its_path_only(server):
    def page(handler, head_only: bool) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "5")
        handler.end_headers()
        if not head_only:
            handler.wfile.write(b"page\n")

    server.add_route("", page)  # /<secret>/
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", f"/{SECRET}/")
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, b"page\n")
    finally:
        connection.close()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", f"/{SECRET[:-1]}x/")
        assert connection.getresponse().status == 404
    finally:
        connection.close()
