"""The service keeps ledger connections open for its whole life (the ledger watch) while it
opens more, and other processes (`pay`, `history`) open and close theirs. Nothing in
``ledger.connect`` may close a descriptor of the database file outside SQLite: POSIX drops all
of a process's locks on a file when any one of its descriptors closes, another process then
believes it holds the last connection, and its close deletes the WAL index under the service
("disk I/O error" on the service's next read; seen on the served page after a payment)."""

from __future__ import annotations

import subprocess
import sys

from reminderd.ledger import store

OTHER_PROCESS = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("SELECT count(*) FROM payments").fetchone()
conn.close()
"""


def test_connect_keeps_the_locks_of_connections_already_open(tmp_path) -> None:
    held = store.connect(tmp_path, create=True)  # the service's long-lived connection
    assert held is not None
    held.execute("SELECT count(*) FROM payments").fetchone()
    database = store.database_path(tmp_path)
    try:
        again = store.connect(tmp_path, create=False)  # e.g. the page reading a payment
        assert again is not None
        again.close()
        # Another program's connection comes and goes (`reminderd history`).
        subprocess.run([sys.executable, "-c", OTHER_PROCESS, str(database)], check=True)
        # The WAL index is still there, and the held connection still reads.
        assert database.with_name(database.name + "-shm").exists()
        assert held.execute("SELECT count(*) FROM payments").fetchone() == (0,)
    finally:
        held.close()
