"""Fuzzing config.parse: whatever the bytes, a Config or one line per problem, never a crash."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reminderd import config
from reminderd.errors import ConfigError, UserError
from reminderd.model import Config
from tests.support.service import reminderd_command
from tests.unit.conftest import fixture_path

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.yaml"
EXAMPLE_LINES = EXAMPLE.read_text(encoding="utf-8").splitlines()
PATH = Path("fuzz.yaml")
LINE = re.compile(r"^fuzz\.yaml:\d+:\d+: .+: .+$")
FUZZ = settings(
    max_examples=150,
    deadline=None,  # speed is measured by the bench; a wall-clock bound fails under load
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _check(data: bytes, *, mode: int = 0o600) -> None:
    try:
        result = config.parse(data, PATH, mode=mode, environ={"TZ": "UTC"})
    except ConfigError as error:
        assert error.problems, "a ConfigError must say what is wrong"
        for problem in error.problems:
            assert LINE.match(problem), problem
    except UserError as error:
        assert error.message.strip()
    else:
        assert isinstance(result, Config)


KEYS = st.sampled_from(
    [
        "timezone",
        "currency",
        "loans",
        "plan",
        "kind",
        "id",
        "name",
        "due",
        "amount",
        "count",
        "every",
        "before",
        "channels",
        "email",
        "reminders",
        "x",
        "<<",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        ["once", "annuity", "2027-02-30", "2027-01-01", "1 month", "0 days", "1d", "12.345"]
    ),
    st.dates().map(str),
)
SHAPES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(KEYS | st.text(max_size=6), children)
    ),
    max_leaves=25,
)


@FUZZ
@given(document=SHAPES)
def test_parse_random_yaml_shapes_never_crash(document: object) -> None:
    _check(yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))


@FUZZ
@given(loans=st.lists(st.dictionaries(KEYS, SHAPES, max_size=6), max_size=3))
def test_parse_random_loans_under_a_valid_root_never_crash(loans: list[object]) -> None:
    _check(yaml.safe_dump({"timezone": "UTC", "loans": loans}).encode("utf-8"))


@st.composite
def mutated_example(draw: st.DrawFn) -> bytes:
    lines = list(EXAMPLE_LINES)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "replace", "swap", "indent"]))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "replace":
            key, sep, _ = lines[index].partition(":")
            value = draw(SCALARS.map(lambda v: yaml.safe_dump(v).splitlines()[0]))
            lines[index] = f"{key}{sep} {value}" if sep else value
        elif action == "swap":
            other = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            a_key, a_sep, a_value = lines[index].partition(":")
            b_key, b_sep, b_value = lines[other].partition(":")
            if a_sep and b_sep:  # swap the values of two keys
                lines[index], lines[other] = f"{a_key}:{b_value}", f"{b_key}:{a_value}"
        else:
            lines[index] = " " * draw(st.integers(0, 3)) + lines[index]
        if not lines:
            break
    return ("\n".join(lines) + "\n").encode("utf-8")


@FUZZ
@given(data=mutated_example())
def test_parse_mutated_example_never_crashes(data: bytes) -> None:
    _check(data)


@FUZZ
@given(data=st.binary(max_size=300))
def test_parse_random_bytes_never_crash(data: bytes) -> None:
    _check(data)


@FUZZ
@given(
    prefix=st.sampled_from(EXAMPLE_LINES),
    noise=st.binary(min_size=1, max_size=8),
    position=st.integers(min_value=0, max_value=2000),
)
def test_parse_example_with_bytes_spliced_in_never_crashes(
    prefix: str, noise: bytes, position: int
) -> None:
    data = EXAMPLE.read_bytes()
    _check(data[:position] + noise + prefix.encode() + data[position:])


@FUZZ
@given(
    digits=st.integers(min_value=1, max_value=6000),
    key=st.sampled_from(["count", "principal", "annual_rate", "every", "first_due"]),
)
def test_parse_huge_numbers_never_crash(digits: int, key: str) -> None:
    value = "9" * digits
    if key == "every":
        value += " days"
    text = (
        "loans:\n  - id: a\n    name: A\n    plan:\n      kind: annuity\n"
        "      principal: 1000\n      count: 12\n      first_due: 2027-01-01\n"
    )
    text = re.sub(rf"(?m)^(      {key}:).*$", rf"\1 {value}", text)
    if key not in text:
        text += f"      {key}: {value}\n"
    _check(text.encode())


@FUZZ
@given(
    depth=st.integers(min_value=1, max_value=3000),
    opening=st.sampled_from(["[", "{a: ", "- "]),
)
def test_parse_deep_nesting_never_crashes(depth: int, opening: str) -> None:
    if opening == "- ":
        body = "".join("  " * level + "-\n" for level in range(min(depth, 300)))
        _check(("loans:\n" + body).encode())
        return
    closing = "]" if opening == "[" else "}"
    _check(("loans: " + opening * depth + closing * depth + "\n").encode())


@FUZZ
@given(levels=st.integers(min_value=1, max_value=12), width=st.integers(min_value=2, max_value=12))
def test_parse_alias_bombs_answer_fast(levels: int, width: int) -> None:
    lines = ["a0: &a0 [lol]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    lines.append(f"loans: *a{levels}")
    _check("\n".join(lines).encode())


@FUZZ
@given(mode=st.integers(min_value=0, max_value=0o777))
def test_parse_any_file_mode_never_crashes(mode: int) -> None:
    _check(fixture_path("inline_password.yaml").read_bytes(), mode=mode)


BROKEN = [
    "syntax_error.yaml",
    "five_problems.yaml",
    "self_alias.yaml",
    "empty.yaml",
    "recurring_until_too_far.yaml",
]


@pytest.mark.parametrize("name", BROKEN)
def test_check_command_on_broken_config_exits_2_without_traceback(
    name: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(fixture_path(name).read_bytes())
    path.chmod(0o600)

    done = subprocess.run(
        [*reminderd_command(), "-c", str(path), "check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines
    assert all(line.startswith(f"{path}:") for line in lines), lines


def test_check_command_on_missing_config_exits_2_with_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [*reminderd_command(), "-c", str(tmp_path / "absent.yaml"), "check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("reminderd: config file not found")


def test_check_command_on_non_utf8_bytes_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("loans:\n  - id: a\n    name: 还款\n".encode("gbk"))

    done = subprocess.run(
        [*reminderd_command(), "-c", str(path), "check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"{path}:3:11: (file): not UTF-8 text")
