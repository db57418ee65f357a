"""A demo contract's tickets, each one's history generated in business hours and *replayed*
through the domain methods at the instants it happened (:func:`jalon.lib.clock.replaying`), so
the demo obeys every check and clock rule of live use.

A history: declaration (by the requester on the portal, or by level 1 for a mail or a call),
level-1 qualification, assignment to one of the contract's groups, the holder's work, sometimes
a wait on the requester or a third party, resolution (sometimes a workaround first), the time
spent, closure, sometimes a reopening.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Sum

from jalon.businesstime import Calendar, Duration
from jalon.contracts.models import Contract
from jalon.demo.contracts import DemoContract
from jalon.lib.clock import replaying
from jalon.tickets.models import Channel, Ticket, TimeEntry

OFFICE = Calendar.build("mon-fri 08:00-18:00", "FR")
RECENT = timedelta(days=7)
"""Most tickets opened in the last week stop at some step of their history: the work under way
(to qualify, to take in charge, waiting, resolved but not closed…)."""


@dataclass
class Step:
    at: datetime
    action: Callable[[Ticket], Any]


@dataclass
class Life:
    """A ticket's history: its declaration, then the steps that follow."""

    opened: datetime
    declare: Callable[[], Ticket]
    steps: list[Step]


def load_tickets(spec: DemoContract, contract: Contract, people: dict[str, User], now: datetime,
                 rng: random.Random, count: int) -> int:
    """Replay ``count`` ticket histories over the quarter before ``now``; return how many."""
    channels = random.Random(rng.random())  # its own draws
    start = now - timedelta(days=91)
    for number in range(count):
        opened = _business_instant(rng, start, now - timedelta(hours=2))
        life = _life(rng, spec, contract, people, opened, number, _channel(spec, channels))
        steps = sorted(life.steps, key=lambda s: s.at)
        if opened > now - RECENT and rng.random() < 0.6:  # this week's work is under way
            steps = steps[:rng.randrange(len(steps))]
        with replaying(life.opened):
            ticket = life.declare()
        for step in steps:
            if step.at > now:
                break
            with replaying(step.at):
                step.action(ticket)
    for ticket in Ticket.objects.filter(contract=contract):
        ticket.recompute_clocks(now)
    return count


def _channel(spec: DemoContract, rng: random.Random) -> str:
    names, weights = zip(*spec.channels, strict=True)
    return str(rng.choices(names, weights=weights)[0])


def _life(rng: random.Random, spec: DemoContract, contract: Contract, people: dict[str, User],
          opened: datetime, number: int, channel: str) -> Life:
    request = rng.choices(spec.requests, weights=[r.weight for r in spec.requests])[0]
    qualification = request.qualification(rng)
    login = rng.choice(spec.requesters)
    requester = people[login]
    site = spec.sites.get(login) or next((c.site for c in spec.contacts if c.login == login), "")
    level1, technician, manager = people["niveau1"], people["technicien"], people["chefdeprojet"]
    groups, weights = zip(*spec.groups, strict=True)
    group = rng.choices(groups, weights=weights)[0]
    urgent = request.urgent
    title = rng.choice(request.titles)
    channel = Channel.PHONE if urgent else channel
    declarer = requester if urgent or channel == Channel.PORTAL else level1
    priority = qualification.get("priority", "")

    def later(at: datetime, low_hours: float, high_hours: float) -> datetime:
        return OFFICE.deadline(at, Duration(seconds=int(rng.uniform(low_hours, high_hours) * 3600)))

    def declare() -> Ticket:
        return Ticket.open(
            contract, actor=declarer, requester=requester, type=request.type, title=title, is_urgent=urgent,
            description=f"Demande n° {number + 1} déclarée par {requester.get_full_name()}.",
            phone_call_at=opened if urgent else None, channel=channel, site=site,
            lot=spec.lot_of(group))

    criticality = qualification.get("criticality") or _criticality(priority)
    qualify = {**qualification, "criticality": criticality}
    steps = []
    qualified = later(opened, 0.05, 0.5 if urgent or channel == Channel.PHONE else 2)
    steps.append(Step(qualified, lambda t: t.qualify(level1, **qualify)))
    assigned = later(qualified, 0.05, 0.5)
    steps.append(Step(assigned, lambda t: t.assign(manager, group=group, person=technician)))
    started = later(assigned, 0.1, 3 if urgent else 10)
    steps.append(Step(started, lambda t: t.start_work(technician)))
    cursor = started
    if rng.random() < 0.3:
        waited = later(cursor, 0.5, 6)
        resumed = later(waited, 1, 24)
        if rng.random() < spec.third_party_waits:
            steps += [Step(waited, lambda t: t.wait(technician, "third_party",
                                                    "Intervention de l'opérateur demandée.")),
                      Step(resumed, lambda t: t.resume(technician, "L'opérateur est intervenu."))]
        else:
            steps += [Step(waited, lambda t: t.wait(technician, "requester", "Journaux et captures demandés.")),
                      Step(resumed, lambda t: t.resume(technician, "Éléments reçus."))]
        cursor = resumed
    resolved = later(cursor, *request.effort)
    definitive = rng.random() < 0.8
    steps.append(Step(resolved, lambda t: t.resolve(technician, "definitive" if definitive else "workaround",
                                                    "Correctif appliqué et vérifié." if definitive else
                                                    "Contournement en place ; la correction définitive suit.")))
    if request.logs_time:
        minutes = rng.choice([60, 90, 120, 180, 240]) if urgent else rng.choice([30, 60, 90, 120])
        day = resolved.date()  # bound now: a reopening moves ``resolved`` on
        steps.append(Step(resolved, lambda t: _log_within_day(t, technician, minutes, day)))
    if request.reported:
        steps.append(Step(resolved, lambda t: t.write_intervention_report(
            technician, context=title, diagnosis="Saturation du disque des files de réception.",
            tests="Rejeu des messages en attente, contrôle des séries reçues.",
            solution="Purge des fichiers temporaires et redémarrage du service.",
            status="definitive" if definitive else "workaround",
            recommendations="Superviser le taux de remplissage du disque.")))
    if rng.random() < 0.06:
        reopened = later(resolved, 1, 8)
        steps.append(Step(reopened, lambda t: t.reopen(level1, "Le défaut est réapparu.")))
        resolved = later(reopened, 2, 10)
        steps.append(Step(resolved, lambda t: t.resolve(technician, "definitive", "Correctif complété.")))
    steps.append(Step(later(resolved, 4, 30), lambda t: t.close(level1, "Vérifié avec le demandeur.")))
    return Life(opened, declare, steps)


def _log_within_day(ticket: Ticket, person: User, minutes: int, day: date) -> None:
    """Log the time, or what is left of the person's day (JALON_TIME_DAY_MAX_MINUTES, all
    tickets together: the technician works on three contracts)."""
    logged = TimeEntry.objects.filter(person=person, spent_on=day).aggregate(total=Sum("minutes"))["total"] or 0
    left = int(settings.JALON_TIME_DAY_MAX_MINUTES) - logged
    if left >= 15:
        ticket.log_time(person, minutes=min(minutes, left), spent_on=day, note="Diagnostic et remise en service.")


def _criticality(priority: str) -> str:
    return {"urgent": "bloquant", "bloquant": "bloquant", "majeur": "majeur"}.get(priority, "mineur")


def _business_instant(rng: random.Random, first: datetime, last: datetime) -> datetime:
    span = int((last - first).total_seconds())
    moment = first + timedelta(seconds=rng.randrange(span))
    return OFFICE.deadline(moment, Duration(seconds=60 * rng.randrange(1, 240)))
