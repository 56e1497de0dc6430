"""``reminderd service install|uninstall|status``: what starts ``reminderd run`` at login
(SPEC §11). Rendering is pure (:mod:`reminderd.platform`); this module writes the file and
asks the platform's tool (systemctl, launchctl, schtasks) to enable it."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from reminderd import paths
from reminderd.context import Context
from reminderd.errors import EXIT_OK, RuntimeFailure, UserError
from reminderd.platform import (
    Target,
    autostart,
    current_platform,
    installed_command,
    launchd,
    run_tool,
    systemd,
    windows,
    write_if_changed,
)
from reminderd.text import t
from reminderd.views import locale_of

_SYS_PLATFORM = {"linux": "linux", "macos": "darwin", "windows": "win32"}


@dataclass
class Startup:
    """One kind of startup file: where it goes, what it holds, how it is switched on."""

    kind: str
    path: Path
    content: bytes
    platform: str
    system: bool = False
    state_dir: str | None = None  # made before enabling: launchd writes its log there
    config: str = ""  # checked before installing
    locale: str = "en"  # of what is said about it

    # -- the platform's tool ---------------------------------------------------------------

    def _systemctl(self, *arguments: str) -> tuple[int, str] | None:
        scope = [] if self.system else ["--user"]
        return run_tool(["systemctl", *scope, *arguments])

    def enabled(self) -> str | None:
        """Return what the platform says about the installed file, or None when it cannot say."""
        if self.kind == "systemd":
            missing = None if self.system else systemd_user_session()
            if missing is not None:
                return self._say("service.ask_no_session", why=missing)
            enabled = self._systemctl("is-enabled", systemd.UNIT_NAME)
            active = self._systemctl("is-active", systemd.UNIT_NAME)
            if enabled is None or active is None:
                return None
            unknown = self._say("service.unknown")
            # systemctl's own words (enabled, active…): what a person would look up.
            return f"{enabled[1] or unknown}, {active[1] or unknown}"
        if self.kind == "launchd":
            done = run_tool(["launchctl", "print", f"gui/{os.getuid()}/{launchd.LABEL}"])
            if done is None:
                return None
            return self._say("service.loaded" if done[0] == 0 else "service.not_loaded")
        if self.kind == "windows":
            done = run_tool(["schtasks", "/Query", "/TN", windows.TASK_NAME])
            if done is None:
                return None
            return self._say("service.registered" if done[0] == 0 else "service.not_registered")
        return self._say("service.next_login")

    def _say(self, key: str, **fields: object) -> str:
        return t(key, self.locale, **fields)

    def activate(self, changed: bool) -> str:
        """Enable and start; return what was done. Raises RuntimeFailure when refused."""
        if self.kind == "systemd":
            if changed:
                self._require(self._systemctl("daemon-reload"), "systemctl daemon-reload")
            state = self._systemctl("is-enabled", systemd.UNIT_NAME)
            if state is not None and state[0] == 0 and state[1].strip() == "enabled":
                if changed:
                    self._require(
                        self._systemctl("try-restart", systemd.UNIT_NAME), "systemctl restart"
                    )
                    return self._say("service.restarted")
                return self._say("service.already")
            self._require(self._systemctl("enable", "--now", systemd.UNIT_NAME), "systemctl enable")
            return self._say("service.enabled")
        if self.kind == "launchd":
            domain = f"gui/{os.getuid()}"
            # bootout first so that a changed plist is read again; "not loaded" is fine.
            run_tool(["launchctl", "bootout", f"{domain}/{launchd.LABEL}"])
            self._require(run_tool(["launchctl", "bootstrap", domain, str(self.path)]), "launchctl")
            return self._say("service.launchd")
        if self.kind == "windows":
            self._require(
                run_tool(
                    ["schtasks", "/Create", "/TN", windows.TASK_NAME, "/XML", str(self.path), "/F"]
                ),
                "schtasks",
            )
            return self._say("service.windows")
        return self._say("service.autostart")

    def deactivate(self) -> None:
        """Stop and disable before the file goes; a tool that is absent is not an error."""
        if self.kind == "systemd":
            self._systemctl("disable", "--now", systemd.UNIT_NAME)
        elif self.kind == "launchd":
            run_tool(["launchctl", "bootout", f"gui/{os.getuid()}/{launchd.LABEL}"])
        elif self.kind == "windows":
            run_tool(["schtasks", "/Delete", "/TN", windows.TASK_NAME, "/F"])

    def after_removal(self) -> None:
        if self.kind == "systemd":
            self._systemctl("daemon-reload")

    def _require(self, done: tuple[int, str] | None, what: str) -> None:
        if done is None:
            raise RuntimeFailure(self._say("service.tool_missing", tool=what.split()[0]))
        if done[0] != 0:
            reason = (
                done[1].splitlines()[-1]
                if done[1]
                else self._say("service.exit_status", code=done[0])
            )
            raise RuntimeFailure(self._say("service.tool_failed", what=what, reason=reason))


def systemd_user_session() -> str | None:
    """Return None when a systemd user session answers, else why not (for the message)."""
    done = run_tool(["systemctl", "--user", "show-environment"])
    if done is None:
        return "systemctl is not installed"
    if done[0] != 0:
        return (done[1].splitlines() or ["no systemd user session"])[-1]
    return None


def _target(args: argparse.Namespace, context: Context, platform: str) -> Target:
    sys_platform = _SYS_PLATFORM[platform]
    environ = context.environ
    if args.system:
        config = context.config_arg or systemd.SYSTEM_CONFIG
        return Target(tuple(installed_command(platform)), str(Path(config).absolute()), None)
    config = paths.config_path(context.config_arg, environ, platform=sys_platform)
    state = paths.state_dir(context.state_dir_arg, environ, platform=sys_platform)
    return Target(tuple(installed_command(platform)), str(config.absolute()), str(state.absolute()))


def _startup(args: argparse.Namespace, context: Context, platform: str) -> Startup:
    """Choose the startup file for ``platform`` and the options; raise UserError on a
    combination that makes no sense there."""
    locale = locale_of(context)
    if args.system and platform != "linux":
        raise UserError(t("service.system_linux", locale))
    if args.autostart and (platform != "linux" or args.system):
        raise UserError(t("service.autostart_user", locale))
    target = _target(args, context, platform)
    startup = _startup_for(args, context, platform, target)
    startup.config = target.config
    startup.locale = locale
    return startup


def _startup_for(
    args: argparse.Namespace, context: Context, platform: str, target: Target
) -> Startup:
    environ = context.environ
    if platform == "macos":
        return Startup(
            "launchd",
            launchd.agent_path(),
            launchd.render_plist(target),
            platform,
            state_dir=target.state_dir,
        )
    if platform == "windows":
        text = windows.render_task(target, user=_windows_user(environ))
        assert target.state_dir is not None  # noqa: S101 - user targets name their state
        path = Path(target.state_dir) / "reminderd-task.xml"
        return Startup("windows", path, text.encode("utf-16"), platform, state_dir=target.state_dir)
    if args.system:
        text = systemd.render_system_unit(target)
        return Startup("systemd", systemd.SYSTEM_UNIT_PATH, text.encode(), platform, system=True)
    if args.autostart:
        text = autostart.render_autostart(target)
        return Startup("autostart", autostart.autostart_path(environ), text.encode(), platform)
    return Startup(
        "systemd",
        systemd.user_unit_path(environ),
        systemd.render_user_unit(target).encode(),
        platform,
    )


def _windows_user(environ: os._Environ[str] | dict[str, str]) -> str | None:
    user = environ.get("USERNAME")
    if not user or sys.platform != "win32":
        return None
    domain = environ.get("USERDOMAIN")
    return f"{domain}\\{user}" if domain else user


def service(args: argparse.Namespace, context: Context) -> int:
    """Install, remove or inspect the startup file; ``--print`` only shows it.

    Given the parsed ``args`` (action, system, print_only, platform, autostart, no_enable)
    and the ``context``; returns the exit status. Raises UserError for a combination that
    does not apply (exit 2) and RuntimeFailure when a file or a platform tool refuses (exit 1).
    """
    here = current_platform()
    platform = args.platform or here
    startup = _startup(args, context, platform)
    if args.print_only:
        if args.action != "install":
            raise UserError(t("service.print_alone", startup.locale))
        text = startup.content.decode("utf-16" if startup.kind == "windows" else "utf-8")
        context.out.write(text)
        return EXIT_OK
    if platform != here:
        raise UserError(t("service.other_platform", startup.locale, platform=platform))
    if args.system and hasattr(os, "geteuid") and os.geteuid() != 0:
        raise UserError(t("service.root", startup.locale))
    if startup.kind == "systemd" and not startup.system and args.action == "install":
        if not getattr(args, "no_enable", False) and not args.autostart:
            missing = systemd_user_session()
            if missing is not None:
                # A desktop without a systemd user session still runs autostart entries.
                context.warn(t("service.no_session", startup.locale, why=missing))
                args.autostart = True
                startup = _startup(args, context, platform)
    if args.action == "install":
        return _install(startup, args, context)
    startups = [startup]
    if startup.kind == "systemd" and not startup.system:
        # A user unit or, without a user session, an autostart entry: look after either.
        args.autostart = True
        startups.append(_startup(args, context, platform))
    action = _uninstall if args.action == "uninstall" else _status
    present = [each for each in startups if each.path.exists()]
    for each in present or startups[:1]:
        action(each, args, context)
    return EXIT_OK


def _install(startup: Startup, args: argparse.Namespace, context: Context) -> int:
    from reminderd.config import load

    load(Path(startup.config))  # a service that starts with a broken config fails at every login
    try:
        changed = write_if_changed(startup.path, startup.content)
        if startup.state_dir is not None and startup.kind in ("launchd", "windows"):
            # The log file lives there, and launchd would not make the folder.
            Path(startup.state_dir).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or error
        raise RuntimeFailure(
            t("service.cannot_write", startup.locale, path=startup.path, reason=reason)
        ) from None
    said = "service.wrote" if changed else "service.unchanged"
    context.print(t(said, startup.locale, path=startup.path))
    if getattr(args, "no_enable", False):
        if startup.kind == "systemd":
            scope = "" if startup.system else " --user"
            command = (
                f"systemctl{scope} daemon-reload && "
                f"systemctl{scope} enable --now {systemd.UNIT_NAME}"
            )
            context.print(t("service.no_enable", startup.locale, command=command))
        return EXIT_OK
    context.print(startup.activate(changed))
    return EXIT_OK


def _uninstall(startup: Startup, args: argparse.Namespace, context: Context) -> int:
    present = startup.path.exists()
    if not getattr(args, "no_enable", False):
        startup.deactivate()
    try:
        startup.path.unlink(missing_ok=True)
    except OSError as error:
        reason = error.strerror or error
        raise RuntimeFailure(
            t("service.cannot_remove", startup.locale, path=startup.path, reason=reason)
        ) from None
    if not getattr(args, "no_enable", False):
        startup.after_removal()
    said = "service.removed" if present else "service.absent"
    context.print(t(said, startup.locale, path=startup.path))
    return EXIT_OK


def _status(startup: Startup, args: argparse.Namespace, context: Context) -> int:
    try:
        current = startup.path.read_bytes()
    except FileNotFoundError:
        context.print(t("service.not_installed", startup.locale, path=startup.path))
        return EXIT_OK
    except OSError as error:
        reason = error.strerror or error
        raise RuntimeFailure(
            t("service.cannot_read", startup.locale, path=startup.path, reason=reason)
        ) from None
    same = t("service.same" if current == startup.content else "service.differs", startup.locale)
    context.print(t("service.installed", startup.locale, path=startup.path, same=same))
    said = None if getattr(args, "no_enable", False) else startup.enabled()
    if said is not None:
        context.print(t("service.state", startup.locale, kind=startup.kind, said=said))
    return EXIT_OK
