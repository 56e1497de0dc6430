"""What ``check`` and ``run`` can know about a channel without sending (issue 12, item 3):
errors, and what this process cannot verify. Real files, real modes, no mocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from reminderd.channels.checks import ERROR, UNVERIFIED, check_channels, status_note
from reminderd.channels.secrets import variable_label
from reminderd.model import (
    AppriseSettings,
    Channels,
    CommandSettings,
    EmailSettings,
    Secret,
)


def email(secret: Secret, ca_file: Path | None = None) -> Channels:
    return Channels(
        email=EmailSettings(
            host="127.0.0.1",
            port=2525,
            security="none",
            sender="me@example.com",
            to=("you@example.com",),
            username="me",
            password=secret,
            ca_file=ca_file,
        )
    )


def private_file(path: Path, text: str = "invented-password\n", mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def test_a_private_readable_password_file_gives_no_finding(tmp_path) -> None:
    secret = Secret(file=private_file(tmp_path / "pw"))
    assert check_channels(email(secret), {}) == []


@pytest.mark.parametrize("mode", [0o604, 0o640, 0o644, 0o660])
def test_a_password_file_others_can_read_is_an_error(tmp_path, mode) -> None:
    path = private_file(tmp_path / "pw", mode=mode)

    [finding] = check_channels(email(Secret(file=path)), {})

    assert finding.level == ERROR and finding.where == "channels.email.password_file"
    assert f"mode {mode:04o}" in finding.text and f"chmod 600 {path}" in finding.text


def test_an_empty_or_missing_password_file_or_a_folder_is_an_error(tmp_path) -> None:
    empty = private_file(tmp_path / "empty", "\n")  # one newline: empty once it is dropped
    folder = tmp_path / "folder"
    folder.mkdir(mode=0o700)
    for path, words in ((empty, "is empty"), (tmp_path / "nope", "does not exist")):
        [finding] = check_channels(email(Secret(file=path)), {})
        assert finding.level == ERROR and words in finding.text
    [finding] = check_channels(email(Secret(file=folder)), {})
    assert finding.level == ERROR and "not a regular file" in finding.text


def test_a_relative_password_file_is_looked_up_in_the_credentials_directory(tmp_path) -> None:
    private_file(tmp_path / "smtp-password")
    secret = Secret(file=Path("smtp-password"))

    found_here = check_channels(email(secret), {"CREDENTIALS_DIRECTORY": str(tmp_path)})
    without_here = check_channels(email(secret), {})
    without_in_service = check_channels(email(secret), {}, in_service=True)

    assert found_here == []
    assert [f.level for f in without_here] == [UNVERIFIED]
    assert "$CREDENTIALS_DIRECTORY" in without_here[0].text
    assert [f.level for f in without_in_service] == [ERROR]


def test_an_unset_variable_is_unverified_here_and_an_error_in_the_service() -> None:
    channels = email(Secret(env="SMTP_PASSWORD"))

    [here] = check_channels(channels, {})
    [service] = check_channels(channels, {}, in_service=True)

    assert here.level == UNVERIFIED
    assert here.text == "the variable SMTP_PASSWORD is not set here; the service needs it"
    assert service.level == ERROR and "service's environment" in service.text
    assert check_channels(channels, {"SMTP_PASSWORD": "x"}) == []
    assert status_note(channels, {}).startswith("1 channel problem: channels.email.password_env")


@pytest.mark.parametrize("pasted", ["S3cr3t!pw", "hunter2", "correct horse", "Pa55word"])
def test_a_value_that_is_no_variable_name_is_never_repeated(pasted) -> None:
    [finding] = check_channels(email(Secret(env=pasted)), {})
    assert pasted not in finding.text
    assert "the variable named in password_env" in finding.text
    assert pasted not in variable_label(pasted)


def test_a_missing_or_unloadable_ca_file_is_an_error(tmp_path) -> None:
    garbage = tmp_path / "ca.pem"
    garbage.write_text("not a certificate\n")
    secret = Secret(file=private_file(tmp_path / "pw"))

    [missing] = check_channels(email(secret, ca_file=tmp_path / "none.pem"), {})
    [bad] = check_channels(email(secret, ca_file=garbage), {})

    assert missing.level == ERROR and "does not exist" in missing.text
    assert bad.level == ERROR and bad.where == "channels.email.ca_file"
    assert bad.text.startswith(f"cannot load {garbage}")


def test_the_command_program_must_exist_and_be_executable(tmp_path) -> None:
    script = tmp_path / "notify.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o644)

    def findings(argv0: str, **kwargs: bool) -> list[tuple[str, str]]:
        channels = Channels(command=CommandSettings(argv=(argv0,)))
        found = check_channels(channels, {"PATH": "/usr/bin:/bin"}, **kwargs)
        return [(f.level, f.text) for f in found]

    assert findings(str(script)) == [(ERROR, f"{script} is not an executable file")]
    script.chmod(0o755)
    assert findings(str(script)) == []
    assert findings(str(tmp_path / "gone")) == [(ERROR, f"{tmp_path / 'gone'} does not exist")]
    assert findings("true") == []
    assert findings("no-such-program-here") == [
        (UNVERIFIED, "no-such-program-here is not found on the PATH here")
    ]
    assert findings("no-such-program-here", in_service=True)[0][0] == ERROR


def test_errors_come_before_what_could_not_be_verified(tmp_path) -> None:
    channels = Channels(
        command=CommandSettings(argv=("no-such-program-here",)),
        apprise=AppriseSettings(urls_env="APPRISE_URLS"),
        email=email(Secret(env="SMTP_PASSWORD"), ca_file=tmp_path / "none.pem").email,
    )

    levels = [f.level for f in check_channels(channels, {"PATH": "/usr/bin"})]

    assert levels == [ERROR, UNVERIFIED, UNVERIFIED, UNVERIFIED]


def test_a_login_without_any_password_source_is_an_error() -> None:
    [finding] = check_channels(email(Secret()), {})
    assert finding.level == ERROR and finding.where == "channels.email.username"
    assert "add password_env or password_file" in finding.text
