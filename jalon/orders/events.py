"""What each kind of order event records: one typed payload per :class:`EventKind`.

A domain method of :class:`~jalon.orders.models.Order` builds the payload as a dataclass and the
event stores it as JSON (append-only); readers get it back typed with ``OrderEvent.data``.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _lazy

from jalon.commitments.payloads import Payload


class EventKind(models.TextChoices):
    REQUESTED = "requested", _lazy("Demande")
    QUOTE_REQUESTED = "quote_requested", _lazy("Devis demandé")
    QUOTED = "quoted", _lazy("Devis remis")
    SIGNED = "signed", _lazy("Commande signée")
    PERFORMED = "performed", _lazy("Prestation réalisée")
    DELIVERABLE_ADDED = "deliverable_added", _lazy("Livrable déposé")
    DELIVERED = "delivered", _lazy("Livraison")
    ADMITTED = "admitted", _lazy("Admission")
    DEFERRED = "deferred", _lazy("Ajournement")
    REJECTED = "rejected", _lazy("Rejet")
    SERVICE_DONE = "service_done", _lazy("Service fait")
    CANCELLED = "cancelled", _lazy("Annulation")
    TICKET_LINKED = "ticket_linked", _lazy("Ticket lié")


@dataclasses.dataclass(frozen=True)
class EventData(Payload):
    """The payload of one order event kind: amounts are ``Decimal``, stored as their text and
    read back, as dates and datetimes are."""

    kind: ClassVar[EventKind]
    read_back: ClassVar[tuple[type, ...]] = (date, datetime, Decimal)


@dataclasses.dataclass(frozen=True)
class Requested(EventData):
    kind = EventKind.REQUESTED
    title: str = ""
    type: str = ""
    lines: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)
    """(work unit code, quantity, unit price before tax) as ordered."""
    template: int | None = None
    ticket: int | None = None


@dataclasses.dataclass(frozen=True)
class QuoteRequested(EventData):
    kind = EventKind.QUOTE_REQUESTED
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Quoted(EventData):
    kind = EventKind.QUOTED
    execution_days: int = 0
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Signed(EventData):
    kind = EventKind.SIGNED
    commitment_number: str = ""
    execution_days: int = 0


@dataclasses.dataclass(frozen=True)
class Performed(EventData):
    kind = EventKind.PERFORMED
    note: str = ""


@dataclasses.dataclass(frozen=True)
class DeliverableAdded(EventData):
    kind = EventKind.DELIVERABLE_ADDED
    deliverable: int = 0
    name: str = ""
    sha256: str = ""


@dataclasses.dataclass(frozen=True)
class Delivered(EventData):
    kind = EventKind.DELIVERED
    deliverables: list[int] = dataclasses.field(default_factory=list)
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Admitted(EventData):
    kind = EventKind.ADMITTED
    refaction: Decimal | None = None
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class Deferred(EventData):
    kind = EventKind.DEFERRED
    new_deadline: date | None = None
    reason: str = ""
    count: int = 0


@dataclasses.dataclass(frozen=True)
class Rejected(EventData):
    kind = EventKind.REJECTED
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class ServiceDone(EventData):
    kind = EventKind.SERVICE_DONE
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Cancelled(EventData):
    kind = EventKind.CANCELLED
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class TicketLinked(EventData):
    kind = EventKind.TICKET_LINKED
    ticket: int = 0


PAYLOADS: dict[str, type[EventData]] = {
    cls.kind.value: cls for cls in (Requested, QuoteRequested, Quoted, Signed, Performed,
                                    DeliverableAdded, Delivered, Admitted, Deferred, Rejected,
                                    ServiceDone, Cancelled, TicketLinked)
}
