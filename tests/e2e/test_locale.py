"""Every command speaks the config's ``locale`` (issue 14 item 3, SPEC §10): the installed
``reminderd`` is run, command after command, against one story (two loans, CNY and JPY, one
renegotiated; payments, an undo, a note), once with ``locale: zh_CN`` and once with
``locale: en``.

In Chinese, the human output (stdout and stderr) is walked for Latin-letter words once the
things that are not words are taken out: paths, URLs, dates, command lines (``reminderd …``,
``systemctl …``), options, backticked code, the story's ids and a short list of codes. Any
word left is an English sentence that escaped translation. In English, no Chinese character
may appear. A few lines are also written out by hand in both languages.

Dates are relative to today (UTC), so the story never expires.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

TODAY = datetime.now(UTC).date()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


NAMES = {
    "zh_CN": ("钱包甲", "日元贷乙", "电话里答应月底前还清", "客服"),
    "en": ("Wallet A", "Yen loan B", "promised on the phone to pay by the end of the month", "Ann"),
}


def story_config(root: Path, locale: str) -> str:
    wallet, yen, _, _ = NAMES[locale]
    # wallet-a: three installments of 1000 CNY, 20 days ago, in 10 days, in 40 days.
    # yen-b: 50000 JPY 40 days ago and in 10 days; renegotiated 5 days ago into
    # 30000 JPY in 5 days and in 35 days.
    return f"""
timezone: UTC
locale: {locale}
currency: CNY
reminders: {{before: [3d, 0d], time: "09:00"}}
channels:
  command: {{argv: ["/bin/true"]}}
calendar:
  path: {root / "calendar.ics"}
  serve: {{listen: "127.0.0.1:8765"}}
overdue: {{daily_rate: "0.05%", fee: 50, grace: 3d}}
budget: {{monthly: 1000}}
loans:
  - id: wallet-a
    name: {wallet}
    plan:
      kind: list
      installments:
        - {{due: {day(-20)}, amount: 1000}}
        - {{due: {day(10)}, amount: 1000}}
        - {{due: {day(40)}, amount: 1000}}
  - id: yen-b
    name: {yen}
    currency: JPY
    plan:
      kind: list
      installments:
        - {{due: {day(-40)}, amount: 50000}}
        - {{due: {day(10)}, amount: 50000}}
    renegotiated:
      - on: {day(-5)}
        document: {root / "agreement-not-scanned-yet.pdf"}
        plan:
          kind: list
          installments:
            - {{due: {day(5)}, amount: 30000}}
            - {{due: {day(35)}, amount: 30000}}
"""


def commands(root: Path, locale: str) -> list[tuple[tuple[str, ...], int]]:
    """Every command, in an order that builds the story, with its expected exit status."""
    _, _, said, who = NAMES[locale]
    return [
        (("check",), 0),
        (("upcoming", "--days", "60"), 0),
        (("status",), 0),
        (("history",), 0),  # no ledger yet: the notice on stderr
        (("pay", "wallet-a", "1500", "--on", day(-1)), 0),
        (("pay", "yen-b", "10000", "--on", day(-1)), 0),
        (("pay", "--undo", "2"), 0),
        (("history",), 0),
        (("history", "yen-b"), 0),
        (("status",), 0),
        (("upcoming",), 0),
        (("plan", "--principal", "12000", "--count", "3", "--annual-rate", "0.12"), 0),
        (("plan", "--principal", "12000", "--budget", "5000", "--first-due", day(30)), 0),
        (("note", "wallet-a", said, "--kind", "call", "--who", who), 0),
        (("note", "--undo", "1"), 0),
        (("note", "wallet-a", said, "--on", day(-2)), 0),
        (("case", "wallet-a"), 0),
        (("case", "yen-b"), 0),
        (("case", "wallet-a", "--export", str(root / "case")), 0),
        (("feed-url",), 0),
        (("notify-test",), 0),
        (("export",), 0),
        (("forecast",), 0),
        (("forecast", "--extra", "500"), 0),
        (("report", "-o", str(root / "page.html")), 0),
        (("service", "status"), 0),
        (("service", "install", "--no-enable"), 0),
        (("service", "status", "--no-enable"), 0),
        (("service", "uninstall", "--no-enable"), 0),
        # the errors of commands
        (("pay", "nope", "10"), 2),
        (("pay", "wallet-a"), 2),
        (("pay", "wallet-a", "10", "--on", day(3)), 2),
        (("pay", "--undo", "x"), 2),
        (("pay", "--undo", "99"), 2),  # said by the ledger
        (("pay", "--undo", "2"), 2),  # already undone
        (("pay", "wallet-a", "12,50"), 2),  # said by money: a decimal comma
        (("pay", "wallet-a", "10", "--receipt", str(root / "missing.pdf")), 2),
        (("note", "--undo", "1"), 2),  # already reversed
        (("note", "wallet-a", said, "--attach", str(root)), 2),  # a folder
        (("note", "wallet-a", "   "), 2),
        (("note", "wallet-a", said, "--on", "soon"), 2),
        (("case", "nope"), 2),
        (("case", "wallet-a", "--export", str(root)), 2),  # not an empty folder
        (("report", "-o", str(root)), 1),  # a folder, not a file
        (("notify-test", "--channel", "email"), 2),
        (("plan", "--principal", "100000", "--budget", "1", "--annual-rate", "0.5"), 2),
        (("plan", "--principal", "100", "--count", "2", "--currency", "XXX"), 2),
        (("plan", "--principal", "100", "--count", "2", "--annual-rate", "5"), 2),
        (("plan", "--principal", "100", "--count", "2", "--every", "3 fortnights"), 2),
        (("plan", "--principal", "100", "--count", "2", "--first-due", "2027-02-30"), 2),
    ]


# What is not a word of a sentence: taken out before the walk, in this order.
NOT_WORDS = [
    re.compile(r"`[^`]*`"),  # code to type
    re.compile(r"\b[a-z]+://\S+"),  # URLs
    re.compile(r"(?<![\w.])/[^\s：，。；（）、]*"),  # paths
    re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?(?:[+-]\d\d:\d\d)?)?"),  # dates
    re.compile(r"\b(?:reminderd|systemctl)\b(?: (?:[-\w.@/&|\[\]]+))*"),  # command lines
    re.compile(r"YYYY-MM-DD(?: HH:MM)?"),  # the form of a date to type
    re.compile(r"--[a-z][a-z-]*"),  # options
    re.compile(r"\b(?:wallet-a|yen-b|nope|email|command)\b"),  # the story's ids
    re.compile(r"'[^']*'"),  # what the user typed, quoted back (XXX, nope)
    re.compile(r"[A-Z]{0,3}[¥$€£]"),  # money's symbols: JP¥, CN¥, US$
]
# Codes, not words: currency codes, the zone, a digest's name, a program's name.
CODES = {"CNY", "JPY", "UTC", "sha256", "plyer", "systemd", "XDG"}
# Command names, when a message names the command (``pay`` needs…, what ``install`` writes).
CODES |= {"pay", "note", "case", "install", "service"}
CJK = re.compile(r"[\u3400-\u9fff]")


def latin_words(output: str) -> list[str]:
    """The Latin-letter words left in ``output`` once paths, codes and ids are out."""
    for pattern in NOT_WORDS:
        output = pattern.sub(" ", output)
    return [word for word in re.findall(r"[A-Za-z]+", output) if word not in CODES]


def human(argv: tuple[str, ...], done: subprocess.CompletedProcess[str]) -> str:
    """What a person reads of a command: stdout and stderr, less the YAML block `plan`
    prints for pasting into the config (config syntax, checked to parse as YAML)."""
    out = done.stdout
    if argv[0] == "plan" and done.returncode == 0:
        head, _, block = out.partition("\n  - id: ")
        entry = yaml.safe_load("- id: " + block.replace("\n  ", "\n"))
        assert entry[0]["id"] == "new-plan"
        out = head
    return out + done.stderr


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_command_speaks_the_configs_locale(run_cli, locale: str) -> None:  # noqa: ANN001
    run_cli.write_config(story_config(run_cli.root, locale))
    outputs = []
    for argv, status in commands(run_cli.root, locale):
        done = run_cli(*argv)
        assert done.returncode == status, (argv, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        outputs.append((argv, done))
    if locale == "zh_CN":
        english = {" ".join(argv): latin_words(human(argv, done)) for argv, done in outputs}
        assert {command: words for command, words in english.items() if words} == {}
        # and each said something in Chinese (report prints only the page's path)
        silent = [
            " ".join(argv)
            for argv, done in outputs
            if argv[0] != "report" and not CJK.search(human(argv, done))
        ]
        assert silent == []
    else:
        chinese = {
            " ".join(argv): CJK.findall(human(argv, done))
            for argv, done in outputs
            if CJK.search(human(argv, done))
        }
        assert chinese == {}
    # JSON keys and values never change with the locale (SPEC §10): the same story, the
    # same words. wallet-a: 1500 paid; yen-b: 10000 paid then undone, 0 net.
    status = run_cli.json("status", "--json")
    paid = {row["id"]: (row["paid"], row["currency"], row["next_due"]) for row in status["loans"]}
    assert paid == {
        "wallet-a": ("1500.00", "CNY", day(10)),
        "yen-b": ("0", "JPY", day(5)),
    }
    upcoming = run_cli.json("upcoming", "--days", "12", "--json")
    assert [(row["loan"], row["status"], row["outstanding"]) for row in upcoming] == [
        ("yen-b", "upcoming", "30000"),  # due in 5 days
        ("wallet-a", "upcoming", "500.00"),  # due in 10 days: 1000 - 500 paid on it
    ]
    seen: dict[tuple[str, ...], list[str]] = {}
    for argv, done in outputs:
        seen.setdefault(argv, lines(done))  # the first run of a command (history runs twice)
    missing = run_cli.root / "agreement-not-scanned-yet.pdf"
    [case_yen] = [done for argv, done in outputs if argv == ("case", "yen-b")]
    assert (
        case_yen.stderr
        == {
            "zh_CN": f"reminderd: yen-b 第 2 版：协议文件还没有保存：找不到协议文件：{missing}\n",
            "en": "reminderd: yen-b v2: the agreement document is not kept yet: "
            f"document not found: {missing}\n",
        }[locale]
    )
    for argv, wanted in EXPECTED[locale].items():
        for line in wanted:
            assert line in seen[argv], (argv, line, seen[argv])


def test_the_walk_catches_an_english_sentence() -> None:
    """The walker itself: it would fail on what the commands used to print in zh_CN."""
    assert latin_words("Nothing overdue and nothing due in the next 60 days.") == [
        "Nothing", "overdue", "and", "nothing", "due", "in", "the", "next", "days",
    ]  # fmt: skip
    # a path ends at a space: what follows is a word again
    assert latin_words("wallet-a 1/3 CN¥1,000.00 2026-11-29 /tmp/a b.ics") == ["b", "ics"]
    assert latin_words("如需撤销：reminderd pay --undo 1；路径 /tmp/x.ics，CNY") == []


def lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    """The output's lines with runs of spaces made one (table columns pad with spaces)."""
    return [" ".join(line.split()) for line in done.stdout.splitlines()]


# Hand-written lines. wallet-a: 1500 paid on 1000 + 1000 + 1000 settles the first (1000),
# leaves 500 of 1000 paid on the second, 1000 - 500 = 500 to pay on it (due in 10 days).
# yen-b (JPY, no decimals): 10000 paid on the first new installment of 30000, then undone.
EXPECTED = {
    "zh_CN": {
        ("check",): [
            f"已逾期： {day(-20)} 钱包甲 1/3 未还 ¥1,000.00",
            f"下次到期：{day(5)} 09:00 UTC 日元贷乙 1/2 JP¥30,000",
        ],
        ("pay", "wallet-a", "1500", "--on", day(-1)): [
            f"已记录第 1 笔还款：wallet-a ¥1,500.00，日期 {day(-1)}",
            "还清 第 1/3 期（¥1,000.00）；第 2/3 期还了一部分：已还 ¥500.00，共 ¥1,000.00。"
            f"下一期：第 2/3 期，{day(10)} 到期，应还 ¥500.00。",
            "如需撤销：reminderd pay --undo 1",
        ],
        ("pay", "yen-b", "10000", "--on", day(-1)): [
            f"已记录第 2 笔还款：yen-b JP¥10,000，日期 {day(-1)}",
        ],
        ("pay", "--undo", "2"): [
            f"已撤销第 2 笔还款（yen-b JP¥10,000，日期 {day(-1)}），记为第 3 笔",
            "重新打开 第 1/2 期（欠 JP¥30,000）。"
            f"下一期：第 1/2 期，{day(5)} 到期，应还 JP¥30,000。",
        ],
        ("case", "yen-b"): [],  # and on stderr, the document not kept yet (below)
        ("history", "yen-b"): [
            "编号 日期 借款 金额 凭证 备注",
            f"2 {day(-1)} yen-b JP¥10,000 已由第 3 笔撤销",
            f"3 {day(-1)} yen-b -JP¥10,000 撤销第 2 笔",
        ],
        ("upcoming",): [
            "状态 到期日 时间 借款 期数 未还 金额 名称",
            f"待还 {day(5)} 5 天后 yen-b 1/2 JP¥30,000 JP¥30,000 日元贷乙",
        ],
    },
    "en": {
        ("check",): [
            f"overdue: {day(-20)} Wallet A 1/3 CN¥1,000.00 unpaid",
            f"next due: {day(5)} 09:00 UTC Yen loan B 1/2 ¥30,000",
        ],
        ("pay", "wallet-a", "1500", "--on", day(-1)): [
            f"Recorded payment 1: wallet-a CN¥1,500.00 on {day(-1)}",
            "Settles 1/3 (CN¥1,000.00); 2/3 partly: CN¥500.00 of CN¥1,000.00 paid. "
            f"Next: 2/3 due {day(10)}, CN¥500.00 to pay.",
            "To undo it: reminderd pay --undo 1",
        ],
        ("pay", "yen-b", "10000", "--on", day(-1)): [
            f"Recorded payment 2: yen-b ¥10,000 on {day(-1)}",
        ],
        ("pay", "--undo", "2"): [
            f"Undid payment 2 (yen-b ¥10,000 on {day(-1)}), recorded as entry 3",
            f"Reopens 1/2 (¥30,000 owed). Next: 1/2 due {day(5)}, ¥30,000 to pay.",
        ],
        ("case", "yen-b"): [],
        ("history", "yen-b"): [
            "id on loan amount receipt note",
            f"2 {day(-1)} yen-b ¥10,000 undone by 3",
            f"3 {day(-1)} yen-b -¥10,000 undoes 2",
        ],
        ("upcoming",): [
            "status due when loan n/N outstanding amount name",
            f"upcoming {day(5)} in 5d yen-b 1/2 ¥30,000 ¥30,000 Yen loan B",
        ],
    },
}
