"""The demo's support package (seed 000 §7.2): a contract year consumed up to just below the
convention's first warning threshold, with one corrected entry, so that the ledger, the
statements and the warning are shown on real rows. Written through the domain methods
(``log_time``, ``correct_time``) at past instants, like the rest of the demo."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Sum
from django.utils import timezone

from jalon.contracts.models import Contract
from jalon.forfait import ledger
from jalon.lib.clock import replaying
from jalon.tickets.models import Ticket, TimeEntry

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
    earliest = max(book.year.first_day, today - timedelta(days=85))
    cap = int(settings.JALON_TIME_DAY_MAX_MINUTES)

    def days_of(ticket: Ticket) -> list[date]:
        """The working days of the ticket's life (time is logged within it, D-116), up to yesterday."""
        last = min(ticket.closed_at.astimezone(zone).date() if ticket.closed_at else today,
                   today - timedelta(days=1))
        day, found = max(ticket.opened_at.astimezone(zone).date(), earliest), []
        while day <= last:
            if day.weekday() < 5:
                found.append(day)
            day += timedelta(days=1)
        return found

    lives = [(t, days) for t in tickets if (days := days_of(t))]
    if not lives:
        return 0
    # what the technician already logged each day (the replayed tickets), under the day's cap
    per_day = Counter[date](dict(TimeEntry.objects.filter(person=technician).order_by().values("spent_on")
                                 .annotate(total=Sum("minutes")).values_list("spent_on", "total")))
    added, entries = 0, []
    room = sum(max(cap - per_day[day], 0) for day in {d for _t, days in lives for d in days})
    while added < min(missing, room):
        ticket, days = rng.choice(lives)
        day = rng.choice(days)
        minutes = min(rng.choice([120, 180, 240, 300, 360]), missing - added, cap - per_day[day])
        if minutes <= 0:
            continue  # the technician's day is full (D-116): another day
        with replaying(datetime.combine(day, time(17, 30), zone)):
            entries.append(ticket.log_time(technician, minutes=minutes, spent_on=day,
                                           note="Diagnostic et remise en service."))
        per_day[day] += minutes
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
            # by the manager, whose day the correction left empty (each person's day is capped)
            wrong.ticket.log_time(manager, minutes=back, spent_on=wrong.spent_on,
                                  note="Qualification complémentaire.")
    return added
