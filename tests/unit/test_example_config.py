"""config.example.yaml loads, and it mentions every key of the schema, so it cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reminderd import config, plans, schema

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.yaml"


def _written_paths(text: str) -> set[str]:
    """Key paths written in the file, commented out or not, from indentation and list dashes.

    ``  - id: x`` under ``loans:`` gives ``loans[].id``; a ``# key:`` line counts as written.
    """
    paths: set[str] = set()
    stack: list[tuple[int, str]] = []  # (indent of the key, its path)
    for raw in text.splitlines():
        line = re.sub(r"^(\s*)#\s?", r"\1", raw)  # uncomment, keeping the indentation
        flow_item = re.match(r"^(\s*)- \{(.*)\}", line)
        if flow_item:
            # "- {due: ..., amount: ...}": the keys of one item of the enclosing list.
            while stack and stack[-1][0] >= len(flow_item.group(1)) + 1:
                stack.pop()
            parent = stack[-1][1] if stack else ""
            for inner in re.findall(r"([A-Za-z_]+):", flow_item.group(2)):
                paths.add(f"{parent}[].{inner}")
            continue
        match = re.match(r"^(\s*)(- )?([A-Za-z_][A-Za-z0-9_]*):(\s|$)", line)
        if not match:
            continue
        indent = len(match.group(1)) + (2 if match.group(2) else 0)
        if match.group(2):
            # A list item: its keys sit one column deeper than a container for the item.
            while stack and stack[-1][0] >= indent - 1:
                stack.pop()
            item = (stack[-1][1] if stack else "") + "[]"
            stack.append((indent - 1, item))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1] if stack else ""
        path = f"{parent}.{match.group(3)}" if parent else match.group(3)
        paths.add(path)
        stack.append((indent, path))
        for inner in re.findall(r"([A-Za-z_]+):", line[match.end() :].split("#")[0]):
            # flow mappings on one line: {before: [5d, 1d]}, {due: ..., amount: ...}
            paths.add(f"{path}.{inner}")
            paths.add(f"{path}[].{inner}")
    return paths


def test_example_config_loads_and_every_plan_builds() -> None:
    loaded = config.load(EXAMPLE)

    assert [loan.id for loan in loaded.loans] == [
        "wallet-a",
        "consumer-b",
        "card-c",
        "friend-d",
        "card-min",
        "loan-e",
    ]
    counts = {loan.id: len(plans.installments(loan)) for loan in loaded.loans}
    assert counts == {
        "wallet-a": 12,
        "consumer-b": 24,
        "card-c": 3,
        "friend-d": 1,
        "card-min": 7,
        "loan-e": 12,  # version 1; its agreement (version 2) has 24 more
    }


def test_example_config_wallet_principal_adds_up() -> None:
    loan = config.load(EXAMPLE).loan("wallet-a")
    assert loan is not None

    rows = plans.installments(loan)

    assert sum(row.principal for row in rows) == loan.plan.principal == 12000


@pytest.mark.parametrize("key", schema.all_keys())
def test_example_config_mentions_every_schema_key(key: str) -> None:
    assert key in _written_paths(EXAMPLE.read_text(encoding="utf-8"))


def test_written_paths_reads_nesting_lists_and_comments() -> None:
    text = (
        "loans:\n"
        "  - id: a\n"
        "    plan:\n"
        "      kind: list\n"
        "      installments:\n"
        "        - {due: 2027-01-01, amount: 1}\n"
        "    # holidays: CN\n"
        "    reminders: {before: [1d]}\n"
        "calendar:\n"
        "  name: x\n"
    )

    assert _written_paths(text) >= {
        "loans",
        "loans[].id",
        "loans[].plan.kind",
        "loans[].plan.installments[].due",
        "loans[].plan.installments[].amount",
        "loans[].holidays",
        "loans[].reminders.before",
        "calendar.name",
    }
    assert "loans[].name" not in _written_paths(text)
    assert "loans[].calendar" not in _written_paths(text)
    assert "name" not in _written_paths(text)
