"""Shared helpers for the unit tests: fixture files, config parsing, loans built from YAML."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reminderd import config
from reminderd.durations import Lead
from reminderd.errors import ConfigError
from reminderd.model import Config, Loan, Plan, Reminders

ONE_DAY = Lead(days=1)
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PROBLEM_LINE = re.compile(r"^(?P<path>[^\n]+?):(?P<line>\d+):(?P<column>\d+): (?P<where>.+?): .+$")

# Zones on both sides of the date line, with and without DST, north and south.
ZONES = ["Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Sydney", "UTC"]


@pytest.fixture(params=ZONES)
def zone(request: pytest.FixtureRequest) -> ZoneInfo:
    return ZoneInfo(request.param)


def fixture_path(name: str) -> Path:
    return FIXTURES / name


def parse_text(text: str, *, name: str = "config.yaml", mode: int = 0o600) -> Config:
    return config.parse(text.encode("utf-8"), Path(name), mode=mode)


def parse_fixture(name: str, *, mode: int = 0o600) -> Config:
    return config.parse(fixture_path(name).read_bytes(), Path(name), mode=mode)


def problems_of(name: str, *, mode: int = 0o600) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_fixture(name, mode=mode)
    return caught.value.problems


def text_problems(text: str, *, mode: int = 0o600) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_text(text, mode=mode)
    return caught.value.problems


def one_loan(plan: str, *, top: str = "", loan: str = "") -> Loan:
    """Build the single loan of a config whose ``plan:`` is the flow mapping ``plan``."""
    text = f"{top}loans:\n  - id: a\n    name: A\n{loan}    plan: {plan}\n"
    return parse_text(text).loans[0]


def make_loan(
    plan: Plan,
    *,
    currency: str = "CNY",
    zone: ZoneInfo | str = "Asia/Shanghai",
    adjust: str = "none",
    holidays: str | None = None,
    at: time = time(9, 0),
    before: tuple[Lead, ...] = (ONE_DAY,),
    overdue_every: Lead | None = ONE_DAY,
) -> Loan:
    """A loan built directly from the model, for property tests that run thousands of plans."""
    return Loan(
        id="p",
        name="P",
        currency=currency,
        plan=plan,
        reminders=Reminders(before=before, time=at, overdue_every=overdue_every, channels=()),
        timezone=ZoneInfo(zone) if isinstance(zone, str) else zone,
        adjust=adjust,
        holidays=holidays,
    )
