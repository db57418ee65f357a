"""The demo's orders: each demo contract's shipped price schedule, an index series with a revision
computed and awaiting approval, a monthly template, and orders in every state.

Like the tickets, every order is made and moved by the domain methods at the instants it
happened (:func:`jalon.lib.clock.replaying`), so its clocks and history are those of live use.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from jalon.businesstime import Calendar, Duration
from jalon.contracts.models import Contract
from jalon.lib.clock import replaying
from jalon.orders.loading import load_index, load_schedule
from jalon.orders.models import Order, PriceRevision, RecurringOrder
from jalon.tickets.models import Ticket

SCHEDULES = Path(settings.BASE_DIR) / "schedules"
FILES = {"aquareel": "aquareel.yaml", "lade": "lade.yaml", "cd13": "cd13.yaml"}
OFFICE = Calendar.build("mon-fri 08:00-18:00", "FR")
SYNTEC = [(date(2025, 1, 1), Decimal("297.4")), (date(2025, 4, 1), Decimal("299.1")),
          (date(2025, 7, 1), Decimal("300.6")), (date(2025, 10, 1), Decimal("301.9")),
          (date(2026, 1, 1), Decimal("303.2")), (date(2026, 4, 1), Decimal("305.0")),
          (date(2026, 7, 1), Decimal("306.3")), (date(2026, 10, 1), Decimal("307.8"))]
"""Demo values of an index series (not the published Syntec values)."""


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, f"%PDF-1.4 démonstration : {name}".encode(), content_type="application/pdf")


Step = Callable[[Order], Any]


class Story:
    """Orders of one contract replayed over the last quarter, each step at its own instant."""

    def __init__(self, contract: Contract, people: dict[str, User], now: datetime) -> None:
        self.contract, self.now = contract, now
        self.technician = people["technicien"]
        self.start = OFFICE.deadline(now - timedelta(days=80), Duration(seconds=3600))

    def at(self, days: float) -> datetime:
        if days <= 0:
            return self.start
        return OFFICE.deadline(self.start, Duration(seconds=int(days * 36000)))

    def life(self, opened: float, actor: User, title: str, lines: list[tuple[str, Any]],
             steps: list[tuple[float, Step]], **extra: Any) -> Order:
        with replaying(self.at(opened)):
            order = Order.request(self.contract, actor=actor, title=title, lines=lines, **extra)
        for day, step in steps:
            if self.at(day) > self.now:
                break
            with replaying(self.at(day)):
                step(order)
        return order

    # the steps, as the people of the demo take them
    @staticmethod
    def ask(who: User) -> Step:
        return lambda o: o.request_quote(who)

    def quote(self, days: int) -> Step:
        return lambda o: o.deliver_quote(self.technician, execution_days=days, note="Chiffrage en UO joint.")

    @staticmethod
    def sign(who: User, ej: str) -> Step:
        return lambda o: o.sign(who, commitment_number=ej)

    def deliver(self, name: str) -> Step:
        def run(o: Order) -> None:
            o.add_deliverable(self.technician, _pdf(name))
            o.deliver(self.technician, note="Livrables déposés.")
        return run

    def defer(self, who: User, until: float, reason: str) -> Step:
        return lambda o: o.defer(who, new_deadline=self.at(until).date(), reason=reason)

    @staticmethod
    def admit(who: User, note: str) -> Step:
        return lambda o: o.admit(who, note=note)

    @staticmethod
    def refaction(who: User, amount: str, reason: str) -> Step:
        return lambda o: o.admit_with_refaction(who, amount=Decimal(amount), reason=reason)

    @staticmethod
    def done(who: User) -> Step:
        return lambda o: o.record_service_done(who, note="Service fait constaté.")

    @staticmethod
    def reject(who: User, reason: str) -> Step:
        return lambda o: o.reject(who, reason=reason)

    @staticmethod
    def cancel(who: User, reason: str) -> Step:
        return lambda o: o.cancel(who, reason=reason)

    def monthly(self, title: str, requester: User, lines: list[list[Any]], ej: str, days: int) -> None:
        """A monthly template and its orders of the months so far (made once each)."""
        template, _ = RecurringOrder.objects.get_or_create(
            contract=self.contract, title=title,
            defaults={"lines": lines, "requester": requester, "commitment_number": ej,
                      "execution_days": days, "first_month": self.at(0).strftime("%Y-%m")})
        month = self.at(0).replace(day=1)
        while month <= self.now:
            with replaying(max(month, self.at(0))):
                template.issue(month.strftime("%Y-%m"))
            month = (month + timedelta(days=32)).replace(day=1)



def load_orders(contract: Contract, people: dict[str, User], now: datetime) -> int:
    """Orders in every state on ``contract`` (once: nothing is added when it has orders)."""
    source = FILES.get(contract.slug)
    if source is None or Order.objects.filter(contract=contract).exists():
        return 0
    schedule, _created = load_schedule((SCHEDULES / source).read_text(encoding="utf-8"), source, contract=contract)
    index, _added = load_index("SYNTEC-DEMO", "Indice de démonstration (valeurs fictives)", SYNTEC)
    if not PriceRevision.objects.filter(base=schedule).exists():
        PriceRevision.compute(schedule, index, a=Decimal("0.15"), b=Decimal("0.85"),
                              base_day=schedule.effective_from - timedelta(days=1),
                              new_day=now.date(), effective_from=date(now.year + 1, 1, 1))
    story = Story(contract, people, now)
    STORIES[contract.slug](story, contract, people)
    for order in Order.objects.filter(contract=contract):
        order.recompute_clocks(now)
    return Order.objects.filter(contract=contract).count()


def _aquareel(story: Story, contract: Contract, people: dict[str, User]) -> None:
    """User services order one-off work, audits and HA installations; the SCV corrective work
    (seed 000 §7.7)."""
    buyer, requester, other = people["acheteur"], people["demandeur"], people["demandeur2"]
    s, life = story, story.life
    life(1, requester, "Ajout de dix stations hydrométriques", [("PON-J", 3)], [])
    life(2, requester, "Paramétrage d’un flux vers le réseau partenaire", [("PON-J", 2)], [(2.3, s.ask(requester))])
    life(3, other, "Montée de version de la base de données", [("PON-J", 4), ("PON-DJ", 1)],
         [(3.1, s.ask(other)), (4.5, s.quote(8))])
    life(5, requester, "Reprise de l’export des séries vers le modèle", [("PON-J", 2)],
         [(5.1, s.ask(requester)), (6, s.quote(10)), (6.5, s.sign(requester, "EJ-2026-0101"))])
    life(8, buyer, "Correction : horodatage au changement d’heure", [("COR-M", 1)],
         [(8.2, s.sign(buyer, "EJ-2026-0102")), (15, s.deliver("livraison-correctif.pdf"))])
    life(10, other, "Ajout d’un tableau de bord des stations", [("PON-J", 5)],
         [(10.1, s.ask(other)), (11.5, s.quote(10)), (12, s.sign(other, "EJ-2026-0103")),
          (20, s.deliver("rapport-intervention.pdf")), (21, s.defer(other, 35, "Rapport sans les tests."))])
    life(12, buyer, "Correction : import des stations rejeté", [("COR-S", 1)],
         [(12.1, s.sign(buyer, "EJ-2026-0104")), (18, s.deliver("correctif-import.pdf")),
          (19, s.admit(buyer, "Tests de non-régression conformes."))])
    life(14, requester, "Purge des archives : nouvelle règle", [("PON-J", 2)],
         [(14.1, s.ask(requester)), (15, s.quote(5)), (15.2, s.sign(requester, "EJ-2026-0105")),
          (24, s.deliver("rapport-purge.pdf")),
          (25, s.refaction(requester, "240.00", "Livré avec quatre jours de retard.")), (26, s.done(requester))])
    life(16, buyer, "Correction : réplication vers le site de secours", [("COR-C", 1)],
         [(16.1, s.sign(buyer, "EJ-2026-0106")), (24, s.deliver("correctif-replication.pdf")),
          (25, s.reject(buyer, "La réplication échoue toujours en recette."))])
    life(18, other, "Étude d’un second concentrateur", [("PON-J", 10)],
         [(18.5, s.cancel(other, "Besoin reporté à l’an prochain."))])
    audit = life(4, requester, "Audit périodique de l’instance de production", [("AUD", 1)],
                 [(4.2, s.sign(requester, "EJ-2026-0107")), (30, lambda o: o.record_performed(s.technician)),
                  (36, s.deliver("rapport-audit.pdf"))])
    life(5, requester, "Installation haute disponibilité du site de secours", [("HA", 1)],
         [(5.1, s.ask(requester)), (6.5, s.quote(20)), (7, s.sign(requester, "EJ-2026-0108"))], audit=audit)
    ticket = Ticket.objects.filter(contract=contract, is_urgent=True).order_by("opened_at").first()
    if ticket is not None:  # an urgent intervention beyond a day became corrective work (000 L146)
        life(20, buyer, f"Maintenance corrective suite à {ticket.reference}", [("COR-S", 1)],
             [(20.2, s.sign(buyer, "EJ-2026-0109"))], tickets=[ticket])
    s.monthly("Interventions ponctuelles mensuelles du SPC", requester, [["PON-DJ", 2]], "EJ-2026-REC", 15)


def _lade(story: Story, contract: Contract, people: dict[str, User]) -> None:
    """The DSIUN orders every work unit (seed 002 §7); UO 11–16 are quoted first (B1–B3)."""
    buyer, s, life = people["acheteur"], story, story.life
    life(1, buyer, "Intégration du connecteur de télétransmission", [("UO11a", 3)], [])
    life(2, buyer, "Expertise réseau : segmentation du site d’Orléans", [("UO12b", 2)], [(2.2, s.ask(buyer))])
    life(3, buyer, "Conduite du projet de migration Intune", [("UO13a", 5)],
         [(3.1, s.ask(buyer)), (6, s.quote(15))])
    life(5, buyer, "Technicien de proximité : déménagement du service RH", [("UO14d", 2)],
         [(5.1, s.ask(buyer)), (5.8, s.quote(3)), (6.2, s.sign(buyer, "EJ-LADE-2026-011"))])
    life(7, buyer, "Visite supplémentaire de la délégation de Besançon", [("UO5b", 1)],
         [(7.1, s.sign(buyer, "EJ-LADE-2026-012")), (14, s.deliver("compte-rendu-visite.pdf"))])
    life(8, buyer, "Intégration applicative : mise à jour du logiciel de paie", [("UO11b", 4)],
         [(8.1, s.ask(buyer)), (12, s.quote(10)), (12.5, s.sign(buyer, "EJ-LADE-2026-013")),
          (22, s.deliver("pv-integration-paie.pdf")), (23, s.defer(buyer, 38, "Procédure d’exploitation absente."))])
    life(10, buyer, "Expertise serveurs : renouvellement du cluster de virtualisation", [("UO12e", 2)],
         [(10.1, s.ask(buyer)), (14, s.quote(8)), (14.2, s.sign(buyer, "EJ-LADE-2026-014")),
          (21, s.deliver("rapport-expertise-virtualisation.pdf")), (22, s.admit(buyer, "Rapport conforme."))])
    life(12, buyer, "Technicien de proximité : inventaire de Douai", [("UO14a", 4)],
         [(12.1, s.ask(buyer)), (13, s.quote(2)), (13.1, s.sign(buyer, "EJ-LADE-2026-015")),
          (19, s.deliver("inventaire-douai.pdf")),
          (20, s.refaction(buyer, "130.00", "Une demi-journée non réalisée.")), (21, s.done(buyer))])
    life(15, buyer, "Expertise bases de données : plan de sauvegarde", [("UO12h", 1)],
         [(15.1, s.ask(buyer)), (17, s.quote(5)), (17.2, s.sign(buyer, "EJ-LADE-2026-016")),
          (23, s.deliver("plan-sauvegarde.pdf")), (24, s.reject(buyer, "Le plan ne couvre pas les bases Oracle."))])
    life(18, buyer, "Conduite du projet de visioconférence", [("UO13b", 2)],
         [(18.1, s.ask(buyer)), (18.6, s.cancel(buyer, "Projet repris en interne."))])
    s.monthly("Prestations récurrentes TMS du mois", buyer, [["UO3", 1], ["UO8", 1]], "EJ-LADE-2026-REC", 20)


def _cd13(story: Story, contract: Contract, people: dict[str, User]) -> None:
    """The department's contract manager orders complements on proposal, the catalogue and audits
    (seed 003)."""
    buyer, s, life = people["acheteur"], story, story.life
    life(1, buyer, "Journées d’ingénieur : durcissement des serveurs", [("PC-J", 3)], [])
    life(2, buyer, "Salle de visioconférence du bâtiment Arenc", [("PC-VISIO", 1)], [(2.1, s.ask(buyer))])
    life(3, buyer, "Déploiement de quarante postes au collège Thiers", [("PC-DEP", 40)],
         [(3.1, s.ask(buyer)), (5, s.quote(15))])
    life(5, buyer, "Dix ordinateurs portables pour la direction des routes", [("CAT-PORT", 10)],
         [(5.2, s.sign(buyer, "EJ-CD13-2026-021"))])
    life(6, buyer, "Audit de vulnérabilité du portail usagers", [("AUD-VULN", 1)],
         [(6.1, s.sign(buyer, "EJ-CD13-2026-022")), (20, s.deliver("rapport-audit-portail.pdf"))])
    life(8, buyer, "Journées d’ingénieur : migration de la messagerie", [("PC-J", 5)],
         [(8.1, s.ask(buyer)), (10, s.quote(10)), (10.5, s.sign(buyer, "EJ-CD13-2026-023")),
          (20, s.deliver("pv-migration-messagerie.pdf")), (21, s.defer(buyer, 36, "Recette incomplète."))])
    life(9, buyer, "Dix écrans pour l’accueil", [("CAT-ECR", 10)],
         [(9.1, s.sign(buyer, "EJ-CD13-2026-024")), (16, s.deliver("bon-livraison-ecrans.pdf")),
          (17, s.admit(buyer, "Matériel conforme."))])
    life(11, buyer, "Déploiement de vingt postes à la maison départementale", [("PC-DEP", 20)],
         [(11.1, s.ask(buyer)), (12, s.quote(5)), (12.2, s.sign(buyer, "EJ-CD13-2026-025")),
          (19, s.deliver("pv-deploiement.pdf")),
          (20, s.refaction(buyer, "190.00", "Deux postes livrés sans profil.")), (21, s.done(buyer))])
    life(14, buyer, "Journées d’ingénieur : supervision du réseau", [("PC-J", 2)],
         [(14.1, s.ask(buyer)), (16, s.quote(5)), (16.1, s.sign(buyer, "EJ-CD13-2026-026")),
          (22, s.deliver("supervision.pdf")), (23, s.reject(buyer, "Sondes non installées."))])
    life(17, buyer, "Seconde salle de visioconférence", [("PC-VISIO", 1)],
         [(17.1, s.ask(buyer)), (17.5, s.cancel(buyer, "Budget reporté."))])


STORIES: dict[str, Callable[[Story, Contract, dict[str, User]], None]] = {
    "aquareel": _aquareel, "lade": _lade, "cd13": _cd13}
