"""Business time on a contract's calendar (pure Python + numpy; no Django, no clock reads).

See :mod:`jalon.businesstime.calendar` for the semantics and docs/businesstime.md for the guide.
"""

from __future__ import annotations

from jalon.businesstime.calendar import Calendar
from jalon.businesstime.duration import BusinessDay, DayRule, Duration
from jalon.businesstime.errors import CalendarError
from jalon.businesstime.hours import WeeklyHours

__all__ = ["BusinessDay", "Calendar", "CalendarError", "DayRule", "Duration", "WeeklyHours"]
