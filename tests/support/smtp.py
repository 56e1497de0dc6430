"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records what it accepts.

``SmtpServer`` starts a :class:`aiosmtpd.controller.Controller` with optional STARTTLS or
implicit TLS from a ``trustme`` certificate, and AUTH checked against one user/password.
Recipients whose local part starts with ``refuse`` get ``550``; a subject containing
``TEMPFAIL`` gets ``451`` at DATA, one containing ``REJECT`` gets ``554``.
"""

from __future__ import annotations

import email
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "me@example.test"
PASSWORD = "s3cret-Pässword"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Recorder:
    """The aiosmtpd handler: keeps each accepted message and each AUTH attempt."""

    messages: list[EmailMessage] = field(default_factory=list)
    auth_attempts: list[tuple[str, bool]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.split("@")[0].startswith("refuse"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=default_policy)
        if "TEMPFAIL" in str(parsed["Subject"]):
            return "451 4.3.0 try again later"
        if "REJECT" in str(parsed["Subject"]):
            return "554 5.7.1 message refused by policy"
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8")
        ok = login == USER and auth_data.password.decode("utf-8") == PASSWORD
        self.auth_attempts.append((login, ok))
        return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: Recorder


@contextmanager
def smtp_server(
    *,
    mode: str = "starttls",
    server_context: ssl.SSLContext | None = None,
    auth: bool = True,
    port: int | None = None,
    recorder: Recorder | None = None,
) -> Iterator[SmtpServer]:
    """Run an SMTP server on 127.0.0.1 for the ``with`` block.

    ``mode`` is ``starttls`` (plain, upgradeable with ``server_context``), ``ssl`` (TLS from
    the first byte) or ``plain`` (no TLS offered at all). AUTH, when ``auth``, is offered only
    over TLS, except in ``plain`` mode where it is offered in clear. ``recorder`` replaces the
    default handler (a subclass that answers differently, for fault tests).
    """
    recorder = recorder or Recorder()
    port = port or free_port()
    kwargs: dict[str, object] = {
        "hostname": "127.0.0.1",
        "port": port,
        "authenticator": recorder.authenticate if auth else None,
        # implicit TLS counts as TLS, but aiosmtpd only knows about STARTTLS
        "auth_require_tls": mode == "starttls",
        "ready_timeout": 5.0,
    }
    if mode == "starttls":
        kwargs["tls_context"] = server_context
    elif mode == "ssl":
        kwargs["ssl_context"] = server_context
    controller = Controller(recorder, **kwargs)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, recorder)
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """Listen on 127.0.0.1 and never answer: connect succeeds, the greeting never comes."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]
