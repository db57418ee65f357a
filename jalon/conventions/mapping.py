"""External values of a :class:`TicketSet` to the contract's words, through a profile.

Each column is mapped once per *distinct* value (a few dozen), then spread to every row with
one dictionary lookup per value inside ``map`` (C speed, no per-ticket Python code).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase

import numpy as np
import numpy.typing as npt

from jalon.conventions.calendars import record_durations
from jalon.conventions.model import Convention, Filter, Profile, ValueMap
from jalon.imports.ticketset import TicketSet

I32 = npt.NDArray[np.int32]
UNMAPPED = -1
"""Code of an external value the profile does not know (an input error)."""
NO_VALUE = -2
"""Code of a value the profile maps to nothing on purpose (``~`` in the file)."""


@dataclass
class MappedTickets:
    tickets: TicketSet
    profile: Profile
    types: I32
    priorities: I32
    dimensions: dict[str, tuple[tuple[str, ...], I32]]
    """Per dimension: its contract values, and each ticket's index into them."""
    keep: npt.NDArray[np.bool_]
    """Tickets every required value could be mapped for."""
    event_keep: npt.NDArray[np.bool_]
    event_states: I32
    """Index into ``convention.states`` of each event's state (meaningful where event_keep)."""
    problems: list[str] = field(default_factory=list)


def map_tickets(convention: Convention, profile: Profile, tickets: TicketSet) -> MappedTickets:
    problems: list[str] = []
    n = len(tickets)
    types = _codes(tickets, profile.types, convention.types, problems)
    priorities = _priorities(convention, profile, tickets, problems)
    dims = {}
    for name, vmap in profile.dimensions.items():
        values = _targets(vmap)
        dims[name] = (values, _codes(tickets, vmap, values, problems))
    state_ids = tuple(s.id for s in convention.states)
    event_states = _map_values(tickets.event_state, profile.states, state_ids)
    keep = (types >= 0) & (priorities != UNMAPPED)
    for _values, codes in dims.values():
        keep &= codes != UNMAPPED
    bad_events = event_states == UNMAPPED
    if bad_events.any():
        problems += _event_problems(tickets, profile.states, bad_events)
        keep[tickets.event_ticket[bad_events]] = False
    keep &= _record_durations_readable(convention, tickets, problems)
    if n and not keep.all():
        problems.append(f"{tickets.source}: {int((~keep).sum())} of {n} tickets set aside")
    event_keep = (event_states >= 0) & keep[tickets.event_ticket] if len(event_states) else (np.zeros(0, bool))
    return MappedTickets(tickets, profile, types, priorities, dims, keep, event_keep, event_states, problems)


def _record_durations_readable(
    convention: Convention, tickets: TicketSet, problems: list[str]
) -> npt.NDArray[np.bool_]:
    """Tickets whose record holds a duration a clock reads as its target (``targets: {column}``)
    but that is not one, e.g. a purchase order's delay written ``10`` with no unit, are input
    errors like an unmapped value: each is named with its row."""
    readable = np.ones(len(tickets), bool)
    for clock in convention.clocks:
        for column in dict.fromkeys(t.column for t in clock.targets.values() if t.column):
            values = tickets.attributes.get(column)
            if values is None:
                continue
            _, _, bad = record_durations(values, convention.calendars[clock.calendar])
            for row in np.flatnonzero(bad & readable):
                problems.append(
                    f"{tickets.source}:{tickets.rows[row]}: {column}: {str(values[row])!r} is not a duration "
                    f"(clock {clock.id}; e.g. 10j, 3 semaines, 48h)"
                )
            readable &= ~bad
    return readable


def _targets(vmap: ValueMap) -> tuple[str, ...]:
    values = {v for _, v in vmap.values if v is not None}
    if vmap.default is not None:
        values.add(vmap.default)
    return tuple(sorted(values))


def _priorities(convention: Convention, profile: Profile, tickets: TicketSet, problems: list[str]) -> I32:
    ids = tuple(p.id for p in convention.priorities)
    if profile.priority_from == "priority":
        assert profile.priorities is not None  # the loader requires it
        return _codes(tickets, profile.priorities, ids, problems)
    matrix = convention.matrix
    # the loader requires the matrix and both mappings when priority_from is matrix
    assert matrix is not None
    assert profile.urgencies is not None
    assert profile.impacts is not None
    urgency = _codes(tickets, profile.urgencies, matrix.urgencies, problems)
    impact = _codes(tickets, profile.impacts, matrix.impacts, problems)
    table = np.array([[ids.index(cell) for cell in row] for row in matrix.cells], np.int32)
    known = (urgency >= 0) & (impact >= 0)
    result = np.where(known, table[np.maximum(urgency, 0), np.maximum(impact, 0)], NO_VALUE)
    result[(urgency == UNMAPPED) | (impact == UNMAPPED)] = UNMAPPED
    return result.astype(np.int32)


def _codes(tickets: TicketSet, vmap: ValueMap, vocabulary: tuple[str, ...], problems: list[str]) -> I32:
    column = tickets.attributes.get(vmap.column)
    if column is None:
        column = np.full(len(tickets), "", dtype=object)
    codes = _map_values(column, vmap, vocabulary)
    unmapped = codes == UNMAPPED
    if unmapped.any():
        problems += _value_problems(tickets, column, vmap, unmapped)
    return codes


def _map_values(values: npt.NDArray[np.object_], vmap: ValueMap, vocabulary: tuple[str, ...]) -> I32:
    lookup = {value: _code(str(value), vmap, vocabulary) for value in dict.fromkeys(values)}
    return np.fromiter(map(lookup.__getitem__, values), np.int32, count=len(values))


def _code(value: str, vmap: ValueMap, vocabulary: tuple[str, ...]) -> int:
    for external, internal in vmap.values:
        if external == value or ("*" in external and fnmatchcase(value, external)):
            return NO_VALUE if internal is None else vocabulary.index(internal)
    if vmap.default is not None:
        return vocabulary.index(vmap.default)
    return UNMAPPED


def _value_problems(
    tickets: TicketSet, column: npt.NDArray[np.object_], vmap: ValueMap, unmapped: npt.NDArray[np.bool_]
) -> list[str]:
    """One line per unknown value: the first row that holds it and how many more do."""
    rows = np.flatnonzero(unmapped)
    values, first, counts = np.unique(column[rows].astype(str), return_index=True, return_counts=True)
    lines = []
    for value, index, count in zip(values, first, counts, strict=True):
        row = tickets.rows[rows[index]]
        more = f" (and {count - 1} more tickets)" if count > 1 else ""
        lines.append(
            f"{tickets.source}:{row}: {vmap.column}: {str(value)!r} is not mapped by profile ({vmap.where}){more}"
        )
    return lines


def _event_problems(tickets: TicketSet, vmap: ValueMap, bad: npt.NDArray[np.bool_]) -> list[str]:
    events = np.flatnonzero(bad)
    values, first, counts = np.unique(tickets.event_state[events].astype(str), return_index=True, return_counts=True)
    lines = []
    for value, index, count in zip(values, first, counts, strict=True):
        row = tickets.rows[tickets.event_ticket[events[index]]]
        more = f" (and {count - 1} more events)" if count > 1 else ""
        lines.append(f"{tickets.source}:{row}: state: {str(value)!r} is not mapped by profile ({vmap.where}){more}")
    return lines


def filter_mask(convention: Convention, mapped: MappedTickets, flt: Filter) -> npt.NDArray[np.bool_]:
    """Kept tickets matching ``flt`` (types, priorities, dimension values): the one reading of a
    filter, for indicators and clocks alike."""
    mask = mapped.keep.copy()
    if flt.types:
        mask &= np.isin(mapped.types, [convention.types.index(t) for t in flt.types])
    if flt.priorities:
        ids = [p.id for p in convention.priorities]
        mask &= np.isin(mapped.priorities, [ids.index(p) for p in flt.priorities])
    for name, wanted in flt.dimensions.items():
        values, codes = mapped.dimensions.get(name, ((), np.full(len(mask), -1, np.int32)))
        mask &= np.isin(codes, [values.index(v) for v in wanted if v in values])
    return mask
