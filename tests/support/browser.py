"""A real browser for page tests: Debian's headless Chromium driven by Playwright.

Playwright's own browser download is never used (it cannot run here, and CI installs
``chromium`` with apt); ``launch()`` points Playwright at ``/usr/bin/chromium``. Tests that need
a page call the ``browser`` fixture from ``tests/conftest.py``; screenshots go to
``$REMINDERD_ARTIFACTS`` (default ``test-artifacts/`` at the top of the repo, ignored by git).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# Without these Chromium reaches for Google's hosts at every start; this machine has no route.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The distribution's Chromium, or None when it is not installed."""
    explicit = os.environ.get("REMINDERD_CHROMIUM")
    if explicit:
        return explicit
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def artifacts_dir() -> Path:
    """Where screenshots are kept for a person to look at (not committed)."""
    root = Path(__file__).resolve().parents[2]
    folder = Path(os.environ.get("REMINDERD_ARTIFACTS", root / "test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def launch() -> Iterator[Any]:
    """Yield a Playwright ``Browser`` running the distribution's headless Chromium."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("no Chromium here: apt-get install chromium (bash .ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
