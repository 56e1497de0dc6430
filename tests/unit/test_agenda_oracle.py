"""Which reminders are due when: the service's incremental agenda, stepped through time past
every reminder, due instant, grace end, snooze end and payment, must say what a fresh
computation says at every step, and must never tell the service to sleep past the moment a
new reminder falls due. Then the edge cases of what is due, worked out by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reminderd import reminders
from reminderd.agenda import GRACE, Agenda, Due
from reminderd.config import parse
from reminderd.model import Config
from reminderd.standing import Paid

TICK = timedelta(microseconds=1)
SHANGHAI = timezone(timedelta(hours=8))  # how the ledger hands back a snooze's end


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


def config_of(text: str) -> Config:
    return parse(text.encode(), Path("test.yaml"))


# ---- the oracle walk ----------------------------------------------------------------------


@dataclass
class Scenario:
    """A config and, from given instants on, the payments and snoozes the ledger holds."""

    text: str
    payments: list[tuple[datetime, dict[str, list[tuple[date, Decimal]]]]] = field(
        default_factory=list
    )
    snoozes: list[tuple[datetime, dict[tuple[str, int], datetime]]] = field(default_factory=list)
    start: datetime | None = None  # the service starts here (anything earlier was missed)

    def inputs(self, now: datetime) -> tuple[int, Paid, dict[tuple[str, int], datetime]]:
        """The ledger at ``now``: a segment number (which inputs hold), payments, snoozes."""
        dated: dict[str, list[tuple[date, Decimal]]] = {}
        snoozed: dict[tuple[str, int], datetime] = {}
        segment = 0
        for when, rows in self.payments:
            if when <= now:
                dated = rows
                segment += 1
        for when, rows in self.snoozes:
            if when <= now:
                snoozed = rows
                segment += 100
        return segment, Paid(dated), dict(snoozed)


SCENARIOS = {
    # Two installments two days apart, leads 3d and 1d, a daily overdue repeat: the first is
    # snoozed until exactly its due instant, the second until a day after its own; a full
    # payment of the first arrives while both are overdue (one grouped message).
    "snoozes_and_a_payment_while_overdue": Scenario(
        text="""
timezone: Asia/Shanghai
reminders: {before: [3d, 1d], time: "09:00", overdue_every: 1d}
loans:
  - id: a
    name: Loan A
    plan:
      kind: list
      installments:
        - {due: 2027-03-10, amount: 100}
        - {due: 2027-03-12, amount: 100}
""",
        snoozes=[
            (
                shanghai("2027-03-09T09:02:00"),
                {
                    ("a", 1): shanghai("2027-03-10T09:00:00").astimezone(SHANGHAI),
                    ("a", 2): shanghai("2027-03-13T12:00:00").astimezone(SHANGHAI),
                },
            )
        ],
        payments=[(shanghai("2027-03-12T15:00:00"), {"a": [(date(2027, 3, 12), Decimal(100))]})],
    ),
    # A snooze that ends between two reminders, before the due instant, and a lead-0 "due"
    # reminder with no overdue repeats: it turns overdue only after the grace.
    "snooze_before_due_and_no_repeats": Scenario(
        text="""
timezone: Europe/Berlin
reminders: {before: [2d, 0d], time: "08:30", overdue_every: never}
loans:
  - id: b
    name: Loan B
    plan: {kind: once, due: 2027-03-29, amount: 250}
""",
        snoozes=[
            (
                datetime(2027, 3, 27, 7, 40, tzinfo=UTC),
                {("b", 1): datetime(2027, 3, 28, 10, 0, tzinfo=UTC)},
            )
        ],
    ),
    # The service starts after the 1d reminder was missed (a catch-up) and keeps running past
    # the due instant: the catch-up turns into an overdue message once the grace is over.
    "catch_up_then_overdue": Scenario(
        text="""
timezone: Asia/Shanghai
reminders: {before: [1d], time: "09:00", overdue_every: never}
loans:
  - id: c
    name: Loan C
    plan: {kind: once, due: 2027-03-10, amount: 100}
""",
        start=shanghai("2027-03-09T12:00:00"),
    ),
    # Every 2 days overdue, two loans, and a partial payment then the rest.
    "overdue_every_two_days_two_loans": Scenario(
        text="""
timezone: Asia/Shanghai
reminders: {before: [1d], time: "09:00", overdue_every: 2d}
loans:
  - id: d
    name: Loan D
    plan: {kind: recurring, amount: 50, first_due: 2027-03-10, every: 1 week, count: 2}
  - id: e
    name: Loan E
    reminders: {before: [25h, 2h], time: "23:59", overdue_every: 1d}
    plan: {kind: once, due: 2027-03-11, amount: 80}
""",
        payments=[
            (shanghai("2027-03-13T10:00:00"), {"d": [(date(2027, 3, 13), Decimal(30))]}),
            (
                shanghai("2027-03-14T10:00:00"),
                {"d": [(date(2027, 3, 13), Decimal(30)), (date(2027, 3, 14), Decimal(20))]},
            ),
        ],
    ),
}


def grid(config: Config, scenario: Scenario) -> list[datetime]:
    """Where to look: just before, at and just after every reminder instant, due instant,
    grace end, snooze end and payment (the places where an answer can change), an hour after
    each, and every six hours around them. Only the places come from the code under test;
    the verdict is the comparison."""
    agenda = Agenda(config)
    keys: list[datetime] = []
    for loan in config.loans:
        for inst in agenda.rows[loan.id]:
            keys.append(inst.due_at)
            keys.extend(reminder.at for reminder in reminders.before_due(inst, loan.reminders))
            every = loan.reminders.overdue_every
            if every is not None:
                keys.extend(every.after(inst.due_at, step) for step in (1, 2, 3, 4))
    keys.extend(until for _, rows in scenario.snoozes for until in rows.values())
    keys.extend(when for when, _ in scenario.snoozes + scenario.payments)
    found = set()
    for key in keys:
        for offset in (-TICK, timedelta(0), TICK, GRACE, GRACE + TICK, timedelta(hours=1)):
            found.add((key + offset).astimezone(UTC))
    # And every six hours from a day before the first to a day after the last of them.
    moment, last = min(found) - timedelta(days=1), max(found) + timedelta(days=1)
    while moment < last:
        found.add(moment)
        moment += timedelta(hours=6)
    points = sorted(found)
    if scenario.start is not None:
        points = [point for point in points if point >= scenario.start]
    return points


def new_keys(before: list[Due], after: list[Due]) -> set[str]:
    """Reminder keys (what the delivery log sends once) in ``after`` but not in ``before``."""

    def keys(found: list[Due]) -> set[str]:
        return {member.reminder.key for due in found for member in due.members}

    return keys(after) - keys(before)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
@pytest.mark.parametrize("stride", [1, 2, 5])
@pytest.mark.parametrize("now_zone", ["UTC", "Europe/Berlin"])
def test_stepped_agenda_says_what_a_fresh_one_says_and_never_wakes_late(
    name: str, stride: int, now_zone: str
) -> None:
    """If this fails, the running service sends a reminder late, twice, in the wrong words,
    or not at all, where a freshly started one would not."""
    scenario = SCENARIOS[name]
    config = config_of(scenario.text)
    zone = UTC if now_zone == "UTC" else ZoneInfo(now_zone)
    points = grid(config, scenario)
    oracle = Agenda(config)  # only its from-scratch methods are used: they keep no cache
    fresh: dict[tuple[datetime, int], list[Due]] = {}

    def fresh_due(at: datetime, segment: int, paid: Paid, snoozes: dict) -> list[Due]:
        if (at, segment) not in fresh:
            fresh[(at, segment)] = oracle._full_due(at.astimezone(zone), paid, snoozes)
        return fresh[(at, segment)]

    agenda = Agenda(config)
    for at in points[::stride]:
        segment, paid, snoozes = scenario.inputs(at)
        now = at.astimezone(zone)
        expected = fresh_due(at, segment, paid, snoozes)
        assert agenda.due(now, paid, dict(snoozes)) == expected, at
        wake = agenda.next_instant(now, paid, dict(snoozes))
        assert wake == oracle._full_next_instant(now, paid, snoozes), at
        # With the ledger as it is now, the first later place where a reminder not yet due
        # now falls due: the service must be awake by then.
        change = next(
            (
                later
                for later in points
                if later > at and new_keys(expected, fresh_due(later, segment, paid, snoozes))
            ),
            None,
        )
        if change is not None:
            assert wake is not None and wake <= change, (at, wake, change)


def test_the_walk_crosses_snoozes_a_grouped_overdue_message_and_catch_ups() -> None:
    """The walk above is only as good as the answers it crosses: its first scenario holds a
    snooze turning overdue, a catch-up and a grouped overdue message, checked here by hand."""
    scenario = SCENARIOS["snoozes_and_a_payment_while_overdue"]
    agenda = Agenda(config_of(scenario.text))

    def seen(text: str) -> list[tuple[str, str, bool, list[str]]]:
        now = shanghai(text)
        _, paid, snoozes = scenario.inputs(now)
        return [
            (due.reminder.key, due.kind, due.catch_up, [m.reminder.key for m in due.group])
            for due in agenda.due(now, paid, snoozes)
        ]

    # Installment 2 (due 03-12 09:00) had its 3d reminder at 03-09 09:00, 24 h ago: past
    # the grace. Installment 1's snooze ends at its due instant, 03-10 09:00: at that instant
    # it is not yet overdue, 1 µs later it is.
    assert seen("2027-03-10T09:00:00") == [
        ("a/2/ahead/2027-03-09T09:00:00+08:00", "ahead", True, []),
        ("a/1/snooze/2027-03-10T09:00:00+08:00", "ahead", False, []),
    ]
    assert seen("2027-03-10T09:00:00.000001")[1] == (
        "a/1/snooze/2027-03-10T09:00:00+08:00",
        "overdue",
        False,
        [],
    )
    # 03-12 09:06: installment 1's overdue step 2 (03-10 + 2 d = 03-12 09:00) and
    # installment 2 past its due instant by 6 min (beyond the 5-min grace, so its 1d reminder
    # of 03-11 09:00 reads overdue, as a catch-up): one message, led by the newer one.
    assert seen("2027-03-12T09:06:00") == [
        (
            "a/2/ahead/2027-03-11T09:00:00+08:00",
            "overdue",
            True,
            ["a/1/overdue/2027-03-12T09:00:00+08:00"],
        )
    ]


# ---- what is due, by hand -----------------------------------------------------------------

ONCE = """
timezone: Asia/Shanghai
reminders: {before: [3d, 1d], time: "09:00", overdue_every: 1d}
loans:
  - id: a
    name: Loan A
    plan: {kind: once, due: 2027-03-10, amount: 100}
"""
# Due 2027-03-10 09:00 Shanghai; its 3d reminder at 03-07 09:00, its 1d one at 03-09 09:00,
# overdue repeats at 03-11 09:00, 03-12 09:00, ...


def told(found: list[Due]) -> list[tuple[str, str, bool]]:
    return [(due.reminder.key, due.kind, due.catch_up) for due in found]


@pytest.mark.parametrize(
    ("until", "now", "expected"),
    [
        # The 3d reminder snoozed for two days ends exactly at the 1d reminder: that one
        # reminder is sent, as the 1d reminder, not as a second "snooze" message.
        ("2027-03-09T09:00:00", "2027-03-09T09:01:00", "a/1/ahead/2027-03-09T09:00:00+08:00"),
        # A snooze that ended before the 1d reminder is superseded by it.
        ("2027-03-08T12:00:00", "2027-03-09T09:01:00", "a/1/ahead/2027-03-09T09:00:00+08:00"),
        # The 1d reminder snoozed for 4 hours: at 13:01 the snooze's end is what is due,
        # on time (1 min after it, within the 5-min grace).
        ("2027-03-09T13:00:00", "2027-03-09T13:01:00", "a/1/snooze/2027-03-09T13:00:00+08:00"),
    ],
)
def test_a_snooze_is_sent_at_its_end_unless_a_later_reminder_supersedes_it(
    until: str, now: str, expected: str
) -> None:
    """If this fails, a snoozed loan sends its next reminder twice, under the wrong name,
    or a snooze hides a later reminder."""
    agenda = Agenda(config_of(ONCE))
    snoozes = {("a", 1): shanghai(until).astimezone(SHANGHAI)}
    # All before the due instant (03-10 09:00): the message says "ahead".
    assert told(agenda.due(shanghai(now), {}, snoozes)) == [(expected, "ahead", False)]


def test_a_snooze_ending_after_the_due_instant_is_an_overdue_message() -> None:
    """If this fails, a reminder snoozed past the due date says the money is still ahead."""
    agenda = Agenda(config_of(ONCE))
    # Snoozed to 03-10 12:00, 3 h past the due instant (09:00), asked 1 min later.
    snoozes = {("a", 1): shanghai("2027-03-10T12:00:00").astimezone(SHANGHAI)}
    assert told(agenda.due(shanghai("2027-03-10T12:01:00"), {}, snoozes)) == [
        ("a/1/snooze/2027-03-10T12:00:00+08:00", "overdue", False)
    ]


def test_a_snooze_ending_exactly_at_the_due_instant_is_not_yet_overdue() -> None:
    """If this fails, a reminder snoozed "until it is due" calls the loan overdue at the very
    moment it falls due."""
    agenda = Agenda(config_of(ONCE))
    until = shanghai("2027-03-10T09:00:00")
    snoozes = {("a", 1): until.astimezone(SHANGHAI)}
    assert told(agenda.due(until, {}, snoozes)) == [
        ("a/1/snooze/2027-03-10T09:00:00+08:00", "ahead", False)
    ]
    assert told(Agenda(config_of(ONCE)).due(until + TICK, {}, snoozes)) == [
        ("a/1/snooze/2027-03-10T09:00:00+08:00", "overdue", False)
    ]


def test_a_snooze_found_exactly_at_the_end_of_the_grace_is_on_time_and_then_a_catch_up() -> None:
    """If this fails, the grace of 5 minutes after a snooze's end is cut short or stretched."""
    until = shanghai("2027-03-09T13:00:00")
    snoozes = {("a", 1): until.astimezone(SHANGHAI)}
    agenda = Agenda(config_of(ONCE))
    # 13:00 + 5 min = 13:05: still on time; 1 µs later it was missed.
    [on_time] = agenda.due(until + timedelta(minutes=5), {}, snoozes)
    [missed] = agenda.due(until + timedelta(minutes=5) + TICK, {}, snoozes)
    assert (on_time.catch_up, missed.catch_up) == (False, True)


def test_a_loan_without_pre_due_reminders_still_gets_its_overdue_repeats() -> None:
    """If this fails, a loan configured with ``before: []`` is never reminded at all, or
    stops the service."""
    text = """
timezone: Asia/Shanghai
loans:
  - id: a
    name: Loan A
    reminders: {before: [], time: "09:00", overdue_every: 1d}
    plan: {kind: once, due: 2027-03-10, amount: 100}
"""
    agenda = Agenda(config_of(text))
    # Due 03-10 09:00 Shanghai; nothing before it; the first repeat at 03-11 09:00.
    assert agenda.due(shanghai("2027-03-10T08:00:00"), {}) == []
    assert told(agenda.due(shanghai("2027-03-11T09:01:00"), {})) == [
        ("a/1/overdue/2027-03-11T09:00:00+08:00", "overdue", False)
    ]
    assert agenda.next_instant(shanghai("2027-03-11T09:01:00"), {}) == shanghai(
        "2027-03-12T09:00:00"
    )


def test_the_longest_lead_is_measured_in_time_not_in_whole_days() -> None:
    """If this fails, a 73-hour reminder is skipped because a 2-day one looked longer."""
    text = """
timezone: Asia/Shanghai
reminders: {before: [2d, 73h], time: "09:00", overdue_every: never}
loans:
  - id: a
    name: Loan A
    plan: {kind: once, due: 2027-03-10, amount: 100}
"""
    agenda = Agenda(config_of(text))
    # Due 03-10 09:00 Shanghai; 73 h = 3 d 1 h earlier: 03-07 08:00 (the 2d one: 03-08 09:00).
    assert told(agenda.due(shanghai("2027-03-07T08:01:00"), {})) == [
        ("a/1/ahead/2027-03-07T08:00:00+08:00", "ahead", False)
    ]


def test_removing_a_loans_only_payment_brings_its_reminder_back() -> None:
    """If this fails, a payment deleted from the ledger still silences the loan's reminders
    until the service restarts."""
    agenda = Agenda(config_of(ONCE))
    now = shanghai("2027-03-09T09:01:00")
    assert agenda.due(now, Paid({"a": [(date(2027, 3, 8), Decimal(100))]})) == []
    # The ledger has no payment of loan a any more: the 1d reminder (03-09 09:00) is due.
    assert told(agenda.due(now, Paid({}))) == [
        ("a/1/ahead/2027-03-09T09:00:00+08:00", "ahead", False)
    ]


RENEGOTIATED = """
timezone: Asia/Shanghai
reminders: {before: [1d], time: "09:00", overdue_every: 1d}
loans:
  - id: r
    name: Renegotiated R
    plan:
      kind: list
      installments:
        - {due: 2027-03-15, amount: 100}
        - {due: 2027-04-15, amount: 100}
    renegotiated:
      - on: 2027-04-01
        plan:
          kind: list
          installments:
            - {due: 2027-04-20, amount: 60}
            - {due: 2027-05-20, amount: 60}
"""


def test_correcting_a_payments_date_across_an_agreement_is_seen_by_the_running_service() -> None:
    """If this fails, after a payment's date is corrected the service keeps reminding of an
    installment that is now paid (the total did not change, only which plan it pays)."""
    agenda = Agenda(config_of(RENEGOTIATED))
    now = shanghai("2027-04-25T09:01:00")
    # 60 paid on 03-20, before the agreement of 04-01: it counts toward the old plan, and
    # the agreement's first installment (60, due 04-20 09:00) is unpaid: overdue step 5
    # (04-20 + 5 d = 04-25 09:00), 1 min ago.
    before = Paid({"r": [(date(2027, 3, 20), Decimal(60))]})
    assert told(agenda.due(now, before)) == [
        ("r/1/overdue/2027-04-25T09:00:00+08:00", "overdue", False)
    ]
    # The same 60, dated 04-05 instead: it pays the agreement's first installment in full.
    # Nothing is due; next is the second one's 1d reminder, 05-19 09:00.
    after = Paid({"r": [(date(2027, 4, 5), Decimal(60))]})
    assert agenda.due(now, after) == []
    assert agenda.next_instant(now, after) == shanghai("2027-05-19T09:00:00")
