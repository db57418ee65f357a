"""The demo's support package (seed 000 §7.2): a contract year consumed up to just below the
convention's first warning threshold, with one corrected entry, so that the ledger, the
statements and the warning are shown on real rows. Written through the domain methods
(``log_time``, ``correct_time``) at past instants, like the rest of the demo."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.utils import timezone

from jalon.contracts.models import Contract
from jalon.forfait import ledger
from jalon.lib.clock import replaying
from jalon.tickets.models import Ticket

BELOW_THRESHOLD = 0.04
"""How far below the first warning threshold the demo stops (75 % for a warning at 80 %)."""


def near_threshold(contract: Contract, people: dict[str, User], now: datetime, seed: int = 2026) -> int:
    """Charge time to ``contract``'s package until its current year is just below the first
    threshold; return the minutes added (0 when the convention has no package or the year is
    already there)."""
    convention = ledger.convention_of(contract)
    terms = convention.forfait if convention else None
    if convention is None or terms is None or not terms.day_minutes:
        return 0
    today = timezone.localdate(now)
    book = ledger.year_of(contract, today, with_lines=False, convention=convention)
    target = int((terms.alert_thresholds()[0] - BELOW_THRESHOLD) * (book.allowance_days or 0) * terms.day_minutes)
    missing = target - book.consumed_minutes
    tickets = [t for t in Ticket.objects.filter(contract=contract, opened_at__lt=now).order_by("pk")
               if terms.charges(t.type)]
    technician, manager = people.get("technicien"), people.get("chefdeprojet")
    if missing <= 0 or not tickets or technician is None or manager is None:
        return 0
    rng, zone = random.Random(seed), ZoneInfo(convention.contract.tz)
    first = max(book.year.first_day, today - timedelta(days=85))
    span = max((today - first).days - 1, 1)
    added, entries = 0, []
    while added < missing:
        ticket = rng.choice(tickets)
        day = first + timedelta(days=rng.randrange(span))
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        day = max(day, book.year.first_day)
        minutes = min(rng.choice([120, 180, 240, 300, 360]), missing - added)
        with replaying(datetime.combine(day, time(17, 30), zone)):
            entries.append(ticket.log_time(technician, minutes=minutes, spent_on=day,
                                           note="Diagnostic et remise en service."))
        added += minutes
    # one entry entered twice as long as spent, corrected by the holder's manager the next day
    wrong = max(entries, key=lambda e: e.minutes)
    with replaying(datetime.combine(wrong.spent_on + timedelta(days=1), time(9), zone)):
        wrong.ticket.correct_time(manager, wrong, minutes=wrong.minutes // 2 + wrong.minutes % 2,
                                  spent_on=wrong.spent_on, reason="Durée saisie en double.")
        replacement = wrong.minutes // 2 + wrong.minutes % 2
    # top up what the correction gave back, on the same ticket
    back = wrong.minutes - replacement
    if back > 0:
        with replaying(datetime.combine(wrong.spent_on + timedelta(days=1), time(17, 30), zone)):
            wrong.ticket.log_time(technician, minutes=back, spent_on=min(wrong.spent_on + timedelta(days=1), today),
                                  note="Qualification complémentaire.")
    return added
