"""Mutation score by hand: plant small realistic bugs one at a time, count how many the tests catch.

Each mutant is one text substitution in one product module (money, plans, reminders, standing,
delivery, secrets, TLS, ledger): a ``<`` that became ``<=``, half-up rounding that became
half-even, a dropped ``not``, an off-by-one, a check that lost a bit of its mask. For each, the
tree is copied to a temporary directory, the substitution applied there, and the tests that
cover that module run against the copy in a fresh interpreter (so no ``functools.cache`` of an
unmutated run survives into a mutated one). ``PYTHONPATH`` points at the copy, so the
installed ``reminderd`` console script the e2e tests run imports the mutated code too.

A mutant is *caught* when its tests fail; it *survives* when they pass. Before any mutant the
same tests run on the unmutated copy and must pass, else the score would mean nothing.

    .venv/bin/python bench/mutants.py                # every mutant, a few minutes
    .venv/bin/python bench/mutants.py --only plans   # the mutants of one module
    .venv/bin/python bench/mutants.py --list         # what would be planted

Prints one line per mutant and ``caught N/M (P%)``; exits 1 below ``--target`` (default 90).
Not part of CI: it runs the covering tests once per mutant.
"""

# The mutant tables quote product lines verbatim; they are left as long as the code they quote.
# ruff: noqa: E501

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = Path(sys.executable)
LAST_OUTPUT: list[str] = []
TIMEOUT = 900  # seconds per test run: a mutant that hangs the tests counts as caught

MONEY_TESTS = ["tests/unit/test_money.py", "tests/unit/test_plans.py", "tests/unit/test_status.py"]
PLANS_TESTS = [
    "tests/unit/test_plans.py",
    "tests/unit/test_status.py",
    "tests/unit/test_calendar_content.py",
]
REMINDER_TESTS = [
    "tests/unit/test_reminders.py",
    "tests/unit/test_agenda.py",
    "tests/unit/test_calendar_content.py",
    "tests/unit/test_messages.py",
]
STANDING_TESTS = ["tests/unit/test_status.py", "tests/unit/test_agenda.py"]
# Not tests/e2e/test_service.py: it still fails by chance now and then (issue 16, items 3 and
# 4), and a chance failure would count a mutant as caught.
DELIVERY_TESTS = ["tests/unit/test_backoff_cap.py", "tests/e2e/test_ledger_cli.py"]
SECRET_TESTS = [
    "tests/unit/test_secret_paths.py",
    "tests/contract/test_mail.py",
    "tests/reliability/test_security.py",
]
TLS_TESTS = [
    "tests/contract/test_mail.py",
    "tests/contract/test_notify_test.py",
    "tests/reliability/test_security.py",
]
LEDGER_TESTS = ["tests/unit/test_ledger.py", "tests/e2e/test_ledger_cli.py"]
TODAY_TESTS = ["tests/e2e/test_today_in_zone.py", "tests/e2e/test_ledger_cli.py"]


# The covering tests of the second unseen batch, fixed before its mutants were planted: what a
# developer changing that area would run, the e2e tests of the service included.
BROAD = {
    "money": [
        "tests/unit/test_money.py",
        "tests/unit/test_amounts.py",
        "tests/unit/test_plans.py",
        "tests/unit/test_status.py",
        "tests/unit/test_currencies.py",
        "tests/unit/test_forecast.py",
        "tests/unit/test_overdue.py",
        "tests/unit/test_text.py",
        "tests/e2e/test_currencies_cli.py",
        "tests/e2e/test_ledger_cli.py",
        # Added after the second batch, before the third: its mutant in the grouped overdue
        # message survived the list above and was caught by these.
        "tests/unit/test_messages.py",
        "tests/unit/test_overdue_group.py",
        # Added after the fourth batch: `plan` had no test of its figures, and config
        # amounts are checked where the config is.
        "tests/e2e/test_plan_cli.py",
        "tests/unit/test_config.py",
        # Added in session 13, before the eighth batch ran: tests written for mutmut's
        # survivors (README, development), not for any planted batch.
        "tests/unit/test_money_edges.py",
        "tests/unit/test_overdue_edges.py",
        "tests/unit/test_message_groups.py",
        "tests/unit/test_forecast_edges.py",
    ],
    "plans": [
        "tests/unit/test_plans.py",
        "tests/unit/test_durations.py",
        "tests/unit/test_status.py",
        "tests/unit/test_calendar_content.py",
        "tests/unit/test_agenda.py",
        "tests/unit/test_forecast.py",
        "tests/unit/test_versions.py",
        "tests/e2e/test_calendar_cli.py",
        "tests/e2e/test_today_in_zone.py",
        "tests/unit/test_agenda_oracle.py",  # session 13, from mutmut's survivors
        "tests/unit/test_plan_rows.py",  # session 14
        "tests/e2e/test_ledger_cli.py",  # session 14
    ],
    "reminders": [
        "tests/unit/test_reminders.py",
        "tests/unit/test_agenda.py",
        "tests/unit/test_agenda_incremental.py",
        "tests/unit/test_calendar_content.py",
        "tests/unit/test_messages.py",
        "tests/unit/test_text_reminders.py",
        "tests/unit/test_overdue_group.py",
        "tests/e2e/test_service.py",
        "tests/e2e/test_delivery_integrity.py",  # after the seventh batch: the buttons
        "tests/unit/test_message_groups.py",  # session 13, from mutmut's survivors
        "tests/unit/test_deliverer.py",
        "tests/unit/test_agenda_oracle.py",
        "tests/e2e/test_group_message.py",  # session 14
    ],
    "standing": [
        "tests/unit/test_status.py",
        "tests/unit/test_agenda.py",
        "tests/unit/test_overdue.py",
        "tests/unit/test_overdue_group.py",
        "tests/unit/test_versions.py",
        "tests/unit/test_forecast.py",
        "tests/e2e/test_case.py",
        "tests/e2e/test_ledger_cli.py",
        "tests/unit/test_overdue_edges.py",  # session 13, from mutmut's survivors
        "tests/unit/test_forecast_edges.py",
    ],
    "delivery": [
        "tests/unit/test_backoff_cap.py",
        "tests/e2e/test_delivery_integrity.py",
        "tests/e2e/test_service.py",
        "tests/e2e/test_ledger_cli.py",
        "tests/e2e/test_front_door.py",  # run --once's exit status
        "tests/e2e/test_calendar_lock.py",  # after the third batch: a pay taken in at once
        "tests/reliability/test_faults.py",
        # After the sixth batch: the command channel's own contract caught a mutant there.
        "tests/contract/test_command.py",
        "tests/unit/test_overdue_group.py",  # after the seventh: a group logged per member
        "tests/unit/test_deliverer.py",  # session 13, from mutmut's survivors
        "tests/contract/test_mail_answers.py",
        "tests/unit/test_delivery_journal.py",  # session 14
        "tests/unit/test_bounded_send.py",  # session 14
        "tests/contract/test_mail_texts.py",  # session 14
        "tests/e2e/test_group_message.py",  # session 14
    ],
    "secrets": [
        "tests/unit/test_secret_paths.py",
        "tests/unit/test_channel_checks.py",
        "tests/unit/test_config.py",  # after the fourth batch: password rules in the config
        "tests/contract/test_mail.py",
        "tests/reliability/test_security.py",
        "tests/e2e/test_front_door.py",
        "tests/contract/test_command.py",  # after the sixth batch: what a program may see
        "tests/unit/test_feed.py",  # after the seventh batch: the feed secret's mode
        "tests/unit/test_secret_messages.py",  # session 13, from mutmut's survivors
        "tests/unit/test_check_findings.py",
        "tests/contract/test_apprise.py",  # session 14: caught the tenth batch's URL leak
    ],
    "tls": [
        "tests/contract/test_mail.py",
        "tests/contract/test_notify_test.py",
        "tests/unit/test_channel_checks.py",
        "tests/reliability/test_security.py",
        "tests/unit/test_config.py",  # after the sixth batch: default ports per security
        "tests/contract/test_mail_answers.py",  # session 13, from mutmut's survivors
        "tests/unit/test_check_findings.py",
        "tests/contract/test_mail_texts.py",  # session 14
    ],
    "ledger": [
        "tests/unit/test_ledger.py",
        "tests/unit/test_ledger_edges.py",  # session 13, from mutmut's survivors
        "tests/unit/test_versions.py",  # after the eighth batch: the case file's "met"
        "tests/e2e/test_history_remarks.py",  # after the ninth: an undo's remark
        "tests/unit/test_ledger_locks.py",
        "tests/unit/test_ledger_migration.py",
        "tests/unit/test_ledger_watch.py",
        "tests/e2e/test_ledger_cli.py",
        "tests/e2e/test_case.py",  # after the fourth batch: notes, documents, the sweep
        "tests/reliability/test_receipts_kill.py",
        "tests/unit/test_store_edges.py",  # session 14
        "tests/e2e/test_locale.py",  # session 14
    ],
}


@dataclass(frozen=True)
class Mutant:
    area: str
    path: str
    old: str
    new: str
    what: str
    tests: tuple[str, ...]


def m(area: str, path: str, old: str, new: str, what: str, tests: list[str]) -> Mutant:
    return Mutant(area, path, old, new, what, tuple(tests))


MUTANTS = [
    # ---- money
    m(
        "money",
        "reminderd/money.py",
        "rounding=ROUND_HALF_UP)",
        'rounding="ROUND_HALF_EVEN")',
        "round half-even instead of half-up",
        MONEY_TESTS,
    ),
    m(
        "money",
        "reminderd/money.py",
        "    if value < 0:\n",
        "    if value < -1:\n",
        "a small negative amount accepted",
        ["tests/unit/test_money.py"],
    ),
    m(
        "money",
        "reminderd/money.py",
        "if value >= MAX_AMOUNT:",
        "if value > MAX_AMOUNT:",
        "the largest amount off by one",
        ["tests/unit/test_money.py"],
    ),
    m(
        "money",
        "reminderd/money.py",
        "and -exponent > places:",
        "and -exponent > places + 1:",
        "one decimal too many accepted",
        ["tests/unit/test_money.py"],
    ),
    m(
        "money",
        "reminderd/money.py",
        'sign = "-" if amount < 0 else ""',
        'sign = ""',
        "negative amounts shown without their sign",
        ["tests/unit/test_money.py"],
    ),
    # ---- plans
    m(
        "plans",
        "reminderd/plans.py",
        "(2 * abs(numerator) + denominator) //",
        "(2 * abs(numerator) + denominator - 1) //",
        "interest ties rounded down",
        PLANS_TESTS,
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "if part * (plan.count - 1) >= principal:",
        "if part * (plan.count - 1) > principal:",
        "tiny principal rounding boundary",
        PLANS_TESTS,
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "if abs(exact - level) > unit / 2:",
        "if abs(exact - level) >= unit / 2:",
        "annuity re-levels on a tie",
        PLANS_TESTS,
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "if abs(exact - level) > unit / 2:",
        "if abs(exact - level) > unit * 2:",
        "annuity re-levels too late (balloon)",
        PLANS_TESTS,
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "    if last:\n        return outstanding, interest",
        '    if last and plan.kind == "annuity":\n        return outstanding, interest',
        "equal principal: the last installment does not absorb the rest",
        PLANS_TESTS,
    ),
    m(
        "plans",
        "reminderd/plans.py",
        '"week": Decimal(52)',
        '"week": Decimal(53)',
        "weeks per year off by one",
        PLANS_TESTS,
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "if plan.until is not None and day > plan.until:",
        "if plan.until is not None and day >= plan.until:",
        "until made exclusive",
        PLANS_TESTS,
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "min(first.day, calendar.monthrange(year, month + 1)[1])",
        "min(first.day, calendar.monthrange(year, (month + 1) % 12 + 1)[1])",
        "month-end clamp by the next month's length",
        PLANS_TESTS,
    ),
    # ---- reminders
    m(
        "reminders",
        "reminderd/reminders.py",
        'kind = "due" if lead.is_zero() else "ahead"',
        'kind = "ahead"',
        "the due-day reminder called ahead",
        REMINDER_TESTS,
    ),
    m(
        "reminders",
        "reminderd/reminders.py",
        "        if at > after:\n            yield",
        "        if at >= after:\n            yield",
        "overdue repeat at the boundary twice",
        REMINDER_TESTS,
    ),
    m(
        "reminders",
        "reminderd/reminders.py",
        "    while step >= 1:\n        at = every.after",
        "    while step > 1:\n        at = every.after",
        "the first overdue repeat never counts as the latest",
        REMINDER_TESTS,
    ),
    m(
        "reminders",
        "reminderd/reminders.py",
        "local = now.astimezone(inst.due_at.tzinfo)",
        "local = now",
        "days overdue counted in UTC, not the loan's zone",
        REMINDER_TESTS,
    ),
    m(
        "reminders",
        "reminderd/reminders.py",
        "        if reminder.at > after:\n            return reminder",
        "        if reminder.at >= after:\n            return reminder",
        "next reminder may be the one just fired",
        REMINDER_TESTS,
    ),
    # ---- standing (what is paid, owed, overdue)
    m(
        "standing",
        "reminderd/standing.py",
        "return self.paid >= self.installment.amount",
        "return self.paid > self.installment.amount",
        "exact payment does not settle",
        STANDING_TESTS,
    ),
    m(
        "standing",
        "reminderd/standing.py",
        'return "overdue" if now >= self.installment.due_at else "upcoming"',
        'return "overdue" if now > self.installment.due_at else "upcoming"',
        "not overdue at the due instant",
        STANDING_TESTS,
    ),
    m(
        "standing",
        "reminderd/standing.py",
        "share = min(left, inst.amount) if left > 0",
        "share = left if left > 0",
        "a payment all on the first installment",
        STANDING_TESTS,
    ),
    m(
        "standing",
        "reminderd/accounts/report.py",
        '"over": budget is not None and due > budget,',
        '"over": budget is not None and due >= budget,',
        "dues equal to the budget are over",
        ["tests/unit/test_status.py"],
    ),
    m(
        "standing",
        "reminderd/accounts/commands.py",
        "today = now.astimezone(config.timezone).date()",
        "today = now.date()",
        "today in UTC, not the config's zone",
        TODAY_TESTS,
    ),
    # ---- delivery
    m(
        "delivery",
        "reminderd/delivery.py",
        "RETRY_MAX = timedelta(minutes=10)",
        "RETRY_MAX = timedelta(minutes=100)",
        "retry cap raised",
        DELIVERY_TESTS,
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "    return min(RETRY_FIRST * (2 ** min(max(attempts - 1, 0), 20)), RETRY_MAX)",
        "    return min(RETRY_FIRST * (2 ** min(max(attempts, 0), 20)), RETRY_MAX)",
        "backoff off by one",
        DELIVERY_TESTS,
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "                    if name in done:\n",
        "                    if name in done and not name:\n",
        "sent reminders sent again",
        DELIVERY_TESTS,
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "if pair not in wanted:",
        "if pair in wanted:",
        "failures of live reminders forgotten",
        DELIVERY_TESTS,
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "if pair in self._in_flight or (failure and failure.next_try > now):",
        "if pair in self._in_flight:",
        "a failed reminder retried at once, without waiting",
        DELIVERY_TESTS,
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "attempts = failure.attempts + 1 if failure else 1",
        "attempts = 1",
        "attempts not counted: the wait never grows",
        DELIVERY_TESTS,
    ),
    # ---- secrets
    m(
        "secrets",
        "reminderd/platform/files.py",
        "    return bool(mode & 0o077)",
        "    return bool(mode & 0o007)",
        "group-readable secret file accepted",
        SECRET_TESTS,
    ),
    m(
        "secrets",
        "reminderd/platform/files.py",
        "    return bool(mode & 0o077)",
        "    return bool(mode & 0o070)",
        "world-readable-only (0604) secret file accepted",
        SECRET_TESTS,
    ),
    m(
        "secrets",
        "reminderd/channels/secrets.py",
        'if text.endswith("\\n"):',
        'if text.endswith("\\n\\n"):',
        "the file's trailing newline kept in the password",
        SECRET_TESTS,
    ),
    m(
        "secrets",
        "reminderd/channels/secrets.py",
        "if not value:\n",
        "if value is None:\n",
        "an empty password variable accepted",
        SECRET_TESTS,
    ),
    # ---- TLS
    m(
        "tls",
        "reminderd/channels/mail.py",
        "return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)",
        "context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)\n"
        "            context.check_hostname = False\n            return context",
        "host name not checked",
        TLS_TESTS,
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        "return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)",
        "return ssl._create_unverified_context(cafile=str(ca_file) if ca_file else None)",
        "certificates not verified",
        TLS_TESTS,
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        'if not client.has_extn("starttls"):',
        'if not client.has_extn("starttls") and False:',
        "no STARTTLS offered: carries on in clear",
        TLS_TESTS,
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        'if settings.security == "ssl":',
        'if settings.security == "tls":',
        "implicit TLS (security: ssl) spoken as plain SMTP",
        TLS_TESTS,
    ),
    # ---- ledger
    m(
        "ledger",
        "reminderd/ledger/records.py",
        "if original.undone_by is not None:",
        "if original.undone_by is not None and original.undoes is not None:",
        "a payment can be undone twice",
        LEDGER_TESTS,
    ),
    m(
        "ledger",
        "reminderd/ledger/records.py",
        '"SELECT loan_id, paid_on, amount FROM payments ORDER BY paid_on, id"',
        '"SELECT loan_id, paid_on, amount FROM payments WHERE undoes IS NULL ORDER BY paid_on, id"',
        "undo entries left out of the totals",
        LEDGER_TESTS,
    ),
    m(
        "ledger",
        "reminderd/ledger/store.py",
        "path.chmod(0o600)",
        "path.chmod(0o644)",
        "ledger readable by others",
        LEDGER_TESTS,
    ),
    m(
        "ledger",
        "reminderd/ledger/store.py",
        "int(BUSY_TIMEOUT_SECONDS * 1000)",
        "int(BUSY_TIMEOUT_SECONDS)",
        "busy timeout in milliseconds read as seconds (15 ms)",
        LEDGER_TESTS,
    ),
]

# Planted after the list above reached 41/41 and before looking at what covers them: a check
# that the score above was not bought by tuning tests to these very mutants. (Six of the 51
# above and below were re-pointed on 2026-11-29 at the lines their code moved to.)
UNSEEN = [
    m(
        "money",
        "reminderd/money.py",
        'f"{abs(amount):,.{places}f}"',
        'f"{abs(amount):.{places}f}"',
        "amounts shown without thousands separators",
        MONEY_TESTS,
    ),
    m(
        "money",
        "reminderd/money.py",
        "return Decimal(1).scaleb(-minor_units(currency))",
        "return Decimal(1).scaleb(-2)",
        "every currency given two decimals",
        MONEY_TESTS,
    ),
    m(
        "reminders",
        "reminderd/reminders.py",
        "        if at not in seen:",
        "        if True:",
        "two leads at one instant give two reminders",
        REMINDER_TESTS,
    ),
    m(
        "reminders",
        "reminderd/reminders.py",
        "step = max(1, int((after - inst.due_at).total_seconds() // span) - 1)",
        "step = max(1, int((after - inst.due_at).total_seconds() // span) + 1)",
        "a long-missed payment skips an overdue repeat",
        REMINDER_TESTS,
    ),
    m(
        "standing",
        "reminderd/standing.py",
        "return self.installment.amount - self.paid",
        "return self.installment.amount",
        "a partial payment not taken off what is owed",
        STANDING_TESTS,
    ),
    m(
        "secrets",
        "reminderd/channels/secrets.py",
        "if candidate.exists() or not expanded.is_absolute():",
        "if candidate.exists():",
        "a relative secret name not looked up in $CREDENTIALS_DIRECTORY",
        SECRET_TESTS,
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        "permanent = all(code >= 500 for code, _ in error.recipients.values())",
        "permanent = any(code >= 500 for code, _ in error.recipients.values())",
        "a recipient refused for now (4xx) never retried",
        TLS_TESTS,
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        "    if code != 235:",
        "    if code >= 500:",
        "AUTH answered 4xx taken as logged in",
        TLS_TESTS,
    ),
    m(
        "ledger",
        "reminderd/ledger/records.py",
        "    if original.undoes is not None:",
        "    if original.undoes is not None and original.amount > 0:",
        "an undo entry can itself be undone",
        LEDGER_TESTS,
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        'state = "sent" if error is None else "failed"',
        'state = "sent"',
        "a failed delivery logged as sent",
        DELIVERY_TESTS,
    ),
]


# Planted on 2026-11-29 by a session that was told not to open tests/ or bench/, from the
# product code and SPEC alone; four that repeated an earlier mutant exactly were replaced by
# six more planted the same way. Run against the BROAD tests of their area, fixed beforehand.
UNSEEN_2 = [
    m(
        "money",
        "reminderd/money.py",
        "    if value == 0 and not allow_zero:",
        "    if value == 0 and allow_zero:",
        "a zero amount is accepted for pay/plan, and refused where zero is allowed (forecast --extra 0)",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/money.py",
        "    places = minor_units(currency)\n    exponent = value.normalize()",
        "    places = 2\n    exponent = value.normalize()",
        "the 'too many decimals' check assumes 2 places for every currency: 10.5 JPY is accepted and silently rounded",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/money.py",
        '_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．＿＋－", "0123456789,._+-")',
        '_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．＿＋－", "0123456789.,_+-")',
        "a full-width comma is read as a decimal point (and the full-width point as a comma): １，２００ is paid as 1.20",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/text/__init__.py",
        "    pattern.frac_prec = (places, places)",
        "    pattern.frac_prec = (0, places)",
        "amounts shown to people drop trailing zeros: CN¥1,200 instead of CN¥1,200.00, CN¥12.5 instead of CN¥12.50",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/config.py",
        '            fee = money.parse_amount(f"{fee:f}", currency, allow_zero=True)',
        '            fee = money.parse_amount(f"{fee:f}", currency)',
        "an overdue: block without a fee (or with fee: 0) is rejected as an invalid config",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/money.py",
        '_GROUPED = re.compile(r"[+-]?\\d{1,3}(?P<sep>[,_])',
        '_GROUPED = re.compile(r"[+-]?\\d+(?P<sep>[,_])',
        "Badly grouped amounts are accepted: `pay loan 1234,567` (or 12345_678) records 1,234,567 instead of refusing the malformed thousands grouping.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/messages.py",
        "outstanding = max(inst.amount - paid, Decimal(0))\n        total += outstanding",
        "outstanding = max(inst.amount, Decimal(0))\n        total += outstanding",
        "The grouped overdue reminder ignores partial payments: each installment and the total to pay are shown at their full amount even after part of it was paid.",
        BROAD["money"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "        yield add_steps(first, every, index)\n        index += 1",
        "        yield first\n        first = add_steps(first, every, 1)\n        index += 1",
        "each due date is counted from the previous one, so a plan on the 31st sticks to the 28th after February",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/workdays.py",
        '    step = timedelta(days=-1 if rule == "preceding" else 1)',
        '    step = timedelta(days=1 if rule == "preceding" else -1)',
        "adjust: preceding and following are swapped (a Saturday due date moves to Monday under 'preceding')",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/durations.py",
        "    candidate = wall.replace(tzinfo=zone, fold=0)",
        "    candidate = wall.replace(tzinfo=zone, fold=1)",
        "around DST changes an ambiguous local time takes the second occurrence, and a time in the gap moves back instead of forward",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "    whole = (2 * abs(numerator) + denominator) // (2 * denominator)",
        "    whole = abs(numerator) // denominator",
        "period interest is truncated instead of rounded half-up (0.065 becomes 0.06)",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "        last = index == plan.count - 1",
        "        last = index == plan.count",
        "the last installment no longer absorbs the rounding: principal parts do not add up to the principal",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "    interest = period_interest(outstanding, plan.annual_rate, plan.every, currency)",
        "    interest = period_interest(plan.principal, plan.annual_rate, plan.every, currency)",
        "interest is charged on the original principal every period instead of on what is still outstanding",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "        at = spec.at or loan.reminders.time",
        "        at = loan.reminders.time",
        "a due written with its own time of day (2026-12-20 18:00) is moved to reminders.time",
        BROAD["plans"],
    ),
    m(
        "reminders",
        "reminderd/reminders.py",
        '        kind = "due" if lead.is_zero() else "ahead"',
        '        kind = "due" if not lead.is_zero() else "ahead"',
        "reminders days ahead say 'due today' and the day-of reminder says 'coming up'",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/reminders.py",
        "    return sorted(seen.values(), key=lambda reminder: reminder.at)",
        "    return sorted(seen.values(), key=lambda reminder: reminder.at, reverse=True)",
        "pre-due reminders are listed latest first, so the service picks the earliest passed one and later leads are not sent",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/reminders.py",
        "    while step >= 1:",
        "    while step >= 0:",
        "an overdue message goes out at the due instant itself instead of one overdue_every after it",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        "            loan.id: max(loan.reminders.before, default=Lead(), key=Lead.approximate_seconds)",
        "            loan.id: min(loan.reminders.before, default=Lead(), key=Lead.approximate_seconds)",
        "the agenda looks ahead only by the shortest lead, so the 7-day and 3-day reminders of installments due later than tomorrow are never sent",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        '        elif kind in ("ahead", "due") and now > inst.due_at + GRACE:',
        '        elif kind in ("ahead", "due") and now > inst.due_at:',
        "a 'due today' reminder found even a second after the due instant is turned into an overdue catch-up",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        "    if len(overdue) < 2:",
        "    if len(overdue) < 3:",
        "two overdue installments of one loan get two separate messages instead of one combined message",
        BROAD["reminders"],
    ),
    m(
        "standing",
        "reminderd/standing.py",
        "        live = [row for row in own if end is None or row.due < end]",
        "        live = [row for row in own if end is None or row.due <= end]",
        "an installment due on the day a new agreement takes effect is not superseded; it is kept (and rolled) instead",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/core/overdue.py",
        "    first = inst.due + timedelta(days=terms.grace_days + 1)  # the first day that costs",
        "    first = inst.due + timedelta(days=terms.grace_days)  # the first day that costs",
        "overdue cost starts on the last grace day (one day early), and a payment on that day still incurs the fee",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/core/overdue.py",
        "        money_before = sum((amount for when, amount in timeline if when < day), Decimal(0))",
        "        money_before = sum((amount for when, amount in timeline if when <= day), Decimal(0))",
        "a payment counts against penalty interest from the day it was made instead of the day after",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/core/versions.py",
        "        if day >= agreement.on:",
        "        if day > agreement.on:",
        "a payment made on the day an agreement takes effect is booked to the old plan version",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/standing.py",
        "        return row.paid\n",
        "        return row.installment.amount\n",
        "For a renegotiated loan, an installment rolled into the new agreement counts in full in the loan's total (and outstanding), so the rolled debt is counted twice in status.",
        BROAD["standing"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "    return min(RETRY_FIRST * (2 ** min(max(attempts - 1, 0), 20)), RETRY_MAX)",
        "    return min(RETRY_FIRST * (2 ** min(max(attempts, 0), 20)), RETRY_MAX)",
        "retry backoff starts at 20 s instead of 10 s (every wait doubled)",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "        return (KIND_RANK.get(due.kind, 0), due.reminder.at) < self.latest",
        "        return (KIND_RANK.get(due.kind, 0), due.reminder.at) <= self.latest",
        "a reminder that failed on one channel (or went to another) counts as superseded by itself: failed channels are never retried",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "                    if name in done:\n                        continue\n",
        "",
        "a reminder already sent to a channel is sent again on every later check (duplicates)",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "                        if pair in self._in_flight or (failure and failure.next_try > now):",
        "                        if pair in self._in_flight or (failure and failure.next_try < now):",
        "a failed channel is retried at once on every check, ignoring the backoff, and not once the backoff has passed",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/service.py",
        "        if failed or not finished or not written:",
        "        if not finished or not written:",
        "run --once exits 0 even when a channel could not deliver",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "                        due.kind,\n",
        "                        member.reminder.kind,\n",
        "the delivery log records the reminder's planned kind instead of what the message said (a late catch-up logged as 'ahead'), so a later 'due today' can contradict an 'overdue' already sent",
        BROAD["delivery"],
    ),
    m(
        "secrets",
        "reminderd/platform/files.py",
        "    return bool(mode & 0o077)",
        "    return bool(mode & 0o007)",
        "a secret file (or a config with an inline password) readable by the group is accepted",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/channels/secrets.py",
        "    if credentials and (not expanded.is_absolute() or not expanded.exists()):",
        "    if credentials and not expanded.is_absolute():",
        "an absolute password_file that does not exist is no longer looked up in $CREDENTIALS_DIRECTORY",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/channels/checks.py",
        "    if in_service:\n        return Finding(ERROR, where,",
        "    if not in_service:\n        return Finding(ERROR, where,",
        "an unset secret variable is an error in `check` but only 'unverified' for the service (and missing from its systemd status)",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/channels/checks.py",
        "if not secret.file.expanduser().is_absolute() and not credentials:",
        "if not secret.file.expanduser().is_absolute() or not credentials:",
        "`check` no longer inspects an absolute password_file when $CREDENTIALS_DIRECTORY is unset: a world-readable or missing password file is reported only as 'looked up in $CREDENTIALS_DIRECTORY' instead of being refused.",
        BROAD["secrets"],
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        "                client.starttls(context=self._tls_context())",
        "                client.starttls()",
        "STARTTLS connections do not verify the server's certificate or hostname (and ignore ca_file)",
        BROAD["tls"],
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        "            return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)",
        "            return ssl.create_default_context()",
        "ca_file is ignored: a mail server with a private CA fails certificate verification",
        BROAD["tls"],
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        "    if 400 <= code < 500:",
        "    if 400 <= code < 600:",
        "a permanent 5xx SMTP answer is reported as a temporary failure",
        BROAD["tls"],
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        'if settings.security == "starttls":',
        'if settings.security == "tls":',
        "With security: starttls (the default) the mail channel never upgrades to TLS: it talks to the server in plain text and sends the password unencrypted.",
        BROAD["tls"],
    ),
    m(
        "ledger",
        "reminderd/ledger/records.py",
        '    if original.undoes is not None:\n        raise UserError.said("ledger.undo_of_undo", id=payment_id, undoes=original.undoes)\n',
        "",
        "an undo entry can itself be undone, silently re-adding the payment",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/ledger/records.py",
        "            original.paid_on.isoformat(),",
        "            recorded_at.date().isoformat(),",
        "an undo is dated the day it was recorded instead of the undone payment's day (shifts versions and overdue cost)",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/ledger/receipts.py",
        "entry.name[:64] not in referenced",
        "entry.name[:64] in referenced",
        "The leftover-receipt sweep run by each `pay` deletes the stored receipts that payments still refer to (and keeps orphans), so receipts vanish from the state dir.",
        BROAD["ledger"],
    ),
]


# Planted on 2026-11-29, after the tests for the second batch were in, by another session
# told not to open tests/ or bench/ and not to reuse a line of the 93 above. Run against
# the BROAD tests of their area as they stood before it was planted.
UNSEEN_3 = [
    m(
        "money",
        "reminderd/money.py",
        "code = text.strip().upper()",
        "code = text.strip()",
        "A currency written in lower case (currency: cny) is refused as an unknown currency instead of being read as CNY.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/money.py",
        'cleaned = stripped.replace(",", "").replace("_", "")',
        'cleaned = stripped.replace("_", "")',
        "An amount written with thousands commas (pay wallet-a 1,200.50) is refused as not a number, although the comma grouping is well formed.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/text/__init__.py",
        'pattern = f",.{places}f"',
        'pattern = f".{places}f"',
        "Amounts in reminder messages lose their thousands separators (CN¥12000.00 instead of CN¥12,000.00).",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/money.py",
        'return f"{round_money(amount, currency):f}"',
        'return f"{amount:f}"',
        'JSON money is no longer shown at the currency\'s minor unit: e.g. status --json says paid "0" instead of "0.00", and unrounded sums leak through.',
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/planner.py",
        "currency = (args.currency or currency).upper()",
        "currency = args.currency or currency",
        "plan --currency usd (lower case) is refused as an unknown currency instead of proposing a plan in USD.",
        BROAD["money"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "if count is not None and len(specs) >= count:",
        "if count is not None and len(specs) > count:",
        "Every plan with a count gets one installment too many (a 12-installment plan lists 13 due dates).",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "numerator, denominator = (outstanding * annual_rate * every.count).as_integer_ratio()",
        "numerator, denominator = (outstanding * annual_rate).as_integer_ratio()",
        "Interest for plans paid every 2 months, 2 weeks, etc. is charged for one period only, so such plans show too little interest.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/workdays.py",
        "return day.weekday() < 5",
        "return day.weekday() < 6",
        "Without a holidays calendar, Saturday counts as a working day: a due date on a Saturday is not moved by adjust: preceding/following.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        'months = every.count * times * (12 if every.unit == "year" else 1)',
        "months = every.count * times",
        "Plans with every: N year(s) step by months instead of years (a yearly plan falls due every month).",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/durations.py",
        "utc = moved.astimezone(_UTC) + timedelta(seconds=sign * self.seconds)",
        "utc = moved + timedelta(seconds=sign * self.seconds)",
        "Hour/minute/second leads and overdue repeats are counted in wall-clock time instead of exact time, so across a DST change a 2h reminder fires an hour early or late.",
        BROAD["plans"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        "if candidate is None or snooze_until > candidate.at:",
        "if candidate is None or snooze_until < candidate.at:",
        "Snooze does nothing: once the snooze time passes the reminder is not sent again.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        "if reminder.at <= now:",
        "if reminder.at < now:",
        "A reminder is not due at its exact instant (e.g. the 09:00 reminder is not sent by a check at 09:00:00).",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        "newest = overdue[-1]",
        "newest = overdue[0]",
        "In a grouped overdue message the oldest installment is listed twice and the newest is left out, so the list and total are wrong.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/messages.py",
        "lines.append(_record(command, loan.id, outstanding, loc))",
        "lines.append(_record(command, loan.id, inst.amount, loc))",
        'After a partial payment, the reminder\'s "record it" hint suggests paying the full installment amount instead of what is still outstanding.',
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/messages.py",
        'variant = "overdue" if late > 0 else "overdue_today"',
        'variant = "overdue" if late >= 0 else "overdue_today"',
        'A reminder after the due time on the due day says "overdue by 0 days" instead of "overdue since today".',
        BROAD["reminders"],
    ),
    m(
        "standing",
        "reminderd/standing.py",
        "return [row for row in self.rows if not row.settled and not row.closed]",
        "return [row for row in self.rows if not row.settled]",
        "Installments superseded by or rolled into a renegotiated agreement keep being reminded as if still owed.",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/core/overdue.py",
        "charged_fee = fee if unpaid(first) > 0 else Decimal(0)",
        "charged_fee = fee if unpaid(last) > 0 else Decimal(0)",
        "The late fee disappears once the installment is paid, even if it was paid after the grace period (it should stay charged).",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/core/overdue.py",
        "last = today if end is None else min(today, end - _ONE_DAY)",
        "last = today if end is None else min(today, end)",
        "Penalty interest on an installment rolled into a new agreement is also charged for the agreement's start day (one day too many).",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/accounts/report.py",
        "budget = config.budget_monthly if currency == config.currency else None",
        "budget = config.budget_monthly",
        "status compares the monthly budget against months of loans in other currencies too (shows a budget and 'over' for USD dues with a CNY budget).",
        BROAD["standing"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        'if state == "sent":',
        'if state != "attempting":',
        "A delivery that failed is treated as sent, so a channel that failed (mail server down) is never retried.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "names = [name for name in due.loan.reminders.channels if name in self._queues]",
        "names = [name for name in self._queues]",
        "A loan's reminders.channels setting is ignored: every loan's reminders go to every configured channel.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/service.py",
        "if job is not None and job.next_run_time is not None and job.next_run_time <= when:",
        "if job is not None and job.next_run_time is not None and job.next_run_time >= when:",
        "The running service ignores requests to check earlier than its next planned wake-up (after a payment, a retry, a resume), so retries and follow-ups wait until much later.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/service.py",
        "shown = replace(due.reminder, kind=due.kind)",
        "shown = due.reminder",
        'A reminder caught up after the due time (service was down) says "due today"/"due in N days" instead of overdue.',
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "attempts, datetime.now(UTC) + backoff(attempts), error",
        "attempts, datetime.now(UTC) + backoff(1), error",
        "Failed deliveries are retried every 10 seconds forever instead of backing off up to 10 minutes.",
        BROAD["delivery"],
    ),
    m(
        "secrets",
        "reminderd/channels/checks.py",
        "if environ.get(secret.env):",
        "if secret.env in environ:",
        "check reports nothing wrong when password_env names a variable that is set but empty, though sending will fail.",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/channels/secrets.py",
        "path = secret_file_path(secret.file, environ)",
        "path = secret.file.expanduser()",
        "password_file is no longer looked up in systemd's $CREDENTIALS_DIRECTORY: a LoadCredential= password is reported missing and mail fails.",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/config.py",
        'if "password" in raw and files.open_to_others(self.mode):',
        'if "password" in raw and files.open_to_others(self.mode & 0o007):',
        "A config with an inline password that is group-readable (mode 0640) is accepted instead of being refused.",
        BROAD["secrets"],
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        "settings.host, settings.port, timeout=timeout, context=self._tls_context()",
        "settings.host, settings.port, timeout=timeout",
        "With security: ssl the server's certificate is not verified (and ca_file is ignored): mail goes to an impostor server without complaint.",
        BROAD["tls"],
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        "if refused:",
        "if refused and len(refused) == len(settings.to):",
        "When the server refuses some of the recipients, the e-mail counts as delivered and the refused addresses are never reported or retried.",
        BROAD["tls"],
    ),
    m(
        "ledger",
        "reminderd/ledger/records.py",
        'f"{-original.amount:f}",',
        'f"{original.amount:f}",',
        "pay --undo adds the payment a second time instead of reversing it, so the loan shows double the money paid.",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/ledger/records.py",
        "FROM payments AS p LEFT JOIN payments AS u ON u.undoes = p.id",
        "FROM payments AS p LEFT JOIN payments AS u ON u.id = p.undoes",
        "The ledger no longer knows which payment was undone: history does not mark undone payments, and undoing the same payment twice is not refused cleanly.",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/ledger/store.py",
        "state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)",
        "state_dir.mkdir(mode=0o755, parents=True, exist_ok=True)",
        "The state directory (payments, receipts) is created readable by other users instead of private.",
        BROAD["ledger"],
    ),
]


# Planted on 2026-11-29, after the tests for the third batch were in, by another session
# told not to open tests/ or bench/ and not to reuse a line of the 125 above. Run against
# the BROAD tests of their area as they stood before it was planted.
UNSEEN_4 = [
    m(
        "money",
        "reminderd/planner.py",
        "if largest(middle) <= budget:",
        "if largest(middle) < budget:",
        "plan --budget: when the budget exactly equals the largest installment of some count, that count is rejected and a longer plan (one more installment) is proposed",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/money.py",
        "if table[code] is None:",
        "if not table[code]:",
        "currencies without decimals (JPY, KRW) are refused as 'no minor unit in ISO 4217', so a config or plan in yen or won is rejected",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/config.py",
        'return money.parse_amount(f"{amount:f}", currency)',
        "return money.round_money(amount, currency)",
        "amounts in the config with more decimals than the currency has (12.345 CNY, 10.5 JPY) are silently rounded instead of reported as errors (and zero/negative amounts are no longer refused there)",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/accounts/describe.py",
        'settled.append(say("pay.settled_item", label=label, amount=cash(change)))',
        'settled.append(say("pay.settled_item", label=label, amount=cash(new.paid)))',
        "after `pay`, an installment that had been partly paid before is described as settled with its whole amount, not with what this payment put on it",
        BROAD["money"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        'of = None if plan.kind == "recurring" and plan.until is not None else total',
        'of = None if plan.kind == "recurring" else total',
        "a recurring plan with a fixed count is shown as open-ended: `of` is null in upcoming --json and labels lose their n/N total",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "return first + timedelta(weeks=every.count * times)",
        "return first + timedelta(days=every.count * times)",
        "a plan stepping every N weeks falls due every N days instead",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/durations.py",
        "return candidate.astimezone(_UTC).astimezone(zone)",
        "return wall.replace(tzinfo=zone, fold=1).astimezone(_UTC).astimezone(zone)",
        "a due time (or day-lead reminder) that falls in a DST gap is moved back before the gap instead of forward by the gap (02:30 on spring-forward day becomes 01:30, not 03:30)",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/workdays.py",
        "return bool(_calendar(holidays_code).is_working_day(day))",
        "return day.weekday() < 5 and bool(_calendar(holidays_code).is_working_day(day))",
        "with a holidays calendar, official make-up working days on a weekend (CN 调休) are treated as days off, so adjust moves due dates off them",
        BROAD["plans"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        "if late is not None and (candidate is None or late.at > candidate.at):",
        "if late is not None and (candidate is None or late.at < candidate.at):",
        "once a pre-due reminder exists, overdue repeats never replace it: after the due-day reminder was sent, no overdue reminders are ever sent for an unpaid installment",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        "group=tuple(overdue[:-1]),",
        "group=tuple(overdue[1:]),",
        "a grouped overdue message for a loan with several overdue installments leaves out the oldest one and lists the newest twice (wrong list and total)",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/messages.py",
        "lines.append(_record(command, loan.id, total, loc))",
        "lines.append(_record(command, loan.id, outstanding, loc))",
        "the 'record it' command at the end of a grouped overdue message suggests paying only the newest installment's outstanding amount instead of the group's total",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/messages.py",
        'if reminder.kind == "overdue" or now_local.date() > inst.due:',
        'if reminder.kind == "overdue" or now_local.date() >= inst.due:',
        "the due-day reminder (lead 0d, or hour leads on the due day) says 'OVERDUE since 09:00' instead of 'due today'",
        BROAD["reminders"],
    ),
    m(
        "standing",
        "reminderd/core/forecast.py",
        "target = min(open_debts, key=lambda d: (-d.rate, d.balance, d.loan.id))",
        "target = min(open_debts, key=lambda d: (d.rate, d.balance, d.loan.id))",
        "forecast --strategy avalanche puts the extra money on the loan with the LOWEST interest rate first instead of the highest",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/core/overdue.py",
        "return Decimal(0), charged_fee",
        "return Decimal(0), Decimal(0)",
        "a loan whose overdue terms have a fee but daily_rate 0 (interest frozen) never shows the late fee in its overdue cost",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/standing.py",
        "spread = allocate(live, credit + money[index])",
        "spread = allocate(live, money[index])",
        "money paid beyond an earlier plan version is not carried into the renegotiated plan as credit; it is lost from the standing",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/accounts/report.py",
        '"overdue": money.to_json(sum((r.outstanding for r in overdue), Decimal(0)), currency),',
        '"overdue": money.to_json(sum((r.installment.amount for r in overdue), Decimal(0)), currency),',
        "status shows the full amount of overdue installments as overdue, ignoring partial payments already made on them",
        BROAD["standing"],
    ),
    m(
        "delivery",
        "reminderd/service.py",
        "SNOOZE = timedelta(hours=1)",
        "SNOOZE = timedelta(1)",
        "the desktop notification's Snooze button postpones the reminder by a whole day instead of one hour",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/service.py",
        "(earlier.outstanding for earlier in standing.rows[:number]), Decimal(0)",
        "(earlier.outstanding for earlier in standing.rows[: number - 1]), Decimal(0)",
        "the desktop Paid button pays only the installments before the one named, not the named one itself (on the oldest open installment it records a zero payment)",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/service.py",
        "if config.channels != self.config.channels or config.locale != self.config.locale:",
        "if config.channels != self.config.channels and config.locale != self.config.locale:",
        "a reload that changes channel settings (mail server, recipients, command) keeps sending through the old channels unless the locale changed too",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "if latest is None or mark > latest:",
        "if latest is None or mark < latest:",
        "the delivery log remembers the earliest message sent rather than the latest, so after a clock set back a 'due today' or 'ahead' reminder can be sent after an 'overdue' one",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        'state = "sent" if error is None else "failed"',
        'state = "sent" if error else "failed"',
        "the delivery log records successful sends as failed and failures as sent: delivered reminders are sent again and failed ones are never retried",
        BROAD["delivery"],
    ),
    m(
        "secrets",
        "reminderd/channels/checks.py",
        "if path.is_dir() or not os.access(path, os.X_OK):",
        "if path.is_dir() or not os.access(path, os.R_OK):",
        "check no longer reports a command channel program that is not executable (only unreadable ones), so the first reminder fails instead",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/channels/secrets.py",
        "if files.open_to_others(info.st_mode):",
        "if files.open_to_others(info.st_mode & ~0o070):",
        "a password file readable (or writable) by its group is accepted instead of refused like ssh refuses a loose key",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/config.py",
        "if len(secret_keys) > 1:",
        "if len(secret_keys) > 2:",
        "a mail channel giving two password sources (e.g. password_env and password_file) is accepted silently instead of reported as an error",
        BROAD["secrets"],
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        'f"\\0{username}\\0{password}".encode()',
        'f"\\0{username}\\0{password}".encode("latin-1")',
        "AUTH PLAIN sends the credentials in Latin-1 instead of UTF-8: a non-ASCII password (Pässword) is rejected by the server, or fails outright for Chinese characters",
        BROAD["tls"],
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        'mail["Message-ID"] = message_id(message.key)',
        'mail["Message-ID"] = message_id(message.subject)',
        "the Message-ID is derived from the subject instead of the reminder, so a resend of the same reminder is not recognised as a duplicate and different reminders with the same subject share an id",
        BROAD["tls"],
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        'mail["To"] = ", ".join(settings.to)',
        'mail["To"] = settings.to[0]',
        "with several recipients the e-mail's To header names only the first one",
        BROAD["tls"],
    ),
    m(
        "ledger",
        "reminderd/ledger/records.py",
        "            paid_on.isoformat(),\n            note,",
        "            recorded_at.date().isoformat(),\n            note,",
        "pay --on DATE is ignored: every payment is recorded as made on the day it was entered",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/ledger/receipts.py",
        'if "note_files" in tables:',
        'if "note_file" in tables:',
        "the leftover-receipt sweep (on pay and at service start) deletes files attached to case notes, as if nothing referred to them",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/ledger/notes.py",
        "for version in range(2, agreements + 2)",
        "for version in range(2, agreements + 1)",
        "the case file (case, case --export) leaves out the agreement document of the latest renegotiation",
        BROAD["ledger"],
    ),
]


# Planted on 2026-11-29 after every test of this round was in (the suite as it stands),
# by another session told not to open tests/ or bench/ and not to reuse a line of the 155
# above. Run against the BROAD tests of their area.
UNSEEN_5 = [
    m(
        "money",
        "reminderd/money.py",
        "stripped = text.translate(_FULL_WIDTH).strip()",
        "stripped = text.strip()",
        "Amounts typed with a Chinese input method (full-width digits such as '１２００' or '１，２００') are refused by pay and plan instead of being read as 1200.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/config.py",
        'currency = raw.get("currency", currency)',
        'currency = top.get("currency", currency)',
        "A loan's own `currency:` is ignored: every loan is taken in the config's default currency (a JPY loan is treated, rounded and shown as CNY).",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/text/__init__.py",
        '_BABEL_LOCALE = {"en": "en", "zh_CN": "zh_Hans_CN"}',
        '_BABEL_LOCALE = {"en": "en", "zh_CN": "en"}',
        "With locale zh_CN, money is formatted the English way (CNY shows as 'CN¥' instead of '¥', JPY as '¥' instead of 'JP¥').",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/planner.py",
        "interest = sum((inst.interest for inst in rows), Decimal(0))",
        "interest = sum((inst.principal for inst in rows), Decimal(0))",
        "The `plan` summary reports the total principal as the total interest of the proposed plan.",
        BROAD["money"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "return annual_rate * every.count / _PERIODS_PER_YEAR[every.unit]",
        "return annual_rate / _PERIODS_PER_YEAR[every.unit]",
        "An annuity paid every N months/weeks (N > 1) computes its level payment from a one-period rate: the payment is too small and the last installment balloons.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "return first + timedelta(days=every.count * times)",
        "return first + timedelta(days=times)",
        "Plans with `every: N days` ignore N: a '14 days' plan falls due every day.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/durations.py",
        "seconds=hours * 3600 + minutes * 60 + seconds)",
        "seconds=hours * 3600 + minutes * 3600 + seconds)",
        "Minute durations are read as hours: a reminder lead of '30m' fires 30 hours before the due time (and 'overdue_every: 30m' repeats every 30 hours).",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/model.py",
        'return f"{self.number}/{self.of}" if self.of else f"{self.number}"',
        'return f"{self.number}/{self.of}"',
        "Installments of an open-ended recurring bill (with `until`) are labelled '3/None' in reminders, check and tables instead of '3'.",
        BROAD["plans"],
    ),
    m(
        "reminders",
        "reminderd/reminders.py",
        "at = lead.before(inst.due_at)",
        "at = lead.after(inst.due_at)",
        "Pre-due reminders are scheduled after the due instant instead of before it (a 7d lead fires a week late); upcoming --json lists them after the due date.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/messages.py",
        "days_left = (inst.due - now_local.date()).days",
        "days_left = (now_local.date() - inst.due).days",
        "Every advance reminder ('due in 7 days') is worded as 'due today'.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/messages.py",
        "on = loan.renegotiated[version - 2].on",
        "on = loan.renegotiated[version - 1].on",
        "Reminders for installments of a renegotiated plan name the wrong agreement date, or fail to render at all for the latest agreement (so they are never delivered).",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        "catch_up = now - candidate.at > GRACE",
        "catch_up = candidate.at - now > GRACE",
        "A reminder found long after its time (service down, machine asleep) is no longer marked as missed/sent late.",
        BROAD["reminders"],
    ),
    m(
        "standing",
        "reminderd/standing.py",
        "return self.superseded or self.rolled_on is not None",
        "return self.superseded and self.rolled_on is not None",
        "Installments rolled into a new agreement still count as open: they keep being reminded and listed as overdue in upcoming.",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/core/overdue.py",
        "if first > last:",
        "if first >= last:",
        "On the first day after the grace period the overdue cost shows nothing: no penalty interest for that day and no late fee until a day later.",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/core/forecast.py",
        "target = min(open_debts, key=lambda d: (d.balance, d.loan.id))",
        "target = max(open_debts, key=lambda d: (d.balance, d.loan.id))",
        "The snowball strategy in forecast puts the extra money on the largest balance first instead of the smallest.",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/views.py",
        "elif now < due_at <= horizon:",
        "elif due_at <= horizon:",
        "upcoming lists installments that are already paid and past (status settled) alongside the real ones.",
        BROAD["standing"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        'upper = prefix[:-1] + chr(ord("/") + 1)',
        'upper = prefix + chr(ord("/") + 1)',
        "The delivery log is never found when deciding what to send: a reminder already sent is sent again on every check and after each restart or `run --once`.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/service.py",
        "failed = [outcome for outcome in self.deliverer.outcomes if not outcome[2]]",
        "failed = [outcome for outcome in self.deliverer.outcomes if outcome[2]]",
        "`run --once` exits with status 1 and logs 'not delivered' when reminders were sent successfully, and exits 0 when a channel failed.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/service.py",
        "not 0 < number <= len(standing.rows)",
        "not 0 < number < len(standing.rows)",
        "Clicking 'Paid' (or 'Snooze') on the notification of a loan's last installment does nothing.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/channels/command.py",
        "hidden = ALWAYS_WITHHELD | set(withhold)",
        "hidden = ALWAYS_WITHHELD",
        "The command channel's program inherits the environment variable holding the SMTP password (or apprise URLs) when its name does not start with REMINDERD_.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/channels/desktop.py",
        'if "body-markup" in capabilities:',
        'if "body-markup" not in capabilities:',
        "Desktop notification bodies are HTML-escaped for servers that show plain text ('&amp;' appears) and left raw for servers that interpret markup ('<' text breaks or vanishes).",
        BROAD["delivery"],
    ),
    m(
        "secrets",
        "reminderd/channels/secrets.py",
        "        check_private(path)\n",
        "",
        "A password file that other users can read is accepted and used (by the service and by check) instead of being refused.",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/config.py",
        "return parse(data, path, mode=mode, environ=environ)",
        "return parse(data, path, environ=environ)",
        "A config file holding an inline password is accepted even when other users can read it.",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/channels/checks.py",
        "return [Finding(ERROR, key, error.message, error.key, tuple(error.fields.items()))]",
        "return [Finding(UNVERIFIED, key, error.message, error.key, tuple(error.fields.items()))]",
        "check reports a missing, unreadable or world-readable password file only as 'could not verify' and exits 0; the service status no longer shows it as a channel problem.",
        BROAD["secrets"],
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        "ca_file = self.settings.ca_file",
        "ca_file = None",
        "The e-mail channel ignores `ca_file`: a server whose certificate is signed by the user's own CA is refused with a certificate error.",
        BROAD["tls"],
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        "return smtplib.SMTP_SSL(",
        "return smtplib.SMTP(",
        "`security: ssl` never works: every e-mail fails with an unexpected error instead of connecting over TLS.",
        BROAD["tls"],
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        'raise DeliveryError(\n                        "the server does not offer STARTTLS',
        'DeliveryError(\n                        "the server does not offer STARTTLS',
        "When the server does not offer STARTTLS the user is no longer told so; the failure is reported as a confusing 'does not offer AUTH' error.",
        BROAD["tls"],
    ),
    m(
        "ledger",
        "reminderd/ledger/records.py",
        "return listing(conn, loan_id)",
        "return listing(conn)",
        "`history LOAN` (and --json) lists the payments of every loan, not only that loan's.",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/ledger/receipts.py",
        "return Receipt(source=source, name=source.name, size=info.st_size)",
        "return Receipt(source=source, name=text, size=info.st_size)",
        "The receipt's original name is recorded as the whole path typed on the command line (e.g. '~/scans/receipt.pdf') instead of the file name, in history and the case file.",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/ledger/notes.py",
        "\"WHERE loan_id = ? AND state = 'sent' ORDER BY updated_at, fire_at, channel\"",
        '"WHERE loan_id = ? ORDER BY updated_at, fire_at, channel"',
        "The case file lists reminders that failed or were only being attempted as if they had been sent.",
        BROAD["ledger"],
    ),
]

# Planted on 2026-11-29 (session 12) after the stop fix and the tests for unseen5's two
# survivors, by another session told not to open tests/ or bench/ and not to reuse a line
# of the 185 above. Run against the BROAD tests of their area.
UNSEEN_6 = [
    m(
        "money",
        "reminderd/money.py",
        "last = max(end for end, _territory, _successors in ended)",
        "last = min(end for end, _territory, _successors in ended)",
        "A withdrawn currency such as ANG is reported with its earliest end (Aruba 1986, now AWG) instead of the latest one (Curaçao/Sint Maarten 2025, now XCG).",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/money.py",
        '_AMOUNT_TEXT = re.compile(r"[+-]?(\\d+(\\.\\d*)?|\\.\\d+)", re.ASCII)',
        '_AMOUNT_TEXT = re.compile(r"[+-]?\\d+(\\.\\d*)?", re.ASCII)',
        "An amount written without a leading zero (`pay car .50`, `--principal .5`) is refused as not a number.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/core/forecast.py",
        "room = max(budget - due - bills, Decimal(0))",
        "room = max(budget - due, Decimal(0))",
        "With `forecast --budget`, ongoing bills are not taken out of the monthly budget, so the forecast pays more ahead than the budget allows and shows the debt ending too early.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/core/forecast.py",
        "room = (extra or Decimal(0)) + max(planned - due, Decimal(0))",
        "room = extra or Decimal(0)",
        "With `forecast --extra X`, installments freed by paying ahead no longer roll on to the next debt, so the forecast pays less each month and the debt-free month comes later.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/planner.py",
        "interest = money.round_money(principal * rate, currency)",
        "interest = money.round_money(principal * annual_rate, currency)",
        "When no plan fits the budget, `plan` quotes a year's interest as the per-installment interest that alone exceeds the budget.",
        BROAD["money"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "factor = (1 + rate) ** count",
        "factor = (1 + rate) ** (count - 1)",
        "Annuity (等额本息) plans with interest get the wrong level payment, so every installment amount in the schedule is off.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "        outstanding -= part\n",
        "        outstanding -= part + interest\n",
        "Amortized plans reduce the balance by the whole installment (interest included), so later interest, installment amounts and balances are too low.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/workdays.py",
        "if is_working_day(moved, holidays_code):",
        "if is_working_day(day, holidays_code):",
        "With `adjust: following/preceding`, a due date on a weekend or holiday is never moved to a working day.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "specs.append(DueSpec(day, plan.first_due.at))",
        "specs.append(DueSpec(day))",
        "A time of day written in `first_due` (e.g. `2026-01-15 18:00`) is ignored; installments fall due at the reminders' default time instead.",
        BROAD["plans"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        "until = max(min(edges), now + _TICK)",
        "until = max(max(edges), now + _TICK)",
        "The agenda keeps a loan's cached answer until its last edge rather than its first, so a reminder whose instant passes is not reported as due (and not sent) until much later.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        'return [item for item in items if item.kind != "overdue"] + [lead]',
        "return [lead]",
        "When two or more installments of a loan are overdue, that loan's other pending (ahead/due) reminders are dropped and never sent.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        "for until in snoozes.values():\n            if until > now and (best is None or until < best):",
        "for until in snoozes.values():\n            if until > now and (best is None or until > best):",
        "The service's next wake-up ignores a snooze that ends before the next reminder, so a snoozed reminder comes back late instead of after the hour.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/messages.py",
        "days=_days(max((today - inst.due).days, 0), loc),",
        "days=_days(max((inst.due - today).days, 0), loc),",
        'A grouped overdue message says every installment is "0 days overdue".',
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/service.py",
        'cost = of_loan(due.loan, self._paid(), now) if due.kind == "overdue" else None',
        'cost = of_loan(due.loan, self._paid(), now) if due.reminder.kind == "overdue" else None',
        "A missed ahead/due reminder sent late as an overdue message leaves out the penalty/late-cost line.",
        BROAD["reminders"],
    ),
    m(
        "standing",
        "reminderd/standing.py",
        "return sum((_counted(row) for row in self.rows), Decimal(0))",
        "return sum((row.installment.amount for row in self.rows), Decimal(0))",
        "For a renegotiated loan, status totals (and outstanding) count superseded and rolled installments in full, inflating what the loan asks for.",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/core/overdue.py",
        "for change in [*changes, last + _ONE_DAY]:",
        "for change in [*changes, last]:",
        "Penalty interest leaves out the current day, so the overdue cost in status and reminders is one day's penalty short.",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/accounts/report.py",
        '"settled": sum(1 for row in standing.rows if row.settled),',
        '"settled": sum(1 for row in standing.rows if row.paid > 0),',
        "`status --json` counts partly paid installments as settled.",
        BROAD["standing"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        'KIND_RANK = {"ahead": 0, "due": 1, "overdue": 2}',
        'KIND_RANK = {"ahead": 0, "due": 2, "overdue": 1}',
        'Once a "due" reminder went out, the later overdue reminders for that installment count as superseded and are never sent.',
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/channels/command.py",
        "if completed.returncode != 0:",
        "if completed.returncode > 0:",
        "A command channel program killed by a signal counts as delivered, so the reminder is logged as sent and never retried.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/channels/command.py",
        'return lines[-1][:200] if lines else ""',
        'return lines[0][:200] if lines else ""',
        "When the command fails, the delivery error quotes the first line of its stderr instead of the last (the program's actual final words).",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/service.py",
        'kind="catchup" if due.catch_up else due.kind,',
        "kind=due.kind,",
        "Reminders sent late after downtime are no longer marked `catchup` to channels (REMINDERD_KIND, X-Reminderd-Kind).",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "for member in due.members:",
        "for member in due.group:",
        "An ungrouped reminder is never written to the delivery log (only a group's other members are), so it is sent again on every check.",
        BROAD["delivery"],
    ),
    m(
        "secrets",
        "reminderd/channels/__init__.py",
        "if channels.apprise and channels.apprise.urls_env:",
        "if channels.apprise and channels.apprise.urls:",
        "When apprise URLs come from `urls_env`, that variable (holding tokens) is passed to the command channel's program.",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/channels/secrets.py",
        "if _VARIABLE_NAME.fullmatch(name):",
        "if _VARIABLE_NAME.match(name):",
        'A password pasted into `password_env` that starts with a capital letter is echoed back in error messages as "the variable <password>".',
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/model.py",
        "return bool(self.env or self.file or self.inline)",
        "return bool(self.env or self.inline)",
        "An e-mail login with `password_file` is reported by check/status as having no password configured.",
        BROAD["secrets"],
    ),
    m(
        "tls",
        "reminderd/config.py",
        'security = raw.get("security", "starttls")',
        'security = raw.get("security", "none")',
        "An e-mail channel without an explicit `security:` talks plain SMTP on port 25 and sends the password unencrypted instead of using STARTTLS.",
        BROAD["tls"],
    ),
    m(
        "tls",
        "reminderd/config.py",
        'DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}',
        'DEFAULT_PORTS = {"starttls": 465, "ssl": 587, "none": 25}',
        "Without an explicit port, STARTTLS connects to 465 and implicit TLS to 587, so the TLS handshake fails against ordinary servers.",
        BROAD["tls"],
    ),
    m(
        "ledger",
        "reminderd/accounts/commands.py",
        "if day > today:",
        "if day >= today:",
        "`pay LOAN AMOUNT --on <today>` is refused as a date in the future.",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/accounts/commands.py",
        "amount=cash(-entry.amount, entry.currency, locale),",
        "amount=cash(entry.amount, entry.currency, locale),",
        "`pay --undo ID` reports the undone payment with a negative amount.",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/ledger/notes.py",
        "for version, agreement in enumerate(loan.renegotiated, start=2)",
        "for version, agreement in enumerate(loan.renegotiated, start=1)",
        "Agreement documents are kept under the wrong plan version (the first agreement's as version 1), so the case file shows them against the wrong agreement.",
        BROAD["ledger"],
    ),
]

# Planted on 2026-11-29 (session 12) after the tests for every survivor of unseen6, by
# another session told not to open tests/ or bench/ and not to reuse a line of the 215
# above. Run against the BROAD tests of their area.
UNSEEN_7 = [
    m(
        "money",
        "reminderd/money.py",
        "    if units is None:",
        "    if not units:",
        "Every JPY or KRW loan (a currency with 0 minor units) is refused as an 'unknown currency', so such configs fail to load and amounts cannot be parsed.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/money.py",
        "int(units) if units.isdigit() else None",
        "int(units) if units.isdigit() else 0",
        "Codes with no minor unit in ISO 4217 (XAU gold, funds, XXX) are accepted as a loan's currency with 0 decimals instead of being refused with a clear error.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/core/forecast.py",
        "total += due + ahead",
        "total += due",
        "forecast with --extra/--budget reports a 'total' still to pay that leaves out everything paid ahead, so the strategy looks cheaper than it is.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/config.py",
        "if principal < count * smallest:",
        "if principal <= count * smallest:",
        "A plan whose principal exactly covers one minor unit per installment (e.g. 0.12 CNY over 12) is wrongly refused as unsplittable.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/planner.py",
        'plans.add_steps(today, Step(1, "month"), 1), None',
        'plans.add_steps(today, Step(1, "month"), 0), None',
        "`plan` without --first-due proposes today as the first due date instead of one month from today.",
        BROAD["money"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "due=due,",
        "due=spec.day,",
        "With adjust: preceding/following, an installment on a weekend or holiday keeps showing its unadjusted date (upcoming, calendar, messages) while its due instant is moved.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "rows.append((item.due, amount, amount, Decimal(0), remaining))",
        "rows.append((item.due, amount, amount, Decimal(0), remaining + amount))",
        "A list plan's 'balance after' shows the balance before each installment, so the last one still shows its own amount owed instead of 0.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "part = (principal / plan.count).quantize(money.quantum(currency), rounding=ROUND_DOWN)",
        "part = (principal / plan.count).quantize(money.quantum(currency))",
        "A tiny equal_principal plan where rounding up would exhaust the principal (0.15 over 10) still rounds parts up, so later installments get zero principal instead of equal parts.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/durations.py",
        "if count < 1:",
        "if count < 0:",
        "A plan with every: 0 months (or 0 days) is accepted instead of refused, giving installments all on the same date (or a crash with until).",
        BROAD["plans"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        "return (*self.group, self)",
        "return (self, *self.group)",
        "A grouped overdue message lists the newest installment first instead of oldest first.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/messages.py",
        '"outstanding": shown(outstanding),',
        '"outstanding": shown(inst.amount),',
        "After a partial payment, a reminder still asks for the full installment amount in its subject and status line instead of what is left to pay.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/messages.py",
        "today = now.astimezone(zone).date()",
        "today = now.date()",
        "A grouped overdue message counts days late by the UTC date, so near midnight in e.g. Asia/Shanghai it says one day fewer late than it is.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/service.py",
        '"ON CONFLICT (loan_id, number) DO UPDATE SET until = excluded.until",',
        '"ON CONFLICT (loan_id, number) DO NOTHING",',
        "Pressing Snooze a second time on the same installment does nothing: the first snooze time is kept, so the reminder is not postponed again.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/model.py",
        'return f"{self.loan_id}/{self.number}/{self.kind}/{self.at.isoformat()}"',
        'return f"{self.loan_id}/{self.number}/{self.kind}"',
        "Reminders of one installment with the same kind share a delivery key, so only the first ahead reminder (7d) and only the first overdue repeat are ever sent.",
        BROAD["reminders"],
    ),
    m(
        "standing",
        "reminderd/core/overdue.py",
        "return max((today - oldest.installment.due).days, 0)",
        "return (today - oldest.installment.due).days",
        "status --json shows a negative overdue_days (days until the next due) for a loan that is not late at all.",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/accounts/report.py",
        "(row.paid if rolled else row.installment.amount)",
        "(row.paid if rolled else row.outstanding)",
        "status months' 'due' drops as payments are recorded instead of being the sum of installment amounts before payments, so budget 'over' flags change after paying.",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/standing.py",
        "return next((row for row in self.rows if not row.settled and not row.closed), None)",
        "return next((row for row in self.rows if not row.settled), None)",
        "For a renegotiated loan, next due and overdue_days point at a superseded or rolled installment of the old plan instead of the first open one of the agreement.",
        BROAD["standing"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "return min((f.next_try for f in self._failures.values()), default=None)",
        "return max((f.next_try for f in self._failures.values()), default=None)",
        "With several failing channels, the service wakes for a retry only at the latest backoff, so an earlier-due retry (e.g. the mail server back up) waits far longer than its backoff.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "member.reminder.key,",
        "due.reminder.key,",
        "A grouped overdue message is logged only under the newest installment's reminder, so the older installments show no reminder sent in their case file and can be told again on their own.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/channels/command.py",
        '_, stderr = process.communicate(message.body.encode("utf-8"), timeout=timeout)',
        "_, stderr = process.communicate(timeout=timeout)",
        "The command channel's program no longer gets the message body on standard input (it reads nothing).",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/channels/command.py",
        '"deliver.signal", program=program, signal=-completed.returncode, tail=tail',
        '"deliver.signal", program=program, signal=completed.returncode, tail=tail',
        "When the notifier program is killed by a signal, the failure says it was killed by a negative signal number (e.g. -9).",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/service.py",
        'if channel == "email":',
        'if channel == "mail":',
        "E-mail reminders no longer carry the one-event .ics calendar attachment.",
        BROAD["delivery"],
    ),
    m(
        "secrets",
        "reminderd/channels/command.py",
        'if name not in hidden and not name.startswith("REMINDERD_")',
        'if not name.startswith("REMINDERD_")',
        "The command channel's program inherits the SMTP password variable, the apprise URL variable and CREDENTIALS_DIRECTORY.",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/channels/secrets.py",
        '_VARIABLE_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")',
        '_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")',
        "A password pasted into password_env by mistake (e.g. 'hunter2') is echoed back in check/run/notify-test messages as 'the variable hunter2 is not set'.",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/calendar/feed.py",
        "if mode & 0o077:",
        "if mode & 0o007:",
        "A feed-secret file readable by the user's group is accepted instead of refused, so group members can learn the secret feed/page address.",
        BROAD["secrets"],
    ),
    m(
        "tls",
        "reminderd/config.py",
        'port=raw.get("port", DEFAULT_PORTS[security]),',
        'port=raw.get("port", DEFAULT_PORTS["starttls"]),',
        "With security: ssl and no port, reminderd opens an implicit-TLS connection to port 587 instead of 465, so the TLS handshake fails.",
        BROAD["tls"],
    ),
    m(
        "tls",
        "reminderd/config.py",
        'ca_file=self._path(raw["ca_file"]) if "ca_file" in raw else None,',
        'ca_file=Path(raw["ca_file"]) if "ca_file" in raw else None,',
        "A relative (or ~) ca_file is no longer resolved next to the config file, so the private mail server's CA is not found and certificate verification fails depending on the working directory.",
        BROAD["tls"],
    ),
    m(
        "ledger",
        "reminderd/ledger/records.py",
        "entry = get(conn, int(cursor.lastrowid or 0))",
        "entry = get(conn, payment_id)",
        "`pay --undo ID` reports the original payment (its id and positive amount) instead of the new reversing entry.",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/accounts/commands.py",
        '"on": row.paid_on.isoformat(),',
        '"on": row.recorded_at.date().isoformat(),',
        "history --json gives each payment's recording date as 'on' instead of the date it was paid (--on), so backdated payments show the wrong day.",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/ledger/records.py",
        'rows = conn.execute(_SELECT + " ORDER BY p.id").fetchall()',
        'rows = conn.execute(_SELECT + " ORDER BY p.paid_on").fetchall()',
        "`history` without a loan lists payments by payment date instead of in the order they were recorded (and differs from `history LOAN`).",
        BROAD["ledger"],
    ),
]

# Planted on 2026-11-29 (session 13) after the tests for every survivor of unseen7, by
# another session told not to open tests/ or bench/ and not to reuse a line of the 245
# above. Run against the BROAD tests of their area.
UNSEEN_8 = [
    m(
        "money",
        "reminderd/core/forecast.py",
        "overdue += sum((row.outstanding for row in standing.overdue(now)), Decimal(0))",
        "overdue += sum((row.installment.amount for row in standing.overdue(now)), Decimal(0))",
        "The forecast's 'overdue now' figure counts the full amount of each late installment, ignoring what was already paid towards it.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/core/forecast.py",
        "month = max(month_of(row.installment.due), self.current)",
        "month = month_of(row.installment.due)",
        "Ongoing bills that are already overdue vanish from the forecast instead of being counted in the current month's bills.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/accounts/report.py",
        "(Decimal(0) if rolled else row.outstanding)",
        "(Decimal(0) if rolled else row.installment.amount)",
        "status --json's monthly 'outstanding' ignores payments, showing the whole amount due as still owed even for settled installments.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/money.py",
        "elif _GROUPED.fullmatch(stripped):",
        "elif _GROUPED.match(stripped):",
        "A mistyped amount such as '1,2345' is silently accepted as 12345 instead of being refused as badly grouped.",
        BROAD["money"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "due_at=due_instant(due, at, loan),",
        "due_at=due_instant(spec.day, at, loan),",
        "An installment moved off a weekend or holiday still has its due instant (and reminders/overdue state) on the original weekend day.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "due = workdays.adjust(spec.day, loan.adjust, loan.holidays)",
        "due = workdays.adjust(spec.day, loan.adjust, None)",
        "The loan's holiday calendar is ignored: installments falling on a public holiday are not moved, and make-up working weekends are skipped.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "exact = _exact_annuity_payment(outstanding, rate, plan.count - index)",
        "exact = _exact_annuity_payment(outstanding, rate, plan.count - index - 1)",
        "Annuity plans re-level their payment almost every period, so installments creep upward instead of staying level.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        '"day": Decimal(365)',
        '"day": Decimal(360)',
        "Plans stepping by days charge interest on a 360-day year, so every installment's interest is slightly too high.",
        BROAD["plans"],
    ),
    m(
        "reminders",
        "reminderd/reminders.py",
        "if at <= now:",
        "if at < now:",
        "An overdue repeat reminder is not due at its exact instant, so it goes out late (only on a later wake-up, possibly marked as missed).",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/messages.py",
        'elif days_left <= 0 or reminder.kind == "due":',
        'elif days_left < 0 or reminder.kind == "due":',
        "A lead reminder sent on the due day itself says 'due in 0 days' instead of 'due today'.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/messages.py",
        "now_local = now.astimezone(zone)",
        "now_local = now",
        "Days left / days overdue in reminder text are counted in UTC rather than the loan's zone, so near midnight they are off by a day.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/messages.py",
        "(overdue.total or overdue.per_day)",
        "overdue.total",
        "An overdue reminder on the first costly day omits the penalty line even though each further day now costs money.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        "overdue.sort(key=lambda item: item.installment.number)",
        "overdue.sort(key=lambda item: item.installment.number, reverse=True)",
        "A grouped overdue message is led by the oldest installment and lists the installments newest first.",
        BROAD["reminders"],
    ),
    m(
        "standing",
        "reminderd/views.py",
        "if due_at <= now and not row.settled:",
        "if due_at < now and not row.settled:",
        "At the exact due instant an unpaid installment disappears from 'upcoming' (neither overdue nor coming).",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/standing.py",
        "credit = spread.credit",
        "credit += spread.credit",
        "On a renegotiated loan, an overpayment carried into the next plan version is counted twice, inflating the loan's credit.",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/views.py",
        "if row.closed:",
        "if row.superseded:",
        "'upcoming' lists installments that were rolled into a new agreement as still overdue.",
        BROAD["standing"],
    ),
    m(
        "delivery",
        "reminderd/service.py",
        "self.deliverer.next_retry(),",
        "",
        "After a failed send the service does not wake up at the retry time, so the retry waits until some unrelated event.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/channels/command.py",
        '"REMINDERD_KEY": message.key,',
        '"REMINDERD_KEY": message.kind,',
        "The command channel's program gets the message kind in REMINDERD_KEY instead of the reminder's stable key.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "RETRY_FIRST = timedelta(seconds=10)",
        "RETRY_FIRST = timedelta(minutes=10)",
        "A failed delivery is first retried after 10 minutes instead of 10 seconds.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/channels/mail.py",
        'first_line = text.splitlines()[0] if text else ""',
        'first_line = text.splitlines()[-1] if text else ""',
        "A multi-line SMTP error answer is reported by its last line instead of its first, hiding the server's actual reason.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "member.installment.number,",
        "due.installment.number,",
        "The delivery log records every installment of a grouped overdue message under the lead's number, so the case file shows the wrong installments as reminded.",
        BROAD["delivery"],
    ),
    m(
        "secrets",
        "reminderd/channels/secrets.py",
        "candidate = Path(credentials) / expanded.name",
        "candidate = Path(credentials) / expanded",
        "An absolute password_file that does not exist is no longer looked up by its base name in $CREDENTIALS_DIRECTORY, so systemd credentials are not found.",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/channels/secrets.py",
        'text = text.removesuffix("\\r")',
        "text = text.strip()",
        "A password read from a file loses leading/trailing spaces, so a password with such spaces fails to authenticate.",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/channels/command.py",
        'ALWAYS_WITHHELD = frozenset({"CREDENTIALS_DIRECTORY"})',
        'ALWAYS_WITHHELD = frozenset({"CREDENTIALS_DIR"})',
        "The user's command program is handed $CREDENTIALS_DIRECTORY, exposing where the service's secrets live.",
        BROAD["secrets"],
    ),
    m(
        "tls",
        "reminderd/channels/checks.py",
        "ssl.create_default_context(cafile=str(path))",
        "ssl.create_default_context(capath=str(path))",
        "'check' no longer reports a ca_file that holds no valid certificate; the problem shows only when mail fails.",
        BROAD["tls"],
    ),
    m(
        "tls",
        "reminderd/channels/checks.py",
        "if email is not None and email.ca_file is not None:",
        "if email is not None and email.username and email.ca_file is not None:",
        "'check' ignores a missing or broken ca_file when the mail server needs no login.",
        BROAD["tls"],
    ),
    m(
        "ledger",
        "reminderd/ledger/records.py",
        "WHERE p.loan_id = ? ORDER BY p.id",
        "WHERE p.loan_id = ? ORDER BY p.paid_on, p.id",
        "A loan's payment history is listed by payment date instead of the order the payments were recorded.",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/ledger/receipts.py",
        "suffix = Path(original_name).suffix.lower()",
        "suffix = Path(original_name).suffix",
        "A receipt named with an upper-case extension (SCAN.PDF) is stored without any extension.",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/ledger/receipts.py",
        'if "documents" in tables:',
        'if "document" in tables:',
        "Stored agreement documents are treated as leftovers and deleted by the receipts sweep at service start.",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/commands/casefile.py",
        "for day, amount in dated if day <= inst.due]",
        "for day, amount in dated if day < inst.due]",
        "The case file says an installment paid in full on its due date was not met on time.",
        BROAD["ledger"],
    ),
]

# Planted on 2026-11-29 (session 13) after the mutmut pass and the tests for unseen8's
# survivors, by another session told not to open tests/ or bench/ and not to reuse a
# line of the 275 above. Run against the BROAD tests of their area.
UNSEEN_9 = [
    m(
        "money",
        "reminderd/money.py",
        "if units is not None)",
        "if units)",
        "Zero-decimal currencies such as JPY or KRW are no longer accepted as known currencies, so `reminderd plan --currency JPY` is refused.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/core/forecast.py",
        "share = min(amount - taken, debt.principal)",
        "share = amount - taken",
        "When a forecast pays ahead more than the principal still owed, the full room is taken: the month's 'ahead' is overstated and the balance goes negative.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/core/forecast.py",
        "part + interest, interest, outstanding)",
        "part, interest, outstanding)",
        "After a payment ahead on an amortized loan, the replayed installments leave out their interest, so the forecast's later dues and totals are too low.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/accounts/report.py",
        "costs[loan.currency] = costs.get(loan.currency, Decimal(0))",
        "costs[loan.currency] = costs.get(config.currency, Decimal(0))",
        "With loans in several currencies, status's overdue-cost totals per currency mix in the config currency's running total and show wrong sums.",
        BROAD["money"],
    ),
    m(
        "plans",
        "reminderd/config.py",
        "if previous is not None and spec.day < previous:",
        "if previous is not None and spec.day <= previous:",
        "A list plan with two installments on the same day (at different times) is refused as 'dates must not go back'.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/config.py",
        'adjust=raw.get("adjust", "none"),',
        'adjust=raw.get("adjust", "following"),',
        "Loans that do not set adjust have weekend due dates silently moved to the next working day.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "part = money.round_money(principal / plan.count, currency)",
        "part = (principal / plan.count).quantize(money.quantum(currency))",
        "Equal-principal parts that land exactly on a half minor unit are rounded half-even instead of half-up, so installment amounts differ by a cent from the documented rounding.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/config.py",
        "if until < first_due.day:",
        "if until <= first_due.day:",
        "A recurring plan whose until equals its first_due (a single payment) is refused as 'is before first_due'.",
        BROAD["plans"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        "if snooze_until is not None and snooze_until <= now:",
        "if snooze_until is not None:",
        "A snoozed installment is reminded again immediately instead of when the snooze ends.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/messages.py",
        'weekday=text.t(f"weekday.{due_local.weekday()}", loc),',
        'weekday=text.t(f"weekday.{now_local.weekday()}", loc),',
        "The reminder's due-date line names the weekday of today rather than the weekday of the due date.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/service.py",
        "[(member.installment, member.standing.paid) for member in due.members],",
        "[(member.installment, due.standing.paid) for member in due.members],",
        "In a grouped overdue message every installment is shown with the newest one's paid amount, so the per-row and total amounts owed are wrong.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/messages.py",
        'balance=money["balance"]',
        'balance=money["outstanding"]',
        "The reminder's 'balance after this installment' line shows the installment's outstanding amount instead of the remaining loan balance.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        "while heap and heap[0][0] <= now:",
        "while heap and heap[0][0] < now:",
        "A reminder asked for exactly at its instant, after an earlier check, is not yet reported due (the cached answer is kept one tick too long).",
        BROAD["reminders"],
    ),
    m(
        "standing",
        "reminderd/views.py",
        "if next_due is None or row.installment.due_at < next_due[1].installment.due_at:",
        "if next_due is None or row.installment.due_at > next_due[1].installment.due_at:",
        "`check` reports the latest of the loans' next installments as 'next due' instead of the earliest one.",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/views.py",
        "if row.settled or row.closed:",
        "if row.settled:",
        "`check` lists installments superseded or rolled into an agreement as overdue (and may report one as next due).",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/accounts/report.py",
        '"next_due": next_open.installment.due.isoformat() if next_open else None,',
        '"next_due": next_open.installment.nominal.isoformat() if next_open else None,',
        "status shows the plan's unadjusted date as next_due, not the weekend/holiday-adjusted due date.",
        BROAD["standing"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        'max(attempts - 1, 0), datetime.now(UTC) + wait, f"log: {failure}"',
        'attempts, datetime.now(UTC) + wait, f"log: {failure}"',
        "When the delivery log cannot be written, the pair's attempt count grows as if the channel had failed, so later retries back off longer and the log shows too many attempts.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "member.reminder.at.isoformat(),",
        "due.reminder.at.isoformat(),",
        "Installments told of in a grouped overdue message are logged with the newest one's reminder instant, so their own later reminders can be wrongly treated as superseded and the case file shows wrong times.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/service.py",
        "return min((when for when in candidates if when is not None), default=None)",
        "return max((when for when in candidates if when is not None), default=None)",
        "The service wakes at the later of the next reminder and the next retry, so reminders or retries go out late.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/channels/command.py",
        "lines = [line for line in lines if line]",
        "lines = [line for line in lines]",
        "When a command channel's program fails and its stderr ends with a blank line, the failure reason loses the program's last message.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/delivery.py",
        "if channel is None or self._closing.is_set():",
        "if channel is None:",
        "Reminders still queued when the service stops are sent anyway instead of being dropped, delaying or racing the shutdown.",
        BROAD["delivery"],
    ),
    m(
        "secrets",
        "reminderd/channels/secrets.py",
        "text = text[:-1]",
        "text = text.rstrip()",
        "A password file's trailing spaces (or several newlines) are stripped, so a password ending in whitespace is sent wrong and login fails.",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/channels/__init__.py",
        "names.add(channels.email.password.env)",
        "pass",
        "The SMTP password environment variable is no longer withheld from the command channel's program, leaking the secret to it.",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/channels/checks.py",
        "UNVERIFIED if not in_service else ERROR,",
        "UNVERIFIED,",
        "In the service, a relative password_file with no $CREDENTIALS_DIRECTORY is only 'unverified' rather than an error, so the systemd status does not flag the channel that will fail.",
        BROAD["secrets"],
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        'detail = error.verify_message or "unknown reason"',
        'detail = error.reason or "unknown reason"',
        "A certificate verification failure says only CERTIFICATE_VERIFY_FAILED instead of why (self-signed, expired, hostname mismatch).",
        BROAD["tls"],
    ),
    m(
        "tls",
        "reminderd/channels/checks.py",
        'return [_said(ERROR, where, "channel.missing", path=path)]',
        'return [_said(UNVERIFIED, where, "channel.missing", path=path)]',
        "`check` reports a missing ca_file only as unverified, exiting 0 though every e-mail will fail.",
        BROAD["tls"],
    ),
    m(
        "ledger",
        "reminderd/accounts/commands.py",
        "parts = [row.note] if row.note and row.undoes is None else []",
        "parts = [row.note] if row.note else []",
        "history shows an undo entry's automatic note in addition to 'undoes #N', duplicating the remark.",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/accounts/commands.py",
        '"undone_by": row.undone_by,',
        '"undone_by": row.undoes,',
        "history --json reports undone_by as the id the entry undoes (null for an undone payment), losing the link to its undo.",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/ledger/notes.py",
        '" WHERE n.loan_id = ? ORDER BY n.id"',
        '" WHERE n.loan_id = ? ORDER BY n.at"',
        "Notes in the case file are listed by the date of the contact rather than in the order they were recorded, and reversals no longer follow their notes.",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/service.py",
        "paid_on=now.astimezone(loan.timezone).date(),",
        "paid_on=now.date(),",
        "A payment marked from the desktop notification is dated by the UTC day, so near midnight it lands on the wrong day for the loan's zone.",
        BROAD["ledger"],
    ),
]

# Planted on 2026-11-29 (session 14) after the tests for every unseen9 survivor and the
# mutmut pass over plans, workdays and delivery, by another session told not to open tests/
# or bench/ and not to reuse a line of the 305 above. Run against the BROAD tests of their area.
UNSEEN_10 = [
    m(
        "money",
        "reminderd/plans.py",
        "return min(max(level - interest, Decimal(0)), outstanding), interest",
        "return min(max(level, Decimal(0)), outstanding), interest",
        "An annuity treats the whole level payment as principal, so each installment is the level payment plus interest again and the plan ends early with wrong amounts.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/planner.py",
        "total = sum((inst.amount for inst in rows), Decimal(0))",
        "total = sum((inst.principal for inst in rows), Decimal(0))",
        "`reminderd plan` prints a total to repay that leaves out all the interest.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/core/forecast.py",
        "principal = first.installment.balance_after + first.installment.principal",
        "principal = first.installment.balance_after",
        "The forecast starts an amortized loan with its first open installment's principal missing, so month balances (and the effect of paying ahead) come out too low.",
        BROAD["money"],
    ),
    m(
        "money",
        "reminderd/accounts/report.py",
        '"outstanding": money.to_json(owed.get((month, currency), Decimal(0)), currency),',
        '"outstanding": money.to_json(dues.get((month, currency), Decimal(0)), currency),',
        'In `status` each month\'s "still owed" shows the full amount due, ignoring payments already made.',
        BROAD["money"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "year, month = divmod(first.month - 1 + months, 12)",
        "year, month = divmod(first.month + months, 12)",
        "Month/year steps land one month late: a plan starting 2026-12-15 has its first installment in January 2027.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/planner.py",
        "largest = max(inst.amount for inst in rows)",
        "largest = min(inst.amount for inst in rows)",
        "`reminderd plan` reports the smallest installment as the largest one, understating what the budget must cover.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/config.py",
        'if previous is not None and raw["on"] <= previous:',
        'if previous is not None and raw["on"] < previous:',
        "Two renegotiated agreements with the same `on` date are accepted instead of being reported as an error.",
        BROAD["plans"],
    ),
    m(
        "plans",
        "reminderd/plans.py",
        "remaining = amount * len(specs)",
        "remaining = amount * (len(specs) - 1)",
        "A recurring plan shows a balance-after one installment too low on every row, ending at a negative balance.",
        BROAD["plans"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        "catch_up=any(item.catch_up for item in overdue),",
        "catch_up=all(item.catch_up for item in overdue),",
        "A grouped overdue message that includes a reminder missed while the service was down is not marked as a missed/catch-up reminder.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/agenda.py",
        'kind = "overdue" if now > inst.due_at else "ahead"',
        'kind = "overdue" if now > inst.due_at else "due"',
        'A reminder snoozed days before the due date comes back saying "due today", and later pre-due reminders are suppressed as superseded.',
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/messages.py",
        'clock = due_local.strftime("%H:%M")',
        'clock = now_local.strftime("%H:%M")',
        "Reminder messages state the time the message was sent instead of the due time of day.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/messages.py",
        '"amount": shown(inst.amount),',
        '"amount": shown(outstanding),',
        "For a partly paid installment the reminder shows the remaining balance as the installment amount.",
        BROAD["reminders"],
    ),
    m(
        "reminders",
        "reminderd/core/overdue.py",
        "per_day=later - (penalty + now_total[1]),",
        "per_day=later - penalty,",
        "Overdue reminders and status claim each further day adds the late fee on top of the daily penalty.",
        BROAD["reminders"],
    ),
    m(
        "standing",
        "reminderd/accounts/report.py",
        "first = min([current, *open_months])",
        "first = current",
        "`status` drops earlier months that still hold unpaid overdue installments from its month table.",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/views.py",
        '"due": inst.due.isoformat(),',
        '"due": inst.nominal.isoformat(),',
        "`upcoming --json` reports the plan's nominal date instead of the weekend/holiday-adjusted due date.",
        BROAD["standing"],
    ),
    m(
        "standing",
        "reminderd/standing.py",
        "result.append(Standing(inst, Decimal(0), superseded=True))",
        "result.append(Standing(inst, Decimal(0)))",
        "Installments superseded by a renegotiated plan are treated as still owed: listed as upcoming/overdue, counted in totals and reminded.",
        BROAD["standing"],
    ),
    m(
        "delivery",
        "reminderd/channels/base.py",
        "if not finished.wait(timeout):",
        "if not finished.wait():",
        "A hanging desktop (plyer) or apprise backend is never timed out, so that channel hangs for good instead of failing after its timeout.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/channels/mail.py",
        "if message.attachment_ics is not None:",
        "if message.attachment_ics is None:",
        "E-mail reminders arrive without their .ics calendar attachment, and messages without one (notify-test) fail to send.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/channels/mail.py",
        # Written against `to_addrs=list(settings.to))`; that line became this one before the
        # batch ran (the bare-address fix), so the same mistake is planted in its new form.
        "for item in settings.to]",
        "for item in settings.to[:1]]",
        "E-mail reminders are delivered only to the first address in `to`, the other recipients never get them.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/channels/command.py",
        '"REMINDERD_LOAN": message.loan_id or "",',
        '"REMINDERD_LOAN": message.key or "",',
        "The command channel gets the reminder key (loan/number/kind/time) in REMINDERD_LOAN instead of the loan id.",
        BROAD["delivery"],
    ),
    m(
        "delivery",
        "reminderd/service.py",
        "missed_at=due.reminder.at,",
        "missed_at=now,",
        "A grouped overdue catch-up message says it was missed at the current time instead of when it was due to be sent.",
        BROAD["delivery"],
    ),
    m(
        "secrets",
        "reminderd/channels/__init__.py",
        "channels.command, environ=environ, withhold=secret_environment_names(channels)",
        "channels.command, environ=environ, withhold=()",
        "The user's notifier program inherits the SMTP password / apprise URL variables (when not named REMINDERD_*), leaking the secrets.",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/channels/secrets.py",
        'return f"the variable named in {key} (it does not look like a variable name)"',
        'return f"the variable {name!r} named in {key} does not look like a variable name"',
        "A password pasted into password_env by mistake is printed back verbatim in check output, logs and delivery errors.",
        BROAD["secrets"],
    ),
    m(
        "secrets",
        "reminderd/channels/apprise.py",
        'f"apprise URL #{position} is not understood by apprise", permanent=True',
        'f"apprise URL {url} is not understood by apprise", permanent=True',
        "A malformed apprise URL, with its embedded token, is shown in delivery errors and the delivery log.",
        BROAD["secrets"],
    ),
    m(
        "tls",
        "reminderd/channels/mail.py",
        "except (OSError, ssl.SSLError) as error:",
        "except ssl.SSLError as error:",
        'A missing or unreadable ca_file is reported as a retryable "network error" with the mail server instead of "cannot load ca_file".',
        BROAD["tls"],
    ),
    m(
        "tls",
        "reminderd/channels/checks.py",
        "level = ERROR if in_service else UNVERIFIED",
        "level = UNVERIFIED if in_service else ERROR",
        "`check` fails (exit 1) on a command not on the shell's PATH, while the service's start-up check only calls a really missing program \"unverified\".",
        BROAD["tls"],
    ),
    m(
        "ledger",
        "reminderd/ledger/records.py",
        "receipt_sha256,\n            receipt_name,\n            recorded_at.isoformat(),",
        "receipt_name,\n            receipt_sha256,\n            recorded_at.isoformat(),",
        "A payment's receipt name and SHA-256 are stored swapped, so history shows the hash as the name and the stored receipt is no longer found.",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/accounts/commands.py",
        "following = new.next_open()",
        "following = old.next_open()",
        'After `pay`, the "next due" line names the installment the payment just settled instead of the next open one.',
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/accounts/commands.py",
        "return None if loan is None else versions.version_on(loan, row.paid_on)",
        "return None if loan is None else versions.version_on(loan, row.recorded_at.date())",
        "`history --json` gives a back-dated payment the plan version in force when it was recorded, not when it was paid.",
        BROAD["ledger"],
    ),
    m(
        "ledger",
        "reminderd/commands/case.py",
        "if day > local_now.date():",
        "if day >= local_now.date():",
        "`note --on` with today's date is refused as being in the future.",
        BROAD["ledger"],
    ),
]


def copy_tree(target: Path) -> None:
    ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", ".hypothesis", "*.egg-info")
    shutil.copytree(ROOT, target, ignore=ignore, dirs_exist_ok=True)


def run_tests(tree: Path, tests: tuple[str, ...]) -> tuple[bool, float, str]:
    """Run ``tests`` against ``tree``; return (passed, seconds, the first failing test).

    The output of a failing run is kept in ``LAST_OUTPUT`` for the baseline's report."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("REMINDERD_SLOW", None)
    started = time.monotonic()
    try:
        done = subprocess.run(
            [str(PYTHON), "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
            cwd=tree,
            env=env,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, time.monotonic() - started, f"timed out after {TIMEOUT} s"
    output = done.stdout.decode("utf-8", "replace").splitlines()
    LAST_OUTPUT[:] = output
    failed = next((line.split()[1] for line in output if line.startswith(("FAILED", "ERROR"))), "")
    return done.returncode == 0, time.monotonic() - started, failed


def check_imports_copy(tree: Path) -> None:
    """Fail unless both the interpreter and the console script import the copy."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    probe = "import reminderd, sys; print(reminderd.__file__)"
    where = subprocess.run(
        [str(PYTHON), "-c", probe], cwd=tree, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    if not where.startswith(str(tree)):
        sys.exit(f"mutants: reminderd imports from {where}, not the copy {tree}")
    script = PYTHON.parent / "reminderd"
    head = script.read_text(encoding="utf-8").splitlines()[0]
    if not head.startswith("#!") or "python" not in head:
        sys.exit(f"mutants: {script} is not a Python console script")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="the mutants of one area (money, plans, tls, ...)")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument(
        "--batch",
        choices=["all", "first", *(f"unseen{n}" for n in range(1, 11))],
        default="all",
        help="first: the 41 the tests were tuned on; unseen1: the 10 planted next without "
        "looking; unseen2 … unseen10: 42, 32, 30, 30, 30, 30, 30, 30 and 30 planted on 2026-11-29 by sessions "
        "that never saw the tests",
    )
    parser.add_argument("--target", type=float, default=90.0, help="percent to reach")
    args = parser.parse_args()
    batches = {
        "first": MUTANTS,
        "unseen1": UNSEEN,
        "unseen2": UNSEEN_2,
        "unseen3": UNSEEN_3,
        "unseen4": UNSEEN_4,
        "unseen5": UNSEEN_5,
        "unseen6": UNSEEN_6,
        "unseen7": UNSEEN_7,
        "unseen8": UNSEEN_8,
        "unseen9": UNSEEN_9,
        "unseen10": UNSEEN_10,
    }
    pool = batches.get(
        args.batch,
        MUTANTS
        + UNSEEN
        + UNSEEN_2
        + UNSEEN_3
        + UNSEEN_4
        + UNSEEN_5
        + UNSEEN_6
        + UNSEEN_7
        + UNSEEN_8
        + UNSEEN_9
        + UNSEEN_10,
    )
    mutants = [mutant for mutant in pool if not args.only or mutant.area == args.only]
    for mutant in mutants:
        original = (ROOT / mutant.path).read_text(encoding="utf-8")
        if original.count(mutant.old) != 1:
            sys.exit(f"mutants: {mutant.path}: {mutant.old!r} found {original.count(mutant.old)}x")
    if args.list:
        for number, mutant in enumerate(mutants, start=1):
            print(f"{number:2} {mutant.area:9} {mutant.path}: {mutant.what}")
        return 0
    with tempfile.TemporaryDirectory(prefix="reminderd-mutants-") as temp:
        tree = Path(temp) / "tree"
        copy_tree(tree)
        check_imports_copy(tree)
        baseline = sorted({test for mutant in mutants for test in mutant.tests})
        passed, seconds, failed = run_tests(tree, tuple(baseline))
        if not passed:
            print("\n".join(LAST_OUTPUT[-60:]))
            print(f"mutants: the unmutated tests fail ({failed}); no score")
            return 2
        print(f"baseline: {len(baseline)} test files pass unmutated ({seconds:.0f} s)")
        caught = 0
        survivors = []
        for number, mutant in enumerate(mutants, start=1):
            target = tree / mutant.path
            original = target.read_text(encoding="utf-8")
            target.write_text(original.replace(mutant.old, mutant.new), encoding="utf-8")
            try:
                passed, seconds, failed = run_tests(tree, mutant.tests)
            finally:
                target.write_text(original, encoding="utf-8")
            verdict = "survived" if passed else "caught"
            caught += not passed
            if passed:
                survivors.append(mutant)
            print(f"{number:2} {verdict:8} {mutant.area:9} {mutant.what} ({seconds:.0f} s)")
            if failed:
                print(f"   by {failed}")
            sys.stdout.flush()
    percent = 100 * caught / len(mutants)
    print(f"caught {caught}/{len(mutants)} ({percent:.0f}%)")
    for mutant in survivors:
        print(f"survivor: {mutant.path}: {mutant.old!r} -> {mutant.new!r}")
    return 0 if percent >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
