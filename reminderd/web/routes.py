"""The page's routes on the service's HTTP server: (method, path, headers, body) in,
(status, headers, body) out, or ``None`` for a path that is not the page's (the feed answers).

* ``GET``/``HEAD /<secret>/`` — the live page. A GET never writes anything.
* ``GET``/``HEAD /<secret>/case/<loan>`` — that loan's case file, read only
  (:mod:`reminderd.web.case`); the page links each loan to it.
* ``POST /<secret>/paid`` — the page's "Paid" button: form fields ``token``, ``loan``,
  ``version`` (1 when absent) and ``number``. With a token the page handed out, it records
  one payment of what that installment still owes, dated today, once: the same token and
  installment again (a double click, a resent form) records nothing more. A missing or
  forged token gets 403 and changes nothing. Only an open installment of the version in
  force today is paid: one superseded by an agreement or rolled into it (SPEC §8) owes
  nothing as such, and money paid today belongs to today's version, so a stale page's
  button for any other records nothing.

A token is ``NONCE.MAC``: a fresh random nonce per page, and its HMAC under a key derived
from the feed's secret, so the server keeps no list of tokens; the ledger's key-value table
remembers which (nonce, installment) pairs were used, in the payment's own transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs

from reminderd.model import Config

MAX_BODY = 1024  # a Paid form is about 150 bytes
PAY_PATH = "paid"
CASE_PATH = "case/"
_LOAN_ID = re.compile(r"[a-z0-9_-]{1,64}")  # the config's id syntax
_HTML = "text/html; charset=utf-8"
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
NOTE = "paid from the page"

log = logging.getLogger("reminderd.page")

Answer = tuple[int, list[tuple[str, str]], bytes]


def page_url(host: str, port: int, secret: str) -> str:
    """The page's address for a server at ``host``:``port`` with ``secret``."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/{secret}/"


class PageRoutes:
    """Answers the page's requests for one secret, one state dir and the service's config."""

    def __init__(
        self,
        secret: str,
        state_dir: Path,
        config: Callable[[], Config],
        *,
        on_paid: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``config`` returns the config in force (it changes on reload); ``on_paid`` is
        called after a payment is recorded (the service rewrites the calendar)."""
        self._prefix = f"/{secret}/"
        self._key = hmac.new(secret.encode(), b"reminderd page token", hashlib.sha256).digest()
        self._state_dir = state_dir
        self._config = config
        self._on_paid = on_paid
        self._clock = clock

    # ---- tokens ---------------------------------------------------------------------

    def new_token(self) -> str:
        """A fresh token for one rendering of the page."""
        nonce = secrets.token_urlsafe(16)
        return f"{nonce}.{self._mac(nonce)}"

    def _mac(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode(), hashlib.sha256).hexdigest()[:32]

    def _nonce(self, token: str) -> str | None:
        nonce, _, mac = token.partition(".")
        if not nonce or len(token) > 128 or not hmac.compare_digest(mac, self._mac(nonce)):
            return None
        return nonce

    # ---- dispatch -------------------------------------------------------------------

    def _rest(self, path: str) -> str | None:
        """What follows ``/<secret>/`` in ``path`` when it is one of the page's, else None."""
        if not hmac.compare_digest(path[: len(self._prefix)], self._prefix):
            return None
        rest = path[len(self._prefix) :]
        if rest.startswith(CASE_PATH) and _LOAN_ID.fullmatch(rest[len(CASE_PATH) :]):
            return rest
        return rest if rest in ("", PAY_PATH) else None

    def owns(self, target: str) -> bool:
        """True when the request target ``target`` is the page's (the server then lets
        :meth:`answer` reply, whatever the method)."""
        return self._rest(target.partition("?")[0]) is not None

    def answer(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Answer | None:
        """Answer a request for the page, or return ``None`` when ``target`` is not one."""
        path, _, query = target.partition("?")
        rest = self._rest(path)
        if rest is None:
            return None
        if rest == "":
            if method not in ("GET", "HEAD"):
                return _plain(HTTPStatus.METHOD_NOT_ALLOWED, [("Allow", "GET, HEAD")])
            return self._page(query)
        if rest.startswith(CASE_PATH):
            if method not in ("GET", "HEAD"):
                return _plain(HTTPStatus.METHOD_NOT_ALLOWED, [("Allow", "GET, HEAD")])
            return self._case(rest[len(CASE_PATH) :])
        if method != "POST":
            return _plain(HTTPStatus.METHOD_NOT_ALLOWED, [("Allow", "POST")])
        return self._paid(body)

    def _page(self, query: str) -> Answer:
        from reminderd.commands.report import render_page
        from reminderd.web.page import Actions

        config = self._config()
        notice = self._notice(config, query)
        actions = Actions(post_to=PAY_PATH, token=self.new_token(), notice=notice)
        html = render_page(config, self._state_dir, self._clock(), actions)
        return HTTPStatus.OK, _page_headers(), html.encode("utf-8")

    def _case(self, loan_id: str) -> Answer:
        from reminderd.web import case

        config = self._config()
        loan = config.loan(loan_id)
        if loan is None:
            return _plain(HTTPStatus.NOT_FOUND)
        html = case.render(loan, self._state_dir, self._clock(), config.locale)
        return HTTPStatus.OK, _page_headers(), html.encode("utf-8")

    def _notice(self, config: Config, query: str) -> str | None:
        """The line shown after a payment: read from the ledger by id (a GET reads only)."""
        from reminderd import ledger
        from reminderd.ledger import records
        from reminderd.text import money, t

        values = parse_qs(query).get("paid", [])
        if not values or not values[0].isdigit() or len(values[0]) > 18:
            return None
        conn = ledger.connect(self._state_dir, create=False)
        if conn is None:
            return None
        try:
            with ledger.reading(conn):
                payment = records.get(conn, int(values[0]))
        finally:
            conn.close()
        if payment is None:
            return None
        loan = config.loan(payment.loan_id)
        name = loan.name if loan else payment.loan_id
        amount = money(payment.amount, payment.currency, config.locale)
        return t("page.paid.done", config.locale, loan=name, amount=amount)

    def _paid(self, body: bytes) -> Answer:
        try:
            form = parse_qs(body.decode("ascii"), max_num_fields=8)
        except (UnicodeDecodeError, ValueError):
            return _plain(HTTPStatus.BAD_REQUEST)
        token = form.get("token", [""])[0]
        nonce = self._nonce(token)
        if nonce is None:
            log.warning("page: a Paid request without a valid token was refused")
            return _plain(HTTPStatus.FORBIDDEN)
        loan_id = form.get("loan", [""])[0]
        number_text = form.get("number", [""])[0]
        version_text = form.get("version", ["1"])[0]
        config = self._config()
        loan = config.loan(loan_id)
        if (
            loan is None
            or not number_text.isdigit()
            or len(number_text) > 9
            or not version_text.isdigit()
            or len(version_text) > 4
        ):
            return _plain(HTTPStatus.BAD_REQUEST)
        payment_id = self._record(config, loan_id, int(version_text), int(number_text), nonce)
        if payment_id is None:
            return _plain(HTTPStatus.BAD_REQUEST)
        location = "./" if payment_id == 0 else f"./?paid={payment_id}"
        return HTTPStatus.SEE_OTHER, [("Location", location)], b""

    def _record(
        self, config: Config, loan_id: str, version: int, number: int, nonce: str
    ) -> int | None:
        """Record what installment ``number`` of plan ``version`` of ``loan_id`` still owes,
        once per nonce. Returns the payment's id (the first one's, when the nonce was used
        already), 0 when nothing is owed on it (settled, superseded or rolled into an
        agreement, or of a version not in force today), ``None`` for an installment the plans
        do not have."""
        from reminderd import ledger
        from reminderd.core import versions
        from reminderd.ledger import records
        from reminderd.standing import for_loan

        loan = config.loan(loan_id)
        assert loan is not None  # noqa: S101 - checked by the caller
        rows = versions.installments(loan)
        at = next(
            (
                index
                for index, row in enumerate(rows)
                if row.version == version and row.number == number
            ),
            None,
        )
        if at is None:
            return None
        now = self._clock()
        # Version 1 keeps the key it always had, so a token used before an upgrade stays used.
        part = str(number) if version == 1 else f"v{version}-{number}"
        key = f"page-paid:{nonce}:{loan_id}:{part}"
        conn = ledger.connect(self._state_dir, create=True)
        assert conn is not None  # noqa: S101 - create=True always gives a connection
        try:
            with ledger.transaction(conn):
                done = ledger.get_value(conn, key)
                if done is not None:
                    return int(done)
                # The dated payments place each in the version in force on its day.
                standing = for_loan(loan, records.totals(conn), rows).rows[at]
                # A payment dated today belongs to the version in force today: one for an
                # installment of another version would settle something else (SPEC §8).
                today = now.astimezone(loan.timezone).date()
                foreign = versions.version_on(loan, today) != version
                owed = Decimal(0) if standing.closed or foreign else standing.outstanding
                payment_id = 0
                if owed > 0:
                    payment_id = records.add(
                        conn,
                        loan_id=loan_id,
                        amount=owed,
                        currency=loan.currency,
                        paid_on=now.astimezone(loan.timezone).date(),
                        recorded_at=now,
                        note=NOTE,
                    )
                ledger.set_value(conn, key, str(payment_id))
        finally:
            conn.close()
        if payment_id and self._on_paid is not None:
            self._on_paid()
        return payment_id


def _page_headers() -> list[tuple[str, str]]:
    return [
        ("Content-Type", _HTML),
        ("Cache-Control", "no-store"),
        ("Content-Security-Policy", _CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
    ]


def _plain(status: int, headers: list[tuple[str, str]] | None = None) -> Answer:
    text = f"{int(status)} {HTTPStatus(status).phrase}\n".encode()
    return status, [("Content-Type", "text/plain; charset=utf-8"), *(headers or [])], text
