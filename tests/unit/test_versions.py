"""Plan versions (SPEC §8): superseded and rolled installments, payments by the version in
force on their day, credit carried forward; what status, upcoming, the agenda and the
calendar make of them. Expected values are worked by hand in the comments."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from reminderd.accounts import status_report
from reminderd.agenda import Agenda
from reminderd.calendar.content import build_calendar
from reminderd.core import versions
from reminderd.durations import parse_step
from reminderd.model import Agreement, DueSpec, Plan, ScheduledPayment
from reminderd.standing import Paid, by_version, for_loan
from reminderd.views import upcoming_rows
from tests.unit.conftest import make_loan, parse_text, text_problems

SHANGHAI = ZoneInfo("Asia/Shanghai")

# v1: four installments of 1000; agreement A on 05-01 (three of 600); agreement B on 07-01
# (two of 500).
TWICE = """
timezone: Asia/Shanghai
calendar: {path: /tmp/never-written.ics}
loans:
  - id: e
    name: E
    plan:
      kind: list
      installments:
        - {due: 2026-03-15, amount: 1000}
        - {due: 2026-04-15, amount: 1000}
        - {due: 2026-05-15, amount: 1000}
        - {due: 2026-06-15, amount: 1000}
    renegotiated:
      - on: 2026-05-01
        note: first agreement
        plan:
          kind: list
          installments:
            - {due: 2026-05-20, amount: 600}
            - {due: 2026-06-20, amount: 600}
            - {due: 2026-07-20, amount: 600}
      - on: 2026-07-01
        plan:
          kind: list
          installments:
            - {due: 2026-07-15, amount: 500}
            - {due: 2026-08-15, amount: 500}
"""


def _paid(*payments: tuple[str, str]) -> Paid:
    return Paid({"e": [(date.fromisoformat(day), Decimal(amount)) for day, amount in payments]})


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def _table(standing: object) -> list[tuple[int, int, str, str]]:
    return [
        (row.installment.version, row.installment.number, _plain(row.paid), row.status(_far()))
        for row in standing.rows  # type: ignore[attr-defined]
    ]


def _plain(amount: Decimal) -> str:
    return f"{amount.normalize():f}"


def _far() -> datetime:
    return _at("2026-12-31 12:00")


def test_versions_renegotiated_twice_payments_before_between_and_after() -> None:
    config = parse_text(TWICE)
    loan = config.loans[0]
    paid = _paid(("2026-03-10", "1500"), ("2026-05-25", "700"), ("2026-07-10", "1200"))
    standing = for_loan(loan, paid)
    # v1 money (before 05-01): 1500 → #1 1000 (settled), #2 500, rolled on 05-01;
    #    #3 (05-15) and #4 (06-15) fall on or after 05-01: superseded, 0.
    # v2 money (05-01 … 06-30): 700 → #1 600 (settled), #2 100, rolled on 07-01;
    #    #3 (07-20) superseded.
    # v3 money (from 07-01): 1200 → #1 500, #2 500, 200 credit.
    assert _table(standing) == [
        (1, 1, "1000", "settled"),
        (1, 2, "500", "rolled"),
        (1, 3, "0", "superseded"),
        (1, 4, "0", "superseded"),
        (2, 1, "600", "settled"),
        (2, 2, "100", "rolled"),
        (2, 3, "0", "superseded"),
        (3, 1, "500", "settled"),
        (3, 2, "500", "settled"),
    ]
    assert standing.credit == Decimal("200")
    # rolled: 1000 − 500 (v1 #2) + 600 − 100 (v2 #2) = 1000
    assert standing.rolled == Decimal("1000")
    # total: 1000 + 500 + 600 + 100 + 500 + 500 = 3200 (rolled rows count what was paid)
    assert (standing.total, standing.paid, standing.outstanding) == (
        Decimal("3200"),
        Decimal("3200"),
        Decimal("0"),
    )


def test_versions_money_beyond_a_version_is_carried_into_the_next_as_credit() -> None:
    loan = parse_text(TWICE).loans[0]
    standing = for_loan(loan, _paid(("2026-03-10", "2500")))
    # v1: #1 1000, #2 1000 (both due before 05-01), 500 carried into v2 → v2 #1 gets 500 of
    # 600, and is rolled on 07-01 with v2 #2; v3 gets nothing.
    rows = _table(standing)
    assert rows[:2] == [(1, 1, "1000", "settled"), (1, 2, "1000", "settled")]
    assert rows[4:6] == [(2, 1, "500", "rolled"), (2, 2, "0", "rolled")]
    assert rows[7:] == [(3, 1, "0", "overdue"), (3, 2, "0", "overdue")]  # seen on 12-31
    assert standing.credit == Decimal("0")


def test_versions_a_loan_without_agreements_allocates_exactly_as_before() -> None:
    loan = parse_text(TWICE).loans[0]
    plain = dataclasses.replace(loan, renegotiated=())
    standing = for_loan(plain, {"e": Decimal("1500")})
    assert [_plain(row.paid) for row in standing.rows] == ["1000", "500", "0", "0"]
    assert not any(row.closed for row in standing.rows)


def test_versions_upcoming_and_agenda_skip_superseded_and_rolled() -> None:
    config = parse_text(TWICE)
    paid = _paid(("2026-03-10", "1500"))
    now = _at("2026-07-14 09:00")
    rows = upcoming_rows(config, paid, now, days=10)
    # v1 #2 rolled, v2 #1 and #2 rolled (unpaid at 07-01), v1 #3/#4 and v2 #3 superseded:
    # only v3 #1 (07-15) is due within 10 days.
    assert [(row["version"], row["number"], row["status"]) for row in rows] == [(3, 1, "upcoming")]
    due = Agenda(config).due(_at("2026-07-16 09:00"), paid)
    assert [(item.installment.version, item.installment.number) for item in due] == [(3, 1)]


def test_versions_calendar_cancels_superseded_and_names_later_versions() -> None:
    config = parse_text(TWICE)
    text = build_calendar(config, _paid(("2026-03-10", "1500")), _at("2026-07-14 09:00"))
    events = text.decode().replace("\r\n ", "").split("BEGIN:VEVENT")[1:]
    by_uid = {event.split("UID:")[1].split("\r\n")[0]: event for event in events}
    assert sorted(by_uid) == sorted(
        [
            "e-1@reminderd",
            "e-2@reminderd",
            "e-3@reminderd",
            "e-4@reminderd",
            "e-v2-1@reminderd",
            "e-v2-2@reminderd",
            "e-v2-3@reminderd",
            "e-v3-1@reminderd",
            "e-v3-2@reminderd",
        ]
    )
    for cancelled in ("e-3@reminderd", "e-4@reminderd", "e-v2-3@reminderd"):
        assert "STATUS:CANCELLED" in by_uid[cancelled]
        assert "VALARM" not in by_uid[cancelled]
    assert "VALARM" not in by_uid["e-v2-1@reminderd"]  # rolled: never reminded
    assert "STATUS:CONFIRMED" in by_uid["e-v3-1@reminderd"]
    assert "VALARM" in by_uid["e-v3-1@reminderd"]


def test_versions_status_reports_version_agreed_on_and_rolled() -> None:
    config = parse_text(TWICE)
    report = status_report(config, _paid(("2026-03-10", "1500")), _at("2026-07-14 09:00"))
    [row] = report["loans"]
    assert (row["version"], row["agreed_on"], row["overdue_days"]) == (3, "2026-07-01", 0)
    # rolled: v1 #2 500 owed + v2 #1 600 + v2 #2 600 = 1700
    assert row["rolled"] == "1700.00"
    assert row["overdue_cost"] == "0.00"
    # outstanding: only v3 is owed, 500 + 500
    assert row["outstanding"] == "1000.00"
    before = status_report(config, _paid(), _at("2026-04-20 09:00"))["loans"][0]
    assert (before["version"], before["agreed_on"]) == (1, None)


def test_versions_agreement_dates_must_increase_and_plans_start_on_or_after_them() -> None:
    bad_order = TWICE.replace("on: 2026-07-01", "on: 2026-05-01")
    assert any(
        "renegotiated[1].on" in line and "after the previous" in line
        for line in text_problems(bad_order)
    )
    early = TWICE.replace("{due: 2026-05-20, amount: 600}", "{due: 2026-04-20, amount: 600}")
    assert any(
        "renegotiated[0].plan" in line and "before the agreement" in line
        for line in text_problems(early)
    )


# --- the property: an agreement never rewrites what earlier payments settled -----------------

_START = date(2026, 1, 1)


@st.composite
def _story(draw: st.DrawFn) -> tuple[list[tuple[date, Decimal]], list[tuple[date, Decimal]], date]:
    gaps = draw(st.lists(st.integers(1, 60), min_size=1, max_size=8))
    dues, day = [], _START
    for gap in gaps:
        day += timedelta(days=gap)
        dues.append((day, Decimal(draw(st.integers(1, 500_00))) / 100))
    payments = [
        (
            _START + timedelta(days=draw(st.integers(0, 400))),
            Decimal(draw(st.integers(1, 900_00))) / 100,
        )
        for _ in range(draw(st.integers(0, 8)))
    ]
    on = _START + timedelta(days=draw(st.integers(1, 420)))
    return dues, payments, on


@given(_story(), st.integers(1, 5), st.integers(0, 90))
def test_versions_adding_an_agreement_never_changes_what_earlier_payments_settled(
    story: tuple[list[tuple[date, Decimal]], list[tuple[date, Decimal]], date],
    count: int,
    lead_days: int,
) -> None:
    dues, payments, on = story
    plan = Plan(
        kind="list",
        installments=tuple(ScheduledPayment(DueSpec(day), amount) for day, amount in dues),
    )
    loan = make_loan(plan, zone="UTC")
    agreed = Plan(
        kind="equal_principal",
        principal=Decimal("1000"),
        count=count,
        first_due=DueSpec(on + timedelta(days=lead_days)),
        every=parse_step("1 month"),
    )
    renegotiated = dataclasses.replace(loan, renegotiated=(Agreement(on=on, plan=agreed),))

    earlier = [(day, amount) for day, amount in payments if day < on]
    without = by_version(loan, versions.installments(loan), earlier)
    with_it = by_version(renegotiated, versions.installments(renegotiated), payments)

    def before_on(standing: object) -> list[tuple[int, Decimal]]:
        return [
            (row.installment.number, row.paid)
            for row in standing.rows  # type: ignore[attr-defined]
            if row.installment.version == 1 and row.installment.due < on
        ]

    assert before_on(with_it) == before_on(without)
    # …and every cent paid is somewhere: on an installment or as credit.
    total = sum((amount for _, amount in payments), Decimal(0))
    assert with_it.paid + with_it.credit == total


def test_versions_version_on_counts_the_agreement_day_as_the_new_version() -> None:
    loan = parse_text(TWICE).loans[0]
    assert [
        versions.version_on(loan, date.fromisoformat(day))
        for day in ("2026-04-30", "2026-05-01", "2026-06-30", "2026-07-01")
    ] == [1, 2, 2, 3]


def test_versions_check_never_names_a_superseded_installment_as_next_due(tmp_path) -> None:  # noqa: ANN001
    import argparse
    import io
    from datetime import UTC

    from reminderd.context import Context
    from reminderd.views import check

    today = datetime.now(UTC).date()

    def ahead(days: int) -> str:
        return (today + timedelta(days=days)).isoformat()

    path = tmp_path / "config.yaml"
    path.write_text(
        "timezone: UTC\nloans:\n  - id: e\n    name: E\n"
        f"    plan: {{kind: once, due: {ahead(5)}, amount: 1000}}\n"
        f"    renegotiated:\n      - on: {ahead(-1)}\n"
        f"        plan: {{kind: once, due: {ahead(20)}, amount: 900}}\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    assert check(argparse.Namespace(), Context(config_arg=str(path), out=out)) == 0
    # The 1000 due in 5 days was replaced yesterday; the next due is the agreement's 900.
    assert f"next due:     {ahead(20)} 09:00 UTC  E 1/1  CN¥900.00" in out.getvalue()  # en: CN¥


def test_versions_case_file_tells_met_from_paid_late() -> None:
    from types import SimpleNamespace

    from reminderd.commands import casefile

    config = parse_text(
        "timezone: Asia/Shanghai\nloans:\n  - id: e\n    name: E\n"
        "    plan:\n      kind: list\n      installments:\n"
        "        - {due: 2026-03-15, amount: 1000}\n"
        "        - {due: 2026-04-15, amount: 1000}\n"
        "        - {due: 2026-05-15, amount: 1000}\n"
    )

    def payment(number: int, on: str, amount: str) -> SimpleNamespace:
        return SimpleNamespace(
            id=number,
            paid_on=date.fromisoformat(on),
            amount=Decimal(amount),
            undoes=None,
            undone_by=None,
            note=None,
            receipt_sha256=None,
            receipt_name=None,
            recorded_at=_at("2026-04-20 12:00"),
        )

    # 1000 on 03-15 (the due day: met); 1000 on 04-18 (three days after #2: paid late).
    payments = [payment(1, "2026-03-15", "1000"), payment(2, "2026-04-18", "1000")]
    content = casefile.build(config.loans[0], payments, [], [], {}, _at("2026-04-20 12:00"))
    dues = [(e["number"], e["status"], e["met"]) for e in content["events"] if e["kind"] == "due"]
    assert dues == [(1, "settled", True), (2, "settled", False), (3, "upcoming", None)]


ON_THE_DAY = """
timezone: Asia/Shanghai
calendar: {path: /tmp/never-written.ics}
loans:
  - id: e
    name: E
    plan:
      kind: list
      installments:
        - {due: 2026-04-15, amount: 1000}
        - {due: 2026-05-01, amount: 1000}
    renegotiated:
      - on: 2026-05-01
        plan:
          kind: list
          installments:
            - {due: 2026-05-20, amount: 1500}
"""


def test_versions_an_installment_due_on_the_agreement_day_is_superseded_not_rolled() -> None:
    # SPEC §8: an older version's installment due on or after the next `on` is superseded.
    # v1 #2 falls due on 05-01, the agreement's day: superseded (0, no cost), not rolled.
    # v1 money (before 05-01): 400 → #1 400 of 1000, unsettled at 05-01: rolled.
    # v2 money (from 05-01): 1500 → #1 settled.
    loan = parse_text(ON_THE_DAY).loans[0]
    standing = for_loan(loan, _paid(("2026-04-10", "400"), ("2026-05-02", "1500")))
    assert _table(standing) == [
        (1, 1, "400", "rolled"),
        (1, 2, "0", "superseded"),
        (2, 1, "1500", "settled"),
    ]
    # rolled: 1000 − 400 = 600; total: 400 (what #1 got) + 1500 = 1900, all paid.
    assert standing.rolled == Decimal("600")
    assert (standing.total, standing.outstanding) == (Decimal("1900"), Decimal("0"))
