"""The demo: three contracts (AQUAREEL ``aquareel``, the water agencies' TME/TMS ``lade``, CD13
Callipso ``cd13``, :mod:`jalon.demo.contracts`), one printed login per role with a role on all
three, each contract's own people, and a quarter of tickets replayed through the domain
(:mod:`jalon.demo.tickets`).

Other record types plug in with one line in :data:`LOADERS`: a function
``(contract, people, now, rng)`` called for every demo contract once its tickets are loaded
(``people`` maps each login, printed or the contract's own, to its user; ``rng`` is the
loader's own, seeded by the contract and the loader's name, so adding a loader changes no
other data).

The replay writes the notices live use would (urgent openings, resolutions, then the clock
warnings and breaches the first scan would find): they stay in the outbox, readable in each
person's notifications, but are never sent — a worker started after the demo finds nothing
from the past to send.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max

from jalon.accounts.models import Membership, Organisation, OrganisationKind, Profile, Role
from jalon.contracts.models import Contract, ConventionVersion
from jalon.demo import forfait
from jalon.demo.contracts import AQUAREEL, CONTRACTS, DemoContract
from jalon.demo.deliverables import load_deliverables
from jalon.demo.governance import load_governance
from jalon.demo.orders import load_orders
from jalon.demo.scorecards import load_scorecards
from jalon.demo.tickets import load_tickets
from jalon.messaging import clockwatch
from jalon.messaging.models import OutboxMessage
from jalon.tickets.models import Ticket

CONVENTIONS = Path(settings.BASE_DIR) / "conventions"

ORGANISATIONS = [
    ("Service Central Vigicrues", OrganisationKind.BUYER),
    ("SPC Grand Delta", OrganisationKind.LEVEL1),
    ("SPC Rhône amont Saône", OrganisationKind.USER_SERVICE),
    ("SPC Seine moyenne Yonne Loing", OrganisationKind.USER_SERVICE),
    ("Titulaire TMA AQUAREEL", OrganisationKind.HOLDER),
]
PEOPLE = [
    # login, first name, last name, organisation, role (the same on every demo contract)
    ("acheteur", "Sophie", "Marchand", "Service Central Vigicrues", Role.BUYER_MANAGER),
    ("niveau1", "Luc", "Berthier", "SPC Grand Delta", Role.LEVEL1_AGENT),
    ("demandeur", "Rita", "Fabre", "SPC Rhône amont Saône", Role.REQUESTER),
    ("demandeur2", "Paul", "Garnier", "SPC Seine moyenne Yonne Loing", Role.REQUESTER),
    ("chefdeprojet", "Hugo", "Lemaire", "Titulaire TMA AQUAREEL", Role.HOLDER_MANAGER),
    ("technicien", "Tina", "Roux", "Titulaire TMA AQUAREEL", Role.HOLDER_TECHNICIAN),
    ("auditeur", "Anne", "Caron", "Service Central Vigicrues", Role.AUDITOR),
]
ADMIN_ROLE = Role.BUYER_MANAGER
"""The demo's administrator's role on every demo contract, so that the pages show them what the
admin sets up."""
NOT_SENT = "Démonstration : notice rejouée, jamais envoyée."

Loader = Callable[[Contract, dict[str, User], datetime, random.Random], object]

LOADERS: list[Loader] = [
    lambda contract, people, now, rng: load_deliverables(contract, people, now),
    lambda contract, people, now, rng: load_governance(contract, people, now),
    lambda contract, people, now, rng: forfait.near_threshold(contract, people, now, rng.randrange(10**6)),
    lambda contract, people, now, rng: load_orders(contract, people, now),
    # last: the scorecards read what the others recorded (computed measures)
    lambda contract, people, now, rng: load_scorecards(contract, now),
]
"""Called in order for every demo contract, after its tickets, the first time it is loaded."""


@dataclass
class DemoReport:
    passwords: dict[str, str] = field(default_factory=dict)
    tickets: int = 0
    """Tickets of every demo contract."""
    contracts: dict[str, Contract] = field(default_factory=dict)
    """Each demo contract by its slug, in the order of :data:`CONTRACTS`."""

    @property
    def contract(self) -> Contract | None:
        """The first demo contract (AQUAREEL)."""
        return next(iter(self.contracts.values()), None)


def load_demo(now: datetime, seed: int = 2026, count: int = 95,
              slugs: tuple[str, ...] | None = None, admin: User | None = None) -> DemoReport:
    """Create the demo contracts (all, or those of ``slugs``), their people and ``count``
    tickets each over the last quarter, then run every :data:`LOADERS` entry on each; on later
    runs, keep what exists (the history is append-only) and only give the printed logins new
    passwords. ``admin`` is given :data:`ADMIN_ROLE` on each contract."""
    report = DemoReport()
    specs = [spec for spec in CONTRACTS if slugs is None or spec.slug in slugs]
    with transaction.atomic():
        before = OutboxMessage.objects.aggregate(n=Max("pk"))["n"] or 0
        users = _printed_people(report)
        loaded = False
        for spec in specs:
            contract, people = _contract(spec, users)
            report.contracts[spec.slug] = contract
            if admin is not None:
                Membership.objects.get_or_create(user=admin, contract=contract, role=ADMIN_ROLE)
            if Ticket.objects.filter(contract=contract).exists():
                continue
            loaded = True
            load_tickets(spec, contract, people, now, random.Random(f"{seed}:{spec.slug}"), count)
            for loader in LOADERS:
                loader(contract, people, now, random.Random(f"{seed}:{spec.slug}:{LOADERS.index(loader)}"))
        if loaded:
            clockwatch.scan_clocks(now)  # the notices the replayed past owes, not sent either
            OutboxMessage.objects.filter(pk__gt=before, sent_at__isnull=True).update(
                next_attempt_at=None, last_error=NOT_SENT)
        report.tickets = Ticket.objects.filter(contract__in=report.contracts.values()).count()
    return report


def _printed_people(report: DemoReport) -> dict[str, User]:
    organisations = {name: Organisation.objects.update_or_create(name=name, defaults={"kind": kind})[0]
                     for name, kind in ORGANISATIONS}
    users = {}
    for login, first, last, organisation, _role in PEOPLE:
        user, _ = User.objects.get_or_create(username=login)
        user.first_name, user.last_name, user.email = first, last, f"{login}@demo.jalon.localhost"
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.save()
        Profile.objects.update_or_create(user=user, defaults={"organisation": organisations[organisation]})
        users[login] = user
        report.passwords[login] = password
    return users


def _contract(spec: DemoContract, users: dict[str, User]) -> tuple[Contract, dict[str, User]]:
    organisations = {name: Organisation.objects.update_or_create(name=name, defaults={"kind": kind})[0]
                     for name, kind in spec.organisations}
    contract, _ = Contract.objects.get_or_create(
        slug=spec.slug,
        defaults={"reference": spec.reference, "name": spec.name, "buyer": organisations[spec.buyer],
                  "holder": organisations[spec.holder], "starts_on": spec.starts_on,
                  "ends_on": spec.ends_on, "hotline": spec.hotline},
    )
    convention = CONVENTIONS / spec.convention
    ConventionVersion.load(contract, convention.read_text(encoding="utf-8"), convention.name)
    people = dict(users)
    for login, _first, _last, _organisation, role in PEOPLE:
        Membership.objects.get_or_create(user=users[login], contract=contract, role=role)
    for contact in spec.contacts:
        user, created = User.objects.get_or_create(username=contact.login)
        if created:
            user.set_unusable_password()
        user.first_name, user.last_name = contact.first_name, contact.last_name
        user.email = f"{contact.login}@demo.jalon.localhost"
        user.save()
        Profile.objects.update_or_create(user=user, defaults={"organisation": organisations[contact.organisation]})
        Membership.objects.get_or_create(user=user, contract=contract, role=contact.role)
        people[contact.login] = user
    return contract, people


REQUESTS = [(r.type, r.weight, r.qualifications[0][0]["priority"], list(r.titles)) for r in AQUAREEL.requests]
"""AQUAREEL's requests as (type, weight, priority, titles): the platform benchmark draws its
million tickets from them (benchmarks/platform_data.py)."""


def _contract_and_people(report: DemoReport) -> tuple[Contract, dict[str, User]]:
    """AQUAREEL and its people, without tickets: the platform benchmark's cast."""
    return _contract(AQUAREEL, _printed_people(report))
