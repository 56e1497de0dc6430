"""The case file end to end (SPEC §8), with the installed command: a loan that fell behind and
was renegotiated, payments with a receipt, notes with attachments and a reversal, a reminder
really delivered by `run --once`, then `case --json` and the export, checked with the real
`sha256sum -c` and opened in headless Chromium.

Dates are relative to today (UTC), so the story never expires.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.browser import artifacts_dir

TODAY = datetime.now(UTC).date()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def story_config(root: Path, *, locale: str = "zh_CN") -> str:
    # v1: 1000 due 40 days ago, 1000 due 10 days ago, 1000 due in 20 days.
    # Agreement 5 days ago (interest frozen): 600 due yesterday, 600 due in 30 days.
    return f"""
timezone: UTC
locale: {locale}
channels:
  command: {{argv: ["/usr/bin/tee", "-a", "{root / "delivered.txt"}"]}}
calendar: {{path: {root / "calendar.ics"}}}
loans:
  - id: e
    name: 网贷 E
    lender: Example Online Lending Co.
    plan:
      kind: list
      installments:
        - {{due: {day(-40)}, amount: 1000}}
        - {{due: {day(-10)}, amount: 1000}}
        - {{due: {day(20)}, amount: 1000}}
    overdue: {{daily_rate: "0.05%", fee: 50, grace: 3d}}
    renegotiated:
      - on: {day(-5)}
        note: "协商：客服工号 1234 电话确认停息挂账"
        document: {root / "agreement.pdf"}
        overdue: {{daily_rate: 0, fee: 0}}
        plan:
          kind: list
          installments:
            - {{due: {day(-1)}, amount: 600}}
            - {{due: {day(30)}, amount: 600}}
"""


@pytest.fixture
def story(run_cli):  # noqa: ANN001, ANN201 - pytest fixture
    root = run_cli.root
    (root / "agreement.pdf").write_bytes(b"%PDF-1.4 invented agreement\n")
    (root / "receipt.jpg").write_bytes(b"invented receipt image")
    (root / "evil name?.txt").write_text("collector's text message, invented", encoding="utf-8")
    (root / "录音 第一次.m4a").write_bytes(b"invented recording")
    run_cli.write_config(story_config(root))
    for args in (
        ("pay", "e", "300", "--on", day(-45)),  # under v1, before anything fell due
        ("pay", "e", "200", "--on", day(-2), "--receipt", str(root / "receipt.jpg")),  # v2
        ("pay", "e", "1", "--on", day(-2)),
        ("pay", "--undo", "3"),
    ):
        done = run_cli(*args)
        assert done.returncode == 0, done.stderr
    done = run_cli(
        "note", "e", "催收员早上 8 点前打了三次电话", "--kind", "call", "--who", "工号 5678",
        "--on", f"{day(-3)} 08:10",
        "--attach", str(root / "evil name?.txt"), "--attach", str(root / "录音 第一次.m4a"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert run_cli("note", "e", "typo", "--on", day(-1)).returncode == 0
    assert run_cli("note", "--undo", "2").returncode == 0
    # The service delivers the overdue reminder of v2 #1 through the command channel.
    done = run_cli("run", "--once")
    assert done.returncode == 0, done.stderr
    return run_cli


def test_case_json_has_versions_events_and_costs_worked_by_hand(story) -> None:  # noqa: ANN001
    case = story.json("case", "e", "--json")
    agreement_sha = hashlib.sha256(b"%PDF-1.4 invented agreement\n").hexdigest()
    assert case["loan"]["id"] == "e" and case["loan"]["version"] == 2
    assert [(v["version"], v["on"]) for v in case["versions"]] == [(1, None), (2, day(-5))]
    assert case["versions"][1]["document"] == {"name": "agreement.pdf", "sha256": agreement_sha}
    assert case["versions"][1]["note"] == "协商：客服工号 1234 电话确认停息挂账"

    dues = [(e["version"], e["number"], e["paid"], e["status"], e["met"]) for e in case["events"]
            if e["kind"] == "due"]  # fmt: skip
    # v1 money 300 (day −45) → #1 300, rolled on day −5 with #2; #3 (day +20) superseded.
    # v2 money 200 (+1 −1 undone) → #1 200 of 600, overdue since yesterday; #2 upcoming.
    # met: paid in full by the due date — none was; the future and the replaced are unknown.
    assert dues == [
        (1, 1, "300.00", "rolled", False),
        (1, 2, "0.00", "rolled", False),
        (2, 1, "200.00", "overdue", False),
        (1, 3, "0.00", "superseded", None),
        (2, 2, "0.00", "upcoming", None),
    ]
    # v1 #1 (due −40, grace 3): days −36 … −6 (before the agreement) = 31 × 700 × 0.0005
    #   = 31 × 0.35 = 10.85, fee 50; v1 #2 (due −10): day −6 only = 1000 × 0.0005 = 0.50,
    #   fee 50; v2 terms are 0. Total 10.85 + 0.50 + 100 = 111.35; nothing more accrues.
    assert case["overdue"] == {
        "days": 1,
        "cost": "111.35",
        "penalty": "11.35",
        "fees": "100.00",
        "per_day": "0.00",
    }
    kinds = [event["kind"] for event in case["events"]]
    assert kinds.count("agreement") == 1 and kinds.count("reminder") == 1
    assert kinds.count("payment") == 3 and kinds.count("undo") == 2
    [note] = [e for e in case["events"] if e["kind"] == "note" and e["undone_by"] is None]
    assert (note["contact"], note["who"], note["at"]) == (
        "call",
        "工号 5678",
        f"{day(-3)}T08:10:00+00:00",
    )
    assert [f["name"] for f in note["files"]] == ["evil name?.txt", "录音 第一次.m4a"]
    [reminder] = [e for e in case["events"] if e["kind"] == "reminder"]
    assert (reminder["channel"], reminder["number"], reminder["reminder"]) == (
        "command",
        1,
        "overdue",
    )
    ats = [event["at"][:10] for event in case["events"]]
    assert ats == sorted(ats)  # oldest first


def test_case_reminder_sent_says_days_late_and_cost(story) -> None:  # noqa: ANN001
    body = (story.root / "delivered.txt").read_text(encoding="utf-8")
    # As worked above: 1 day late (v2 #1 due yesterday), 111.35 so far, nothing more a day.
    assert "已逾期1天，预计罚息已达¥111.35，每多一天加¥0.00" in body
    assert "还款方案第2版" in body


def test_case_status_upcoming_history_know_the_version(story) -> None:  # noqa: ANN001
    [row] = story.json("status", "--json")["loans"]
    assert (row["version"], row["agreed_on"], row["overdue_days"], row["overdue_cost"]) == (
        2,
        day(-5),
        1,
        "111.35",
    )
    # rolled: v1 #1 700 + v1 #2 1000 = 1700; outstanding: v2 400 + 600 = 1000
    assert (row["rolled"], row["outstanding"]) == ("1700.00", "1000.00")
    rows = story.json("upcoming", "--days", "60", "--json")
    assert [(r["version"], r["number"], r["status"]) for r in rows] == [
        (2, 1, "overdue"),
        (2, 2, "upcoming"),
    ]
    history = story.json("history", "--json")
    assert [(h["on"], h["version"]) for h in history] == [
        (day(-45), 1),
        (day(-2), 2),
        (day(-2), 2),
        (day(-2), 2),
    ]


def test_case_export_zip_passes_sha256sum_check(story, tmp_path: Path) -> None:  # noqa: ANN001
    target = tmp_path / "case-e.zip"
    done = story("case", "e", "--export", str(target))
    assert done.returncode == 0, done.stderr
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(target) as archive:
        archive.extractall(unpacked)
    [bundle] = list(unpacked.iterdir())
    names = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())
    assert names == [
        "SHA256SUMS",
        "case.json",
        "files/agreement.pdf",
        "files/evil name_.txt",
        "files/receipt.jpg",
        "files/录音 第一次.m4a",
        "index.html",
    ]
    check = subprocess.run(
        [shutil.which("sha256sum") or "sha256sum", "-c", "SHA256SUMS"],
        cwd=bundle,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == 6
    assert (bundle / "files" / "receipt.jpg").read_bytes() == b"invented receipt image"
    saved = json.loads((bundle / "case.json").read_text(encoding="utf-8"))
    assert saved["versions"][1]["document"]["path"] == "files/agreement.pdf"
    # Exporting over an existing file is refused, and leaves it alone.
    again = story("case", "e", "--export", str(target))
    assert again.returncode == 2 and "已经存在" in again.stderr  # zh_CN: already exists
    assert "Traceback" not in again.stderr


def test_case_export_folder_opens_in_chromium_with_the_timeline(
    story,  # noqa: ANN001
    tmp_path: Path,
    browser,  # noqa: ANN001
) -> None:
    target = tmp_path / "case folder"
    done = story("case", "e", "--export", str(target))
    assert done.returncode == 0, done.stderr
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    try:
        page.goto((target / "index.html").as_uri())
        assert page.locator("h2").all_inner_texts() == ["协议", "时间线"]
        timeline = page.locator("table").nth(1)
        assert timeline.locator("tr.due").count() == 5
        assert timeline.locator("tr.reminder").count() == 1
        assert "催收员早上 8 点前打了三次电话" in timeline.inner_text()
        assert "已并入新协议" in timeline.inner_text()
        assert "¥111.35" in page.locator("dl").inner_text()
        link = page.locator('a[href="files/agreement.pdf"]').first
        assert link.count() == 1
        page.screenshot(path=str(artifacts_dir() / "case-export.png"), full_page=True)
    finally:
        page.close()


def test_case_note_errors_are_one_line_and_record_nothing(story) -> None:  # noqa: ANN001
    for args, needle in (
        (("note", "nope", "text"), "没有借款 'nope'"),  # the story's locale is zh_CN
        (("note", "e", "text", "--attach", "/nonexistent/file.pdf"), "找不到附件"),
        (("note", "e", "text", "--on", day(3)), "还没到"),
        (("note", "e", "   "), "空的"),
        (("note", "--undo", "2"), "已被第 3 条撤销"),
        (("note", "--undo", "99"), "没有第 99 条记录"),
    ):
        done = story(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert needle in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    notes = [e for e in story.json("case", "e", "--json")["events"] if e["kind"] == "note"]
    assert len(notes) == 2


def test_case_note_dated_today_is_taken(story) -> None:  # noqa: ANN001
    # Today is not "in the future": a call written down the day it happened.
    done = story("note", "e", "今天打了电话", "--on", day(0), "--kind", "call")
    assert done.returncode == 0, done.stderr
    notes = [e for e in story.json("case", "e", "--json")["events"] if e["kind"] == "note"]
    assert (day(0), "今天打了电话") in [(note["at"], note["text"]) for note in notes]


def test_case_the_service_keeps_the_agreement_document_the_first_time(run_cli) -> None:  # noqa: ANN001
    import sqlite3

    root = run_cli.root
    run_cli.write_config(story_config(root))
    done = run_cli("run", "--once")  # the document is not there yet: a warning, nothing kept
    assert done.returncode == 0, done.stderr
    assert "agreement document is not kept yet" in done.stderr
    (root / "agreement.pdf").write_bytes(b"%PDF-1.4 signed\n")
    assert run_cli("run", "--once").returncode == 0
    (root / "agreement.pdf").write_bytes(b"%PDF-1.4 edited later\n")  # the first one stays
    assert run_cli("run", "--once").returncode == 0
    conn = sqlite3.connect(run_cli.state_dir / "reminderd.sqlite3")
    try:
        rows = conn.execute("SELECT loan_id, version, name, sha256 FROM documents").fetchall()
    finally:
        conn.close()
    assert rows == [("e", 2, "agreement.pdf", hashlib.sha256(b"%PDF-1.4 signed\n").hexdigest())]
    kept = run_cli.state_dir / "receipts" / f"{rows[0][3]}.pdf"
    assert kept.read_bytes() == b"%PDF-1.4 signed\n"
    assert kept.stat().st_mode & 0o077 == 0


def test_case_lists_a_reminder_only_once_a_channel_took_it(run_cli) -> None:  # noqa: ANN001
    # One installment of 500 due 3 days ago: `run --once` owes an overdue reminder. The
    # channel first refuses it (`false` exits 1): the case file says "reminders sent", so a
    # failed attempt is not one. Once `true` takes it, it is listed, once.
    def config(program: str) -> str:
        return f"""
timezone: UTC
channels:
  command: {{argv: ["{program}"]}}
calendar: {{path: {run_cli.root / "calendar.ics"}}}
loans:
  - id: w
    name: Wallet W
    plan: {{kind: once, due: {day(-3)}, amount: 500}}
"""

    def reminders() -> list[tuple[str, int, str]]:
        case = run_cli.json("case", "w", "--json")
        return [
            (event["channel"], event["number"], event["reminder"])
            for event in case["events"]
            if event["kind"] == "reminder"
        ]

    run_cli.write_config(config(shutil.which("false") or "/bin/false"))
    assert run_cli("run", "--once").returncode == 1
    assert reminders() == []
    run_cli.write_config(config(shutil.which("true") or "/bin/true"))
    done = run_cli("run", "--once")
    assert done.returncode == 0, done.stderr
    assert reminders() == [("command", 1, "overdue")]
