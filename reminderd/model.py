"""The validated config and the things derived from it, as plain frozen dataclasses.

Everything here is data: no I/O, no clock. ``config.load`` builds a :class:`Config`;
``plans`` turns a :class:`Loan` into :class:`Installment` rows; ``reminders`` turns those into
:class:`Reminder` instants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from reminderd.durations import Lead, Step


@dataclass(frozen=True)
class DueSpec:
    """A due date as written: a date, and a time of day when the text gave one."""

    day: date
    at: time | None = None


@dataclass(frozen=True)
class ScheduledPayment:
    due: DueSpec
    amount: Decimal


@dataclass(frozen=True)
class Plan:
    """A loan's ``plan:`` block. Which fields are set depends on ``kind``."""

    kind: str  # once | list | equal_principal | annuity | recurring
    due: DueSpec | None = None  # once
    amount: Decimal | None = None  # once, recurring
    installments: tuple[ScheduledPayment, ...] = ()  # list
    principal: Decimal | None = None  # equal_principal, annuity
    count: int | None = None  # equal_principal, annuity, recurring
    first_due: DueSpec | None = None  # equal_principal, annuity, recurring
    every: Step | None = None
    annual_rate: Decimal = Decimal(0)
    until: date | None = None  # recurring
    # An open-ended bill (rent, a card's minimum) rather than a debt to be paid off; the
    # forecast leaves such plans out of "free of debt".
    ongoing: bool = False


@dataclass(frozen=True)
class Reminders:
    before: tuple[Lead, ...]
    time: time
    overdue_every: Lead | None  # None means "never"
    channels: tuple[str, ...]  # resolved: the configured channels this loan's reminders use


@dataclass(frozen=True)
class OverdueTerms:
    """What the contract says a late installment costs (SPEC §8): penalty interest per day
    on the unpaid part, a fee once per installment still unpaid after the grace days."""

    daily_rate: Decimal = Decimal(0)
    fee: Decimal = Decimal(0)
    grace_days: int = 0


@dataclass(frozen=True)
class Agreement:
    """One ``renegotiated:`` entry: the plan in force from ``on`` (version 2, 3, …)."""

    on: date
    plan: Plan
    note: str | None = None
    document: Path | None = None
    overdue: OverdueTerms | None = None  # resolved: the loan's terms with this entry's keys


@dataclass(frozen=True)
class Loan:
    id: str
    name: str
    currency: str
    plan: Plan
    reminders: Reminders
    timezone: ZoneInfo
    adjust: str = "none"  # none | preceding | following
    holidays: str | None = None  # "CN", "US-CA"
    lender: str | None = None
    notes: str | None = None
    overdue: OverdueTerms | None = None  # None: being late costs nothing we know of
    renegotiated: tuple[Agreement, ...] = ()  # later agreements, oldest first


@dataclass(frozen=True)
class Secret:
    """A password and where it comes from; never printed."""

    env: str | None = None
    file: Path | None = None
    inline: str | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return bool(self.env or self.file or self.inline)


@dataclass(frozen=True)
class EmailSettings:
    host: str
    port: int
    security: str  # starttls | ssl | none
    sender: str
    to: tuple[str, ...]
    username: str | None = None
    password: Secret = Secret()
    ca_file: Path | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class DesktopSettings:
    backend: str = "auto"  # auto | dbus | desktop-notifier | plyer
    timeout: float = 10.0


@dataclass(frozen=True)
class CommandSettings:
    argv: tuple[str, ...]
    timeout: float = 30.0


@dataclass(frozen=True)
class AppriseSettings:
    urls: tuple[str, ...] = ()
    urls_env: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class Channels:
    desktop: DesktopSettings | None = None
    email: EmailSettings | None = None
    command: CommandSettings | None = None
    apprise: AppriseSettings | None = None

    def names(self) -> tuple[str, ...]:
        """Return the configured channel names, in a fixed order."""
        return tuple(
            name for name in ("desktop", "email", "command", "apprise") if getattr(self, name)
        )


@dataclass(frozen=True)
class CalendarSettings:
    path: Path
    name: str = "Repayments"
    serve_listen: str | None = None  # "127.0.0.1:8765"
    refresh: Lead = Lead(days=0, seconds=3600 * 6)


@dataclass(frozen=True)
class Config:
    source: Path
    timezone: ZoneInfo
    locale: str
    currency: str
    reminders: Reminders
    channels: Channels
    calendar: CalendarSettings
    budget_monthly: Decimal | None
    loans: tuple[Loan, ...]

    def loan(self, loan_id: str) -> Loan | None:
        for loan in self.loans:
            if loan.id == loan_id:
                return loan
        return None


@dataclass(frozen=True, slots=True)
class Installment:
    """One payment of a plan, with its amounts split and its due instant resolved."""

    loan_id: str
    number: int  # 1-based
    of: int | None  # plan size, or None for an open-ended recurring bill
    nominal: date  # the date the plan gives, before weekend/holiday adjustment
    due: date  # after adjustment
    due_at: datetime  # aware, in the loan's zone
    amount: Decimal
    principal: Decimal
    interest: Decimal
    balance_after: Decimal  # what is still owed on the plan after this one is paid
    version: int = 1  # the plan version (SPEC §8): 1 is ``plan:``, 2 the first agreement

    def label(self) -> str:
        return f"{self.number}/{self.of}" if self.of else f"{self.number}"


@dataclass(frozen=True, slots=True)
class Reminder:
    """One instant at which a reminder for an installment is due to go out.

    ``kind`` is ``ahead`` (a lead before the due instant), ``due`` (lead 0) or ``overdue``
    (``step`` is k in due + k × overdue_every).
    """

    loan_id: str
    number: int
    at: datetime
    kind: str
    step: int = 0  # lead index for ahead/due, k for overdue

    @property
    def key(self) -> str:
        """A stable identity for the delivery log: same reminder, same key, across restarts."""
        return f"{self.loan_id}/{self.number}/{self.kind}/{self.at.isoformat()}"
