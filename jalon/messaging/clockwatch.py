"""The periodic clock scan: warn at the at-risk threshold, notify breaches, each exactly once.

Candidates come from the indexed ``risk_at``/``due_at`` columns. Each ticket is then handled in
its own transaction that locks the ticket row (as every domain method does), recomputes its
clocks as of ``now`` and claims a notice with a conditional UPDATE on ``warned_at`` or
``breach_notified_at`` (still empty). The claim and the outbox rows commit together, so two
workers scanning at once, or one scan run twice, queue a notice once.

The ticket lock matters: recomputing saves the whole clock row, which could otherwise write back
an empty ``warned_at`` read just before another worker's claim.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from jalon.messaging import notify
from jalon.tickets.models import Clock, Ticket


def tickets_to_check(now: datetime, limit: int) -> list[int]:
    candidates = Clock.objects.to_warn_before(now) | Clock.objects.breaching_before(now)
    rows = candidates.order_by("due_at", "pk").values_list("ticket_id", flat=True)[:limit]
    return list(dict.fromkeys(rows))  # one pass per ticket, in order of urgency


def claim_breach(clock: Clock, now: datetime) -> bool:
    # A breach notice stands for the warning too: a clock found already over is not warned.
    warned = Coalesce(F("warned_at"), Value(now, output_field=DateTimeField()))
    rows = Clock.objects.filter(pk=clock.pk, breach_notified_at__isnull=True, breached=True)
    return rows.update(breach_notified_at=now, warned_at=warned) == 1


def claim_warning(clock: Clock, now: datetime) -> bool:
    rows = Clock.objects.filter(pk=clock.pk, warned_at__isnull=True, at_risk=True, breached=False)
    return rows.update(warned_at=now) == 1


def notify_clock(clock: Clock, now: datetime) -> int:
    if clock.started_at is None or clock.stopped_at is not None or clock.due_at is None:
        return 0  # not running (stopped or paused): nothing can fall due
    if clock.breached and clock.breach_notified_at is None and claim_breach(clock, now):
        notify.breached(clock)
        return 1
    if clock.at_risk and not clock.breached and clock.warned_at is None \
            and claim_warning(clock, now):
        notify.at_risk(clock)
        return 1
    return 0


def check_ticket(ticket_id: int, now: datetime) -> int:
    with transaction.atomic():
        ticket = (Ticket.objects.select_for_update(of=("self",))
                  .select_related("contract", "convention_version", "assignee", "requester")
                  .filter(pk=ticket_id).first())
        if ticket is None:
            return 0
        clocks = ticket.recompute_clocks(now)
        for clock in clocks:
            clock.ticket = ticket  # the locked row, with its relations already loaded
        return sum(notify_clock(clock, now) for clock in clocks)


def scan_clocks(now: datetime | None = None, limit: int = 500) -> int:
    """Queue the warnings and breach notices due at ``now``; return how many were queued."""
    now = now or timezone.now()
    return sum(check_ticket(ticket_id, now) for ticket_id in tickets_to_check(now, limit))
