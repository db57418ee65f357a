"""Where clocks stand *now*, from the instants stored when they were last computed.

A clock row is recomputed when its ticket changes; between two changes, its ``at_risk`` and
``breached`` flags can be stale while time runs. ``risk_at`` and ``due_at`` are the instants at
which a running clock crosses its warning and its target, so comparing them with ``now`` gives
the live answer without recomputing anything (the same test as the warning job's).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q

from jalon.tickets.models import Clock

RUNNING = Q(started_at__isnull=False, stopped_at__isnull=True, due_at__isnull=False)
"""Started, not stopped, not paused (a paused clock has no due instant)."""


def past_warning(now: datetime) -> Q:
    """Running clocks that have used their warning share of the target (breached ones too)."""
    return RUNNING & (Q(at_risk=True) | Q(risk_at__lte=now))


def past_due(now: datetime) -> Q:
    """Running clocks over their target. Running out exactly at ``due_at`` is on time."""
    return RUNNING & (Q(breached=True) | Q(due_at__lt=now))


def late(now: datetime) -> Q:
    """Clocks over their target: running past due, or stopped (or paused) after it."""
    return Q(breached=True) | past_due(now)


def ticket_has_clock(condition: Q) -> Exists:
    """For ``Ticket`` querysets: the ticket has a clock meeting ``condition``."""
    return Exists(Clock.objects.filter(condition, ticket=OuterRef("pk")))
