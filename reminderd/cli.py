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


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every command of SPEC §3."""
    parser = _Parser(
        prog="reminderd",
        description="Repayment reminders: plans, reminders, payments, calendar.",
    )
    parser.add_argument("--version", action="version", version=f"reminderd {__version__}")
    parser.add_argument("-c", "--config", metavar="CONFIG", help="the config file")
    parser.add_argument("--state-dir", metavar="DIR", help="where payments and receipts live")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    commands.add_parser("check", help="validate the config and summarise it")

    upcoming = commands.add_parser("upcoming", help="overdue and upcoming installments")
    upcoming.add_argument("--days", type=_non_negative_int, default=30, metavar="N")
    upcoming.add_argument("--json", action="store_true")

    status = commands.add_parser("status", help="per loan and per month: owed, paid, budget")
    status.add_argument("--json", action="store_true")

    pay = commands.add_parser("pay", help="record a payment (or --undo one)")
    pay.add_argument("loan", nargs="?", metavar="LOAN")
    pay.add_argument("amount", nargs="?", metavar="AMOUNT")
    pay.add_argument("--on", metavar="DATE", help="the payment date (default today)")
    pay.add_argument("--receipt", metavar="FILE", help="a receipt to keep with the payment")
    pay.add_argument("--note", metavar="TEXT")
    pay.add_argument("--undo", metavar="ID", help="reverse a recorded payment by its id")

    history = commands.add_parser("history", help="recorded payments and receipts")
    history.add_argument("loan", nargs="?", metavar="LOAN")
    history.add_argument("--json", action="store_true")

    export = commands.add_parser("export", help="write the calendar (.ics) now")
    export.add_argument("-o", "--output", metavar="FILE", help="default: calendar.path")

    run = commands.add_parser("run", help="the service: deliver reminders until stopped")
    run.add_argument("--once", action="store_true", help="deliver what is due now, then exit")

    commands.add_parser("feed-url", help="print the calendar subscription address")

    notify = commands.add_parser("notify-test", help="send a test message on each channel")
    notify.add_argument("--channel", metavar="NAME")

    plan = commands.add_parser("plan", help="propose an installment plan for a negotiation")
    size = plan.add_mutually_exclusive_group(required=True)
    size.add_argument("--count", type=_positive_int, metavar="N")
    size.add_argument("--budget", metavar="AMOUNT", help="the most you can pay per installment")
    plan.add_argument("--principal", required=True, metavar="P")
    plan.add_argument("--kind", default="equal_principal", choices=["equal_principal", "annuity"])
    plan.add_argument("--annual-rate", default="0", metavar="R", help="0.18 or 18%% a year")
    plan.add_argument("--first-due", metavar="D", help="default: a month from today")
    plan.add_argument("--every", default="1 month", metavar="E")
    plan.add_argument("--currency", metavar="CODE", help="default: the config's, else CNY")
    plan.add_argument("--id", dest="loan_id", default="new-plan", metavar="ID")
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
        sys.stderr.write(f"reminderd: {error.message}\n")
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_FAILURE
    except Exception:  # noqa: BLE001 - anything else is a bug: say so, with the traceback
        traceback.print_exc()
        sys.stderr.write(BUG_REPORT + "\n")
        return 70
