"""SPEC §7 end to end: secrets stay secret, private files are demanded, TLS is always
verified, the feed serves one path, receipts and the command channel cannot be turned into
file or shell access. Real parts only: the installed command, aiosmtpd on loopback."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import sqlite3
import ssl
import stat
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reminderd import schema
from tests.support.service import PATIENCE, ServiceProcess, seconds_ahead, stamp, wait_for
from tests.support.smtp import USER, free_port, smtp_server

# A due date a year ahead of the real clock, whatever day the tests run (no date bomb).
LATER = (datetime.now(UTC) + timedelta(days=365)).date().isoformat()
SECRET = "s3cr3t-PW-42"  # a wrong password: the server expects another, so AUTH fails


def email_block(port: int, secret_line: str, ca_file: Path | None) -> str:
    return (
        "  email:\n"
        "    host: 127.0.0.1\n"
        f"    port: {port}\n"
        f"    username: {USER}\n"
        f"    {secret_line}\n"
        '    from: "Repayments <me@example.test>"\n'
        "    to: [me@example.test]\n"
        + (f"    ca_file: {ca_file}\n" if ca_file else "")
        + "    timeout: 5s\n"
    )


def recording_script(directory: Path) -> tuple[Path, Path]:
    """A command-channel program that dumps its environment and standard input."""
    record = directory / "command-record.txt"
    script = directory / "record"
    script.write_text(f'#!/bin/sh\n{{ env; echo "--- stdin"; cat; }} >> "{record}"\n')
    script.chmod(0o755)
    return script, record


def config_text(tmp: Path, channels: str, loans: str, *, before: str = "[0s]") -> str:
    return (
        "timezone: UTC\n"
        f"reminders: {{before: {before}, overdue_every: never}}\n"
        f"channels:\n{channels}"
        f"calendar: {{path: {tmp / 'repayments.ics'}}}\n"
        f"loans:\n{loans}"
    )


def once(loan_id: str, name: str, due: str) -> str:
    plan = f'{{kind: once, due: "{due}", amount: 100}}'
    return f'  - id: {loan_id}\n    name: "{name}"\n    plan: {plan}\n'


def test_security_secret_never_in_log_messages_calendar_cmdline_or_delivery_log(
    tmp_path, server_context, ca_file
) -> None:
    script, record = recording_script(tmp_path)
    with smtp_server(mode="starttls", server_context=server_context) as smtp:
        channels = email_block(smtp.port, "password_env: SMTP_PW", ca_file)
        channels += f"  command: {{argv: [{script}], timeout: 5s}}\n"
        config = tmp_path / "config.yaml"
        config.write_text(
            config_text(tmp_path, channels, once("wallet-a", "Wallet A", stamp(seconds_ahead(2))))
        )
        service = ServiceProcess(
            config, tmp_path / "state", {"SMTP_PW": SECRET, "HOME": str(tmp_path)}
        )
        try:
            service.start()
            cmdline = Path(f"/proc/{service.process.pid}/cmdline").read_bytes()
            log = service.log
            assert wait_for(lambda: "authentication failed" in log(), PATIENCE), log()
            assert wait_for(lambda: record.exists(), PATIENCE), service.log()
            assert wait_for(lambda: (tmp_path / "repayments.ics").exists(), PATIENCE)
            assert smtp.recorder.auth_attempts == [(USER, False)]  # the secret was really used
            assert service.stop() == 0
        finally:
            service.kill()
    with sqlite3.connect(tmp_path / "state" / "reminderd.sqlite3") as conn:
        errors = " ".join(str(row) for row in conn.execute("SELECT * FROM deliveries"))
    assert "authentication failed" in errors
    places = {
        "log": service.log(),
        "cmdline": cmdline.decode(errors="replace"),
        "command environment and message": record.read_text(),
        "calendar": (tmp_path / "repayments.ics").read_text(),
        "delivery log": errors,
    }
    for place, text in places.items():
        assert SECRET not in text, place
    assert "SMTP_PW=" not in record.read_text()  # the variable itself is withheld


def test_security_notify_test_wrong_password_output_has_no_secret(
    run_cli, server_context, ca_file
) -> None:
    with smtp_server(mode="starttls", server_context=server_context) as smtp:
        channels = email_block(smtp.port, "password_env: SMTP_PW", ca_file)
        run_cli.write_config(config_text(run_cli.root, channels, once("a", "A", LATER)))
        done = run_cli("notify-test", env={"SMTP_PW": SECRET})
    assert done.returncode == 1 and "authentication failed" in done.stdout + done.stderr
    assert SECRET not in done.stdout + done.stderr and "Traceback" not in done.stderr


def test_security_inline_password_needs_a_private_config(run_cli) -> None:
    channels = email_block(25, f'password: "{SECRET}"', None)
    config = run_cli.write_config(config_text(run_cli.root, channels, once("a", "A", LATER)))
    config.chmod(0o644)
    refused = run_cli("check")
    assert refused.returncode == 2 and "chmod 600" in refused.stderr
    assert SECRET not in refused.stdout + refused.stderr
    config.chmod(0o600)
    accepted = run_cli("check")
    assert accepted.returncode == 0, accepted.stderr


@pytest.mark.parametrize(
    ("command", "mode"),
    [
        (["notify-test"], 0o644),
        (["run", "--once"], 0o644),
        (["notify-test"], 0o604),  # readable by the world only, not the group
        (["notify-test"], 0o640),  # readable by the group only
        (["notify-test"], 0o602),  # writable by the world: it could be swapped
    ],
)
def test_security_world_readable_password_file_refused_with_chmod_hint(
    run_cli, command, mode
) -> None:
    secret_file = run_cli.root / "smtp-password"
    secret_file.write_text(SECRET + "\n")
    secret_file.chmod(mode)
    channels = email_block(free_port(), f"password_file: {secret_file}", None)
    # Due in half an hour with a 1 h lead: one reminder is due now, so `run --once` sends.
    loans = once("a", "A", stamp(seconds_ahead(1800)))
    run_cli.write_config(config_text(run_cli.root, channels, loans, before="[1h]"))
    done = run_cli(*command)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "accessible by other users" in output and f"chmod 600 {secret_file}" in output
    assert SECRET not in output and "Traceback" not in output


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_security_private_password_file_is_read_and_used(
    run_cli, server_context, ca_file, mode
) -> None:
    secret_file = run_cli.root / "smtp-password"
    secret_file.write_text(SECRET + "\n")
    secret_file.chmod(mode)
    with smtp_server(mode="starttls", server_context=server_context) as smtp:
        channels = email_block(smtp.port, f"password_file: {secret_file}", ca_file)
        run_cli.write_config(config_text(run_cli.root, channels, once("a", "A", LATER)))
        done = run_cli("notify-test")
        # The file's one line, without its newline, reached AUTH (and was the wrong password).
        assert smtp.recorder.auth_attempts == [(USER, False)], done.stdout + done.stderr
    assert done.returncode == 1 and "authentication failed" in done.stdout + done.stderr
    assert "accessible by other users" not in done.stdout + done.stderr


def test_security_certificate_for_another_host_name_is_refused(
    run_cli, authority, server_context, ca_file
) -> None:
    # Signed by the CA the config trusts, but for mail.example.com, not 127.0.0.1: a server
    # that holds any certificate of a trusted CA must not pass for this host.
    other = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("mail.example.com").configure_cert(other)
    with smtp_server(mode="starttls", server_context=other) as smtp:
        channels = email_block(smtp.port, "password_env: SMTP_PW", ca_file)
        run_cli.write_config(config_text(run_cli.root, channels, once("a", "A", LATER)))
        refused = run_cli("notify-test", env={"SMTP_PW": SECRET})
        assert smtp.recorder.auth_attempts == []  # no password after a failed handshake
    output = refused.stdout + refused.stderr
    assert refused.returncode == 1, output
    # "certificate verify failed for 127.0.0.1:PORT: IP address mismatch, certificate is not
    # valid for '127.0.0.1'": the CA was trusted, the name was not.
    assert "certificate verify failed" in output and "mismatch" in output, output
    assert SECRET not in output and "Traceback" not in output
    # The same CA with a certificate for 127.0.0.1: the handshake passes and AUTH is tried.
    with smtp_server(mode="starttls", server_context=server_context) as smtp:
        channels = email_block(smtp.port, "password_env: SMTP_PW", ca_file)
        run_cli.write_config(config_text(run_cli.root, channels, once("a", "A", LATER)))
        accepted = run_cli("notify-test", env={"SMTP_PW": SECRET})
        assert smtp.recorder.auth_attempts == [(USER, False)], accepted.stdout + accepted.stderr


def test_security_self_signed_server_without_ca_file_fails_on_the_certificate(
    run_cli, server_context
) -> None:
    with smtp_server(mode="starttls", server_context=server_context) as smtp:
        channels = email_block(smtp.port, "password_env: SMTP_PW", None)
        run_cli.write_config(config_text(run_cli.root, channels, once("a", "A", LATER)))
        done = run_cli("notify-test", env={"SMTP_PW": SECRET})
        assert smtp.recorder.auth_attempts == []  # nothing was said after the handshake
    assert done.returncode == 1
    assert "certificate verify failed" in done.stdout + done.stderr


@pytest.mark.parametrize(
    "key", ["verify", "tls_verify", "verify_tls", "insecure", "skip_verify", "check_hostname"]
)
def test_security_no_config_key_turns_tls_verification_off(run_cli, key) -> None:
    assert {field.key for field in schema.EMAIL.fields} == {
        "host", "port", "security", "username", "password_env", "password_file", "password",
        "from", "to", "ca_file", "timeout",
    }  # fmt: skip
    channels = email_block(25, "password_env: X", None) + f"    {key}: false\n"
    run_cli.write_config(config_text(run_cli.root, channels, once("a", "A", LATER)))
    done = run_cli("check")
    assert done.returncode == 2 and f"channels.email.{key}" in done.stderr


def http_get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_security_feed_of_a_running_service_serves_only_its_one_path(tmp_path, run_cli) -> None:
    port = free_port()
    script, _ = recording_script(tmp_path)
    channels = f"  command: {{argv: [{script}]}}\n"
    text = config_text(tmp_path, channels, once("wallet-a", "Wallet A", LATER))
    text = text.replace("calendar: {", f'calendar: {{serve: {{listen: "127.0.0.1:{port}"}}, ')
    run_cli.write_config(text)
    url = run_cli("feed-url").stdout.split()[0]
    path = url.split(f":{port}", 1)[1]
    secret = path.split("/")[1]
    service = ServiceProcess(run_cli.config, run_cli.state_dir, {"HOME": str(tmp_path)})
    try:
        service.start()
        assert wait_for(lambda: http_get(port, path) == 200, PATIENCE), service.log()
        assert http_get(port, f"/{secret}/") == 200  # the page (SPEC §10), on the same secret
        for hostile in [
            "/",
            f"/{secret}/../{secret}/repayments.ics",
            f"/{secret}/%2e%2e/{secret}/repayments.ics",
            f"/{secret}/repayments.ics/../../../../etc/passwd",
            "/../../../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            f"/{secret}/%2E%2E%2Fconfig.yaml",
            f"/{secret[:-1]}/repayments.ics",
            f"/{secret}/repayments.ics?x=../../config.yaml",
            "/" + "a" * 60_000,
        ]:
            status = http_get(port, hostile) if len(hostile) < 60_000 else long_path(port, hostile)
            assert status in (400, 404, 414, 431, 0) or (status == 200 and "?" in hostile), hostile
        # A flood: more idle connections than the feed has slots, one of them dribbling a
        # request. The feed refuses what does not fit and cuts the silent ones off after its
        # request timeout (5 s), after which a real client gets its calendar again.
        # A feed that never cut them off would hold them for ever: 60 s is a hang guard for a
        # loaded machine, not a speed threshold.
        flood = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(40)]
        flood[0].sendall(b"GET /")
        for sock in flood:
            with contextlib.suppress(ConnectionResetError):
                sock.recv(1024)  # b"" once the feed hangs up; a TimeoutError fails the test
        results: list[int] = []

        def client() -> None:
            try:
                results.append(http_get(port, path))
            except OSError as error:
                results.append(repr(error))

        workers = [threading.Thread(target=client) for _ in range(20)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        assert results.count(200) == 20, results
        for sock in flood:
            sock.close()
        assert http_get(port, path) == 200
        assert service.alive()
        assert service.stop() == 0
    finally:
        service.kill()


def long_path(port: int, path: str) -> int:
    """The status of a request with a huge path, or 0 when the server just hung up."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            answer = sock.recv(100)
        except (ConnectionResetError, BrokenPipeError):
            return 0
    return int(answer.split()[1]) if answer.startswith(b"HTTP/") else 0


@pytest.mark.parametrize(
    "name", ["../../x.pdf", "a/b/../c.jpg", "line\nbreak.png", "..", "evil.PDF;rm -rf ~"]
)
def test_security_receipt_names_cannot_escape_the_state_dir(run_cli, name) -> None:
    loans = '  - id: a\n    name: A\n    plan: {kind: once, due: "' + LATER + '", amount: 100}\n'
    run_cli.write_config(config_text(run_cli.root, "  command: {argv: [/bin/true]}\n", loans))
    cwd = run_cli.root / "w" / "x" / "y"
    cwd.mkdir(parents=True)
    source = (cwd / name) if name != ".." else (cwd / ".." / "receipt")
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(b"receipt " + name.encode())
    argument = name if name != ".." else "../receipt"
    before = set(run_cli.root.rglob("*"))
    done = subprocess.run(
        [*run_cli.command, "pay", "a", "100", "--receipt", argument],
        env=run_cli.env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    created = {path for path in set(run_cli.root.rglob("*")) - before if path.is_file()}
    receipts = run_cli.state_dir / "receipts"
    stored = [path for path in created if path.parent == receipts]
    assert len(stored) == 1, created
    assert all(path.is_relative_to(run_cli.state_dir) for path in created), created
    [payment] = run_cli.json("history", "--json")
    assert stored[0].name.startswith(payment["receipt"]["sha256"])
    assert stat.S_IMODE(receipts.stat().st_mode) == 0o700


def test_security_command_channel_passes_text_verbatim_never_through_a_shell(tmp_path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "keep-me").write_text("still here")
    canary = tmp_path / "pwned-XYZ"
    hostile = f"$(touch {canary}); rm -rf ~ `touch {canary}` && touch {canary}"
    script, record = recording_script(tmp_path)
    due = stamp(seconds_ahead(1800))
    loans = (
        "  - id: wallet-a\n"
        f"    name: '{hostile}'\n"
        f'    plan: {{kind: once, due: "{due}", amount: 100}}\n'
    )
    config = tmp_path / "config.yaml"
    config.write_text(
        config_text(tmp_path, f"  command: {{argv: [{script}]}}\n", loans, before="[1h]")
    )
    service = ServiceProcess(config, tmp_path / "state", {"HOME": str(home)})
    try:
        service.start(wait_ready=False, extra=("--once",))
        assert service.process.wait(timeout=30) == 0, service.log()
    finally:
        service.kill()
    text = record.read_text()
    assert hostile in text  # in REMINDERD_SUBJECT / REMINDERD_BODY and on stdin, verbatim
    assert any(
        line.startswith("REMINDERD_SUBJECT=") and hostile in line for line in text.splitlines()
    )
    # An absence cannot be waited for: the pause only gives a command smuggled into the
    # background (`&`) a moment to show itself; the program itself finished before the exit.
    time.sleep(0.2)
    assert not canary.exists()
    assert (home / "keep-me").read_text() == "still here"
    assert os.listdir(home) == ["keep-me"]
