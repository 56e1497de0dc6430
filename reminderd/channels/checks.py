"""What can be known about each channel before its first message, without sending one.

:func:`check_channels` looks at the secrets (variable set, file present, private, readable),
the CA file, and the command's program. Each finding is either an ``error`` (the first send
will fail) or ``unverified`` (this process cannot tell: ``check`` runs in the user's shell,
the service may have a variable or systemd credentials the shell has not). ``check`` prints
the findings; ``run`` logs them at start and puts a summary in the systemd status, where an
unset variable is an error because the service's own environment is the one that counts.
"""

from __future__ import annotations

import logging
import os
import shutil
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reminderd.channels.secrets import SecretError, read_secret, variable_label
from reminderd.model import Channels, Secret

ERROR = "error"
UNVERIFIED = "unverified"


@dataclass(frozen=True)
class Finding:
    """One thing found about a channel: ``where`` is the config key (``channels.email``).
    ``key`` and ``fields``, when given, say ``text`` again from the catalogue
    (:mod:`reminderd.text`), so that ``check`` speaks the config's locale."""

    level: str  # ERROR | UNVERIFIED
    where: str
    text: str
    key: str | None = None
    fields: tuple[tuple[str, object], ...] = ()

    def line(self, locale: str = "en") -> str:
        """``channels.email.password_file: ...`` as printed by check (in ``locale``) and
        logged by run (in English)."""
        if self.key is None or locale == "en":
            return f"{self.where}: {self.text}"
        from reminderd.text import t

        return f"{self.where}: {t(self.key, locale, **dict(self.fields))}"


def _said(level: str, where: str, key: str, **fields: object) -> Finding:
    """A finding whose English text comes from the catalogue's ``key``."""
    from reminderd.text import t

    return Finding(level, where, t(key, "en", **fields), key, tuple(fields.items()))


def check_channels(
    channels: Channels, environ: Mapping[str, str], *, in_service: bool = False
) -> list[Finding]:
    """Return what can be known about ``channels`` in ``environ``, errors first.

    ``in_service`` says that ``environ`` is the service's own: an unset variable is then an
    error, not something this shell cannot know. Nothing is sent and nothing is written.
    """
    findings: list[Finding] = []
    email = channels.email
    if email is not None and email.username:
        findings += _secret(email.password, "channels.email", environ, in_service, "password")
    if email is not None and email.ca_file is not None:
        findings += _ca_file(email.ca_file)
    if channels.command is not None:
        findings += _program(channels.command.argv[0], environ, in_service)
    apprise = channels.apprise
    if apprise is not None and apprise.urls_env and not environ.get(apprise.urls_env):
        findings.append(_unset("channels.apprise.urls_env", apprise.urls_env, in_service))
    return sorted(findings, key=lambda finding: finding.level != ERROR)


def _unset(where: str, name: str, in_service: bool) -> Finding:
    label = variable_label(name, where.rsplit(".", 1)[-1])
    if in_service:
        return Finding(ERROR, where, f"{label} is not set in the service's environment")
    if label == f"the variable {name}":
        return _said(UNVERIFIED, where, "channel.unset", name=name)
    return Finding(UNVERIFIED, where, f"{label} is not set here; the service needs it")


def _secret(
    secret: Secret, where: str, environ: Mapping[str, str], in_service: bool, what: str
) -> list[Finding]:
    if not secret:
        return [
            Finding(
                ERROR,
                f"{where}.username",
                f"a login needs a {what}: add password_env or password_file "
                "(or remove username if the server needs no login)",
            )
        ]
    if secret.env:
        if environ.get(secret.env):
            return []
        return [_unset(f"{where}.password_env", secret.env, in_service)]
    if secret.file is None:
        return []  # inline (checked with the config file's mode) or none
    key = f"{where}.password_file"
    credentials = environ.get("CREDENTIALS_DIRECTORY")
    if not secret.file.expanduser().is_absolute() and not credentials:
        return [
            Finding(
                UNVERIFIED if not in_service else ERROR,
                key,
                f"{secret.file} is looked up in $CREDENTIALS_DIRECTORY, which is not set "
                + ("in the service's environment" if in_service else "here"),
            )
        ]
    try:
        # Read as a send would (private, UTF-8, not empty once its newline is dropped); the
        # value is discarded here and never shown.
        read_secret(Secret(file=secret.file), environ, what=what)
    except SecretError as error:
        return [Finding(ERROR, key, error.message, error.key, tuple(error.fields.items()))]
    return []


def _ca_file(path: Path) -> list[Finding]:
    where = "channels.email.ca_file"
    if not path.exists():
        return [_said(ERROR, where, "channel.missing", path=path)]
    try:
        ssl.create_default_context(cafile=str(path))
    except (OSError, ssl.SSLError) as error:
        reason = getattr(error, "strerror", None) or getattr(error, "reason", None) or str(error)
        return [_said(ERROR, where, "channel.ca_unloadable", path=path, reason=reason)]
    return []


def _program(program: str, environ: Mapping[str, str], in_service: bool) -> list[Finding]:
    where = "channels.command.argv[0]"
    if os.sep in program:
        path = Path(program).expanduser()
        if not path.exists():
            return [_said(ERROR, where, "channel.missing", path=program)]
        if path.is_dir() or not os.access(path, os.X_OK):
            return [_said(ERROR, where, "channel.not_executable", program=program)]
        return []
    if shutil.which(program, path=environ.get("PATH", os.defpath)) is None:
        level = ERROR if in_service else UNVERIFIED
        return [_said(level, where, "channel.not_on_path", program=program)]
    return []


def status_note(channels: Channels, environ: Mapping[str, str]) -> str:
    """For the service's systemd status: ``2 channel problems: channels.email…: …``, or ``""``
    when nothing is known to be wrong. ``environ`` is the service's own."""
    errors = [f for f in check_channels(channels, environ, in_service=True) if f.level == ERROR]
    if not errors:
        return ""
    plural = "s" if len(errors) > 1 else ""
    return f"{len(errors)} channel problem{plural}: {errors[0].line()}"


def log_findings(channels: Channels, environ: Mapping[str, str], log: logging.Logger) -> None:
    """Log, at the service's start, every finding about ``channels`` in its ``environ``."""
    for finding in check_channels(channels, environ, in_service=True):
        if finding.level == ERROR:
            log.error("channel problem: %s (the first message on it will fail)", finding.line())
        else:
            log.warning("channel not verified: %s", finding.line())
