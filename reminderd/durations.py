"""Durations (``1d12h``, ``P1D``) and plan steps (``1 month``).

A :class:`Lead` keeps calendar days apart from exact seconds because the spec gives them
different meanings: ``1d`` is "the same local time one calendar day earlier", across DST,
while ``24h`` is exactly 86,400 seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC as _UTC
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

_COMPACT = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_ISO = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_STEP = re.compile(r"^(\d+)\s*(day|week|month|year)s?$")
MAX_DAYS = 3660  # ten years: no reminder lead or repeat needs more
_MAX_DIGITS = 12  # more digits exceed any bound; int() itself fails past 4,300 of them


@dataclass(frozen=True, order=True)
class Lead:
    """A span of ``days`` calendar days plus ``seconds`` exact seconds."""

    days: int = 0
    seconds: int = 0

    def is_zero(self) -> bool:
        return self.days == 0 and self.seconds == 0

    def before(self, instant: datetime) -> datetime:
        """Return ``instant`` moved back by this span, calendar days in wall-clock time."""
        return self._shift(instant, -1)

    def after(self, instant: datetime, times: int = 1) -> datetime:
        """Return ``instant`` moved forward by ``times`` spans."""
        return self._shift(instant, times)

    def _shift(self, instant: datetime, sign: int) -> datetime:
        zone = instant.tzinfo
        moved = instant
        if self.days:
            # Wall-clock arithmetic: same local time N days away, then resolve the zone anew.
            wall = instant.replace(tzinfo=None) + timedelta(days=sign * self.days)
            moved = resolve_local(wall, zone)  # type: ignore[arg-type]
        if self.seconds:
            utc = moved.astimezone(_UTC) + timedelta(seconds=sign * self.seconds)
            moved = utc.astimezone(zone)
        return moved

    def as_text(self) -> str:
        """Return the compact form (``1d12h``, ``0d``)."""
        parts = []
        if self.days:
            parts.append(f"{self.days}d")
        hours, rest = divmod(self.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        for value, unit in ((hours, "h"), (minutes, "m"), (seconds, "s")):
            if value:
                parts.append(f"{value}{unit}")
        return "".join(parts) or "0d"

    def approximate_seconds(self) -> int:
        return self.days * 86400 + self.seconds


def parse_duration(text: str) -> Lead:
    """Parse ``30s``, ``2h``, ``1d12h``, ``1w`` or ISO 8601 ``P1DT12H``.

    Raises ``ValueError`` for anything else, or for spans longer than ten years.
    """
    cleaned = str(text).strip()
    match = _COMPACT.match(cleaned)
    if match is None or not cleaned:
        match = _ISO.match(cleaned.upper())
        if match is None or cleaned.upper() in ("P", "PT"):
            raise ValueError(f"not a duration: {text!r} (write 30s, 30m, 2h, 1d, 1w, 1d12h or P1D)")
    if any(len(group.lstrip("0")) > _MAX_DIGITS for group in match.groups() if group):
        raise ValueError(f"{text} is too long: at most ten years")
    weeks, days, hours, minutes, seconds = (int(group or 0) for group in match.groups())
    lead = Lead(days=weeks * 7 + days, seconds=hours * 3600 + minutes * 60 + seconds)
    if lead.approximate_seconds() > MAX_DAYS * 86400:
        raise ValueError(f"{text} is too long: at most ten years")
    return lead


@dataclass(frozen=True)
class Step:
    """A plan's ``every``: ``count`` units of ``unit`` (day, week, month or year)."""

    count: int
    unit: str

    def as_text(self) -> str:
        return f"{self.count} {self.unit}{'s' if self.count != 1 else ''}"

    def periods_per_year(self) -> float:
        """Approximate periods in a year, used only for sanity bounds."""
        per = {"day": 365, "week": 52, "month": 12, "year": 1}[self.unit]
        return per / self.count


def parse_step(text: str) -> Step:
    """Parse ``1 month``, ``2 weeks``, ``14 days``, ``1 year``; raise ``ValueError`` otherwise."""
    match = _STEP.match(str(text).strip().lower())
    if match is None:
        raise ValueError(
            f"not a step: {text!r} (write N days, N weeks, N months or N years, e.g. 1 month)"
        )
    if len(match.group(1).lstrip("0")) > _MAX_DIGITS:
        raise ValueError(f"{text} is too long a step: at most ten years")
    count = int(match.group(1))
    if count < 1:
        raise ValueError("the step must be at least 1")
    limit = {"day": 3660, "week": 520, "month": 120, "year": 10}[match.group(2)]
    if count > limit:
        raise ValueError(f"{text} is too long a step: at most ten years")
    return Step(count, match.group(2))


def resolve_local(wall: datetime, zone: ZoneInfo) -> datetime:
    """Attach ``zone`` to a naive wall-clock time as the spec says.

    A time that does not exist (a DST gap) moves forward by the gap; an ambiguous one (a DST
    fold) takes the first occurrence.
    """
    candidate = wall.replace(tzinfo=zone, fold=0)
    before = candidate.utcoffset()
    after = wall.replace(tzinfo=zone, fold=1).utcoffset()
    if before is None or after is None or before >= after:
        # An ordinary time (both folds agree) or a fold, where fold=0 is the first.
        return candidate
    # In a gap: fold=0 uses the offset before the gap, so the UTC instant lands after the
    # gap by exactly its length, which is "moved forward by the gap".
    return candidate.astimezone(_UTC).astimezone(zone)
