"""Reporting periods: a year (``2026``), a quarter (``2026-Q1``), a month (``2026-03``) or two
days, both included (``2026-01-15..2026-02-14``)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from jalon.conventions.period import Period as ScoringPeriod

_DAYS = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


class PeriodError(ValueError):
    """The text is not a period; the message says what is expected."""


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date
    """Included."""

    @classmethod
    def parse(cls, text: str) -> Period:
        text = text.strip()
        days = _DAYS.match(text)
        if days:
            try:
                first, last = date.fromisoformat(days[1]), date.fromisoformat(days[2])
            except ValueError:
                raise PeriodError(_("« %(text)s » : l’une des deux dates n’existe pas.")
                                  % {"text": text}) from None
            if last < first:
                raise PeriodError(_("« %(text)s » : la fin précède le début.") % {"text": text})
            return cls(first, last)
        try:
            scoring = ScoringPeriod.parse(text)
        except ValueError:
            raise PeriodError(_("« %(text)s » n’est pas une période (attendu : 2026, 2026-Q1, "
                                "2026-03 ou 2026-01-15..2026-02-14).") % {"text": text}) from None
        return cls(scoring.start, scoring.end - timedelta(days=1))

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        return cls.parse(f"{day.year}-Q{(day.month + 2) // 3}")

    def __str__(self) -> str:
        """The shortest name: ``2026-Q1`` rather than ``2026-01-01..2026-03-31``."""
        end = self.last_day + timedelta(days=1)
        months = (end.year - self.first_day.year) * 12 + end.month - self.first_day.month
        if self.first_day.day == 1 and end.day == 1:
            first = self.first_day
            if months == 12 and first.month == 1:
                return str(first.year)
            if months == 3 and first.month % 3 == 1:
                return f"{first.year}-Q{(first.month + 2) // 3}"
            if months == 1:
                return f"{first.year}-{first.month:02d}"
        return f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"

    def buckets(self) -> list[Period]:
        """The period cut for charts: weeks (Monday to Sunday, cut to the period) when it is
        shorter than 31 days, calendar months (cut likewise) otherwise."""
        weekly = (self.last_day - self.first_day).days < 31
        pieces: list[Period] = []
        day = self.first_day
        while day <= self.last_day:
            if weekly:
                end = day + timedelta(days=6 - day.weekday())
            else:
                end = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
            end = min(end, self.last_day)
            pieces.append(Period(day, end))
            day = end + timedelta(days=1)
        return pieces

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        """``[start, end)`` as instants: midnight of the first day to midnight after the last,
        in the contract's zone. Midnight always exists in Europe/Paris (the clocks change at
        02:00 and 03:00), so a period touching a DST change still has exact bounds."""
        zone = ZoneInfo(tz)
        start = datetime.combine(self.first_day, time(0), tzinfo=zone)
        end = datetime.combine(self.last_day + timedelta(days=1), time(0), tzinfo=zone)
        return start, end
