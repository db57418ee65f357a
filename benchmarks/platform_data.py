"""Load the AQUAREEL contract with 1,000,000 tickets into PostgreSQL, for the platform benchmark.

Run: ``.venv/bin/python benchmarks/platform_data.py [--tickets 1000000] [--fresh]``

Creates the database ``jalon_bench`` (``--database``; dropped and recreated with ``--fresh``),
migrates it and loads the AQUAREEL contract, its organisations and people (the demo's
:func:`jalon.demo.data._contract_and_people`) and its convention, then ``--tickets`` tickets opened
over the three years before ``--until`` (now by default), each with:

* a history shaped like the demo's (declaration, level-1 qualification, assignment, diagnosis,
  sometimes a wait for the requester, resolution, sometimes a reopening, closure) drawn in
  business hours, every event a transition the workflow allows; what has not happened by
  ``--until`` is left out, so the last days form the open backlog, and a few tickets in three
  hundred stall for good (never qualified, never picked up, waiting forever): the old backlog,
  at risk or breached;
* the time charged to the *forfait* for urgent interventions and anomalies, as the demo logs it;
* its clocks, computed for all tickets at once by the engine the platform uses
  (:func:`jalon.conventions.clocks.build_clocks` over the platform profile, then
  :meth:`ClockTable.deadline`), as of ``--until``: what ``Ticket.recompute_clocks`` would store.

Rows go in with PostgreSQL ``COPY``, a chunk of tickets at a time. Same ``--seed``, ``--tickets``
and ``--until``: same data. A second run finds the tickets there and stops (``--fresh`` reloads).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "jalon_bench"
SERVER = "postgres://postgres@127.0.0.1:5432"
CHUNK = 100_000
YEARS = 3
STALL_SHARE = 0.003

I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
NEVER = np.iinfo(np.int64).max // 2
"""The instant of a step that never happens (a stalled ticket's later steps)."""


def database_url(name: str) -> str:
    return f"{SERVER}/{name}"


def prepare_database(name: str, fresh: bool) -> None:
    """Create the database (drop it first when ``fresh``), then point Django at it and migrate."""
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        if fresh:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    setup_django(name)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def setup_django(name: str) -> None:
    os.environ["DATABASE_URL"] = database_url(name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jalon.settings")
    import django

    django.setup()


# --- what the tickets look like --------------------------------------------------------------

@dataclass(frozen=True)
class RequestKind:
    type: str
    weight: float
    priorities: dict[str, float]
    effort_hours: tuple[float, float]
    """Business hours from the start of the work (or the end of the wait) to the resolution."""
    pickup_hours: tuple[float, float]
    """Business hours from the assignment to the start of the work."""
    titles: tuple[str, ...]


def request_kinds() -> list[RequestKind]:
    """The demo's requests (:data:`jalon.demo.data.REQUESTS`), with a spread of priorities."""
    from jalon.demo.data import REQUESTS

    priorities = {
        "urgente": {"urgent": 1.0},
        "anomalie": {"majeur": 0.7, "mineur": 0.2, "bloquant": 0.1},
        "corrective": {"bloquant": 0.7, "majeur": 0.3},
    }
    # The demo's efforts breach a third of the delays; a contract that works breaches about
    # one in fifteen: shorter efforts, and blocking corrections picked up as fast as urgencies.
    effort = {"urgente": (1.0, 6.0), "anomalie": (4.0, 45.0), "corrective": (2.0, 16.0)}
    pickup = {"urgente": (0.2, 4.0), "corrective": (0.2, 4.0)}
    return [RequestKind(kind, weight, priorities.get(kind, {priority: 1.0}),
                        effort.get(kind, (10.0, 120.0)), pickup.get(kind, (0.2, 14.0)), tuple(titles))
            for kind, weight, priority, titles in REQUESTS]


CRITICALITY = {"urgent": "bloquant", "bloquant": "bloquant", "majeur": "majeur", "mineur": "mineur"}
STATIONS = 3000
"""Hydrometric stations named in titles (Vigicrues codes, ``V7200010`` style): what a user
searches for."""


def station_codes(rng: np.random.Generator) -> list[str]:
    letters = "AHKLMOUVWXY"
    return [f"{letters[rng.integers(len(letters))]}{rng.integers(1000, 9999)}{rng.integers(10, 99)}"
            f"{rng.integers(0, 9)}" for _ in range(STATIONS)]


# --- the steps of a ticket's life --------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    kind: str
    actor: str
    before: str
    after: str
    internal: bool = False


STEPS = (
    Step("opened", "requester", "", "new"),
    Step("phone_call", "requester", "", ""),
    Step("qualified", "niveau1", "new", "qualifying"),
    Step("assigned", "chefdeprojet", "qualifying", "assigned"),
    Step("work_started", "technicien", "assigned", "in_progress"),
    Step("confirmed", "technicien", "in_progress", "diagnosed"),
    Step("waiting", "technicien", "in_progress", "waiting"),
    Step("resumed", "technicien", "waiting", "in_progress"),
    Step("resolved", "technicien", "in_progress", "resolved"),
    Step("time_logged", "technicien", "", "", internal=True),
    Step("reopened", "niveau1", "resolved", "assigned"),
    Step("resolved", "technicien", "assigned", "resolved"),
    Step("closed", "niveau1", "resolved", "closed"),
)
OPENED, CALL, QUALIFIED, ASSIGNED, STARTED, CONFIRMED, WAITING, RESUMED, RESOLVED, LOGGED, REOPENED, \
    RESOLVED_AGAIN, CLOSED = range(len(STEPS))
CONFIRMING = "ponctuelle"
"""The type whose holder confirms feasibility and a lead time once started (seed 000 §7.4.3): the
target of AQUAREEL's one-off intervention delay, ``delai_execution`` (D-AQ-32)."""
LEAD_DAYS = (5, 10, 15, 20)
CHANNELS = (("portal", 70), ("mail", 15), ("phone", 15))
"""How non-urgent requests come in, as the demo draws them (``DemoContract.channels``); urgent
ones are phoned in (seed 000 §7.1.5)."""
STALL_STAGES = (OPENED, QUALIFIED, ASSIGNED, STARTED, WAITING)
STALL_WEIGHTS = (0.1, 0.15, 0.15, 0.25, 0.35)


@dataclass
class Chunk:
    """Tickets ``first`` … ``first + n - 1`` (0-based): their attributes and step instants."""

    first: int
    opened: I64
    kind: npt.NDArray[np.int64]
    priority: npt.NDArray[np.object_]
    title: list[str]
    requester: npt.NDArray[np.int64]
    site: npt.NDArray[np.object_]
    channel: npt.NDArray[np.object_]
    lead_days: I64
    """The lead time confirmed (0: none, the type does not confirm one)."""
    definitive: Mask
    minutes: I64
    at: I64
    """(steps, n) Unix seconds; ``NEVER`` where the step does not occur."""

    @property
    def n(self) -> int:
        return len(self.opened)


def opening_instants(rng: np.random.Generator, count: int, start: int, until: int, calendar: Any) -> I64:
    """``count`` sorted declaration instants in business hours, as the demo draws them."""
    moments = rng.integers(start, until - 3600, count)
    opened = calendar.deadline_seconds(moments, 60 * rng.integers(1, 240, count))
    # declared after hours in the last evening: the clocks start at the next opening
    return np.sort(np.where(opened < until, opened, moments))


def draw_chunk(rng: np.random.Generator, first: int, opened: I64, kinds: list[RequestKind],
               stations: list[str], calendar: Any) -> Chunk:
    n = len(opened)
    kind = rng.choice(len(kinds), n, p=np.array([k.weight for k in kinds]) / sum(k.weight for k in kinds))
    urgent = kind == 0
    priority = np.empty(n, object)
    effort_low, effort_high, pickup_low, pickup_high = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for code, k in enumerate(kinds):
        rows = kind == code
        names = list(k.priorities)
        priority[rows] = np.array(names, object)[rng.choice(len(names), int(rows.sum()),
                                                            p=list(k.priorities.values()))]
        effort_low[rows], effort_high[rows] = k.effort_hours
        pickup_low[rows], pickup_high[rows] = k.pickup_hours
    title_pick = rng.integers(0, 1 << 30, n)
    station = rng.integers(0, len(stations), n)
    titles = [f"{kinds[c].titles[t % len(kinds[c].titles)]} (station {stations[s]})"
              for c, t, s in zip(kind.tolist(), title_pick.tolist(), station.tolist(), strict=True)]

    def later(at: I64, low: Any, high: Any) -> I64:
        return calendar.deadline_seconds(at, (rng.uniform(low, high, n) * 3600).astype(np.int64) + 1)

    at = np.full((len(STEPS), n), NEVER, np.int64)
    at[OPENED] = opened
    at[CALL] = np.where(urgent, opened, NEVER)
    at[QUALIFIED] = later(opened, 0.1, np.where(urgent, 0.6, 3))
    at[ASSIGNED] = later(at[QUALIFIED], 0.05, 0.5)
    at[STARTED] = later(at[ASSIGNED], pickup_low, pickup_high)
    confirms = kind == [k.type for k in kinds].index(CONFIRMING)
    at[CONFIRMED] = later(at[STARTED], 0.1, 2)
    working = np.where(confirms, at[CONFIRMED], at[STARTED])
    waits = rng.random(n) < 0.3
    at[WAITING] = later(working, 0.5, 6)
    at[RESUMED] = later(at[WAITING], 1, 24)
    resolved = later(np.where(waits, at[RESUMED], working), effort_low, effort_high)
    at[RESOLVED] = resolved
    at[LOGGED] = np.where(kind <= 1, resolved, NEVER)  # urgent interventions and anomalies
    reopens = rng.random(n) < 0.06
    at[REOPENED] = later(resolved, 1, 8)
    at[RESOLVED_AGAIN] = later(at[REOPENED], 2, 10)
    at[CLOSED] = later(np.where(reopens, at[RESOLVED_AGAIN], resolved), 4, 30)
    at[CONFIRMED] = np.where(confirms, at[CONFIRMED], NEVER)
    at[WAITING] = np.where(waits, at[WAITING], NEVER)
    at[RESUMED] = np.where(waits, at[RESUMED], NEVER)
    at[REOPENED] = np.where(reopens, at[REOPENED], NEVER)
    at[RESOLVED_AGAIN] = np.where(reopens, at[RESOLVED_AGAIN], NEVER)
    _stall(rng, at, n)
    names = [name for name, _weight in CHANNELS]
    weights = np.array([weight for _name, weight in CHANNELS], float)
    drawn = np.array(names, object)[rng.choice(len(names), n, p=weights / weights.sum())]
    channel = np.where(urgent, "phone", drawn)
    lead_days = np.where(confirms, np.array(LEAD_DAYS)[rng.integers(0, len(LEAD_DAYS), n)], 0)
    return Chunk(first, opened, kind, priority, titles, rng.integers(0, 2, n),
                 np.array(["SCV", "SPC-GD"], object)[rng.integers(0, 2, n)], channel, lead_days,
                 rng.random(n) < 0.8, np.array([60, 90, 120, 180, 240])[rng.integers(0, 5, n)], at)


def _stall(rng: np.random.Generator, at: npt.NDArray[np.int64], n: int) -> None:
    """A few tickets stop at one stage for good: the old backlog."""
    stalled = np.flatnonzero(rng.random(n) < STALL_SHARE)
    stages = np.array(STALL_STAGES)[rng.choice(len(STALL_STAGES), len(stalled), p=STALL_WEIGHTS)]
    for row, stage in zip(stalled.tolist(), stages.tolist(), strict=True):
        if stage == WAITING and at[WAITING, row] == NEVER:  # after the confirmation, if any
            at[WAITING, row] = max(at[STARTED, row], at[CONFIRMED, row] if at[CONFIRMED, row] < NEVER else 0) + 3600
        keep_call = at[CALL, row]
        at[stage + 1:, row] = NEVER
        at[CALL, row] = keep_call


# --- the rows ----------------------------------------------------------------------------------

def stamps(seconds: I64) -> list[str]:
    """COPY text for timestamptz columns; ``\\N`` where the instant is missing."""
    text = np.datetime_as_string(np.where(seconds >= NEVER, 0, seconds).astype("datetime64[s]"), unit="s")
    out = text.astype(object) + "+00"
    return np.where(seconds >= NEVER, "\\N", out).tolist()


def paris_days(seconds: I64) -> list[str]:
    """The Paris calendar day of each instant (what ``date()`` of a local time gives)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Paris")
    return [datetime.fromtimestamp(s, zone).date().isoformat() for s in seconds.tolist()]


@dataclass
class Ids:
    ticket: int
    event: int
    clock: int
    entry: int


@dataclass
class Cast:
    contract: int
    version: int
    people: dict[str, int]
    names: dict[str, str]


def ticket_rows(c: Chunk, kinds: list[RequestKind], cast: Cast, until: int, ids: Ids,
                ) -> tuple[list[str], dict[str, Any]]:
    """COPY lines for ``tickets_ticket``, and the columns the events and clocks need."""
    happened = c.at <= until
    last_state_step = np.full(c.n, OPENED)
    for step, spec in enumerate(STEPS):
        if spec.after:
            last_state_step = np.where(happened[step], step, last_state_step)
    state = np.array([s.after for s in STEPS], object)[last_state_step]
    qualified, assigned = happened[QUALIFIED], happened[ASSIGNED]
    reopened = happened[REOPENED]
    done = np.isin(state, ("resolved", "closed"))
    resolved_at = np.where(done, np.where(happened[RESOLVED_AGAIN], c.at[RESOLVED_AGAIN], c.at[RESOLVED]), NEVER)
    closed_at = np.where(state == "closed", c.at[CLOSED], NEVER)
    kind_of = np.where(reopened, "definitive", np.where(c.definitive, "definitive", "workaround"))
    resolution = np.where(done, kind_of, "")
    updated = np.where(happened, c.at, 0).max(axis=0)
    priority = np.where(qualified, c.priority, "")
    criticality = [CRITICALITY.get(p, "") for p in priority.tolist()]
    urgent = c.kind == 0
    requesters = (cast.people["demandeur"], cast.people["demandeur2"])
    lead = np.where(happened[CONFIRMED], c.lead_days, 0)
    group = np.where(assigned, GROUP, "")
    columns = {
        "pk": np.arange(ids.ticket, ids.ticket + c.n), "state": state, "priority": priority,
        "resolved_at": resolved_at, "closed_at": closed_at, "happened": happened,
        "type": np.array([kinds[k].type for k in c.kind.tolist()], object),
        # what the engine reads besides (jalon.tickets.clocks.engine_attributes)
        "criticality": np.array(criticality, object), "group": group, "lead": lead,
    }
    opened_s, resolved_s, closed_s, updated_s = (stamps(x) for x in (c.opened, resolved_at, closed_at, updated))
    call_s = stamps(np.where(urgent, c.opened, NEVER))
    lines = []
    technician = cast.people["technicien"]
    for i in range(c.n):
        pk = ids.ticket + i
        requester = requesters[int(c.requester[i])]
        lines.append("\t".join((
            str(pk), str(cast.contract), str(cast.version), str(c.first + i + 1),
            kinds[c.kind[i]].type, copy_text(c.title[i]),
            f"Demande n° {c.first + i + 1} déclarée par {cast.names[str(requester)]}.",
            str(requester), c.site[i], "TMA", "", "", priority[i], criticality[i], state[i],
            "requester" if state[i] == "waiting" else "", resolution[i], str(int(reopened[i])),
            LEVEL, group[i], str(technician) if assigned[i] else "\\N",
            "t" if urgent[i] else "f", call_s[i], opened_s[i], resolved_s[i], closed_s[i], updated_s[i],
            "f",  # breached: the clock summary is computed from the clocks once they are loaded
            c.channel[i], str(lead[i]) if lead[i] else "\\N", "\\N",
        )))
    return lines, columns


TICKET_COLUMNS = (
    "id", "contract_id", "convention_version_id", "number", "type", "title", "description",
    "requester_id", "site", "lot", "urgency", "impact", "priority", "criticality", "state",
    "wait_reason", "resolution_kind", "reopen_count", "level", "assigned_group", "assignee_id",
    "is_urgent", "phone_call_at", "opened_at", "resolved_at", "closed_at", "updated_at", "breached",
    "channel", "lead_time_days", "informed_at",
)
GROUP, LEVEL = "TMA niveau 2", "N1"
"""AQUAREEL's one holder group (the demo's), whose name says no level: tickets stay at level 1
(``jalon.tickets.models.level_of_group``)."""
EVENT_COLUMNS = ("id", "ticket_id", "kind", "actor_id", "at", "state_from", "state_to", "internal",
                 "payload", "contract_id", "seq", "previous", "digest")
CLOCK_COLUMNS = (
    "id", "ticket_id", "kind", "label", "calendar_name", "target_seconds", "started_at",
    "paused_intervals", "stopped_at", "elapsed_seconds", "due_at", "risk_at", "at_risk", "breached",
    "warned_at", "breach_notified_at", "computed_at",
)
ENTRY_COLUMNS = ("id", "ticket_id", "person_id", "spent_on", "minutes", "charged_to_forfait", "note",
                 "created_at", "kind")


def copy_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


@dataclass
class Chain:
    """Where the contract's hash chain of events stands (``jalon.tickets.history``): the rank
    and digest of the last event written."""

    seq: int = 0
    digest: str = ""


def event_and_entry_rows(c: Chunk, cols: dict[str, Any], kinds: list[RequestKind], cast: Cast, ids: Ids,
                         chain: Chain) -> tuple[list[str], list[str]]:
    """COPY lines for ``tickets_ticketevent`` and ``tickets_timeentry``, in history order. Each
    event takes the next rank in the contract's chain with its digest, as ``Ticket._record``
    writes them (the chain follows the load's order: ticket by ticket, each in time order)."""
    from jalon.tickets.history import GENESIS, event_digest
    happened = cols["happened"]
    step_of, row_of = np.nonzero(happened)
    order = np.lexsort((step_of, c.at[step_of, row_of], row_of))
    step_of, row_of = step_of[order], row_of[order]
    at_s = stamps(c.at[step_of, row_of])
    logged_rows = np.flatnonzero(happened[LOGGED])
    entry_of = np.full(c.n, -1, np.int64)
    entry_of[logged_rows] = np.arange(ids.entry, ids.entry + len(logged_rows))
    spent_on = paris_days(np.where(happened[LOGGED], c.at[LOGGED], 0)[logged_rows])
    day_of = dict(zip(logged_rows.tolist(), spent_on, strict=True))
    call_s = stamps(c.opened)
    requesters = (cast.people["demandeur"], cast.people["demandeur2"])
    events = []
    instants = c.at[step_of, row_of].tolist()
    state: dict[int, str] = {}  # each ticket's state as its events move it
    seq, previous = chain.seq, chain.digest or GENESIS
    for n, (step, row) in enumerate(zip(step_of.tolist(), row_of.tolist(), strict=True)):
        spec = STEPS[step]
        actor = requesters[int(c.requester[row])] if spec.actor == "requester" else cast.people[spec.actor]
        payload = _payload(step, row, c, cols, kinds, cast, call_s, entry_of, day_of)
        before = state.get(row, "") if spec.after else ""
        if spec.after:
            state[row] = spec.after
        seq += 1
        digest = event_digest(seq=seq, contract=cast.contract, ticket=ids.ticket + row, kind=spec.kind,
                              actor=actor, at=datetime.fromtimestamp(instants[n], UTC), state_from=before,
                              state_to=spec.after, internal=spec.internal, payload=payload, previous=previous)
        events.append("\t".join((
            str(ids.event + n), str(ids.ticket + row), spec.kind, str(actor), at_s[n], before,
            spec.after, "t" if spec.internal else "f", copy_text(json.dumps(payload, ensure_ascii=False)),
            str(cast.contract), str(seq), previous, digest,
        )))
        previous = digest
    chain.seq, chain.digest = seq, previous
    entries_at = stamps(c.at[LOGGED][logged_rows])
    entries = [
        "\t".join((str(entry_of[row]), str(ids.ticket + row), str(cast.people["technicien"]), day_of[row],
                   str(int(c.minutes[row])), "t", "Diagnostic et remise en service.", entries_at[k], "entry"))
        for k, row in enumerate(logged_rows.tolist())
    ]
    return events, entries


def _payload(step: int, row: int, c: Chunk, cols: dict[str, Any], kinds: list[RequestKind], cast: Cast,
             call_s: list[str], entry_of: I64, day_of: dict[int, str]) -> dict[str, Any]:
    """What the domain method writes in the event (``jalon.tickets.models``)."""
    if step == OPENED:
        return {"type": kinds[c.kind[row]].type, "title": c.title[row], "urgency": "", "impact": "",
                "priority": "", "is_urgent": bool(c.kind[row] == 0)}
    if step == CALL:
        return {"called_at": call_s[row] + ":00", "note": ""}
    if step == QUALIFIED:
        return {"type": kinds[c.kind[row]].type, "urgency": "", "impact": "", "priority": c.priority[row],
                "criticality": CRITICALITY[c.priority[row]]}
    if step == ASSIGNED:
        return {"group": GROUP, "assignee": cast.people["technicien"]}
    if step == CONFIRMED:
        return {"lead_time_days": int(c.lead_days[row]), "note": "Faisabilité confirmée au bon de commande."}
    if step == STARTED:
        return {"assignee": cast.people["technicien"]}
    if step == WAITING:
        return {"reason": "requester", "note": "Journaux demandés au SPC."}
    if step == RESUMED:
        return {"note": "Journaux reçus."}
    if step == RESOLVED:
        return {"kind": "definitive" if c.definitive[row] else "workaround", "note": "Correctif appliqué et vérifié."}
    if step == LOGGED:
        return {"entry": int(entry_of[row]), "minutes": int(c.minutes[row]), "spent_on": day_of[row],
                "forfait": True}
    if step == REOPENED:
        return {"reason": "Le défaut est réapparu.", "reopen_count": 1}
    if step == RESOLVED_AGAIN:
        return {"kind": "definitive", "note": "Correctif complété."}
    return {"note": "Vérifié par le SPC."}


# --- clocks, with the platform's engine ----------------------------------------------------

def clock_rows(c: Chunk, cols: dict[str, Any], convention: Any, until: int, ids: Ids, warn_default: float,
               computed: str) -> list[str]:
    """Every clock of the chunk's tickets as of ``until``, as ``Ticket.recompute_clocks`` stores it."""
    from jalon.conventions.calendars import build_calendar
    from jalon.conventions.clocks import applicable, build_clocks
    from jalon.conventions.mapping import map_tickets
    from jalon.conventions.platform import platform_profile

    tickets = platform_ticketset(c, cols)
    mapped = map_tickets(convention, platform_profile(convention), tickets)
    tables = build_clocks(convention, mapped, np.datetime64(until, "s"), inclusive=True)
    lines: list[str] = []
    for clock in convention.clocks:
        applies, targets = applicable(convention, clock, mapped)
        table = tables[clock.id]
        ratio = clock.warn_ratio if clock.warn_ratio is not None else warn_default
        warn = np.ceil(table.target * ratio).astype(np.int64)
        due, risk = table.deadline(build_calendar(convention.calendars[clock.calendar]),
                                   np.stack([table.target, warn]))
        pauses = _pause_json(table)
        started, stopped = _unix(table.start), _unix(table.stop)
        fields = zip(table.ticket.tolist(), stamps(started), stamps(stopped), table.elapsed.tolist(),
                     table.target.tolist(), warn.tolist(), stamps(_unix(due)), stamps(_unix(risk)), strict=True)
        for row, (ticket, start, stop, elapsed, target, threshold, due_s, risk_s) in enumerate(fields):
            lines.append(_clock_line(ids, len(lines), cols["pk"][ticket], clock, target, start,
                                     pauses.get(row, "[]"), stop, elapsed, due_s, risk_s,
                                     elapsed >= threshold, elapsed > target, computed))
        not_started = np.flatnonzero(applies & ~np.isin(np.arange(c.n), table.ticket))
        for ticket in not_started.tolist():  # the clock applies but has not started yet
            lines.append(_clock_line(ids, len(lines), cols["pk"][ticket], clock, int(targets[ticket]),
                                     "\\N", "[]", "\\N", 0, "\\N", "\\N", False, False, computed))
    return lines


def _clock_line(ids: Ids, n: int, ticket: int, clock: Any, target: int, start: str, pauses: str,
                stop: str, elapsed: int, due: str, risk: str, at_risk: bool, breached: bool,
                computed: str) -> str:
    return "\t".join((
        str(ids.clock + n), str(ticket), clock.id, copy_text(clock.label), clock.calendar, str(target), start,
        pauses, stop, str(elapsed), due, risk, "t" if at_risk else "f", "t" if breached else "f", "\\N",
        "\\N", computed,
    ))


def _pause_json(table: Any) -> dict[int, str]:
    """Per row, ``paused_intervals`` as :meth:`Clock.store` writes them."""
    grouped: dict[int, list[list[str | None]]] = {}
    starts = [_iso(s) for s in _unix(table.pause_start).tolist()]
    ends = [_iso(s) for s in _unix(table.pause_end).tolist()]
    for owner, start, end, ongoing in zip(table.pause_owner.tolist(), starts, ends, table.pause_open.tolist(),
                                          strict=True):
        grouped.setdefault(owner, []).append([start, None if ongoing else end])
    return {row: json.dumps(p) for row, p in grouped.items()}


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def _unix(instants: npt.NDArray[np.datetime64]) -> I64:
    raw = instants.astype("datetime64[s]")
    return np.where(np.isnat(raw), NEVER, raw.astype(np.int64))


def platform_ticketset(c: Chunk, cols: dict[str, Any]) -> Any:
    """The chunk in the engine's columnar form, as ``jalon.tickets.clocks.platform_ticketset``
    builds it from ``Ticket.facts()`` and ``Ticket.history()``: type and priority, and the
    state each transition entered."""
    from jalon.imports.ticketset import TicketSet

    happened = cols["happened"]
    moves = np.array([bool(s.after) for s in STEPS])
    step_of, row_of = np.nonzero(happened & moves[:, None])
    order = np.lexsort((step_of, c.at[step_of, row_of], row_of))
    step_of, row_of = step_of[order], row_of[order]
    after = np.array([s.after for s in STEPS], object)

    def instants(seconds: I64) -> npt.NDArray[np.datetime64]:
        return np.where(seconds >= NEVER, np.datetime64("NaT", "s"), seconds.astype("datetime64[s]"))

    return TicketSet(
        source="jalon", ids=cols["pk"].astype(str).astype(object), rows=np.arange(1, c.n + 1, dtype=np.int64),
        opened_at=instants(c.opened), resolved_at=instants(cols["resolved_at"]),
        closed_at=instants(cols["closed_at"]),
        attributes=engine_columns(c, cols),
        event_ticket=row_of.astype(np.int64), event_at=c.at[step_of, row_of].astype("datetime64[s]"),
        event_state=after[step_of],
    )


def engine_columns(c: Chunk, cols: dict[str, Any]) -> dict[str, npt.NDArray[np.object_]]:
    """Every column the engine reads of a platform ticket (:data:`PLATFORM_COLUMNS`), as
    ``engine_attributes`` writes them: a convention may select, choose a calendar or take a
    target from any of them."""
    from jalon.conventions.platform import PLATFORM_COLUMNS

    blank = np.full(c.n, "", object)
    lead = cols["lead"]
    found = {
        "type": cols["type"], "priority": cols["priority"].astype(object), "urgency": blank,
        "impact": blank, "criticality": cols["criticality"], "site": c.site, "lot": np.full(c.n, "TMA", object),
        "level": np.full(c.n, LEVEL, object), "group": cols["group"].astype(object), "channel": c.channel,
        "delai_execution": np.where(lead > 0, lead.astype(str).astype(object) + "j", ""),
    }
    assert set(found) == set(PLATFORM_COLUMNS), set(PLATFORM_COLUMNS) ^ set(found)
    return found


# --- loading ---------------------------------------------------------------------------------

def copy(cursor: Any, table: str, columns: Iterable[str], lines: list[str]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as pipe:
        for start in range(0, len(lines), 50_000):
            pipe.write("\n".join(lines[start:start + 50_000]) + "\n")


def load_cast(until: datetime) -> tuple[Cast, Any]:
    from django.contrib.auth.models import User

    from jalon.contracts.models import Contract
    from jalon.demo.data import DemoReport, _contract_and_people

    contract, people = _contract_and_people(DemoReport())
    first = (until - timedelta(days=365 * YEARS)).date()
    Contract.objects.filter(pk=contract.pk).update(starts_on=date(first.year, 1, 1))
    version = contract.current_convention()
    assert version is not None
    names = {str(u.pk): u.get_full_name() for u in User.objects.filter(pk__in=[p.pk for p in people.values()])}
    return Cast(contract.pk, version.pk, {login: u.pk for login, u in people.items()}, names), version.parsed()


def load(count: int, seed: int, until: datetime, chunk: int) -> None:
    from django.conf import settings
    from django.db import connection

    from jalon.contracts.models import Contract
    from jalon.conventions.calendars import build_calendar
    from jalon.tickets.clocksummary import LIST_CLOCK_SQL, SUMMARY_SQL
    from jalon.tickets.models import Ticket

    cast, convention = load_cast(until)
    loaded = Ticket.objects.filter(contract_id=cast.contract).count()
    if loaded:
        print(f"{loaded:,} tickets already loaded in {connection.settings_dict['NAME']}: nothing to do "
              "(--fresh reloads)")
        return
    calendar = build_calendar(convention.calendars["ho"])
    kinds = request_kinds()
    rng = np.random.default_rng(seed)
    stations = station_codes(rng)
    end = int(until.timestamp())
    opened = opening_instants(rng, count, end - 365 * YEARS * 86400, end, calendar)
    computed = stamps(np.array([end]))[0]
    ids = Ids(1, 1, 1, 1)
    chain = Chain()
    totals = {"tickets": 0, "events": 0, "clocks": 0, "entries": 0}
    began = time.perf_counter()
    with connection.cursor() as cursor:
        # The rows are consistent by construction; checking each foreign key row by row would
        # double the load time. The checks are run once at the end instead (``verify``).
        cursor.execute("SET session_replication_role = replica")
        for first in range(0, count, chunk):
            part = draw_chunk(np.random.default_rng([seed, first]), first, opened[first:first + chunk], kinds,
                              stations, calendar)
            tickets, cols = ticket_rows(part, kinds, cast, end, ids)
            events, entries = event_and_entry_rows(part, cols, kinds, cast, ids, chain)
            clocks = clock_rows(part, cols, convention, end, ids, float(settings.JALON_CLOCK_WARN_RATIO), computed)
            copy(cursor, "tickets_ticket", TICKET_COLUMNS, tickets)
            copy(cursor, "tickets_ticketevent", EVENT_COLUMNS, events)
            copy(cursor, "tickets_timeentry", ENTRY_COLUMNS, entries)
            copy(cursor, "tickets_clock", CLOCK_COLUMNS, clocks)
            for name, rows in (("tickets", tickets), ("events", events), ("clocks", clocks), ("entries", entries)):
                totals[name] += len(rows)
            ids = Ids(ids.ticket + len(tickets), ids.event + len(events), ids.clock + len(clocks),
                      ids.entry + len(entries))
            print(f"  {first + len(tickets):>9,} tickets  {time.perf_counter() - began:6.1f} s", flush=True)
        cursor.execute("SET session_replication_role = DEFAULT")
        summed = time.perf_counter()
        cursor.execute(SUMMARY_SQL)  # each ticket's clock summary (Ticket.due_at, …) from its clocks
        cursor.execute(LIST_CLOCK_SQL)  # and the clock its list row shows
        print(f"  clock summaries of the tickets  {time.perf_counter() - summed:6.1f} s", flush=True)
        for table in ("tickets_ticket", "tickets_ticketevent", "tickets_timeentry", "tickets_clock"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
    # the groups the contract keeps for the list's filter (in the platform, Contract.note_group
    # adds each as a ticket is assigned to it)
    Contract.objects.filter(pk=cast.contract).update(assigned_groups=sorted(
        Ticket.objects.filter(contract_id=cast.contract).exclude(assigned_group="").order_by()
        .values_list("assigned_group", flat=True).distinct()))
    print(f"loaded {totals['tickets']:,} tickets, {totals['events']:,} events, {totals['clocks']:,} clocks, "
          f"{totals['entries']:,} time entries in {time.perf_counter() - began:.1f} s")


def verify() -> None:
    """The foreign keys the load did not check row by row, and the workflow's shape."""
    from django.db import connection

    checks = {
        "events without ticket": "SELECT count(*) FROM tickets_ticketevent e "
                                 "WHERE NOT EXISTS (SELECT 1 FROM tickets_ticket t WHERE t.id = e.ticket_id)",
        "clocks without ticket": "SELECT count(*) FROM tickets_clock c "
                                 "WHERE NOT EXISTS (SELECT 1 FROM tickets_ticket t WHERE t.id = c.ticket_id)",
        "entries without ticket": "SELECT count(*) FROM tickets_timeentry e "
                                  "WHERE NOT EXISTS (SELECT 1 FROM tickets_ticket t WHERE t.id = e.ticket_id)",
        "unknown people": "SELECT count(*) FROM tickets_ticket t WHERE NOT EXISTS "
                          "(SELECT 1 FROM auth_user u WHERE u.id = t.requester_id)",
        "state unlike last transition": (
            "SELECT count(*) FROM tickets_ticket t WHERE t.state <> (SELECT e.state_to FROM "
            "tickets_ticketevent e WHERE e.ticket_id = t.id AND e.state_to <> '' "
            "ORDER BY e.at DESC, e.id DESC LIMIT 1)"),
    }
    with connection.cursor() as cursor:
        for label, sql in checks.items():
            cursor.execute(sql)
            found = cursor.fetchone()[0]
            if found:
                raise SystemExit(f"verify: {found} {label}")


def check_clocks(sample: int, seed: int) -> int:
    """Recompute the clocks of ``sample`` tickets one by one through ``Ticket.clocks_at`` (the
    domain's path) and compare them with the stored rows; returns how many were compared."""
    from jalon.tickets.models import Clock, Ticket

    some = Clock.objects.order_by("pk").first()
    if some is None:
        return 0
    until = some.computed_at
    last = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picks = np.random.default_rng(seed).integers(1, last + 1, sample).tolist()
    # the open tickets are where running clocks, pauses and risk live: half the sample
    picks += list(Ticket.objects.exclude(state="closed").order_by("?").values_list("pk", flat=True)[:sample])
    fields = ("started_at", "stopped_at", "elapsed_seconds", "due_at", "risk_at", "at_risk", "breached",
              "target_seconds")
    for ticket in Ticket.objects.filter(pk__in=picks).select_related("convention_version"):
        stored = {c.kind: c for c in ticket.clocks.all()}
        computed = {s.kind: s for s in ticket.clocks_at(until)}
        for name, value in Ticket.clock_summary(computed.values()).items():
            if getattr(ticket, name) != value:
                raise SystemExit(f"check: ticket {ticket.pk} {name}: stored {getattr(ticket, name)}, "
                                 f"computed {value}")
        if set(stored) != set(computed):
            raise SystemExit(f"check: ticket {ticket.pk} has clocks {sorted(stored)}, expected {sorted(computed)}")
        shown = Ticket.shown_clock(computed.values())
        if ticket.list_clock_id != (stored[shown.kind].pk if shown else None):
            raise SystemExit(f"check: ticket {ticket.pk} list clock {ticket.list_clock_id}, expected "
                             f"{shown.kind if shown else None}")
        for kind, state in computed.items():
            for name in fields:
                if getattr(stored[kind], name) != getattr(state, name):
                    raise SystemExit(f"check: ticket {ticket.pk} clock {kind} {name}: stored "
                                     f"{getattr(stored[kind], name)}, computed {getattr(state, name)}")
            pauses = [[a.isoformat(), b.isoformat() if b else None] for a, b in state.pauses]
            if stored[kind].paused_intervals != pauses:
                raise SystemExit(f"check: ticket {ticket.pk} clock {kind} pauses differ")
    return len(set(picks))


def summary() -> Iterator[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT state, count(*) FROM tickets_ticket GROUP BY state ORDER BY 2 DESC")
        yield "states: " + ", ".join(f"{s} {n:,}" for s, n in cursor.fetchall())
        cursor.execute("SELECT min(opened_at), max(opened_at) FROM tickets_ticket")
        low, high = cursor.fetchone()
        yield f"opened from {low:%Y-%m-%d} to {high:%Y-%m-%d %H:%M}"
        cursor.execute("SELECT count(*) FILTER (WHERE risk_at <= now() AND due_at >= now()), "
                       "count(*) FILTER (WHERE due_at < now()), count(*) FILTER (WHERE breached) "
                       "FROM tickets_clock WHERE started_at IS NOT NULL AND stopped_at IS NULL")
        risky, overdue, breached = cursor.fetchone()
        yield f"running clocks: {risky:,} at risk, {overdue:,} past due ({breached:,} flagged breached)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--until", type=datetime.fromisoformat, default=None,
                        help="end of the three years of tickets (ISO instant; now by default)")
    parser.add_argument("--chunk", type=int, default=CHUNK)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    args = parser.parse_args(argv)
    if args.database in ("jalon", "test_jalon"):
        raise SystemExit("--database: use a database of your own, not the platform's")
    until = args.until or datetime.now(UTC).replace(microsecond=0)
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    began = time.perf_counter()
    prepare_database(args.database, args.fresh)
    print(f"database {args.database} ready in {time.perf_counter() - began:.1f} s")
    from django.db import connection

    from jalon.tickets.models import Ticket

    before = Ticket.objects.count()
    load(args.tickets, args.seed, until, args.chunk)
    if Ticket.objects.count() != before:
        step = time.perf_counter()
        verify()
        checked = check_clocks(200, args.seed)
        print(f"stored clocks and clock summaries of {checked} tickets equal Ticket.clocks_at "
              "(the domain's computation)")
        with connection.cursor() as cursor:
            # ANALYZE for the planner; VACUUM sets the visibility map that index-only scans need,
            # as autovacuum would have on a database that grew over three years
            cursor.execute("VACUUM (ANALYZE)")
        print(f"verified, vacuumed and analysed in {time.perf_counter() - step:.1f} s")
    for line in summary():
        print(line)
    print(f"total {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()

