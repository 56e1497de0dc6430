"""Reading a password from where the config says it lives, without ever showing it.

Order of sources: an environment variable, a file (relative names and missing files are
looked up in systemd's ``$CREDENTIALS_DIRECTORY``, as ``LoadCredential=`` provides them), then
an inline value (the config loader checks that such a config file is private). A file that
other users can read is refused, as ssh refuses a private key with loose permissions.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Mapping
from pathlib import Path

from reminderd.errors import UserError
from reminderd.model import Secret
from reminderd.platform import files

# What an environment variable's name looks like. Anything else in password_env is more
# likely a password pasted there by mistake, and is never shown.
_VARIABLE_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


def variable_label(name: str, key: str = "password_env") -> str:
    """``the variable SMTP_PASSWORD``, or, when ``name`` does not look like a variable name
    (a password pasted into ``password_env``), a phrase that does not repeat it."""
    if _VARIABLE_NAME.fullmatch(name):
        return f"the variable {name}"
    return f"the variable named in {key} (it does not look like a variable name)"


class SecretError(UserError):
    """The secret could not be read, or is stored unsafely. The message names no secret."""


def secret_file_path(file: Path, environ: Mapping[str, str]) -> Path:
    """Return where the secret file ``file`` is: as written, or under the credentials dir.

    A relative name, or an absolute path that does not exist, is looked up by its base name in
    ``$CREDENTIALS_DIRECTORY`` when that is set (systemd ``LoadCredential=``).
    """
    credentials = environ.get("CREDENTIALS_DIRECTORY")
    expanded = file.expanduser()
    if credentials and (not expanded.is_absolute() or not expanded.exists()):
        candidate = Path(credentials) / expanded.name
        if candidate.exists() or not expanded.is_absolute():
            return candidate
    return expanded


def check_private(path: Path) -> None:
    """Raise :class:`SecretError` unless ``path`` is a regular file only its owner can read."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SecretError.said("secret.missing", path=path) from None
    except OSError as error:
        raise SecretError.said("secret.unreadable", path=path, reason=error.strerror) from None
    if not stat.S_ISREG(info.st_mode):
        raise SecretError.said("secret.not_regular", path=path)
    if files.open_to_others(info.st_mode):
        mode = f"{stat.S_IMODE(info.st_mode):04o}"
        raise SecretError.said("secret.open", path=path, mode=mode)


def read_secret(secret: Secret, environ: Mapping[str, str], *, what: str = "password") -> str:
    """Return the secret's value.

    Raises :class:`SecretError` when the variable is unset or empty, the file is missing,
    unreadable or readable by others, or no source is configured. One trailing newline of
    a file is dropped (``echo pw > file`` writes one).
    """
    if secret.env:
        value = environ.get(secret.env)
        if not value:
            raise SecretError(f"{variable_label(secret.env)} is not set in the environment")
        return value
    if secret.file:
        path = secret_file_path(secret.file, environ)
        check_private(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or "not UTF-8 text"
            raise SecretError(f"cannot read {what} file {path}: {reason}") from None
        if text.endswith("\n"):
            text = text[:-1]
        text = text.removesuffix("\r")
        if not text:
            raise SecretError(f"{what} file {path} is empty")
        return text
    if secret.inline:
        return secret.inline
    raise SecretError(f"no {what} configured")
