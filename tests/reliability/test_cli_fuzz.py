"""Hostile command-line arguments for every command: the answer is always exit 0, 1 or 2 and
at most a line of explanation, never a traceback (exit 70) and never a hang.

Most cases run in-process through ``reminderd.cli.main`` (fast); a handful run the installed
command as a subprocess with a timeout, so the real entry point is covered too. The config
loader itself is fuzzed in ``tests/unit/test_config_fuzz.py``; here the config is valid and
the arguments are not.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reminderd import cli
from tests.support.deadline import hang_guard
from tests.support.profiles import examples
from tests.support.service import reminderd_command

EXAMPLES = examples(100)
HANG_SECONDS = 20  # one command taking longer than this counts as a hang

CONFIG = """\
timezone: Asia/Shanghai
locale: zh_CN
currency: CNY
reminders: {{before: [3d, 0d], overdue_every: 1d, channels: [command]}}
channels:
  command: {{argv: [/bin/true], timeout: 5s}}
calendar: {{path: {calendar}, serve: {{listen: "127.0.0.1:1"}}}}
budget: {{monthly: 4000}}
loans:
  - id: wallet-a
    name: 钱包 A
    plan: {{kind: equal_principal, principal: 12000, count: 12, first_due: 2026-01-15,
            every: 1 month, annual_rate: "18%"}}
  - id: card-b
    name: Card B
    currency: USD
    plan: {{kind: recurring, amount: 35.50, first_due: 2026-02-01, every: 1 month, count: 24}}
"""


class World:
    """A valid config, a state dir and a few awkward files, shared by every example."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = root / "config.yaml"
        self.state = root / "state"
        self.config.write_text(CONFIG.format(calendar=root / "cal" / "r.ics"), encoding="utf-8")
        self.directory = root / "a-directory"
        self.directory.mkdir()
        self.receipt = root / "receipt.pdf"
        self.receipt.write_bytes(b"%PDF-1.4 receipt\n")
        self.unreadable = root / "unreadable.jpg"
        self.unreadable.write_bytes(b"\xff\xd8\xff")
        self.unreadable.chmod(0)
        self.fifo = root / "a-fifo"
        os.mkfifo(self.fifo)
        self.outputs = root / "outputs"
        self.outputs.mkdir()

    def paths(self) -> st.SearchStrategy[str]:
        """Paths worth trying as a file argument, all inside the world."""
        special = [
            str(self.directory),
            str(self.root / "does" / "not" / "exist"),
            str(self.unreadable),
            str(self.fifo),
            str(self.receipt),
            "",
            str(self.directory) + "/",
        ]
        named = hostile_names.map(lambda name: str(self.outputs / name))
        return st.one_of(st.sampled_from(special), named)

    def base(self) -> list[str]:
        return ["-c", str(self.config), "--state-dir", str(self.state)]


# Every code point but NUL (argv cannot carry it) and lone surrogates (not encodable).
characters = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
controls = st.sampled_from(["\n", "\r", "\t", "\x1b[2J", "\x7f", "\u202e", "\ufeff", "\x01"])
hostile_text = st.one_of(
    st.text(characters, max_size=40),
    st.text(characters, min_size=2000, max_size=5000),
    st.lists(st.one_of(controls, st.text(characters, max_size=3)), max_size=8).map("".join),
    st.sampled_from(["-", "--", "-1", "--help", "-h", "%s%n", "{0}", "$(id)", "../../etc"]),
)
numbers = st.one_of(
    st.integers().map(str),
    st.integers(min_value=10**20, max_value=10**400).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
    st.sampled_from(["1e999999", "-0", "0.000000001", "1_000", "１２３", "٣", "0x10", "1,5"]),
    st.sampled_from(["18%", "-5%", "1000%", "nan%", "99999999999999999999.99"]),
)
dates = st.one_of(
    st.dates().map(str),
    st.sampled_from(["2026-02-30", "0000-01-01", "9999-12-31", "2026-13-01", "today", "昨天"]),
)
hostile_names = st.one_of(
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00/"), max_size=60
    ).filter(lambda name: name not in ("", ".", "..")),
    st.sampled_from(["x" * 300, "a\nb.ics", " .ics", "-o"]),
)
value = st.one_of(hostile_text, numbers, dates)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World(tmp_path_factory.mktemp("cli-fuzz"))


def run_in_process(
    argv: list[str], capsys: pytest.CaptureFixture[str], cwd: Path
) -> tuple[int, str, str]:
    capsys.readouterr()
    previous = Path.cwd()
    os.chdir(cwd)  # relative names land in the world, not in the checkout
    try:
        with hang_guard(HANG_SECONDS, "command"):
            try:
                code = cli.main(argv)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        os.chdir(previous)
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean(argv: list[str], code: int, err: str) -> None:
    shown = [arg[:80] for arg in argv]
    assert "Traceback" not in err, (shown, err[-3000:])
    assert code in (0, 1, 2), (shown, code, err[-3000:])


fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def optional(strategy: st.SearchStrategy[str], flag: str) -> st.SearchStrategy[list[str]]:
    """Nothing, or ``--flag=value`` (so a value starting with ``-`` stays a value)."""
    return st.one_of(st.just([]), strategy.map(lambda text: [f"{flag}={text}"]))


@fuzz
@given(data=st.data())
def test_cli_check_and_status_and_history_hostile_arguments_never_crash(
    world: World, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    command = data.draw(
        st.sampled_from(
            [
                ["check"],
                ["status"],
                ["status", "--json"],
                ["history"],
                ["history", "--json"],
                ["feed-url"],
            ]
        )
    )
    extra = data.draw(st.lists(value, max_size=2))
    argv = [*world.base(), *command, *extra]
    code, _, err = run_in_process(argv, capsys, world.root)
    assert_clean(argv, code, err)


@fuzz
@given(days=st.one_of(numbers, hostile_text), as_json=st.booleans())
def test_cli_upcoming_hostile_days_never_crash(
    world: World, capsys: pytest.CaptureFixture[str], days: str, as_json: bool
) -> None:
    argv = [*world.base(), "upcoming", f"--days={days}", *(["--json"] if as_json else [])]
    code, _, err = run_in_process(argv, capsys, world.root)
    assert_clean(argv, code, err)


@fuzz
@given(data=st.data())
def test_cli_pay_hostile_arguments_never_crash(
    world: World, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    loan = data.draw(st.one_of(st.sampled_from(["wallet-a", "card-b", "WALLET-A"]), hostile_text))
    amount = data.draw(numbers)
    options = [
        *data.draw(optional(dates, "--on")),
        *data.draw(optional(world.paths(), "--receipt")),
        *data.draw(optional(hostile_text, "--note")),
    ]
    if data.draw(st.booleans()):
        argv = [*world.base(), "pay", f"--undo={data.draw(st.one_of(numbers, hostile_text))}"]
    else:
        argv = [*world.base(), "pay", *options, "--", loan, amount]
    code, _, err = run_in_process(argv, capsys, world.root)
    assert_clean(argv, code, err)


@fuzz
@given(data=st.data())
def test_cli_export_hostile_output_never_crash(
    world: World, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    target = data.draw(world.paths())
    argv = [*world.base(), "export", f"--output={target}"]
    code, _, err = run_in_process(argv, capsys, world.root)
    assert_clean(argv, code, err)
    assert not list(world.outputs.glob(".*.tmp")), "a temporary calendar file was left behind"


@fuzz
@given(data=st.data())
def test_cli_plan_hostile_arguments_never_crash(
    world: World, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    size = data.draw(
        st.one_of(
            st.one_of(numbers, hostile_text).map(lambda text: [f"--count={text}"]),
            st.one_of(numbers, hostile_text).map(lambda text: [f"--budget={text}"]),
        )
    )
    argv = [
        *world.base(),
        "plan",
        *size,
        f"--principal={data.draw(st.one_of(numbers, hostile_text))}",
        *data.draw(st.sampled_from([[], ["--kind=annuity"], ["--kind=equal_principal"]])),
        *data.draw(optional(st.one_of(numbers, hostile_text), "--annual-rate")),
        *data.draw(optional(dates, "--first-due")),
        *data.draw(
            optional(
                st.one_of(
                    hostile_text,
                    st.sampled_from(["0 days", "-1 month", "1 week", "99999 years", "1 fortnight"]),
                    numbers.map(lambda text: f"{text} days"),
                ),
                "--every",
            )
        ),
        *data.draw(
            optional(
                st.one_of(st.sampled_from(["JPY", "XXX", "usd", "BTC"]), hostile_text), "--currency"
            )
        ),
    ]
    code, _, err = run_in_process(argv, capsys, world.root)
    assert_clean(argv, code, err)


@fuzz
@given(channel=st.one_of(st.sampled_from(["command", "email", "desktop", "COMMAND"]), hostile_text))
def test_cli_notify_test_hostile_channel_never_crash(
    world: World, capsys: pytest.CaptureFixture[str], channel: str
) -> None:
    argv = [*world.base(), "notify-test", f"--channel={channel}"]
    code, _, err = run_in_process(argv, capsys, world.root)
    assert_clean(argv, code, err)


@pytest.mark.parametrize(
    "args",
    [
        ["upcoming", "--days", "99999999999999999999999"],
        ["pay", "wallet-a", "1e999999", "--note", "\x1b[2J" * 1000],
        ["pay", "wallet-a", "100", "--receipt", "{directory}"],
        ["export", "-o", "{directory}"],
        ["plan", "--budget", "0.01", "--principal", "99999999999999999999"],
        ["plan", "--count", "100000", "--principal", "1", "--every", "1 day"],
        ["notify-test", "--channel", "\u202e" * 500],
        ["status", "--json", "x" * 100_000],
    ],
    ids=["days", "pay", "receipt-dir", "export-dir", "plan-budget", "plan-count", "notify", "long"],
)
def test_cli_subprocess_hostile_arguments_exit_cleanly(world: World, args: list[str]) -> None:
    argv = [arg.format(directory=world.directory) for arg in args]
    done = subprocess.run(
        [*reminderd_command(), *world.base(), *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=60,  # raises, failing the test, on a hang
        cwd=world.root,
        check=False,
    )
    assert_clean(argv, done.returncode, done.stderr)
