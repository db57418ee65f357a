"""The dashboard figures of a contract over a period: the one implementation, shown by the API
(``/contracts/{slug}/dashboard``), the dashboard page and its CSV/XLSX exports.

Plain functions over a :class:`Scope` (contract, the tickets the reader may see, period, the
instant "now" and the contract's convention), each returning a dataclass. Every figure is one
aggregate query, or one query of a few columns handed to the vectorised business-time kernel;
:func:`dashboard` gathers them (10 queries in all, the cache key's stamp included, whatever the
number of tickets; 11 when the convention times the holder's diagnosis; up to three more when
tickets were reopened after an instant a figure is taken, see :func:`later_reopenings`).

Figures count only the scope's tickets — ``Ticket.objects.visible_to(user, contract)`` — so that each
one matches the ticket list it links to. The period is also cut into *buckets* (weeks up to a
month, months beyond: :meth:`Period.buckets`) for the charts; a figure with a series gives it
per bucket as well as for the whole period.

One definition per figure, and why:

- **delay compliance**: the clocks stopped within the period, by clock and by the ticket's
  priority; on time when the stopped clock did not exceed its target. It is the convention
  engine's ``clock_share`` rule (``jalon.conventions.indicators``), so the dashboard and the
  scorecard agree. As there, a clock is judged as it stood at the period's end (D-08): a ticket
  resolved in the period and reopened after it counts with the delay it had then, which the
  engine recomputes from its history (its stored clock has moved on).
- **qualification delay**: for the tickets *first qualified* within the period, business time
  on the convention's first calendar from the opening to the first qualification. The seed
  measures the delay of the qualifications done (seed 000 §7.8.5, "délai de qualification"):
  taking the tickets opened in the period instead would drop the late qualification of an older
  ticket and mix in tickets still waiting, whose delay is not known yet.
- **opened / closed**: a ticket is opened in a bucket by its opening instant, and closed in it
  when a closure *event* falls in it (counted once per bucket, and once in the period, however
  many times it was closed). The history is the evidence: ``closed_at`` forgets a closure as
  soon as the ticket is reopened.
- **backlog**: at the end of each bucket (or now, if sooner), the tickets opened before and not
  resolved by then: the stock is what remains to be resolved; a resolved ticket waiting for its
  closure is no longer work. Mean age in calendar days and in business seconds. A ticket
  resolved then and reopened afterwards was not in the stock then (D-08): its history says so.
- **reopen rate**: of the tickets with a resolution event in the period, the share that also
  have a reopening event in it. The reopened are a subset of the resolved, so the rate stays
  within 0–100 %, and a past period's figure does not move afterwards.
- **risk**: now, the tickets with a running clock past its warning but not past its target
  (*at risk*), and those with a running clock past its target (*overdue*): the instants the
  warning job compares (``jalon.tickets.queries``).
- **diagnoses** (seed 000 §7.2.3, the qualification of a non-urgent anomaly; only for a
  convention with a clock from taking charge to the diagnosis,
  :func:`jalon.conventions.platform.diagnosis_clocks`): *due* now, the tickets taken in charge
  whose diagnosis clock runs (the live count, never cached, as the risk counts); *delivered*,
  the tickets with a diagnosis event in the period, on time or late by that clock as it stood
  at the period's end (a ticket reopened after it is read from its history, D-08), and by the
  diagnosis' proposal (definitive fix, workaround, evolution: a ticket diagnosed twice in the
  period with two proposals counts under each, as the ticket list filtered on either shows it).
- **forfait**: the time charged to the support package on the period's days, and from the
  start of the contract year (``jalon.conventions.period.ContractYear``, D-50) to the period's
  end, in minutes; in days, allowance, remaining and
  share used when the convention has a ``forfait`` section, with a warning once the share
  reaches its ``warn_ratio`` (the "alerte anticipée" of seed 000 §7.2).
"""

from __future__ import annotations

import dataclasses
import hashlib
import time as pytime
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate

from jalon.businesstime import Calendar
from jalon.contracts.models import Contract
from jalon.conventions.calendars import build_calendar
from jalon.conventions.clocks import build_clocks
from jalon.conventions.mapping import map_tickets
from jalon.conventions.model import Convention
from jalon.conventions.model import Forfait as ForfaitTerms
from jalon.conventions.period import ContractYear, Period
from jalon.conventions.platform import diagnosis_clocks, platform_profile
from jalon.forfait import ledger
from jalon.tickets.export import tickets_to_ticketset
from jalon.tickets.models import (
    Clock,
    Criticality,
    EventKind,
    Proposal,
    Ticket,
    TicketEvent,
    TicketState,
    TimeEntry,
)
from jalon.tickets.queries import at_risk, overdue


@dataclass(frozen=True)
class Scope:
    contract: Contract
    tickets: QuerySet[Ticket]
    """The tickets counted: those of the contract the reader may see."""
    period: Period
    start: datetime
    end: datetime
    """``[start, end)``: the period's bounds in the contract's time zone."""
    now: datetime
    convention: Convention | None
    tz: str
    buckets: tuple[Period, ...]
    version_id: int | None = None
    """The convention version the figures follow (part of their cache key)."""

    @property
    def contract_year(self) -> ContractYear:
        """The platform's start date of the contract, else the convention's (D-50)."""
        if self.convention is None:
            return ContractYear(self.contract.starts_on)
        return self.convention.contract.contract_year(self.contract.starts_on)

    @property
    def calendar_id(self) -> str | None:
        """The convention's first calendar: business time of figures not tied to a clock."""
        return next(iter(self.convention.calendars), None) if self.convention else None

    def calendar(self) -> Calendar | None:
        if self.convention is None or self.calendar_id is None:
            return None
        return build_calendar(self.convention.calendars[self.calendar_id])

    def bucket_of(self, day: date) -> int:
        return bisect_right([b.first_day for b in self.buckets], day) - 1

    def bucket_ends(self) -> list[datetime]:
        """The instant each bucket ends: local midnight after its last day."""
        return [b.datetime_bounds(self.tz)[1] for b in self.buckets]


def scope(contract: Contract, period: Period, now: datetime, tickets: QuerySet[Ticket]) -> Scope:
    """The scope of ``contract``'s figures over ``period`` as of ``now``, counting ``tickets``
    (one query)."""
    version = contract.current_convention()
    convention = version.parsed() if version is not None else None
    tz = convention.contract.tz if convention is not None else settings.TIME_ZONE
    start, end = period.datetime_bounds(tz)
    return Scope(contract, tickets.filter(contract=contract), period, start, end, now,
                 convention, tz, tuple(period.buckets()),
                 version.pk if version is not None else None)


# -- later history -----------------------------------------------------------------------------

Reopenings = dict[int, tuple[datetime, datetime]]
"""Ticket id → (its opening, its last reopening)."""


def later_reopenings(s: Scope) -> Reopenings:
    """The scope's tickets opened before the period's end and reopened at or after the first
    instant a figure is taken (the first bucket's end), with their last reopening (one query).

    A figure of an instant is judged on the history up to it (D-08); on the platform, the only
    later event that changes what an earlier instant looked like is a reopening: it clears the
    ticket's resolution and moves its stored clocks on. The figures recompute these few tickets
    from their history instead of reading their current state."""
    since = min(min(s.bucket_ends()[0], s.now), s.end)
    rows = (
        TicketEvent.objects.filter(ticket__in=s.tickets, kind=EventKind.REOPENED, at__gte=since,
                                   ticket__opened_at__lt=s.end)
        .order_by().values_list("ticket_id", "ticket__opened_at").annotate(last=Max("at"))
    )
    return {ticket: (opened, last) for ticket, opened, last in rows}


# -- delays ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DelayCompliance:
    clock: str
    label: str
    priority: str | None
    """None on a clock's row for all priorities (:func:`clock_totals`)."""
    stopped: int
    on_time: int
    elapsed_seconds: int
    """Business seconds of the stopped clocks, added up."""
    target_seconds: int | None
    """The target, when every stopped clock of the row had the same one."""

    @property
    def late(self) -> int:
        return self.stopped - self.on_time

    @property
    def on_time_percent(self) -> float | None:
        return 100.0 * self.on_time / self.stopped if self.stopped else None

    @property
    def mean_elapsed_seconds(self) -> float | None:
        return self.elapsed_seconds / self.stopped if self.stopped else None


def delay_compliance(s: Scope, reopened: Reopenings | None = None,
                     at_end: list[StoppedAtEnd] | None = None) -> list[DelayCompliance]:
    """The clocks stopped in the period as they stood at its end: the stored ones, and those of
    tickets reopened after the end recomputed at the end (``reopened``: :func:`later_reopenings`;
    ``at_end``: :func:`clocks_stopped_at_end` of those tickets)."""
    if reopened is None:
        reopened = later_reopenings(s)
    rewound = rewound_tickets(s, reopened)
    if at_end is None:
        at_end = clocks_stopped_at_end(s, rewound)
    clocks = Clock.objects.filter(ticket__in=s.tickets, stopped_at__gte=s.start,
                                  stopped_at__lt=s.end)
    if rewound:
        clocks = clocks.exclude(ticket_id__in=rewound)
    rows = (
        clocks.values("kind", "ticket__priority")
        .annotate(stopped=Count("pk"), late=Count("pk", filter=Q(breached=True)),
                  elapsed=Sum("elapsed_seconds"), low=Min("target_seconds"),
                  high=Max("target_seconds"))
        .order_by()
    )
    sums: dict[tuple[str, str], _Sums] = {
        (row["kind"], row["ticket__priority"]): _Sums(row["stopped"], row["late"],
                                                      int(row["elapsed"] or 0), row["low"],
                                                      row["high"])
        for row in rows
    }
    for c in at_end:
        sums.setdefault((c.kind, c.priority), _Sums()).add(c.elapsed, c.target)
    labels = {c.id: c.label for c in s.convention.clocks} if s.convention else {}
    priorities = [p.id for p in s.convention.priorities] if s.convention else []
    result = [
        DelayCompliance(kind, labels.get(kind, kind), priority, n.stopped, n.stopped - n.late,
                        n.elapsed, n.low if n.low == n.high else None)
        for (kind, priority), n in sums.items()
    ]
    return sorted(result, key=lambda r: (_rank(list(labels), r.clock),
                                         _rank(priorities, r.priority or ""), r.clock,
                                         r.priority or ""))


@dataclass
class _Sums:
    stopped: int = 0
    late: int = 0
    elapsed: int = 0
    low: int | None = None
    high: int | None = None

    def add(self, elapsed: int, target: int) -> None:
        self.stopped += 1
        self.late += elapsed > target  # running out exactly at the target is on time
        self.elapsed += elapsed
        self.low = target if self.low is None else min(self.low, target)
        self.high = target if self.high is None else max(self.high, target)


def rewound_tickets(s: Scope, reopened: Reopenings) -> list[int]:
    """The tickets reopened at or after the period's end: their stored clocks have moved on."""
    return [ticket for ticket, (_opened, last) in reopened.items() if last >= s.end]


@dataclass(frozen=True)
class StoppedAtEnd:
    """A clock stopped in the period, as the engine reads its ticket's history at the period's end."""

    ticket: int
    kind: str
    priority: str
    elapsed: int
    target: int

    @property
    def late(self) -> bool:
        return self.elapsed > self.target  # running out exactly at the target is on time


def clocks_stopped_at_end(s: Scope, tickets: list[int]) -> list[StoppedAtEnd]:
    """The clocks of ``tickets`` stopped in the period as the engine reads their history at the
    period's end (two queries, none without tickets)."""
    if not tickets or s.convention is None:
        return []
    export = tickets_to_ticketset(Ticket.objects.filter(pk__in=tickets))
    pks = sorted(tickets)  # the export's rows, in the order of their primary keys
    mapped = map_tickets(s.convention, platform_profile(s.convention), export)
    start, end = (np.datetime64(int(i.timestamp()), "s") for i in (s.start, s.end))
    priority = export.attributes.get("priority", np.full(len(export), "", dtype=object))
    found = []
    for kind, table in build_clocks(s.convention, mapped, end).items():
        inside = np.flatnonzero(~table.running & (table.stop >= start) & (table.stop < end))
        for row in inside.tolist():
            ticket = int(table.ticket[row])
            found.append(StoppedAtEnd(pks[ticket], kind, str(priority[ticket]),
                                      int(table.elapsed[row]), int(table.target[row])))
    return found


def clock_totals(rows: Iterable[DelayCompliance]) -> list[DelayCompliance]:
    """One row per clock, all priorities together, in the order of ``rows``."""
    totals: dict[str, DelayCompliance] = {}
    for r in rows:
        t = totals.get(r.clock)
        if t is None:
            totals[r.clock] = DelayCompliance(r.clock, r.label, None, r.stopped, r.on_time,
                                              r.elapsed_seconds, r.target_seconds)
            continue
        totals[r.clock] = DelayCompliance(
            r.clock, r.label, None, t.stopped + r.stopped, t.on_time + r.on_time,
            t.elapsed_seconds + r.elapsed_seconds,
            t.target_seconds if t.target_seconds == r.target_seconds else None)
    return list(totals.values())


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
    # From the period's qualifications, less the tickets qualified before it: an index range on
    # (kind, at), where grouping every ticket's events would read them all.
    earlier = TicketEvent.objects.filter(ticket=OuterRef("ticket"), kind=EventKind.QUALIFIED,
                                         at__lt=s.start)
    rows = [
        (opened, first) for _ticket, opened, first in
        TicketEvent.objects.filter(ticket__in=s.tickets, kind=EventKind.QUALIFIED,
                                   at__gte=s.start, at__lt=s.end)
        .exclude(Exists(earlier))
        .order_by().values_list("ticket_id", "ticket__opened_at").annotate(first=Min("at"))
    ]
    calendar = s.calendar()
    if not rows or calendar is None:
        return QualificationDelay(s.calendar_id, len(rows), None, None, None)
    opened, qualified = _unix([r[0] for r in rows]), _unix([r[1] for r in rows])
    delays = calendar.elapsed_seconds(opened, qualified).astype(np.float64)
    return QualificationDelay(s.calendar_id, len(rows), float(delays.mean()),
                              float(np.median(delays)), int(delays.max()))


@dataclass(frozen=True)
class Diagnoses:
    """The holder's diagnoses of the anomalies (seed 000 §7.2.3), timed by ``clock``."""

    clock: str
    label: str
    delivered: int
    """Tickets with a diagnosis delivered in the period."""
    on_time: int
    late: int
    """Of those, by their diagnosis clock as it stood at the period's end."""
    proposals: tuple[tuple[str, int], ...]
    """(proposal, tickets) in the order of :class:`Proposal`, those with none left out."""
    due: int | None = None
    """Now: tickets taken in charge whose diagnosis clock runs (set by :func:`dashboard`, live)."""

    @property
    def untimed(self) -> int:
        """Delivered without a diagnosis clock stopped in the period (a type it does not time)."""
        return self.delivered - self.on_time - self.late


def diagnosis_clock(s: Scope) -> str | None:
    """The clock that times the holder's diagnosis under the scope's convention, if any."""
    clocks = diagnosis_clocks(s.convention) if s.convention is not None else []
    return clocks[0] if clocks else None


def diagnoses(s: Scope, reopened: Reopenings | None = None,
              at_end: list[StoppedAtEnd] | None = None) -> Diagnoses | None:
    """The diagnoses delivered in the period (one query; None without a diagnosis clock). A
    ticket's outcome is its stored clock's, or, reopened after the period (``reopened``), the
    engine's at the period's end (``at_end``, as :func:`delay_compliance` reads it)."""
    clock = diagnosis_clock(s)
    if clock is None:
        return None
    if reopened is None:
        reopened = later_reopenings(s)
    rewound = rewound_tickets(s, reopened)
    if at_end is None:
        at_end = clocks_stopped_at_end(s, rewound)
    stored = Clock.objects.filter(ticket=OuterRef("ticket_id"), kind=clock, stopped_at__isnull=False)
    rows = (TicketEvent.objects.filter(ticket__in=s.tickets, kind=EventKind.DIAGNOSED,
                                       at__gte=s.start, at__lt=s.end)
            .order_by().values_list("ticket_id", "payload__proposal")
            .annotate(late=Subquery(stored.values("breached")[:1])))
    outcome: dict[int, bool | None] = {}
    proposals: dict[str, set[int]] = {}
    for ticket, proposal, late in rows:
        outcome[ticket] = late
        if proposal:
            proposals.setdefault(str(proposal), set()).add(ticket)
    again = set(rewound)
    for ticket in again & set(outcome):
        outcome[ticket] = next((c.late for c in at_end if c.ticket == ticket and c.kind == clock), None)
    labels = {c.id: c.label for c in s.convention.clocks} if s.convention else {}
    order = [p.value for p in Proposal]
    return Diagnoses(clock, labels.get(clock, clock), len(outcome),
                     sum(1 for late in outcome.values() if late is False),
                     sum(1 for late in outcome.values() if late is True),
                     tuple((p, len(proposals[p]))
                           for p in sorted(proposals, key=lambda p: (_rank(order, p), p))))


# -- volumes, reopenings, backlog ----------------------------------------------------------------

@dataclass(frozen=True)
class Volume:
    type: str
    criticality: str
    """Empty for tickets not (yet) given a criticality."""
    opened: int
    closed: int
    opened_by_bucket: tuple[int, ...]
    closed_by_bucket: tuple[int, ...]


@dataclass(frozen=True)
class ReopenRate:
    resolved: int
    """Tickets with a resolution event within the period."""
    reopened: int
    """Of those, the ones with a reopening event within the period."""

    @property
    def percent(self) -> float | None:
        return 100.0 * self.reopened / self.resolved if self.resolved else None


def volumes_and_reopenings(s: Scope) -> tuple[list[Volume], ReopenRate]:
    """Opened and closed by type × criticality, and the reopen rate (two queries: the
    openings, counted by day; the period's closure, resolution and reopening events)."""
    zone = ZoneInfo(s.tz)
    opened = (
        s.tickets.filter(opened_at__gte=s.start, opened_at__lt=s.end)
        .annotate(day=TruncDate("opened_at", tzinfo=zone)).order_by()
        .values_list("day", "type", "criticality").annotate(n=Count("pk"))
    )
    events = (
        TicketEvent.objects.filter(ticket__in=s.tickets, at__gte=s.start, at__lt=s.end,
                                   kind__in=(EventKind.CLOSED, EventKind.RESOLVED,
                                             EventKind.REOPENED))
        .annotate(day=TruncDate("at", tzinfo=zone)).order_by()
        .values_list("ticket_id", "kind", "day", "ticket__type", "ticket__criticality")
        .distinct()
    )
    width = len(s.buckets)
    opened_by: dict[tuple[str, str], list[int]] = {}
    closed_by: dict[tuple[str, str], list[set[int]]] = {}
    ticket_sets: dict[str, set[int]] = {EventKind.RESOLVED: set(), EventKind.REOPENED: set()}
    for day, type_, criticality, n in opened:
        opened_by.setdefault((type_, criticality), [0] * width)[s.bucket_of(day)] += n
    for ticket_id, kind, day, type_, criticality in events:
        if kind == EventKind.CLOSED:
            buckets = closed_by.setdefault((type_, criticality), [set() for _b in range(width)])
            buckets[s.bucket_of(day)].add(ticket_id)
        else:
            ticket_sets[kind].add(ticket_id)
    types = list(s.convention.types) if s.convention else []
    keys = sorted({*opened_by, *closed_by},
                  key=lambda k: (_rank(types, k[0]), k[0], _CRITICALITY_RANK.get(k[1], 9)))
    result = []
    for key in keys:
        counts = opened_by.get(key, [0] * width)
        closures = closed_by.get(key, [set() for _b in range(width)])
        result.append(Volume(key[0], key[1], sum(counts), len(set().union(*closures)),
                             tuple(counts), tuple(len(c) for c in closures)))
    resolved = ticket_sets[EventKind.RESOLVED]
    return result, ReopenRate(len(resolved), len(resolved & ticket_sets[EventKind.REOPENED]))


@dataclass(frozen=True)
class BacklogPoint:
    last_day: date
    """Last day of the bucket."""
    at: datetime
    """The end of that day, or now if sooner."""
    count: int
    mean_age_days: float | None
    """Calendar days."""
    mean_age_business_seconds: float | None


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
    series: tuple[BacklogPoint, ...]
    """At the end of each bucket; the last point is the period's backlog."""


def backlog(s: Scope, reopened: Reopenings | None = None) -> Backlog:
    """The stock at each bucket's end, on the tickets' resolution instants; those resolved at a
    bucket's end and reopened after it are read from their history (``reopened``:
    :func:`later_reopenings`)."""
    ends = [min(end, s.now) for end in s.bucket_ends()]
    if reopened is None:
        reopened = later_reopenings(s)
    rows = list(
        s.tickets.filter(opened_at__lt=ends[-1])
        .annotate(done_at=Coalesce("resolved_at", "closed_at"))
        .filter(Q(done_at__isnull=True) | Q(done_at__gte=min(ends[0], s.start)))
        .order_by().values_list("pk", "opened_at", "done_at")
    )
    opened = _unix([r[1] for r in rows])
    done = np.array([int(r[2].timestamp()) if r[2] else _NEVER for r in rows], np.int64)
    instants = np.array([int(at.timestamp()) for at in ends], np.int64)
    pending = (opened[None, :] < instants[:, None]) & (done[None, :] >= instants[:, None])
    for column, was_done in _done_then(s, ends, reopened, [r[0] for r in rows]).items():
        pending[:, column] = (opened[column] < instants) & ~was_done
    calendar = s.calendar()
    series = tuple(_backlog_point(b.last_day, at, opened[waiting], calendar)
                   for b, at, waiting in zip(s.buckets, ends, pending, strict=True))
    last = series[-1]
    oldest = min((r[1] for r, keep in zip(rows, pending[-1], strict=True) if keep), default=None)
    return Backlog(last.at, last.count, last.mean_age_days, last.mean_age_business_seconds,
                   oldest, s.calendar_id, series)


def _done_then(s: Scope, ends: list[datetime], reopened: Reopenings,
               tickets: list[int]) -> dict[int, npt.NDArray[np.bool_]]:
    """For each ticket of ``tickets`` opened before a bucket's end and reopened after it: its
    index in ``tickets``, and whether it was resolved (or closed, or cancelled: never pending,
    D-12) at each end, by the last of its resolutions, closures, cancellations and reopenings
    before that end (one query, none without such a ticket)."""
    rewound = {ticket for ticket, (opened, last) in reopened.items()
               if any(opened < end <= last for end in ends)}
    if not rewound:
        return {}
    history: dict[int, list[tuple[datetime, str]]] = {}
    for ticket, at, kind in (
        TicketEvent.objects.filter(ticket_id__in=rewound, at__lt=ends[-1],
                                   kind__in=(EventKind.RESOLVED, EventKind.CLOSED,
                                             EventKind.CANCELLED, EventKind.REOPENED))
        .order_by("ticket_id", "at", "pk").values_list("ticket_id", "at", "kind")
    ):
        history.setdefault(ticket, []).append((at, kind))
    result = {}
    for column, ticket in enumerate(tickets):
        if ticket in rewound:
            events = history.get(ticket, [])
            result[column] = np.array([_resolved_before(events, end) for end in ends], bool)
    return result


def _resolved_before(events: list[tuple[datetime, str]], instant: datetime) -> bool:
    last = [kind for at, kind in events if at < instant]
    return bool(last) and last[-1] != EventKind.REOPENED


def _backlog_point(day: date, at: datetime, since: npt.NDArray[np.int64],
                   calendar: Calendar | None) -> BacklogPoint:
    instant = int(at.timestamp())
    if not len(since):
        return BacklogPoint(day, at, 0, None, None)
    until = np.full(len(since), instant, np.int64)
    business = None if calendar is None else float(calendar.elapsed_seconds(since, until).mean())
    return BacklogPoint(day, at, len(since), float((until - since).mean()) / 86400, business)


# -- now -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Risk:
    at: datetime
    at_risk: int
    """Tickets past the warning of a running clock, not overdue (jalon.tickets.queries)."""
    overdue: int
    """Tickets with a running clock past its target."""
    diagnoses_due: int | None = None
    """Tickets taken in charge whose diagnosis clock runs (None: the convention times none)."""


def risk(s: Scope) -> Risk:
    # Only tickets with a running clock have a due instant: the ticket_due index finds them.
    # A ticket whose diagnosis clock runs has one too: counted in the same query.
    counts: dict[str, Any] = {"at_risk": Count("pk", filter=at_risk(s.now)),
                              "overdue": Count("pk", filter=overdue(s.now))}
    clock = diagnosis_clock(s)
    if clock is not None:
        running = Clock.objects.filter(ticket=OuterRef("pk"), kind=clock, started_at__isnull=False,
                                       stopped_at__isnull=True)
        counts["diagnoses_due"] = Count("pk", filter=Q(state=TicketState.IN_PROGRESS) & Q(Exists(running)))
    found = s.tickets.filter(due_at__isnull=False).aggregate(**counts)
    return Risk(s.now, found["at_risk"], found["overdue"], found.get("diagnoses_due"))


# -- forfait -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ForfaitUse:
    """How much of the support package the period and its contract year used. The arithmetic
    (days, remaining, share, warning) is the convention's terms' (:class:`ForfaitTerms`)."""

    minutes: int
    """Time charged to the support package on the period's days."""
    year: Period
    """The contract year holding the period's last day (D-50)."""
    year_minutes: int
    """Time charged from the contract year's first day to the period's last day: what the
    yearly allowance (15 days for AQUAREEL) is measured against."""
    minutes_by_bucket: tuple[int, ...]
    terms: ForfaitTerms | None
    """The convention's ``forfait`` section; without it, minutes only."""
    carried_days: float = 0.0
    """Days the previous contract years carried into this one (``forfait.carry_over_days``)."""

    @property
    def year_first_day(self) -> date:
        return self.year.first_day

    @property
    def year_last_day(self) -> date:
        return self.year.last_day

    @property
    def days(self) -> float | None:
        return self.terms.days(self.minutes) if self.terms else None

    @property
    def year_days(self) -> float | None:
        return self.terms.days(self.year_minutes) if self.terms else None

    @property
    def allowance_days(self) -> float | None:
        return self.terms.days_per_year + self.carried_days if self.terms else None

    @property
    def remaining_days(self) -> float | None:
        used = self.year_days
        return None if used is None or self.allowance_days is None else self.allowance_days - used

    @property
    def share_used(self) -> float | None:
        """Share of the year's allowance used (1.0 = all of it)."""
        used, allowance = self.year_days, self.allowance_days
        return None if used is None or not allowance else used / allowance

    @property
    def warn_ratio(self) -> float | None:
        return self.terms.warn_ratio if self.terms else None

    @property
    def warn(self) -> bool:
        share = self.share_used
        return self.terms is not None and share is not None and share >= self.terms.warn_ratio

    @property
    def unit(self) -> str:
        """``j`` (days of the package) when the terms give a day's length, else ``h``."""
        return "j" if self.terms is not None and self.terms.day_minutes else "h"

    def amount(self, minutes: int) -> float:
        """``minutes`` in :attr:`unit`, to the hundredth."""
        days = self.terms.days(minutes) if self.terms else None
        return round(minutes / 60 if days is None else days, 2)


def forfait(s: Scope) -> ForfaitUse:
    last = s.period.last_day
    year = s.contract_year.holding(last)
    per_day = dict(
        TimeEntry.objects.filter(ticket__in=s.tickets)
        .on_forfait(min(year.first_day, s.period.first_day), last)
        .order_by().values_list("spent_on").annotate(minutes=Sum("minutes"))
    )
    by_bucket = [0] * len(s.buckets)
    for day, minutes in per_day.items():
        if day >= s.period.first_day:
            by_bucket[s.bucket_of(day)] += minutes
    year_minutes = sum(m for day, m in per_day.items() if day >= year.first_day)
    terms = s.convention.forfait if s.convention else None
    return ForfaitUse(sum(by_bucket), year, year_minutes, tuple(by_bucket), terms,
                      ledger.carried_days(s.contract, terms, s.contract_year, year))


# -- all of it -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Dashboard:
    contract: Contract
    convention: Convention | None
    period: Period
    buckets: tuple[Period, ...]
    now: datetime
    delay_compliance: list[DelayCompliance]
    qualification_delay: QualificationDelay
    volumes: list[Volume]
    backlog: Backlog
    reopen_rate: ReopenRate
    risk: Risk
    forfait: ForfaitUse
    diagnoses: Diagnoses | None = None
    """None when the convention times no diagnosis."""


def dashboard(contract: Contract, period: Period, now: datetime, *,
              tickets: QuerySet[Ticket]) -> Dashboard:
    """Every figure of ``contract`` over ``period``, counting ``tickets`` (the reader's
    ``Ticket.objects.visible_to``)."""
    s = scope(contract, period, now, tickets)
    compliance, qualification, volumes, stock, reopenings, package, diagnosed = _cached_figures(s)
    live = risk(s)
    if diagnosed is not None:
        diagnosed = dataclasses.replace(diagnosed, due=live.diagnoses_due)
    return Dashboard(contract, s.convention, period, s.buckets, now, compliance, qualification,
                     volumes, stock, reopenings, live, package, diagnosed)


def _figures(s: Scope) -> tuple[object, ...]:
    volumes, reopenings = volumes_and_reopenings(s)
    later = later_reopenings(s)
    at_end = clocks_stopped_at_end(s, rewound_tickets(s, later))
    return (delay_compliance(s, later, at_end), qualification_delay(s), volumes, backlog(s, later),
            reopenings, forfait(s), diagnoses(s, later, at_end))


def _cached_figures(s: Scope) -> tuple[Any, ...]:
    """The period's figures from the shared cache, computed by one process at a time.

    Every key names the contract's latest ticket event (:func:`records_stamp`): every change of
    a ticket (a reopening, a requalification, time logged on a past day) writes one, so that
    figures cached before a change are never served after it, and the figures shown always equal
    a recomputation. A past period's figures are then kept as long as nothing changes. Those of
    the running period are fresh for
    :data:`CURRENT_PERIOD_SECONDS`; after that, the first reader to take the key's lock computes
    them again while the others keep reading the previous ones (kept :data:`STALE_SECONDS` at
    most), so that readers never queue behind a computation, nor compute it all at once. With
    nothing cached yet, readers wait for the one computing (:data:`WAIT_SECONDS` at most) rather
    than compute the same figures side by side."""
    key = cache_key(s)
    lock = key + ":computing"
    over = s.end <= s.now
    waited = 0.0
    while True:
        entry = cache.get(key)
        fresh = entry is not None and (over or entry[0] > s.now.timestamp() - CURRENT_PERIOD_SECONDS)
        if fresh:
            return tuple(entry[1])
        locked = cache.add(lock, True, LOCK_SECONDS)
        if locked:
            break  # ours to compute
        if entry is not None:
            return tuple(entry[1])  # someone is computing: the previous figures meanwhile
        if waited >= WAIT_SECONDS:
            break  # the one computing is late: compute too, leaving its lock to it
        pytime.sleep(0.05)
        waited += 0.05
    try:
        found = _figures(s)
        cache.set(key, (s.now.timestamp(), found), None if over else STALE_SECONDS)
    finally:
        if locked:
            cache.delete(lock)
    return found


CURRENT_PERIOD_SECONDS = 60
"""How long the figures of a period not over yet are fresh; the live risk counts are never
cached."""
STALE_SECONDS = 3600
"""How long the figures of a running period may be shown while a reader computes new ones."""
LOCK_SECONDS = 120
"""A computation's lock expires after this (a process that died while computing)."""
WAIT_SECONDS = 10.0
"""How long a reader waits for another's computation when nothing is cached yet."""

CACHE_VERSION = 6
"""Bump when a figure's definition or dataclass changes: the cached ones are then ignored."""


def cache_key(s: Scope) -> str:
    """The cached figures' key: contract, convention version, period, and the tickets counted.
    Those are named by their query (the reader's scope: a requester's organisation, say), so
    readers who see different tickets never share figures."""
    sql, params = s.tickets.query.sql_with_params()
    tickets = hashlib.sha256(repr((sql, params)).encode()).hexdigest()[:32]
    return (f"dashboard:{CACHE_VERSION}:{s.contract.pk}:{s.version_id}:{records_stamp(s.contract)}:"
            f"{s.period.first_day:%Y%m%d}-{s.period.last_day:%Y%m%d}:{tickets}")


def records_stamp(contract: Contract) -> int:
    """The contract's latest ticket event (0: none yet), one query on the events' primary key.

    The history is append-only and every change of a ticket writes an event, so the figures
    computed at one stamp are those of every instant until the next event."""
    latest = (TicketEvent.objects.filter(ticket__contract=contract).order_by("-pk")
              .values_list("pk", flat=True).first())
    return int(latest or 0)


_CRITICALITY_RANK = {value: rank for rank, value in enumerate(Criticality.values)}
_NEVER = np.iinfo(np.int64).max
"""Resolution instant of a ticket not resolved."""


def _rank(order: list[str], value: str) -> int:
    return order.index(value) if value in order else len(order)


def _unix(instants: list[datetime]) -> npt.NDArray[np.int64]:
    """Unix seconds, the business-time kernel's unit."""
    return np.array([int(i.timestamp()) for i in instants], np.int64)
