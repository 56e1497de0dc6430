"""The ledger's edges as a user meets them: what a payment keeps, which payment and entry an
undo refusal names, whose payments, notes, reminders and agreement documents the case file
reads, and how a damaged or unmigratable state database is refused. Real SQLite files in
tmp_path; no clock (every instant is a constant)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from reminderd import ledger
from reminderd.errors import RuntimeFailure, UserError
from reminderd.ledger import notes, records, store

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SHA_RECEIPT = "a" * 64
SHA_CALL = "b" * 64
SHA_V2 = "c" * 64
SHA_V3 = "d" * 64
SHA_OTHER = "e" * 64


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def conn(state: Path):  # noqa: ANN201 - pytest fixture
    connection = ledger.connect(state, create=True)
    assert connection is not None
    yield connection
    connection.close()


def pay(conn: sqlite3.Connection, loan_id: str, amount: str, **extra: object) -> int:
    with ledger.transaction(conn):
        return records.add(
            conn,
            loan_id=loan_id,
            amount=Decimal(amount),
            currency="CNY",
            paid_on=date(2026, 11, 30),
            recorded_at=NOW,
            **extra,  # type: ignore[arg-type]
        )


def test_a_payment_keeps_its_note_and_receipt_and_one_without_has_none(conn) -> None:
    """`history` and the case file show the note and receipt typed with `pay`, and nothing
    (not the word "None") for a payment made without them."""
    with_both = pay(
        conn,
        "a",
        "10",
        note="paid in cash",
        receipt_sha256=SHA_RECEIPT,
        receipt_name="收据.pdf",
    )
    bare = pay(conn, "a", "20")
    kept = records.get(conn, with_both)
    plain = records.get(conn, bare)
    assert kept is not None and plain is not None
    assert (kept.note, kept.receipt_sha256, kept.receipt_name) == (
        "paid in cash",
        SHA_RECEIPT,
        "收据.pdf",
    )
    assert (plain.note, plain.receipt_sha256, plain.receipt_name) == (None, None, None)


def test_undo_refusals_name_the_payment_and_the_entry_involved(conn) -> None:
    """`pay --undo` refused: the user is told which payment was undone by which entry, and
    which payment an undo entry reverses, so they know what to look up in `history`."""
    pay(conn, "a", "10")  # id 1
    second = pay(conn, "a", "20")  # id 2
    pay(conn, "a", "30")  # id 3
    with ledger.transaction(conn):
        entry = records.undo(conn, second, NOW)
    assert entry.id == 4  # the fourth row: ids 1, 2, 3 are the payments
    with pytest.raises(UserError) as again, ledger.transaction(conn):
        records.undo(conn, second, NOW)
    assert again.value.message == "payment 2 was already undone by entry 4"
    with pytest.raises(UserError) as of_undo, ledger.transaction(conn):
        records.undo(conn, entry.id, NOW)
    assert of_undo.value.message == (
        "payment 4 is itself the undo of payment 2; record the payment again with "
        "`reminderd pay` instead"
    )
    assert of_undo.value.in_locale("zh_CN").startswith("第 4 笔本身就是对第 2 笔还款的撤销")


def test_history_of_one_loan_lists_only_that_loans_payments(state, conn) -> None:
    """`history LOAN` must not show another loan's payments."""
    pay(conn, "a", "10")  # id 1
    pay(conn, "b", "20")  # id 2
    pay(conn, "a", "30")  # id 3
    assert [(p.id, p.loan_id) for p in ledger.payments(state, "a")] == [(1, "a"), (3, "a")]
    assert [p.id for p in ledger.payments(state)] == [1, 2, 3]


def add_sent(
    conn: sqlite3.Connection,
    loan_id: str,
    number: int,
    kind: str,
    channel: str,
    fire_at: str,
    updated_at: str,
    state: str = "sent",
) -> None:
    # One row as the delivery log writes it (reminderd.delivery.record).
    conn.execute(
        "INSERT INTO deliveries (reminder_key, channel, loan_id, number, kind, fire_at, state,"
        " attempts, last_error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, NULL, ?)",
        (f"{loan_id}/{number}/{kind}/{fire_at}", channel, loan_id, number, kind, fire_at, state,
         updated_at),
    )  # fmt: skip


@pytest.fixture
def two_loans(conn):  # noqa: ANN201 - pytest fixture
    """Loan "a" and loan "b" each with payments, notes, reminders and agreement documents."""
    pay(conn, "b", "5")  # payment 1
    pay(conn, "a", "100", note="first")  # payment 2
    pay(conn, "b", "6")  # payment 3
    with ledger.transaction(conn):
        notes.add(
            conn,
            loan_id="b",
            at="2026-11-01",
            kind="letter",
            who=None,
            text="b's letter",
            recorded_at=NOW,
        )  # note 1
        notes.add(
            conn,
            loan_id="a",
            at="2026-11-02T09:30:00+00:00",
            kind="call",
            who="agent 7",
            text="called",
            recorded_at=NOW,
            files=(notes.StoredFile("recording.m4a", SHA_CALL),),
        )  # note 2
        add_sent(
            conn, "a", 1, "due", "email", "2026-11-10T09:00:00+00:00", "2026-11-10T09:00:05+00:00"
        )
        add_sent(
            conn, "b", 1, "due", "email", "2026-11-11T09:00:00+00:00", "2026-11-11T09:00:05+00:00"
        )
        add_sent(
            conn,
            "a",
            1,
            "overdue",
            "desktop",
            "2026-11-12T09:00:00+00:00",
            "2026-11-12T09:00:07+00:00",
        )
        add_sent(
            conn,
            "a",
            2,
            "ahead",
            "desktop",
            "2026-11-13T09:00:00+00:00",
            "2026-11-13T09:00:09+00:00",
            state="failed",
        )  # never reached the user
        for loan_id, version, name, sha in (
            ("a", 2, "agreement-v2.pdf", SHA_V2),
            ("a", 3, "agreement-v3.pdf", SHA_V3),
            ("b", 2, "other.pdf", SHA_OTHER),
        ):
            notes.keep_document(conn, loan_id, version, notes.StoredFile(name, sha), NOW)
    return conn  # fmt: skip


def test_case_file_reads_only_its_own_loans_payments_notes_and_reminders(two_loans) -> None:
    """The case file of loan "a" must hold a's records, all of them, and nothing of "b"."""
    found = notes.case_records(two_loans, "a", agreements=2)
    assert [(p.id, p.loan_id, p.amount) for p in found.payments] == [(2, "a", Decimal("100.00"))]
    assert [(n.id, n.kind, n.who, n.text, n.files) for n in found.notes] == [
        (2, "call", "agent 7", "called", (notes.StoredFile("recording.m4a", SHA_CALL),))
    ]
    # Sent only (the failed one is not a reminder sent), in the order sent.
    assert found.sent == [
        notes.SentReminder(
            1, "due", "email", "2026-11-10T09:00:00+00:00", "2026-11-10T09:00:05+00:00"
        ),
        notes.SentReminder(
            1, "overdue", "desktop", "2026-11-12T09:00:00+00:00", "2026-11-12T09:00:07+00:00"
        ),
    ]


def test_case_file_has_the_document_of_every_agreement_version(two_loans) -> None:
    """Each renegotiated version shows its own signed document (name and hash), the loan's
    and no other's; a version not in the config any more is not listed."""
    v2 = notes.StoredFile("agreement-v2.pdf", SHA_V2)
    v3 = notes.StoredFile("agreement-v3.pdf", SHA_V3)
    assert notes.case_records(two_loans, "a", agreements=2).documents == {2: v2, 3: v3}
    assert notes.case_records(two_loans, "a", agreements=1).documents == {2: v2}
    assert notes.case_records(two_loans, "a", agreements=0).documents == {}
    other = notes.case_records(two_loans, "b", agreements=1).documents
    assert other == {2: notes.StoredFile("other.pdf", SHA_OTHER)}


def test_a_damaged_older_database_is_refused_by_name_before_migrating(state, conn) -> None:
    """A version 2 ledger with a broken page is refused with its path and SQLite's finding,
    and left byte for byte as it was (a migration would write into it)."""
    conn.close()
    path = store.database_path(state)
    raw = sqlite3.connect(path)
    raw.execute("DROP TABLE notes")  # back to the version 2 shape: a migration is due
    raw.execute("DROP TABLE note_files")
    raw.execute("DROP TABLE documents")
    raw.execute("PRAGMA user_version = 2")
    raw.execute("PRAGMA journal_mode = DELETE")  # one file to damage
    page_size = raw.execute("PRAGMA page_size").fetchone()[0]
    [(root,)] = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = 'payments_loan'")
    raw.close()
    content = bytearray(path.read_bytes())
    start = (root - 1) * page_size
    content[start : start + 8] = bytes(8)  # the index's b-tree page header, zeroed
    path.write_bytes(bytes(content))
    damaged = path.read_bytes()
    check = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    finding = check.execute("PRAGMA quick_check").fetchone()[0]
    check.close()
    assert finding != "ok"

    with pytest.raises(UserError) as refused:
        ledger.connect(state, create=True)
    message = refused.value.message
    assert message.startswith(f"{path} is not a usable reminderd database (")
    # SQLite's report names the broken page on its last line; the user needs it to go on.
    assert finding.splitlines()[-1] in message
    assert "\n" not in message  # one line, though SQLite's report spans several
    assert message.endswith(
        "; it was left untouched. Move it aside (or restore a backup) to start a new ledger."
    )
    assert path.read_bytes() == damaged


def test_a_lock_held_past_the_timeout_names_the_database_file(state, conn) -> None:
    """ "Busy" tells the user which state database another reminderd holds."""
    other = ledger.connect(state, create=False)
    assert other is not None
    other.execute("PRAGMA busy_timeout = 100")
    try:
        with ledger.transaction(conn):
            with pytest.raises(RuntimeFailure) as busy, ledger.transaction(other):
                pass
    finally:
        other.close()
    path = store.database_path(state)
    assert busy.value.message == (
        f"the state database {path} is busy (another reminderd holds it); nothing was recorded"
    )


def test_a_database_that_cannot_be_migrated_says_why_not_busy(state) -> None:
    """A version 1 ledger that already has a `kv` table cannot take the version 2 migration:
    the user reads SQLite's reason, at once, not "busy" after a 15 s wait."""
    state.mkdir()
    path = store.database_path(state)
    raw = sqlite3.connect(path)
    for statement in store.V1:
        raw.execute(statement)
    raw.execute("CREATE TABLE kv (key TEXT)")
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()
    with pytest.raises(RuntimeFailure) as refused:
        ledger.connect(state, create=False)
    assert refused.value.message == (
        f"cannot use the state database {path}: table kv already exists"
    )


@pytest.mark.parametrize(
    "content",
    [
        b"loan,amount\ncar,100\n" * 20,  # a CSV saved over it
        b"SQLite format 2\x00" + b"\x00" * 200,  # an old or foreign header
    ],
)
def test_a_file_that_is_not_a_database_is_refused_by_name_and_left_as_it_was(
    tmp_path, content
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    path = state / "reminderd.sqlite3"
    path.write_bytes(content)
    for create in (True, False):
        with pytest.raises(UserError) as refused:
            ledger.connect(state, create=create)
        assert str(refused.value) == (
            f"{path} is not a usable reminderd database; it was left untouched. Move it "
            "aside (or restore a backup) to start a new ledger."
        )
    assert path.read_bytes() == content
    assert sorted(p.name for p in state.iterdir()) == ["reminderd.sqlite3"]  # no -wal, -shm


def test_a_folder_where_the_database_goes_is_refused_by_name(tmp_path) -> None:
    state = tmp_path / "state"
    (state / "reminderd.sqlite3").mkdir(parents=True)
    with pytest.raises(UserError) as refused:
        ledger.connect(state, create=True)
    assert str(refused.value) == (
        f"{state / 'reminderd.sqlite3'} is a directory, not the reminderd state database"
    )


def test_notes_are_listed_in_the_order_they_were_recorded_and_the_case_keeps_it_for_ties(
    conn,
) -> None:
    # A call written down late (contact on 2 Nov, recorded after the 20 Nov letter) and a
    # message at the very instant the letter is dated (its midnight in the loan's zone, given
    # as a time). The listing is in recording order, not contact order; the case file sorts by
    # contact instant, and for the tie at midnight keeps the order the notes were recorded.
    from reminderd.commands import casefile
    from tests.unit.conftest import parse_text

    config = parse_text(
        "timezone: Asia/Shanghai\nloans:\n  - id: n\n    name: N\n"
        "    plan: {kind: once, due: 2026-12-20, amount: 100}\n"
    )
    written = [
        ("2026-11-20T00:00:00+08:00", "message", "midnight message"),
        ("2026-11-20", "letter", "letter of the 20th"),
        ("2026-11-02T10:00:00+08:00", "call", "call of the 2nd"),
    ]
    with ledger.transaction(conn):
        for at, kind, text in written:
            notes.add(conn, loan_id="n", at=at, kind=kind, who=None, text=text, recorded_at=NOW)
    listed = notes.listing(conn, "n")
    assert [note.text for note in listed] == [text for _, _, text in written]
    content = casefile.build(config.loans[0], [], listed, [], {}, NOW)
    assert [event["text"] for event in content["events"] if event["kind"] == "note"] == [
        "call of the 2nd",
        "midnight message",
        "letter of the 20th",
    ]
