"""The ledger as a user meets it: ``pay``, ``history`` and ``status`` run as the installed
command against a real SQLite file in a tmp state dir."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from reminderd.ledger import store

REPO = Path(__file__).resolve().parents[2]
TODAY = datetime.now(UTC).date()
FIRST_DUE = TODAY + timedelta(days=5)


def config_text(extra: str = "") -> str:
    return f"""
timezone: UTC
locale: en
currency: CNY
budget: {{monthly: 1500}}
{extra}
loans:
  - id: loan-a
    name: 贷款 A
    plan: {{kind: equal_principal, principal: 12000, count: 12, first_due: {FIRST_DUE},
           every: 1 month, annual_rate: 0}}
  - id: yen
    name: Yen loan
    currency: JPY
    plan: {{kind: once, due: {TODAY + timedelta(days=20)}, amount: 5000}}
  - id: late
    name: Late one
    plan: {{kind: once, due: {TODAY - timedelta(days=3)}, amount: 100}}
"""


@pytest.fixture
def cli(run_cli):
    run_cli.write_config(config_text())
    return run_cli


def db_path(cli) -> Path:
    return cli.state_dir / store.DB_NAME


def loan_status(cli, loan_id: str) -> dict:
    report = cli.json("status", "--json")
    return next(row for row in report["loans"] if row["id"] == loan_id)


def upcoming_rows(cli, loan_id: str) -> list[dict]:
    return [row for row in cli.json("upcoming", "--days", "45", "--json") if row["loan"] == loan_id]


def assert_user_error(done: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_readers_on_a_fresh_state_dir_create_nothing(cli) -> None:
    assert cli("status").returncode == 0
    assert cli.json("history", "--json") == []
    assert cli("history").returncode == 0
    # Overdue first, then the next 30 days: 12000 / 12 = 1000.00 due in 5 days, ¥5000 (JPY,
    # no decimals) in 20; loan-a's second installment, a month after the first, is past 30.
    assert [
        (row["loan"], row["number"], row["status"], row["due"], row["outstanding"])
        for row in cli.json("upcoming", "--json")
    ] == [
        ("late", 1, "overdue", (TODAY - timedelta(days=3)).isoformat(), "100.00"),
        ("loan-a", 1, "upcoming", FIRST_DUE.isoformat(), "1000.00"),
        ("yen", 1, "upcoming", (TODAY + timedelta(days=20)).isoformat(), "5000"),
    ]
    assert not cli.state_dir.exists()


def test_pay_partial_payment_settles_oldest_and_keeps_the_rest(cli) -> None:
    done = cli("pay", "loan-a", "1200")
    assert done.returncode == 0, done.stderr
    # en: CN¥ tells the yuan from the yen (¥ alone is JPY in English).
    assert "Settles 1/12 (CN¥1,000.00); 2/12 partly: CN¥200.00 of CN¥1,000.00 paid" in done.stdout
    assert "Recorded payment 1" in done.stdout
    assert "reminderd pay --undo 1" in done.stdout

    loan = loan_status(cli, "loan-a")
    assert (loan["paid"], loan["outstanding"], loan["credit"]) == ("1200.00", "10800.00", "0.00")
    second = plans_second_due()
    assert loan["next_due"] == second.isoformat()
    first, second_row = upcoming_rows(cli, "loan-a")[:2]
    assert (first["number"], first["status"], first["paid"], first["outstanding"]) == (
        1,
        "settled",
        "1000.00",
        "0.00",
    )
    assert (second_row["number"], second_row["status"]) == (2, "upcoming")
    assert (second_row["paid"], second_row["outstanding"]) == ("200.00", "800.00")


def plans_second_due() -> date:
    from dateutil.relativedelta import relativedelta

    return FIRST_DUE + relativedelta(months=1)


def test_pay_overpayment_of_an_overdue_loan_becomes_credit(cli) -> None:
    before = loan_status(cli, "late")
    assert (before["overdue"], before["overdue_count"]) == ("100.00", 1)
    assert [row["status"] for row in upcoming_rows(cli, "late")] == ["overdue"]

    done = cli("pay", "late", "250", "--on", TODAY.isoformat(), "--note", "paid in cash")
    assert done.returncode == 0, done.stderr
    assert "¥150.00 credit" in done.stdout

    after = loan_status(cli, "late")
    assert (after["paid"], after["outstanding"], after["credit"]) == ("100.00", "0.00", "150.00")
    assert (after["overdue"], after["overdue_count"], after["next_due"]) == ("0.00", 0, None)
    assert upcoming_rows(cli, "late") == []
    [entry] = cli.json("history", "late", "--json")
    assert (entry["amount"], entry["note"], entry["on"]) == ("250.00", "paid in cash", str(TODAY))


def test_pay_receipt_with_non_ascii_name_is_stored_by_hash(cli, tmp_path: Path) -> None:
    content = "收据 ¥1,000.00\n".encode() * 100
    receipt = tmp_path / "收据 2026年12月.PDF"
    receipt.write_bytes(content)
    done = cli("pay", "loan-a", "1000", "--receipt", str(receipt))
    assert done.returncode == 0, done.stderr

    sha = hashlib.sha256(content).hexdigest()
    [entry] = cli.json("history", "--json")
    assert entry["receipt"] == {"name": "收据 2026年12月.PDF", "sha256": sha}
    assert entry["loan"] == "loan-a" and entry["currency"] == "CNY"
    stored = cli.state_dir / "receipts" / f"{sha}.pdf"
    assert stored.read_bytes() == content
    assert sorted(p.name for p in (cli.state_dir / "receipts").iterdir()) == [stored.name]
    assert "收据 2026年12月.PDF" in cli("history").stdout


@pytest.mark.parametrize(
    ("name", "suffix"),
    [("../../escape.jpg", ".jpg"), ("scan.tar.GZ", ".gz"), ("photo.jpég", ""), ("noext", "")],
)
def test_pay_receipt_name_never_shapes_the_stored_path(cli, tmp_path, name, suffix) -> None:
    folder = tmp_path / "in" / "deeper" / "still"
    folder.mkdir(parents=True)
    receipt = folder / name
    receipt.parent.mkdir(parents=True, exist_ok=True)
    receipt.write_bytes(b"receipt bytes")
    assert cli("pay", "loan-a", "1", "--receipt", str(receipt)).returncode == 0
    sha = hashlib.sha256(b"receipt bytes").hexdigest()
    assert [p.name for p in (cli.state_dir / "receipts").iterdir()] == [sha + suffix]


BAD_INPUTS = {
    "unknown loan": (["pay", "nope", "10"], "loan-a"),
    "zero": (["pay", "loan-a", "0"], "more than 0"),
    "negative": (["pay", "loan-a", "-5"], "negative"),
    "not a number": (["pay", "loan-a", "abc"], "not an amount"),
    "too many decimals": (["pay", "loan-a", "12.345"], "decimals"),
    "yen decimals": (["pay", "yen", "10.5"], "decimals"),
    "missing receipt": (["pay", "loan-a", "10", "--receipt", "{tmp}/nothing.pdf"], "not found"),
    "directory receipt": (["pay", "loan-a", "10", "--receipt", "{tmp}"], "directory"),
    "impossible date": (["pay", "loan-a", "10", "--on", "2027-02-30"], "date"),
    "future date": (["pay", "loan-a", "10", "--on", str(TODAY + timedelta(days=2))], "future"),
    "no amount": (["pay", "loan-a"], "usage"),
    "undo with amount": (["pay", "loan-a", "10", "--undo", "1"], "--undo"),
    "undo unknown": (["pay", "--undo", "999"], "no payment 999"),
    "undo not a number": (["pay", "--undo", "abc"], "--undo"),
    "history unknown loan": (["history", "nope"], "unknown loan"),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_pay_bad_input_exits_2_with_one_line_and_records_nothing(cli, tmp_path, case) -> None:
    assert cli("pay", "loan-a", "1").returncode == 0  # so the ledger and its table exist
    history_before = cli.json("history", "--json")
    bytes_before = db_path(cli).read_bytes()
    args, expected = BAD_INPUTS[case]
    line = assert_user_error(cli(*(arg.format(tmp=tmp_path) for arg in args)))
    assert expected in line
    assert cli.json("history", "--json") == history_before
    assert not (cli.state_dir / "receipts").exists()
    assert db_path(cli).read_bytes() == bytes_before


def test_pay_bad_input_on_a_fresh_state_dir_creates_nothing(cli, tmp_path) -> None:
    assert_user_error(cli("pay", "loan-a", "0"))
    assert_user_error(cli("pay", "loan-a", "5", "--receipt", str(tmp_path / "missing")))
    assert not cli.state_dir.exists()


def test_pay_undo_records_a_reversing_entry_and_cannot_repeat(cli) -> None:
    assert cli("pay", "loan-a", "1000").returncode == 0
    done = cli("pay", "--undo", "1")
    assert done.returncode == 0, done.stderr
    # It names the payment undone as it was made (1,000.00), not the reversing entry's sign.
    assert done.stdout.startswith("Undid payment 1 (loan-a CN¥1,000.00 on "), done.stdout
    assert "), recorded as entry 2\n" in done.stdout
    assert "Reopens 1/12" in done.stdout
    assert loan_status(cli, "loan-a")["paid"] == "0.00"
    original, reversal = cli.json("history", "--json")
    assert (original["id"], original["undone_by"], original["undoes"]) == (1, 2, None)
    assert (reversal["undoes"], reversal["amount"], reversal["loan"]) == (1, "-1000.00", "loan-a")
    assert "already undone" in assert_user_error(cli("pay", "--undo", "1"))
    assert "itself the undo" in assert_user_error(cli("pay", "--undo", "2"))
    assert len(cli.json("history", "--json")) == 2


def test_pay_concurrent_writers_and_an_open_reader_all_succeed(cli) -> None:
    assert cli("pay", "loan-a", "1").returncode == 0
    db = str(db_path(cli))
    reader = subprocess.Popen(  # holds a read transaction open until its stdin closes
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN'); c.execute('SELECT count(*) FROM payments').fetchone()\n"
            "print('reading', flush=True); sys.stdin.read()\n"
            "c.execute('COMMIT')\n",
            db,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    holder = subprocess.Popen(  # holds the write lock for a while, as a busy service might
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True)\n"
            "time.sleep(1.5); c.execute('COMMIT')\n",
            db,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "reading"
        assert holder.stdout.readline().strip() == "locked"
        results: list[subprocess.CompletedProcess[str]] = []
        lock = threading.Lock()

        def lane(amount: str) -> None:
            for _ in range(3):
                done = cli("pay", "loan-a", amount)
                with lock:
                    results.append(done)

        lanes = [threading.Thread(target=lane, args=(amount,)) for amount in ("10", "100")]
        for thread in lanes:
            thread.start()
        for thread in lanes:
            thread.join(timeout=60)
        assert holder.wait(timeout=30) == 0
    finally:
        reader.communicate("", timeout=30)
        holder.kill()
    assert [done.returncode for done in results] == [0] * 6, [d.stderr for d in results]
    assert not any("locked" in done.stderr for done in results)
    amounts = sorted(entry["amount"] for entry in cli.json("history", "--json"))
    assert amounts == ["1.00", "10.00", "10.00", "10.00", "100.00", "100.00", "100.00"]
    assert loan_status(cli, "loan-a")["paid"] == "331.00"


@pytest.mark.parametrize(
    "content",
    [b"this is not a database\n" * 200, b"SQLite format 3\x00" + b"\xff" * 4000],
    ids=["text", "damaged-header"],
)
@pytest.mark.parametrize("command", [["pay", "loan-a", "10"], ["status"], ["history"]])
def test_corrupt_database_is_refused_by_name_and_left_untouched(cli, content, command) -> None:
    cli.state_dir.mkdir()
    db_path(cli).write_bytes(content)
    line = assert_user_error(cli(*command))
    assert str(db_path(cli)) in line
    assert db_path(cli).read_bytes() == content
    assert sorted(p.name for p in cli.state_dir.iterdir()) == [store.DB_NAME]


def test_newer_database_is_refused_by_name_and_left_untouched(cli) -> None:
    cli.state_dir.mkdir()
    with sqlite3.connect(db_path(cli)) as conn:
        conn.execute("CREATE TABLE future (x)")
        conn.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    conn.close()
    content = db_path(cli).read_bytes()
    for command in (["pay", "loan-a", "10"], ["status", "--json"], ["history"]):
        line = assert_user_error(cli(*command))
        assert str(db_path(cli)) in line and "newer reminderd" in line
    assert db_path(cli).read_bytes() == content


def test_version_1_database_is_migrated_with_its_payments(cli) -> None:
    cli.state_dir.mkdir()
    conn = sqlite3.connect(db_path(cli))
    for statement in store.V1:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO payments (loan_id, amount, currency, paid_on, note, recorded_at)"
        " VALUES ('loan-a', '1500.00', 'CNY', ?, '旧的', ?)",
        (str(TODAY - timedelta(days=1)), datetime.now(UTC).isoformat()),
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    [entry] = cli.json("history", "--json")
    assert (entry["id"], entry["amount"], entry["note"], entry["receipt"]) == (
        1,
        "1500.00",
        "旧的",
        None,
    )
    with sqlite3.connect(db_path(cli)) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master")}
    check.close()
    assert {"payments", "deliveries", "snoozes", "kv"} <= tables
    assert loan_status(cli, "loan-a")["paid"] == "1500.00"
    assert cli("pay", "--undo", "1").returncode == 0
    assert loan_status(cli, "loan-a")["paid"] == "0.00"


def test_pay_calendar_that_cannot_be_rewritten_warns_and_keeps_the_payment(
    run_cli, tmp_path
) -> None:
    pytest.importorskip("reminderd.calendar.export")
    blocked = tmp_path / "calendar.ics"
    blocked.mkdir()  # exists, but no file can replace it
    run_cli.write_config(config_text(f"calendar: {{path: {blocked}}}"))
    done = run_cli("pay", "loan-a", "10")
    assert done.returncode == 1
    assert "payment is recorded" in done.stderr and "Traceback" not in done.stderr
    assert len(run_cli.json("history", "--json")) == 1


def test_example_config_pay_history_status_smoke(run_cli) -> None:
    example = str(REPO / "config.example.yaml")
    done = run_cli("-c", example, "pay", "wallet-a", "1,000.50", "--note", "第一期")
    assert done.returncode == 0, done.stderr
    report = run_cli.json("-c", example, "status", "--json")
    wallet = next(row for row in report["loans"] if row["id"] == "wallet-a")
    assert (wallet["paid"], wallet["outstanding"]) == ("1000.50", "10999.50")
    assert any(row["over"] for row in report["months"])
    assert "超出预算" in run_cli("-c", example, "status").stdout  # the example is zh_CN
    [entry] = run_cli.json("-c", example, "history", "--json")
    assert (entry["loan"], entry["note"]) == ("wallet-a", "第一期")
    assert Decimal(entry["amount"]) == Decimal("1000.50")
    json.dumps(report)  # plain JSON all the way down


def test_pay_first_writes_racing_on_a_fresh_state_dir_all_succeed(cli) -> None:
    """Several processes creating and migrating the same new database at once."""
    processes = [
        subprocess.Popen(
            [*cli.command, "pay", "loan-a", str(amount)],
            env=cli.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for amount in range(1, 7)
    ]
    outcomes = [(process.wait(timeout=60), process.communicate()[1]) for process in processes]
    assert outcomes == [(0, "")] * 6
    assert loan_status(cli, "loan-a")["paid"] == "21.00"
    with sqlite3.connect(db_path(cli)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    conn.close()


def test_plan_one_installment_interest_is_the_exact_half_up(run_cli) -> None:
    done = run_cli(
        "plan", "--count", "1", "--principal", "60", "--annual-rate", "1.3%",
        "--first-due", (TODAY + timedelta(days=30)).isoformat(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # 60 × 0.013 / 12 = 0.78 / 12 = 0.065 exactly → half-up ¥0.07 (was ¥0.06); en: CN¥.
    assert "total CN¥60.07 of which interest CN¥0.07" in done.stdout, done.stdout


def test_plan_summary_names_the_largest_installment_the_first_of_equal_principal(run_cli) -> None:
    done = run_cli(
        "plan", "--count", "3", "--principal", "1200", "--annual-rate", "12%",
        "--kind", "equal_principal", "--first-due", (TODAY + timedelta(days=30)).isoformat(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # 400 of principal each; interest 1% a month on what is left: 1200 → 12, 800 → 8,
    # 400 → 4; installments 412, 408, 404: the largest is the first, the total 1224.
    assert (
        "3 installments, 1 month apart; largest CN¥412.00; total CN¥1,224.00 of which "
        "interest CN¥24.00"
    ) in done.stdout, done.stdout


def test_history_lists_payments_in_the_order_they_were_recorded(cli) -> None:
    # A payment recorded first but dated later (10 on day −1), then one backdated further
    # (20 on day −5), on two loans: `history` and `history LOAN` both keep the order they
    # were recorded in (ids 1, 2, 3), not the dates the payments carry.
    for args in (
        ("loan-a", "10", "--on", str(TODAY - timedelta(days=1))),
        ("loan-a", "20", "--on", str(TODAY - timedelta(days=5))),
        ("late", "30", "--on", str(TODAY - timedelta(days=9))),
    ):
        done = cli("pay", *args)
        assert done.returncode == 0, done.stderr
    every = cli.json("history", "--json")
    assert [(row["id"], row["amount"]) for row in every] == [
        (1, "10.00"),
        (2, "20.00"),
        (3, "30.00"),
    ]
    assert [row["id"] for row in cli.json("history", "loan-a", "--json")] == [1, 2]
