"""Test helpers: small TicketSets written by hand, and the real ServiceNow log (in the repository)
read by :func:`jalon.imports.read_export`, the one reader of exports."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from jalon.imports import read_export
from jalon.imports.ticketset import TicketSet

REPO = Path(__file__).resolve().parents[3]
SERVICENOW_LOG = REPO / "data" / "servicenow-incident-event-log" / "incident_event_log.csv.xz"
CONVENTIONS = REPO / "conventions"

Event = tuple[str, str]
"""(UTC instant ``YYYY-MM-DD HH:MM``, external state)."""


def instant(text: str) -> np.datetime64:
    return np.datetime64(text.replace(" ", "T"), "s") if text else np.datetime64("NaT", "s")


def ticketset(tickets: Sequence[dict[str, object]], source: str = "export.csv") -> TicketSet:
    """Tickets as dicts: id, opened, resolved, closed, events=[(instant, state)], any attribute."""
    fixed = {"id", "opened", "resolved", "closed", "events", "reopen_count", "reassignment_count"}
    names = sorted({k for t in tickets for k in t if k not in fixed})
    events = [(i, at, state) for i, t in enumerate(tickets) for at, state in t.get("events", [])]  # type: ignore[attr-defined]
    counters = {
        name: np.array([int(t.get(name, 0)) for t in tickets], np.int64)  # type: ignore[call-overload]
        for name in ("reopen_count", "reassignment_count")
    }
    return TicketSet(
        source=source,
        ids=np.array([t["id"] for t in tickets], dtype=object),
        rows=np.arange(2, len(tickets) + 2, dtype=np.int64),
        opened_at=np.array([instant(str(t.get("opened", ""))) for t in tickets], "datetime64[s]"),
        resolved_at=np.array([instant(str(t.get("resolved", ""))) for t in tickets], "datetime64[s]"),
        closed_at=np.array([instant(str(t.get("closed", ""))) for t in tickets], "datetime64[s]"),
        attributes={n: np.array([str(t.get(n, "")) for t in tickets], dtype=object) for n in names},
        counters=counters,
        event_ticket=np.array([e[0] for e in events], np.int64),
        event_at=np.array([instant(e[1]) for e in events], "datetime64[s]"),
        event_state=np.array([e[2] for e in events], dtype=object),
    )


def read_servicenow_log(path: Path = SERVICENOW_LOG) -> TicketSet:
    """The UCI ServiceNow event log read by the importer, as ``jalon scorecard`` reads it (local
    times in Europe/Paris, the shipped conventions' zone)."""
    return read_export(path, "servicenow").tickets


def replicate(tickets: TicketSet, copies: int) -> TicketSet:
    """``copies`` shifted copies of a TicketSet, for the million-ticket benchmark."""
    n = len(tickets)
    offsets = np.repeat(np.arange(copies, dtype=np.int64) * n, len(tickets.event_ticket))
    return TicketSet(
        source=tickets.source,
        ids=np.tile(tickets.ids, copies),
        rows=np.tile(tickets.rows, copies),
        opened_at=np.tile(tickets.opened_at, copies),
        resolved_at=np.tile(tickets.resolved_at, copies),
        closed_at=np.tile(tickets.closed_at, copies),
        attributes={k: np.tile(v, copies) for k, v in tickets.attributes.items()},
        counters={k: np.tile(v, copies) for k, v in tickets.counters.items()},
        event_ticket=np.tile(tickets.event_ticket, copies) + offsets,
        event_at=np.tile(tickets.event_at, copies),
        event_state=np.tile(tickets.event_state, copies),
    )
