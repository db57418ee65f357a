"""What each kind of ticket event records: one typed payload per :class:`EventKind`.

A domain method builds the payload as a dataclass and the event stores it as JSON; readers (the
timeline, notices, exports) get it back typed with :meth:`TicketEvent.data`, never by reading
keys of a dict. A payload written by an older version lacks the fields added since: they take
their default.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any, ClassVar, Self

from django.db import models
from django.utils.translation import gettext_lazy as _lazy

from jalon.commitments.payloads import Payload, field_types

__all__ = ["PAYLOADS", "EventData", "EventKind", "field_types", "read"]


class EventKind(models.TextChoices):
    OPENED = "opened", _lazy("Ouverture")
    QUALIFIED = "qualified", _lazy("Qualification")
    ASSIGNED = "assigned", _lazy("Affectation")
    ESCALATED = "escalated", _lazy("Escalade")
    WORK_STARTED = "work_started", _lazy("Début du traitement")
    WAITING = "waiting", _lazy("Mise en attente")
    RESUMED = "resumed", _lazy("Reprise")
    CONFIRMED = "confirmed", _lazy("Faisabilité confirmée")
    DIAGNOSED = "diagnosed", _lazy("Diagnostic rendu")
    CANCELLED = "cancelled", _lazy("Annulation")
    RESOLVED = "resolved", _lazy("Résolution")
    CLOSED = "closed", _lazy("Clôture")
    REOPENED = "reopened", _lazy("Réouverture")
    COMMENTED = "commented", _lazy("Commentaire")
    ATTACHMENT_ADDED = "attachment_added", _lazy("Pièce jointe")
    PHONE_CALL = "phone_call", _lazy("Appel téléphonique")
    TIME_LOGGED = "time_logged", _lazy("Temps passé")
    TIME_CORRECTED = "time_corrected", _lazy("Temps passé corrigé")
    REPORT_WRITTEN = "report_written", _lazy("Rapport d’intervention")
    EDITED = "edited", _lazy("Modification")
    INFORMED = "informed", _lazy("Point de suivi partagé")
    COMMENT_EDITED = "comment_edited", _lazy("Commentaire modifié")
    FIX_DELIVERED = "fix_delivered", _lazy("Correction définitive livrée")


@dataclasses.dataclass(frozen=True)
class EventData(Payload):
    """The payload of one ticket event kind (:class:`~jalon.commitments.payloads.Payload`: dates
    and datetimes read back; ``omit_when_none`` says which fields are left out when None, as an
    opening's requester is written only when it is not the author)."""

    kind: ClassVar[EventKind]


@dataclasses.dataclass(frozen=True)
class Opened(EventData):
    kind = EventKind.OPENED
    omit_when_none = ("requester",)
    type: str = ""
    title: str = ""
    urgency: str = ""
    impact: str = ""
    priority: str = ""
    is_urgent: bool = False
    requester: int | None = None
    """The requester's id when someone else declared the request on their behalf."""


@dataclasses.dataclass(frozen=True)
class Qualified(EventData):
    kind = EventKind.QUALIFIED
    type: str = ""
    urgency: str = ""
    impact: str = ""
    priority: str = ""
    criticality: str = ""


@dataclasses.dataclass(frozen=True)
class Assigned(EventData):
    kind = EventKind.ASSIGNED
    group: str = ""
    assignee: int | None = None


@dataclasses.dataclass(frozen=True)
class Escalated(EventData):
    kind = EventKind.ESCALATED
    from_level: str = ""
    level: str = ""
    group: str = ""
    assignee: int | None = None


@dataclasses.dataclass(frozen=True)
class WorkStarted(EventData):
    kind = EventKind.WORK_STARTED
    assignee: int | None = None


@dataclasses.dataclass(frozen=True)
class Waiting(EventData):
    kind = EventKind.WAITING
    reason: str = ""
    """An older wait recorded without its reason is the requester's (``clocks.transitions``)."""
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Resumed(EventData):
    kind = EventKind.RESUMED
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Closed(EventData):
    kind = EventKind.CLOSED
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Resolved(EventData):
    kind = EventKind.RESOLVED
    resolution: str = ""
    note: str = ""

    # Stored as "kind" (the name the first version gave it); "kind" is the class's event kind.
    def as_json(self) -> dict[str, Any]:
        return {"kind": self.resolution, "note": self.note}

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Self:
        return cls(resolution=stored.get("kind", ""), note=stored.get("note", ""))


@dataclasses.dataclass(frozen=True)
class Confirmed(EventData):
    kind = EventKind.CONFIRMED
    lead_time_days: int = 0
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Informed(EventData):
    """The holder shares the follow-up of an incident with the buyer (CD13's information delay,
    seed 003 L1801-1803, L1816: "le suivi de traitement doit être partagé … vis-à-vis de la
    taskforce")."""

    kind = EventKind.INFORMED
    message: str = ""


@dataclasses.dataclass(frozen=True)
class Diagnosed(EventData):
    kind = EventKind.DIAGNOSED
    diagnosis: str = ""
    impact: str = ""
    criticality: str = ""
    estimate: str = ""
    proposal: str = ""


@dataclasses.dataclass(frozen=True)
class Cancelled(EventData):
    kind = EventKind.CANCELLED
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class Reopened(EventData):
    kind = EventKind.REOPENED
    reason: str = ""
    reopen_count: int = 0


@dataclasses.dataclass(frozen=True)
class Commented(EventData):
    kind = EventKind.COMMENTED
    comment: int | None = None
    body: str = ""
    body_sha256: str = ""


@dataclasses.dataclass(frozen=True)
class CommentEdited(EventData):
    kind = EventKind.COMMENT_EDITED
    comment: int | None = None
    before: str = ""
    body: str = ""
    body_sha256: str = ""


@dataclasses.dataclass(frozen=True)
class AttachmentAdded(EventData):
    kind = EventKind.ATTACHMENT_ADDED
    attachment: int | None = None
    name: str = ""
    size: int = 0
    sha256: str = ""


@dataclasses.dataclass(frozen=True)
class PhoneCall(EventData):
    kind = EventKind.PHONE_CALL
    called_at: datetime | None = None
    note: str = ""


@dataclasses.dataclass(frozen=True)
class TimeLogged(EventData):
    kind = EventKind.TIME_LOGGED
    entry: int | None = None
    minutes: int = 0
    spent_on: date | None = None
    forfait: bool = True


@dataclasses.dataclass(frozen=True)
class TimeCorrected(EventData):
    """A time entry corrected by a reversal and, unless the time is now 0, a replacement."""

    kind = EventKind.TIME_CORRECTED
    entry: int | None = None
    reversal: int | None = None
    replacement: int | None = None
    minutes: int = 0
    spent_on: date | None = None
    reason: str = ""
    forfait: bool = True


@dataclasses.dataclass(frozen=True)
class ReportWritten(EventData):
    kind = EventKind.REPORT_WRITTEN
    context: str = ""
    diagnosis: str = ""
    tests: str = ""
    solution: str = ""
    status: str = ""
    recommendations: str = ""


@dataclasses.dataclass(frozen=True)
class Edited(EventData):
    kind = EventKind.EDITED
    before: dict[str, str] = dataclasses.field(default_factory=dict)
    after: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class FixDelivered(EventData):
    """The definitive fix owed since a workaround, delivered (seed 000 §7.3.2)."""

    kind = EventKind.FIX_DELIVERED
    note: str = ""
    owed_since: datetime | None = None


PAYLOADS: dict[EventKind, type[EventData]] = {cls.kind: cls for cls in (
    Opened, Qualified, Assigned, Escalated, WorkStarted, Waiting, Resumed, Resolved, Closed,
    Confirmed, Diagnosed, Cancelled, Reopened, Commented, AttachmentAdded, PhoneCall, TimeLogged,
    TimeCorrected, ReportWritten, Edited, Informed, CommentEdited, FixDelivered)}


def read(kind: str, stored: dict[str, Any] | None) -> EventData:
    """The typed payload of an event of ``kind`` stored as ``stored``."""
    return PAYLOADS[EventKind(kind)].of(stored or {})
