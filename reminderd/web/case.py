"""The live page's link to a loan's case file (SPEC §8, §10): ``GET /<secret>/case/<loan>``
answers the case's printable ``index.html`` (the same one ``case LOAN --export`` writes),
built from the ledger as it is now.

Read only, as every GET of the page: the ledger is opened without creating it, and an
agreement document not stored yet is not stored here (``case`` and the service do that), so
a case read here names only what the ledger already holds. The files themselves are not
served: their names and SHA-256 are listed; ``case LOAN --export`` gives the bundle.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from reminderd.model import Loan


def render(loan: Loan, state_dir: Path, now: datetime, locale: str) -> str:
    """The case file of ``loan`` as HTML in ``locale``, from the ledger in ``state_dir`` at
    an aware ``now``. Writes nothing; raises nothing for a missing ledger (an empty case)."""
    from reminderd import ledger
    from reminderd.commands import case_export, casefile
    from reminderd.ledger import notes as note_rows

    conn = ledger.connect(state_dir, create=False)
    if conn is None:
        content = casefile.build(loan, [], [], [], {}, now)
    else:
        try:
            found = note_rows.case_records(conn, loan.id, len(loan.renegotiated))
        finally:
            conn.close()
        content = casefile.build(
            loan, found.payments, found.notes, found.sent, found.documents, now
        )
    return case_export.render_html(content, locale, bundle=False)
