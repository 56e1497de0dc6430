"""The command line: parses arguments, hands them to one function per command, and turns
user errors into one line and an exit status. It holds no logic of its own.

Handlers are imported only when their command runs, so ``reminderd --help`` stays fast.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
import traceback
from collections.abc import Sequence

from reminderd import __version__
from reminderd.errors import EXIT_FAILURE, EXIT_USAGE, ConfigError, UserError

# command name -> "module:function"; each function takes (args, context) and returns a status.
HANDLERS = {
    "check": "reminderd.views:check",
    "upcoming": "reminderd.views:upcoming",
    "status": "reminderd.accounts:status",
    "pay": "reminderd.accounts:pay",
    "history": "reminderd.accounts:history",
    "export": "reminderd.calendar.commands:export",
    "feed-url": "reminderd.calendar.commands:feed_url",
    "run": "reminderd.service:run",
    "notify-test": "reminderd.channels.commands:notify_test",
    "plan": "reminderd.planner:plan_command",
    "note": "reminderd.commands.case:note",
    "case": "reminderd.commands.case:case",
    "forecast": "reminderd.commands.forecast:forecast",
    "report": "reminderd.commands.report:report",
    "service": "reminderd.commands.service:service",
}

BUG_REPORT = (
    "reminderd: this is a bug in reminderd, not something you did; nothing was lost. "
    "Please report it with the lines above."
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"reminderd: {message}\n")
        raise SystemExit(EXIT_USAGE)

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> object:
        # Python 3.11/3.12 drop "--" given as an option's value (`--days=--`, `--note --`)
        # and hand the handler an empty list instead of text; take it as the text it is.
        if action.option_strings and action.nargs is None and arg_strings == ["--"]:
            value = self._get_value(action, "--")
            self._check_value(action, value)
            return value
        return super()._get_values(action, arg_strings)


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """``-c`` and ``--state-dir``, accepted before or after the command: after it they use
    SUPPRESS so that an absent option does not overwrite one given before the command."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "-c",
        "--config",
        metavar="CONFIG",
        default=default,
        help="the config file (else $REMINDERD_CONFIG, else ~/.config/reminderd/config.yaml)",
    )
    parser.add_argument(
        "--state-dir",
        metavar="DIR",
        default=default,
        help="where payments, receipts and the delivery log live (else $REMINDERD_STATE_DIR, "
        "else systemd's $STATE_DIRECTORY, else ~/.local/state/reminderd)",
    )


EPILOG = """\
The config is -c CONFIG, else $REMINDERD_CONFIG, else $XDG_CONFIG_HOME/reminderd/config.yaml
(~/.config/reminderd/config.yaml). The state is --state-dir DIR, else $REMINDERD_STATE_DIR,
else $STATE_DIRECTORY, else $XDG_STATE_HOME/reminderd (~/.local/state/reminderd).
Exit status: 0 success, 1 a runtime failure, 2 bad usage or an invalid config.
"""


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every command of SPEC §3 and §8-11."""
    parser = _Parser(
        prog="reminderd",
        description="Repayment reminders: plans, reminders, payments, calendar.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"reminderd {__version__}")
    _global_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    def command(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=summary,
            description=description,
            parents=[common],
        )

    command(
        "check",
        "validate the config and summarise it",
        "Validate the config (every problem at once), check each channel's settings as far as "
        "possible without sending, and print loans, installments, what is overdue and the "
        "next due.",
    )

    upcoming = command(
        "upcoming",
        "overdue and upcoming installments",
        "Unsettled overdue installments first, then those due in the next N days, with the "
        "times their reminders fire.",
    )
    upcoming.add_argument(
        "--days",
        type=_non_negative_int,
        default=30,
        metavar="N",
        help="how many days ahead to look (default 30)",
    )
    upcoming.add_argument("--json", action="store_true", help="print a JSON array (SPEC §3)")

    status = command(
        "status",
        "per loan and per month: owed, paid, budget",
        "Per loan: total, paid, outstanding, next due, overdue days and cost; per month: "
        "the dues against the budget.",
    )
    status.add_argument("--json", action="store_true", help="print a JSON object (SPEC §3, §8)")

    pay = command(
        "pay",
        "record a payment (or --undo one)",
        "Record a payment: it settles the oldest open installments of the plan in force on "
        "its date first; partial payments are kept. AMOUNT is 1200, 1200.50 or 1,200.50.",
    )
    pay.add_argument("loan", nargs="?", metavar="LOAN", help="the loan's id in the config")
    pay.add_argument("amount", nargs="?", metavar="AMOUNT", help="e.g. 1200.50 or 1,200.50")
    pay.add_argument("--on", metavar="DATE", help="the payment date, YYYY-MM-DD (default today)")
    pay.add_argument("--receipt", metavar="FILE", help="a receipt to keep with the payment")
    pay.add_argument("--note", metavar="TEXT", help="free text kept with the payment")
    pay.add_argument("--undo", metavar="ID", help="reverse a recorded payment by its id")

    history = command(
        "history",
        "recorded payments and receipts",
        "Recorded payments, oldest first, with their receipts' names and SHA-256.",
    )
    history.add_argument("loan", nargs="?", metavar="LOAN", help="only this loan")
    history.add_argument("--json", action="store_true", help="print a JSON array (SPEC §3)")

    export = command(
        "export",
        "write the calendar (.ics) now",
        "Write the calendar of every installment, with alarms, for import into a phone.",
    )
    export.add_argument("-o", "--output", metavar="FILE", help="default: calendar.path")

    run = command(
        "run",
        "the service: deliver reminders until stopped",
        "Schedule and deliver reminders until stopped (SIGTERM); reload on SIGHUP or when "
        "the config file changes.",
    )
    run.add_argument("--once", action="store_true", help="deliver what is due now, then exit")

    command(
        "feed-url",
        "print the calendar subscription address",
        "Print the served calendar's http:// address, its webcal:// form and the page's "
        "address (needs calendar.serve).",
    )

    notify = command(
        "notify-test",
        "send a test message on each channel",
        "Send a test message through each configured channel and say which worked.",
    )
    notify.add_argument("--channel", metavar="NAME", help="only this channel")

    plan = command(
        "plan",
        "propose an installment plan for a negotiation",
        "Propose a plan (count and amount) and print its table and the YAML to paste into "
        "the config.",
    )
    size = plan.add_mutually_exclusive_group(required=True)
    size.add_argument("--count", type=_positive_int, metavar="N", help="this many installments")
    size.add_argument("--budget", metavar="AMOUNT", help="the most you can pay per installment")
    plan.add_argument("--principal", required=True, metavar="P", help="the amount to repay")
    plan.add_argument(
        "--kind",
        default="equal_principal",
        choices=["equal_principal", "annuity"],
        help="equal_principal (等额本金, default) or annuity (等额本息)",
    )
    plan.add_argument("--annual-rate", default="0", metavar="R", help="0.18 or 18%% a year")
    plan.add_argument("--first-due", metavar="D", help="YYYY-MM-DD; default: a month from today")
    plan.add_argument("--every", default="1 month", metavar="E", help="default: 1 month")
    plan.add_argument("--currency", metavar="CODE", help="default: the config's, else CNY")
    plan.add_argument(
        "--id", dest="loan_id", default="new-plan", metavar="ID", help="the id in the YAML"
    )

    note = command(
        "note",
        "record a call, letter or agreement in a loan's case file",
        "Record a contact with the lender or a collector: who, when, what was said or "
        "promised. --undo ID records a reversal; nothing is deleted.",
    )
    note.add_argument("loan", nargs="?", metavar="LOAN", help="the loan's id in the config")
    note.add_argument("text", nargs="?", metavar="TEXT", help="what was said or promised")
    note.add_argument(
        "--on", metavar="DATETIME", help="YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (default now)"
    )
    note.add_argument(
        "--kind",
        default="other",
        choices=["call", "message", "letter", "visit", "agreement", "other"],
        help="what kind of contact (default other)",
    )
    note.add_argument("--who", metavar="NAME", help="who you dealt with (name, agent number)")
    note.add_argument(
        "--attach",
        metavar="FILE",
        action="append",
        default=[],
        help="a file to keep with the note (repeatable)",
    )
    note.add_argument("--undo", metavar="ID", help="reverse a recorded note by its id")

    case = command(
        "case",
        "a loan's timeline, or a case file to hand to an adviser",
        "The loan's timeline, oldest first: agreements, due dates, payments, notes, reminders "
        "sent, overdue cost. --export writes a folder (or .zip) with index.html, case.json, "
        "every file and SHA256SUMS.",
    )
    case.add_argument("loan", metavar="LOAN", help="the loan's id in the config")
    case.add_argument("--json", action="store_true", help="print a JSON object (SPEC §8)")
    case.add_argument("--export", metavar="PATH", help="a folder, or a file ending in .zip")

    forecast = command(
        "forecast",
        "month by month: dues, balance, the debt-free month",
        "Month by month from now: the dues, the balance left and the month the debt ends; "
        "with --extra or --budget, what paying ahead would change.",
    )
    ahead = forecast.add_mutually_exclusive_group()
    ahead.add_argument("--extra", metavar="AMOUNT", help="pay this much more every month")
    ahead.add_argument(
        "--budget", metavar="AMOUNT", help="pay whatever of this the month's dues leave"
    )
    forecast.add_argument(
        "--strategy",
        choices=["plan", "avalanche", "snowball"],
        default=None,
        help="where extra money goes: plan (nothing ahead), avalanche (highest rate first), "
        "snowball (smallest balance first); default avalanche with --extra/--budget",
    )
    forecast.add_argument(
        "--months", type=_positive_int, metavar="N", help="print only the first N months"
    )
    forecast.add_argument("--json", action="store_true", help="print a JSON object (SPEC §9)")

    report = command(
        "report",
        "write the page: where you stand, when you are free",
        "Write one self-contained HTML page (no network, printable): totals, next dues, "
        "charts, each loan, recent payments.",
    )
    report.add_argument(
        "-o", "--output", metavar="FILE", help="default: report.html beside the calendar"
    )

    service = command(
        "service",
        "start reminderd at login (systemd, launchd, Task Scheduler, autostart)",
        "Install, remove or inspect what starts 'reminderd run' at login on this platform.",
    )
    service.add_argument("action", choices=["install", "uninstall", "status"])
    service.add_argument(
        "--system", action="store_true", help="the system-wide unit (Linux, as root)"
    )
    service.add_argument(
        "--print",
        dest="print_only",
        action="store_true",
        help="show the file instead of installing it",
    )
    service.add_argument(
        "--platform", choices=["linux", "macos", "windows"], help="default: this machine's"
    )
    service.add_argument(
        "--autostart",
        action="store_true",
        help="an XDG autostart entry instead of a systemd user unit (Linux desktops)",
    )
    service.add_argument(
        "--no-enable",
        action="store_true",
        help="write or remove the file only; do not ask systemctl, launchctl or schtasks",
    )
    return parser


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0 or value > 100_000:
        raise argparse.ArgumentTypeError(f"out of range: {text}")
    return value


def _in_locale(error: UserError, context: object) -> str:
    """An error's message in the config's ``locale`` when it has a catalogue key."""
    if error.key is None:
        return error.message
    from reminderd.views import locale_of

    return error.in_locale(locale_of(context))  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status (0, 1 runtime failure, 2 usage or config)."""
    args = build_parser().parse_args(argv)
    from reminderd.context import Context

    context = Context(config_arg=args.config, state_dir_arg=args.state_dir)
    # Commands build many small objects (a thousand loans: a hundred thousand) and exit; the
    # cycle collector would rescan them over and over for nothing. `run` turns it back on.
    gc.disable()
    module_name, function_name = HANDLERS[args.command].split(":")
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
        return int(handler(args, context) or 0)
    except ConfigError as error:
        for problem in error.problems:
            sys.stderr.write(problem + "\n")
        return error.exit_code
    except UserError as error:
        sys.stderr.write(f"reminderd: {_in_locale(error, context)}\n")
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_FAILURE
    except Exception:  # noqa: BLE001 - anything else is a bug: say so, with the traceback
        traceback.print_exc()
        sys.stderr.write(BUG_REPORT + "\n")
        return 70
