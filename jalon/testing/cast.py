"""The one base test case: a contract, its convention and a named cast.

The AQUAREEL contract (seed 000): the Service Central Vigicrues buys, SPC Grand Delta qualifies at
level 1, a flood-forecasting service declares, the holder works. Every access test is also run
by ``outsider``, who has a role only on another contract and must get 404s.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.test import TestCase

from jalon.accounts.models import Membership, Organisation, OrganisationKind, Profile, Role
from jalon.contracts.models import Contract, ConventionVersion

# Calendar "ho": Monday–Friday 08:00–18:00, French public holidays, 1 business day = 10 h.
AQUAREEL_CONVENTION = """\
format: jalon-convention/1
version: "2026.1"
contract:
  id: aquareel
  title: TMA AQUAREEL
  buyer: {name: Service Central Vigicrues, short: SCV}
  holder: {name: Titulaire AQUAREEL}
  lots: [tma]
families:
  - {id: support, label: Support, scoring: none}
calendars:
  ho: {hours: "mon-fri 08:00-18:00", holidays: FR, business_day: 10h}
types:
  - {id: urgent_intervention, label: Intervention urgente}
  - {id: anomaly_qualification, label: Qualification d'anomalie}
  - {id: corrective_maintenance, label: Maintenance corrective}
states:
  - {id: new, phase: new}
  - {id: qualifying, phase: new}
  - {id: assigned, phase: active}
  - {id: in_progress, phase: active}
  - {id: waiting, phase: waiting}
  - {id: resolved, phase: resolved}
  - {id: closed, phase: closed}
priorities: [P1, P2, P3]
priority_matrix:
  impacts: [entreprise, site, utilisateur]
  rows:
    critique: [P1, P1, P1]
    majeure: [P1, P2, P2]
    mineure: [P2, P3, P3]
profiles:
  jalon:
    priority_from: matrix
    urgency: {values: {critique: critique, majeure: majeure, mineure: mineure}}
    impact: {values: {entreprise: entreprise, site: site, utilisateur: utilisateur}}
    type:
      values:
        urgent_intervention: urgent_intervention
        anomaly_qualification: anomaly_qualification
        corrective_maintenance: corrective_maintenance
    state:
      values: {new: new, qualifying: qualifying, assigned: assigned, in_progress: in_progress,
               waiting: waiting, resolved: resolved, closed: closed}
clocks:
  - id: prise_en_charge
    label: Début du diagnostic effectif
    types: [urgent_intervention]
    start: opened
    stop: {enter: [in_progress]}
    calendar: ho
    targets: {"*": 1j}
  - id: resolution
    label: Objectif de résolution
    types: [urgent_intervention]
    start: {enter: [in_progress]}
    stop: resolved
    pause: [waiting]
    calendar: ho
    targets: {"*": 1j}
  - id: qualification
    label: Qualification de l'anomalie
    types: [anomaly_qualification]
    start: {enter: [in_progress]}
    stop: resolved
    pause: [waiting]
    calendar: ho
    targets: {"*": 1 semaine}
indicators:
  - id: urgent_on_time
    label: Interventions urgentes dans les délais
    family: support
    kind: clock_share
    clock: resolution
    target: ">= 90%"
"""


def make_user(username: str, organisation: Organisation | None = None, **extra: Any) -> User:
    user = User.objects.create_user(username, f"{username}@example.fr", "mot-de-passe-solide-42",
                                    **extra)
    Profile.objects.create(user=user, organisation=organisation)
    return user


class Cast:
    """A contract with a convention, and one person per role, plus an outsider: set on the test
    class by :meth:`create_cast` (``setUpTestData`` for :class:`JalonTestCase`, ``setUp`` for the
    browser tests, whose live server needs committed rows)."""

    password = "mot-de-passe-solide-42"
    scv: Organisation
    spc_gd: Organisation
    spc_ain: Organisation
    spc_other: Organisation
    holder: Organisation
    contract: Contract
    other_contract: Contract
    convention: ConventionVersion
    buyer_manager: User
    level1: User
    requester: User
    other_requester: User
    holder_manager: User
    technician: User
    auditor: User
    outsider: User

    @classmethod
    def create_cast(cls) -> None:
        cls.scv = Organisation.objects.create(name="Service Central Vigicrues",
                                              kind=OrganisationKind.BUYER)
        cls.spc_gd = Organisation.objects.create(name="SPC Grand Delta",
                                                 kind=OrganisationKind.LEVEL1)
        cls.spc_ain = Organisation.objects.create(name="SPC Rhône amont Saône",
                                                  kind=OrganisationKind.USER_SERVICE)
        cls.spc_other = Organisation.objects.create(name="SPC Loire Cher Indre",
                                                    kind=OrganisationKind.USER_SERVICE)
        cls.holder = Organisation.objects.create(name="Titulaire AQUAREEL",
                                                 kind=OrganisationKind.HOLDER)
        cls.contract = Contract.objects.create(reference="AQR-2026", name="TMA AQUAREEL",
                                               slug="aquareel", buyer=cls.scv, holder=cls.holder)
        cls.convention, _ = ConventionVersion.load(cls.contract, AQUAREEL_CONVENTION,
                                                   "aquareel.yaml")
        cls.other_contract = Contract.objects.create(reference="CAL-2026", name="Callipso",
                                                     slug="callipso", buyer=cls.scv,
                                                     holder=cls.holder)
        ConventionVersion.load(cls.other_contract, AQUAREEL_CONVENTION, "callipso.yaml")
        cls.buyer_manager = cls.member("sophie.scv", cls.scv, Role.BUYER_MANAGER)
        cls.level1 = cls.member("luc.spcgd", cls.spc_gd, Role.LEVEL1_AGENT)
        cls.requester = cls.member("rita.spc", cls.spc_ain, Role.REQUESTER)
        cls.other_requester = cls.member("remi.spc", cls.spc_other, Role.REQUESTER)
        cls.holder_manager = cls.member("hugo.titulaire", cls.holder, Role.HOLDER_MANAGER)
        cls.technician = cls.member("tina.titulaire", cls.holder, Role.HOLDER_TECHNICIAN)
        cls.auditor = cls.member("anne.audit", cls.scv, Role.AUDITOR)
        cls.outsider = make_user("oscar.ailleurs", cls.holder)
        Membership.objects.create(user=cls.outsider, contract=cls.other_contract,
                                  role=Role.BUYER_MANAGER)

    @classmethod
    def member(cls, username: str, organisation: Organisation, role: Role) -> User:
        user = make_user(username, organisation)
        Membership.objects.create(user=user, contract=cls.contract, role=role)
        return user

    @property
    def cast(self) -> dict[str, User]:
        return {
            "buyer_manager": self.buyer_manager, "level1": self.level1,
            "requester": self.requester, "holder_manager": self.holder_manager,
            "technician": self.technician, "auditor": self.auditor,
        }


class JalonTestCase(Cast, TestCase):
    """The base test case: the cast, created once per class."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.create_cast()
