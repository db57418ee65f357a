"""Why a deadline falls where it does, in data the pages put into words.

A due instant on a business calendar is later than the same duration on the wall clock because
of the closed time in between: whole days closed (the week's closed days, public holidays, the
contract's closure days) and the nights between two open days. :func:`postponement` lists them
for one clock; :func:`week_groups` sums up the weekly hours (``mon-fri 08:00-18:00``) so that a
page can say "lun–ven 8h–18h". Pure functions of the calendar: no Django, no clock read.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays as holidays_package

from jalon.businesstime.calendar import Calendar
from jalon.businesstime.closed_days import public_holidays
from jalon.businesstime.errors import CalendarError
from jalon.businesstime.hours import DAY_NAMES, WeeklyHours, Window

SATURDAY, SUNDAY = 5, 6


@dataclass(frozen=True)
class DayGroup:
    """Consecutive days of the week (0 = Monday) that open at the same hours."""

    first: int
    last: int
    windows: tuple[Window, ...]


def week_groups(hours: WeeklyHours) -> tuple[DayGroup, ...]:
    """The open days of the week in runs with the same windows: ``mon-fri 08:00-18:00; sat
    09:00-12:00`` gives two groups. A run never wraps past Sunday."""
    groups: list[DayGroup] = []
    for day, windows in enumerate(hours.days):
        if not windows:
            continue
        last = groups[-1] if groups else None
        if last is not None and last.last == day - 1 and last.windows == windows:
            groups[-1] = DayGroup(last.first, day, windows)
        else:
            groups.append(DayGroup(day, day, windows))
    return tuple(groups)


def written(hours: WeeklyHours) -> str:
    """The weekly hours in their written form, days with the same hours joined:
    ``mon-fri 08:00-18:00; sat 09:00-12:00`` (``WeeklyHours.parse`` reads it back)."""
    parts = []
    for group in week_groups(hours):
        days = DAY_NAMES[group.first] + ("" if group.first == group.last else f"-{DAY_NAMES[group.last]}")
        windows = ",".join(f"{_hhmm(start)}-{_hhmm(end)}" for start, end in group.windows)
        parts.append(f"{days} {windows}")
    return "; ".join(parts)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def always_open(hours: WeeklyHours) -> bool:
    """Open around the clock every day (``24/7``)."""
    return all(windows == ((0, 24 * 60),) for windows in hours.days)


class Closure(enum.Enum):
    WEEKEND = "weekend"
    """Saturday or Sunday, closed every week."""
    WEEKDAY = "weekday"
    """Another day of the week the calendar never opens."""
    HOLIDAY = "holiday"
    CLOSURE = "closure"
    """A closure day of the contract."""


@dataclass(frozen=True)
class ClosedDay:
    day: date
    why: Closure
    name: str = ""
    """The public holiday's name, in the country's language (``Noël``)."""


@dataclass(frozen=True)
class Postponement:
    """The closed time between a clock's start and its due instant."""

    closed_days: tuple[ClosedDay, ...]
    nights: int
    """Closings between two open days crossed before the due instant (the close of the day the
    clock starts on included when it starts before the close)."""

    @property
    def pushed(self) -> bool:
        return bool(self.closed_days) or self.nights > 0

    def of(self, why: Closure) -> tuple[ClosedDay, ...]:
        return tuple(day for day in self.closed_days if day.why is why)


def postponement(calendar: Calendar, start: datetime, due: datetime, language: str = "fr"
                 ) -> Postponement:
    """What closed time lies between ``start`` and ``due`` on ``calendar``, day by day in the
    calendar's zone (a clock's due instant is at most a few weeks after its start); holidays
    named in ``language`` (a code of the holidays package: ``fr``, ``en_US``)."""
    if start.tzinfo is None or due.tzinfo is None:
        raise CalendarError("start", "instants need a UTC offset")
    if due < start:
        raise CalendarError("due", f"{due.isoformat()} is before start {start.isoformat()}")
    first, last = start.astimezone(calendar.zone), due.astimezone(calendar.zone)
    if calendar.hours.days and always_open(calendar.hours) and calendar.holidays == "none" and (
            not calendar.closures):
        return Postponement((), 0)
    names = holiday_names(calendar.holidays, first.year, last.year, language)
    closed: list[ClosedDay] = []
    nights = 0
    day = first.date()
    while day <= last.date():
        reason = _closed_all_day(calendar, day, names)
        if reason is not None:
            closed.append(reason)
        elif day < last.date() and _closes_after(calendar.hours, day, first):
            nights += 1
        day += timedelta(days=1)
    return Postponement(tuple(closed), nights)


def _closed_all_day(calendar: Calendar, day: date, names: dict[date, str]) -> ClosedDay | None:
    if day in names:
        return ClosedDay(day, Closure.HOLIDAY, names[day])
    if day in calendar.closures:
        return ClosedDay(day, Closure.CLOSURE)
    if not calendar.hours.days[day.weekday()]:
        weekend = day.weekday() in (SATURDAY, SUNDAY)
        return ClosedDay(day, Closure.WEEKEND if weekend else Closure.WEEKDAY)
    return None


def _closes_after(hours: WeeklyHours, day: date, start: datetime) -> bool:
    """Whether ``day`` closes before midnight after ``start`` (a night the clock waits through)."""
    windows = hours.days[day.weekday()]
    closing = windows[-1][1]
    if closing >= 24 * 60:
        return False
    return day > start.date() or closing > start.hour * 60 + start.minute


@lru_cache(maxsize=64)
def holiday_names(code: str, first_year: int, last_year: int, language: str = "fr") -> dict[date, str]:
    """The public holidays of ``code`` (``FR``, ``FR-6AE``…, as the calendar holds it) with
    their names in ``language`` when the package has it, else in the country's own."""
    if code == "none":
        return {}
    country, _, subdivision = code.partition("-")
    kind = type(holidays_package.country_holidays(country))
    spoken = language if language in getattr(kind, "supported_languages", ()) else None
    days = holidays_package.country_holidays(country, subdiv=subdivision or None, language=spoken,
                                             years=range(first_year, last_year + 1))
    known = public_holidays(code, first_year, last_year)
    return {day: str(name) for day, name in days.items() if day in known}
