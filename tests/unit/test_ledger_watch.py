"""The service notices a ledger change made by another program (issue 11, item 6): a payment
or a snooze calls back, the service's own delivery-log writes do not, and the watch works
both with inotify and by looking at the files once a second. Real SQLite files."""

from __future__ import annotations

import contextlib
import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from reminderd import ledger
from reminderd.ledger import records, watch
from tests.support.service import wait_for

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def pay(state_dir, amount: str = "10") -> None:
    conn = ledger.connect(state_dir, create=True)
    assert conn is not None
    with contextlib.closing(conn), ledger.transaction(conn):
        records.add(
            conn,
            loan_id="car",
            amount=Decimal(amount),
            currency="CNY",
            paid_on=date(2026, 12, 1),
            recorded_at=NOW,
        )


def log_a_delivery(state_dir) -> None:
    conn = ledger.connect(state_dir, create=True)
    assert conn is not None
    with contextlib.closing(conn), ledger.transaction(conn):
        conn.execute(
            "INSERT INTO kv (key, value) VALUES ('probe', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (datetime.now(UTC).isoformat(),),
        )


@pytest.fixture(params=["inotify", "polling"])
def watched(request, tmp_path, monkeypatch):
    if request.param == "polling":
        monkeypatch.setattr(watch, "_inotify", lambda directory: -1)
    pay(tmp_path)  # the ledger exists before the service starts, as the service makes it
    calls: list[int] = []
    lock = threading.Lock()

    def changed() -> None:
        with lock:
            calls.append(1)

    watcher = watch.LedgerWatcher(tmp_path, changed)
    assert watcher.start() == request.param
    try:
        yield tmp_path, calls, watcher
    finally:
        watcher.stop()


def test_ledger_watch_calls_back_for_a_payment_not_for_other_writes(watched):
    state_dir, calls, _ = watched
    log_a_delivery(state_dir)  # written by the service itself: no reason to check
    pay(state_dir, "5")
    assert wait_for(lambda: len(calls) >= 1, 10)
    log_a_delivery(state_dir)
    log_a_delivery(state_dir)
    pay(state_dir, "6")
    assert wait_for(lambda: len(calls) >= 2, 10)
    log_a_delivery(state_dir)
    snooze(state_dir)  # a sentinel: the watch reads changes in order, so once it has called
    assert wait_for(lambda: len(calls) >= 3, 10)  # back for this, it has seen the log write
    assert len(calls) == 3  # one per payment or snooze, none for the delivery log


def snooze(state_dir) -> None:
    conn = ledger.connect(state_dir, create=True)
    assert conn is not None
    with contextlib.closing(conn), ledger.transaction(conn):
        conn.execute(
            "INSERT INTO snoozes (loan_id, number, until) VALUES ('car', 1, ?) "
            "ON CONFLICT (loan_id, number) DO UPDATE SET until = excluded.until",
            (datetime.now(UTC).isoformat(),),
        )


def test_ledger_watch_calls_back_for_a_snooze(watched):
    state_dir, calls, _ = watched
    snooze(state_dir)
    assert wait_for(lambda: len(calls) == 1, 10)
