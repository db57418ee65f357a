"""A demo-like contract for the tests that walk every URL and API operation: the demo's AQUAREEL
quarter (tickets, orders, meetings, actions, risks, deliverables, the forfait, scorecards), a
structured report, a second contract whose only member is the outsider, someone with no role at
all, and an API token for each.

:func:`path_values` fills a route's path parameters with objects of a contract, so that a sweep
asks for real records (of the contract the person is on, or of one they are not on), never for ids
that do not exist.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from jalon.accounts.models import Membership, Organisation, OrganisationKind, Profile, Role
from jalon.api.models import ApiToken
from jalon.contracts.models import Contract, ConventionVersion
from jalon.deliverables.models import Deliverable
from jalon.demo.data import load_demo
from jalon.documents.models import StructuredReport
from jalon.governance.models import Action, Decision, Meeting, Risk
from jalon.lib.clock import replaying
from jalon.orders.models import Order
from jalon.scorecards.models import PeriodScorecard
from jalon.tickets.models import InterventionReport, Ticket, TimeEntry

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))

ROLES = {
    # identity -> the demo login (the same role on every demo contract)
    "buyer_manager": "acheteur", "level1": "niveau1", "requester": "demandeur",
    "other_requester": "demandeur2", "holder_manager": "chefdeprojet", "technician": "technicien",
    "auditor": "auditeur",
}


@dataclasses.dataclass
class DemoContract:
    contract: Contract
    elsewhere: Contract
    people: dict[str, User]
    """Each identity of :data:`ROLES`, plus ``outsider`` (a role on ``elsewhere`` only) and
    ``nobody`` (no role anywhere)."""
    tokens: dict[str, str]


def build(slug: str = "aquareel", count: int = 5) -> DemoContract:
    report = load_demo(NOW, count=count, slugs=(slug,))
    contract = report.contracts[slug]
    people = {name: User.objects.get(username=login) for name, login in ROLES.items()}
    with replaying(NOW):
        StructuredReport.write(contract, people["technician"], kind="delivery_note", title="Note de livraison 4.2",
                               data={"version": "4.2", "content": "Correctifs", "installation": "Standard"})
        ticket = Ticket.objects.filter(contract=contract, requester=people["requester"]).order_by("pk").first()
        if ticket is not None and not TimeEntry.objects.filter(ticket__contract=contract).exists():
            ticket.log_time(people["technician"], minutes=90, spent_on=ticket.opened_at.date(), note="Analyse")
        if ticket is not None:
            ticket.add_attachment(people["requester"], SimpleUploadedFile("capture.pdf", b"%PDF-1.4 capture",
                                                                          content_type="application/pdf"))
            InterventionReport.objects.create(ticket=ticket, context="Arrêt", diagnosis="Disque plein",
                                              tests="Relance", solution="Purge", status="definitive",
                                              author=people["technician"])
    holder = Organisation.objects.create(name="Titulaire d’un autre marché", kind=OrganisationKind.HOLDER)
    elsewhere = Contract.objects.create(reference="AIL-2026", name="Un autre marché", slug="ailleurs",
                                        buyer=contract.buyer, holder=holder)
    ConventionVersion.load(elsewhere, contract.current_version.text, "ailleurs.yaml")  # type: ignore[union-attr]
    for name, role in (("outsider", Role.BUYER_MANAGER), ("nobody", None)):
        user = User.objects.create_user(f"{name}.sweep", f"{name}@example.fr", "mot-de-passe-solide-42")
        Profile.objects.create(user=user, organisation=holder)
        if role is not None:
            Membership.objects.create(user=user, contract=elsewhere, role=role)
        people[name] = user
    tokens = {name: ApiToken.issue(user, "sweep")[1] for name, user in people.items()}
    return DemoContract(contract, elsewhere, people, tokens)


def objects_of(contract: Contract) -> dict[str, str]:
    """One record of each type of ``contract``, by the path parameter that names it."""
    first = {
        "ticket": Ticket.objects.filter(contract=contract, requester__username=ROLES["requester"]).order_by("pk"),
        "meeting": Meeting.objects.filter(contract=contract).order_by("pk"),
        "action": Action.objects.filter(contract=contract).order_by("pk"),
        "decision": Decision.objects.filter(contract=contract).order_by("pk"),
        "risk": Risk.objects.filter(contract=contract).order_by("pk"),
        "entry": TimeEntry.objects.filter(ticket__contract=contract).order_by("pk"),
        "deliverable": Deliverable.objects.filter(contract=contract).order_by("pk"),
        "report": StructuredReport.objects.filter(contract=contract).order_by("pk"),
        "order": Order.objects.filter(contract=contract).order_by("pk"),
        "scorecard": PeriodScorecard.objects.filter(contract=contract).order_by("pk"),
    }
    found: dict[str, Any] = {name: rows.first() for name, rows in first.items()}
    missing = [name for name, row in found.items() if row is None]
    assert not missing, f"the fixture contract has no {missing}"
    entry = found["entry"]
    return {
        "slug": contract.slug, "ticket_id": str(found["ticket"].pk), "meeting_id": str(found["meeting"].pk),
        "action_id": str(found["action"].pk),
        "decision_id": str(found["decision"].pk), "risk_id": str(found["risk"].pk), "entry_id": str(entry.pk),
        "month": f"{entry.spent_on:%Y-%m}", "deliverable": str(found["deliverable"].pk),
        "report": str(found["report"].pk), "number": str(found["order"].number),
        "period": str(found["scorecard"].period),
    }


_PARAM = re.compile(r"\{(\w+)\}|<(?:\w+:)?(\w+)>")

# a parameter named after no record type (``pk``, ``id``) names the record of the segment before it
_SEGMENT = {"deliverables": "deliverable", "livrables": "deliverable", "reports": "report", "rapports": "report",
            "orders": "number", "commandes": "number", "meetings": "meeting_id", "reunions": "meeting_id",
            "actions": "action_id", "decisions": "decision_id", "risks": "risk_id", "risques": "risk_id",
            "tickets": "ticket_id",
            "bilans": "period", "scorecards": "period", "notifications": "notice", "calendrier": "feed",
            "mesures": "measure", "saisies": "entry_id", "revisions": "revision", "versions": "version",
            "fichiers": "file_id", "pieces-jointes": "attachment_id"}


def path_values(route: str, objects: dict[str, str]) -> dict[str, str]:
    """The value of each parameter of ``route`` (OpenAPI ``{name}`` or Django ``<conv:name>``)."""
    values = {}
    for match in _PARAM.finditer(route):
        name = match[1] or match[2]
        if name in objects:
            values[name] = objects[name]
            continue
        segment = route[:match.start()].rstrip("/").rsplit("/", 1)[-1]
        values[name] = objects[_SEGMENT[segment]]
    return values


def more_objects_of(demo: DemoContract) -> dict[str, str]:
    """The records the pages name besides those of :func:`objects_of`: a ticket's attachment, an
    order's file, a price revision, a manual measure and its file, a notice and a calendar feed
    of the buyer manager ("0" where the demo has none: the sweep then says so)."""
    from jalon.calendars.models import CalendarFeed
    from jalon.messaging.models import OutboxMessage
    from jalon.orders.models import Deliverable as OrderFile
    from jalon.orders.models import PriceRevision
    from jalon.scorecards.models import ManualMeasure, MeasureFile
    from jalon.tickets.models import Attachment

    contract, buyer = demo.contract, demo.people["buyer_manager"]
    CalendarFeed.issue(buyer, "Agenda")

    def first(rows: Any) -> str:
        found = rows.order_by("pk").values_list("pk", flat=True).first()
        return str(found) if found is not None else "0"

    attachment = Attachment.objects.filter(ticket__contract=contract).order_by("pk").first()
    measure_file = MeasureFile.objects.filter(measure__contract=contract).order_by("pk").first()
    order_file = OrderFile.objects.filter(order__contract=contract).order_by("pk").first()
    found = {
        "notice": first(OutboxMessage.objects.filter(to=buyer.email)),
        "feed": first(CalendarFeed.objects.filter(user=buyer)),
        "revision": first(PriceRevision.objects.filter(base__contract=contract)),
        "measure": (str(measure_file.measure_id) if measure_file
                    else first(ManualMeasure.objects.filter(contract=contract))),
        "file_id": str(measure_file.pk) if measure_file else "0",
        "attachment_id": "0", "order_file": "0",
    }
    if attachment is not None:
        found.update(attachment_id=str(attachment.pk), ticket_id=str(attachment.ticket_id))
    if order_file is not None:
        found.update(order_file=str(order_file.pk), number=str(order_file.order.number))
    found["ticket"] = found.get("ticket_id", "")
    return found
