"""From a convention's calendar section to :class:`jalon.businesstime.Calendar`."""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

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


def record_durations(
    values: npt.NDArray[np.object_], spec: CalendarSpec
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Open seconds of durations written on records (a purchase order's delay): per value, its
    seconds, whether one is written, and whether what is written is not a duration. Each
    distinct value is parsed once."""
    parsed: dict[object, tuple[int, bool, bool]] = {}
    for value in dict.fromkeys(values):
        text = str(value).strip()
        try:
            parsed[value] = (duration_seconds(text, spec), True, False) if text else (0, False, False)
        except CalendarError:
            parsed[value] = (0, False, True)
    rows = [parsed[value] for value in values]
    return (
        np.array([r[0] for r in rows], np.int64),
        np.array([r[1] for r in rows], bool),
        np.array([r[2] for r in rows], bool),
    )
