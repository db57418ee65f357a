"""The dashboard figures of a contract over a period.

Plain functions over a :class:`Scope` (contract, period, the instant "now" and the contract's
convention), each returning a dataclass. Every figure is one aggregate query, or one query of a
single column handed to the vectorised business-time kernel: no query and no Python work per
ticket beyond building the arrays. :func:`dashboard` gathers them (9 queries in all).

Definitions follow the convention engine's indicators (``jalon.conventions.indicators``):

- a delay is *complied with* when its clock stopped within the period without exceeding its
  target; clocks are grouped by kind and by the ticket's priority;
- the *qualification delay* runs in business time, on the convention's first calendar, from the
  opening to the first qualification, for the tickets first qualified within the period;
- a ticket is *opened* in the period by its opening instant, *closed* when a closure event falls
  in it (a ticket closed twice counts once);
- the *backlog* is the tickets opened before the period's end (or now, if sooner) that were not
  resolved by then, judged on their current resolution instant, as the scorecard does;
- the *reopen rate* is the share of the tickets resolved in the period that were ever reopened;
- *at risk* and *overdue* count, as of now, the tickets with a running clock past its warning
  (and not past due) or past due;
- *forfait* is the time charged to the support package on the period's days, and since the start
  of the contract year up to the period's end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce

from jalon.businesstime import Calendar
from jalon.contracts.models import Contract
from jalon.conventions.calendars import build_calendar
from jalon.conventions.model import Convention
from jalon.dashboard.clocks import past_due, past_warning
from jalon.dashboard.periods import Period
from jalon.tickets.models import Clock, Criticality, EventKind, Ticket, TicketEvent, TimeEntry


@dataclass(frozen=True)
class Scope:
    contract: Contract
    period: Period
    start: datetime
    end: datetime
    """``[start, end)``: the period's bounds in the contract's time zone."""
    now: datetime
    convention: Convention | None

    @property
    def calendar_id(self) -> str | None:
        """The convention's first calendar: business time of figures not tied to a clock."""
        return next(iter(self.convention.calendars), None) if self.convention else None

    def calendar(self) -> Calendar | None:
        if self.convention is None or self.calendar_id is None:
            return None
        return build_calendar(self.convention.calendars[self.calendar_id])


def scope(contract: Contract, period: Period, now: datetime) -> Scope:
    """The scope of ``contract``'s figures over ``period``, as of ``now`` (one query)."""
    version = contract.current_convention()
    convention = version.parsed() if version is not None else None
    tz = convention.contract.tz if convention is not None else settings.TIME_ZONE
    start, end = period.bounds(tz)
    return Scope(contract, period, start, end, now, convention)


@dataclass(frozen=True)
class DelayCompliance:
    clock: str
    label: str
    priority: str
    stopped: int
    on_time: int

    @property
    def late(self) -> int:
        return self.stopped - self.on_time

    @property
    def on_time_percent(self) -> float | None:
        return 100.0 * self.on_time / self.stopped if self.stopped else None


def delay_compliance(s: Scope) -> list[DelayCompliance]:
    rows = (
        Clock.objects.filter(ticket__contract=s.contract, stopped_at__gte=s.start,
                             stopped_at__lt=s.end)
        .values("kind", "ticket__priority")
        .annotate(stopped=Count("pk"), late=Count("pk", filter=Q(breached=True)))
        .order_by()
    )
    clocks = list(s.convention.clocks) if s.convention else []
    labels = {c.id: c.label for c in clocks}
    priorities = [p.id for p in s.convention.priorities] if s.convention else []
    result = [
        DelayCompliance(row["kind"], labels.get(row["kind"], row["kind"]),
                        row["ticket__priority"], row["stopped"], row["stopped"] - row["late"])
        for row in rows
    ]
    return sorted(result, key=lambda r: (_rank(list(labels), r.clock), _rank(priorities, r.priority),
                                         r.clock, r.priority))


@dataclass(frozen=True)
class QualificationDelay:
    calendar: str | None
    count: int
    """Tickets first qualified within the period."""
    mean_seconds: float | None
    median_seconds: float | None
    max_seconds: int | None
    """Business seconds on ``calendar``."""


def qualification_delay(s: Scope) -> QualificationDelay:
    rows = list(
        TicketEvent.objects.filter(ticket__contract=s.contract, kind=EventKind.QUALIFIED)
        .values("ticket_id", "ticket__opened_at")
        .annotate(first=Min("at"))
        .filter(first__gte=s.start, first__lt=s.end)
        .order_by()
        .values_list("ticket__opened_at", "first")
    )
    calendar = s.calendar()
    if not rows or calendar is None:
        return QualificationDelay(s.calendar_id, len(rows), None, None, None)
    opened, qualified = _unix([r[0] for r in rows]), _unix([r[1] for r in rows])
    delays = calendar.elapsed_seconds(opened, qualified).astype(np.float64)
    return QualificationDelay(s.calendar_id, len(rows), float(delays.mean()),
                              float(np.median(delays)), int(delays.max()))


@dataclass(frozen=True)
class Volume:
    type: str
    criticality: str
    """Empty for tickets not (yet) given a criticality."""
    opened: int
    closed: int


def volumes(s: Scope) -> list[Volume]:
    opened = (
        Ticket.objects.filter(contract=s.contract, opened_at__gte=s.start, opened_at__lt=s.end)
        .values_list("type", "criticality").annotate(n=Count("pk")).order_by()
    )
    closed = (
        TicketEvent.objects.filter(ticket__contract=s.contract, kind=EventKind.CLOSED,
                                   at__gte=s.start, at__lt=s.end)
        .values_list("ticket__type", "ticket__criticality")
        .annotate(n=Count("ticket", distinct=True)).order_by()
    )
    counts: dict[tuple[str, str], list[int]] = {}
    for column, rows in enumerate((opened, closed)):
        for type_, criticality, n in rows:
            counts.setdefault((type_, criticality), [0, 0])[column] = n
    types = list(s.convention.types) if s.convention else []
    keys = sorted(counts, key=lambda k: (_rank(types, k[0]), k[0], _CRITICALITY_RANK.get(k[1], 9)))
    return [Volume(t, c, *counts[(t, c)]) for t, c in keys]


@dataclass(frozen=True)
class Backlog:
    at: datetime
    """The instant the backlog is taken: the period's end, or now if sooner."""
    count: int
    mean_age_days: float | None
    """Calendar days."""
    mean_age_business_seconds: float | None
    """Business seconds on ``calendar``."""
    oldest_opened_at: datetime | None
    calendar: str | None


def backlog(s: Scope) -> Backlog:
    at = min(s.end, s.now)
    opened_list = list(
        Ticket.objects.filter(contract=s.contract, opened_at__lt=at)
        .annotate(done_at=Coalesce("resolved_at", "closed_at"))
        .filter(Q(done_at__isnull=True) | Q(done_at__gte=at))
        .order_by().values_list("opened_at", flat=True)
    )
    if not opened_list:
        return Backlog(at, 0, None, None, None, s.calendar_id)
    opened = _unix(opened_list)
    until = np.full(len(opened), int(at.timestamp()), np.int64)
    calendar = s.calendar()
    ages = until - opened
    business = None if calendar is None else float(calendar.elapsed_seconds(opened, until).mean())
    return Backlog(at, len(opened_list), float(ages.mean()) / 86400, business, min(opened_list),
                   s.calendar_id)


@dataclass(frozen=True)
class ReopenRate:
    resolved: int
    """Tickets resolved within the period."""
    reopened: int
    """Of those, the ones reopened at least once."""

    @property
    def percent(self) -> float | None:
        return 100.0 * self.reopened / self.resolved if self.resolved else None


def reopen_rate(s: Scope) -> ReopenRate:
    counts = Ticket.objects.filter(
        contract=s.contract, resolved_at__gte=s.start, resolved_at__lt=s.end
    ).aggregate(resolved=Count("pk"), reopened=Count("pk", filter=Q(reopen_count__gt=0)))
    return ReopenRate(counts["resolved"], counts["reopened"])


@dataclass(frozen=True)
class Risk:
    at: datetime
    at_risk: int
    """Tickets with a running clock past its warning, not past its target."""
    overdue: int
    """Tickets with a running clock past its target."""


def risk(s: Scope) -> Risk:
    warned, due = past_warning(s.now), past_due(s.now)
    counts = Clock.objects.filter(ticket__contract=s.contract).aggregate(
        at_risk=Count("ticket", distinct=True, filter=warned & ~due),
        overdue=Count("ticket", distinct=True, filter=due),
    )
    return Risk(s.now, counts["at_risk"], counts["overdue"])


@dataclass(frozen=True)
class Forfait:
    minutes: int
    """Time charged to the support package on the period's days."""
    year_first_day: date
    """First day of the contract year holding the period's last day."""
    year_minutes: int
    """Time charged from ``year_first_day`` to the period's last day: what the yearly
    allowance (15 days for AQUAREEL) is measured against."""


def forfait(s: Scope) -> Forfait:
    last = s.period.last_day
    year_first = contract_year_start(last, s.contract.starts_on)
    entries = TimeEntry.objects
    return Forfait(entries.forfait_minutes(s.contract, s.period.first_day, last), year_first,
                   entries.forfait_minutes(s.contract, year_first, last))


def contract_year_start(day: date, starts_on: date | None) -> date:
    """First day of the contract year holding ``day``: the last anniversary of ``starts_on``
    (28 February for a contract started on a 29 February), else 1 January."""
    if starts_on is None:
        return date(day.year, 1, 1)
    anniversary = _anniversary(starts_on, day.year)
    return anniversary if anniversary <= day else _anniversary(starts_on, day.year - 1)


def _anniversary(start: date, year: int) -> date:
    if (start.month, start.day) == (2, 29):
        return date(year, 2, 28)
    return start.replace(year=year)


@dataclass(frozen=True)
class Dashboard:
    contract: Contract
    period: Period
    now: datetime
    delay_compliance: list[DelayCompliance]
    qualification_delay: QualificationDelay
    volumes: list[Volume]
    backlog: Backlog
    reopen_rate: ReopenRate
    risk: Risk
    forfait: Forfait


def dashboard(contract: Contract, period: Period, now: datetime) -> Dashboard:
    s = scope(contract, period, now)
    return Dashboard(contract, period, now, delay_compliance(s), qualification_delay(s),
                     volumes(s), backlog(s), reopen_rate(s), risk(s), forfait(s))


_CRITICALITY_RANK = {value: rank for rank, value in enumerate(Criticality.values)}


def _rank(order: list[str], value: str) -> int:
    return order.index(value) if value in order else len(order)


def _unix(instants: list[datetime]) -> npt.NDArray[np.int64]:
    """Unix seconds, the business-time kernel's unit."""
    return np.array([int(i.timestamp()) for i in instants], np.int64)
