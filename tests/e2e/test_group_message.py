"""A loan behind on two installments gets one overdue message (the service's rendering,
through `reminderd run --once` and a command channel that keeps the body): each row shows
what is left of that installment after the payments recorded, oldest paid first."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path


def keeper(root: Path, *variables: str) -> tuple[Path, Path]:
    """A command channel program that appends the given environment variables, one a line,
    then a ``---`` line, to a file for each message; returns the program and the file."""
    keep = root / "keep-body"
    bodies = root / "bodies.txt"
    words = " ".join(f'"${name}"' for name in variables)
    keep.write_text(f'#!/bin/sh\n{{ printf "%s\\n" {words}; printf -- "---\\n"; }} >> {bodies}\n')
    keep.chmod(keep.stat().st_mode | stat.S_IXUSR)
    return keep, bodies


def test_a_grouped_overdue_message_shows_each_installments_own_remainder(run_cli) -> None:
    keep, bodies = keeper(run_cli.root, "REMINDERD_BODY")
    today = datetime.now(UTC).date()
    first, second = (today - timedelta(days=days) for days in (10, 5))
    run_cli.write_config(
        "timezone: UTC\nlocale: en\n"
        "reminders: {before: [0d], overdue_every: 1d, channels: [command]}\n"
        f"channels:\n  command: {{argv: [{keep}]}}\n"
        f"calendar: {{path: {run_cli.root / 'r.ics'}}}\n"
        "loans:\n  - id: g\n    name: Loan G\n    plan:\n      kind: list\n"
        f"      installments:\n        - {{due: {first}, amount: 100}}\n"
        f"        - {{due: {second}, amount: 100}}\n"
    )
    paid = run_cli("pay", "g", "30")
    assert paid.returncode == 0, paid.stderr
    done = run_cli("run", "--once")
    assert done.returncode == 0, done.stderr
    [body] = [text for text in bodies.read_text().split("\n---\n") if text.strip()]
    # 30 paid goes to the oldest: #1 has 100 − 30 = 70.00 left, #2 all of its 100.00;
    # together 170.00 (not 200.00, not 100.00 each).
    rows = [line for line in body.splitlines() if "#1/2" in line or "#2/2" in line]
    assert len(rows) == 2, body
    assert "70.00" in rows[0] and "100.00" not in rows[0], body
    assert "100.00" in rows[1], body
    assert "170.00" in body and "200.00" not in body, body


def test_a_grouped_catch_up_says_when_its_reminder_was_due_not_when_it_went_out(run_cli) -> None:
    # Two installments due at a time of day two hours before now, 10 and 5 days ago,
    # reminded daily at that time: the newest reminder came two hours ago while nothing ran.
    # `run --once` now sends one grouped catch-up, which names that instant, not now.
    keep, bodies = keeper(run_cli.root, "REMINDERD_SUBJECT", "REMINDERD_BODY")
    reminded = (datetime.now(UTC) - timedelta(hours=2)).replace(second=0, microsecond=0)
    first, second = (reminded - timedelta(days=days) for days in (10, 5))
    run_cli.write_config(
        "timezone: UTC\nlocale: en\n"
        "reminders: {before: [0d], overdue_every: 1d, channels: [command]}\n"
        f"channels:\n  command: {{argv: [{keep}]}}\n"
        f"calendar: {{path: {run_cli.root / 'r.ics'}}}\n"
        "loans:\n  - id: g\n    name: Loan G\n    plan:\n      kind: list\n"
        f'      installments:\n        - {{due: "{first:%Y-%m-%d %H:%M}", amount: 100}}\n'
        f'        - {{due: "{second:%Y-%m-%d %H:%M}", amount: 100}}\n'
    )
    done = run_cli("run", "--once")
    assert done.returncode == 0, done.stderr
    [sent] = [text for text in bodies.read_text().split("\n---\n") if text.strip()]
    subject, body = sent.split("\n", 1)
    assert subject.startswith("[missed] "), sent
    [missed] = [line for line in body.splitlines() if "was missed while" in line]
    assert f" {reminded:%H:%M} and was missed while" in missed, body
