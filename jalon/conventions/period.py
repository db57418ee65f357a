"""Scoring periods: a year (``2026``), a quarter (``2026-Q1``) or a month (``2026-03``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np

_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4])|-(\d{2}))?$")
MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    first_month: int
    months: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text.strip())
        if match is None:
            raise ValueError(f"{text!r}: expected 2026, 2026-Q1 or 2026-03")
        year = int(match[1])
        if match[2]:
            return cls(year, 3 * int(match[2]) - 2, 3)
        if match[3]:
            month = int(match[3])
            if not 1 <= month <= 12:
                raise ValueError(f"{text!r}: month {month} does not exist")
            return cls(year, month, 1)
        return cls(year, 1, 12)

    def __str__(self) -> str:
        if self.months == 12 and self.first_month == 1:
            return str(self.year)
        if self.months == 3 and self.first_month % 3 == 1:
            return f"{self.year}-Q{(self.first_month + 2) // 3}"
        if self.months == 1:
            return f"{self.year}-{self.first_month:02d}"
        return f"{self.start}..{self.end}"

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """First day after the period."""
        index = self.year * 12 + self.first_month - 1 + self.months
        return date(index // 12, index % 12 + 1, 1)

    def month_indexes(self) -> range:
        first = self.year * 12 + self.first_month - 1
        return range(first, first + self.months)

    def contains(self, other: Period) -> bool:
        mine, theirs = self.month_indexes(), other.month_indexes()
        return mine.start <= theirs.start and theirs.stop <= mine.stop

    def split(self, frequency: str) -> list[Period]:
        """The sub-periods of ``frequency`` inside this one (itself when it is not longer)."""
        size = MONTHS[frequency]
        if size >= self.months:
            return [self]
        months = self.month_indexes()
        return [Period(m // 12, m % 12 + 1, size) for m in months[::size]]

    def contract_year_ending(self, year_end_month: int) -> Period | None:
        """The 12 months ending with ``year_end_month`` when this period holds that month."""
        for index in self.month_indexes():
            if index % 12 + 1 == year_end_month:
                first = index - 11
                return Period(first // 12, first % 12 + 1, 12)
        return None

    def bounds(self, tz: str) -> tuple[np.datetime64, np.datetime64]:
        """``[start, end)`` as UTC ``datetime64[s]``: the period is read in the contract's zone."""
        zone = ZoneInfo(tz)
        return _utc(self.start, zone), _utc(self.end, zone)


def _utc(day: date, zone: ZoneInfo) -> np.datetime64:
    local = datetime(day.year, day.month, day.day, tzinfo=zone)
    return np.datetime64(int(local.timestamp()), "s")
