"""Six ``reminderd pay`` at once on a fresh state directory, over many rounds: how many fail.

Usage: bench/pay_race.py [--rounds 40] [--at-once 6]

Each round makes a new state directory, starts ``--at-once`` installed ``reminderd pay``
processes together (they race to create and migrate the same database) and counts those that
exit non-zero. Prints one line: failures out of the payments tried.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

CONFIG = """timezone: UTC
channels: {command: {argv: ["/bin/true"]}}
loans:
  - id: loan-a
    name: A
    plan: {kind: once, due: 2099-06-01, amount: 100}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--at-once", type=int, default=6)
    args = parser.parse_args()
    command = str(Path(sys.executable).parent / "reminderd")
    failures = 0
    with tempfile.TemporaryDirectory() as root:
        config = Path(root) / "config.yaml"
        config.write_text(CONFIG, encoding="utf-8")
        for round_number in range(args.rounds):
            state = Path(root) / f"state-{round_number}"
            processes = [
                subprocess.Popen(
                    [command, "-c", str(config), "--state-dir", str(state), "pay", "loan-a", "1"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for _ in range(args.at_once)
            ]
            failures += sum(1 for process in processes if process.wait(timeout=120) != 0)
    print(f"{failures} failed of {args.rounds * args.at_once} payments")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
