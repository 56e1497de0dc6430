"""The config watcher wakes for the config file only (issue 11.11), with real inotify."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from reminderd.watch import ConfigWatcher
from tests.support.service import PATIENCE, wait_for

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify")


@pytest.fixture
def watched(tmp_path: Path):
    config = tmp_path / "config.yaml"
    config.write_text("loans: []\n")
    changes: list[int] = []
    changed = threading.Event()

    def on_change() -> None:
        changes.append(1)
        changed.set()

    watcher = ConfigWatcher(config, on_change)
    assert watcher.start()
    yield config, watcher, changes, changed
    watcher.stop()


def test_watcher_ignores_a_log_written_beside_the_config(watched) -> None:
    config, watcher, changes, changed = watched
    log = config.parent / "reminderd.log"
    for line in range(500):  # each write closes the file: 500 IN_MODIFY + IN_CLOSE_WRITE
        with log.open("a") as stream:
            stream.write(f"line {line}\n")
    # A sentinel: writing the config itself is seen; the log's 1,000 events came before it
    # on the same inotify queue, so they have been read (or never delivered) by then.
    with config.open("a") as stream:
        stream.write("# edited\n")
    assert changed.wait(10)
    assert len(changes) == 1
    # Only the log's creation (IN_CREATE on the directory) and the config's write woke it.
    assert watcher.wakeups <= 2


def test_watcher_sees_a_replacement_by_rename_and_then_writes_to_the_new_file(watched) -> None:
    config, watcher, changes, changed = watched
    temporary = config.with_suffix(".tmp")
    temporary.write_text("loans: []\n# new\n")
    os.replace(temporary, config)
    assert wait_for(lambda: len(changes) >= 1, PATIENCE)
    seen = len(changes)
    # The watch moved to the new file: an in-place write to it is seen too.
    with config.open("a") as stream:
        stream.write("# again\n")
    assert wait_for(lambda: len(changes) > seen, PATIENCE)


def test_watcher_sees_the_config_deleted_and_put_back(watched) -> None:
    config, _, changes, _ = watched
    config.unlink()
    assert wait_for(lambda: len(changes) >= 1, PATIENCE)
    seen = len(changes)
    config.write_text("loans: []\n")
    assert wait_for(lambda: len(changes) > seen, PATIENCE)
