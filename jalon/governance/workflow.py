"""The meeting's workflow table: its states, its minutes' states, and every action said once.

Each :class:`Step` names the need it requires, the meeting and minutes states it may start from,
the event it records, the domain method of :class:`~jalon.governance.models.Meeting` and its
typed input. The domain method checks need and state from this table; the meeting page's
actions and the API's transitions are generated from it.

Minutes (*relevé de décisions*) go drafted → sent (a clock from the meeting) → remarks →
validated explicitly, or **validated tacitly** when the tacit-validation deadline passes without
remarks (a distinct state, never shown as an approval; the periodic job and the clock scan apply
it) → archived.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from django.contrib.auth.models import User
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts.access import Need
from jalon.commitments.workflow import Described, StepInput, Text
from jalon.governance.events import EventKind

if TYPE_CHECKING:
    from jalon.governance.models import Meeting


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", _lazy("Planifiée")
    HELD = "held", _lazy("Tenue")
    CANCELLED = "cancelled", _lazy("Annulée")


class MinutesState(models.TextChoices):
    NONE = "", _lazy("Aucun relevé")
    DRAFTED = "drafted", _lazy("En rédaction")
    SENT = "sent", _lazy("Envoyé")
    REMARKS = "remarks", _lazy("Remarques reçues")
    VALIDATED = "validated", _lazy("Validé")
    TACITLY_VALIDATED = "tacitly_validated", _lazy("Validé tacitement")
    ARCHIVED = "archived", _lazy("Archivé")


class ActionStatus(models.TextChoices):
    OPEN = "open", _lazy("En cours")
    DONE = "done", _lazy("Réalisée")
    CANCELLED = "cancelled", _lazy("Abandonnée")


class ActionDomain(models.TextChoices):
    QUALITY = "quality", _lazy("Qualité")
    SECURITY = "security", _lazy("Sécurité")


class RiskStatus(models.TextChoices):
    OPEN = "open", _lazy("Ouvert")
    MITIGATED = "mitigated", _lazy("Maîtrisé")
    CLOSED = "closed", _lazy("Clos")


class RiskKind(models.TextChoices):
    RISK = "risk", _lazy("Risque")
    ATTENTION = "attention", _lazy("Point d’attention")


class EscalationKind(models.TextChoices):
    ALERT = "alert", _lazy("Alerte")
    DISAGREEMENT = "disagreement", _lazy("Désaccord")


class SubjectKind(models.TextChoices):
    """What a decision is about: a record of another app, named by kind and reference (orders
    and deliverables are other record apps, which this one does not import)."""

    NONE = "", _lazy("Aucun")
    TICKET = "ticket", _lazy("Ticket")
    ORDER = "order", _lazy("Bon de commande")
    DELIVERABLE = "deliverable", _lazy("Livrable")
    ACTION = "action", _lazy("Action")
    RISK = "risk", _lazy("Risque")
    OTHER = "other", _lazy("Autre")


M = MeetingState
N = MinutesState
UPCOMING = (M.SCHEDULED,)
HELD_OR_UPCOMING = (M.SCHEDULED, M.HELD)
WRITABLE_MINUTES = (N.NONE, N.DRAFTED, N.REMARKS)
UNDER_REVIEW = (N.SENT, N.REMARKS)
VALIDATED_STATES = (N.VALIDATED, N.TACITLY_VALIDATED, N.ARCHIVED)


@dataclasses.dataclass(frozen=True, kw_only=True)
class MoveInput(StepInput):
    starts_at: Annotated[datetime, Described("Nouvelle date et heure de la réunion.")]
    reason: Annotated[str, Text(2000, "Motif du report.")]


@dataclasses.dataclass(frozen=True, kw_only=True)
class CancelInput(StepInput):
    reason: Annotated[str, Text(2000, "Motif de l’annulation.")]


@dataclasses.dataclass(frozen=True, kw_only=True)
class AgendaInput(StepInput):
    agenda: Annotated[str, Text(20000, "Ordre du jour.")]


@dataclasses.dataclass(frozen=True, kw_only=True)
class AttendanceInput(StepInput):
    present: Annotated[str, Text(4000, "Présents, un par ligne.")]
    excused: Annotated[str, Text(4000, "Excusés, un par ligne.")] = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class MinutesInput(StepInput):
    text: Annotated[str, Text(50000, "Relevé de décisions.")]


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoInput(StepInput):
    pass


@dataclasses.dataclass(frozen=True, kw_only=True)
class RemarksInput(StepInput):
    remarks: Annotated[str, Text(20000, "Remarques sur le relevé.")]


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoteInput(StepInput):
    note: Annotated[str, Text(2000, "Note portée à l’historique.")] = ""


@dataclasses.dataclass(frozen=True)
class Step:
    name: str
    """The action's name in the API (``"send_agenda"``)."""
    slug: str
    """Its path segment on the meeting page."""
    label: str | Promise
    need: Need
    states: tuple[MeetingState, ...]
    minutes: tuple[MinutesState, ...] | None
    """The minutes' states it may start from (None: any)."""
    event: EventKind
    method: str
    input: type[StepInput]

    def allows(self, meeting: Meeting) -> bool:
        return meeting.status in self.states and (self.minutes is None or meeting.minutes_state in self.minutes)

    def run(self, meeting: Meeting, actor: User, given: StepInput) -> Any:
        return getattr(meeting, self.method)(actor, **given.arguments())


_ALL_STEPS = (
    Step("send_agenda", "odj", _lazy("Envoyer l’ordre du jour"), Need.GOVERN_PREPARE, UPCOMING, None,
         EventKind.AGENDA_SENT, "send_agenda", AgendaInput),
    Step("move", "reporter", _lazy("Reporter"), Need.GOVERN_SCHEDULE, UPCOMING, None,
         EventKind.MOVED, "move", MoveInput),
    Step("cancel", "annuler", _lazy("Annuler"), Need.GOVERN_SCHEDULE, UPCOMING, None,
         EventKind.CANCELLED, "cancel", CancelInput),
    Step("record_attendance", "presences", _lazy("Saisir les présences"), Need.GOVERN_PREPARE,
         HELD_OR_UPCOMING, None, EventKind.ATTENDANCE, "record_attendance", AttendanceInput),
    Step("draft_minutes", "rediger", _lazy("Rédiger le relevé de décisions"), Need.GOVERN_PREPARE, (M.HELD,),
         WRITABLE_MINUTES, EventKind.MINUTES_DRAFTED, "draft_minutes", MinutesInput),
    Step("send_minutes", "envoyer", _lazy("Envoyer le relevé"), Need.GOVERN_PREPARE, (M.HELD,),
         (N.DRAFTED,), EventKind.MINUTES_SENT, "send_minutes", NoInput),
    Step("remark", "remarques", _lazy("Faire des remarques"), Need.GOVERN_REVIEW, (M.HELD,),
         (N.SENT,), EventKind.REMARKS, "remark", RemarksInput),
    Step("validate", "valider", _lazy("Valider le relevé"), Need.GOVERN_REVIEW, (M.HELD,),
         UNDER_REVIEW, EventKind.VALIDATED, "validate", NoteInput),
    Step("archive", "archiver", _lazy("Archiver le relevé"), Need.GOVERN_PREPARE, (M.HELD,),
         (N.VALIDATED, N.TACITLY_VALIDATED), EventKind.ARCHIVED, "archive", NoteInput),
)

STEPS: dict[str, Step] = {step.name: step for step in _ALL_STEPS}


def step(name: str) -> Step:
    return STEPS[name]
