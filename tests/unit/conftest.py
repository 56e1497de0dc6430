"""Shared helpers for the unit tests: fixture files, config parsing, loans built from YAML."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reminderd import config
from reminderd.errors import ConfigError
from reminderd.model import Config, Loan

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
