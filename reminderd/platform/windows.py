"""A Task Scheduler task for Windows: starts ``reminderd run`` at logon with ``pythonw.exe``,
so no console window opens; its output goes to a log file in the state folder (see
:mod:`reminderd.platform.background`)."""

from __future__ import annotations

import ntpath
import os
import posixpath
import subprocess
from xml.etree import ElementTree as ET

from reminderd.platform import Target

TASK_NAME = "reminderd"
LOG_NAME = "reminderd.log"
NAMESPACE = "http://schemas.microsoft.com/windows/2004/02/mit/task"


def log_path(target: Target) -> str:
    """Return the log file's path: ``reminderd.log`` in the state folder."""
    assert target.state_dir is not None  # noqa: S101 - a task always names its state
    # Windows separators, also when the file is printed elsewhere for a Windows path.
    join = ntpath.join if "\\" in target.state_dir or os.name == "nt" else posixpath.join
    return join(target.state_dir, LOG_NAME)


def task_arguments(target: Target) -> list[str]:
    """Return the arguments after the program: the background module's log, then the CLI's."""
    program, *rest = target.arguments()
    del program
    if rest[:2] == ["-m", "reminderd.platform.background"]:
        rest = [*rest[:2], log_path(target), *rest[2:]]
    return rest


def render_task(target: Target, user: str | None = None) -> str:
    """Return the Task Scheduler XML (schema 1.2) that runs ``target`` at ``user``'s logon.

    Without ``user`` the logon trigger names no user, which ``schtasks /Create`` takes as
    the user creating the task.
    """
    ET.register_namespace("", NAMESPACE)

    def add(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
        element = ET.SubElement(parent, f"{{{NAMESPACE}}}{name}")
        if text is not None:
            element.text = text
        return element

    task = ET.Element(f"{{{NAMESPACE}}}Task", {"version": "1.2"})
    info = add(task, "RegistrationInfo")
    add(info, "Description", "reminderd repayment reminders, started at logon")
    add(info, "URI", f"\\{TASK_NAME}")
    trigger = add(add(task, "Triggers"), "LogonTrigger")
    add(trigger, "Enabled", "true")
    if user:
        add(trigger, "UserId", user)
    principal = add(add(task, "Principals"), "Principal", None)
    principal.set("id", "Author")
    add(principal, "LogonType", "InteractiveToken")
    add(principal, "RunLevel", "LeastPrivilege")
    settings = add(task, "Settings")
    add(settings, "MultipleInstancesPolicy", "IgnoreNew")
    add(settings, "DisallowStartIfOnBatteries", "false")
    add(settings, "StopIfGoingOnBatteries", "false")
    # No time limit: the service runs for the whole session.
    add(settings, "ExecutionTimeLimit", "PT0S")
    restart = add(settings, "RestartOnFailure")
    add(restart, "Interval", "PT1M")
    add(restart, "Count", "5")
    add(settings, "Enabled", "true")
    actions = add(task, "Actions", None)
    actions.set("Context", "Author")
    execute = add(actions, "Exec")
    add(execute, "Command", target.command[0])
    add(execute, "Arguments", subprocess.list2cmdline(task_arguments(target)))
    if target.state_dir:
        add(execute, "WorkingDirectory", target.state_dir)
    ET.indent(task)
    body = ET.tostring(task, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-16"?>\n{body}\n'
