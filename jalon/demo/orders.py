"""The demo's orders: the contract's shipped price schedule, an index series with a revision
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
from jalon.orders.models import Order, PriceIndex, PriceRevision, PriceSchedule, RecurringOrder
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
    if contract.slug != "aquareel":
        return 0  # the order lives below use AQUAREEL's work units; the others get their schedule
    buyer, requester, other = people["acheteur"], people["demandeur"], people["demandeur2"]
    technician = people["technicien"]
    start = OFFICE.deadline(now - timedelta(days=80), Duration(seconds=3600))

    def at(days: float) -> datetime:
        if days <= 0:
            return start
        return OFFICE.deadline(start, Duration(seconds=int(days * 36000)))

    def life(opened: float, actor: User, title: str, lines: list[tuple[str, Any]],
             steps: list[tuple[float, Callable[[Order], Any]]], **extra: Any) -> Order:
        with replaying(at(opened)):
            order = Order.request(contract, actor=actor, title=title, lines=lines, **extra)
        for day, step in steps:
            if at(day) > now:
                break
            with replaying(at(day)):
                step(order)
        return order

    def quote(days: int) -> Callable[[Order], Any]:
        return lambda o: o.deliver_quote(technician, execution_days=days, note="Chiffrage en UO joint.")

    def sign(who: User, ej: str) -> Callable[[Order], Any]:
        return lambda o: o.sign(who, commitment_number=ej)

    def deliver(name: str) -> Callable[[Order], Any]:
        def run(o: Order) -> None:
            o.add_deliverable(technician, _pdf(name))
            o.deliver(technician, note="Livrables déposés.")
        return run

    ask = lambda who: (lambda o: o.request_quote(who))  # noqa: E731
    made = [
        life(1, requester, "Ajout de dix stations hydrométriques", [("PON-J", 3)], []),
        life(2, requester, "Paramétrage d’un flux vers le réseau partenaire", [("PON-J", 2)], [(2.3, ask(requester))]),
        life(3, other, "Montée de version de la base de données", [("PON-J", 4), ("PON-DJ", 1)],
             [(3.1, ask(other)), (4.5, quote(8))]),
        life(5, requester, "Reprise de l’export des séries vers le modèle", [("PON-J", 2)],
             [(5.1, ask(requester)), (6, quote(10)), (6.5, sign(requester, "EJ-2026-0101"))]),
        life(8, buyer, "Correction : horodatage au changement d’heure", [("COR-M", 1)],
             [(8.2, sign(buyer, "EJ-2026-0102")), (15, deliver("livraison-correctif.pdf"))]),
        life(10, other, "Ajout d’un tableau de bord des stations", [("PON-J", 5)],
             [(10.1, ask(other)), (11.5, quote(10)), (12, sign(other, "EJ-2026-0103")),
              (20, deliver("rapport-intervention.pdf")),
              (21, lambda o: o.defer(other, new_deadline=at(35).date(), reason="Rapport sans les tests."))]),
        life(12, buyer, "Correction : import des stations rejeté", [("COR-S", 1)],
             [(12.1, sign(buyer, "EJ-2026-0104")), (18, deliver("correctif-import.pdf")),
              (19, lambda o: o.admit(buyer, note="Tests de non-régression conformes."))]),
        life(14, requester, "Purge des archives : nouvelle règle", [("PON-J", 2)],
             [(14.1, ask(requester)), (15, quote(5)), (15.2, sign(requester, "EJ-2026-0105")),
              (24, deliver("rapport-purge.pdf")),
              (25, lambda o: o.admit_with_refaction(requester, amount=Decimal("240.00"),
                                                    reason="Livré avec quatre jours de retard.")),
              (26, lambda o: o.record_service_done(requester, note="Service fait constaté."))]),
        life(16, buyer, "Correction : réplication vers le site de secours", [("COR-C", 1)],
             [(16.1, sign(buyer, "EJ-2026-0106")), (24, deliver("correctif-replication.pdf")),
              (25, lambda o: o.reject(buyer, reason="La réplication échoue toujours en recette."))]),
        life(18, other, "Étude d’un second concentrateur", [("PON-J", 10)],
             [(18.5, lambda o: o.cancel(other, reason="Besoin reporté à l’an prochain."))]),
    ]
    audit = life(4, requester, "Audit périodique de l’instance de production", [("AUD", 1)],
                 [(4.2, sign(requester, "EJ-2026-0107")), (30, lambda o: o.record_performed(technician)),
                  (36, deliver("rapport-audit.pdf"))])
    made.append(audit)
    made.append(life(5, requester, "Installation haute disponibilité du site de secours", [("HA", 1)],
                     [(5.1, ask(requester)), (6.5, quote(20)), (7, sign(requester, "EJ-2026-0108"))], audit=audit))
    ticket = Ticket.objects.filter(contract=contract, is_urgent=True).order_by("opened_at").first()
    if ticket is not None:  # an urgent intervention beyond a day became corrective work (000 L146)
        made.append(life(20, buyer, f"Maintenance corrective suite à {ticket.reference}", [("COR-S", 1)],
                         [(20.2, sign(buyer, "EJ-2026-0109"))], tickets=[ticket]))
    template, _ = RecurringOrder.objects.get_or_create(
        contract=contract, title="Interventions ponctuelles mensuelles du SPC",
        defaults={"lines": [["PON-DJ", 2]], "requester": requester, "commitment_number": "EJ-2026-REC",
                  "execution_days": 15, "first_month": at(0).strftime("%Y-%m")})
    month = at(0).replace(day=1)
    while month <= now:
        with replaying(max(month, at(0))):
            template.issue(month.strftime("%Y-%m"))
        month = (month + timedelta(days=32)).replace(day=1)
    for order in Order.objects.filter(contract=contract):
        order.recompute_clocks(now)
    assert PriceSchedule.objects.filter(contract=contract).exists()
    assert PriceIndex.objects.exists()
    return Order.objects.filter(contract=contract).count()
