"""What the e-mail channel says, and whether it is worth retrying, for each way a server or
the network answers. Real servers on 127.0.0.1: aiosmtpd (tests/support/smtp.py) and, for
answers aiosmtpd will not give (a bare code, bytes that are not UTF-8, a hang-up), a small
scripted SMTP server in this file that speaks the protocol over a real socket.

Retry policy relies on ``permanent``: 4xx (RFC 5321 §4.2.1: "the command may succeed later")
is retried, 5xx is not.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from reminderd.channels import DeliveryError
from reminderd.channels.mail import EmailChannel
from reminderd.model import EmailSettings, Secret
from tests.contract.contract import SLACK, sample_message
from tests.support.smtp import PASSWORD, USER, Recorder, free_port, silent_server, smtp_server

OK = b"250 OK\r\n"


@contextmanager
def scripted_server(
    answer: Callable[[str], bytes], greeting: bytes | None = b"220 scripted ESMTP\r\n"
) -> Iterator[int]:
    """Serve one SMTP connection on 127.0.0.1, replying to each command line with
    ``answer(line)``; yield the port. ``greeting=None`` hangs up as soon as it accepts.
    After a ``354`` reply the message is read up to its final ``.`` and taken with 250."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(10)

    def serve() -> None:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        with connection, connection.makefile("rb") as reader:
            if greeting is None:
                return
            try:
                converse(connection, reader)
            except OSError:
                return  # the client hung up or reset: nothing left to answer

    def converse(connection: socket.socket, reader: BinaryIO) -> None:
        connection.sendall(greeting)
        for raw in reader:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            reply = answer(line)
            connection.sendall(reply)
            if reply.startswith(b"354"):
                for body in reader:
                    if body == b".\r\n":
                        break
                connection.sendall(b"250 queued\r\n")
            if line.upper() == "QUIT":
                return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        thread.join(5)


def answering(**replies: bytes) -> Callable[[str], bytes]:
    """A plain ESMTP server (no TLS, no AUTH) whose replies to some verbs are replaced."""

    def answer(line: str) -> bytes:
        verb = line.split(" ", 1)[0].upper()
        return replies.get(verb, b"221 bye\r\n" if verb == "QUIT" else OK)

    return answer


def plain_settings(port: int, **changes: object) -> EmailSettings:
    fields: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "sender": "Repayments <me@example.test>",
        "to": ("you@example.test",),
        "timeout": 5.0,
    }
    fields.update(changes)
    return EmailSettings(**fields)  # type: ignore[arg-type]


def refusal(settings: EmailSettings, environ: dict[str, str] | None = None) -> DeliveryError:
    with pytest.raises(DeliveryError) as raised:
        EmailChannel(settings, environ=environ or {}).send(sample_message())
    return raised.value


# --- what the server answers to DATA, MAIL FROM and RCPT TO -------------------------------


@pytest.mark.parametrize(
    ("reply", "said", "permanent"),
    [
        # the edges of the 4xx class, then of the 5xx class
        (b"400 4.0.0 busy\r\n", "temporary failure, server answered 400 4.0.0 busy", False),
        (b"499 4.0.0 busy\r\n", "temporary failure, server answered 499 4.0.0 busy", False),
        (b"500 5.5.2 what?\r\n", "permanent failure, server answered 500 5.5.2 what?", True),
        (b"554 5.7.1 no\r\n", "permanent failure, server answered 554 5.7.1 no", True),
        # a bare code: the reason ends at the code, with no trailing space
        (b"451\r\n", "temporary failure, server answered 451", False),
        (b"550\r\n", "permanent failure, server answered 550", True),
        # the first line of a multi-line answer is enough for a log line
        (
            b"452-4.3.1 mailbox full\r\n452 4.3.1 come back later\r\n",
            "temporary failure, server answered 452 4.3.1 mailbox full",
            False,
        ),
        # Latin-1 from an old server: shown with a replacement character, not a crash
        (
            "554 5.7.1 refusé\r\n".encode("latin-1"),
            "permanent failure, server answered 554 5.7.1 refus\ufffd",
            True,
        ),
    ],
)
def test_an_answer_to_data_says_the_code_and_whether_it_is_retried(reply, said, permanent):
    """A 4xx is retried and a 5xx is not; the log shows the server's code and first line."""
    with scripted_server(answering(DATA=reply)) as port:
        error = refusal(plain_settings(port))
    assert (str(error), error.permanent) == (said, permanent)


@pytest.mark.parametrize(
    ("code", "permanent"),
    [(451, False), (499, False), (500, True), (553, True)],
)
def test_a_refused_sender_is_named_and_retried_only_for_4xx(code, permanent):
    """A wrong ``from`` is fixed in the config, not by retrying; a 4xx may pass later."""
    reply = f"{code} sender not taken\r\n".encode()
    with scripted_server(answering(MAIL=reply)) as port:
        error = refusal(plain_settings(port))
    assert (str(error), error.permanent) == (f"sender me@example.test refused ({code})", permanent)


@pytest.mark.parametrize(
    ("code", "permanent"),
    [(450, False), (499, False), (500, True), (550, True)],
)
def test_a_sole_refused_recipient_is_named_and_retried_only_for_4xx(code, permanent):
    reply = f"{code} not this one\r\n".encode()
    with scripted_server(answering(RCPT=reply)) as port:
        error = refusal(plain_settings(port))
    assert (str(error), error.permanent) == (
        f"recipient refused: you@example.test ({code})",
        permanent,
    )


def test_one_recipient_refused_for_good_while_another_took_it_is_permanent():
    """The server took the mail for one address and refused the other with 550: resending
    would not reach the refused one and would duplicate it for the other."""

    def answer(line: str) -> bytes:
        if line.upper().startswith("RCPT") and "nobody@" in line:
            return b"550 5.1.1 no such mailbox\r\n"
        return answering(DATA=b"354 go ahead\r\n")(line)

    to = ("you@example.test", "nobody@example.test")
    with scripted_server(answer) as port:
        error = refusal(plain_settings(port, to=to))
    assert (str(error), error.permanent) == ("recipient refused: nobody@example.test", True)


# --- connections that fail before any answer ----------------------------------------------


def test_a_server_that_hangs_up_at_once_is_named():
    with scripted_server(answering(), greeting=None) as port:
        error = refusal(plain_settings(port))
    assert (str(error), error.permanent) == (f"127.0.0.1:{port} closed the connection", False)


@pytest.mark.parametrize("security", ["none", "starttls", "ssl"])
def test_a_silent_server_times_out_with_the_configured_timeout_named(security):
    """A server that accepts and never speaks (or never finishes the TLS handshake) is
    reported as a timeout after the configured seconds, and retried."""
    outcome: list[BaseException] = []

    def send(port: int) -> None:
        try:
            EmailChannel(plain_settings(port, security=security, timeout=1.0), environ={}).send(
                sample_message()
            )
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            outcome.append(error)

    with silent_server() as port:
        sender = threading.Thread(target=send, args=(port,), daemon=True)
        sender.start()
        # bounded wait: a send that ignored its timeout would hang for ever on this server
        sender.join(1.0 + SLACK)
        assert not sender.is_alive(), "the send did not give up after its timeout"
    [error] = outcome
    assert isinstance(error, DeliveryError)
    # timeout 1.0 is shown with :g, "1s"
    assert (str(error), error.permanent) == (
        f"timed out after 1s talking to 127.0.0.1:{port}",
        False,
    )


def test_a_connection_refused_names_the_address():
    port = free_port()
    error = refusal(plain_settings(port, timeout=2.0))
    assert (str(error), error.permanent) == (f"connection refused by 127.0.0.1:{port}", False)


def test_a_host_name_that_cannot_resolve_is_named():
    """``.invalid`` never resolves (RFC 6761): a typo in host is shown as such."""
    error = refusal(plain_settings(25, host="reminderd-test.invalid", timeout=2.0))
    assert str(error) == "cannot resolve host reminderd-test.invalid"


def test_another_network_error_gives_the_systems_reason_without_errno():
    """Connecting to the broadcast address fails at once (EACCES, or ENETUNREACH with no
    route): the reason is the system's words, not a Python ``[Errno N]`` repr."""
    error = refusal(plain_settings(25, host="255.255.255.255", timeout=2.0))
    prefix = "network error with 255.255.255.255:25: "
    assert str(error).startswith(prefix)
    reason = str(error).removeprefix(prefix)
    assert reason in {"Permission denied", "Network is unreachable"}


def test_tls_spoken_to_a_plain_server_says_tls_failed_with_a_short_reason():
    """security: ssl against a server without TLS: the reason is OpenSSL's short name (such
    as WRONG_VERSION_NUMBER), not the internal ``[SSL: ...] ... (_ssl.c:NNN)`` repr."""
    with scripted_server(answering()) as port:
        error = refusal(plain_settings(port, security="ssl"))
    prefix = f"TLS failed with 127.0.0.1:{port}: "
    assert str(error).startswith(prefix)
    reason = str(error).removeprefix(prefix)
    assert reason and "[" not in reason and "_ssl.c" not in reason


# --- TLS and login ------------------------------------------------------------------------


@pytest.fixture
def starttls_server(server_context):
    with smtp_server(mode="starttls", server_context=server_context) as server:
        yield server


def tls_settings(server, **changes: object) -> EmailSettings:
    fields: dict[str, object] = {
        "security": "starttls",
        "username": USER,
        "password": Secret(env="SMTP_PW"),
    }
    fields.update(changes)
    return plain_settings(server.port, **fields)


ENVIRON = {"SMTP_PW": PASSWORD}


def test_an_unknown_authority_names_the_address_and_the_reason(starttls_server):
    """No ca_file and a private CA: the log says which server and what OpenSSL objected to."""
    error = refusal(tls_settings(starttls_server), ENVIRON)
    assert str(error) == (
        f"certificate verify failed for 127.0.0.1:{starttls_server.port}: "
        "unable to get local issuer certificate"
    )
    assert starttls_server.recorder.auth_attempts == []


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda tmp_path: tmp_path / "gone.pem", "No such file or directory"),
        (lambda tmp_path: tmp_path, "Is a directory"),
    ],
)
def test_a_ca_file_that_cannot_load_is_permanent_and_named(starttls_server, tmp_path, make, reason):
    """A ca_file removed or mistyped after start: nothing is sent, retrying cannot help."""
    path = make(tmp_path)
    error = refusal(tls_settings(starttls_server, ca_file=path), ENVIRON)
    assert (str(error), error.permanent) == (f"cannot load ca_file {path}: {reason}", True)
    assert starttls_server.recorder.auth_attempts == []
    assert starttls_server.recorder.messages == []


def test_a_server_without_starttls_is_refused_for_good(ca_file):
    """Never talk in clear when TLS was asked for; a retry would meet the same server."""
    with smtp_server(mode="plain") as server:
        error = refusal(tls_settings(server, ca_file=ca_file), ENVIRON)
        assert server.recorder.auth_attempts == []
    assert str(error) == (
        "the server does not offer STARTTLS; refusing to continue unencrypted "
        "(set security: none only if you accept that)"
    )
    assert error.permanent


def test_auth_not_offered_before_tls_is_permanent_and_says_what_to_check(starttls_server):
    error = refusal(tls_settings(starttls_server, security="none"), ENVIRON)
    assert (str(error), error.permanent) == (
        f"127.0.0.1:{starttls_server.port} does not offer AUTH on this connection "
        "(servers usually allow it only after TLS; check security:)",
        True,
    )


def test_a_missing_password_file_is_permanent_and_named(starttls_server, ca_file, tmp_path):
    gone = tmp_path / "smtp-password"
    settings = tls_settings(starttls_server, ca_file=ca_file, password=Secret(file=gone))
    error = refusal(settings)
    assert (str(error), error.permanent) == (f"password file {gone} does not exist", True)
    assert starttls_server.recorder.auth_attempts == []


ASCII_PASSWORD = "invented-horse-battery"


class _LoginOnly(Recorder):
    """Accepts USER with ASCII_PASSWORD (the server is told not to offer AUTH PLAIN)."""

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        login = auth_data.login.decode("utf-8")
        ok = login == USER and auth_data.password.decode("utf-8") == ASCII_PASSWORD
        self.auth_attempts.append((login, ok))
        return AuthResult(success=ok, handled=False)


@contextmanager
def login_only_server() -> Iterator[tuple[int, _LoginOnly]]:
    """aiosmtpd in clear offering AUTH LOGIN only, as some older servers do."""
    recorder = _LoginOnly()
    port = free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        authenticator=recorder.authenticate,
        auth_require_tls=False,
        auth_exclude_mechanism=["PLAIN"],
        ready_timeout=5.0,
    )
    controller.start()
    try:
        yield port, recorder
    finally:
        controller.stop()


def test_a_server_with_only_auth_login_takes_an_ascii_login():
    with login_only_server() as (port, recorder):
        settings = plain_settings(port, username=USER, password=Secret(env="SMTP_PW"))
        EmailChannel(settings, environ={"SMTP_PW": ASCII_PASSWORD}).send(sample_message())
    assert recorder.auth_attempts == [(USER, True)]
    assert len(recorder.messages) == 1


def test_a_non_ascii_password_without_auth_plain_is_refused_before_trying():
    """AUTH LOGIN in smtplib is ASCII only: say so rather than send a mangled password."""
    with login_only_server() as (port, recorder):
        settings = plain_settings(port, username=USER, password=Secret(env="SMTP_PW"))
        error = refusal(settings, {"SMTP_PW": PASSWORD})  # PASSWORD has an "ä"
    assert (str(error), error.permanent) == (
        "the server offers no AUTH PLAIN, needed for a non-ASCII user name or password",
        True,
    )
    assert recorder.auth_attempts == []


def test_a_server_offering_only_unknown_login_methods_is_refused_for_good_and_said_so():
    """An AUTH line with no method reminderd speaks: a configuration to change, not a network
    error to retry (smtplib's own "No suitable authentication method" is an OSError)."""
    ehlo = b"250-scripted\r\n250-AUTH XOAUTH2 GSSAPI\r\n250 8BITMIME\r\n"
    seen: list[str] = []

    def answer(line: str) -> bytes:
        seen.append(line.split(" ", 1)[0].upper())
        return answering(EHLO=ehlo)(line)

    with scripted_server(answer) as port:
        settings = plain_settings(port, username=USER, password=Secret(env="SMTP_PW"))
        error = refusal(settings, {"SMTP_PW": ASCII_PASSWORD})
    assert (str(error), error.permanent) == (
        "the server offers no login method reminderd knows (XOAUTH2 GSSAPI); "
        "it needs PLAIN, LOGIN or CRAM-MD5",
        True,
    )
    assert "AUTH" not in seen and "MAIL" not in seen  # nothing tried, nothing sent


# --- the e-mail itself ----------------------------------------------------------------------


def test_the_mail_has_the_configured_sender_kind_and_a_date_with_its_zone(starttls_server, ca_file):
    """Mail filters sort on From and X-Reminderd-Kind; a Date of -0000 reads as "zone
    unknown" (RFC 5322 §3.3), so clients may show the wrong hour."""
    from email.utils import parsedate_to_datetime

    settings = tls_settings(starttls_server, ca_file=ca_file)
    EmailChannel(settings, environ=ENVIRON).send(sample_message(kind="due"))
    (mail,) = starttls_server.recorder.messages
    assert mail["From"] == "Repayments <me@example.test>"
    assert mail["X-Reminderd-Kind"] == "due"
    # "... GMT" parses to an aware time; "... -0000" to a naive one
    assert parsedate_to_datetime(str(mail["Date"])).tzinfo is not None
