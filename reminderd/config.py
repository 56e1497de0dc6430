"""Load the YAML config, validate it against ``schema``, and build a :class:`Config`.

Every problem in the file is collected and raised at once as a :class:`ConfigError` whose
lines read ``PATH:LINE:COLUMN: where.in.file: what is wrong``.
"""

from __future__ import annotations

import contextlib
import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from reminderd import money, paths, schema
from reminderd import yamlsource as ys
from reminderd.durations import Lead
from reminderd.errors import ConfigError, UserError
from reminderd.model import (
    Agreement,
    AppriseSettings,
    CalendarSettings,
    Channels,
    CommandSettings,
    Config,
    DesktopSettings,
    DueSpec,
    EmailSettings,
    Loan,
    OverdueTerms,
    Plan,
    Reminders,
    ScheduledPayment,
    Secret,
)
from reminderd.platform import files
from reminderd.validation import Run

DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
HORIZON_YEARS = 100


def load(path: Path, environ: dict[str, str] | None = None) -> Config:
    """Read, validate and build the config at ``path``.

    Raises ``UserError`` when the file cannot be read and ``ConfigError`` with every problem
    found when its content is wrong.
    """
    try:
        data = path.read_bytes()
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise UserError(
            f"config file not found: {path} (copy config.example.yaml there, or pass -c PATH)"
        ) from None
    except IsADirectoryError:
        raise UserError(f"config path is a directory, not a file: {path}") from None
    except OSError as error:
        raise UserError(f"cannot read the config file {path}: {error.strerror}") from None
    return parse(data, path, mode=mode, environ=environ)


def parse(
    data: bytes, path: Path, *, mode: int = 0o600, environ: dict[str, str] | None = None
) -> Config:
    """Validate the config file's bytes; ``path`` names it in messages and anchors relative
    paths, ``mode`` is its permission bits (a secret inline needs a private file)."""
    run = Run()
    text = ys.decode(data, run.problems)
    tree = ys.parse(text, run.problems) if text is not None else None
    if text is not None and tree is None and not run.problems:
        run.problem(1, 1, "(file)", "the file is empty; start from config.example.yaml")
    values: dict[str, Any] = {}
    if tree is not None:
        checked = run.field(schema.ROOT, tree, "")
        values = checked if isinstance(checked, dict) else {}
    config = None
    if tree is not None and isinstance(tree, ys.Mapping):
        config = _Builder(run, path, mode, os.environ if environ is None else environ).build(values)
    if run.problems or config is None:
        ordered = sorted(run.problems, key=lambda p: (p.line, p.column))
        raise ConfigError(
            [
                f"{path}:{p.line}:{p.column}: {_one_line(p.where)}: {_one_line(p.what)}"
                for p in ordered
            ]
        )
    return config


def _one_line(text: str) -> str:
    """Escape what would break a ``PATH:LINE:COL: where: what`` line: a key or a value can hold
    a newline or another control character (``"\\n": x`` is a valid YAML key)."""
    if text.isprintable():
        return text or "(empty)"
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def system_zone(environ: dict[str, str] | os._Environ[str]) -> ZoneInfo:
    """The system's zone: ``$TZ``, else the platform's (``tzlocal``: the registry on Windows),
    else ``/etc/localtime``'s name, else UTC."""
    name = environ.get("TZ", "").lstrip(":")
    candidates = [name] if name else []
    with contextlib.suppress(Exception):  # tzlocal raises several kinds; fall back below
        import tzlocal

        candidates.append(tzlocal.get_localzone_name() or "")
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for candidate in candidates:
        try:
            return ZoneInfo(candidate)
        except (ValueError, OSError, KeyError):
            continue
    return ZoneInfo("UTC")


class _Builder:
    """Turns validated values into the model, checking what the schema alone cannot."""

    def __init__(
        self, run: Run, source: Path, mode: int, environ: dict[str, str] | os._Environ[str]
    ) -> None:
        self.run = run
        self.source = source
        self.mode = mode
        self.environ = environ

    def build(self, values: dict[str, Any]) -> Config | None:
        zone = values.get("timezone") or system_zone(self.environ)
        currency = values.get("currency", "CNY")
        channels = self._channels(values.get("channels"))
        defaults = self._reminders(values.get("reminders", {}), {}, "reminders", channels)
        calendar = self._calendar(values.get("calendar", {}))
        budget = None
        if "budget" in values and "monthly" in values["budget"]:
            budget = self._money(values["budget"]["monthly"], currency, "budget.monthly")
        loans = []
        seen: dict[str, int] = {}
        for index, loan_values in enumerate(values.get("loans", [])):
            where = f"loans[{index}]"
            loan_id = loan_values.get("id")
            if loan_id in seen:
                self.run.at(
                    f"{where}.id", f"duplicate id {loan_id!r} (also loans[{seen[loan_id]}])"
                )
            elif loan_id:
                seen[loan_id] = index
            loan = self._loan(loan_values, where, zone, currency, values, channels)
            if loan is not None:
                loans.append(loan)
        total = sum(
            _installment_count(plan)
            for loan in loans
            for plan in (loan.plan, *(agreement.plan for agreement in loan.renegotiated))
        )
        if total > schema.MAX_TOTAL_INSTALLMENTS:
            # Refused before any plan is built: 6 million installments took minutes and GBs.
            self.run.at(
                "loans",
                f"the plans add up to {total:,} installments; at most "
                f"{schema.MAX_TOTAL_INSTALLMENTS:,} across all loans "
                "(fewer loans, or shorter plans)",
            )
        if self.run.problems:
            return None
        return Config(
            source=self.source,
            timezone=zone,
            locale=values.get("locale", "en"),
            currency=currency,
            reminders=defaults,
            channels=channels,
            calendar=calendar,
            budget_monthly=budget,
            loans=tuple(loans),
        )

    def _money(self, amount: Decimal, currency: str, where: str) -> Decimal:
        try:
            return money.parse_amount(f"{amount:f}", currency)
        except ValueError as error:
            self.run.at(where, str(error))
            return amount

    def _reminders(
        self, given: dict[str, Any], base: dict[str, Any], where: str, channels: Channels
    ) -> Reminders:
        merged = {**base, **given}
        fields = {spec.key: spec for spec in schema.REMINDER_FIELDS}

        def pick(key: str) -> Any:
            return merged[key] if key in merged else fields[key].default_value()

        before, at, overdue = pick("before"), pick("time"), pick("overdue_every")
        if len(set(before)) != len(before):
            self.run.at(f"{where}.before", "the same lead is written twice")
        names = merged.get("channels")
        if names is None:
            chosen = channels.names()
        else:
            chosen = tuple(dict.fromkeys(names))
            # Names inherited from the top-level reminders were checked there; report each
            # unconfigured name once, where it was written.
            written = list(given.get("channels") or ())
            # An item that failed its own check is missing here, so indexes would shift.
            exact = f"{where}.channels[{len(written)}]" not in self.run.positions
            for index, name in enumerate(written):
                if name not in channels.names():
                    configured = ", ".join(channels.names()) or "none"
                    self.run.at(
                        f"{where}.channels[{index}]" if exact else f"{where}.channels",
                        f"channel {name!r} is not configured under channels: "
                        f"(configured: {configured})",
                    )
        return Reminders(before=tuple(before), time=at, overdue_every=overdue, channels=chosen)

    def _channels(self, given: dict[str, Any] | None) -> Channels:
        if given is None:
            return Channels(desktop=DesktopSettings())
        desktop = email = command = apprise = None
        if "desktop" in given:
            raw = given["desktop"]
            desktop = DesktopSettings(
                backend=raw.get("backend", "auto"),
                timeout=_seconds(raw.get("timeout"), 10),
            )
        if "email" in given:
            email = self._email(given["email"])
        if "command" in given and "argv" in given["command"]:
            raw = given["command"]
            command = CommandSettings(
                argv=tuple(raw["argv"]), timeout=_seconds(raw.get("timeout"), 30)
            )
        if "apprise" in given:
            raw = given["apprise"]
            if not raw.get("urls") and not raw.get("urls_env"):
                self.run.at("channels.apprise", "needs urls or urls_env")
            apprise = AppriseSettings(
                urls=tuple(raw.get("urls", ())),
                urls_env=raw.get("urls_env"),
                timeout=_seconds(raw.get("timeout"), 30),
            )
        return Channels(desktop=desktop, email=email, command=command, apprise=apprise)

    def _email(self, raw: dict[str, Any]) -> EmailSettings | None:
        where = "channels.email"
        if not {"host", "from", "to"} <= raw.keys():
            return None
        secret_keys = [key for key in ("password_env", "password_file", "password") if key in raw]
        if len(secret_keys) > 1:
            self.run.at(f"{where}.{secret_keys[1]}", f"use only one of {', '.join(secret_keys)}")
        if secret_keys and "username" not in raw:
            self.run.at(f"{where}.{secret_keys[0]}", "a password needs a username")
        if "password" in raw and files.open_to_others(self.mode):
            self.run.at(
                f"{where}.password",
                f"a password written in the config needs a file only you can read: "
                f"chmod 600 {self.source} (or use password_env / password_file)",
            )
        security = raw.get("security", "starttls")
        return EmailSettings(
            host=raw["host"],
            port=raw.get("port", DEFAULT_PORTS[security]),
            security=security,
            sender=raw["from"],
            # One item may hold several addresses ("a@x, b@y"); each is one recipient.
            to=tuple(dict.fromkeys(address for item in raw["to"] for address in item)),
            username=raw.get("username"),
            password=Secret(
                env=raw.get("password_env"),
                file=Path(raw["password_file"]).expanduser() if "password_file" in raw else None,
                inline=raw.get("password"),
            ),
            ca_file=self._path(raw["ca_file"]) if "ca_file" in raw else None,
            timeout=_seconds(raw.get("timeout"), 30),
        )

    def _path(self, text: str) -> Path:
        path = Path(os.path.expandvars(text)).expanduser()
        return path if path.is_absolute() else self.source.parent.absolute() / path

    def _calendar(self, raw: dict[str, Any]) -> CalendarSettings:
        path = self._path(raw["path"]) if "path" in raw else paths.data_dir() / "repayments.ics"
        serve = raw.get("serve")
        return CalendarSettings(
            path=path,
            name=raw.get("name", "Repayments"),
            serve_listen=serve.get("listen", "127.0.0.1:8765") if serve is not None else None,
            refresh=raw.get("refresh", Lead(seconds=6 * 3600)),
        )

    def _loan(
        self,
        raw: dict[str, Any],
        where: str,
        zone: ZoneInfo,
        currency: str,
        top: dict[str, Any],
        channels: Channels,
    ) -> Loan | None:
        currency = raw.get("currency", currency)
        reminders = self._reminders(
            raw.get("reminders", {}), top.get("reminders", {}), f"{where}.reminders", channels
        )
        plan = self._plan(raw.get("plan", {}), f"{where}.plan", currency)
        overdue_given = {**top.get("overdue", {}), **raw.get("overdue", {})}
        overdue = self._overdue(overdue_given, f"{where}.overdue", currency)
        agreements = self._agreements(
            raw.get("renegotiated", []), f"{where}.renegotiated", currency, overdue_given
        )
        if not {"id", "name"} <= raw.keys() or plan is None or agreements is None:
            return None
        loan = Loan(
            id=raw["id"],
            name=raw["name"],
            currency=currency,
            plan=plan,
            reminders=reminders,
            timezone=raw.get("timezone", zone),
            adjust=raw.get("adjust", "none"),
            holidays=raw.get("holidays"),
            lender=raw.get("lender"),
            notes=raw.get("notes"),
            overdue=overdue,
            renegotiated=agreements,
        )
        self._check_versions(loan, f"{where}.renegotiated")
        return loan

    def _overdue(self, given: dict[str, Any], where: str, currency: str) -> OverdueTerms | None:
        """The merged ``overdue:`` keys as terms; ``None`` when no level wrote any."""
        if not given:
            return None
        grace = given.get("grace", Lead())
        if grace.seconds:
            self.run.at(f"{where}.grace", "counts whole days (write 3d)")
        fee = given.get("fee", Decimal(0))
        try:
            fee = money.parse_amount(f"{fee:f}", currency, allow_zero=True)
        except ValueError as error:
            self.run.at(f"{where}.fee", str(error))
        return OverdueTerms(
            daily_rate=given.get("daily_rate", Decimal(0)),
            fee=fee,
            grace_days=grace.days,
        )

    def _agreements(
        self, given: list[dict[str, Any]], where: str, currency: str, loan_terms: dict[str, Any]
    ) -> tuple[Agreement, ...] | None:
        """Build the ``renegotiated:`` entries (versions 2, 3, …), dates strictly increasing."""
        agreements = []
        previous: date | None = None
        for index, raw in enumerate(given):
            item = f"{where}[{index}]"
            if "on" not in raw or "plan" not in raw:
                return None
            if previous is not None and raw["on"] <= previous:
                self.run.at(
                    f"{item}.on", f"must be after the previous agreement's date ({previous})"
                )
            previous = raw["on"]
            plan = self._plan(raw["plan"], f"{item}.plan", currency)
            if plan is None:
                return None
            terms = self._overdue(
                {**loan_terms, **raw.get("overdue", {})}, f"{item}.overdue", currency
            )
            agreements.append(
                Agreement(
                    on=raw["on"],
                    plan=plan,
                    note=raw.get("note"),
                    document=self._path(raw["document"]) if "document" in raw else None,
                    overdue=terms,
                )
            )
        return tuple(agreements)

    def _check_versions(self, loan: Loan, where: str) -> None:
        """An agreement's installments start on or after its ``on``: the new terms cannot
        ask for money before they exist, and versions stay in due order."""
        if not loan.renegotiated or self.run.problems:
            return
        from reminderd.core import versions

        for index, (agreement, rows) in enumerate(
            zip(loan.renegotiated, versions.plan_rows(loan)[1:], strict=True)
        ):
            if rows and rows[0].due < agreement.on:
                self.run.at(
                    f"{where}[{index}].plan",
                    f"its first installment ({rows[0].due}) is before the agreement's "
                    f"date ({agreement.on})",
                )

    def _plan(self, raw: dict[str, Any], where: str, currency: str) -> Plan | None:
        kind = raw.get("kind")
        if kind is None:
            return None
        due = _due(raw["due"]) if "due" in raw else None
        first_due = _due(raw["first_due"]) if "first_due" in raw else None
        amount = (
            self._money(raw["amount"], currency, f"{where}.amount") if "amount" in raw else None
        )
        principal = (
            self._money(raw["principal"], currency, f"{where}.principal")
            if "principal" in raw
            else None
        )
        every = raw.get("every") or schema.STEP.convert("1 month")
        installments: list[ScheduledPayment] = []
        previous: date | None = None
        for index, item in enumerate(raw.get("installments", [])):
            if "due" not in item or "amount" not in item:
                continue
            item_where = f"{where}.installments[{index}]"
            spec = _due(item["due"])
            if previous is not None and spec.day < previous:
                self.run.at(
                    f"{item_where}.due", f"dates must not go back: {spec.day} is before {previous}"
                )
            previous = spec.day
            installments.append(
                ScheduledPayment(
                    spec, self._money(item["amount"], currency, f"{item_where}.amount")
                )
            )
        count = raw.get("count")
        until = raw.get("until")
        if kind in ("equal_principal", "annuity") and principal is not None and count:
            smallest = money.quantum(currency)
            if principal < count * smallest:
                self.run.at(
                    f"{where}.count",
                    f"{money.format_money(principal, currency)} cannot be split into {count} "
                    f"installments of at least {money.format_money(smallest, currency)}",
                )
        if kind == "recurring":
            # Whether a key was written, even with a bad value (already reported): a count of 0
            # is one problem, not also "neither count nor until".
            has_count = f"{where}.count" in self.run.positions
            has_until = f"{where}.until" in self.run.positions
            if has_count == has_until:
                self.run.at(where, "a recurring plan needs exactly one of count or until")
                return None
            if count is None and until is None:
                return None
            if until is not None and first_due is not None:
                if until < first_due.day:
                    self.run.at(f"{where}.until", f"is before first_due ({first_due.day})")
                elif every is not None:
                    estimate = _estimate_count(first_due.day, until, every)
                    if estimate > schema.MAX_INSTALLMENTS:
                        self.run.at(
                            f"{where}.until",
                            f"would make about {estimate} payments; at most "
                            f"{schema.MAX_INSTALLMENTS} (choose a later first_due, an earlier "
                            "until or a longer step)",
                        )
                        return None
        if first_due is not None and count is not None and every is not None:
            span_days = (
                count * every.count * {"day": 1, "week": 7, "month": 31, "year": 366}[every.unit]
            )
            if span_days > HORIZON_YEARS * 366:
                self.run.at(
                    f"{where}.count",
                    f"{count} × {every.as_text()} reaches past {HORIZON_YEARS} years",
                )
                return None
        if self.run.problems:
            return None
        return Plan(
            kind=kind,
            due=due,
            amount=amount,
            installments=tuple(installments),
            principal=principal,
            count=count,
            first_due=first_due,
            every=every,
            annual_rate=raw.get("annual_rate", Decimal(0)),
            until=until,
            ongoing=raw.get("ongoing", False),
        )


def _due(value: tuple[date, Any]) -> DueSpec:
    return DueSpec(day=value[0], at=value[1])


def _installment_count(plan: Plan) -> int:
    """How many installments ``plan`` has (an upper bound for ``until``), without building it."""
    if plan.kind == "once":
        return 1
    if plan.kind == "list":
        return len(plan.installments)
    if plan.count:
        return plan.count
    if plan.until is not None and plan.first_due is not None:
        return _estimate_count(plan.first_due.day, plan.until, plan.every)
    return 1


def _estimate_count(first: date, until: date, every: Any) -> int:
    days = (until - first).days
    unit_days = {"day": 1, "week": 7, "month": 28, "year": 365}[every.unit] * every.count
    return days // unit_days + 1


def _seconds(lead: Lead | None, default: float) -> float:
    if lead is None:
        return default
    return float(max(lead.approximate_seconds(), 1))


def describe_now(now: datetime, zone: ZoneInfo) -> str:
    """``2026-12-01 09:00 CST``: how the CLI shows an instant in the config's zone."""
    local = now.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M %Z")
