"""A ticket's clocks, computed from its whole state history (pure: no Django, no clock reads).

The convention says, for each clock, which event starts it, which stops it, in which states it
is paused, on which calendar it runs and its target per priority. Given the states the ticket
went through, this module answers where each clock stands at ``now``. Recomputing from the whole
history — never patching the last value — is what lets anyone verify a figure later.

Rules the convention does not spell out, decided here (and listed in the docs):

* a clock starts at the *first* start event and stops at the *first* stop event after it;
* a clock stopped by ``resolved`` or ``closed`` starts again when the ticket is reopened; the
  time between the stop and the reopening counts as a pause, not as time spent;
* a state named in the convention that is not a platform state matches the platform states of
  the same phase (``waiting`` matches ``waiting``, ``resolved`` matches ``resolved``…);
* ``due_at`` is the instant the target runs out if the clock runs on without a new pause; a
  paused clock has none (nothing can fall due while it is paused); a stopped clock keeps the one
  it had, for display. Running out exactly at the target is on time (``breached`` means over).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from jalon.businesstime import Calendar, Duration
from jalon.conventions.model import ClockDef, EventRef

PHASES: dict[str, str] = {
    "new": "new",
    "qualifying": "new",
    "assigned": "active",
    "in_progress": "active",
    "waiting": "waiting",
    "resolved": "resolved",
    "closed": "closed",
}
"""Phase of each platform state (the convention's vocabulary for state families)."""

_STOPPED_PHASES = frozenset({"resolved", "closed"})


@dataclass(frozen=True)
class Transition:
    at: datetime
    before: str
    after: str
    """Platform state ids; ``before`` is empty for the opening."""


@dataclass(frozen=True)
class ClockState:
    kind: str
    label: str
    calendar: str
    target_seconds: int
    started_at: datetime | None
    pauses: tuple[tuple[datetime, datetime | None], ...]
    stopped_at: datetime | None
    elapsed_seconds: int
    due_at: datetime | None
    risk_at: datetime | None
    at_risk: bool
    breached: bool


class StateMatcher:
    """Does a platform state belong to a list of convention state ids?"""

    def __init__(self, convention_phases: Mapping[str, str]) -> None:
        self.convention_phases = convention_phases

    def matches(self, state: str, ids: Sequence[str]) -> bool:
        if state in ids:
            return True
        phase = PHASES.get(state)
        return any(
            ref not in PHASES and self.convention_phases.get(ref) == phase for ref in ids
        )

    def fires(self, ref: EventRef, step: Transition, first: bool) -> bool:
        before, after = PHASES.get(step.before), PHASES.get(step.after)
        if ref.kind == "opened":
            return first
        if ref.kind in _STOPPED_PHASES:
            return after == ref.kind and before != ref.kind
        entered = self.matches(step.after, ref.states)
        left = bool(step.before) and self.matches(step.before, ref.states)
        return entered and not left if ref.kind == "enter" else left and not entered


@dataclass
class _Run:
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    pause_from: datetime | None = None

    def __post_init__(self) -> None:
        self.pauses: list[tuple[datetime, datetime]] = []

    def pause(self, at: datetime, paused: bool) -> None:
        if paused and self.pause_from is None:
            self.pause_from = at
        elif not paused and self.pause_from is not None:
            self.pauses.append((self.pause_from, at))
            self.pause_from = None


def _walk(clock: ClockDef, history: Sequence[Transition], matcher: StateMatcher) -> _Run:
    run = _Run()
    for index, step in enumerate(history):
        paused = matcher.matches(step.after, clock.pause_states)
        if run.started_at is None:
            if matcher.fires(clock.start, step, index == 0):
                run.started_at = step.at
                run.pause(step.at, paused)
        elif run.stopped_at is not None:
            if clock.stop.kind in _STOPPED_PHASES and PHASES.get(step.after) not in _STOPPED_PHASES:
                run.pauses.append((run.stopped_at, step.at))  # reopened: the gap is a pause
                run.stopped_at = None
                run.pause(step.at, paused)
        elif matcher.fires(clock.stop, step, index == 0):
            run.pause(step.at, False)
            run.stopped_at = step.at
        else:
            run.pause(step.at, paused)
    return run


def target_for(clock: ClockDef, ticket_type: str, priority: str) -> int | None:
    if clock.types and ticket_type not in clock.types:
        return None
    target = clock.targets.get(priority) or clock.targets.get("*")
    return target.seconds if target else None


def compute(
    clock: ClockDef,
    target: int,
    calendar: Calendar,
    history: Sequence[Transition],
    matcher: StateMatcher,
    now: datetime,
    warn_ratio: float,
) -> ClockState:
    run = _walk(clock, history, matcher)
    if run.started_at is None:
        return ClockState(clock.id, clock.label, clock.calendar, target, None, (), None, 0,
                          None, None, False, False)
    end = run.stopped_at or now
    closed_pauses = list(run.pauses)
    counted = [*closed_pauses, (run.pause_from, end)] if run.pause_from else closed_pauses
    elapsed = calendar.elapsed(run.started_at, end, counted)
    paused_now = run.pause_from is not None and run.stopped_at is None
    due = None if paused_now else _deadline(calendar, run.started_at, target, closed_pauses)
    warn = math.ceil(target * warn_ratio)
    risk = None if paused_now else _deadline(calendar, run.started_at, warn, closed_pauses)
    pauses: tuple[tuple[datetime, datetime | None], ...] = (
        *closed_pauses, *([(run.pause_from, None)] if run.pause_from else [])
    )
    return ClockState(
        kind=clock.id, label=clock.label, calendar=clock.calendar, target_seconds=target,
        started_at=run.started_at, pauses=pauses, stopped_at=run.stopped_at,
        elapsed_seconds=elapsed, due_at=due, risk_at=risk,
        at_risk=elapsed >= warn, breached=elapsed > target,
    )


def _deadline(
    calendar: Calendar, start: datetime, seconds: int, pauses: Sequence[tuple[datetime, datetime]]
) -> datetime:
    if seconds <= 0:
        return start
    return calendar.deadline(start, Duration(seconds=seconds), pauses)
