"""Where clocks stand *now*, from the instants stored when they were last computed.

A clock row is recomputed when its ticket changes; between two changes, its ``at_risk`` and
``breached`` flags can be stale while time runs. ``risk_at`` and ``due_at`` are the instants at
which a running clock crosses its warning and its target, so comparing them with ``now`` gives
the live answer without recomputing anything (the same test as the warning job's).

The list, the API and the dashboard ask these questions of tickets, on a million of them: each
recomputation also sums its clocks up on the ticket row (``Ticket.due_at``, ``risk_at``: the
nearest due and warning instants of its running clocks; ``Ticket.breached``: one of them was over
its target), so the ticket questions below read the ticket row and its indexes alone. The
categories of a ticket are then exclusive by severity, as a reader expects of a list:

* **overdue**: its nearest deadline has passed (some running clock is past due);
* **at risk**: the warning of its nearest running clocks has passed, its nearest deadline not
  yet. A ticket already overdue on one clock and past the warning of another is overdue, not
  also at risk;
* **late**: overdue now, or some clock was over its target when last computed (stopped late,
  for instance): the list's "délai dépassé".

A clock's own questions (:func:`past_warning`, :func:`past_due`) stay for the clock scan that
sends the warnings and breach notices, one per clock.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

RUNNING = Q(started_at__isnull=False, stopped_at__isnull=True, due_at__isnull=False)
"""On clocks: started, not stopped, not paused (a paused clock has no due instant)."""


def past_warning(now: datetime) -> Q:
    """On clocks: running clocks that have used their warning share of the target (breached
    ones too)."""
    return RUNNING & (Q(at_risk=True) | Q(risk_at__lte=now))


def past_due(now: datetime) -> Q:
    """On clocks: running clocks over their target. Running out exactly at ``due_at`` is on
    time."""
    return RUNNING & (Q(breached=True) | Q(due_at__lt=now))


def overdue(now: datetime) -> Q:
    """On tickets: some running clock is over its target now."""
    return Q(due_at__lt=now)


def at_risk(now: datetime) -> Q:
    """On tickets: past the warning of a running clock, and not overdue."""
    return Q(risk_at__lte=now, due_at__gte=now)


def late(now: datetime) -> Q:
    """On tickets: overdue now, or a clock over its target at the last computation."""
    return Q(breached=True) | overdue(now)
