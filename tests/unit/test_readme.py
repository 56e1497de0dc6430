"""The README's reference table and examples cannot drift from the code."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from reminderd.schema import reference_markdown
from tests.support.service import reminderd_command

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_reference_table_is_generated_from_the_schema() -> None:
    block = re.search(r"<!-- reference:start -->\n(.*?)\n<!-- reference:end -->", README, re.S)
    assert block is not None
    assert block.group(1) == reference_markdown()


def test_readme_plan_example_prints_what_the_readme_shows(tmp_path: Path) -> None:
    example = re.search(r"```console\n\$ (reminderd plan [^\n]+)\n(.*?)```", README, re.S)
    assert example is not None
    command, shown = example.group(1), example.group(2)
    result = subprocess.run(
        [*reminderd_command(), "-c", str(tmp_path / "none.yaml"), *command.split()[1:]],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "TZ": "UTC", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    for line in shown.splitlines():
        if line != "…":
            assert line in result.stdout.splitlines()


def test_readme_opens_with_the_two_commands() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    assert "reminderd -c config.example.yaml run" in blocks[0]
    assert blocks[1].strip() == "bash .ci/run"
    assert "python -m pytest" in (ROOT / ".ci" / "run").read_text()
