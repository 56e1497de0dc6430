"""What every command is handed: the parsed options, the config (loaded once, on demand),
the state directory, the clock and the output stream. The only place the CLI reads the clock."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from reminderd import paths

if TYPE_CHECKING:
    from reminderd.model import Config


@dataclass
class Context:
    config_arg: str | None = None
    state_dir_arg: str | None = None
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    _config: Config | None = None

    @property
    def config_path(self) -> Path:
        return paths.config_path(self.config_arg)

    def config(self) -> Config:
        """Load and validate the config file once; raise ``ConfigError`` or ``UserError``."""
        if self._config is None:
            from reminderd.config import load

            self._config = load(self.config_path)
        return self._config

    @property
    def state_dir(self) -> Path:
        return paths.state_dir(self.state_dir_arg)

    @staticmethod
    def now() -> datetime:
        """The current instant, aware, in UTC."""
        return datetime.now(UTC)

    def print(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def warn(self, text: str) -> None:
        self.err.write(f"reminderd: {text}\n")

    @property
    def environ(self) -> os._Environ[str]:
        return os.environ
