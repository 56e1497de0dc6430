"""Run the CLI without a console (``pythonw.exe -m reminderd.platform.background LOG ARGS``).

``pythonw`` gives the program no stdout or stderr, so a log line or a message would be lost
(or, for ``print``, raise). This entry point appends both to ``LOG`` before handing ``ARGS``
to the CLI.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    """Given ``[LOG, *cli_arguments]``: send missing stdout/stderr to LOG, run the CLI,
    return its exit status. Raises nothing the CLI would not."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments:
        raise SystemExit("usage: python -m reminderd.platform.background LOG [ARGUMENTS]")
    log, *rest = arguments
    if sys.stdout is None or sys.stderr is None:
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        stream = open(log, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - lives as long
        if sys.stdout is None:
            sys.stdout = stream
        if sys.stderr is None:
            sys.stderr = stream
    from reminderd.cli import main as cli_main

    return cli_main(rest)


if __name__ == "__main__":
    raise SystemExit(main())
