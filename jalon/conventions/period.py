"""Periods and the contract year: Jalon's one definition of both, for the scorecard engine, the
dashboard, the API and the pages.

A :class:`Period` is a span of whole days, ``first_day`` to ``last_day`` included, written
``2026`` (a year), ``2026-Q1`` (a quarter), ``2026-03`` (a month) or ``2026-01-15..2026-02-14``
(any days, both included). Read in a contract's zone it runs from the local midnight that
starts its first day to the one after its last: ``[start, end)``, half-open.

A :class:`ContractYear` says how a contract counts its years ("année du marché", seed 002
L6288): from its start date when known, else twelve months ending with ``year_end_month``
(D-50 in ``docs/conventions-decisions.md``).

Pure Python and numpy, no Django: errors are :class:`PeriodError` (a ``ValueError``) in
English; the dashboard words them in French (``jalon.dashboard.periods``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

_NAMED = re.compile(r"^(\d{4})(?:-Q([1-4])|-(\d{2}))?$")
_DAYS = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
"""Months in a sub-period of each indicator frequency."""
WEEKLY_BUCKETS_UP_TO_DAYS = 31
"""A period of this many days or fewer is charted by weeks, a longer one by months."""


class PeriodError(ValueError):
    """``text`` is not a period; the message says why."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"{text!r}: {reason}")
        self.text = text


class NotAPeriod(PeriodError):
    """Neither a year, a quarter, a month nor two days."""


class NoSuchDay(PeriodError):
    """Two days, one of which does not exist (``2026-02-30``)."""


class EndBeforeStart(PeriodError):
    """Two days, the last before the first."""


@dataclass(frozen=True, order=True)
class Period:
    first_day: date
    last_day: date
    """Included."""

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError(f"a period cannot end ({self.last_day}) before it starts ({self.first_day})")

    # -- making one ---------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> Period:
        text = text.strip()
        days = _DAYS.match(text)
        if days:
            try:
                first, last = date.fromisoformat(days[1]), date.fromisoformat(days[2])
            except ValueError:
                raise NoSuchDay(text, "one of the two days does not exist") from None
            if last < first:
                raise EndBeforeStart(text, "the last day precedes the first")
            return cls(first, last)
        named = _NAMED.match(text)
        if named is None:
            raise NotAPeriod(text, "expected 2026, 2026-Q1, 2026-03 or 2026-01-15..2026-02-14")
        year = int(named[1])
        if named[2]:
            return cls.of_months(year, 3 * int(named[2]) - 2, 3)
        if named[3]:
            month = int(named[3])
            if not 1 <= month <= 12:
                raise NotAPeriod(text, f"month {month} does not exist")
            return cls.of_months(year, month, 1)
        return cls.of_months(year, 1, 12)

    @classmethod
    def of_months(cls, year: int, first_month: int, months: int) -> Period:
        """``months`` whole months from ``first_month`` of ``year``."""
        return cls._months_from_index(year * 12 + first_month - 1, months)

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        return cls.of_months(day.year, 3 * ((day.month - 1) // 3) + 1, 3)

    @classmethod
    def _months_from_index(cls, first: int, months: int) -> Period:
        return cls(_month_start(first), _month_start(first + months) - timedelta(days=1))

    def __str__(self) -> str:
        """The shortest name: ``2026-Q1`` rather than ``2026-01-01..2026-03-31``."""
        if self.is_whole_months:
            months, first = len(self.month_indexes()), self.first_day
            if months == 12 and first.month == 1:
                return str(first.year)
            if months == 3 and first.month % 3 == 1:
                return f"{first.year}-Q{(first.month + 2) // 3}"
            if months == 1:
                return f"{first.year}-{first.month:02d}"
        return f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"

    # -- days -------------------------------------------------------------------------------

    @property
    def start(self) -> date:
        return self.first_day

    @property
    def end(self) -> date:
        """The first day after the period."""
        return self.last_day + timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def holds(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def contains(self, other: Period) -> bool:
        return self.first_day <= other.first_day and other.last_day <= self.last_day

    # -- months -----------------------------------------------------------------------------

    @property
    def is_whole_months(self) -> bool:
        return self.first_day.day == 1 and self.end.day == 1

    def month_indexes(self) -> range:
        """The months the period touches, as ``year * 12 + month - 1``."""
        first = _month_index(self.first_day)
        return range(first, _month_index(self.last_day) + 1)

    def split(self, frequency: str) -> list[Period]:
        """The sub-periods of ``frequency`` (``monthly``, ``quarterly``, ``yearly``) inside this
        one, counted in months from its first month and cut to its days; itself when it is not
        longer than one of them."""
        size, months = MONTHS[frequency], self.month_indexes()
        if size >= len(months):
            return [self]
        pieces = [Period._months_from_index(m, size) for m in months[::size]]
        return [self._cut(p) for p in pieces]

    @property
    def in_weeks(self) -> bool:
        """Whether :meth:`buckets` cuts it in weeks rather than months."""
        return self.days <= WEEKLY_BUCKETS_UP_TO_DAYS

    def buckets(self) -> list[Period]:
        """The period cut for charts: weeks (Monday to Sunday, cut to the period) up to 31 days,
        calendar months (cut likewise) beyond."""
        if not self.in_weeks:
            return self.split("monthly")
        pieces = []
        day = self.first_day
        while day <= self.last_day:
            sunday = day + timedelta(days=6 - day.weekday())
            pieces.append(Period(day, min(sunday, self.last_day)))
            day = sunday + timedelta(days=1)
        return pieces

    def _cut(self, other: Period) -> Period:
        return Period(max(self.first_day, other.first_day), min(self.last_day, other.last_day))

    # -- instants ---------------------------------------------------------------------------

    def bounds(self, tz: str) -> tuple[np.datetime64, np.datetime64]:
        """``[start, end)`` as UTC ``datetime64[s]`` (the engines' unit), the days read in the
        contract's zone ``tz``."""
        start, end = self.datetime_bounds(tz)
        return np.datetime64(int(start.timestamp()), "s"), np.datetime64(int(end.timestamp()), "s")

    def datetime_bounds(self, tz: str) -> tuple[datetime, datetime]:
        """``[start, end)`` as aware datetimes in ``tz``: the first instant of the first day to
        the first instant after the last."""
        zone = ZoneInfo(tz)
        return _first_instant(self.first_day, zone), _first_instant(self.end, zone)


@dataclass(frozen=True)
class ContractYear:
    """How a contract counts its years ("chaque année du marché", seed 002 L6288): from its
    start date when one is known, else twelve months ending with ``year_end_month``. Which start
    wins when several are known: D-50 (``docs/conventions-decisions.md``)."""

    starts: date | None = None
    year_end_month: int = 12

    def holding(self, day: date) -> Period:
        """The contract year holding ``day``."""
        if self.starts is None:
            last_year = day.year if day.month <= self.year_end_month else day.year + 1
            return Period._months_from_index(last_year * 12 + self.year_end_month - 12, 12)
        first = _anniversary(self.starts, day.year)
        if first > day:
            first = _anniversary(self.starts, day.year - 1)
        return Period(first, _anniversary(self.starts, first.year + 1) - timedelta(days=1))

    def ending_in(self, period: Period) -> Period | None:
        """The first contract year whose last day falls in ``period``, if any: where a yearly
        indicator is counted ("au 4ème et dernier trimestre", seed 002 L6288)."""
        year = self.holding(period.first_day)
        return year if year.last_day <= period.last_day else None


def _anniversary(start: date, year: int) -> date:
    """``start``'s day in ``year``: 28 February for a 29 February in a common year."""
    if (start.month, start.day) == (2, 29) and not _leap(year):
        return date(year, 2, 28)
    return start.replace(year=year)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _first_instant(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight of ``day``, or the first instant after it where midnight does not exist
    (a zone whose clocks go forward at 00:00, e.g. America/Santiago): the wall clock read with
    the offset before the change (``fold=0``) gives that instant, normalised here."""
    local = datetime(day.year, day.month, day.day, tzinfo=zone)
    return datetime.fromtimestamp(local.timestamp(), zone)
