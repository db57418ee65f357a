"""The support package's ledger of one contract year (seed 000 §7.2).

The ledger is the time entries charged to the package (``tickets.TimeEntry``, append-only: a
correction is a reversal and a replacement that reference the entry), read in the contract
year (``conventions.period.ContractYear``, D-50). The year's allowance is the convention's days
plus what the previous year carried over (``forfait.carry_over_days``, D-81). Every reader of
the consumption (the dashboard's ``figures.ForfaitUse``, the pages, the API, the statements, the
warnings) counts through ``TimeEntry.objects.on_forfait``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from jalon.contracts.models import Contract
from jalon.conventions.model import Convention
from jalon.conventions.model import Forfait as Terms
from jalon.conventions.period import ContractYear, Period
from jalon.tickets.models import TimeEntry

MAX_YEARS_BACK = 20
"""Carry-over is followed back this many contract years at most (a contract lasts four)."""


def convention_of(contract: Contract) -> Convention | None:
    version = contract.current_convention()
    return version.parsed() if version is not None else None


def contract_year(contract: Contract, convention: Convention | None) -> ContractYear:
    """The platform's start date of the contract, else the convention's (D-50)."""
    if convention is None:
        return ContractYear(contract.starts_on)
    return convention.contract.contract_year(contract.starts_on)


def charged_minutes(contract: Contract, first_day: date, last_day: date) -> int:
    return TimeEntry.objects.forfait_minutes(contract, first_day, last_day)


def carried_days(contract: Contract, terms: Terms | None, years: ContractYear, year: Period) -> float:
    """Days the years before ``year`` carried into it (0 unless the convention carries over)."""
    if terms is None or not terms.carry_over_days or not terms.day_minutes:
        return 0.0
    first_entry = (TimeEntry.objects.filter(ticket__contract=contract, charged_to_forfait=True)
                   .order_by("spent_on").values_list("spent_on", flat=True).first())
    if first_entry is None or first_entry >= year.first_day:
        return 0.0
    chain: list[Period] = []
    day = year.first_day - timedelta(days=1)
    while day >= first_entry and len(chain) < MAX_YEARS_BACK:
        earlier = years.holding(day)
        chain.append(earlier)
        day = earlier.first_day - timedelta(days=1)
    carried = 0.0
    for earlier in reversed(chain):  # oldest first
        used = terms.days(charged_minutes(contract, earlier.first_day, earlier.last_day)) or 0.0
        carried = terms.carried(terms.days_per_year + carried - used)
    return carried


@dataclass(frozen=True)
class Line:
    """One row of the ledger and where the year stands after it."""

    entry: TimeEntry
    running_minutes: int


@dataclass(frozen=True)
class LedgerYear:
    contract: Contract
    year: Period
    terms: Terms | None
    carried_days: float
    lines: tuple[Line, ...]
    """Empty when only the totals were asked for (``year_of(..., with_lines=False)``)."""
    up_to: date
    """The last day counted (the year's last day, or an earlier day asked for)."""
    consumed_minutes: int

    @property
    def unit(self) -> str:
        """``j`` (days of the package) when the convention gives a day's length, else ``h``."""
        return "j" if self.terms is not None and self.terms.day_minutes else "h"

    def amount(self, minutes: int) -> float:
        """``minutes`` in :attr:`unit`, to the hundredth."""
        days = self.terms.days(minutes) if self.terms else None
        return round(minutes / 60 if days is None else days, 2)

    @property
    def allowance_days(self) -> float | None:
        return self.terms.days_per_year + self.carried_days if self.terms else None

    @property
    def consumed_days(self) -> float | None:
        return self.terms.days(self.consumed_minutes) if self.terms else None

    def remaining_after(self, minutes: int) -> float | None:
        if self.terms is None or self.allowance_days is None:
            return None
        used = self.terms.days(minutes)
        return None if used is None else round(self.allowance_days - used, 6)

    @property
    def remaining_days(self) -> float | None:
        return self.remaining_after(self.consumed_minutes)

    @property
    def share_used(self) -> float | None:
        used, allowance = self.consumed_days, self.allowance_days
        return None if used is None or not allowance else used / allowance

    def crossed(self) -> tuple[float, ...]:
        """The warning thresholds (shares of the allowance) the consumption has reached."""
        share = self.share_used
        if share is None or self.terms is None:
            return ()
        return tuple(t for t in self.terms.alert_thresholds() if share >= t - 1e-9)


def year_of(contract: Contract, day: date, *, up_to: date | None = None,
            convention: Convention | None = None, with_lines: bool = True) -> LedgerYear:
    """The ledger of the contract year holding ``day``, counted up to ``up_to`` (default: the
    year's last day), in the order of the days the time was spent (then of writing)."""
    convention = convention if convention is not None else convention_of(contract)
    terms = convention.forfait if convention else None
    years = contract_year(contract, convention)
    year = years.holding(day)
    last = min(up_to, year.last_day) if up_to else year.last_day
    carried = carried_days(contract, terms, years, year)
    if not with_lines:
        return LedgerYear(contract, year, terms, carried, (), last,
                          charged_minutes(contract, year.first_day, last))
    rows = (TimeEntry.objects.filter(ticket__contract=contract).on_forfait(year.first_day, last)
            .select_related("ticket__contract", "person", "corrects").order_by("spent_on", "pk"))
    lines, running = [], 0
    for entry in rows:
        running += entry.minutes
        lines.append(Line(entry, running))
    return LedgerYear(contract, year, terms, carried, tuple(lines), last, running)

