"""The page's routes against a real SQLite ledger in a tmp dir: a GET never writes, a Paid
POST needs the page's token and records an installment once, however often or however
concurrently it is sent."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from reminderd import ledger
from reminderd.config import parse
from reminderd.ledger import store
from reminderd.web.routes import PageRoutes

SECRET = "s" * 43
NOW = datetime(2027, 1, 20, 4, 0, tzinfo=UTC)  # noon in Shanghai, five days after a due date
CONFIG = parse(
    b"""
timezone: Asia/Shanghai
locale: zh_CN
currency: CNY
loans:
  - id: card
    name: Card
    plan: {kind: equal_principal, principal: 1200, count: 3, first_due: 2027-01-15,
           annual_rate: 12%}
""",
    Path("config.yaml"),
)


@pytest.fixture
def routes(tmp_path: Path) -> PageRoutes:
    return PageRoutes(SECRET, tmp_path / "state", lambda: CONFIG, clock=lambda: NOW)


def payments(routes: PageRoutes) -> list[tuple[str, Decimal, str]]:
    return [
        (p.loan_id, p.amount, p.paid_on.isoformat()) for p in ledger.payments(routes._state_dir)
    ]  # noqa: E501, SLF001


def form(token: str, loan: str = "card", number: int = 1) -> bytes:
    return f"token={token}&loan={loan}&number={number}".encode()


def test_other_paths_are_left_to_the_feed(routes: PageRoutes) -> None:
    assert routes.answer("GET", f"/{SECRET}/repayments.ics", {}, b"") is None
    assert routes.answer("GET", "/not-the-secret/", {}, b"") is None
    assert routes.answer("GET", f"/{SECRET[:-1]}/", {}, b"") is None


def test_a_get_shows_the_page_and_writes_nothing(routes: PageRoutes, tmp_path: Path) -> None:
    status, headers, body = routes.answer("GET", f"/{SECRET}/", {}, b"")  # type: ignore[misc]
    assert status == 200
    assert ("Content-Type", "text/html; charset=utf-8") in headers
    assert any(name == "Content-Security-Policy" for name, _ in headers)
    assert "尚欠".encode() in body and b'name="token"' in body
    assert not store.database_path(tmp_path / "state").exists()  # not even an empty ledger


def test_paid_needs_a_token_the_page_gave(routes: PageRoutes, tmp_path: Path) -> None:
    good = routes.new_token()
    nonce, _, mac = good.partition(".")
    for body in (b"loan=card&number=1", form("abc.def"), form(f"{nonce}x.{mac}"), form(nonce)):
        assert routes.answer("POST", f"/{SECRET}/paid", {}, body)[0] == 403  # type: ignore[index]
    assert not store.database_path(tmp_path / "state").exists()


def test_paid_records_what_the_installment_owes_once(routes: PageRoutes) -> None:
    calls: list[int] = []
    routes._on_paid = lambda: calls.append(1)  # noqa: SLF001 - the service's hook
    token = routes.new_token()
    first = routes.answer("POST", f"/{SECRET}/paid", {}, form(token))
    again = routes.answer("POST", f"/{SECRET}/paid", {}, form(token))
    assert first is not None and again is not None
    assert first[0] == again[0] == 303 and first[1] == again[1]
    # installment 1: principal 400, interest 1% of 1200 = 12.00 → 412.00, dated today there
    assert payments(routes) == [("card", Decimal("412.00"), "2027-01-20")]
    assert calls == [1]
    # Another rendering of the page (a new token): the installment is settled, nothing owed.
    later = routes.answer("POST", f"/{SECRET}/paid", {}, form(routes.new_token()))
    assert later is not None and later[1] == [("Location", "./")]
    assert len(payments(routes)) == 1
    # After a payment the page says so, from the ledger.
    location = dict(first[1])["Location"]
    page = routes.answer("GET", f"/{SECRET}/{location[2:]}", {}, b"")
    assert page is not None and "已记录：Card 还款 ¥412.00。".encode() in page[2]


def test_concurrent_clicks_with_one_token_record_one_payment(routes: PageRoutes) -> None:
    token = routes.new_token()
    statuses: list[int] = []
    start = threading.Barrier(8)

    def click() -> None:
        start.wait()
        answer = routes.answer("POST", f"/{SECRET}/paid", {}, form(token, number=2))
        statuses.append(answer[0] if answer else 0)

    threads = [threading.Thread(target=click) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [303] * 8
    # installment 2: 400 + 1% of 800 = 8.00 → 408.00, recorded once
    assert payments(routes) == [("card", Decimal("408.00"), "2027-01-20")]


def test_wrong_methods_and_bad_forms(routes: PageRoutes) -> None:
    token = routes.new_token()
    assert routes.answer("GET", f"/{SECRET}/paid", {}, b"")[0] == 405  # type: ignore[index]
    assert routes.answer("POST", f"/{SECRET}/", {}, b"")[0] == 405  # type: ignore[index]
    assert routes.answer("POST", f"/{SECRET}/paid", {}, form(token, number=4))[0] == 400  # type: ignore[index]  # noqa: E501
    assert routes.answer("POST", f"/{SECRET}/paid", {}, form(token, loan="nope"))[0] == 400  # type: ignore[index]  # noqa: E501
    assert routes.answer("POST", f"/{SECRET}/paid", {}, b"\xff\xfe")[0] == 400  # type: ignore[index]  # noqa: E501
    assert payments(routes) == []


def test_the_feed_server_hands_a_split_post_to_the_page(routes: PageRoutes) -> None:
    from reminderd.calendar.feed import FeedServer

    server = FeedServer("127.0.0.1", 0, SECRET, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    server.page = routes
    server.start()
    try:
        body = form(routes.new_token())
        head = (
            f"POST /{SECRET}/paid HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
            client.sendall(head)
            time.sleep(0.2)  # the body in a later packet, as a browser may send it
            client.sendall(body)
            reply = client.recv(4096)
        assert reply.startswith(b"HTTP/1.0 303") or reply.startswith(b"HTTP/1.1 303"), reply
        assert payments(routes) == [("card", Decimal("412.00"), "2027-01-20")]
        # The calendar is still served beside the page, and other methods on it still 405.
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
            client.sendall(f"POST /{SECRET}/repayments.ics HTTP/1.1\r\n\r\n".encode())
            assert b" 405 " in client.recv(4096).split(b"\r\n", 1)[0]
    finally:
        server.stop()
