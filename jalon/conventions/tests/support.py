"""Test helpers: small TicketSets written by hand, and the real ServiceNow log read without the
importers (so the convention tests do not depend on jalon.imports' progress)."""

from __future__ import annotations

import csv
import lzma
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np

from jalon.imports.ticketset import TicketSet

SERVICENOW_LOG = Path("/work/shared/data/servicenow-incident-event-log/incident_event_log.csv.xz")
REPO = Path(__file__).resolve().parents[3]
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


def _servicenow_instant(text: str) -> np.datetime64:
    if text == "?" or not text:
        return np.datetime64("NaT", "s")
    return np.datetime64(datetime.strptime(text, "%d/%m/%Y %H:%M"), "s")


def read_servicenow_log(path: Path = SERVICENOW_LOG) -> TicketSet:
    """The UCI ServiceNow event log as a TicketSet (instants taken as UTC)."""
    with lzma.open(path, "rt", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    updated = [_servicenow_instant(r["sys_updated_at"]) for r in rows]
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["number"], updated[i], i))
    index: dict[str, int] = {}
    first_row: list[int] = []
    last: list[dict[str, str]] = []
    for i in order:
        number = rows[i]["number"]
        if number not in index:
            index[number] = len(index)
            first_row.append(i + 2)
            last.append(rows[i])
        else:
            last[index[number]] = rows[i]
    attrs = {
        "priority": "priority",
        "urgency": "urgency",
        "impact": "impact",
        "group": "assignment_group",
        "contact_type": "contact_type",
        "category": "category",
    }
    return TicketSet(
        source=str(path),
        ids=np.array(list(index), dtype=object),
        rows=np.array(first_row, np.int64),
        opened_at=np.array([_servicenow_instant(r["opened_at"]) for r in last], "datetime64[s]"),
        resolved_at=np.array([_servicenow_instant(r["resolved_at"]) for r in last], "datetime64[s]"),
        closed_at=np.array([_servicenow_instant(r["closed_at"]) for r in last], "datetime64[s]"),
        attributes={k: np.array([r[v] for r in last], dtype=object) for k, v in attrs.items()},
        counters={
            "reopen_count": np.array([int(r["reopen_count"]) for r in last], np.int64),
            "reassignment_count": np.array([int(r["reassignment_count"]) for r in last], np.int64),
        },
        event_ticket=np.array([index[rows[i]["number"]] for i in order], np.int64),
        event_at=np.array([updated[i] for i in order], "datetime64[s]"),
        event_state=np.array([rows[i]["incident_state"] for i in order], dtype=object),
    )


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
