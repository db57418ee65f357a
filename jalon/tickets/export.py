"""The platform's tickets as a :class:`TicketSet`, so that ``evaluate()`` scores them.

Values are the platform's own (contract type and priority ids, platform states): score them
with the built-in profile ``jalon`` (``evaluate(convention, tickets, measures, period,
profile="jalon")``), the one ``Ticket.recompute_clocks`` reads them through, so a scorecard
shows the figures the live clocks showed. Two queries, whatever the number of tickets.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from jalon.conventions.platform import exported_state
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
