"""The e-mail channel against a real aiosmtpd server on 127.0.0.1 with a trustme CA."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult

from reminderd.channels import DeliveryError
from reminderd.channels.mail import EmailChannel, message_id
from reminderd.model import EmailSettings, Secret
from tests.contract.contract import FAILING_TIMEOUT, ChannelContract, sample_message
from tests.support.smtp import PASSWORD, USER, Recorder, silent_server, smtp_server

ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//reminderd//test//EN\r\nMETHOD:PUBLISH\r\n"
    b"BEGIN:VEVENT\r\nUID:wallet-a-3@reminderd\r\nDTSTAMP:20261201T000000Z\r\n"
    b"DTSTART;VALUE=DATE:20261215\r\nSUMMARY:\xe9\x92\xb1\xe5\x8c\x85A 3/12\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def starttls_server(server_context):
    with smtp_server(mode="starttls", server_context=server_context) as server:
        yield server


def settings_for(server, **changes) -> EmailSettings:
    fields = {
        "host": server.host,
        "port": server.port,
        "security": "starttls",
        "sender": "Repayments <me@example.test>",
        "to": ("me@example.test",),
        "username": USER,
        "password": Secret(env="SMTP_PW"),
        "timeout": 5.0,
    }
    fields.update(changes)
    return EmailSettings(**fields)


ENVIRON = {"SMTP_PW": PASSWORD}


def received(server):
    return [
        # text travels with CRLF line ends on the wire; compare the text itself
        (str(mail["Subject"]), mail.get_body(("plain",)).get_content().replace("\r\n", "\n"))
        for mail in server.recorder.messages
    ]


class TestEmailStarttls(ChannelContract):
    @pytest.fixture
    def channel(self, starttls_server, ca_file):
        return EmailChannel(settings_for(starttls_server, ca_file=ca_file), environ=ENVIRON)

    @pytest.fixture
    def delivered(self, starttls_server):
        return lambda: received(starttls_server)

    @pytest.fixture
    def failing_channel(self):
        with silent_server() as port:
            settings = EmailSettings(
                host="127.0.0.1",
                port=port,
                security="starttls",
                sender="me@example.test",
                to=("me@example.test",),
                timeout=FAILING_TIMEOUT,
            )
            yield EmailChannel(settings, environ={})


class TestEmailSsl(ChannelContract):
    @pytest.fixture
    def ssl_server(self, server_context):
        with smtp_server(mode="ssl", server_context=server_context) as server:
            yield server

    @pytest.fixture
    def channel(self, ssl_server, ca_file):
        settings = settings_for(ssl_server, security="ssl", ca_file=ca_file)
        return EmailChannel(settings, environ=ENVIRON)

    @pytest.fixture
    def delivered(self, ssl_server):
        return lambda: received(ssl_server)

    @pytest.fixture
    def failing_channel(self, ssl_server):
        # no ca_file: the server's certificate is from an unknown authority
        return EmailChannel(settings_for(ssl_server, security="ssl"), environ=ENVIRON)


def test_email_unknown_ca_without_ca_file_is_refused(starttls_server):
    channel = EmailChannel(settings_for(starttls_server), environ=ENVIRON)
    with pytest.raises(DeliveryError, match="certificate verify failed") as raised:
        channel.send(sample_message())
    assert PASSWORD not in str(raised.value)
    assert starttls_server.recorder.auth_attempts == []
    assert starttls_server.recorder.messages == []


def test_email_wrong_password_fails_authentication_without_leaking_it(starttls_server, ca_file):
    channel = EmailChannel(
        settings_for(starttls_server, ca_file=ca_file), environ={"SMTP_PW": "wrong-horse"}
    )
    with pytest.raises(DeliveryError, match="authentication failed") as raised:
        channel.send(sample_message())
    assert "wrong-horse" not in str(raised.value)
    assert raised.value.permanent
    assert starttls_server.recorder.auth_attempts == [(USER, False)]


def test_email_message_has_ics_message_id_and_chinese_subject(starttls_server, ca_file):
    channel = EmailChannel(settings_for(starttls_server, ca_file=ca_file), environ=ENVIRON)
    message = sample_message(attachment_ics=ICS)
    channel.send(message)
    (mail,) = starttls_server.recorder.messages
    # The first 32 hex digits of SHA-256 of the key, from coreutils rather than the code:
    # printf %s 'wallet-a/3/ahead/2026-12-12T09:00:00+08:00' | sha256sum | cut -c1-32
    assert message.key == "wallet-a/3/ahead/2026-12-12T09:00:00+08:00"
    assert mail["Message-ID"] == "<74fab44aeb61c120050b1933458c93f5@reminderd.invalid>"
    # One character later (+08:01) is another reminder and another id.
    other = "wallet-a/3/ahead/2026-12-12T09:00:00+08:01"
    assert message_id(other) == "<5f46f595b25606f0495902fa66d9083f@reminderd.invalid>"
    assert str(mail["Subject"]) == message.subject
    assert mail["Date"] is not None
    assert mail["To"] == "me@example.test"
    attachments = list(mail.iter_attachments())
    assert len(attachments) == 1
    ics = attachments[0]
    assert ics.get_content_type() == "text/calendar"
    assert ics.get_param("method") == "PUBLISH"
    assert ics.get_filename() == "repayment.ics"
    assert ics.get_payload(decode=True) == ICS


def test_email_starttls_not_offered_refuses_before_auth(ca_file):
    with smtp_server(mode="plain") as server:
        channel = EmailChannel(settings_for(server, ca_file=ca_file), environ=ENVIRON)
        with pytest.raises(DeliveryError, match="STARTTLS"):
            channel.send(sample_message())
        assert server.recorder.auth_attempts == []
        assert server.recorder.messages == []


def test_email_security_none_server_requiring_tls_refuses_auth(server_context):
    with smtp_server(mode="starttls", server_context=server_context) as server:
        channel = EmailChannel(settings_for(server, security="none"), environ=ENVIRON)
        with pytest.raises(DeliveryError, match="does not offer AUTH"):
            channel.send(sample_message())
        assert server.recorder.auth_attempts == []


def test_email_security_none_sends_plain_when_told(ca_file):
    with smtp_server(mode="plain") as server:
        channel = EmailChannel(settings_for(server, security="none"), environ=ENVIRON)
        channel.send(sample_message())
        assert server.recorder.auth_attempts == [(USER, True)]
        assert len(server.recorder.messages) == 1


def test_email_refused_recipient_is_named(starttls_server, ca_file):
    settings = settings_for(starttls_server, ca_file=ca_file, to=("refuse-me@example.test",))
    with pytest.raises(DeliveryError, match=r"recipient refused: refuse-me@example.test \(550\)"):
        EmailChannel(settings, environ=ENVIRON).send(sample_message())


def test_email_one_refused_recipient_of_two_is_reported_not_taken_as_delivered(
    starttls_server, ca_file
):
    # The server takes the message for me@ and refuses refuse-me@ (550): the reminder did not
    # reach everyone it is for, so it is not "sent"; the log names who was refused.
    to = ("me@example.test", "refuse-me@example.test")
    settings = settings_for(starttls_server, ca_file=ca_file, to=to)
    with pytest.raises(DeliveryError) as raised:
        EmailChannel(settings, environ=ENVIRON).send(sample_message())
    assert str(raised.value).startswith("recipient refused: refuse-me@example.test")
    assert "me@example.test," not in str(raised.value)
    assert len(starttls_server.recorder.messages) == 1  # me@ has it


def test_email_to_header_names_every_recipient(starttls_server, ca_file):
    to = ("me@example.test", "adviser@example.test")
    settings = settings_for(starttls_server, ca_file=ca_file, to=to)
    EmailChannel(settings, environ=ENVIRON).send(sample_message())
    (mail,) = starttls_server.recorder.messages
    assert mail["To"] == "me@example.test, adviser@example.test"


def test_email_temporary_failure_is_not_permanent(starttls_server, ca_file):
    channel = EmailChannel(settings_for(starttls_server, ca_file=ca_file), environ=ENVIRON)
    with pytest.raises(DeliveryError, match="temporary failure.*451") as raised:
        channel.send(sample_message(subject="TEMPFAIL please"))
    assert not raised.value.permanent


@pytest.mark.parametrize(
    ("subject", "said", "permanent"),
    [
        ("TEMPFAIL please", "temporary failure, server answered 451 4.3.0 try again later", False),
        (
            "REJECT please",
            "permanent failure, server answered 554 5.7.1 message refused by policy",
            True,
        ),
    ],
)
def test_email_data_refusal_says_whether_it_may_pass_later(
    starttls_server, ca_file, subject, said, permanent
):
    # 4xx: the server may take it later; 5xx: it will not (RFC 5321 §4.2.1). The log line
    # tells the user which, with the server's own words.
    channel = EmailChannel(settings_for(starttls_server, ca_file=ca_file), environ=ENVIRON)
    with pytest.raises(DeliveryError) as raised:
        channel.send(sample_message(subject=subject))
    assert (str(raised.value), raised.value.permanent) == (said, permanent)
    assert starttls_server.recorder.messages == []


def test_email_connection_refused_is_reported():
    from tests.support.smtp import free_port

    settings = EmailSettings(
        host="127.0.0.1",
        port=free_port(),
        security="starttls",
        sender="a@b.test",
        to=("a@b.test",),
        timeout=2.0,
    )
    with pytest.raises(DeliveryError, match="connection refused"):
        EmailChannel(settings, environ={}).send(sample_message())


@pytest.mark.parametrize("environ", [{}, {"SMTP_PW": ""}])
def test_email_unset_or_empty_password_variable_is_refused(starttls_server, ca_file, environ):
    channel = EmailChannel(settings_for(starttls_server, ca_file=ca_file), environ=environ)
    unset = "the variable SMTP_PW is not set in the environment"
    with pytest.raises(DeliveryError, match=unset) as raised:
        channel.send(sample_message())
    assert raised.value.permanent
    assert starttls_server.recorder.auth_attempts == []  # no empty password was tried


class _MixedRefusals(Recorder):
    """Refuses one recipient for now (450) and the other for good (550)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("later"):
            return "450 4.2.1 mailbox busy, try again"
        return "550 5.1.1 no such mailbox here"


def test_email_recipients_refused_for_now_and_for_good_is_retried(server_context, ca_file):
    with smtp_server(server_context=server_context, recorder=_MixedRefusals()) as server:
        to = ("later@example.test", "never@example.test")
        channel = EmailChannel(settings_for(server, ca_file=ca_file, to=to), environ=ENVIRON)
        with pytest.raises(DeliveryError, match="recipient refused") as raised:
            channel.send(sample_message())
    # One of them may take it later (450): the reminder is retried, not given up.
    assert not raised.value.permanent
    assert "later@example.test (450)" in str(raised.value)
    assert "never@example.test (550)" in str(raised.value)


class _AuthTemporarilyFailing(Recorder):
    """Answers AUTH with 454 (a temporary failure), never 235."""

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.auth_attempts.append(("?", False))
        return AuthResult(
            success=False, handled=False, message="454 4.7.0 Temporary authentication failure"
        )


def test_email_auth_answered_454_is_not_taken_as_logged_in(server_context, ca_file):
    recorder = _AuthTemporarilyFailing()
    with smtp_server(server_context=server_context, recorder=recorder) as server:
        channel = EmailChannel(settings_for(server, ca_file=ca_file), environ=ENVIRON)
        with pytest.raises(DeliveryError, match="authentication failed") as raised:
            channel.send(sample_message())
    assert "454" in str(raised.value)
    assert recorder.auth_attempts == [("?", False)]
    assert recorder.messages == []  # nothing was sent as if logged in


def test_email_password_file_readable_by_group_is_refused(starttls_server, ca_file, tmp_path):
    secret = tmp_path / "smtp-password"
    secret.write_text(PASSWORD + "\n")
    secret.chmod(0o640)
    settings = settings_for(starttls_server, ca_file=ca_file, password=Secret(file=secret))
    with pytest.raises(DeliveryError, match=f"chmod 600 {secret}") as raised:
        EmailChannel(settings, environ={}).send(sample_message())
    assert PASSWORD not in str(raised.value)
    assert starttls_server.recorder.auth_attempts == []


def test_email_password_file_private_is_used(starttls_server, ca_file, tmp_path):
    secret = tmp_path / "smtp-password"
    secret.write_text(PASSWORD + "\n")
    secret.chmod(0o600)
    settings = settings_for(starttls_server, ca_file=ca_file, password=Secret(file=secret))
    EmailChannel(settings, environ={}).send(sample_message())
    assert starttls_server.recorder.auth_attempts == [(USER, True)]


def test_email_password_from_credentials_directory_is_used(starttls_server, ca_file, tmp_path):
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "smtp-password").write_text(PASSWORD)
    os.chmod(credentials / "smtp-password", 0o400)
    settings = settings_for(
        starttls_server, ca_file=ca_file, password=Secret(file=Path("smtp-password"))
    )
    EmailChannel(settings, environ={"CREDENTIALS_DIRECTORY": str(credentials)}).send(
        sample_message()
    )
    assert starttls_server.recorder.auth_attempts == [(USER, True)]


def test_email_password_variable_unset_names_the_variable(starttls_server, ca_file):
    channel = EmailChannel(settings_for(starttls_server, ca_file=ca_file), environ={})
    with pytest.raises(DeliveryError, match="SMTP_PW is not set"):
        channel.send(sample_message())
