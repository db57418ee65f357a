"""The dashboard's figures (seed 000 §7.8.5, annex A.6), computed from plain rows.

No Django here: :mod:`jalon.web.dashboard` reads the rows with a fixed number of queries and
passes them in. Every figure is a :class:`Cell` carrying the list filters that select the
tickets behind it, so the page can link each number to its tickets.
"""

from __future__ import annotations

import calendar as stdcalendar
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import mean
from typing import Any
from zoneinfo import ZoneInfo

Filters = dict[str, Any]


@dataclass(frozen=True)
class Period:
    """Days ``first`` to ``last``, both included (Paris days)."""

    first: date
    last: date
    kind: str = "custom"

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), date(year, month, stdcalendar.monthrange(year, month)[1]),
                   "month")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = date(year, 3 * quarter - 2, 1)
        end_month = 3 * quarter
        return cls(first, date(year, end_month, stdcalendar.monthrange(year, end_month)[1]),
                   "quarter")

    @property
    def span(self) -> Filters:
        return {"from": self.first, "to": self.last}

    def buckets(self) -> list[Period]:
        """Weeks (Monday to Sunday, cut to the period) up to 31 days; months beyond."""
        pieces: list[Period] = []
        day = self.first
        weekly = (self.last - self.first).days < 31
        while day <= self.last:
            if weekly:
                end = day + timedelta(days=6 - day.weekday())
            else:
                end = date(day.year, day.month, stdcalendar.monthrange(day.year, day.month)[1])
            end = min(end, self.last)
            pieces.append(Period(day, end, "week" if weekly else "month"))
            day = end + timedelta(days=1)
        return pieces

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.first:%m/%Y}"
        if self.kind == "week":
            return f"{self.first:%d/%m}–{self.last:%d/%m}"
        return f"{self.first:%d/%m/%Y}–{self.last:%d/%m/%Y}"


@dataclass(frozen=True)
class Cell:
    value: float | None
    filters: Filters | None = None
    unit: str = ""

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        if self.unit == "%":
            return f"{self.value:.1f} %".replace(".", ",")
        if isinstance(self.value, float) and not self.value.is_integer():
            return f"{self.value:.1f}".replace(".", ",") + (f" {self.unit}" if self.unit else "")
        return f"{int(self.value)}" + (f" {self.unit}" if self.unit else "")


@dataclass(frozen=True)
class TicketRow:
    pk: int
    type: str
    criticality: str
    priority: str
    opened_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class ClockRow:
    ticket_id: int
    kind: str
    priority: str
    breached: bool
    elapsed_seconds: int
    target_seconds: int


@dataclass(frozen=True)
class ComplianceRow:
    clock: str
    label: str
    priority: str
    total: Cell
    met: Cell
    breached: Cell
    share: Cell
    mean_hours: Cell
    target_hours: float | None


@dataclass
class Table:
    """Rows × columns of cells, with a heading per row and per column."""

    columns: list[str]
    rows: list[tuple[str, list[Cell]]] = field(default_factory=list)


def _span(prefix: str, period: Period) -> Filters:
    return {f"{prefix}_from": period.first, f"{prefix}_to": period.last}


def day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _within(instant: datetime | None, period: Period, zone: ZoneInfo) -> bool:
    if instant is None:
        return False
    return day_start(period.first, zone) <= instant < day_start(period.last + timedelta(1), zone)


# -- delays ------------------------------------------------------------------------------

def compliance(clocks: Sequence[ClockRow], clock_labels: dict[str, str], priorities: list[str],
               period: Period) -> list[ComplianceRow]:
    """Clocks stopped in the period, per clock and priority: on time, over, share on time."""
    groups: dict[tuple[str, str], list[ClockRow]] = defaultdict(list)
    for row in clocks:
        groups[(row.kind, row.priority)].append(row)
        groups[(row.kind, "")].append(row)
    order = {p: i for i, p in enumerate(priorities)}
    result = []
    for (kind, priority), rows in sorted(groups.items(), key=lambda item: (
            list(clock_labels).index(item[0][0]) if item[0][0] in clock_labels else 99,
            item[0][1] == "", order.get(item[0][1], 99), item[0][1])):
        base: Filters = {"clock": kind, **_span("clock", period)}
        if priority:
            base["priority"] = priority
        late = sum(r.breached for r in rows)
        on_time = len(rows) - late
        targets = {r.target_seconds for r in rows}
        result.append(ComplianceRow(
            clock=kind, label=clock_labels.get(kind, kind), priority=priority,
            total=Cell(len(rows), base), met=Cell(on_time, {**base, "outcome": "met"}),
            breached=Cell(late, {**base, "outcome": "breached"}),
            share=Cell(100.0 * on_time / len(rows), base, "%"),
            mean_hours=Cell(round(mean(r.elapsed_seconds for r in rows) / 3600, 1), base, "h"),
            target_hours=targets.pop() / 3600 if len(targets) == 1 else None,
        ))
    return result


@dataclass(frozen=True)
class Qualification:
    opened: Cell
    qualified: Cell
    waiting: Cell
    mean_hours: Cell
    max_hours: Cell


def qualification(opened: Sequence[tuple[int, datetime, datetime | None]], period: Period,
                  business_seconds: Callable[[datetime, datetime], int]) -> Qualification:
    """Level-1 qualification of the tickets opened in the period: how many, how fast (business
    time from opening to the first qualification)."""
    base = _span("opened", period)
    delays = [business_seconds(start, done) / 3600 for _pk, start, done in opened if done]
    return Qualification(
        opened=Cell(len(opened), base),
        qualified=Cell(len(delays), {**base, "qualified": "yes"}),
        waiting=Cell(len(opened) - len(delays), {**base, "qualified": "no"}),
        mean_hours=Cell(round(mean(delays), 1) if delays else None,
                        {**base, "qualified": "yes"}, "h"),
        max_hours=Cell(round(max(delays), 1) if delays else None,
                       {**base, "qualified": "yes"}, "h"),
    )


# -- volumes and backlog -----------------------------------------------------------------

def volumes(tickets: Sequence[TicketRow], period: Period, zone: ZoneInfo,
            type_labels: dict[str, str], criticality_labels: dict[str, str]) -> dict[str, Table]:
    """Opened and closed per bucket, in all, by type and by criticality."""
    buckets = period.buckets()
    columns = [b.label for b in buckets]
    tables = {"total": Table(columns)}
    for which in ("opened", "closed"):
        def stamp(t: TicketRow, which: str = which) -> datetime | None:
            return t.opened_at if which == "opened" else t.closed_at

        tables["total"].rows.append((which, [
            Cell(sum(_within(stamp(t), b, zone) for t in tickets), _span(which, b))
            for b in buckets]))
        for dimension, labels, attr in (("type", type_labels, "type"),
                                        ("criticality", criticality_labels, "criticality")):
            table = tables.setdefault(f"{which}_{dimension}", Table(columns))
            counts: dict[str, Counter[int]] = defaultdict(Counter)
            for t in tickets:
                for i, b in enumerate(buckets):
                    if _within(stamp(t), b, zone):
                        counts[getattr(t, attr)][i] += 1
            for key in [*labels, *sorted(set(counts) - set(labels))]:
                if key not in counts:
                    continue
                value = key or "none"
                table.rows.append((labels.get(key, key), [
                    Cell(counts[key][i], {**_span(which, b), dimension: value})
                    for i, b in enumerate(buckets)]))
    return tables


@dataclass(frozen=True)
class BacklogPoint:
    label: str
    day: date
    size: Cell
    mean_age_days: Cell


def backlog(tickets: Sequence[TicketRow], period: Period, zone: ZoneInfo) -> list[BacklogPoint]:
    """Tickets not closed at the end of each bucket, and their mean age in calendar days."""
    points = []
    for bucket in period.buckets():
        end = day_start(bucket.last + timedelta(days=1), zone)
        ages = [(end - t.opened_at).total_seconds() / 86400 for t in tickets
                if t.opened_at < end and (t.closed_at is None or t.closed_at >= end)]
        link = {"open_on": bucket.last}
        points.append(BacklogPoint(bucket.label, bucket.last, Cell(len(ages), link),
                                   Cell(round(mean(ages), 1) if ages else None, link, "j")))
    return points


@dataclass(frozen=True)
class Reopening:
    resolved: Cell
    reopened: Cell
    rate: Cell


def reopening(resolved: Iterable[int], reopened: Iterable[int], period: Period) -> Reopening:
    """Tickets reopened in the period over tickets resolved in it."""
    done, back = set(resolved), set(reopened)
    return Reopening(
        resolved=Cell(len(done), _span("resolved", period)),
        reopened=Cell(len(back), _span("reopened", period)),
        rate=Cell(100.0 * len(back) / len(done) if done else None, _span("reopened", period), "%"),
    )


# -- support package ---------------------------------------------------------------------

@dataclass(frozen=True)
class Forfait:
    year: Period
    allowance_days: float | None
    used_in_period: Cell
    used_in_year: Cell
    remaining: Cell
    per_bucket: list[tuple[str, Cell]]
    share_used: float | None


def forfait(entries: Sequence[tuple[date, int]], period: Period, year: Period,
            allowance_days: float | None, day_minutes: int) -> Forfait:
    """Time charged to the support package: in the period, in the contract year up to the
    period's end, what is left of the yearly allowance."""
    def days(first: date, last: date) -> float:
        return round(sum(m for d, m in entries if first <= d <= last) / day_minutes, 2)

    used_year = days(year.first, period.last)
    remaining = round(allowance_days - used_year, 2) if allowance_days is not None else None
    return Forfait(
        year=year, allowance_days=allowance_days,
        used_in_period=Cell(days(period.first, period.last), _span("forfait", period), "j"),
        used_in_year=Cell(used_year, {"forfait_from": year.first, "forfait_to": period.last}, "j"),
        remaining=Cell(remaining, {"forfait_from": year.first, "forfait_to": period.last}, "j"),
        per_bucket=[(b.label, Cell(days(b.first, b.last), _span("forfait", b), "j"))
                    for b in period.buckets()],
        share_used=(100.0 * used_year / allowance_days) if allowance_days else None,
    )


def contract_year(day: date, starts_on: date | None) -> Period:
    """The contract year holding ``day``: from the anniversary of ``starts_on``, else the
    calendar year."""
    if starts_on is None:
        return Period(date(day.year, 1, 1), date(day.year, 12, 31))
    first = _anniversary(starts_on, day.year)
    if first > day:
        first = _anniversary(starts_on, day.year - 1)
    return Period(first, _anniversary(starts_on, first.year + 1) - timedelta(days=1))


def _anniversary(start: date, year: int) -> date:
    last_day = stdcalendar.monthrange(year, start.month)[1]
    return date(year, start.month, min(start.day, last_day))
