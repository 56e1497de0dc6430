#!/usr/bin/env python3
"""What one service tick costs the agenda (issue 17): ``due`` + ``next_instant`` in ms.

For each size it builds the same config as bench/run.py (N loans, 36 monthly equal-principal
installments, leads 7d/3d/1d/0d, overdue every day) and times, in this process, median
(min–max) over ``--repeat`` runs:

* ``full``: the whole computation over every loan (``Agenda._full_due`` +
  ``_full_next_instant``: what every tick cost before the per-loan cache, and still the cost
  of the first tick after a (re)load or a clock set back);
* ``idle tick``: the cached agenda asked again one second later, nothing changed (the
  15-minute watch wake, or a retry);
* ``payment``: one loan's paid total changed (a payment or undo landed);
* ``instant``: ``now`` moved to the next instant (the loans whose reminder falls then are
  recomputed: here every loan with that first due day, about N/28).

Usage: bench/tick.py [--sizes 1000,10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import write_config  # noqa: E402  (bench/ is not a package)

from reminderd.agenda import Agenda  # noqa: E402
from reminderd.config import parse  # noqa: E402
from reminderd.standing import Paid  # noqa: E402


def timed(tick: Callable[[datetime, Paid], object], now: datetime, paid: Paid) -> float:
    """Run ``tick(now, paid)`` once; return its wall time in ms."""
    start = time.perf_counter()
    tick(now, paid)
    return (time.perf_counter() - start) * 1000


def full(agenda: Agenda) -> Callable[[datetime, Paid], object]:
    """The whole computation, as every tick ran it before the per-loan cache."""
    return lambda now, paid: (agenda._full_due(now, paid), agenda._full_next_instant(now, paid))


def cached(agenda: Agenda) -> Callable[[datetime, Paid], object]:
    """A service tick: the two calls check() makes."""
    return lambda now, paid: (agenda.due(now, paid), agenda.next_instant(now, paid))


def measure(size: int, repeat: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as folder:
        path = write_config(Path(folder), size, None)
        config = parse(path.read_bytes(), path)
    # Eight days on: every loan's first installment (due in 10-37 days) has its 7d reminder
    # passed for some loans and pending for others, as in a running service.
    now = datetime.now(UTC).replace(microsecond=0) + timedelta(days=8)
    paid = Paid({})
    figures: dict[str, list[float]] = {"full": [], "idle": [], "payment": [], "instant": []}
    for _ in range(repeat):
        agenda = Agenda(config)
        figures["full"].append(timed(full(agenda), now, paid))
        tick = cached(agenda)
        tick(now, paid)  # the first tick after a load fills the cache
        later = now + timedelta(seconds=1)
        figures["idle"].append(timed(tick, later, paid))
        one = Paid({config.loans[size // 2].id: [(later.date(), Decimal("100"))]})
        figures["payment"].append(timed(tick, later, one))
        # The service reads its clock in UTC, as here.
        wake = (agenda.next_instant(later, one) or later).astimezone(UTC)
        figures["instant"].append(timed(tick, wake, one))
    return figures


def show(samples: list[float]) -> str:
    return f"{statistics.median(samples):.2f} ({min(samples):.2f}–{max(samples):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| loans | full (before) | idle tick | payment lands | instant passes |")  # noqa: T201
    print("|---|---|---|---|---|")  # noqa: T201
    for size in (int(text) for text in args.sizes.split(",")):
        got = measure(size, args.repeat)
        row = " | ".join(show(got[key]) for key in ("full", "idle", "payment", "instant"))
        print(f"| {size:,} | {row} |")  # noqa: T201
    print(f"ms of due + next_instant, median (min–max) of {args.repeat}")  # noqa: T201


if __name__ == "__main__":
    main()
