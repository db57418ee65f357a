"""What each kind of order event records: one typed payload per :class:`EventKind`.

A domain method of :class:`~jalon.orders.models.Order` builds the payload as a dataclass and the
event stores it as JSON (append-only); readers get it back typed with ``OrderEvent.data``.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Self

from django.db import models
from django.utils.translation import gettext_lazy as _lazy


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


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclasses.dataclass(frozen=True)
class EventData:
    kind: ClassVar[EventKind]

    def as_json(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Self:
        """The payload from its stored JSON; unknown keys ignored, missing ones defaulted."""
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            if field.name not in stored:
                continue
            value = stored[field.name]
            kind = str(field.type)
            if "date" in kind and "datetime" not in kind and isinstance(value, str):
                value = date.fromisoformat(value)
            elif "datetime" in kind and isinstance(value, str):
                value = datetime.fromisoformat(value)
            elif "Decimal" in kind and isinstance(value, str):
                value = Decimal(value)
            values[field.name] = value
        return cls(**values)


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
