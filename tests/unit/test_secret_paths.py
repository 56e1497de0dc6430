"""Where a ``password_file`` is looked for: as written, or in systemd's credentials directory."""

from __future__ import annotations

from pathlib import Path

from reminderd.channels.secrets import secret_file_path


def test_secret_relative_name_is_in_the_credentials_directory_even_before_it_exists(
    tmp_path,
) -> None:
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    environ = {"CREDENTIALS_DIRECTORY": str(credentials)}
    # Not there yet: the error about it must name where systemd puts it, not ./smtp-password.
    assert secret_file_path(Path("smtp-password"), environ) == credentials / "smtp-password"
    (credentials / "smtp-password").write_text("pw\n")
    assert secret_file_path(Path("smtp-password"), environ) == credentials / "smtp-password"


def test_secret_absolute_path_is_kept_when_it_exists_else_found_by_name(tmp_path) -> None:
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "pw").write_text("pw\n")
    environ = {"CREDENTIALS_DIRECTORY": str(credentials)}
    here = tmp_path / "etc" / "pw"
    here.parent.mkdir()
    here.write_text("pw\n")
    assert secret_file_path(here, environ) == here  # exists where written: used as written
    gone = tmp_path / "gone" / "pw"
    assert secret_file_path(gone, environ) == credentials / "pw"  # LoadCredential= copy
    assert secret_file_path(gone, {}) == gone  # no credentials directory: as written
    assert secret_file_path(tmp_path / "gone" / "other", environ) == tmp_path / "gone" / "other"
