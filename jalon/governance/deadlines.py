"""Business-day arithmetic for committees: delays counted in whole business days of a
convention calendar (a day is a business day when the calendar has open time in it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from jalon.businesstime import Calendar

MAX_SEARCH_DAYS = 400


def local_midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(tz)).astimezone(UTC)


def end_of(day: date, tz: str) -> datetime:
    """The instant the local day ``day`` ends (midnight after it), in UTC."""
    return local_midnight(day + timedelta(days=1), tz)


def local_day(instant: datetime, tz: str) -> date:
    return instant.astimezone(ZoneInfo(tz)).date()


def is_business_day(calendar: Calendar, day: date) -> bool:
    return calendar.elapsed(local_midnight(day, calendar.tz), end_of(day, calendar.tz)) > 0


def shift_business_days(calendar: Calendar, day: date, count: int) -> date:
    """The ``count``-th business day after ``day`` (before it when negative); ``day`` itself
    for 0."""
    step = 1 if count >= 0 else -1
    left, current = abs(count), day
    for _ in range(MAX_SEARCH_DAYS * max(1, left)):
        if left == 0:
            return current
        current += timedelta(days=step)
        if is_business_day(calendar, current):
            left -= 1
    raise ValueError(f"no business day within {MAX_SEARCH_DAYS} days of {day.isoformat()}")


def business_days_between(calendar: Calendar, first: date, last: date) -> int:
    """Business days in ``(first, last]`` (negative when ``last`` is before ``first``)."""
    if last < first:
        return -business_days_between(calendar, last, first)
    return sum(1 for n in range(1, (last - first).days + 1)
               if is_business_day(calendar, first + timedelta(days=n)))


def agenda_due(calendar: Calendar, starts_at: datetime, days_before: int) -> datetime:
    """The end of the business day ``days_before`` business days before the meeting's day (0:
    the business day before, as "au moins la veille")."""
    day = shift_business_days(calendar, local_day(starts_at, calendar.tz), -max(days_before, 1))
    return end_of(day, calendar.tz)


def days_after_due(calendar: Calendar, start: datetime, days: int) -> datetime:
    """The end of the ``days``-th business day after ``start``'s day."""
    day = shift_business_days(calendar, local_day(start, calendar.tz), days)
    return end_of(day, calendar.tz)
