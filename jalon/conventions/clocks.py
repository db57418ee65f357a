"""Rebuild every ticket's clocks from its state history, all tickets at once.

This is the one implementation of the clock rules: scorecards call it on an export, the
platform on one ticket's history (``jalon.tickets.clocks``). The rules, as written in
``docs/convention-format.md``:

* a clock starts at the first start event, pauses while the ticket sits in a pause state and
  stops at the first stop event at or after its start (the export's resolution or closure
  instant when given);
* with ``on_reopen: resume`` (the default), a clock stopped by ``resolved`` or ``closed`` runs
  again when the ticket is reopened (enters a ``new``, ``active`` or ``waiting`` state): the time
  in between is a pause and the last stop is final;
* only what happened by the horizon (the end of the scored window, or *now*) counts: a clock not
  stopped by then is *running*, measured up to the horizon; a window's end is exclusive (what
  happens exactly then belongs to the next window), *now* is inclusive;
* a clock of a ticket cancelled before it stopped (and not reopened since) is withdrawn: neither
  met, nor failed, nor running.

:class:`Horizons` reads one export's history at any horizon: the clock tables, and the tickets
resolved, cancelled and reopened as known then, so that every window of a scorecard (a month
inside a quarter too) is judged on the history up to its own end (D-08).

A clock applies to the tickets of its types that match its ``filter`` and have a target: one
written in the file for their priority, or one read from their record (a duration, a due
instant, or several delays from several events: :func:`clock_targets`, :func:`_dated_targets`).
Each ticket runs on its own calendar when the clock chooses it by a dimension (team, site…).

Business time comes from :meth:`Calendar.elapsed_many`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from jalon.businesstime import Calendar
from jalon.conventions.calendars import build_calendar, record_durations
from jalon.conventions.mapping import MappedTickets, filter_mask
from jalon.conventions.model import ClockDef, Convention, EventRef, Target

Instants = npt.NDArray[np.datetime64]
I64 = npt.NDArray[np.int64]
NAT = np.datetime64("NaT", "s")
NAT_SECONDS = np.iinfo(np.int64).min
"""NaT as whole seconds (the smallest int64: a maximum over instants ignores it)."""


@dataclass
class ClockTable:
    """One row per clock of one definition."""

    definition: ClockDef
    ticket: I64
    """Index into the TicketSet."""
    start: Instants
    stop: Instants
    """NaT while the clock runs."""
    running: npt.NDArray[np.bool_]
    """Not stopped by the horizon: ``elapsed`` is measured up to the horizon."""
    elapsed: I64
    """Business seconds, pauses deducted."""
    target: I64
    pause_owner: I64
    """Row of each pause (pause states and, under ``on_reopen: resume``, reopening gaps)."""
    pause_start: Instants
    pause_end: Instants
    """Clipped to the clock's ``[start, stop)``, or to the horizon while it runs."""
    pause_open: npt.NDArray[np.bool_]
    """The pause still going on at the horizon (its end is the horizon, not an event)."""
    paused: npt.NDArray[np.bool_]
    """Running and in a pause state at the horizon."""
    calendar: npt.NDArray[np.int32] = field(default_factory=lambda: np.empty(0, np.int32))
    """Per row, the index into ``calendar_ids`` of the calendar the clock runs on."""
    calendar_ids: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.ticket)

    def calendar_id(self, row: int) -> str:
        """The calendar row ``row`` runs on (chosen by team or site, else the clock's)."""
        return self.calendar_ids[int(self.calendar[row])] if len(self.calendar) else self.definition.calendar

    def met(self, factor: float = 1.0) -> npt.NDArray[np.bool_]:
        return self.elapsed <= np.floor(self.target * factor)

    def overrun(self, factor: float = 1.0) -> I64:
        return np.maximum(self.elapsed - np.floor(self.target * factor).astype(np.int64), 0)

    def deadline(self, calendar: Calendar, seconds: npt.ArrayLike) -> Instants:
        """When each clock reaches ``seconds`` of business time if it runs on with no new pause
        (NaT while paused: nothing falls due then); ``seconds`` <= 0 is the start itself.
        ``seconds`` is one amount per row, or a (k, rows) array for k thresholds at once.
        ``calendar`` is the rows' one: ask per :meth:`calendar_id` when the clock chooses it per
        ticket."""
        amounts = np.asarray(seconds, np.int64)
        grid = np.atleast_2d(amounts)
        k, n = grid.shape
        closed = ~self.pause_open
        owner = (self.pause_owner[closed][None, :] + n * np.arange(k)[:, None]).ravel()
        due = calendar.deadline_seconds(
            np.tile(_unix(self.start), k),
            grid.ravel(),
            owner,
            np.tile(_unix(self.pause_start[closed]), k),
            np.tile(_unix(self.pause_end[closed]), k),
        ).astype("datetime64[s]")
        due = np.where(grid.ravel() <= 0, np.tile(self.start, k), due)
        due = np.where(np.tile(self.paused, k), NAT, due).reshape(k, n)
        return due if amounts.ndim == 2 else due[0]


def build_clocks(
    convention: Convention, mapped: MappedTickets, horizon: np.datetime64, *, inclusive: bool = False
) -> dict[str, ClockTable]:
    """Every clock of every kept ticket as known at ``horizon``. A scored period's end is
    exclusive (a clock starting exactly then belongs to the next period); the platform's *now*
    is ``inclusive`` (a ticket opened at this instant has a clock)."""
    return Horizons(convention, mapped).clocks(horizon, inclusive=inclusive)


NEVER = np.datetime64("9999-12-31T00:00:00", "s")
"""A horizon past every event: what the whole history says."""


class Horizons:
    """One export's history read at any horizon (D-08): what was known then, each answer
    computed once per horizon. A window's figures take its end as the horizon, so a month
    scored inside a quarter gives the figures of the month scored alone."""

    def __init__(self, convention: Convention, mapped: MappedTickets) -> None:
        self.convention = convention
        self.mapped = mapped
        self.history = _History(convention, mapped)
        self._tables: dict[tuple[str, np.datetime64, bool], ClockTable] = {}
        self._resolutions: dict[tuple[str, np.datetime64], tuple[Instants, _Gaps]] = {}
        self._cancellations: dict[tuple[np.datetime64, bool], Instants] = {}

    def clock(self, clock_id: str, horizon: np.datetime64, *, inclusive: bool = False) -> ClockTable:
        horizon = horizon.astype("datetime64[s]")
        key = (clock_id, horizon, inclusive)
        if key not in self._tables:
            clock = self.convention.clock(clock_id)
            self._tables[key] = _build(self.convention, clock, self.mapped, self, horizon, inclusive)
        return self._tables[key]

    def clocks(self, horizon: np.datetime64, *, inclusive: bool = False) -> dict[str, ClockTable]:
        return {c.id: self.clock(c.id, horizon, inclusive=inclusive) for c in self.convention.clocks}

    def built(self, horizon: np.datetime64) -> dict[str, ClockTable]:
        """The tables already built at ``horizon`` (exclusive), by clock."""
        horizon = horizon.astype("datetime64[s]")
        return {key[0]: table for key, table in self._tables.items() if key[1] == horizon and not key[2]}

    def resolved_at(self, horizon: np.datetime64, until: str = "resolved") -> Instants:
        """Per ticket, its last resolution (``until="closed"``: closure) before ``horizon``; NaT
        when it was not resolved (closed) then: never yet, or reopened since. The export's
        column counts as the clocks' does (:func:`_last_stop`); a ticket without one is resolved
        by entering a ``resolved`` or ``closed`` phase state."""
        return self._resolution(horizon, until)[0]

    def reopenings(self, horizon: np.datetime64) -> I64:
        """Per ticket, how many times its history shows it reopened after a resolution, before
        ``horizon`` (:data:`NEVER`: in the whole history)."""
        gaps = self._resolution(horizon, "resolved")[1]
        return np.bincount(gaps.ticket, minlength=self.history.n).astype(np.int64)

    def cancelled_at(self, horizon: np.datetime64, *, inclusive: bool = False) -> Instants:
        """Per ticket, since when it has been cancelled if it still is at ``horizon``, else NaT."""
        key = (horizon.astype("datetime64[s]"), inclusive)
        if key not in self._cancellations:
            self._cancellations[key] = self.history.cancelled_at(key[0], inclusive)
        return self._cancellations[key]

    def _resolution(self, horizon: np.datetime64, until: str) -> tuple[Instants, _Gaps]:
        key = (until, horizon.astype("datetime64[s]"))
        if key not in self._resolutions:
            t = self.mapped.tickets
            column = t.closed_at if until == "closed" else _fallback(t.resolved_at, t.closed_at)
            opened = t.opened_at.astype("datetime64[s]")
            self._resolutions[key] = _last_stop(until, column, self.history, opened, key[1], False)
        return self._resolutions[key]


def seen(instants: Instants, horizon: np.datetime64, inclusive: bool) -> npt.NDArray[np.bool_]:
    """What is known at ``horizon``: before it, or at it too when it is ``inclusive`` (*now*)."""
    return (instants <= horizon) if inclusive else (instants < horizon)


class _History:
    """The kept events, sorted by (ticket, instant), with each state segment's end."""

    def __init__(self, convention: Convention, mapped: MappedTickets) -> None:
        t = mapped.tickets
        keep = mapped.event_keep
        self.ticket = t.event_ticket[keep]
        self.at = t.event_at[keep].astype("datetime64[s]")
        self.state = mapped.event_states[keep]
        same_next = np.zeros(len(self.ticket), bool)
        same_next[:-1] = self.ticket[1:] == self.ticket[:-1]
        self.segment_end = np.full(len(self.at), NAT)
        self.segment_end[:-1] = np.where(same_next[:-1], self.at[1:], NAT)
        self.state_ids = tuple(s.id for s in convention.states)
        self.phases = np.array([s.phase for s in convention.states], dtype=object)
        self.n = len(t)

    def codes(self, states: tuple[str, ...]) -> npt.NDArray[np.int32]:
        return np.array([self.state_ids.index(s) for s in states], np.int32)

    def in_states(self, states: tuple[str, ...]) -> npt.NDArray[np.bool_]:
        return member(self.state, self.codes(states), len(self.state_ids))

    def first(self, mask: npt.NDArray[np.bool_], after: Instants) -> Instants:
        """Per ticket, the first instant of a masked event at or after ``after`` (NaT if none)."""
        bound = after[self.ticket]
        mask = mask & ((self.at >= bound) | np.isnat(bound))
        tickets, at = self.ticket[mask], self.at[mask]
        first = np.ones(len(tickets), bool)
        first[1:] = tickets[1:] != tickets[:-1]
        result = np.full(self.n, NAT)
        result[tickets[first]] = at[first]
        return result

    def in_phase(self, *phases: str) -> npt.NDArray[np.bool_]:
        codes = np.flatnonzero(np.isin(self.phases, phases)).astype(np.int32)
        return member(self.state, codes, len(self.state_ids))

    def cancelled_at(self, horizon: np.datetime64, inclusive: bool) -> Instants:
        """Per ticket whose last state known at ``horizon`` is of the ``cancelled`` phase, the
        instant it entered that phase (the first of its last run of such states); NaT else."""
        known = seen(self.at, horizon, inclusive)
        ticket, at, cancel = self.ticket[known], self.at[known], self.in_phase("cancelled")[known]
        result = np.full(self.n, NAT)
        if not cancel.any():
            return result
        first = _firsts(ticket)
        run_start = cancel & (first | ~np.r_[False, cancel[:-1]])
        run_index = np.maximum.accumulate(np.where(run_start, np.arange(len(ticket)), 0))
        last = np.r_[first[1:], True]
        ends_cancelled = last & cancel
        result[ticket[ends_cancelled]] = at[run_index[ends_cancelled]]
        return result


def member(codes: npt.NDArray[np.int32], wanted: npt.ArrayLike, size: int) -> npt.NDArray[np.bool_]:
    """``np.isin`` for codes below ``size`` (negative ones are never members): one lookup in a
    table, as fast on a one-ticket history as ``np.isin`` is on a million rows."""
    table = np.zeros(size + 1, bool)
    table[np.asarray(wanted, np.int64)] = True
    return table[np.where(codes >= 0, codes, size)]


def event_instants(ref: EventRef, mapped: MappedTickets, history: _History, after: Instants) -> Instants:
    t = mapped.tickets
    if ref.kind == "opened":
        return t.opened_at.astype("datetime64[s]")
    if ref.kind == "resolved":
        return _first_stop(t.resolved_at, history.first(history.in_phase("resolved", "closed"), after))
    if ref.kind == "closed":
        return _first_stop(t.closed_at, history.first(history.in_phase("closed"), after))
    if ref.kind == "at":
        return record_instants(mapped, ref.column)
    inside = history.in_states(ref.states)
    return history.first(inside if ref.kind == "enter" else ~inside, after)


def record_instants(mapped: MappedTickets, column: str) -> Instants:
    """An instant written on each record (an export's ``*_at`` column); NaT where missing."""
    values = mapped.tickets.instants.get(column)
    if values is None:
        return np.full(len(mapped.tickets), NAT)
    return values.astype("datetime64[s]")


def _fallback(column: Instants, derived: Instants) -> Instants:
    column = column.astype("datetime64[s]")
    return np.where(np.isnat(column), derived.astype("datetime64[s]"), column)


def _first_stop(column: Instants, derived: Instants) -> Instants:
    """The export's resolution (closure) instant, unless the history shows an earlier one: a
    column that dates a later resolution of a reopened ticket cannot hide the first (D-13)."""
    return np.fmin(column.astype("datetime64[s]"), derived)


def resumes_on_reopen(clock: ClockDef) -> bool:
    return clock.on_reopen == "resume" and clock.stop.kind in ("resolved", "closed")


def applicable(convention: Convention, clock: ClockDef, mapped: MappedTickets) -> tuple[npt.NDArray[np.bool_], I64]:
    """Tickets the clock applies to (kept, of one of its types, matching its filter, with a
    target), and the targets (0 for those that depend on the clock's start: due, legs)."""
    targets, known = clock_targets(convention, clock, mapped)
    type_codes = [convention.types.index(t) for t in clock.types]
    selected = mapped.keep & member(mapped.types, type_codes, len(convention.types)) & known
    if any(ref.kind == "at" and ref.column not in mapped.tickets.instants for ref in (clock.start, clock.stop)):
        selected[:] = False  # the source never records that instant: no data, rather than all late
    if clock.filter is not None:
        selected &= filter_mask(convention, mapped, clock.filter)
    return selected, targets


def calendar_codes(convention: Convention, clock: ClockDef, mapped: MappedTickets) -> npt.NDArray[np.int32]:
    """Per ticket, the index into ``clock.calendar_ids`` of its calendar: the one its value of the
    chosen dimension names, else the clock's (index 0)."""
    codes = np.zeros(len(mapped.tickets), np.int32)
    choice = clock.calendar_by
    if choice is None or choice.by not in mapped.dimensions:
        return codes
    values, dimension = mapped.dimensions[choice.by]
    ids = clock.calendar_ids
    table = np.array([ids.index(choice.values.get(v, clock.calendar)) for v in values] + [0], np.int32)
    return table[np.where(dimension >= 0, dimension, len(values))]


def _build(
    convention: Convention,
    clock: ClockDef,
    mapped: MappedTickets,
    horizons: Horizons,
    horizon: np.datetime64,
    inclusive: bool,
) -> ClockTable:
    history = horizons.history
    selected, targets = applicable(convention, clock, mapped)
    opened = mapped.tickets.opened_at.astype("datetime64[s]")
    start_all = event_instants(clock.start, mapped, history, opened)
    selected &= ~np.isnat(start_all) & seen(start_all, horizon, inclusive)
    calendars = calendar_codes(convention, clock, mapped)
    targets, selected = _dated_targets(
        _Dating(convention, clock, mapped, history, horizon, calendars), start_all, targets, selected
    )
    if resumes_on_reopen(clock):
        stopping = _stop_column(clock.stop.kind, mapped)
        stop_all, gaps = _last_stop(clock.stop.kind, stopping, history, start_all, horizon, inclusive)
    else:
        stop_all, gaps = event_instants(clock.stop, mapped, history, start_all), _Gaps.none()
    stop_all = np.where(stop_all < start_all, start_all, stop_all)  # a stop logged before its start counts as 0
    running_all = ~seen(stop_all, horizon, inclusive)  # NaT is never seen
    # a ticket cancelled before its clock stopped withdraws the clock (D-12)
    cancelled = horizons.cancelled_at(horizon, inclusive=inclusive)
    selected &= np.isnat(cancelled) | (~running_all & (stop_all < cancelled))
    ticket = np.flatnonzero(selected)
    start, stop, running = start_all[ticket], stop_all[ticket], running_all[ticket]
    end = np.where(running, horizon, stop)
    pauses = _pauses(clock, history, ticket, start, end, running, horizon, gaps)
    elapsed = _elapsed(convention, clock, calendars[ticket], start, end, pauses)
    return ClockTable(
        clock,
        ticket.astype(np.int64),
        start,
        np.where(running, NAT, stop),
        running,
        elapsed,
        targets[ticket],
        pauses.owner,
        pauses.start,
        pauses.end,
        pauses.open,
        pauses.paused,
        calendars[ticket],
        clock.calendar_ids,
    )


def _per_calendar(
    convention: Convention,
    clock: ClockDef,
    codes: npt.NDArray[np.int32],
    compute: Callable[[Calendar, I64], I64],
) -> I64:
    """``compute(calendar, rows)`` for the rows of each calendar the clock runs on."""
    out = np.zeros(len(codes), np.int64)
    for code, calendar_id in enumerate(clock.calendar_ids):
        rows = np.flatnonzero(codes == code)
        if len(rows):
            out[rows] = compute(build_calendar(convention.calendars[calendar_id]), rows)
    return out


def _elapsed(
    convention: Convention,
    clock: ClockDef,
    codes: npt.NDArray[np.int32],
    start: Instants,
    end: Instants,
    pauses: _Pauses,
) -> I64:
    if len(clock.calendar_ids) == 1:
        calendar = build_calendar(convention.calendars[clock.calendar])
        return calendar.elapsed_many(start, end, pauses.owner, pauses.start, pauses.end)

    def on(calendar: Calendar, rows: I64) -> I64:
        row_of = np.full(len(codes), -1, np.int64)
        row_of[rows] = np.arange(len(rows))
        mine = row_of[pauses.owner] >= 0  # pauses stay sorted by row: rows are in order
        return calendar.elapsed_many(
            start[rows], end[rows], row_of[pauses.owner[mine]], pauses.start[mine], pauses.end[mine]
        )

    return _per_calendar(convention, clock, codes, on)


@dataclass
class _Dating:
    """What targets read from the record need: the ticket's calendar, its events by the horizon."""

    convention: Convention
    clock: ClockDef
    mapped: MappedTickets
    history: _History
    horizon: np.datetime64
    calendars: npt.NDArray[np.int32]

    def event_by_horizon(self, ref: EventRef) -> I64:
        opened = self.mapped.tickets.opened_at.astype("datetime64[s]")
        at = event_instants(ref, self.mapped, self.history, opened)
        return np.where(np.isnat(at) | (at > self.horizon), NAT_SECONDS, _unix(at))

    def open_seconds(self, start: I64, end: I64, rows: I64) -> I64:
        """Open time on each ticket's calendar from ``start`` to ``end`` (0 when end <= start)."""
        return _per_calendar(
            self.convention,
            self.clock,
            self.calendars[rows],
            lambda calendar, sub: calendar.elapsed_seconds(start[sub], np.maximum(end[sub], start[sub])),
        )

    def deadline(self, start: I64, seconds: int, rows: I64) -> I64:
        """``seconds`` of open time after ``start`` on each ticket's calendar (NaT stays NaT)."""
        return _per_calendar(
            self.convention,
            self.clock,
            self.calendars[rows],
            lambda calendar, sub: calendar.deadline_seconds(start[sub], np.full(len(sub), seconds, np.int64)),
        )


def _dated_targets(
    dating: _Dating, start_all: Instants, targets: I64, selected: npt.NDArray[np.bool_]
) -> tuple[I64, npt.NDArray[np.bool_]]:
    """Targets that run from the clock's start to an instant of the record: ``due`` (the instant
    written on it) and ``legs`` (several delays from several events). A ticket none of whose legs'
    events happened by the horizon has no target yet, hence no clock."""
    distinct, which = _target_of(dating.convention, dating.clock, dating.mapped)
    targets, selected = targets.copy(), selected.copy()
    for index, target in enumerate(distinct):
        if not (target.due or target.legs):
            continue
        rows = np.flatnonzero(selected & (which == index))
        start = _unix(start_all[rows])
        if target.legs and target.combine == "sum":
            seconds, present = _summed_legs(dating, target, rows)
        else:
            deadline = _latest_deadline(dating, target, rows)
            present = deadline != NAT_SECONDS
            seconds = np.where(present, dating.open_seconds(start, deadline, rows), 0)
        targets[rows] = seconds
        selected[rows[~present]] = False
    return targets, selected


def _latest_deadline(dating: _Dating, target: Target, rows: I64) -> I64:
    if target.due:
        due = record_instants(dating.mapped, target.due)[rows]
        return np.where(np.isnat(due), NAT_SECONDS, _unix(due))
    deadlines = [dating.deadline(dating.event_by_horizon(leg.after)[rows], leg.seconds, rows) for leg in target.legs]
    return np.max(np.stack(deadlines), axis=0)  # a leg whose event has not happened is NaT, the least


def _summed_legs(dating: _Dating, target: Target, rows: I64) -> tuple[I64, npt.NDArray[np.bool_]]:
    happened = np.stack([dating.event_by_horizon(leg.after)[rows] != NAT_SECONDS for leg in target.legs])
    delays = np.array([leg.seconds for leg in target.legs], np.int64)
    seconds: I64 = (happened * delays[:, None]).sum(axis=0)
    return seconds, np.asarray(happened.any(axis=0), bool)


@dataclass
class _Gaps:
    """Per ticket (index into the TicketSet): from a stop to the reopening that follows it."""

    ticket: I64
    start: Instants
    end: Instants

    @classmethod
    def none(cls) -> _Gaps:
        return cls(np.empty(0, np.int64), np.empty(0, "datetime64[s]"), np.empty(0, "datetime64[s]"))


_REOPENED_PHASES = ("new", "active", "waiting")


def _stop_column(kind: str, mapped: MappedTickets) -> Instants:
    t = mapped.tickets
    return t.resolved_at if kind == "resolved" else t.closed_at


def _last_stop(
    kind: str,
    column: Instants,
    history: _History,
    start: Instants,
    horizon: np.datetime64,
    inclusive: bool,
) -> tuple[Instants, _Gaps]:
    """``on_reopen: resume``: the last stop (``kind``: ``resolved`` or ``closed``) known at the
    horizon, and the gaps between each earlier stop and the reopening after it.

    After its start, each event either stops the clock (entering a state of a stopping phase),
    runs it (entering a ``new``, ``active`` or ``waiting`` state) or leaves it as it was; only the
    changes matter, so stops and reopenings alternate. The export's own resolution (closure)
    instant ``column``, when given and known at the horizon, is the final stop unless the ticket
    was reopened after it or the history shows an earlier stop since the last reopening.
    """
    stopping = history.in_phase("resolved", "closed") if kind == "resolved" else history.in_phase("closed")
    code = np.where(stopping, -1, np.where(history.in_phase(*_REOPENED_PHASES), 1, 0)).astype(np.int8)
    bound = start[history.ticket]
    rel = (code != 0) & ~np.isnat(bound) & (history.at >= bound) & seen(history.at, horizon, inclusive)
    ticket, at, code = history.ticket[rel], history.at[rel], code[rel]
    new_ticket = _firsts(ticket)
    before = np.ones(len(code), np.int8)  # a clock runs from its start
    before[1:] = code[:-1]
    before[new_ticket] = 1
    change = code != before
    ticket, at, code = ticket[change], at[change], code[change]
    same_next = np.zeros(len(ticket), bool)
    same_next[:-1] = ticket[1:] == ticket[:-1]
    gap = (code == -1) & same_next  # a stop followed by a reopening of the same ticket
    final = (code == -1) & ~same_next
    last_stop = np.full(history.n, NAT)
    last_stop[ticket[final]] = at[final]
    reopened_ticket, reopened_at = ticket[code == 1], at[code == 1]
    last = np.ones(len(reopened_ticket), bool)
    last[:-1] = reopened_ticket[1:] != reopened_ticket[:-1]
    last_reopened = np.full(history.n, NAT)
    last_reopened[reopened_ticket[last]] = reopened_at[last]
    column = column.astype("datetime64[s]")
    # the column is known only once it has happened, and dates an earlier resolution when the
    # ticket was reopened after it; a resolution seen at one horizon stays where it was seen at
    # every later one (D-13): the column dates it only when it is the earlier of the two
    use_column = ~np.isnat(column) & seen(column, horizon, inclusive)
    use_column &= np.isnat(last_reopened) | (column >= last_reopened)
    after = np.flatnonzero(gap) + 1
    return np.where(use_column, np.fmin(column, last_stop), last_stop), _Gaps(ticket[gap], at[gap], at[after])


def _firsts(ticket: I64) -> npt.NDArray[np.bool_]:
    first = np.ones(len(ticket), bool)
    first[1:] = ticket[1:] != ticket[:-1]
    return first


def _target_of(convention: Convention, clock: ClockDef, mapped: MappedTickets) -> tuple[tuple[Target, ...], I64]:
    """The clock's distinct targets and, per ticket, the index of the one its priority takes
    (-1: none)."""
    ids = [p.id for p in convention.priorities]
    distinct = tuple(dict.fromkeys(clock.targets.values()))
    default = distinct.index(clock.targets["*"]) if "*" in clock.targets else -1
    table = np.array(
        [distinct.index(clock.targets[p]) if p in clock.targets else default for p in ids] + [default],
        np.int64,
    )
    # tickets without a contract priority (negative codes) take the "*" target, if any
    return distinct, table[np.where(mapped.priorities >= 0, mapped.priorities, len(ids))]


def clock_targets(convention: Convention, clock: ClockDef, mapped: MappedTickets) -> tuple[I64, npt.NDArray[np.bool_]]:
    """Target seconds per ticket, and whether it has one: written in the file for its priority,
    or on its record (a duration in ``column``; an instant in ``due``, whose seconds depend on
    the clock's start and are 0 here; ``legs``, likewise, decided once the start is known)."""
    distinct, which = _target_of(convention, clock, mapped)
    seconds = np.zeros(len(mapped.tickets), np.int64)
    known = np.zeros(len(mapped.tickets), bool)
    for index, target in enumerate(distinct):
        rows = which == index
        if target.column:
            values = record_values(mapped, target.column)[rows]
            spec = convention.calendars[clock.calendar]
            seconds[rows], known[rows], _ = record_durations(values, spec)
        elif target.due:
            known[rows] = ~np.isnat(record_instants(mapped, target.due)[rows])
        elif target.legs:
            known[rows] = True
        else:
            seconds[rows], known[rows] = target.seconds, target.seconds > 0
    return seconds, known


def record_values(mapped: MappedTickets, column: str) -> npt.NDArray[np.object_]:
    values = mapped.tickets.attributes.get(column)
    return np.full(len(mapped.tickets), "", dtype=object) if values is None else values


@dataclass
class _Pauses:
    owner: I64
    start: Instants
    end: Instants
    open: npt.NDArray[np.bool_]
    paused: npt.NDArray[np.bool_]


def _pauses(
    clock: ClockDef,
    history: _History,
    ticket: I64,
    start: Instants,
    end: Instants,
    running: npt.NDArray[np.bool_],
    horizon: np.datetime64,
    gaps: _Gaps,
) -> _Pauses:
    """Intervals spent in a pause state, and the reopening gaps, clipped to each clock's
    ``[start, end)``, sorted by row then start."""
    row_of = np.full(history.n, -1, np.int64)
    row_of[ticket] = np.arange(len(ticket))
    in_pause = history.in_states(clock.pause_states)
    in_pause &= row_of[history.ticket] >= 0
    owner = row_of[history.ticket[in_pause]]
    seg_start, seg_end = history.at[in_pause], history.segment_end[in_pause]
    # the pause the ticket is in at the horizon holds a running clock, even one just begun
    ongoing = (seg_start <= horizon) & (np.isnat(seg_end) | (seg_end > horizon)) & running[owner]
    seg_end = np.where(np.isnat(seg_end), end[owner], seg_end)
    gap_owner = row_of[gaps.ticket]
    keep = gap_owner >= 0
    owner = np.concatenate((owner, gap_owner[keep]))
    seg_start = np.concatenate((seg_start, gaps.start[keep]))
    seg_end = np.concatenate((seg_end, gaps.end[keep]))
    ongoing = np.concatenate((ongoing, np.zeros(int(keep.sum()), bool)))
    lo = np.maximum(seg_start, start[owner])
    hi = np.minimum(seg_end, end[owner])
    real = (hi > lo) | ongoing
    order = np.lexsort((lo[real], owner[real]))
    owner, lo, hi, ongoing = owner[real][order], lo[real][order], hi[real][order], ongoing[real][order]
    paused = np.zeros(len(ticket), bool)
    paused[owner[ongoing]] = True
    return _Pauses(owner, lo, hi, ongoing, paused)


def _unix(instants: Instants) -> I64:
    return np.asarray(instants).astype("datetime64[s]").astype(np.int64)
