"""The exact words and bytes of the e-mail channel that a user reads or a mail client decodes:
refused recipients, login methods, SMTP and unexpected errors, the calendar attachment's
parameters and the body's line ends. Real servers on 127.0.0.1 only: aiosmtpd
(tests/support/smtp.py) and the scripted SMTP server of test_mail_answers for answers
aiosmtpd will not give (an AUTH line of the test's choosing).
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from reminderd.channels import DeliveryError
from reminderd.channels.mail import EmailChannel
from reminderd.model import Secret
from tests.contract.contract import BODY, sample_message
from tests.contract.test_mail import ENVIRON, ICS, settings_for
from tests.contract.test_mail_answers import (
    ASCII_PASSWORD,
    answering,
    plain_settings,
    refusal,
    scripted_server,
)
from tests.support.smtp import USER, smtp_server


def recording(seen: list[str]) -> Callable[[str], bytes]:
    """The scripted server's plain answers (354 to DATA), each line it is told kept in
    ``seen``."""
    answer = answering(DATA=b"354 go ahead\r\n")

    def record(line: str) -> bytes:
        seen.append(line)
        return answer(line)

    return record


@pytest.fixture
def tls_server(server_context):
    with smtp_server(mode="starttls", server_context=server_context) as server:
        yield server


# --- refused recipients ---------------------------------------------------------------------


def test_two_refused_recipients_of_three_are_named_in_sorted_order(tls_server, ca_file):
    """The server takes the mail for me@ and refuses both refuse-* addresses (the support
    server answers 550 to a local part starting with "refuse"). The log line names the two,
    sorted (refuse-a before refuse-b, although configured the other way round), joined with
    ", "."""
    to = ("me@example.test", "refuse-b@example.test", "refuse-a@example.test")
    settings = settings_for(tls_server, ca_file=ca_file, to=to)
    with pytest.raises(DeliveryError) as raised:
        EmailChannel(settings, environ=ENVIRON).send(sample_message())
    assert (str(raised.value), raised.value.permanent) == (
        "recipient refused: refuse-a@example.test, refuse-b@example.test",
        True,
    )
    assert len(tls_server.recorder.messages) == 1  # me@ has it


def test_every_recipient_refused_names_each_with_its_code_joined_by_semicolons(tls_server, ca_file):
    """Nobody took it (smtplib raises SMTPRecipientsRefused): each address with the server's
    code, sorted, separated by "; "; both 550, so it is permanent."""
    to = ("refuse-b@example.test", "refuse-a@example.test")
    settings = settings_for(tls_server, ca_file=ca_file, to=to)
    with pytest.raises(DeliveryError) as raised:
        EmailChannel(settings, environ=ENVIRON).send(sample_message())
    assert (str(raised.value), raised.value.permanent) == (
        "recipient refused: refuse-a@example.test (550); refuse-b@example.test (550)",
        True,
    )
    assert tls_server.recorder.messages == []


def test_a_recipient_with_a_non_ascii_display_name_reaches_a_server_without_smtputf8():
    """The config accepts "王小明 <wang@example.test>" in to: (schema._mailboxes keeps the name
    for the To: header). The envelope recipient is the address alone, which is ASCII, so a
    server that does not offer SMTPUTF8 (the scripted one offers no extension) must get it."""
    seen: list[str] = []
    with scripted_server(recording(seen)) as port:
        settings = plain_settings(port, to=("王小明 <wang@example.test>",))
        EmailChannel(settings, environ={}).send(sample_message())
    said = [line.upper() for line in seen]  # smtplib writes some verbs in lower case
    assert "RCPT TO:<WANG@EXAMPLE.TEST>" in said
    assert "DATA" in said


def test_a_non_ascii_address_to_a_server_without_smtputf8_is_refused_for_good_and_said_so():
    """The address itself is non-ASCII (a Chinese local part, RFC 6531): only a server that
    offers SMTPUTF8 can take it. The scripted one offers no extension, so the send fails for
    good with what is missing, not with a word about AUTH, and nothing reaches DATA."""
    seen: list[str] = []
    with scripted_server(recording(seen)) as port:
        settings = plain_settings(port, to=("王小明@example.test",))
        with pytest.raises(DeliveryError) as raised:
            EmailChannel(settings, environ={}).send(sample_message())
    assert (str(raised.value), raised.value.permanent) == (
        f"127.0.0.1:{port} does not offer SMTPUTF8, needed for a non-ASCII e-mail address",
        True,
    )
    assert "DATA" not in [line.upper() for line in seen]


# --- login methods and SMTP errors ----------------------------------------------------------

# CRAM-MD5 (RFC 2195): the client answers "user hex(HMAC-MD5(password, challenge))". The
# digest below is from OpenSSL, not from the code under test:
#   printf %s '<1896.697170952@reminderd.test>' | openssl dgst -md5 -hmac 'invented-horse-battery'
CHALLENGE = b"<1896.697170952@reminderd.test>"
CRAM_ANSWER = b"me@example.test e12a968ae53d91ed3a8affd40fa2a4d2"


def test_a_server_offering_only_cram_md5_takes_an_ascii_login():
    """No PLAIN and no LOGIN, only CRAM-MD5: reminderd logs in with it and sends."""
    seen: list[str] = []
    expected_answer = base64.b64encode(CRAM_ANSWER).decode("ascii")
    plain = answering(
        EHLO=b"250-scripted\r\n250-AUTH CRAM-MD5\r\n250 8BITMIME\r\n",
        DATA=b"354 go ahead\r\n",
    )

    def answer(line: str) -> bytes:
        seen.append(line)
        if line.upper() == "AUTH CRAM-MD5":
            return b"334 " + base64.b64encode(CHALLENGE) + b"\r\n"
        if len(seen) > 1 and seen[-2].upper() == "AUTH CRAM-MD5":
            return b"235 2.7.0 accepted\r\n" if line == expected_answer else b"535 no\r\n"
        return plain(line)

    with scripted_server(answer) as port:
        settings = plain_settings(port, username=USER, password=Secret(env="SMTP_PW"))
        EmailChannel(settings, environ={"SMTP_PW": ASCII_PASSWORD}).send(sample_message())
    verbs = [line.split(" ", 1)[0].upper() for line in seen]
    assert "AUTH CRAM-MD5" in seen
    assert expected_answer in seen
    assert "DATA" in verbs  # the message went out after the login


def test_another_smtp_error_says_smtp_error_and_smtplibs_words():
    """A server listing its method in lower case ("AUTH login"): reminderd reads it as LOGIN,
    but smtplib matches method names exactly and raises a bare SMTPException. That is an
    SMTP error, not a network one, and its words are kept."""
    ehlo = b"250-scripted\r\n250-AUTH login\r\n250 8BITMIME\r\n"
    with scripted_server(answering(EHLO=ehlo)) as port:
        settings = plain_settings(port, username=USER, password=Secret(env="SMTP_PW"))
        error = refusal(settings, {"SMTP_PW": ASCII_PASSWORD})
    assert (str(error), error.permanent) == (
        f"SMTP error with 127.0.0.1:{port}: No suitable authentication method found.",
        False,
    )


def test_an_unexpected_error_names_the_address_and_the_exception_type():
    """An IDN host with an empty label (a doubled dot) fails in the IDNA codec with a
    UnicodeError, which is neither an OSError nor an SMTP error. Nothing is sent anywhere:
    the name is refused before any lookup."""
    host = "smtp..exämple.test"
    error = refusal(plain_settings(25, host=host, timeout=2.0))
    assert (str(error), error.permanent) == (
        "unexpected error with smtp..exämple.test:25: UnicodeError",
        False,
    )


# --- the e-mail as a mail client reads it ---------------------------------------------------


def test_the_calendar_attachment_says_its_charset_so_its_summary_reads_right(tls_server, ca_file):
    """Without charset=UTF-8 a client reads text/calendar as US-ASCII (RFC 2046 §4.1.2)
    and the Chinese summary turns to mojibake."""
    settings = settings_for(tls_server, ca_file=ca_file)
    EmailChannel(settings, environ=ENVIRON).send(sample_message(attachment_ics=ICS))
    (mail,) = tls_server.recorder.messages
    (ics,) = list(mail.iter_attachments())
    assert ics.get_param("method") == "PUBLISH"
    # get_content_charset() lower-cases, as a client comparing names does
    assert ics.get_content_charset() == "utf-8"
    # ICS holds the UTF-8 bytes e9 92 b1 e5 8c 85 of "钱包"
    assert "SUMMARY:钱包A 3/12" in ics.get_content()


def test_the_body_travels_with_crlf_line_ends_inside_its_encoding(tls_server, ca_file):
    """RFC 2045 §6.8 / RFC 2046 §4.1.1: a text part is base64-encoded in canonical form, line
    breaks as CRLF; a bare LF inside the encoding is not a line break to a strict client.
    BODY has 5 lines, each ending in "\\n", so the decoded bytes have 5 CRLF and no bare LF."""
    settings = settings_for(tls_server, ca_file=ca_file)
    EmailChannel(settings, environ=ENVIRON).send(sample_message())
    (mail,) = tls_server.recorder.messages
    part = mail.get_body(("plain",))
    raw = part.get_payload(decode=True)
    assert raw == BODY.replace("\n", "\r\n").encode("utf-8")
    assert raw.count(b"\r\n") == 5
    assert raw.count(b"\n") == 5
