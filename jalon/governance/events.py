"""What each kind of meeting event records: one typed payload per :class:`EventKind`.

A domain method of :class:`~jalon.governance.models.Meeting` builds the payload and the event
stores it as JSON; readers get it back typed with :meth:`MeetingEvent.data`.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _lazy

from jalon.commitments.payloads import Payload


class EventKind(models.TextChoices):
    SCHEDULED = "scheduled", _lazy("Planification")
    MOVED = "moved", _lazy("Report")
    CANCELLED = "cancelled", _lazy("Annulation")
    AGENDA_SENT = "agenda_sent", _lazy("Envoi de l’ordre du jour")
    ATTENDANCE = "attendance", _lazy("Présences")
    MINUTES_DRAFTED = "minutes_drafted", _lazy("Rédaction du relevé de décisions")
    MINUTES_SENT = "minutes_sent", _lazy("Envoi du relevé de décisions")
    REMARKS = "remarks", _lazy("Remarques sur le relevé")
    VALIDATED = "validated", _lazy("Validation explicite du relevé")
    TACITLY_VALIDATED = "tacitly_validated", _lazy("Validation tacite du relevé")
    ARCHIVED = "archived", _lazy("Archivage du relevé")


@dataclasses.dataclass(frozen=True)
class EventData(Payload):
    """The payload of one meeting event kind: datetimes are read back, anything else is left as
    JSON holds it (a list of names stays a list)."""

    kind: ClassVar[EventKind]
    read_back: ClassVar[tuple[type, ...]] = (datetime,)


@dataclasses.dataclass(frozen=True)
class Scheduled(EventData):
    kind: ClassVar[EventKind] = EventKind.SCHEDULED
    starts_at: datetime | None = None


@dataclasses.dataclass(frozen=True)
class Moved(EventData):
    kind: ClassVar[EventKind] = EventKind.MOVED
    previous: datetime | None = None
    starts_at: datetime | None = None
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class Cancelled(EventData):
    kind: ClassVar[EventKind] = EventKind.CANCELLED
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class AgendaSent(EventData):
    kind: ClassVar[EventKind] = EventKind.AGENDA_SENT
    agenda: str = ""


@dataclasses.dataclass(frozen=True)
class Attendance(EventData):
    kind: ClassVar[EventKind] = EventKind.ATTENDANCE
    present: tuple[str, ...] = ()
    excused: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class MinutesDrafted(EventData):
    kind: ClassVar[EventKind] = EventKind.MINUTES_DRAFTED
    length: int = 0


@dataclasses.dataclass(frozen=True)
class MinutesSent(EventData):
    kind: ClassVar[EventKind] = EventKind.MINUTES_SENT
    sending: int = 1
    """1 for the first sending, 2 after a first round of remarks…"""


@dataclasses.dataclass(frozen=True)
class Remarks(EventData):
    kind: ClassVar[EventKind] = EventKind.REMARKS
    remarks: str = ""


@dataclasses.dataclass(frozen=True)
class Validated(EventData):
    kind: ClassVar[EventKind] = EventKind.VALIDATED
    note: str = ""


@dataclasses.dataclass(frozen=True)
class TacitlyValidated(EventData):
    kind: ClassVar[EventKind] = EventKind.TACITLY_VALIDATED
    deadline: datetime | None = None
    """The tacit-validation deadline that passed without remarks."""


@dataclasses.dataclass(frozen=True)
class Archived(EventData):
    kind: ClassVar[EventKind] = EventKind.ARCHIVED
    note: str = ""


PAYLOADS: dict[str, type[EventData]] = {
    cls.kind.value: cls for cls in (Scheduled, Moved, Cancelled, AgendaSent, Attendance, MinutesDrafted,
                                    MinutesSent, Remarks, Validated, TacitlyValidated, Archived)}
