"""What a user reads when a password file cannot be used: which file, and why (never its
content). Real files in tmp_path, real modes, no mocks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reminderd.channels.secrets import SecretError, read_secret
from reminderd.model import Secret


def private_file(path: Path, content: bytes, mode: int = 0o600) -> Path:
    path.write_bytes(content)
    path.chmod(mode)
    return path


def refusal(secret: Secret, what: str = "password") -> str:
    with pytest.raises(SecretError) as raised:
        read_secret(secret, {}, what=what)
    return raised.value.message


def test_a_missing_password_file_is_named(tmp_path) -> None:
    """Without the path the user cannot tell which of their files the service looked for."""
    gone = tmp_path / "smtp-password"
    assert refusal(Secret(file=gone)) == f"password file {gone} does not exist"


def test_a_password_file_below_a_plain_file_names_the_path_and_the_reason(tmp_path) -> None:
    """A path that cannot even be looked at (here: a file used as a folder) says why."""
    plain = private_file(tmp_path / "secrets", b"invented\n")
    path = plain / "smtp-password"  # stat() fails with ENOTDIR, not "no such file"
    assert refusal(Secret(file=path)) == f"cannot read password file {path}: Not a directory"


def test_a_folder_given_as_password_file_is_refused_by_name(tmp_path) -> None:
    folder = tmp_path / "credentials"
    folder.mkdir(mode=0o700)
    assert refusal(Secret(file=folder)) == f"password file {folder} is not a regular file"


def test_a_password_file_that_is_not_utf8_says_so(tmp_path) -> None:
    """Latin-1 bytes are refused with a reason, not a traceback or the word None."""
    path = private_file(tmp_path / "smtp-password", "Pässword\n".encode("latin-1"))
    assert refusal(Secret(file=path)) == f"cannot read password file {path}: not UTF-8 text"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux /proc")
def test_a_private_file_that_fails_to_read_gives_the_systems_reason() -> None:
    """/proc/self/mem is a regular file of mode 0600 whose first page is unmapped, so reading
    it fails with EIO, as a failing disk would: the reason shown is the system's words."""
    path = Path("/proc/self/mem")
    said = refusal(Secret(file=path))
    assert said == "cannot read password file /proc/self/mem: Input/output error"


def test_a_password_file_written_on_windows_loses_its_crlf(tmp_path) -> None:
    """Notepad ends the line with CRLF; the CR is not part of the password, or login fails."""
    path = private_file(tmp_path / "smtp-password", "Pässword\r\n".encode())
    assert read_secret(Secret(file=path), {}) == "Pässword"


@pytest.mark.parametrize(
    ("content", "password"),
    [
        (b"  two spaces each side  \n", "  two spaces each side  "),  # the spaces are its own
        (b"\ttab-led\n", "\ttab-led"),
        (b"ends-with-a-space \n", "ends-with-a-space "),
        (b"no newline at all", "no newline at all"),
        (b"two lines\n\n", "two lines\n"),  # only the one line end a file ends with goes
    ],
)
def test_only_the_final_line_end_is_taken_off_a_password_file(tmp_path, content, password) -> None:
    """A password may begin or end with blanks; trimming them would make login fail with a
    password the person typed right."""
    path = private_file(tmp_path / "smtp-password", content)
    assert read_secret(Secret(file=path), {}) == password


@pytest.mark.parametrize("what", ["password", "token"])
def test_no_source_at_all_names_what_is_missing(what) -> None:
    assert refusal(Secret(), what=what) == f"no {what} configured"
