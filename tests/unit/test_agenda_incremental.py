"""The agenda's per-loan cache (issue 17: a tick costs in proportion to what changed) must
answer exactly what a fresh computation over every loan answers, whatever the payments,
snoozes and ``now`` sequence — the clock set back included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from reminderd.agenda import Agenda
from reminderd.config import parse
from reminderd.standing import Paid

ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"]
LEADS = ["7d", "3d", "1d", "0d", "2h", "30m", "25h"]
# The window every drawn date lies in; it spans both DST changes in Berlin and New York.
START = date(2027, 3, 1)
BASE = datetime(2027, 2, 25, tzinfo=UTC)
RENEGOTIATED = """
  - id: r
    name: Renegotiated R
    plan:
      kind: list
      installments:
        - {due: 2027-03-15, amount: 100}
        - {due: 2027-04-15, amount: 100}
        - {due: 2027-05-15, amount: 100}
    renegotiated:
      - on: 2027-04-01
        plan:
          kind: list
          installments:
            - {due: 2027-04-20, amount: 60}
            - {due: 2027-05-20, amount: 60}
            - {due: 2027-06-20, amount: 60}
"""


@st.composite
def configs(draw: st.DrawFn) -> str:
    zone = draw(st.sampled_from(ZONES))
    lines = [f"timezone: {zone}", "loans:"]
    for index in range(draw(st.integers(1, 4))):
        leads = draw(st.lists(st.sampled_from(LEADS), min_size=1, max_size=4, unique=True))
        every = draw(st.sampled_from(["1d", "1h", "2d", "never"]))
        clock = draw(st.sampled_from(["09:00", "00:30", "23:59", "02:30"]))
        lines.append(f"  - id: l{index}")
        lines.append(f"    name: Loan {index}")
        lines.append(
            f'    reminders: {{before: [{", ".join(leads)}], time: "{clock}",'
            f" overdue_every: {every}}}"
        )
        if draw(st.booleans()):
            days = sorted(draw(st.lists(st.integers(0, 120), min_size=1, max_size=5)))
            lines.append("    plan:\n      kind: list\n      installments:")
            for day in days:
                lines.append(f"        - {{due: {START + timedelta(days=day)}, amount: 100}}")
        else:
            step = draw(st.sampled_from(["1 day", "1 week", "1 month"]))
            first = START + timedelta(days=draw(st.integers(0, 30)))
            lines.append(
                f"    plan: {{kind: recurring, amount: 50, first_due: {first},"
                f" every: {step}, count: {draw(st.integers(1, 8))}}}"
            )
    text = "\n".join(lines) + "\n"
    if draw(st.booleans()):
        text += RENEGOTIATED
    return text


# One step of a run: wake at the next instant, move the clock (by minutes, forward or back),
# record a payment, snooze or unsnooze an installment.
steps = st.one_of(
    # As the service does: wake at the next instant (a few seconds or minutes late, or not).
    st.tuples(st.just("wake"), st.sampled_from([0, 0, 0, 1, 299, 300, 301, 3600])),
    st.tuples(st.just("wake"), st.integers(0, 7200)),
    st.tuples(
        st.just("clock"),
        st.one_of(
            st.sampled_from([1, 5, 6, 60, 1440, -1, -60, -1440, 0]),
            st.integers(-2 * 1440, 5 * 1440),
        ),
    ),
    st.tuples(st.just("pay"), st.integers(0, 4), st.sampled_from(["10", "50", "100", "-10"])),
    st.tuples(st.just("snooze"), st.integers(0, 4), st.integers(1, 8), st.integers(-600, 3000)),
    st.tuples(st.just("unsnooze"), st.integers(0, 4), st.integers(1, 8)),
)


@given(
    configs(),
    st.one_of(st.sampled_from([5, 20, 45, 80]), st.integers(0, 130)),
    st.lists(steps, min_size=5, max_size=60),
    st.sampled_from(["UTC", "+08:00", "Europe/Berlin"]),
)
def test_incremental_agenda_equals_a_fresh_full_computation(
    text: str, start: int, run: list[tuple], now_zone: str
) -> None:
    config = parse(text.encode(), Path("test.yaml"))
    ids = [loan.id for loan in config.loans]
    agenda = Agenda(config)
    now = BASE + timedelta(days=start, minutes=start * 7)
    dated: dict[str, list[tuple[date, Decimal]]] = {}
    snoozes: dict[tuple[str, int], datetime] = {}
    # The service's now is UTC; a fixed-offset now (another tzinfo) must read the same, and a
    # now in a zone with DST (wall-clock arithmetic: the cache's moments are taken early).
    zone = {"UTC": UTC, "+08:00": timezone(timedelta(hours=8))}.get(now_zone) or ZoneInfo(now_zone)
    for step in run:
        if step[0] == "clock":
            now += timedelta(minutes=step[1])
        elif step[0] == "wake":
            wake = Agenda(config)._full_next_instant(now, Paid(dated), snoozes)
            now = now if wake is None else wake.astimezone(UTC) + timedelta(seconds=step[1])
        elif step[0] == "pay":
            loan_id = ids[step[1] % len(ids)]
            dated.setdefault(loan_id, []).append((now.date(), Decimal(step[2])))
        elif step[0] == "snooze":
            key = (ids[step[1] % len(ids)], step[2])
            snoozes[key] = (now + timedelta(minutes=step[3])).astimezone(
                timezone(timedelta(hours=8))
            )
        else:
            snoozes.pop((ids[step[1] % len(ids)], step[2]), None)
        paid = Paid(dated)
        at = now.astimezone(zone)
        fresh = Agenda(config)
        assert agenda.due(at, paid, dict(snoozes)) == fresh._full_due(at, paid, snoozes)
        assert agenda.next_instant(at, paid, dict(snoozes)) == fresh._full_next_instant(
            at, paid, snoozes
        )


def test_incremental_agenda_follows_a_payment_between_two_ticks_at_one_instant() -> None:
    # One loan, one installment due 2027-03-10 09:00 Shanghai (01:00 UTC), lead 1d: at
    # 2027-03-09 02:00 UTC (10:00 Shanghai) the 1d reminder (09:00 on the 9th) is due. A full
    # payment of 100 at the same instant must empty the answer with no clock movement, and
    # undoing it (-100) must bring the same reminder back.
    text = """
timezone: Asia/Shanghai
reminders: {before: [1d], time: "09:00", overdue_every: 1d}
loans:
  - id: a
    name: A
    plan: {kind: once, due: 2027-03-10, amount: 100}
"""
    agenda = Agenda(parse(text.encode(), Path("test.yaml")))
    now = datetime(2027, 3, 9, 2, tzinfo=UTC)
    [item] = agenda.due(now, {})
    assert item.reminder.at == datetime(2027, 3, 9, 1, tzinfo=UTC)
    assert agenda.due(now, {"a": Decimal(100)}) == []
    # Nothing left to say: no instant to wake for.
    assert agenda.next_instant(now, {"a": Decimal(100)}) is None
    assert agenda.due(now, {"a": Decimal(0)}) == [item]
    # Next: the due instant, 2027-03-10 09:00 Shanghai = 01:00 UTC.
    assert agenda.next_instant(now, {"a": Decimal(0)}) == datetime(2027, 3, 10, 1, tzinfo=UTC)


def test_incremental_agenda_turns_catch_up_one_microsecond_after_the_grace() -> None:
    # Lead 1d before 2027-03-10 09:00 Shanghai: the reminder is at 2027-03-09 09:00 Shanghai
    # = 01:00 UTC. GRACE is 5 minutes, "missed" means strictly more: at 01:05:00 it is still
    # on time, at 01:05:00.000001 a catch-up; and 24 h + 5 min after the due instant (01:00
    # UTC on the 10th) the 1d reminder turns into an overdue catch-up.
    text = """
timezone: Asia/Shanghai
reminders: {before: [1d, 2d], time: "09:00", overdue_every: never}
loans:
  - id: a
    name: A
    plan: {kind: once, due: 2027-03-10, amount: 100}
"""
    agenda = Agenda(parse(text.encode(), Path("test.yaml")))
    at = datetime(2027, 3, 9, 1, tzinfo=UTC)
    seen = []
    for now in (
        at,
        at + timedelta(minutes=5),
        at + timedelta(minutes=5, microseconds=1),
        at + timedelta(days=1, minutes=5),
        at + timedelta(days=1, minutes=5, microseconds=1),
    ):
        [item] = agenda.due(now, {})
        seen.append((item.reminder.at, item.kind, item.catch_up))
    assert seen == [
        (at, "ahead", False),
        (at, "ahead", False),
        (at, "ahead", True),
        (at, "ahead", True),
        (at, "overdue", True),
    ]
