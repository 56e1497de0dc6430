"""The systemd units ``service install`` writes on Linux: pure text from a :class:`Target`.

The user unit mirrors ``systemd/reminderd.service``; the system unit carries the hardening of
``systemd/reminderd-system.service`` (a test keeps the two identical, line for line).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from reminderd.platform import Target

UNIT_NAME = "reminderd.service"
SYSTEM_UNIT_PATH = Path("/etc/systemd/system") / UNIT_NAME
SYSTEM_CONFIG = "/etc/reminderd/config.yaml"


def user_unit_path(env: Mapping[str, str] = os.environ) -> Path:
    """Return ``$XDG_CONFIG_HOME/systemd/user/reminderd.service`` (``~/.config`` by default)."""
    base = env.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return root / "systemd" / "user" / UNIT_NAME


def quote_exec(arguments: Sequence[str]) -> str:
    """Return ``arguments`` as one ``ExecStart=`` value that systemd splits back exactly.

    Each word is double-quoted when it holds anything but plain characters; ``%`` (a
    specifier) becomes ``%%`` and ``$`` (a variable) becomes ``$$``.
    """
    words = []
    for argument in arguments:
        word = argument.replace("%", "%%").replace("$", "$$")
        if word and all(c.isalnum() or c in "/._-+:,@=" for c in word):
            words.append(word)
        else:
            escaped = word.replace("\\", "\\\\").replace('"', '\\"')
            words.append(f'"{escaped}"')
    return " ".join(words)


def render_user_unit(target: Target) -> str:
    """Return the text of the systemd user unit that runs ``target`` in the user's session."""
    return f"""\
# reminderd as a systemd *user* service, written by `reminderd service install`.
# Remove it with `reminderd service uninstall`; see it with `systemctl --user status reminderd`.
[Unit]
Description=reminderd repayment reminders
After=graphical-session.target
# Never restart in a tight loop on a broken install: five tries in ten minutes, then stop.
StartLimitIntervalSec=600
StartLimitBurst=5

[Service]
# Type=notify: systemd waits for READY=1, sent once reminders are scheduled.
Type=notify
NotifyAccess=main
ExecStart={quote_exec(target.arguments())}
# SIGHUP re-reads the config; a config with errors keeps the last good one running.
ExecReload=kill -HUP $MAINPID
Restart=on-failure
RestartSec=30
# These need no privileges, so a user service may use them.
NoNewPrivileges=yes
PrivateTmp=yes
LockPersonality=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
SystemCallArchitectures=native

[Install]
WantedBy=default.target
"""


# The [Service] hardening of systemd/reminderd-system.service, shared with the template unit.
SYSTEM_HARDENING = """\
# --- Identity and files -------------------------------------------------------------------
# A throw-away user made up at start: reminderd owns nothing else on the machine.
DynamicUser=yes
StateDirectoryMode=0700
UMask=0077
# The whole file system is read-only but for the state directory (relax with ReadWritePaths=).
ProtectSystem=strict
# No access to /home, /root, /run/user: reminderd has no business there.
ProtectHome=yes
PrivateTmp=yes
# No devices at all.
PrivateDevices=yes
# Hide other users' processes; reminderd looks at none.
ProtectProc=invisible
ProcSubset=pid

# --- Kernel and privileges ----------------------------------------------------------------
# Nothing it starts can gain privileges (setuid binaries, file capabilities).
NoNewPrivileges=yes
# No capabilities at all, neither held nor passed on: sending mail needs none.
CapabilityBoundingSet=
AmbientCapabilities=
# /proc/sys, /sys and kernel tunables are read-only; no module loading; no kernel log.
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
# The cgroup tree is read-only.
ProtectControlGroups=yes
# It may read the clock, never set it.
ProtectClock=yes
# It may not change the host name.
ProtectHostname=yes
# No switching of the execution domain (personality).
LockPersonality=yes
# No memory that is both writable and executable (CPython needs none; relax only for a JIT).
MemoryDenyWriteExecute=yes
# No realtime scheduling: a reminder service must never starve the machine.
RestrictRealtime=yes
# It may not create setuid/setgid files.
RestrictSUIDSGID=yes
# No new user, network, mount … namespaces.
RestrictNamespaces=yes
# System V IPC objects it made are removed when it stops.
RemoveIPC=yes
# It sees only its own user and root: no other users' IDs to act as.
PrivateUsers=yes
# Only what a Python program sending mail needs.
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
SystemCallErrorNumber=EPERM

# --- Network ------------------------------------------------------------------------------
# IPv4/IPv6 to reach the mail server (and serve the calendar feed if configured), Unix
# sockets for the journal and sd_notify. Nothing else (no raw sockets, no netlink).
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
DevicePolicy=closed
"""


def render_system_unit(target: Target) -> str:
    """Return the hardened system unit (e-mail only, no desktop) that runs ``target``.

    ``target.state_dir`` is ignored: systemd makes ``/var/lib/reminderd`` and hands it over
    as ``$STATE_DIRECTORY``.
    """
    command = quote_exec([*target.command, "--config", target.config, "run"])
    return f"""\
# reminderd as a hardened *system* service (e-mail only), written by
# `reminderd service install --system`. Its ledger lives in /var/lib/reminderd.
[Unit]
Description=reminderd repayment reminders (e-mail)
Wants=network-online.target
After=network-online.target

[Service]
Type=notify
NotifyAccess=main
ExecStart={command}
ExecReload=kill -HUP $MAINPID
Restart=on-failure
RestartSec=30
StateDirectory=reminderd
{SYSTEM_HARDENING}
[Install]
WantedBy=multi-user.target
"""
