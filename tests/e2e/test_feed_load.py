"""The feed keeps answering under load (issue 11, item 7): 200 sockets trickling a request
head a byte a second, and 500 GETs at once, against the installed service's feed on loopback.
The load comes from ``bench/feedload.py`` (which the README's figures use too); these tests
assert that every subscriber's request is answered, never how fast."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reminderd.calendar import feed, httpd
from tests.e2e.conftest import Cli
from tests.support.service import ServiceProcess, wait_for
from tests.support.smtp import free_port

BENCH = Path(__file__).resolve().parents[2] / "bench" / "feedload.py"
_spec = importlib.util.spec_from_file_location("feedload", BENCH)
assert _spec is not None and _spec.loader is not None
feedload = importlib.util.module_from_spec(_spec)
sys.modules["feedload"] = feedload
_spec.loader.exec_module(feedload)

CONFIG = """timezone: UTC
locale: en
reminders: {{before: [1d], overdue_every: never}}
channels:
  command: {{argv: [/bin/true]}}
calendar: {{path: {calendar}, serve: {{listen: "127.0.0.1:{port}"}}}}
loans:
  - id: car
    name: Invented car loan
    plan: {{kind: equal_principal, principal: 1200, count: 12, first_due: "{first}"}}
"""


@pytest.fixture
def feed_url(run_cli: Cli):
    """The installed service serving its feed; yields (port, path of the calendar)."""
    port = free_port()
    first = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    calendar = run_cli.root / "repayments.ics"
    run_cli.write_config(CONFIG.format(calendar=calendar, port=port, first=first))
    service = ServiceProcess(run_cli.config, run_cli.state_dir, run_cli.env)
    service.start()
    try:
        path = feed.feed_path(feed.load_secret(run_cli.state_dir, create=False))
        assert wait_for(lambda: feedload.get(port, path)[0] == 200, 30), service.log()
        yield port, path
    finally:
        service.kill()


def test_feed_answers_a_subscriber_while_200_sockets_trickle(feed_url) -> None:
    port, path = feed_url
    with feedload.Trickle(port, count=200, every=1.0) as trickle:
        assert wait_for(lambda: trickle.opened >= 200, 30)
        answers = [feedload.get(port, path, timeout=30) for _ in range(10)]
    assert [status for status, _ in answers] == [200] * 10


def test_feed_answers_500_concurrent_gets(feed_url) -> None:
    port, path = feed_url
    answers = feedload.flood(port, path, count=500, timeout=120)
    statuses = [status for status, _ in answers]
    assert statuses.count(200) == 500, sorted(set(statuses))


def test_feed_sheds_the_oldest_slow_socket_not_the_new_subscriber(monkeypatch) -> None:
    # A pool of 8 heads in progress and 30 slow sockets: the server must drop the oldest
    # slow ones to let the subscriber's complete request in.
    monkeypatch.setattr(httpd, "MAX_PENDING", 8)
    secret = "s" * 43
    server = feed.FeedServer("127.0.0.1", 0, secret, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    server.start()
    try:
        with feedload.Trickle(server.port, count=30, every=0.5) as trickle:
            assert wait_for(lambda: trickle.opened >= 30, 30)
            answers = [feedload.get(server.port, feed.feed_path(secret)) for _ in range(5)]
        assert [status for status, _ in answers] == [200] * 5
        assert server.shed >= 30 - 8  # slow sockets beyond the pool were dropped
    finally:
        server.stop()
