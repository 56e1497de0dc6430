"""`history` as a person reads it: an undo's row says what it undoes, once, and the payment it
reversed keeps its own note and says what undid it."""

from __future__ import annotations


def test_an_undo_row_says_undoes_once_without_its_stored_note(run_cli) -> None:
    run_cli.write_config(
        "timezone: UTC\nlocale: en\n"
        f"calendar: {{path: {run_cli.root / 'r.ics'}}}\n"
        "loans:\n  - id: h\n    name: Loan H\n"
        "    plan: {kind: once, due: 2030-01-10, amount: 100}\n"
    )
    assert run_cli("pay", "h", "40", "--note", "first transfer").returncode == 0
    undone = run_cli("pay", "--undo", "1")
    assert undone.returncode == 0, undone.stderr
    # The undo is stored with a note of its own ("undo of payment 1", kept for the JSON and
    # the case file); the table's remark says it once, in the table's words.
    notes = {row["id"]: row["note"] for row in run_cli.json("history", "--json")}
    assert notes == {1: "first transfer", 2: "undo of payment 1"}
    shown = run_cli("history")
    assert shown.returncode == 0, shown.stderr
    rows = {line.split()[0]: line for line in shown.stdout.splitlines()[1:] if line.strip()}
    assert rows["1"].endswith("first transfer; undone by 2"), shown.stdout
    assert rows["2"].endswith("undoes 1"), shown.stdout
    assert "undo of payment" not in rows["2"], shown.stdout
