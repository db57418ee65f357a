"""The platform's tickets as a :class:`TicketSet`, so that ``evaluate()`` scores them.

Values are the platform's own (contract type and priority ids, platform states): score them
with the built-in profile ``jalon`` (``evaluate(convention, tickets, measures, period,
profile="jalon")``), the one ``Ticket.recompute_clocks`` reads them through, so a scorecard
shows the figures the live clocks showed. Two queries, whatever the number of tickets (on
PostgreSQL three, and one more per hundred thousand tickets).

On PostgreSQL (:func:`_postgres_ticketset`) the chosen tickets' ids come first, packed into one
value; the tickets then stream through a server-side cursor, a chunk at a time, their repeated
values shared; their history comes packed by PostgreSQL, twenty bytes an event, a value per
hundred thousand tickets, read straight into arrays. A quarter of a contract with a million
tickets and seven million events is read in seconds and a few hundred megabytes, where a list of
model rows would take gigabytes (docs/performance.md). Both paths give the same ``TicketSet``
(``jalon/tickets/tests/test_export_parity.py``).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import numpy as np
from django.db.models import Q, QuerySet

from jalon.conventions.platform import PLATFORM_COLUMNS, PLATFORM_STATES, WAITING, WAITING_STATES, exported_state
from jalon.imports.ticketset import TicketSet
from jalon.tickets.clocks import ENGINE_COLUMNS, INSTANT_COLUMNS, TicketFacts, engine_attributes, platform_ticketset
from jalon.tickets.models import EventKind, Ticket, TicketEvent

_ASSIGNMENTS = (EventKind.ASSIGNED, EventKind.ESCALATED)
_COLUMNS = ENGINE_COLUMNS


def tickets_to_ticketset(tickets: QuerySet[Ticket], source: str = "jalon") -> TicketSet:
    """``tickets`` with their state history; ``group`` is the assigned group, and the counters
    ``reopen_count`` and ``reassignment_count`` (assignments and escalations after the first).

    The states are the ones ``Ticket.history`` gives the live clocks: a wait is
    ``waiting_requester`` or ``waiting_third_party`` after the reason its event recorded (an old
    event without one: the requester)."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    if connections[tickets.db].vendor == "postgresql":
        try:
            return _postgres_ticketset(tickets, source)
        except EmptyResultSet:  # ``none()``: nothing to ask the database
            pass
    return _orm_ticketset(tickets, source)


def _orm_ticketset(tickets: QuerySet[Ticket], source: str) -> TicketSet:
    """:func:`tickets_to_ticketset` through the ORM (SQLite; the reference the streamed path
    is compared with)."""
    rows = list(tickets.order_by("pk").values_list(
        "pk", "contract__reference", "number", "opened_at", "resolved_at", "closed_at",
        "reopen_count", *INSTANT_COLUMNS, *_COLUMNS))
    index = {row[0]: i for i, row in enumerate(rows)}
    events: list[tuple[int, datetime, str]] = []
    assignments: Counter[int] = Counter()
    history = (TicketEvent.objects.filter(ticket__in=tickets.values("pk"))
               .filter(~Q(state_to="") | Q(kind__in=_ASSIGNMENTS))
               .order_by("ticket_id", "at", "pk")
               .values_list("ticket_id", "at", "state_to", "kind", "payload__reason"))
    for ticket_id, at, state, kind, reason in history:
        if state:
            events.append((index[ticket_id], at, exported_state(state, reason)))
        if kind in _ASSIGNMENTS:
            assignments[ticket_id] += 1
    facts = [_facts(row, assignments[row[0]]) for row in rows]
    return platform_ticketset(facts, events, source)


def _facts(row: tuple[Any, ...], assignments: int) -> TicketFacts:
    _pk, reference, number, opened, resolved, closed, reopen_count, *values = row
    instants = dict(zip(INSTANT_COLUMNS, values[:len(INSTANT_COLUMNS)], strict=True))
    attributes = engine_attributes(dict(zip(_COLUMNS, values[len(INSTANT_COLUMNS):], strict=True)))
    return TicketFacts(
        reference=f"{reference}-{number}", opened_at=opened, resolved_at=resolved,
        closed_at=closed, attributes=attributes, instants=instants,
        counters={"reopen_count": int(reopen_count), "reassignment_count": max(assignments - 1, 0)},
    )


_NULL = -(1 << 62)
"""An instant the row does not have, in the streamed queries (read back as ``NaT``)."""
_STATES = tuple(PLATFORM_STATES)
_CHUNK = 20_000
_EVENT_ROW = np.dtype([("ticket", ">i8"), ("at", ">i8"), ("state", ">i2"), ("assignment", ">i2")])
"""One event of the history as PostgreSQL packs it (:func:`_postgres_ticketset`): ticket id,
instant in Unix seconds, state code or -1, 1 for an assignment; big-endian, 20 bytes."""
_HISTORY_SLICE = 100_000
"""Tickets whose events one query packs into one value (a few tens of megabytes)."""


def _epoch(column: str) -> str:
    return f"COALESCE(FLOOR(EXTRACT(EPOCH FROM {column}))::bigint, {_NULL})"


def _postgres_ticketset(tickets: QuerySet[Ticket], source: str) -> TicketSet:
    """:func:`tickets_to_ticketset` for PostgreSQL, streamed (see the module's docstring)."""
    from django.db import connections

    from jalon.tickets.clocks import MODEL_FIELDS

    connection = connections[tickets.db]
    chosen, params = tickets.order_by().values("pk").query.sql_with_params()
    fields = [MODEL_FIELDS.get(c, c) for c in PLATFORM_COLUMNS]
    ticket_sql = (
        f"SELECT t.id, c.reference, t.number, {_epoch('t.opened_at')}, {_epoch('t.resolved_at')}, "
        f"{_epoch('t.closed_at')}, t.reopen_count, "
        + ", ".join(_epoch(f"t.{name}") for name in INSTANT_COLUMNS) + ", "
        + ", ".join(f"t.{name}" for name in fields)
        + " FROM tickets_ticket t JOIN contracts_contract c ON c.id = t.contract_id WHERE t.id = ANY(%s)"
        " ORDER BY t.id")
    # The chosen ids first, packed into one value: the next two queries name them (a subquery
    # there let PostgreSQL plan a walk of the whole table's primary key for the cursor, and a
    # scan of the whole history).
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT string_agg(int8send(chosen.id::bigint), ''::bytea ORDER BY chosen.id) "
                       f"FROM ({chosen}) AS chosen(id)", params)
        packed = cursor.fetchone()[0]
    wanted = np.frombuffer(bytes(packed or b""), ">i8").astype(np.int64).tolist()
    pks: list[Any] = []
    ids: list[str] = []
    numbers: list[list[int]] = [[] for _ in range(4 + len(INSTANT_COLUMNS))]
    texts: list[list[Any]] = [[] for _ in fields]
    shared: dict[Any, Any] = {}
    with connection.chunked_cursor() as cursor:  # server-side: a chunk at a time
        cursor.execute(ticket_sql, [wanted])
        while chunk := cursor.fetchmany(_CHUNK):
            columns = list(zip(*chunk, strict=True))
            pks.extend(columns[0])
            ids.extend(f"{reference}-{number}" for reference, number in zip(columns[1], columns[2], strict=True))
            for k, column in enumerate(columns[3:7 + len(INSTANT_COLUMNS)]):
                numbers[k].extend(column)
            for k, column in enumerate(columns[7 + len(INSTANT_COLUMNS):]):
                texts[k].extend(shared.setdefault(value, value) for value in column)
    pk = np.array(pks, np.int64)
    state = ("CASE "
             + " ".join(f"WHEN e.state_to = '{state}' THEN {code}" for code, state in enumerate(_STATES)
                        if state in PLATFORM_STATES and PLATFORM_STATES[state] != 'waiting')
             + f" WHEN e.state_to = '{WAITING}' THEN CASE e.payload ->> 'reason' "
             + " ".join(f"WHEN '{reason}' THEN {_STATES.index(state)}" for reason, state in WAITING_STATES.items())
             + f" ELSE {_STATES.index(WAITING_STATES['requester'])} END ELSE -1 END")
    assignments_in = "(" + ", ".join(f"'{kind.value}'" for kind in _ASSIGNMENTS) + ")"
    # Each event packed by PostgreSQL into 20 bytes and a slice of tickets' events into one value:
    # one round trip per slice, read straight into an array (a row per event, even as binary COPY
    # rows, cost seconds of Python per million events). The tickets' own ids, not the subquery
    # again: PostgreSQL then knows how few they are and reads their events by index.
    history_sql = (
        f"SELECT string_agg(int8send(e.ticket_id::bigint) || int8send({_epoch('e.at')}) "
        f"|| int2send(({state})::smallint) || int2send((e.kind IN {assignments_in})::int::smallint), "
        "''::bytea ORDER BY e.ticket_id, e.at, e.id)"
        f" FROM tickets_ticketevent e WHERE e.ticket_id = ANY(%s)"
        f" AND (e.state_to <> '' OR e.kind IN {assignments_in})")
    parts: list[bytes] = []
    with connection.cursor() as cursor:
        for first in range(0, len(pks), _HISTORY_SLICE):
            cursor.execute(history_sql, [pks[first:first + _HISTORY_SLICE]])
            packed = cursor.fetchone()[0]
            if packed:
                parts.append(bytes(packed))
    rows = np.frombuffer(b"".join(parts), _EVENT_ROW)
    owner = np.searchsorted(pk, rows["ticket"].astype(np.int64))
    states = rows["state"].astype(np.int64)
    moved = states >= 0
    assignments = np.bincount(owner[rows["assignment"] == 1], minlength=len(pk))
    names = np.array((*_STATES, ""), dtype=object)

    def instants(values: list[int]) -> Any:
        seconds = np.array(values, np.int64)
        return np.where(seconds == _NULL, np.datetime64("NaT", "s"), seconds.astype("datetime64[s]"))

    attributes: dict[str, Any] = {}
    if len(pk):
        for name, values in zip(PLATFORM_COLUMNS, texts, strict=True):
            if name == "delai_execution":  # business days on the clock's calendar, as engine_attributes
                attributes[name] = np.array(["" if v is None else f"{v}j" for v in values], dtype=object)
            else:
                attributes[name] = np.array(["" if v is None else v if isinstance(v, str) else str(v)
                                               for v in values], dtype=object)
    reopen = np.array(numbers[3], np.int64)
    return TicketSet(
        source=source, ids=np.array(ids, dtype=object), rows=np.arange(1, len(pk) + 1, dtype=np.int64),
        opened_at=instants(numbers[0]), resolved_at=instants(numbers[1]), closed_at=instants(numbers[2]),
        attributes=attributes,
        counters={"reassignment_count": np.maximum(assignments - 1, 0).astype(np.int64), "reopen_count": reopen}
        if len(pk) else {},
        instants={name: instants(numbers[4 + k]) for k, name in enumerate(INSTANT_COLUMNS)} if len(pk) else {},
        event_ticket=owner[moved].astype(np.int64),
        event_at=rows["at"][moved].astype(np.int64).astype("datetime64[s]"),
        event_state=names[states[moved]],
    )
