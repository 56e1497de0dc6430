"""``reminderd notify-test`` run as a user would: the installed command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

from tests.support.service import reminderd_command

# A due date a year ahead of the real clock, whatever day the tests run (no date bomb).
LATER = (datetime.now(UTC) + timedelta(days=365)).date().isoformat()
RECORDER = "import os, sys; open(sys.argv[1], 'a').write(os.environ['REMINDERD_KIND'] + '\\n')\n"


def write_config(tmp_path, command_argv: list[str]) -> str:
    config = tmp_path / "config.yaml"
    argv = ", ".join(f'"{part}"' for part in command_argv)
    config.write_text(
        textwrap.dedent(
            f"""\
            timezone: Asia/Shanghai
            locale: zh_CN
            channels:
              command:
                argv: [{argv}]
            loans:
              - id: wallet-a
                name: Wallet A
                plan: {{kind: once, due: {LATER}, amount: 1200}}
            """
        )
    )
    return str(config)


def reminderd(*args: str) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if key != "REMINDERD_CONFIG"}
    return subprocess.run(
        [*reminderd_command(), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=environ,
        check=False,
    )


def test_notify_test_cli_command_channel_ok(tmp_path):
    script = tmp_path / "record.py"
    script.write_text(RECORDER)
    out = tmp_path / "kinds.txt"
    config = write_config(tmp_path, [sys.executable, str(script), str(out)])
    result = reminderd("-c", config, "notify-test")
    assert (result.returncode, result.stdout) == (0, "command：成功\n"), result.stderr
    assert out.read_text() == "test\n"


def test_notify_test_cli_failing_command_exits_1_one_line(tmp_path):
    config = write_config(tmp_path, [sys.executable, "-c", "import sys; sys.exit('broken')"])
    result = reminderd("-c", config, "notify-test")
    assert result.returncode == 1
    # zh_CN: "exited with status 1", then the program's own last line
    assert result.stdout == "command：失败：" + sys.executable + " 以状态 1 退出: broken\n"
    assert "Traceback" not in result.stderr


def test_notify_test_cli_unknown_channel_exits_2_one_line(tmp_path):
    config = write_config(tmp_path, ["/bin/true"])
    result = reminderd("-c", config, "notify-test", "--channel", "pager")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "pager" in result.stderr
