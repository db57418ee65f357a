"""Weekly opening hours: ``"mon-fri 08:00-12:00,14:00-18:00; sat 09:00-12:00"``.

Groups ``DAYS WINDOWS`` are joined by ``;``. Days are ``mon``..``sun``, ranges (``mon-fri``,
wrapping ``sat-mon`` allowed) or lists (``mon,wed``). Windows are ``HH:MM-HH:MM`` in local
wall-clock time, half-open; ``24:00`` is allowed as an end. ``24/7`` is short for
``mon-sun 00:00-24:00``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from jalon.businesstime.errors import CalendarError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")

Window = tuple[int, int]
"""Minutes since local midnight, ``[start, end)``."""


@dataclass(frozen=True)
class WeeklyHours:
    days: tuple[tuple[Window, ...], ...]
    """Seven tuples (Monday first) of sorted, non-overlapping windows."""

    @classmethod
    def parse(cls, text: str, field: str = "hours") -> WeeklyHours:
        spec = text.strip()
        if spec.lower() == "24/7":
            spec = "mon-sun 00:00-24:00"
        if not spec:
            raise CalendarError(field, "empty opening hours")
        per_day: list[list[Window]] = [[] for _ in DAY_NAMES]
        for group in spec.split(";"):
            group = group.strip()
            if not group:
                continue
            parts = group.split(None, 1)
            if len(parts) != 2:
                raise CalendarError(field, f"{group!r}: expected DAYS HH:MM-HH:MM")
            for day in _parse_days(parts[0], field):
                per_day[day].extend(_parse_windows(parts[1], field))
        hours = cls(tuple(_check_overlaps(wins, day, field) for day, wins in enumerate(per_day)))
        if not any(hours.days):
            raise CalendarError(field, f"{text!r} opens at no time of the week")
        return hours

    def __str__(self) -> str:
        groups = []
        for day, windows in enumerate(self.days):
            if windows:
                spans = ",".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in windows)
                groups.append(f"{DAY_NAMES[day]} {spans}")
        return "; ".join(groups)


def _parse_days(text: str, field: str) -> list[int]:
    days: list[int] = []
    for item in text.lower().split(","):
        ends = item.split("-")
        if len(ends) > 2 or any(end not in DAY_NAMES for end in ends):
            raise CalendarError(field, f"{item!r}: days are mon..sun, a range mon-fri or a list mon,wed")
        first, last = DAY_NAMES.index(ends[0]), DAY_NAMES.index(ends[-1])
        span = (last - first) % 7
        days.extend((first + i) % 7 for i in range(span + 1))
    return days


def _parse_windows(text: str, field: str) -> list[Window]:
    windows = []
    for item in text.replace(" ", "").split(","):
        ends = item.split("-")
        if len(ends) != 2:
            raise CalendarError(field, f"{item!r}: expected HH:MM-HH:MM")
        start, end = _minutes(ends[0], field, item), _minutes(ends[1], field, item)
        if start >= 24 * 60:
            raise CalendarError(field, f"{item!r}: a window cannot start at 24:00")
        if end <= start:
            raise CalendarError(field, f"{item!r}: the window ends before it starts")
        windows.append((start, end))
    return windows


def _minutes(text: str, field: str, item: str) -> int:
    match = _TIME.match(text)
    if not match:
        raise CalendarError(field, f"{item!r}: {text!r} is not HH:MM")
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise CalendarError(field, f"{item!r}: {text!r} is not a time of day (00:00 to 24:00)")
    return hours * 60 + minutes


def _check_overlaps(windows: list[Window], day: int, field: str) -> tuple[Window, ...]:
    ordered = sorted(windows)
    for (a0, a1), (b0, b1) in pairwise(ordered):
        if b0 < a1:
            raise CalendarError(
                field,
                f"{DAY_NAMES[day]}: windows {_hhmm(a0)}-{_hhmm(a1)} and {_hhmm(b0)}-{_hhmm(b1)} overlap",
            )
    return tuple(ordered)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
