"""What the pages need to know of a contract's convention: choices, labels, orders, forfait.

Everything is read from the parsed :class:`~jalon.conventions.model.Convention` (type labels
and the *forfait* section included), so the pages and the engines read one source.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from jalon.businesstime import Calendar
from jalon.contracts.models import Contract, ConventionVersion
from jalon.conventions.calendars import build_calendar, business_day
from jalon.conventions.model import Convention, Forfait


@dataclass(frozen=True)
class Rules:
    """One convention version, seen from the pages."""

    convention: Convention

    @property
    def types(self) -> list[tuple[str, str]]:
        return [(t, self.convention.type_label(t)) for t in self.convention.types]

    @property
    def urgent_types(self) -> list[str]:
        """The types urgent by nature: choosing one makes the ticket urgent."""
        return list(self.convention.urgent_types)

    @property
    def priorities(self) -> list[tuple[str, str]]:
        return [(p.id, p.label or p.id) for p in self.convention.priorities]

    @property
    def urgencies(self) -> list[str]:
        matrix = self.convention.matrix
        return list(matrix.urgencies) if matrix else []

    @property
    def impacts(self) -> list[str]:
        matrix = self.convention.matrix
        return list(matrix.impacts) if matrix else []

    @property
    def lots(self) -> list[str]:
        return list(self.convention.contract.lots)

    @property
    def clocks(self) -> list[tuple[str, str]]:
        return [(c.id, c.label or c.id) for c in self.convention.clocks]

    def type_label(self, type_id: str) -> str:
        return self.convention.type_label(type_id)

    def calendar(self, name: str) -> Calendar | None:
        spec = self.convention.calendars.get(name)
        return build_calendar(spec) if spec else None

    @property
    def day_minutes(self) -> int | None:
        """A day's minutes, for time entered in days: the support package's day, else the first
        calendar with a fixed business day (10h); None when the convention has neither."""
        forfait = self.convention.forfait
        if forfait is not None and forfait.day_minutes:
            return forfait.day_minutes
        for spec in self.convention.calendars.values():
            day = business_day(spec.business_day)
            if day is not None and day.minutes:
                return day.minutes
        return None

    @property
    def forfait(self) -> Forfait | None:
        """The support package (days a year, minutes a day, warning ratio), if any."""
        return self.convention.forfait


def rules_for(version: ConventionVersion) -> Rules:
    return Rules(convention=version.parsed())


def current_rules(contracts: list[Contract]) -> dict[int, Rules]:
    """Each contract's current convention (``Contract.current_version``, which
    ``ConventionVersion.load`` sets), its rules kept per process; none for a contract without
    one."""
    return {c.pk: _version_rules(c.current_version_id) for c in contracts if c.current_version_id is not None}


@lru_cache(maxsize=64)
def _version_rules(version_id: int) -> Rules:
    """A convention version's rules: versions are never edited (``ConventionVersion.load`` adds
    a new one), so an id says it all."""
    return rules_for(ConventionVersion.objects.defer("text").get(pk=version_id))
