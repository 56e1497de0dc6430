"""reminderd: repayment reminders that do not let a due date slip."""

__version__ = "0.1.0"
