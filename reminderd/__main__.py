"""Allow ``python -m reminderd``."""

from reminderd.cli import main

raise SystemExit(main())
