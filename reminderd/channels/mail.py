"""E-mail over SMTP with the standard library: verified TLS, honest errors, no leaked secrets.

``security`` is ``starttls`` (upgrade before anything else is said; a server that does not
offer STARTTLS is refused rather than spoken to in clear), ``ssl`` (TLS from the first byte)
or ``none`` (plain text, the only mode that sends credentials unencrypted, because the user
said so). Every socket operation — connect and each command — is bounded by ``timeout``.
"""

from __future__ import annotations

import base64
import hashlib
import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, parseaddr

from reminderd.channels.base import DeliveryError, Message
from reminderd.channels.secrets import SecretError, read_secret
from reminderd.model import EmailSettings


def message_id(key: str) -> str:
    """Return the deterministic ``Message-ID`` of the reminder ``key``.

    The same reminder always gets the same id, so a mail client shows a resend as a duplicate
    of the first copy, and the id reveals nothing about the loan.
    """
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@reminderd.invalid>"


def build_email(message: Message, settings: EmailSettings) -> EmailMessage:
    """Return the MIME message for ``message``: UTF-8 plain text, plus the ``.ics`` if any."""
    mail = EmailMessage(policy=SMTP_POLICY)
    mail["Subject"] = message.subject
    mail["From"] = settings.sender
    mail["To"] = ", ".join(settings.to)
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = message_id(message.key)
    mail["X-Reminderd-Kind"] = message.kind
    mail.set_content(message.body, charset="utf-8")
    if message.attachment_ics is not None:
        mail.add_attachment(
            message.attachment_ics,
            maintype="text",
            subtype="calendar",
            filename="repayment.ics",
            params={"method": "PUBLISH", "charset": "UTF-8"},
        )
    return mail


class EmailChannel:
    """Sends each message as one e-mail to ``settings.to``."""

    name = "email"

    def __init__(self, settings: EmailSettings, *, environ: Mapping[str, str]) -> None:
        self.settings = settings
        self._environ = dict(environ)

    def send(self, message: Message) -> None:
        """Send ``message``; return once the server accepted it for every recipient.

        Raises :class:`DeliveryError` with a short reason (certificate refused,
        authentication failed, connection refused, timed out, recipient refused, a 4xx or
        5xx answer). The password never appears in it.
        """
        settings = self.settings
        password = self._password()
        mail = build_email(message, settings)
        try:
            with self._connect() as client:
                if settings.username:
                    _login(client, settings.username, password or "")
                # The envelope takes the bare addresses: a display name ("王小明 <w@x>") belongs
                # in the To: header only, and in RCPT TO it would need SMTPUTF8 of the server.
                refused = client.send_message(
                    mail, from_addr=None, to_addrs=[parseaddr(item)[1] for item in settings.to]
                )
        except Exception as error:  # noqa: BLE001 - every failure becomes a short reason
            raise _delivery_error(error, settings) from None
        if refused:
            recipients = ", ".join(sorted(refused))
            raise DeliveryError(f"recipient refused: {recipients}", permanent=True)

    def close(self) -> None:
        """Nothing is kept open between messages."""

    def _password(self) -> str | None:
        if not self.settings.username:
            return None
        try:
            return read_secret(self.settings.password, self._environ)
        except SecretError as error:
            if error.key is not None:  # said again in the locale by notify-test
                raise DeliveryError.said(error.key, permanent=True, **error.fields) from None
            raise DeliveryError(error.message, permanent=True) from None

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        timeout = settings.timeout
        if settings.security == "ssl":
            return smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=timeout, context=self._tls_context()
            )
        client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        try:
            if settings.security == "starttls":
                client.ehlo()
                if not client.has_extn("starttls"):
                    raise DeliveryError(
                        "the server does not offer STARTTLS; refusing to continue unencrypted "
                        "(set security: none only if you accept that)",
                        permanent=True,
                    )
                client.starttls(context=self._tls_context())
                client.ehlo()
        except BaseException:
            client.close()
            raise
        return client

    def _tls_context(self) -> ssl.SSLContext:
        ca_file = self.settings.ca_file
        try:
            return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
        except (OSError, ssl.SSLError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise DeliveryError(
                f"cannot load ca_file {ca_file}: {reason}", permanent=True
            ) from None


def _login(client: smtplib.SMTP, username: str, password: str) -> None:
    """Authenticate with one mechanism, AUTH PLAIN in UTF-8 (RFC 4616) when offered.

    One attempt only: smtplib's ``login`` falls through every mechanism after a refusal,
    which turns a wrong password into a confusing "connection closed" with some servers,
    and it encodes credentials as ASCII, which breaks a password such as ``Pässword``.
    """
    client.ehlo_or_helo_if_needed()
    if not client.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    offered = client.esmtp_features["auth"].upper().split()
    if "PLAIN" not in offered:
        if not (username + password).isascii():
            raise DeliveryError(
                "the server offers no AUTH PLAIN, needed for a non-ASCII user name or password",
                permanent=True,
            )
        if not {"LOGIN", "CRAM-MD5"} & set(offered):
            # smtplib would raise a bare SMTPException ("No suitable authentication method
            # found."), an OSError subclass that read as a network error; say what it is.
            raise DeliveryError(
                f"the server offers no login method reminderd knows ({' '.join(offered)}); "
                "it needs PLAIN, LOGIN or CRAM-MD5",
                permanent=True,
            )
        client.login(username, password)
        return
    token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, answer = client.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, answer)


def _delivery_error(error: BaseException, settings: EmailSettings) -> DeliveryError:
    """Map what smtplib, ssl and socket raise to a short, secret-free reason."""
    where = f"{settings.host}:{settings.port}"
    match error:
        case DeliveryError():
            return error
        case ssl.SSLCertVerificationError():
            detail = error.verify_message or "unknown reason"
            return DeliveryError(f"certificate verify failed for {where}: {detail}")
        case ssl.SSLError():
            return DeliveryError(f"TLS failed with {where}: {error.reason or error}")
        case smtplib.SMTPAuthenticationError():
            return DeliveryError(
                f"authentication failed for user {settings.username} "
                f"(server answered {error.smtp_code})",
                permanent=True,
            )
        case smtplib.SMTPNotSupportedError() if "SMTPUTF8" in str(error):
            return DeliveryError(
                f"{where} does not offer SMTPUTF8, needed for a non-ASCII e-mail address",
                permanent=True,
            )
        case smtplib.SMTPNotSupportedError():
            return DeliveryError(
                f"{where} does not offer AUTH on this connection "
                "(servers usually allow it only after TLS; check security:)",
                permanent=True,
            )
        case smtplib.SMTPRecipientsRefused():
            details = "; ".join(
                f"{address} ({code})" for address, (code, _) in sorted(error.recipients.items())
            )
            permanent = all(code >= 500 for code, _ in error.recipients.values())
            return DeliveryError(f"recipient refused: {details}", permanent=permanent)
        case smtplib.SMTPSenderRefused():
            return DeliveryError(
                f"sender {error.sender} refused ({error.smtp_code})",
                permanent=error.smtp_code >= 500,
            )
        case smtplib.SMTPResponseException():
            return _answer_error(error.smtp_code, error.smtp_error)
        case smtplib.SMTPServerDisconnected() if str(error).endswith("timed out"):
            # smtplib reports a server that never answers as "Connection unexpectedly
            # closed: timed out"; say what happened.
            return DeliveryError(f"timed out after {settings.timeout:g}s talking to {where}")
        case smtplib.SMTPServerDisconnected():
            return DeliveryError(f"{where} closed the connection")
        case smtplib.SMTPException():  # before OSError, which it is a subclass of
            return DeliveryError(f"SMTP error with {where}: {error}")
        case ConnectionRefusedError():
            return DeliveryError(f"connection refused by {where}")
        case TimeoutError() | socket.timeout():
            return DeliveryError(f"timed out after {settings.timeout:g}s talking to {where}")
        case socket.gaierror():
            return DeliveryError(f"cannot resolve host {settings.host}")
        case OSError():
            return DeliveryError(f"network error with {where}: {error.strerror or error}")
    return DeliveryError(f"unexpected error with {where}: {type(error).__name__}")


def _answer_error(code: int, text: bytes | str) -> DeliveryError:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    first_line = text.splitlines()[0] if text else ""
    if 400 <= code < 500:
        return DeliveryError(f"temporary failure, server answered {code} {first_line}".rstrip())
    return DeliveryError(
        f"permanent failure, server answered {code} {first_line}".rstrip(), permanent=True
    )
