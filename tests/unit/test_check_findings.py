"""The exact findings ``check`` prints (and ``run`` logs) about channels: where, how sure, and
what to do. Real files, real folders of programs, the environment given as an argument."""

from __future__ import annotations

from pathlib import Path

import pytest

from reminderd.channels.checks import ERROR, UNVERIFIED, check_channels, status_note
from reminderd.model import AppriseSettings, Channels, CommandSettings, EmailSettings, Secret


def email(password: Secret | None = None, ca_file: Path | None = None) -> Channels:
    """An e-mail channel; with a ``password`` it logs in as ``me``, without one it does not."""
    return Channels(
        email=EmailSettings(
            host="127.0.0.1",
            port=2525,
            security="none",
            sender="me@example.com",
            to=("you@example.com",),
            username="me" if password is not None else None,
            password=password or Secret(),
            ca_file=ca_file,
        )
    )


def said(channels: Channels, environ: dict[str, str], **kwargs: bool) -> list[tuple]:
    return [(f.level, f.where, f.text) for f in check_channels(channels, environ, **kwargs)]


def test_a_login_without_a_password_says_how_to_add_one() -> None:
    """The finding names the missing thing (a password) and both ways to give it."""
    assert said(email(Secret()), {}) == [
        (
            ERROR,
            "channels.email.username",
            "a login needs a password: add password_env or password_file "
            "(or remove username if the server needs no login)",
        )
    ]


def test_an_empty_password_file_is_named(tmp_path) -> None:
    path = tmp_path / "smtp-password"
    path.write_text("\n")  # one newline, dropped: nothing left
    path.chmod(0o600)
    assert said(email(Secret(file=path)), {}) == [
        (ERROR, "channels.email.password_file", f"password file {path} is empty")
    ]


def test_a_credential_name_without_credentials_directory_says_here_or_service() -> None:
    """In the shell it may be fine (systemd sets the folder); in the service it is an error."""
    channels = email(Secret(file=Path("smtp-password")))
    text = "smtp-password is looked up in $CREDENTIALS_DIRECTORY, which is not set "

    assert said(channels, {}) == [(UNVERIFIED, "channels.email.password_file", text + "here")]
    assert said(channels, {}, in_service=True) == [
        (ERROR, "channels.email.password_file", text + "in the service's environment")
    ]


def test_a_finding_without_catalogue_text_prints_in_english_under_any_locale() -> None:
    """A zh_CN config must still get the line, not a crash, for text that has no translation."""
    [finding] = check_channels(email(Secret(file=Path("smtp-password"))), {})
    assert finding.line("zh_CN") == (
        "channels.email.password_file: smtp-password is looked up in $CREDENTIALS_DIRECTORY, "
        "which is not set here"
    )


def test_a_missing_ca_file_is_named_at_its_key(tmp_path) -> None:
    gone = tmp_path / "ca.pem"
    assert said(email(ca_file=gone), {}) == [
        (ERROR, "channels.email.ca_file", f"{gone} does not exist")
    ]


def test_a_valid_ca_file_gives_no_finding(ca_file) -> None:
    """The trustme authority's PEM loads: check must not cry wolf about a good file."""
    assert said(email(ca_file=ca_file), {}) == []


def test_a_folder_given_as_ca_file_says_why_it_cannot_load(tmp_path) -> None:
    """Pointing ca_file at /etc/ssl/certs (a folder) is a common slip; the reason is plain."""
    folder = tmp_path / "certs"
    folder.mkdir()
    assert said(email(ca_file=folder), {}) == [
        (ERROR, "channels.email.ca_file", f"cannot load {folder}: Is a directory")
    ]


def executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def command(argv0: str) -> Channels:
    return Channels(command=CommandSettings(argv=(argv0,)))


def test_a_program_is_looked_up_on_the_path_of_the_environment_given(tmp_path) -> None:
    """check judges the PATH the service will have, not the PATH of this test process."""
    own_bin = tmp_path / "bin"
    own_bin.mkdir()
    executable(own_bin / "invented-notifier")
    empty = tmp_path / "empty"
    empty.mkdir()

    assert said(command("invented-notifier"), {"PATH": str(own_bin)}) == []
    # sh is in /bin and on this process's PATH, but not on the PATH given.
    assert said(command("sh"), {"PATH": str(empty)}) == [
        (UNVERIFIED, "channels.command.argv[0]", "sh is not found on the PATH here")
    ]


def test_without_path_in_the_environment_the_system_default_is_used(tmp_path, monkeypatch) -> None:
    """An environment with no PATH (a bare service) finds programs in /bin:/usr/bin; this
    process's own PATH (here an empty folder) is not the one that counts."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert said(command("sh"), {}) == []


def test_a_program_that_is_not_executable_is_reported_at_argv0(tmp_path) -> None:
    script = tmp_path / "notify.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o644)
    assert said(command(str(script)), {"PATH": "/usr/bin:/bin"}) == [
        (ERROR, "channels.command.argv[0]", f"{script} is not an executable file")
    ]


def test_an_apprise_variable_that_is_set_gives_no_finding() -> None:
    channels = Channels(apprise=AppriseSettings(urls_env="APPRISE_URLS"))
    assert said(channels, {"APPRISE_URLS": "mailto://example.com"}) == []


def test_an_unset_apprise_variable_is_an_error_in_the_service() -> None:
    channels = Channels(apprise=AppriseSettings(urls_env="APPRISE_URLS"))
    assert said(channels, {}, in_service=True) == [
        (
            ERROR,
            "channels.apprise.urls_env",
            "the variable APPRISE_URLS is not set in the service's environment",
        )
    ]


def test_a_pasted_apprise_url_is_not_repeated_and_the_key_is_urls_env() -> None:
    """A URL pasted into urls_env is a secret: the finding points at urls_env without it."""
    pasted = "tgram://invented-token/invented-chat"
    channels = Channels(apprise=AppriseSettings(urls_env=pasted))
    assert said(channels, {}) == [
        (
            UNVERIFIED,
            "channels.apprise.urls_env",
            "the variable named in urls_env (it does not look like a variable name) "
            "is not set here; the service needs it",
        )
    ]


@pytest.mark.parametrize(
    ("problems", "note_start"),
    [
        (1, "1 channel problem: "),
        (2, "2 channel problems: "),
    ],
)
def test_the_service_status_counts_its_channel_problems(tmp_path, problems, note_start) -> None:
    """The systemd status line says how many channels will fail, first problem shown."""
    gone_ca = tmp_path / "ca.pem"
    gone_program = tmp_path / "notify.sh"
    channels = Channels(
        email=email(ca_file=gone_ca).email,
        command=CommandSettings(argv=(str(gone_program),)) if problems == 2 else None,
    )
    assert status_note(channels, {}) == (
        note_start + f"channels.email.ca_file: {gone_ca} does not exist"
    )
