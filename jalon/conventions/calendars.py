"""From a convention's calendar section to :class:`jalon.businesstime.Calendar`."""

from __future__ import annotations

from functools import cache

from jalon.businesstime import BusinessDay, Calendar, CalendarError, Duration
from jalon.conventions.model import CalendarSpec


def business_day(text: str) -> BusinessDay | None:
    """``10h`` / ``600min`` (fixed open time), ``same_time``, or ``none``."""
    if text.strip().lower() == "none":
        return None
    return BusinessDay.parse(text)


@cache
def build_calendar(spec: CalendarSpec) -> Calendar:
    # Calendar.build shares one calendar per specification but parses the text first; the
    # platform asks for a ticket's calendars at every change, so the parse is cached too.
    return Calendar.build(
        hours=spec.hours,
        holidays=spec.holidays,
        closures=spec.closures,
        tz=spec.tz,
        business_day=business_day(spec.business_day),
    )


def duration_seconds(text: str, spec: CalendarSpec | None) -> int:
    """Open seconds a written duration stands for on ``spec``'s calendar.

    Clock targets must be open time, so a duration in days needs a fixed business day
    (seed 002 L6135: "P2 = 1J (10h)"); ``same_time`` days are refused here, with the reason.
    """
    duration = Duration.parse(text)
    if not duration.in_days:
        return duration.seconds
    rule = duration.rule or (business_day(spec.business_day) if spec else None)
    if rule is None:
        where = f"calendar {spec.id!r}" if spec else "this value"
        raise CalendarError("business_day", f"{text!r} is in days but {where} has no business_day")
    if rule.minutes <= 0:
        raise CalendarError("business_day", f"{text!r}: a target in days needs a fixed business_day (e.g. 10h)")
    return duration.days * rule.minutes * 60
