"""Rebuild every ticket's clocks from its state history, all tickets at once.

A clock starts at an event, pauses while the ticket sits in a pause state, and stops at an
event. Its business time comes from :meth:`Calendar.elapsed_many`; a clock still running at the
horizon (the end of the scored period) is measured up to the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from jalon.conventions.calendars import build_calendar
from jalon.conventions.mapping import MappedTickets
from jalon.conventions.model import ClockDef, Convention, EventRef

Instants = npt.NDArray[np.datetime64]
I64 = npt.NDArray[np.int64]
NAT = np.datetime64("NaT", "s")


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
    pause_start: Instants
    pause_end: Instants

    def __len__(self) -> int:
        return len(self.ticket)

    def met(self, factor: float = 1.0) -> npt.NDArray[np.bool_]:
        return self.elapsed <= np.floor(self.target * factor)

    def overrun(self, factor: float = 1.0) -> I64:
        return np.maximum(self.elapsed - np.floor(self.target * factor).astype(np.int64), 0)


def build_clocks(convention: Convention, mapped: MappedTickets, horizon: np.datetime64) -> dict[str, ClockTable]:
    history = _History(convention, mapped)
    return {c.id: _build(convention, c, mapped, history, horizon) for c in convention.clocks}


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
        return np.isin(self.state, codes)


def event_instants(ref: EventRef, mapped: MappedTickets, history: _History, after: Instants) -> Instants:
    t = mapped.tickets
    if ref.kind == "opened":
        return t.opened_at.astype("datetime64[s]")
    if ref.kind == "resolved":
        return _fallback(t.resolved_at, history.first(history.in_phase("resolved", "closed"), after))
    if ref.kind == "closed":
        return _fallback(t.closed_at, history.first(history.in_phase("closed"), after))
    inside = np.isin(history.state, history.codes(ref.states))
    return history.first(inside if ref.kind == "enter" else ~inside, after)


def _fallback(column: Instants, derived: Instants) -> Instants:
    column = column.astype("datetime64[s]")
    return np.where(np.isnat(column), derived, column)


def _build(
    convention: Convention,
    clock: ClockDef,
    mapped: MappedTickets,
    history: _History,
    horizon: np.datetime64,
) -> ClockTable:
    targets = _targets(convention, clock, mapped)
    type_codes = [convention.types.index(t) for t in clock.types]
    selected = mapped.keep & np.isin(mapped.types, type_codes) & (targets > 0)
    opened = mapped.tickets.opened_at.astype("datetime64[s]")
    start_all = event_instants(clock.start, mapped, history, opened)
    stop_all = event_instants(clock.stop, mapped, history, start_all)
    selected &= ~np.isnat(start_all) & (start_all < horizon)
    ticket = np.flatnonzero(selected)
    start, stop = start_all[ticket], stop_all[ticket]
    stop = np.where(stop < start, start, stop)  # a stop logged before its start counts as 0
    running = np.isnat(stop) | (stop > horizon)
    end = np.where(running, horizon, stop)
    owner, pause_start, pause_end = _pauses(clock, history, ticket, start, end)
    calendar = build_calendar(convention.calendars[clock.calendar])
    elapsed = calendar.elapsed_many(start, end, owner, pause_start, pause_end)
    return ClockTable(
        clock,
        ticket.astype(np.int64),
        start,
        np.where(running, NAT, stop),
        running,
        elapsed,
        targets[ticket],
        owner,
        pause_start,
        pause_end,
    )


def _targets(convention: Convention, clock: ClockDef, mapped: MappedTickets) -> I64:
    """Target seconds per ticket from its priority; 0 where the clock has no target for it."""
    ids = [p.id for p in convention.priorities]
    default = clock.targets["*"].seconds if "*" in clock.targets else 0
    table = np.array(
        [clock.targets[p].seconds if p in clock.targets else default for p in ids] + [default],
        np.int64,
    )
    # tickets without a contract priority (negative codes) take the "*" target, if any
    return table[np.where(mapped.priorities >= 0, mapped.priorities, len(ids))]


def _pauses(
    clock: ClockDef, history: _History, ticket: I64, start: Instants, end: Instants
) -> tuple[I64, Instants, Instants]:
    """Intervals spent in a pause state, clipped to each clock's ``[start, end)``."""
    if not clock.pause_states:
        return np.empty(0, np.int64), np.empty(0, "datetime64[s]"), np.empty(0, "datetime64[s]")
    row_of = np.full(history.n, -1, np.int64)
    row_of[ticket] = np.arange(len(ticket))
    paused = np.isin(history.state, history.codes(clock.pause_states))
    paused &= row_of[history.ticket] >= 0
    owner = row_of[history.ticket[paused]]
    seg_start, seg_end = history.at[paused], history.segment_end[paused]
    seg_end = np.where(np.isnat(seg_end), end[owner], seg_end)
    lo = np.maximum(seg_start, start[owner])
    hi = np.minimum(seg_end, end[owner])
    real = hi > lo
    return owner[real], lo[real], hi[real]
