""" "Today" is the day in the config's zone, never UTC's and never the process's ``TZ``: the
installed command run with due dates computed from the real clock in each zone.

Asia/Shanghai (UTC+8) and America/New_York (UTC−5/−4) have another date than UTC only part of
the day (from 16:00Z, and until 04:00/05:00Z); Pacific/Kiritimati (UTC+14) and
Pacific/Pago_Pago (UTC−11) between them have another date than UTC at every instant, so each
run of this file crosses midnight UTC in at least one zone, whenever it runs.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

ZONES = ["Asia/Shanghai", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago"]
MARGIN = timedelta(minutes=3)  # longer than the few commands a case runs, even under load


def opposite(zone: str) -> str:
    """A process ``TZ`` on the other side of UTC from ``zone`` (what the product must ignore)."""
    offset = datetime.now(ZoneInfo(zone)).utcoffset()
    return "Pacific/Pago_Pago" if offset is not None and offset > timedelta(0) else "Asia/Tokyo"


def today_in(zone: str) -> date:
    """Today's date in ``zone``, from zoneinfo rather than the product; within a few minutes
    of local midnight, wait for the new day first, so the commands all see one date."""
    while True:
        now = datetime.now(ZoneInfo(zone))
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
        if midnight - now > MARGIN:
            return now.date()
        time.sleep((midnight - now).total_seconds() + 1)


def once(loan_id: str, due: str) -> str:
    return (
        f'  - {{id: {loan_id}, name: {loan_id}, plan: {{kind: once, due: "{due}", amount: 1}}}}\n'
    )


def test_zone_list_crosses_midnight_utc_at_any_instant() -> None:
    # The premise of this file: whatever the real clock says, some zone has another date.
    utc_today = datetime.now(UTC).date()
    assert any(datetime.now(ZoneInfo(zone)).date() != utc_today for zone in ZONES)


@pytest.mark.parametrize("process_tz", ["same", "opposite"])
@pytest.mark.parametrize("zone", ZONES)
def test_today_is_the_config_zones_day_for_upcoming_and_pay(run_cli, zone, process_tz) -> None:
    today = today_in(zone)
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    run_cli.write_config(
        f"timezone: {zone}\nlocale: en\nloans:\n"
        + once("due-yesterday", f"{yesterday} 23:59:59")
        + once("due-today", f"{today} 23:59:59")
        + once("due-tomorrow", f"{tomorrow} 00:00:01")
    )
    env = {"TZ": zone if process_tz == "same" else opposite(zone)}

    shown = run_cli("upcoming", "--days", "2", env=env)
    assert shown.returncode == 0, shown.stderr
    for loan, due, when in [
        ("due-yesterday", yesterday, "1d ago"),
        ("due-today", today, "today"),
        ("due-tomorrow", tomorrow, "in 1d"),
    ]:
        line = rf"\s{due.isoformat()}\s+{when}\s+{loan}\s"
        assert re.search(line, shown.stdout), (line, shown.stdout)

    # A payment may be dated today in the zone, not tomorrow, whatever UTC's date is.
    refused = run_cli("pay", "due-today", "1", "--on", tomorrow.isoformat(), env=env)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"reminderd: --on: {tomorrow} is in the future (today is {today})"
    )
    accepted = run_cli("pay", "due-today", "1", env=env)  # no --on: today, in the zone
    assert accepted.returncode == 0, accepted.stderr
    (payment,) = run_cli.json("history", "--json", env=env)
    assert (payment["loan"], payment["on"]) == ("due-today", today.isoformat())
