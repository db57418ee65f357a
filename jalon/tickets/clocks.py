"""A ticket's clocks from its state history: the platform's side of the one clock engine.

The rules live in :mod:`jalon.conventions.clocks` (and ``docs/convention-format.md``); this
module only turns one ticket's history into the engine's columnar input, through the built-in
profile of :mod:`jalon.conventions.platform` (platform states → the convention's states), and
reads the answer back as :class:`ClockState` values. A wait enters ``waiting_requester`` or
``waiting_third_party`` after the reason its ``waiting`` event recorded (:func:`transitions`), so
that a convention pauses for the one and not the other. A scorecard of the platform's tickets
(:func:`jalon.tickets.export.tickets_to_ticketset`) goes through the same two steps, so it shows
the figures the live clocks showed. Pure: no Django, no clock reads.

``due_at`` is the instant the target runs out if the clock runs on without a new pause; a paused
clock has none (nothing can fall due while it is paused); a stopped clock keeps the one it had,
for display. Running out exactly at the target is on time (``breached`` means over). Instants
are whole seconds, as in the engine.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from jalon.commitments.state import ClockState
from jalon.conventions.calendars import build_calendar
from jalon.conventions.clocks import ClockTable, applicable, build_clocks
from jalon.conventions.mapping import map_tickets
from jalon.conventions.model import ClockDef, Convention
from jalon.conventions.platform import (
    PLATFORM_COLUMNS,
    PLATFORM_INSTANTS,
    PLATFORM_PROFILE,
    PLATFORM_STATES,
    WAITING,
    exported_state,
    platform_profile,
)
from jalon.imports.ticketset import TicketSet

MODEL_FIELDS = {"group": "assigned_group", "delai_execution": "lead_time_days"}
"""The ticket's field behind each exported column (:data:`PLATFORM_COLUMNS`) whose name
differs: the assigned group is ``group`` (as in the tools' exports); the lead time the holder
confirmed is ``delai_execution``, written ``10j``, the column AQUAREEL's one-off interventions
take their target from (seed 000 L184, D-AQ-32)."""

ENGINE_COLUMNS = tuple(MODEL_FIELDS.get(column, column) for column in PLATFORM_COLUMNS)
"""The ticket's fields the engine reads, by the live clocks (``Ticket.facts``) and by scorecards
of the platform's tickets (``jalon.tickets.export``) alike: a convention may choose a clock's
calendar, filter its tickets or take its target from any of them."""


INSTANT_COLUMNS = PLATFORM_INSTANTS
"""The ticket's instant fields the engine reads under the same names (``Ticket.informed_at``)."""


def engine_attributes(values: Mapping[str, object]) -> dict[str, str]:
    """``values`` of :data:`ENGINE_COLUMNS` under the names the engine reads
    (:data:`PLATFORM_COLUMNS`), as text (``""`` if empty)."""
    found = {column: str(values.get(MODEL_FIELDS.get(column, column)) or "") for column in PLATFORM_COLUMNS}
    if found["delai_execution"]:
        found["delai_execution"] += "j"  # business days on the clock's calendar
    return found


PHASES = PLATFORM_STATES
"""Phase of each state the engine reads (the convention's vocabulary for state families)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAT = np.datetime64("NaT", "s")


@dataclass(frozen=True)
class Transition:
    at: datetime
    before: str
    after: str
    """States as the engine reads them (:data:`PHASES`: a wait says its reason); ``before`` is
    empty for the opening."""


def transitions(rows: Iterable[tuple[datetime, str, str, object]]) -> list[Transition]:
    """A ticket's state changes from its history rows (instant, stored state left, stored state
    entered, the ``reason`` of the event's payload), in order.

    A ``waiting`` entered is ``waiting_requester`` or ``waiting_third_party`` after the reason
    the event recorded; an event without a reason (written before the reason reached the
    clocks) is a wait for the requester, as it was read then
    (:func:`jalon.conventions.platform.exported_state`). Leaving a wait is leaving that wait.
    """
    result: list[Transition] = []
    for at, before, after, reason in rows:
        if before == WAITING and result and PHASES.get(result[-1].after) == "waiting":
            before = result[-1].after
        else:
            before = exported_state(before)
        result.append(Transition(at, before, exported_state(after, reason)))
    return result


@dataclass(frozen=True)
class TicketFacts:
    """What the engine reads of a platform ticket besides its history."""

    reference: str
    opened_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    attributes: Mapping[str, str]
    """Contract values as stored: ``type``, ``priority`` (``""`` until qualified), …"""
    counters: Mapping[str, int] = field(default_factory=dict)
    instants: Mapping[str, datetime | None] = field(default_factory=dict)
    """Instants written on the record besides the three above (``audit_at``…), for clocks that
    start, stop or take their target from them."""


def platform_ticketset(
    tickets: Sequence[TicketFacts], events: Sequence[tuple[int, datetime, str]], source: str = PLATFORM_PROFILE
) -> TicketSet:
    """Platform tickets in the columnar form of exports. ``events`` are (index into
    ``tickets``, instant, state entered as the engine reads it: see :func:`transitions`), sorted
    by ticket then instant."""
    names = sorted({name for t in tickets for name in t.attributes})
    counters = sorted({name for t in tickets for name in t.counters})
    instants = sorted({name for t in tickets for name in t.instants})
    return TicketSet(
        source=source,
        ids=np.array([t.reference for t in tickets], dtype=object),
        rows=np.arange(1, len(tickets) + 1, dtype=np.int64),
        opened_at=_instants([t.opened_at for t in tickets]),
        resolved_at=_instants([t.resolved_at for t in tickets]),
        closed_at=_instants([t.closed_at for t in tickets]),
        attributes={n: np.array([t.attributes.get(n, "") for t in tickets], dtype=object) for n in names},
        counters={n: np.array([t.counters.get(n, 0) for t in tickets], np.int64) for n in counters},
        instants={n: _instants([t.instants.get(n) for t in tickets]) for n in instants},
        event_ticket=np.array([e[0] for e in events], np.int64),
        event_at=_instants([e[1] for e in events]),
        event_state=np.array([e[2] for e in events], dtype=object),
    )


def clocks_for(
    convention: Convention,
    ticket: TicketFacts,
    history: Sequence[Transition],
    now: datetime,
    default_warn_ratio: float,
) -> list[ClockState]:
    """Every clock the convention gives this ticket, as of ``now`` (inclusive)."""
    tickets = platform_ticketset([ticket], [(0, step.at, step.after) for step in history])
    mapped = map_tickets(convention, platform_profile(convention), tickets)
    targets = {}
    for clock in convention.clocks:
        applies, seconds = applicable(convention, clock, mapped)
        if applies[0]:
            targets[clock.id] = int(seconds[0])
    # only the clocks this ticket has: the others would cost as much to find empty
    own = replace(convention, clocks=tuple(c for c in convention.clocks if c.id in targets))
    tables = build_clocks(own, mapped, np.datetime64(_seconds(now), "s"), inclusive=True)
    states = []
    for clock in own.clocks:
        ratio = clock.warn_ratio if clock.warn_ratio is not None else default_warn_ratio
        table = tables[clock.id]
        # a target read from the record (a due instant, several legs) is known once started
        target = int(table.target[0]) if len(table) else targets[clock.id]
        states.append(_state(convention, clock, table, target, ratio))
    return states


def _state(convention: Convention, clock: ClockDef, table: ClockTable, target: int, ratio: float) -> ClockState:
    warn = math.ceil(target * ratio)
    if not len(table):
        return ClockState(clock.id, clock.label, clock.calendar, target, None, (), None, 0,
                          None, None, False, False)
    calendar_id = table.calendar_id(0)  # the ticket's own, when the clock chooses by team or site
    calendar = build_calendar(convention.calendars[calendar_id])
    due, risk = table.deadline(calendar, [[target], [warn]])[:, 0]
    elapsed = int(table.elapsed[0])
    pauses = tuple(
        (_datetime(start), None if ongoing else _datetime(end))
        for start, end, ongoing in zip(table.pause_start, table.pause_end, table.pause_open, strict=True)
    )
    return ClockState(
        kind=clock.id, label=clock.label, calendar=calendar_id, target_seconds=target,
        started_at=_datetime(table.start[0]), pauses=pauses, stopped_at=_optional(table.stop[0]),
        elapsed_seconds=elapsed, due_at=_optional(due), risk_at=_optional(risk),
        at_risk=elapsed >= warn, breached=elapsed > target,
    )


def _seconds(instant: datetime) -> int:
    return (instant - _EPOCH) // timedelta(seconds=1)


def _instants(values: Sequence[datetime | None]) -> npt.NDArray[np.datetime64]:
    seconds = [_NAT if v is None else np.datetime64(_seconds(v), "s") for v in values]
    return np.array(seconds, "datetime64[s]")


def _datetime(instant: np.datetime64) -> datetime:
    return _EPOCH + timedelta(seconds=int(instant.astype("datetime64[s]").astype(np.int64)))


def _optional(instant: np.datetime64) -> datetime | None:
    return None if np.isnat(instant) else _datetime(instant)
