"""Business durations: minutes and hours of open time, or business days.

A business day is never implicit: it is either a fixed amount of open time (seed 002:
"1 j = 10 h") or "the same time of day N business days later" (a contract's "1 jour ouvré").
A :class:`Duration` in business days carries its rule, or takes the calendar's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from jalon.businesstime.errors import CalendarError


class DayRule(Enum):
    FIXED = "fixed"
    SAME_TIME = "same_time"


@dataclass(frozen=True)
class BusinessDay:
    rule: DayRule
    minutes: int = 0
    """Open minutes in one business day, for the FIXED rule."""

    @classmethod
    def fixed(cls, minutes: int) -> BusinessDay:
        if minutes <= 0:
            raise CalendarError("business_day", f"a business day must last more than 0 minutes, not {minutes}")
        return cls(DayRule.FIXED, minutes)

    @classmethod
    def same_time(cls) -> BusinessDay:
        return cls(DayRule.SAME_TIME)

    @classmethod
    def parse(cls, text: str, field: str = "business_day") -> BusinessDay:
        """``same_time``, or a fixed length such as ``10h``, ``600min``, ``7h30``."""
        value = text.strip().lower().replace(" ", "")
        if value in {"same_time", "same-time", "meme_heure"}:
            return cls.same_time()
        seconds = _parse_open_time(value)
        if seconds is None:
            raise CalendarError(field, f"{text!r}: expected same_time or a length such as 10h")
        return cls.fixed(seconds // 60)


@dataclass(frozen=True)
class Duration:
    seconds: int = 0
    """Open time to count, when the duration is not in business days."""
    days: int = 0
    """Business days, counted by ``rule`` (or the calendar's rule when None)."""
    rule: BusinessDay | None = None

    @classmethod
    def minutes(cls, minutes: float) -> Duration:
        if minutes <= 0:
            raise CalendarError("duration", f"a duration must be more than 0 minutes, not {minutes}")
        return cls._open_time(round(minutes * 60))

    @classmethod
    def hours(cls, hours: float) -> Duration:
        return cls._open_time(round(hours * 3600))

    @classmethod
    def business_days(cls, days: int, rule: BusinessDay | None = None) -> Duration:
        if days <= 0:
            raise CalendarError("duration", f"a duration must be more than 0 days, not {days}")
        return cls(days=days, rule=rule)

    @classmethod
    def _open_time(cls, seconds: int) -> Duration:
        if seconds <= 0:
            raise CalendarError("duration", f"a duration must be more than 0, not {seconds} s")
        return cls(seconds=seconds)

    @property
    def in_days(self) -> bool:
        return self.days > 0

    @classmethod
    def parse(cls, text: str, field: str = "duration", rule: BusinessDay | None = None) -> Duration:
        """``30min``, ``4h``, ``7h30``, ``1j``, ``2 jours ouvrés``, ``1 semaine`` (5 business days),
        ``48 h ouvrées``. Days take ``rule``, or the calendar's when ``rule`` is None."""
        value = text.strip().lower()
        value = re.sub(r"\s*(ouvrés|ouvrées|ouvré|ouvrée|ouvrables?|business)\s*$", "", value)
        compact = value.replace(" ", "")
        days = _parse_days(compact)
        if days is not None:
            return cls.business_days(days, rule)
        seconds = _parse_open_time(compact)
        if seconds is None:
            raise CalendarError(
                field, f"{text!r} is not a duration (examples: 30min, 4h, 7h30, 1j, 2 jours ouvrés)"
            )
        return cls._open_time(seconds)

    def __str__(self) -> str:
        if self.in_days:
            return f"{self.days} j"
        hours, rest = divmod(self.seconds // 60, 60)
        return f"{hours} h {rest:02d}" if rest else f"{hours} h"


_DAYS = re.compile(r"^(\d+)(j|jour|jours|d|day|days|semaine|semaines|sem|w|week|weeks)$")
_OPEN_TIME = re.compile(
    r"^(?:(\d+(?:[.,]\d+)?)(h|heure|heures|hour|hours))?(\d+)?(?:(min|mn|minute|minutes|m))?$"
)


def _parse_days(value: str) -> int | None:
    match = _DAYS.match(value)
    if not match:
        return None
    count = int(match[1])
    return count * 5 if match[2] in {"semaine", "semaines", "sem", "w", "week", "weeks"} else count


def _parse_open_time(value: str) -> int | None:
    """``4h`` / ``7h30`` / ``90min`` / ``1.5h`` to seconds; None when not of that form."""
    match = _OPEN_TIME.match(value)
    if not match or not value:
        return None
    hours, _, minutes, minute_unit = match.groups()
    if hours is None and minute_unit is None:
        return None  # a bare number has no unit
    if hours is not None and minutes is not None and minute_unit is None and "." in value:
        return None
    total = float(hours.replace(",", ".")) * 3600 if hours else 0.0
    if minutes is not None:
        total += int(minutes) * 60
    return round(total)
