"""Indicator values over clocks, tickets and manual measures, for one time window.

Every figure of a window is judged on the history known at the window's end (D-08): its clocks
are built at that horizon, a ticket is resolved in it by its last resolution known then, the
backlog is what was open then (a cancelled ticket never is), reopenings count up to it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from jalon.conventions.calendars import build_calendar
from jalon.conventions.clocks import NEVER, ClockTable, Horizons
from jalon.conventions.mapping import MappedTickets, filter_mask
from jalon.conventions.measures import Measure
from jalon.conventions.model import Convention, Filter, Indicator
from jalon.conventions.period import Period

Mask = npt.NDArray[np.bool_]
DAY = 86400.0
UNIT_SECONDS = {"min": 60.0, "h": 3600.0, "s": 1.0, "days": DAY}


@dataclass
class Value:
    value: float | None
    evidence: int
    gaps: npt.NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    """Per-item gaps beyond the target, in the penalty step's unit (seconds for clocks)."""
    per_item: dict[str, float] = field(default_factory=dict)
    missing: str = ""
    """Why the export cannot give this indicator (a column it lacks): "no data", whatever the
    period."""


class MissingData(Exception):
    """The export lacks what an indicator needs; the message names it."""


@dataclass
class Context:
    convention: Convention
    mapped: MappedTickets | None
    horizons: Horizons | None
    """The history read at each window's end (None without tickets)."""
    measures: list[Measure]

    def __post_init__(self) -> None:
        self._masks: dict[int, Mask] = {}

    def clock(self, clock_id: str, bounds: tuple[np.datetime64, np.datetime64]) -> ClockTable:
        """The clock's table as known at the window's end."""
        assert self.horizons is not None
        return self.horizons.clock(clock_id, bounds[1])

    def ticket_mask(self, flt: Filter) -> Mask:
        key = id(flt)
        if key not in self._masks:
            self._masks[key] = self._build_mask(flt)
        return self._masks[key]

    def _build_mask(self, flt: Filter) -> Mask:
        assert self.mapped is not None
        return filter_mask(self.convention, self.mapped, flt)


def compute(indicator: Indicator, ctx: Context, window: Period, bounds: tuple[np.datetime64, np.datetime64]) -> Value:
    if indicator.kind == "measure":
        return _measure(indicator, ctx, window)
    if ctx.mapped is None:
        return Value(None, 0)
    try:
        if indicator.kind.startswith("clock_"):
            return _clock_value(indicator, ctx, bounds)
        return TICKET_KINDS[indicator.kind](indicator, ctx, bounds)
    except MissingData as missing:
        return Value(None, 0, missing=str(missing))


def in_window(instants: npt.NDArray[np.datetime64], bounds: tuple[np.datetime64, np.datetime64]) -> Mask:
    return (instants >= bounds[0]) & (instants < bounds[1])


def _clock_rows(
    indicator: Indicator, ctx: Context, bounds: tuple[np.datetime64, np.datetime64]
) -> tuple[ClockTable, Mask]:
    assert indicator.clock is not None
    table = ctx.clock(indicator.clock, bounds)
    rows = ctx.ticket_mask(indicator.filter)[table.ticket]
    counted = table.start if indicator.counted_on == "start" else table.stop
    rows &= in_window(counted, bounds)
    if indicator.counted_on == "start":
        rows &= ~table.running  # a clock is judged once it has stopped
    return table, rows


def _clock_value(indicator: Indicator, ctx: Context, bounds: tuple[np.datetime64, np.datetime64]) -> Value:
    table, rows = _clock_rows(indicator, ctx, bounds)
    count = int(rows.sum())
    if indicator.kind == "clock_overrun":
        overrun = table.overrun(indicator.factor)[rows]
        late = overrun[overrun > 0].astype(np.float64)
        return Value(float(len(late)), count, gaps=late)
    if count == 0:
        return Value(None, 0)
    if indicator.kind == "clock_share":
        return Value(100.0 * float(table.met(indicator.factor)[rows].mean()), count)
    elapsed = table.elapsed[rows].astype(np.float64)
    divisor = _unit_seconds(indicator.unit, ctx, table.definition.calendar)
    if indicator.kind == "clock_mean":
        return Value(float(elapsed.mean()) / divisor, count)
    # nearest rank: the percentile is a delay some clock really took
    rank = float(np.percentile(elapsed, indicator.percentile, method="inverted_cdf"))
    return Value(rank / divisor, count)


def _unit_seconds(unit: str, ctx: Context, calendar_id: str | None) -> float:
    if unit == "j":
        assert calendar_id is not None
        spec = ctx.convention.calendars[calendar_id]
        from jalon.conventions.calendars import business_day

        rule = business_day(spec.business_day)
        return float(rule.minutes * 60) if rule and rule.minutes else DAY
    return UNIT_SECONDS.get(unit, 1.0)


def _resolved_at(ctx: Context, until: str, bounds: tuple[np.datetime64, np.datetime64]) -> npt.NDArray[np.datetime64]:
    """Per ticket, its last resolution (or closure) known at the window's end; NaT if none then."""
    assert ctx.horizons is not None
    return ctx.horizons.resolved_at(bounds[1], until)


def _backlog(
    indicator: Indicator, ctx: Context, bounds: tuple[np.datetime64, np.datetime64]
) -> tuple[Mask, np.datetime64]:
    """Tickets opened before the window's end and still pending at that instant: neither
    resolved (closed) nor cancelled then, whatever happened to them afterwards."""
    assert ctx.mapped is not None
    assert ctx.horizons is not None
    end = bounds[1]
    opened = ctx.mapped.tickets.opened_at.astype("datetime64[s]")
    done = _resolved_at(ctx, indicator.open_until, bounds)
    cancelled = ctx.horizons.cancelled_at(end)
    pending = (opened < end) & np.isnat(done) & np.isnat(cancelled)
    return pending & ctx.ticket_mask(indicator.filter), end


def _backlog_count(indicator: Indicator, ctx: Context, bounds: tuple[np.datetime64, np.datetime64]) -> Value:
    pending, _ = _backlog(indicator, ctx, bounds)
    count = int(pending.sum())
    return Value(float(count), count)


def _backlog_age(indicator: Indicator, ctx: Context, bounds: tuple[np.datetime64, np.datetime64]) -> Value:
    assert ctx.mapped is not None
    pending, end = _backlog(indicator, ctx, bounds)
    count = int(pending.sum())
    if count == 0:
        return Value(None, 0)
    opened = ctx.mapped.tickets.opened_at.astype("datetime64[s]")[pending]
    if indicator.age_calendar is None:
        ages = (end - opened).astype(np.int64).astype(np.float64)
        return Value(float(ages.mean()) / _unit_seconds(indicator.unit, ctx, None), count)
    calendar = build_calendar(ctx.convention.calendars[indicator.age_calendar])
    ages = calendar.elapsed_many(opened, np.full(count, end)).astype(np.float64)
    return Value(float(ages.mean()) / _unit_seconds(indicator.unit, ctx, indicator.age_calendar), count)


def _resolved_in_window(indicator: Indicator, ctx: Context, bounds: tuple[np.datetime64, np.datetime64]) -> Mask:
    """Tickets whose last resolution known at the window's end falls in it: a ticket resolved
    in the window and reopened after it counts (D-08)."""
    return ctx.ticket_mask(indicator.filter) & in_window(_resolved_at(ctx, "resolved", bounds), bounds)


def _counter(ctx: Context, name: str) -> npt.NDArray[np.int64]:
    assert ctx.mapped is not None
    t = ctx.mapped.tickets
    if name not in t.counters:
        raise MissingData(f"no data: the export has no {name} column")
    return t.counters[name]


def _reopened(ctx: Context, bounds: tuple[np.datetime64, np.datetime64]) -> Mask:
    """Tickets reopened before the window's end. The history dates reopenings; the tool's
    ``reopen_count`` counts those a list export's history cannot show (D-14)."""
    assert ctx.horizons is not None
    counter = _counter(ctx, "reopen_count")
    dated = ctx.horizons.reopenings(NEVER) > 0
    return (ctx.horizons.reopenings(bounds[1]) > 0) | (~dated & (counter > 0))


def _reopen_rate(indicator: Indicator, ctx: Context, bounds: tuple[np.datetime64, np.datetime64]) -> Value:
    reopened = _reopened(ctx, bounds)
    rows = _resolved_in_window(indicator, ctx, bounds)
    count = int(rows.sum())
    if count == 0:
        return Value(None, 0)
    return Value(100.0 * float(reopened[rows].mean()), count)


def _first_contact(indicator: Indicator, ctx: Context, bounds: tuple[np.datetime64, np.datetime64]) -> Value:
    rows = _resolved_in_window(indicator, ctx, bounds)
    met = np.ones(len(rows), bool)
    if indicator.max_reassignments is not None:
        met &= _counter(ctx, "reassignment_count") <= indicator.max_reassignments
    if indicator.within is not None:
        table = ctx.clock(indicator.within, bounds)
        in_time = np.zeros(len(rows), bool)
        in_time[table.ticket] = table.met()
        met &= in_time
        # a ticket whose clock still runs at the window's end is not judged on it yet
        rows[table.ticket[table.running]] = False
    count = int(rows.sum())
    if count == 0:
        return Value(None, 0)
    return Value(100.0 * float(met[rows].mean()), count)


def _count(indicator: Indicator, ctx: Context, bounds: tuple[np.datetime64, np.datetime64]) -> Value:
    assert ctx.mapped is not None
    if indicator.counted_on == "start":
        instants = ctx.mapped.tickets.opened_at.astype("datetime64[s]")
    else:
        instants = _resolved_at(ctx, indicator.open_until, bounds)
    count = int((ctx.ticket_mask(indicator.filter) & in_window(instants, bounds)).sum())
    return Value(float(count), count)


TICKET_KINDS = {
    "backlog_count": _backlog_count,
    "backlog_age": _backlog_age,
    "reopen_rate": _reopen_rate,
    "first_contact": _first_contact,
    "count": _count,
}


def _measure(indicator: Indicator, ctx: Context, window: Period) -> Value:
    rows = [m for m in ctx.measures if m.indicator == indicator.id and window.contains(m.period)]
    if not rows:
        return Value(None, 0)
    by_item: dict[str, list[float]] = defaultdict(list)
    for m in sorted(rows, key=lambda m: m.period):
        by_item[m.item].append(m.value)
    per_item = {item: aggregate(values, indicator.aggregate) for item, values in by_item.items()}
    value = aggregate([m.value for m in sorted(rows, key=lambda m: m.period)], indicator.aggregate)
    return Value(value, len(rows), per_item=per_item)


def aggregate(values: list[float], how: str) -> float:
    if how == "sum":
        return float(sum(values))
    if how == "last":
        return values[-1]
    if how == "max":
        return max(values)
    if how == "min":
        return min(values)
    return float(sum(values) / len(values))
