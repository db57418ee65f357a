"""Where one clock stands, as computed (pure: no Django, no clock reads).

The ticket engine (:mod:`jalon.tickets.clocks`) and :func:`clock_state` below both answer
:class:`ClockState`; a stored clock (:class:`jalon.commitments.models.AbstractClock`) keeps one.

``due_at`` is the instant the target runs out if the clock runs on without a new pause; a paused
clock has none (nothing can fall due while it is paused); a stopped clock keeps the one it had,
for display. Running out exactly at the target is on time (``breached`` means over).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from jalon.businesstime import Calendar, Duration


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


@dataclass(frozen=True)
class ClockSpec:
    """What a simple commitment is: a target of open time on a named calendar."""

    kind: str
    label: str
    calendar_name: str
    target_seconds: int
    warn_ratio: float


def clock_state(spec: ClockSpec, calendar: Calendar, now: datetime, *,
                started_at: datetime | None, stopped_at: datetime | None = None,
                pauses: Sequence[tuple[datetime, datetime | None]] = ()) -> ClockState:
    """A clock started at ``started_at``, paused during ``pauses`` (the last may be ongoing),
    stopped at ``stopped_at`` or still running, as of ``now``: for records whose commitments
    are one start and one stop (an order's quote, a meeting's minutes, a deliverable)."""
    if started_at is None:
        return ClockState(spec.kind, spec.label, spec.calendar_name, spec.target_seconds, None,
                          (), None, 0, None, None, False, False)
    end = min(stopped_at or now, now)
    closed = [(a, min(b or end, end)) for a, b in pauses if a < end]
    elapsed = calendar.elapsed(started_at, max(end, started_at), closed)
    warn = math.ceil(spec.target_seconds * spec.warn_ratio)
    paused = bool(pauses) and pauses[-1][1] is None and stopped_at is None
    done = [(a, b) for a, b in pauses if b is not None]
    due = risk = None
    if not paused:
        # in UTC, as every stored instant (the calendar answers in its own zone)
        due = calendar.deadline(started_at, Duration(seconds=spec.target_seconds), done) \
            .astimezone(UTC)
        risk = calendar.deadline(started_at, Duration(seconds=max(warn, 1)), done).astimezone(UTC)
    return ClockState(
        kind=spec.kind, label=spec.label, calendar=spec.calendar_name,
        target_seconds=spec.target_seconds, started_at=started_at, pauses=tuple(pauses),
        stopped_at=stopped_at, elapsed_seconds=elapsed, due_at=due, risk_at=risk,
        at_risk=elapsed >= warn, breached=elapsed > spec.target_seconds)
