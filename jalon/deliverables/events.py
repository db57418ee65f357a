"""What each kind of deliverable event records: one typed payload per :class:`EventKind`.

A domain method builds the payload as a dataclass; the event stores it as JSON and readers get
it back typed with :meth:`DeliverableEvent.data`.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _lazy

from jalon.commitments.payloads import Payload


class EventKind(models.TextChoices):
    EXPECTED = "expected", _lazy("Livrable attendu")
    SUBMITTED = "submitted", _lazy("Version remise")
    ACCEPTED = "accepted", _lazy("Accepté")
    RESERVED = "reserved", _lazy("Accepté avec réserves")
    REJECTED = "rejected", _lazy("Refusé")
    TACITLY_VALIDATED = "tacitly_validated", _lazy("Validé tacitement")
    RESERVATION_LIFTED = "reservation_lifted", _lazy("Réserve levée")


@dataclasses.dataclass(frozen=True)
class EventData(Payload):
    """The payload of one deliverable event kind: dates are read back."""

    kind: ClassVar[EventKind]
    read_back: ClassVar[tuple[type, ...]] = (date,)


@dataclasses.dataclass(frozen=True)
class Expected(EventData):
    kind = EventKind.EXPECTED
    due_on: date | None = None
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Submitted(EventData):
    kind = EventKind.SUBMITTED
    version: int = 0
    file_name: str = ""
    sha256: str = ""
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Accepted(EventData):
    kind = EventKind.ACCEPTED
    version: int = 0
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Reserved(EventData):
    kind = EventKind.RESERVED
    version: int = 0
    reservations: list[str] = dataclasses.field(default_factory=list)
    lift_by: date | None = None


@dataclasses.dataclass(frozen=True)
class Rejected(EventData):
    kind = EventKind.REJECTED
    version: int = 0
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class TacitlyValidated(EventData):
    kind = EventKind.TACITLY_VALIDATED
    version: int = 0


@dataclasses.dataclass(frozen=True)
class ReservationLifted(EventData):
    kind = EventKind.RESERVATION_LIFTED
    number: int = 0
    note: str = ""


PAYLOADS: dict[str, type[EventData]] = {
    cls.kind: cls for cls in (Expected, Submitted, Accepted, Reserved, Rejected, TacitlyValidated,
                              ReservationLifted)}


def read(kind: str, stored: dict[str, Any]) -> EventData:
    return PAYLOADS[kind].of(stored)
