"""Reliability tests: slow soaks run only when asked for.

Until ``addopts`` in pyproject excludes them by default (``-m "not slow"``), tests marked
``slow`` here are skipped unless ``-m`` selects them or ``REMINDERD_SLOW=1`` is set.
"""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("REMINDERD_SLOW") == "1" or "slow" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="slow soak: run with -m slow or REMINDERD_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


# The e2e ``run_cli`` fixture: the installed command in a tmp-dir world.
from tests.e2e.conftest import run_cli  # noqa: E402, F401
