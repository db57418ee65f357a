"""The AQUAREEL demo: its organisations, one login per role, and a quarter of tickets.

The tickets are not inserted as rows: each one's history (declaration, level-1 qualification,
assignment, diagnosis, waits, resolution, closure, sometimes a reopening) is generated in
business hours and *replayed* through the domain methods at the instants it happened
(:func:`jalon.lib.clock.replaying`), so the demo obeys every check and clock rule of live use.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from jalon.accounts.models import Membership, Organisation, OrganisationKind, Profile, Role
from jalon.businesstime import Calendar, Duration
from jalon.contracts.models import Contract, ConventionVersion
from jalon.demo import forfait
from jalon.demo.deliverables import load_deliverables
from jalon.demo.governance import load_governance
from jalon.demo.orders import load_orders
from jalon.demo.scorecards import load_scorecards
from jalon.lib.clock import replaying
from jalon.tickets.models import Channel, Ticket

CONVENTION_FILE = Path(settings.BASE_DIR) / "conventions" / "aquareel-tma.yaml"
OFFICE = Calendar.build("mon-fri 08:00-18:00", "FR")

ORGANISATIONS = [
    ("Service Central Vigicrues", OrganisationKind.BUYER),
    ("SPC Grand Delta", OrganisationKind.LEVEL1),
    ("SPC Rhône amont Saône", OrganisationKind.USER_SERVICE),
    ("SPC Seine moyenne Yonne Loing", OrganisationKind.USER_SERVICE),
    ("Titulaire TMA AQUAREEL", OrganisationKind.HOLDER),
]
PEOPLE = [
    # login, first name, last name, organisation, role
    ("acheteur", "Sophie", "Marchand", "Service Central Vigicrues", Role.BUYER_MANAGER),
    ("niveau1", "Luc", "Berthier", "SPC Grand Delta", Role.LEVEL1_AGENT),
    ("demandeur", "Rita", "Fabre", "SPC Rhône amont Saône", Role.REQUESTER),
    ("demandeur2", "Paul", "Garnier", "SPC Seine moyenne Yonne Loing", Role.REQUESTER),
    ("chefdeprojet", "Hugo", "Lemaire", "Titulaire TMA AQUAREEL", Role.HOLDER_MANAGER),
    ("technicien", "Tina", "Roux", "Titulaire TMA AQUAREEL", Role.HOLDER_TECHNICIAN),
    ("auditeur", "Anne", "Caron", "Service Central Vigicrues", Role.AUDITOR),
]

# (type, weight, priority, titles)
REQUESTS = [
    ("urgente", 10, "urgent", [
        "Arrêt du service de concentration des données",
        "Plus aucune donnée temps réel reçue depuis les stations",
        "Bascule haute disponibilité en échec sur le serveur principal",
    ]),
    ("anomalie", 40, "majeur", [
        "Données de hauteur dupliquées après la reprise de la collecte",
        "Purge des archives non exécutée cette nuit",
        "Écart entre les débits calculés et les valeurs de référence",
        "Message d'erreur à l'export des séries vers le modèle de prévision",
        "Journal applicatif saturé par des avertissements de réplication",
    ]),
    ("corrective", 25, "bloquant", [
        "Correction : réplication interrompue vers le site de secours",
        "Correction : horodatage erroné au changement d'heure",
        "Correction : import des stations rejeté (format de fichier)",
    ]),
    ("ponctuelle", 15, "mineur", [
        "Ajout de dix stations hydrométriques au concentrateur",
        "Montée de version du système de base de données",
        "Paramétrage d'un nouveau flux vers le réseau partenaire",
    ]),
    ("audit", 3, "mineur", ["Audit périodique de l'instance de production"]),
    ("installation_ha", 2, "mineur", ["Installation haute disponibilité du site de secours"]),
]


@dataclass
class DemoReport:
    passwords: dict[str, str] = field(default_factory=dict)
    tickets: int = 0
    contract: Contract | None = None


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


def load_demo(now: datetime, seed: int = 2026, count: int = 95) -> DemoReport:
    """Create the AQUAREEL contract, its people and ``count`` tickets over the last quarter; on later
    runs, only give the people new passwords."""
    report = DemoReport()
    with transaction.atomic():
        contract, people = _contract_and_people(report)
        report.contract = contract
        load_deliverables(contract, people, now)
        report.tickets = Ticket.objects.filter(contract=contract).count()
        if report.tickets:  # already loaded: the history is append-only, keep it
            return report
        rng = random.Random(seed)
        channels = random.Random(seed + 1)  # its own draws: the lives stay those of earlier demos
        start = now - timedelta(days=91)
        for number in range(count):
            opened = _business_instant(rng, start, now - timedelta(hours=2))
            life = _life(rng, contract, people, opened, number, _channel(channels))
            with replaying(life.opened):
                ticket = life.declare()
            for step in sorted(life.steps, key=lambda s: s.at):
                if step.at > now:
                    break
                with replaying(step.at):
                    step.action(ticket)
            report.tickets += 1
        for ticket in Ticket.objects.filter(contract=contract):
            ticket.recompute_clocks(now)
        load_governance(contract, people, now)
        forfait.near_threshold(contract, people, now, seed)
        load_orders(contract, people, now)
        load_scorecards(contract, now)
    return report


def _contract_and_people(report: DemoReport) -> tuple[Contract, dict[str, User]]:
    organisations = {
        name: Organisation.objects.update_or_create(name=name, defaults={"kind": kind})[0]
        for name, kind in ORGANISATIONS
    }
    contract, _ = Contract.objects.get_or_create(
        slug="aquareel",
        defaults={"reference": "AQR", "name": "TMA AQUAREEL — concentrateur de données Vigicrues",
                  "buyer": organisations["Service Central Vigicrues"],
                  "holder": organisations["Titulaire TMA AQUAREEL"],
                  "starts_on": date(2026, 1, 1), "ends_on": date(2029, 12, 31)},
    )
    ConventionVersion.load(contract, CONVENTION_FILE.read_text(encoding="utf-8"), CONVENTION_FILE.name)
    people = {}
    for login, first, last, organisation, role in PEOPLE:
        user, _ = User.objects.get_or_create(username=login)
        user.first_name, user.last_name, user.email = first, last, f"{login}@demo.jalon.localhost"
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.save()
        Profile.objects.update_or_create(user=user, defaults={"organisation": organisations[organisation]})
        Membership.objects.get_or_create(user=user, contract=contract, role=role)
        people[login] = user
        report.passwords[login] = password
    return contract, people


CHANNELS = {Channel.PORTAL: 70, Channel.MAIL: 15, Channel.PHONE: 15}
"""How the demo's requests arrive: mostly on the portal; a mail or a call to level 1, who
declares it on the requester's behalf. An urgent request comes with its phone call."""


def _channel(rng: random.Random) -> Channel:
    return rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0]


def _life(rng: random.Random, contract: Contract, people: dict[str, User], opened: datetime, number: int,
          channel: Channel) -> Life:
    kind, _, priority, titles = rng.choices(REQUESTS, weights=[r[1] for r in REQUESTS])[0]
    requester = people[rng.choice(["demandeur", "demandeur2"])]
    level1, technician, manager = people["niveau1"], people["technicien"], people["chefdeprojet"]
    urgent = kind == "urgente"
    title = rng.choice(titles)
    channel = Channel.PHONE if urgent else channel
    declarer = requester if urgent or channel == Channel.PORTAL else level1

    def later(at: datetime, low_hours: float, high_hours: float) -> datetime:
        return OFFICE.deadline(at, Duration(seconds=int(rng.uniform(low_hours, high_hours) * 3600)))

    def declare() -> Ticket:
        return Ticket.open(
            contract, actor=declarer, requester=requester, type=kind, title=title, is_urgent=urgent,
            description=f"Demande n° {number + 1} déclarée par {requester.get_full_name()}.",
            phone_call_at=opened if urgent else None, channel=channel)

    steps = []
    qualified = later(opened, 0.1, 0.6 if urgent else 3)
    steps.append(Step(qualified, lambda t: t.qualify(level1, priority=priority, criticality=_criticality(priority))))
    assigned = later(qualified, 0.05, 0.5)
    steps.append(Step(assigned, lambda t: t.assign(manager, group="TMA niveau 2", person=technician)))
    started = later(assigned, 0.2, 4 if urgent else 14)
    steps.append(Step(started, lambda t: t.start_work(technician)))
    cursor = started
    if rng.random() < 0.3:
        waited = later(cursor, 0.5, 6)
        resumed = later(waited, 1, 24)
        steps += [Step(waited, lambda t: t.wait(technician, "requester", "Journaux demandés au SPC.")),
                  Step(resumed, lambda t: t.resume(technician, "Journaux reçus."))]
        cursor = resumed
    effort = {"urgente": (2, 12), "anomalie": (4, 60), "corrective": (6, 30)}.get(kind, (10, 120))
    resolved = later(cursor, *effort)
    definitive = rng.random() < 0.8
    steps.append(Step(resolved, lambda t: t.resolve(technician, "definitive" if definitive else "workaround",
                                                    "Correctif appliqué et vérifié.")))
    if kind in ("urgente", "anomalie"):  # charged to the support package (seed 000 §7.2)
        minutes = rng.choice([60, 90, 120, 180, 240]) if urgent else rng.choice([30, 60, 90, 120])
        steps.append(Step(resolved, lambda t: t.log_time(technician, minutes=minutes, spent_on=resolved.date(),
                                                         note="Diagnostic et remise en service.")))
    if urgent:
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
    steps.append(Step(later(resolved, 4, 30), lambda t: t.close(level1, "Vérifié par le SPC.")))
    return Life(opened, declare, steps)


def _criticality(priority: str) -> str:
    return {"urgent": "bloquant", "bloquant": "bloquant", "majeur": "majeur"}.get(priority, "mineur")


def _business_instant(rng: random.Random, first: datetime, last: datetime) -> datetime:
    span = int((last - first).total_seconds())
    moment = first + timedelta(seconds=rng.randrange(span))
    return OFFICE.deadline(moment, Duration(seconds=60 * rng.randrange(1, 240)))
