"""``reminderd run``: the long-running service, and ``run --once`` for cron and timers.

One line of control flow: config → agenda (pure) → due reminders → per-channel workers →
delivery log. APScheduler (3.x, memory job store, nothing pickled) holds two jobs that live
as long as the service and are only ever re-timed, never removed or re-added (so a stop in
the middle of anything finds them where they were): ``tick`` at the next wall-clock instant
anything changes, re-armed by every tick in a ``finally``, and ``reload`` when SIGHUP or a
config file change asks for one. Beside the scheduler, the ``clock-watch`` thread waits on
the monotonic clock (15 minutes, which stops while the machine sleeps) and then asks for a
tick, noting a wall-clock jump: a clock set back or forward, or a suspend, is caught within
that bound whatever the wall clock says. The config and the ledger are the truth; jobs are
derived from them, never stored.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from reminderd import ledger
from reminderd.agenda import Agenda, Due
from reminderd.context import Context
from reminderd.delivery import Deliverer
from reminderd.errors import EXIT_FAILURE, EXIT_OK, RuntimeFailure, UserError
from reminderd.ledger import records
from reminderd.model import Config
from reminderd.sdnotify import Notifier

log = logging.getLogger("reminderd")

SNOOZE = timedelta(hours=1)  # what the desktop notification's "Snooze" button postpones by
WATCH_INTERVAL = timedelta(minutes=15)  # at most 4 wake-ups an hour while idle
# Tests shorten the watch to see a faked clock jump without waiting 15 minutes.
WATCH_ENV = "REMINDERD_WATCH_SECONDS"
CLOCK_JUMP = timedelta(seconds=2)  # a wall-clock step beyond this is reported as a jump
NEVER = timedelta(weeks=520)  # the interval of the jobs that only ever run when re-timed
CHECK_RETRY_FIRST = timedelta(seconds=1)  # a failing check (a full or locked disk) ...
CHECK_RETRY_MAX = timedelta(minutes=1)  # ... is retried after 1 s, 2 s, 4 s … at most 1 min
STOP_WAIT = timedelta(seconds=30)  # how long a stop waits for each part: the scheduler, a send
RELOAD_DEBOUNCE = timedelta(milliseconds=300)  # editors write a file in several steps
LISTENERS_KEPT = 3  # desktop button listeners: the current channel's and two replaced ones
ONCE_TIMEOUT = 300.0


def run(args: argparse.Namespace, context: Context) -> int:
    """Deliver reminders until stopped (or, with ``--once``, what is due now)."""
    from reminderd import logsetup

    logsetup.setup()
    from reminderd.platform.poll import signature

    loaded = signature(context.config_path)  # taken before reading: an edit after it shows
    config = context.config()
    service = Service(context, config)
    service.loaded_signature = loaded
    service.keep_documents()
    code = service.run_once() if args.once else service.run_forever()
    stuck = [
        thread.name
        for thread in threading.enumerate()
        if thread is not threading.main_thread() and thread.daemon and thread.is_alive()
    ]
    if stuck:
        # A channel stuck beyond the stop's wait still holds a thread. Python 3.11 ends a daemon
        # thread that wakes while the interpreter finalizes with pthread_exit, which can abort
        # the process; everything is written and closed by now, so leave without finalizing.
        log.debug("leaving %d thread(s) behind: %s", len(stuck), ", ".join(stuck))
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)
    return code


class Service:
    def __init__(self, context: Context, config: Config) -> None:
        self.context = context
        self.config = config
        self.state_dir = context.state_dir
        self.agenda = Agenda(config)
        self.notifier = Notifier()
        self.scheduler: Any = None
        self.feed: Any = None
        self.watcher: Any = None
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self.calendar: Any = None  # the CalendarWriter, while the service runs
        # The button listeners: the current desktop channel's, and those of the channels the
        # last reloads replaced, so that a click on a notification they sent (or a send they
        # still have in flight on that connection) is not lost to a reload.
        self._listeners: list[tuple[Any, threading.Event, threading.Thread]] = []
        self._arm_lock = threading.Lock()
        self._ticking = False
        self._requested: datetime | None = None  # an earlier tick asked for while one runs
        self._check_failures = 0
        self._clock_thread: threading.Thread | None = None
        self._jobs: Any = None  # the scheduler's one job worker, while the service runs
        self._relay: tuple[int, threading.Thread] | None = None  # wake-up fd's write end
        # The config file's identity, size and time as it was read (reminderd.platform.poll):
        # an edit saved before the file watcher starts is noticed by comparing.
        self.loaded_signature: Any = None
        conn = ledger.connect(self.state_dir, create=True)  # fails early on a bad state dir
        if conn is not None:
            from reminderd.ledger import receipts

            receipts.sweep(self.state_dir, conn)  # what a pay killed mid-receipt left behind
            conn.close()
        self.deliverer = self._deliverer(config)
        from reminderd.commands.invocation import reminderd_command

        # The "record it" hint in each reminder: a command that reaches this config and ledger.
        self._command = reminderd_command(context.config_path, self.state_dir, context.environ)

    # ---- shared by run and run --once ----------------------------------------------------

    def _deliverer(self, config: Config) -> Deliverer:
        return Deliverer(
            self.state_dir, self._channels(config), self._render, on_settled=self._settled
        )

    def _channels(self, config: Config) -> dict[str, Any]:
        from reminderd.channels import build_channels

        return build_channels(config.channels, environ=self.context.environ, locale=config.locale)

    def _render(self, due: Due, channel: str) -> Any:
        from reminderd import messages
        from reminderd.channels.base import Message

        config = self.config
        now = datetime.now(UTC)
        shown = replace(due.reminder, kind=due.kind)
        if due.group:  # several overdue installments of one loan: one message
            subject, body = messages.render_overdue_group(
                due.loan,
                [(member.installment, member.standing.paid) for member in due.members],
                now=now,
                locale=config.locale,
                catch_up=due.catch_up,
                missed_at=due.reminder.at,
                command=self._command,
            )
        else:
            # SPEC §8: an overdue reminder says what being late costs (debt engineer's call).
            from reminderd.core.overdue import of_loan

            cost = of_loan(due.loan, self._paid(), now) if due.kind == "overdue" else None
            subject, body = messages.render(
                due.loan,
                due.installment,
                shown,
                paid=due.standing.paid,
                now=now,
                locale=config.locale,
                catch_up=due.catch_up,
                command=self._command,
                overdue=cost,
            )
        attachment = None
        if channel == "email":
            from reminderd.calendar.content import single_event_calendar

            attachment = single_event_calendar(config, due.loan, due.installment, self._paid(), now)
        return Message(
            key=due.reminder.key,
            kind="catchup" if due.catch_up else due.kind,
            subject=subject,
            body=body,
            loan_id=due.loan.id,
            attachment_ics=attachment,
            actions=channel == "desktop",
        )

    def _paid(self) -> dict[str, Decimal]:
        return ledger.paid_totals(self.state_dir)

    def _snoozes(self) -> dict[tuple[str, int], datetime]:
        conn = ledger.connect(self.state_dir, create=False)
        if conn is None:
            return {}
        try:
            rows = conn.execute("SELECT loan_id, number, until FROM snoozes").fetchall()
        finally:
            conn.close()
        return {(loan, number): datetime.fromisoformat(until) for loan, number, until in rows}

    def check(self, *, calendar: bool = True) -> datetime | None:
        """Hand what is due now to the channels (and, with ``calendar``, rewrite the calendar
        if it changed); return when to look again."""
        with self._lock:
            now = datetime.now(UTC)
            paid = self._paid()
            snoozes = self._snoozes()
            dues = self.agenda.due(now, paid, snoozes)
            self.deliverer.submit(dues, now)
            if calendar and self.calendar is not None:
                self.calendar.request(self.config, self.agenda, paid, now)
            candidates = [
                self.agenda.next_instant(now, paid, snoozes),
                self.deliverer.next_retry(),
            ]
            return min((when for when in candidates if when is not None), default=None)

    def run_once(self) -> int:
        """Deliver what is due or missed now, rewrite the calendar, wait for both, exit."""
        from reminderd.calendar.writer import CalendarWriter

        written: list[Path] = []  # the writer logs a failure and calls back only on success
        self.calendar = CalendarWriter(on_written=written.append, read_paid=self._paid)
        self.check()
        finished = self.deliverer.wait_idle(ONCE_TIMEOUT)
        finished = self.calendar.wait_idle(ONCE_TIMEOUT) and finished
        self.calendar.stop()
        failed = [outcome for outcome in self.deliverer.outcomes if not outcome[2]]
        sent = len(self.deliverer.outcomes) - len(failed)
        self.deliverer.close(wait=STOP_WAIT.total_seconds() if finished else 0.0)
        log.info("run --once: %d sent, %d failed", sent, len(failed))
        if not written:
            log.error("the calendar %s was not written", self.config.calendar.path)
        if failed or not finished or not written:
            for key, channel, _, error in failed:
                log.error("not delivered: %s via %s: %s", key, channel, error)
            return EXIT_FAILURE
        return EXIT_OK

    # ---- the service -----------------------------------------------------------------------

    def run_forever(self) -> int:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.blocking import BlockingScheduler

        # One worker: ticks and reloads never overlap. A late job still runs (no misfire
        # limit), once (coalesce), because a reminder is never dropped for being late.
        self._jobs = ThreadPoolExecutor(max_workers=1)
        self.scheduler = BlockingScheduler(
            timezone=UTC,
            executors={"default": self._jobs},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )
        # Both jobs stay for the service's life; only their next run time changes. Added
        # first, so that the watchers started below can re-time them at once.
        self.scheduler.add_job(
            self._tick, "interval", seconds=NEVER.total_seconds(), id="tick", next_run_time=None
        )
        self.scheduler.add_job(
            self._reload, "interval", seconds=NEVER.total_seconds(), id="reload", next_run_time=None
        )
        from reminderd.calendar.writer import CalendarWriter

        self.calendar = CalendarWriter(on_written=self._calendar_written, read_paid=self._paid)
        self._start_feed()
        self._start_ledger_watch()
        self._start_watcher()
        # Before the first check: the start-up catch-ups are the notifications whose buttons
        # matter most, and they must go out on the listener's connection.
        self._keep_listener(self._start_actions(self.deliverer.channels.get("desktop")))
        for signum, handler in (
            (signal.SIGTERM, self._on_stop),
            (signal.SIGINT, self._on_stop),
            # Windows has no SIGHUP: there a changed config is noticed by the file watcher.
            (getattr(signal, "SIGHUP", None), self._on_hup),
        ):
            if signum is not None:
                signal.signal(signum, handler)
        self._wake_on_signals()
        # Deliver what is due and say READY at once; the calendar (seconds for thousands of
        # loans) is written by the first tick, which runs as soon as the scheduler starts.
        upcoming = self.check(calendar=False)
        from reminderd.channels import checks

        checks.log_findings(self.config.channels, self.context.environ, log)
        self._arm(datetime.now(UTC))
        # The wall clock's offset from the monotonic one, taken now: a jump right after READY
        # is a jump, too.
        offset = time.time() - time.monotonic()
        self._clock_thread = threading.Thread(
            target=self._watch_clock, args=(offset,), name="clock-watch", daemon=True
        )
        self._clock_thread.start()
        # The CLI turned the cycle collector off for speed; everything built so far (config,
        # installments) lives as long as the service, so move it out of the collector's way.
        gc.freeze()
        gc.enable()
        self.notifier.ready(self._status(upcoming))
        log.info("reminderd started: %d loans, %s", len(self.config.loans), self._status(upcoming))
        try:
            self.scheduler.start()
        except Exception:
            # A stop can land while the scheduler's loop is mid-way through its jobs (APScheduler
            # 3.11: once shutdown() marks it stopped, the loop's own job bookkeeping can raise
            # JobLookupError); what it trips over then is the stop itself, not a failure. The
            # tick and reload jobs are never removed, which closes the usual way there.
            if not self._stopping.is_set():
                raise
            log.debug("the scheduler stopped mid-way", exc_info=True)
        finally:
            self._shutdown()
        return EXIT_OK

    def _status(self, upcoming: datetime | None) -> str:
        from reminderd.channels import checks

        # A channel that will fail shows in `systemctl status`, not weeks later.
        problems = checks.status_note(self.config.channels, self.context.environ)
        suffix = f"; {problems}" if problems else ""
        if upcoming is None:
            return "nothing left to remind" + suffix
        local = upcoming.astimezone(self.config.timezone)
        return f"next check {local:%Y-%m-%d %H:%M:%S %Z}" + suffix

    def _arm(self, when: datetime | None) -> None:
        """Have the tick run at ``when`` unless it already runs earlier (or is running: then
        it re-arms itself for the earliest instant asked for meanwhile)."""
        if when is None or self._stopping.is_set() or self.scheduler is None:
            return
        with self._arm_lock:
            if self._ticking:
                if self._requested is None or when < self._requested:
                    self._requested = when
                return
            job = self.scheduler.get_job("tick")
            if job is not None and job.next_run_time is not None and job.next_run_time <= when:
                # Already due by then; but the scheduler may be asleep on a wait it measured
                # before the wall clock jumped forward: wake it to look again.
                self.scheduler.wakeup()
                return
            self._retime("tick", when)

    def _retime(self, job_id: str, when: datetime | None) -> None:
        from apscheduler.jobstores.base import JobLookupError

        try:
            self.scheduler.modify_job(job_id, next_run_time=when)
        except JobLookupError:  # the scheduler is stopping: nothing more will run
            if not self._stopping.is_set():
                raise

    def _tick(self) -> datetime | None:
        """Check, arm the next tick (always, even when the check failed), say when it is;
        return it."""
        with self._arm_lock:
            self._ticking = True
            self._requested = None
        upcoming: datetime | None = None
        try:
            upcoming = self.check()
            self._check_failures = 0
        except Exception:  # a bad moment (a full or locked disk) must not end the schedule
            self._check_failures += 1
            wait = min(CHECK_RETRY_FIRST * 2 ** min(self._check_failures - 1, 20), CHECK_RETRY_MAX)
            log.exception(
                "checking for due reminders failed; trying again in %gs", wait.total_seconds()
            )
            upcoming = datetime.now(UTC) + wait
        finally:
            with self._arm_lock:
                self._ticking = False
                requested, self._requested = self._requested, None
                if requested is not None and (upcoming is None or requested < upcoming):
                    upcoming = requested
                if not self._stopping.is_set() and self.scheduler is not None:
                    # After running, the job's own next time is NEVER away: set it, always.
                    self._retime("tick", upcoming)
        self.notifier.status(self._status(upcoming))
        return upcoming

    def _watch_clock(self, offset: float) -> None:
        """Every watch interval of the monotonic clock, ask for a tick; say when the wall
        clock jumped meanwhile. Wall-clock timers alone would sleep through a clock set back
        (and wake late after one set forward)."""
        seconds = WATCH_INTERVAL.total_seconds()
        with contextlib.suppress(ValueError):  # for tests only; a bad value keeps 15 minutes
            seconds = max(float(self.context.environ.get(WATCH_ENV) or seconds), 0.1)
        while not self._stopping.wait(seconds):
            now_offset = time.time() - time.monotonic()
            jump = now_offset - offset
            offset = now_offset
            if abs(jump) > CLOCK_JUMP.total_seconds():
                log.info("the wall clock jumped by %+.0fs (or the machine slept); checking", jump)
            self._arm(datetime.now(UTC))

    def _settled(self) -> None:
        """A delivery attempt finished: a failure may need an earlier retry tick."""
        retry = self.deliverer.next_retry()
        if retry is None or self.scheduler is None or self._stopping.is_set():
            return
        self._arm(retry)

    def request_reload(self) -> None:
        if self.scheduler is None or self._stopping.is_set():
            return
        self._retime("reload", datetime.now(UTC) + RELOAD_DEBOUNCE)

    def _reload(self) -> None:
        # Parked first: a change noticed while this reload reads the file asks for another.
        self._retime("reload", None)
        gc.disable()  # building thousands of loans' objects: see run_forever
        try:
            self._load_and_apply()
        finally:
            gc.freeze()
            gc.enable()

    def keep_documents(self) -> None:
        """Keep agreement documents seen for the first time, like receipts (SPEC §8; the
        debt engineer's call site). A failure is logged: reminders matter more."""
        from reminderd.ledger.notes import keep_config_documents

        try:
            for warning in keep_config_documents(
                self.state_dir, self.config.loans, datetime.now(UTC)
            ):
                log.warning("%s", warning)
        except UserError as error:
            log.warning("agreement documents not kept: %s", error.message)

    def _load_and_apply(self) -> None:
        from reminderd.config import load
        from reminderd.errors import ConfigError

        self.notifier.reloading()
        try:
            config = load(self.context.config_path)
        except ConfigError as error:
            log.error("the config has errors; keeping the last good one running:")
            for problem in error.problems:
                log.error("  %s", problem)
            self.notifier.ready("config has errors; running the last good one")
            return
        except UserError as error:
            log.error("%s; keeping the last good config running", error.message)
            self.notifier.ready("config unreadable; running the last good one")
            return
        with self._lock:
            if config.channels != self.config.channels or config.locale != self.config.locale:
                # The same Deliverer goes on with new channel objects: what is queued or in
                # flight stays known and is not sent again. The new desktop channel's
                # listener is up before it can send a notification with buttons.
                channels = self._channels(config)
                self._keep_listener(self._start_actions(channels.get("desktop")))
                self.config = config
                self.deliverer.update_channels(channels)
            self.config = config
            self.agenda = Agenda(config)
            if self.calendar is not None:
                self.calendar.invalidate()
        log.info("config reloaded: %d loans", len(config.loans))
        self.keep_documents()
        upcoming = self._tick()
        self.notifier.ready(self._status(upcoming))

    def _on_hup(self, signum: int, frame: object) -> None:
        threading.Thread(target=self.request_reload, name="sighup", daemon=True).start()

    def _on_stop(self, signum: int, frame: object) -> None:
        self._stopping.set()
        # The scheduler's lock may be held by this very thread where the signal landed;
        # shutting down from another thread waits for it instead of deadlocking.
        threading.Thread(target=self._stop_scheduler, name="stop", daemon=True).start()

    def _wake_on_signals(self) -> None:
        """Make sure a signal's handler runs soon, whichever thread the kernel gave it to.

        Python runs signal handlers in the main thread only. The kernel delivers SIGTERM to
        any thread that does not block it; when that is another thread (a worker in
        ``select``), the main thread, asleep in the scheduler's wait for the next job (an
        hour, or for ever), is not interrupted and the handler waits with it: a SIGTERM right
        after READY was lost that way, 1 run in about 200 under load. Python writes each
        signal's number to a wake-up file descriptor from whichever thread caught it; a small
        thread reads it and wakes the scheduler, whose loop then runs the handler. POSIX
        only (Windows takes a socket here, and delivers console events differently)."""
        if os.name != "posix":
            return
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)
        signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)

        def relay() -> None:
            try:
                while os.read(read_fd, 512):  # b"": the write end closed, the service stops
                    scheduler = self.scheduler
                    with contextlib.suppress(AttributeError):  # not started yet: no event
                        scheduler.wakeup()
            except OSError:  # the pipe is unusable: nothing more to relay
                pass
            finally:
                os.close(read_fd)

        thread = threading.Thread(target=relay, name="signal-relay", daemon=True)
        thread.start()
        self._relay = (write_fd, thread)

    def _end_signal_relay(self) -> None:
        """Stop relaying (at exit): the relay thread reads the end of its pipe and returns."""
        if self._relay is None:
            return
        write_fd, thread = self._relay
        self._relay = None
        signal.set_wakeup_fd(-1)
        os.close(write_fd)
        thread.join(STOP_WAIT.total_seconds())

    def _stop_scheduler(self) -> None:
        from apscheduler.schedulers import SchedulerNotRunningError

        # A SIGTERM right after READY can land before the scheduler's loop has started; its
        # shutdown would then be refused and the loop would start and run on. Wait for it.
        deadline = time.monotonic() + STOP_WAIT.total_seconds()
        pause = threading.Event()  # a lock's wait, not time.sleep (see channels/command.py)
        while True:
            try:
                self.scheduler.shutdown(wait=False)
                return
            except SchedulerNotRunningError:
                if time.monotonic() > deadline:
                    log.error("the scheduler never started; exiting anyway")
                    os._exit(EXIT_FAILURE)
                pause.wait(0.01)

    def _calendar_written(self, path: Any) -> None:
        if self.feed is not None:
            self.feed.set_calendar_file(path)  # served from the file, never held in memory

    def _start_ledger_watch(self) -> None:
        """Follow a payment (or undo, or snooze) recorded by another program at once: the
        next check runs now, and rewrites the calendar the feed serves (issue 11, item 6)."""
        from reminderd.ledger.watch import LedgerWatcher

        def changed() -> None:
            if self.scheduler is not None and not self._stopping.is_set():
                self._arm(datetime.now(UTC))

        self.ledger_watch = LedgerWatcher(self.state_dir, changed)
        log.debug("watching the ledger by %s", self.ledger_watch.start())

    def _start_feed(self) -> None:
        if not self.config.calendar.serve_listen:
            return
        from reminderd.calendar import feed

        try:
            self.feed = feed.serve(self.config.calendar.serve_listen, self.state_dir)
        except UserError as error:
            # Running on would let feed-url print an address another program answers.
            raise RuntimeFailure(f"{error.message}; not starting") from None
        log.info("serving the calendar feed on %s", self.config.calendar.serve_listen)
        from reminderd.web.routes import PageRoutes

        self.feed.page = PageRoutes(
            self.feed.secret, self.state_dir, lambda: self.config, on_paid=self._paid_on_page
        )

    def _paid_on_page(self) -> None:
        """A payment came from the page: check now, so its reminders stop and the calendar
        is rewritten."""
        if self.scheduler is not None and not self._stopping.is_set():
            self._arm(datetime.now(UTC))

    def _start_watcher(self) -> None:
        from reminderd.watch import ConfigWatcher

        self.watcher = ConfigWatcher(self.context.config_path, self.request_reload)
        if not self.watcher.start():
            # No inotify (macOS, Windows): look at the file every few seconds instead.
            from reminderd.platform.poll import PollingWatcher

            self.watcher.stop()
            self.watcher = PollingWatcher(self.context.config_path, self.request_reload)
            self.watcher.start()
        from reminderd.platform.poll import signature

        if signature(self.context.config_path) != self.loaded_signature:
            # Saved between the first read and the watch: no event will ever say so.
            log.info("the config file changed while the service was starting; reloading")
            self.request_reload()

    def _start_actions(self, desktop: Any) -> tuple[Any, threading.Event, threading.Thread] | None:
        """Listen for the desktop notification's "Paid" and "Snooze" buttons. On D-Bus the
        connection is open when this returns (notifications with buttons go out on it); the
        clicks are handled by a thread."""
        from reminderd.channels.base import DeliveryError

        if desktop is None or getattr(desktop, "backend", None) not in ("dbus", "desktop-notifier"):
            return None
        if hasattr(desktop, "open_actions"):
            try:
                desktop.open_actions(self._on_action)
            except DeliveryError as error:  # no bus now; buttons simply do nothing
                log.info("desktop notification buttons are not available: %s", error)
                return None
        stop = threading.Event()

        def listen() -> None:
            try:
                desktop.listen_actions(self._on_action, stop)
            except Exception as error:  # the bus went away; buttons simply do nothing
                log.info("desktop notification buttons are not available: %s", error)

        thread = threading.Thread(target=listen, name="desktop-actions", daemon=True)
        thread.start()
        return (desktop, stop, thread)

    def _keep_listener(
        self, listener: tuple[Any, threading.Event, threading.Thread] | None
    ) -> None:
        """Add a listener; stop the oldest beyond the current one and two replaced ones."""
        if listener is None:
            return
        self._listeners.append(listener)
        while len(self._listeners) > LISTENERS_KEPT:
            self._stop_listener(self._listeners.pop(0))

    @staticmethod
    def _stop_listener(
        listener: tuple[Any, threading.Event, threading.Thread], wait: float = 2.0
    ) -> None:
        desktop, stop, thread = listener
        desktop.stop_listening(stop)
        thread.join(timeout=wait)

    def _stop_actions(self) -> None:
        while self._listeners:
            self._stop_listener(self._listeners.pop(), STOP_WAIT.total_seconds())

    def _on_action(self, key: str, action: str) -> None:
        """A button on a notification: "paid" records the installment's outstanding amount,
        "snooze" reminds again in an hour."""
        loan_id, number_text = key.split("/")[:2]
        number = int(number_text)
        now = datetime.now(UTC)
        with self._lock:
            loan = self.config.loan(loan_id)
            standing = self.agenda.standings(self._paid()).get(loan_id)
        if loan is None or standing is None or not 0 < number <= len(standing.rows):
            return
        row = standing.rows[number - 1]
        if loan.renegotiated:
            # Plan versions (SPEC §8) number each version from 1, and reminders go only to
            # installments still open: the button is about the open one with this number,
            # never a superseded or rolled one of an earlier version.
            found = next((r for r in standing.open_rows() if r.installment.number == number), None)
            if found is None:
                return
            row = found
        conn = ledger.connect(self.state_dir, create=True)
        assert conn is not None  # noqa: S101 - create=True
        with contextlib.closing(conn), ledger.transaction(conn):
            if action == "snooze":
                conn.execute(
                    "INSERT INTO snoozes (loan_id, number, until) VALUES (?, ?, ?) "
                    "ON CONFLICT (loan_id, number) DO UPDATE SET until = excluded.until",
                    (loan_id, number, (now + SNOOZE).isoformat()),
                )
            elif action == "paid" and row.outstanding > 0:
                # Payments settle the oldest installments first: paying this one means paying
                # what is still open up to it (just its own outstanding when it is the oldest;
                # the whole list of a grouped overdue message, whose newest one it names).
                # (A renegotiated loan's rows mix plan versions: there, the open row alone.)
                amount = (
                    row.outstanding
                    if loan.renegotiated
                    else sum(
                        (earlier.outstanding for earlier in standing.rows[:number]), Decimal(0)
                    )
                )
                records.add(
                    conn,
                    loan_id=loan_id,
                    amount=amount,
                    currency=loan.currency,
                    paid_on=now.astimezone(loan.timezone).date(),
                    note="marked paid from the desktop notification",
                    recorded_at=now,
                )
        log.info("%s %s %s from the desktop notification", action, loan_id, row.installment.label())
        if self.scheduler is not None and not self._stopping.is_set():
            self._arm(now)

    def _shutdown(self) -> None:
        """Stop every part and wait for each thread to end before saying "stopped": the job
        in hand (a check, a reload) and the sends in hand finish, nothing is closed under
        them, and no thread of ours is left to wake while the interpreter finalizes (Python
        3.11 ends such a daemon thread with ``pthread_exit``, which can abort the process:
        the likely cause of a SIGABRT after "reminderd stopped", once in 20 CI runs)."""
        self._stopping.set()
        self.notifier.stopping()
        if self._jobs is not None:
            self._jobs.shutdown(wait=True)  # the job in hand; later ones were cancelled
        self._stop_actions()
        if self.watcher is not None:
            self.watcher.stop()
        if getattr(self, "ledger_watch", None) is not None:
            self.ledger_watch.stop()
        if self.feed is not None:
            self.feed.stop()
        if self.calendar is not None:
            self.calendar.stop()
        for name in self.deliverer.close(wait=STOP_WAIT.total_seconds()):
            log.warning(
                "a reminder was still being sent via %s at the stop; it is not logged as sent "
                "and is sent again at the next start",
                name,
            )
        if self._clock_thread is not None:
            self._clock_thread.join(STOP_WAIT.total_seconds())
        self._end_signal_relay()
        log.info("reminderd stopped")
