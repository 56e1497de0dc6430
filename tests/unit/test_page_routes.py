"""The page's routes against a real SQLite ledger in a tmp dir: a GET never writes, a Paid
POST needs the page's token and records an installment once, however often or however
concurrently it is sent."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, date, datetime
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


# ---- a renegotiated loan (SPEC §8): Paid pays the version in force, never a closed row ----

RENEGOTIATED = parse(
    b"""
timezone: Asia/Shanghai
locale: en
currency: CNY
loans:
  - id: wallet
    name: Wallet
    plan: {kind: equal_principal, principal: 1200, count: 6, first_due: 2027-01-15,
           annual_rate: 12%}
    renegotiated:
      - on: 2027-04-01
        plan: {kind: equal_principal, principal: 1000, count: 5, first_due: 2027-04-15,
               annual_rate: 0}
""",
    Path("config.yaml"),
)
AFTER = datetime(2027, 4, 20, 4, 0, tzinfo=UTC)  # noon, 20 April 2027 in Shanghai


@pytest.fixture
def renegotiated(tmp_path: Path) -> PageRoutes:
    # Version 1: 212, 210, 208, 206, 204, 202 due the 15th of Jan..Jun (parts 200, 1% a month
    # on 1200, 1000, …). 212 paid on 15 Jan settles #1; on 1 April the agreement rolls #2
    # and #3 (unsettled, due before it) into version 2 and supersedes #4..#6 (due from 15
    # April). Version 2: 1000 / 5 = 200 on the 15th of Apr..Aug, 0%; its #1 is 5 days late.
    state = tmp_path / "renegotiated"  # beside, not in, the `routes` fixture's state dir
    conn = ledger.connect(state, create=True)
    assert conn is not None
    try:
        with ledger.transaction(conn):
            ledger.records.add(
                conn,
                loan_id="wallet",
                amount=Decimal("212.00"),
                currency="CNY",
                paid_on=date(2027, 1, 15),
                recorded_at=datetime(2027, 1, 15, 2, 0, tzinfo=UTC),
            )
    finally:
        conn.close()
    return PageRoutes(SECRET, state, lambda: RENEGOTIATED, clock=lambda: AFTER)


def versioned(token: str, version: int | None, number: int) -> bytes:
    field = "" if version is None else f"&version={version}"
    return f"token={token}&loan=wallet{field}&number={number}".encode()


def test_paid_on_a_renegotiated_loan_pays_the_version_in_force(
    renegotiated: PageRoutes,
) -> None:
    page = renegotiated.answer("GET", f"/{SECRET}/", {}, b"")
    assert page is not None and page[0] == 200
    html = page[2].decode()
    # The only due row is version 2's #1, and its form says so; no version-1 row is offered.
    assert 'data-version="2" data-number="1"' in html
    assert '<input type="hidden" name="version" value="2">' in html
    assert 'data-version="1"' not in html.split('<ul class="dues">')[1].split("</ul>")[0]
    token = renegotiated.new_token()
    answer = renegotiated.answer("POST", f"/{SECRET}/paid", {}, versioned(token, 2, 1))
    assert answer is not None and answer[0] == 303
    # version 2 #1 is 1000 / 5 = 200.00 at 0%, dated today in Shanghai
    assert payments(renegotiated)[-1] == ("wallet", Decimal("200.00"), "2027-04-20")
    # It settled version 2's first installment, not the rolled #2 of version 1 (210.00).
    from reminderd.standing import for_loan

    rows = for_loan(RENEGOTIATED.loans[0], ledger.paid_totals(renegotiated._state_dir)).rows  # noqa: SLF001
    by_key = {(row.installment.version, row.installment.number): row for row in rows}
    assert by_key[(2, 1)].settled
    assert by_key[(1, 2)].paid == 0 and by_key[(1, 2)].rolled_on == date(2027, 4, 1)


def test_paid_never_pays_a_rolled_or_superseded_installment(renegotiated: PageRoutes) -> None:
    token = renegotiated.new_token()
    # A stale page's buttons: rolled #2 and #3, superseded #4, and #2 from a form of before
    # versions (no version field: version 1). Each owes nothing as such: 303 back, no payment.
    for body in (
        versioned(token, 1, 2),
        versioned(token, 1, 3),
        versioned(token, 1, 4),
        versioned(renegotiated.new_token(), None, 2),
    ):
        answer = renegotiated.answer("POST", f"/{SECRET}/paid", {}, body)
        assert answer is not None and (answer[0], answer[1]) == (303, [("Location", "./")])
    # A version or a number the plans do not have is refused.
    for body in (versioned(token, 3, 1), versioned(token, 2, 6), versioned(token, 1, 7)):
        answer = renegotiated.answer("POST", f"/{SECRET}/paid", {}, body)
        assert answer is not None and answer[0] == 400
    assert payments(renegotiated) == [("wallet", Decimal("212.00"), "2027-01-15")]


def test_the_served_page_links_each_loan_to_its_case_read_only(
    routes: PageRoutes, renegotiated: PageRoutes, tmp_path: Path
) -> None:
    # No ledger yet: the case answers (an empty timeline) and creates nothing.
    empty = routes.answer("GET", f"/{SECRET}/case/card", {}, b"")
    assert empty is not None and empty[0] == 200
    assert "案件材料：Card (card)".encode() in empty[2]  # the config's locale is zh_CN
    assert not store.database_path(tmp_path / "state").exists()
    # The renegotiated loan: the page links to case/wallet; the case shows both versions,
    # the 212.00 payment and the agreement, and the ledger file is left as it was.
    page = renegotiated.answer("GET", f"/{SECRET}/", {}, b"")
    assert page is not None and b'href="case/wallet"' in page[2]
    database = store.database_path(renegotiated._state_dir)  # noqa: SLF001
    before = database.stat().st_mtime_ns, database.stat().st_size
    answer = renegotiated.answer("GET", f"/{SECRET}/case/wallet", {}, b"")
    assert answer is not None and answer[0] == 200
    assert ("Content-Type", "text/html; charset=utf-8") in answer[1]
    assert any(name == "Content-Security-Policy" for name, _ in answer[1])
    html = answer[2].decode()
    assert "Wallet (wallet)" in html and "<td>v2</td><td>2027-04-01</td>" in html
    assert "212.00" in html and 'class="agreement"' in html
    assert "SHA256SUMS" not in html  # that line belongs to an exported bundle only
    assert (database.stat().st_mtime_ns, database.stat().st_size) == before
    # Only a configured id, only GET/HEAD; anything else is not the page's.
    assert renegotiated.answer("GET", f"/{SECRET}/case/nope", {}, b"")[0] == 404  # type: ignore[index]
    assert renegotiated.answer("POST", f"/{SECRET}/case/wallet", {}, b"")[0] == 405  # type: ignore[index]
    for target in (f"/{SECRET}/case/", f"/{SECRET}/case/../paid", f"/{SECRET}/case/Wallet"):
        assert renegotiated.answer("GET", target, {}, b"") is None
    assert payments(renegotiated) == [("wallet", Decimal("212.00"), "2027-01-15")]


def test_an_agreement_not_in_force_yet_is_not_paid_from_the_page(
    renegotiated: PageRoutes,
) -> None:
    # 20 March: the agreement of 1 April is written in the config but not in force. Money
    # paid today belongs to version 1, so Paid on version 2's #1 (200, due 15 April) would
    # land on version 1's rows: the page offers no button for it and the server records
    # nothing when asked anyway.
    before = datetime(2027, 3, 20, 4, 0, tzinfo=UTC)
    renegotiated._clock = lambda: before  # noqa: SLF001 - the page's clock
    page = renegotiated.answer("GET", f"/{SECRET}/", {}, b"")
    assert page is not None and 'data-version="2" data-number="1"' in page[2].decode()
    assert b'name="version" value="2"' not in page[2]
    token = renegotiated.new_token()
    answer = renegotiated.answer("POST", f"/{SECRET}/paid", {}, versioned(token, 2, 1))
    assert answer is not None and (answer[0], answer[1]) == (303, [("Location", "./")])
    assert payments(renegotiated) == [("wallet", Decimal("212.00"), "2027-01-15")]
