"""The periodic clock scan: warn at the at-risk threshold, notify breaches, each exactly once,
for every record type registered with :mod:`jalon.commitments.registry`.

Candidates come from each registered clock model's indexed ``risk_at``/``due_at`` columns, merged
in order of urgency (the due instant). Each record is then handled in its own transaction that
locks it (as every domain method does), recomputes its clocks as of ``now`` and claims a notice
with a conditional UPDATE on ``warned_at`` or ``breach_notified_at`` (still empty). The claim and
the outbox rows commit together, so two workers scanning at once, or one scan run twice, queue a
notice once.

The lock matters: recomputing saves whole clock rows, which could otherwise write back an empty
``warned_at`` read just before another worker's claim.
"""

from __future__ import annotations

import heapq
from datetime import datetime

from django.db import models, transaction
from django.utils import timezone

from jalon.commitments import registry
from jalon.commitments.models import AbstractClock
from jalon.commitments.registry import Commitment
from jalon.messaging import notify

Registered = Commitment[models.Model, AbstractClock]


def records_to_check(now: datetime, limit: int) -> list[tuple[Registered, int]]:
    """Up to ``limit`` (registration, record id) whose clocks may owe a notice, most urgent
    first, each record once."""
    commitments = registry.registered()
    found = [[(due, order, pk, owner) for due, pk, owner in commitment.candidates(now, limit)]
             for order, commitment in enumerate(commitments)]
    urgent = list(heapq.merge(*found))[:limit]
    return list(dict.fromkeys((commitments[order], owner) for _, order, _, owner in urgent))


def check_record(commitment: Registered, owner_id: int, now: datetime) -> int:
    """Recompute one record's clocks under its lock and queue the notices they owe."""
    with transaction.atomic():
        owner = commitment.lock(owner_id)
        if owner is None:
            return 0
        queued = 0
        for clock in commitment.recompute(owner, now):
            notice = clock.claim_notice(now)
            if notice is not None:
                notify.clock_notice(commitment, owner, clock, notice)
                queued += 1
        return queued


def scan_clocks(now: datetime | None = None, limit: int = 500) -> int:
    """Queue the warnings and breach notices due at ``now``; return how many were queued."""
    now = now or timezone.now()
    return sum(check_record(commitment, owner_id, now)
               for commitment, owner_id in records_to_check(now, limit))
