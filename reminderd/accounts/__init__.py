"""Payments and where the money stands: the ``pay``, ``history`` and ``status`` commands and
the pure ``status_report`` behind ``status``."""

from __future__ import annotations

from reminderd.accounts.commands import history, pay, status
from reminderd.accounts.report import status_report

__all__ = ["history", "pay", "status", "status_report"]
