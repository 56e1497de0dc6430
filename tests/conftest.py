"""Fixtures shared by every suite: a private certificate authority for the loopback SMTP
servers (trustme), the server side's TLS context, and the CA file a config's ``ca_file``
names. Also the run's Hypothesis profile (``tests/support/profiles.py``) and
``REMINDERD_SLOW=1``, which runs the ``slow`` tests too."""

from __future__ import annotations

import os
import ssl
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from hypothesis import settings

from tests.support import profiles


def pytest_configure(config: pytest.Config) -> None:
    markexpr = config.option.markexpr or ""
    if os.environ.get("REMINDERD_SLOW") == "1" and markexpr == "not slow":
        # pyproject's addopts leaves the slow tests out; REMINDERD_SLOW=1 puts them back, as
        # the README says (an explicit -m of the caller's own is left alone).
        config.option.markexpr = ""
    profile = profiles.choose(
        seed=config.getoption("hypothesis_seed", None), markexpr=markexpr, environ=os.environ
    )
    settings.load_profile(profile)


def pytest_report_header(config: pytest.Config) -> str:
    return f"hypothesis profile: {settings.get_current_profile_name()}"


@pytest.fixture(autouse=True)
def _caches_cleared_under_mutmut() -> None:
    """Under ``mutmut run`` every mutant's tests run in a process forked after the whole
    suite ran once, so the product's ``functools`` caches (plans, working days, money) would
    answer from the unmutated code and the mutant would "survive" tests that catch it. Each
    test there starts with empty caches; an ordinary run keeps them, as the service does."""
    if "MUTANT_UNDER_TEST" not in os.environ:
        return
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != "reminderd" or module is None:
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()


@pytest.fixture(scope="session")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def server_context(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture(scope="session")
def ca_file(authority: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium under Playwright, shared by the page tests of a run."""
    from tests.support.browser import launch

    with launch() as chromium:
        yield chromium


@pytest.fixture
def services() -> Iterator[list[Any]]:
    """The services a test starts (``tests.support.service.ServiceProcess``), killed after it
    whatever its outcome."""
    started: list[Any] = []
    yield started
    for service in started:
        service.kill()
