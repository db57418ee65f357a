"""The ticket's workflow table: its states, and every action on a ticket said once.

Each :class:`Step` names the role it needs, the states it may start from, the event it records,
the domain method of :class:`~jalon.tickets.models.Ticket` that performs it and the typed input
that method takes. The domain method checks role and state from this table; the ticket page's
actions (``jalon.web.tickets.actions``) and the API's transitions (``jalon.api.tickets``) are
generated from it. A new action is a new row here, a domain method, and (for the page) a form.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts.access import Need
from jalon.accounts.models import HOLDER_ROLES
from jalon.commitments.workflow import Choice, Described, Member, StepInput, Text
from jalon.tickets.events import EventKind

if TYPE_CHECKING:
    from jalon.tickets.models import Ticket


class TicketState(models.TextChoices):
    NEW = "new", _lazy("Nouveau")
    QUALIFYING = "qualifying", _lazy("En qualification")
    ASSIGNED = "assigned", _lazy("Affecté")
    IN_PROGRESS = "in_progress", _lazy("En cours")
    DIAGNOSED = "diagnosed", _lazy("Diagnostic rendu")
    WAITING = "waiting", _lazy("En attente")
    RESOLVED = "resolved", _lazy("Résolu")
    CLOSED = "closed", _lazy("Clos")
    CANCELLED = "cancelled", _lazy("Annulé")


class Criticality(models.TextChoices):
    BLOQUANT = "bloquant", _lazy("Bloquant")
    MAJEUR = "majeur", _lazy("Majeur")
    MINEUR = "mineur", _lazy("Mineur")


class ResolutionKind(models.TextChoices):
    DEFINITIVE = "definitive", _lazy("Définitive")
    WORKAROUND = "workaround", _lazy("Contournement")


class WaitReason(models.TextChoices):
    REQUESTER = "requester", _lazy("En attente du demandeur")
    THIRD_PARTY = "third_party", _lazy("En attente d’un tiers")
    PURCHASE_ORDER = "purchase_order", _lazy("En attente du bon de commande")


class Channel(models.TextChoices):
    """Where a request came from (the origin conventions select on: LADE's ``origine``)."""

    PORTAL = "portal", _lazy("Portail")
    PHONE = "phone", _lazy("Téléphone")
    MAIL = "mail", _lazy("Courriel")
    SUPERVISION = "supervision", _lazy("Supervision")
    SOC = "soc", _lazy("SOC")


class Proposal(models.TextChoices):
    """What the holder's diagnosis of an anomaly proposes (seed 000 §7.2.3)."""

    DEFINITIVE = "definitive", _lazy("Correction définitive")
    WORKAROUND = "workaround", _lazy("Solution de contournement")
    EVOLUTION = "evolution", _lazy("Évolution")


class SupportLevel(models.TextChoices):
    N1 = "N1", _lazy("Niveau 1")
    N2 = "N2", _lazy("Niveau 2")
    N3 = "N3", _lazy("Niveau 3")


S = TicketState
ACTIVE_STATES = (S.QUALIFYING, S.ASSIGNED, S.IN_PROGRESS, S.DIAGNOSED, S.WAITING)
ANY_STATE: tuple[TicketState, ...] = tuple(TicketState)
DONE_STATES = (S.RESOLVED, S.CLOSED, S.CANCELLED)
"""No longer pending: resolved, closed, or cancelled (never counted in a backlog)."""
HOLDER_WORK_STATES = (S.IN_PROGRESS, S.DIAGNOSED)
"""Taken in charge by the holder (``start``), before any wait or resolution."""


# -- inputs ----------------------------------------------------------------------------------
# Each step's input is a dataclass of its domain method's keyword arguments. What a field means
# beyond its type is said once with ``Annotated``: the API's schema and the checks read it.

NOTE = Text(2000, "Note portée à l’historique.")
BODY = Text(20000)
ASSIGNEE = Member("Identifiant de l’intervenant, de l’équipe du titulaire sur le marché.",
                  api_name="assignee", roles=HOLDER_ROLES)
GROUP = Text(120, "Groupe affecté.")


@dataclasses.dataclass(frozen=True, kw_only=True)
class QualifyInput(StepInput):
    """Type, urgency × impact (→ priority), *criticité*: the buyer side's call."""

    type: Annotated[str, Text(60)] = ""
    urgency: Annotated[str, Text(40)] = ""
    impact: Annotated[str, Text(40)] = ""
    priority: Annotated[str, Text(40, "Sans matrice urgence × impact.")] = ""
    criticality: Annotated[str, Choice(Criticality)] = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class AssignInput(StepInput):
    group: Annotated[str, GROUP] = ""
    person: Annotated[User | None, ASSIGNEE] = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class EscalateInput(StepInput):
    level: Annotated[str, Choice(SupportLevel)]
    group: Annotated[str, GROUP] = ""
    person: Annotated[User | None, ASSIGNEE] = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoInput(StepInput):
    """A step without input (start the work)."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class WaitInput(StepInput):
    reason: Annotated[str, Choice(WaitReason)]
    note: Annotated[str, NOTE] = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoteInput(StepInput):
    note: Annotated[str, NOTE] = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ResolveInput(StepInput):
    kind: Annotated[str, Choice(ResolutionKind)]
    note: Annotated[str, NOTE] = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeliverFixInput(StepInput):
    """The definitive fix that follows a workaround (seed 000 §7.3.2), as delivered."""

    note: Annotated[str, Text(2000, "La correction livrée : version, bon de commande, procédure.")]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReopenInput(StepInput):
    reason: Annotated[str, Text(2000, "Pourquoi le ticket est rouvert.")]


@dataclasses.dataclass(frozen=True, kw_only=True)
class DiagnosisInput(StepInput):
    """The diagnosis of an anomaly (seed 000 §7.2.3): what is wrong, its impact and criticality
    as the holder assesses them (the buyer's *criticité* stays the buyer's), the estimated
    effort, and the proposal."""

    diagnosis: Annotated[str, Text(20000, "Diagnostic et cause.")]
    impact: Annotated[str, Text(2000, "Impact constaté.")]
    criticality: Annotated[str, Choice(Criticality, description="Criticité évaluée par le titulaire.")]
    estimate: Annotated[str, Text(200, "Charge estimée (par exemple « 3 jours »).")]
    proposal: Annotated[str, Choice(Proposal)]


@dataclasses.dataclass(frozen=True, kw_only=True)
class InformInput(StepInput):
    """The follow-up shared with the buyer's crisis cell (CD13's information delay, D-CD13-30)."""

    message: Annotated[str, Text(4000, "Point de suivi partagé avec l’acheteur : situation, "
                                       "actions en cours, prochaine étape.")]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConfirmInput(StepInput):
    """A one-off intervention's feasibility confirmed with its lead time (seed 000 §7.4.3)."""

    lead_time_days: Annotated[int, Described("Délai de réalisation proposé, en jours ouvrés.",
                                             minimum=1, maximum=365)]
    note: Annotated[str, NOTE] = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class CancelInput(StepInput):
    reason: Annotated[str, Text(2000, "Pourquoi le ticket est annulé.")]


@dataclasses.dataclass(frozen=True, kw_only=True)
class PhoneCallInput(StepInput):
    """The urgent channel's phone call (ticket + call, both traced)."""

    called_at: Annotated[datetime, Described("Instant de l’appel.")]
    note: Annotated[str, NOTE] = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class CommentInput(StepInput):
    body: Annotated[str, BODY]
    internal: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class AttachmentInput(StepInput):
    file: UploadedFile
    internal: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class TimeInput(StepInput):
    minutes: Annotated[int, Described("Durée en minutes.", minimum=1, maximum=24 * 60)]
    spent_on: Annotated[date, Described("Jour du travail.")]
    note: Annotated[str, Text(250)] = ""
    charged_to_forfait: bool = True


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReportInput(StepInput):
    """The intervention report (seed 000 §7.3.3, annex A.3)."""

    context: Annotated[str, BODY]
    diagnosis: Annotated[str, BODY]
    tests: Annotated[str, BODY]
    solution: Annotated[str, BODY]
    status: Annotated[str, Choice(ResolutionKind)]
    recommendations: Annotated[str, BODY] = ""


# -- the table -------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Step:
    name: str
    """The action's name in the API (``"qualify"``)."""
    slug: str
    """Its path segment on the ticket page (``"qualifier"``)."""
    label: str | Promise
    need: Need
    states: tuple[TicketState, ...]
    """The states it may start from."""
    event: EventKind
    method: str
    """The :class:`~jalon.tickets.models.Ticket` method called as ``method(actor, **input)``."""
    input: type[StepInput]
    moves: bool
    """A transition (may change the state), or a record kept on the ticket (comment, time…)."""
    in_api: bool = True
    """Offered by ``POST /tickets/{id}/transitions`` (a comment has its own endpoint, a file
    none yet)."""
    check: str = ""
    """A :class:`~jalon.tickets.models.Ticket` method ``check(actor)`` that refuses the step to
    some people beyond role and state (a requester cancels only their own new request): the
    domain method runs it, and the page offers the step only to whom it passes."""

    def allows(self, state: str) -> bool:
        return state in self.states

    def run(self, ticket: Ticket, actor: User, given: StepInput) -> Any:
        """Perform this step on ``ticket`` through its domain method."""
        return getattr(ticket, self.method)(actor, **given.arguments())


_ALL_STEPS = (
    Step("qualify", "qualifier", _lazy("Qualifier"), Need.QUALIFY, (S.NEW, *ACTIVE_STATES),
         EventKind.QUALIFIED, "qualify", QualifyInput, moves=True),
    Step("assign", "affecter", _lazy("Affecter"), Need.ASSIGN, ACTIVE_STATES,
         EventKind.ASSIGNED, "assign", AssignInput, moves=True),
    Step("escalate", "escalader", _lazy("Escalader"), Need.ESCALATE, (S.ASSIGNED, *HOLDER_WORK_STATES, S.WAITING),
         EventKind.ESCALATED, "escalate", EscalateInput, moves=True),
    Step("start", "demarrer", _lazy("Commencer le traitement"), Need.WORK, (S.ASSIGNED,),
         EventKind.WORK_STARTED, "start_work", NoInput, moves=True),
    Step("confirm", "confirmer", _lazy("Confirmer la faisabilité et le délai"), Need.WORK,
         (S.ASSIGNED, *HOLDER_WORK_STATES), EventKind.CONFIRMED, "confirm_feasibility", ConfirmInput, moves=True),
    Step("diagnose", "diagnostic", _lazy("Rendre le diagnostic"), Need.WORK, HOLDER_WORK_STATES,
         EventKind.DIAGNOSED, "deliver_diagnosis", DiagnosisInput, moves=True),
    Step("inform", "informer", _lazy("Informer l’acheteur du suivi"), Need.WORK,
         (S.ASSIGNED, *HOLDER_WORK_STATES, S.WAITING), EventKind.INFORMED, "inform", InformInput, moves=False),
    Step("wait", "attente", _lazy("Mettre en attente"), Need.WORK, (S.ASSIGNED, *HOLDER_WORK_STATES),
         EventKind.WAITING, "wait", WaitInput, moves=True),
    Step("resume", "reprise", _lazy("Reprendre le traitement"), Need.WORK, (S.WAITING,),
         EventKind.RESUMED, "resume", NoteInput, moves=True),
    Step("resolve", "resoudre", _lazy("Résoudre"), Need.RESOLVE, ACTIVE_STATES,
         EventKind.RESOLVED, "resolve", ResolveInput, moves=True),
    # After a workaround the definitive fix is still owed (Ticket.fix_owed_since): delivering it
    # is the holder's act, resolved, closed or reopened since (D-120).
    Step("deliver_fix", "correction-definitive", _lazy("Livrer la correction définitive"), Need.RESOLVE,
         (*ACTIVE_STATES, S.RESOLVED, S.CLOSED), EventKind.FIX_DELIVERED, "deliver_fix", DeliverFixInput,
         moves=False, check="_check_fix_owed"),
    Step("close", "clore", _lazy("Clore"), Need.CLOSE, (S.RESOLVED,),
         EventKind.CLOSED, "close", NoteInput, moves=True, check="_check_own_request"),
    Step("reopen", "rouvrir", _lazy("Rouvrir"), Need.REOPEN, (S.RESOLVED, S.CLOSED),
         EventKind.REOPENED, "reopen", ReopenInput, moves=True, check="_check_own_request"),
    Step("cancel", "annuler", _lazy("Annuler"), Need.CANCEL, (S.NEW, *ACTIVE_STATES),
         EventKind.CANCELLED, "cancel", CancelInput, moves=True, check="_check_may_cancel"),
    Step("comment", "commenter", _lazy("Commenter"), Need.COMMENT, ANY_STATE,
         EventKind.COMMENTED, "add_comment", CommentInput, moves=False, in_api=False),
    Step("attach", "joindre", _lazy("Joindre un fichier"), Need.COMMENT, ANY_STATE,
         EventKind.ATTACHMENT_ADDED, "add_attachment", AttachmentInput, moves=False, in_api=False),
    Step("log_time", "temps", _lazy("Saisir du temps passé"), Need.LOG_TIME, ANY_STATE,
         EventKind.TIME_LOGGED, "log_time", TimeInput, moves=False),
    Step("phone_call", "appel", _lazy("Tracer un appel téléphonique"), Need.OPEN, ANY_STATE,
         EventKind.PHONE_CALL, "log_phone_call", PhoneCallInput, moves=False,
         check="_check_own_request"),
    Step("write_report", "rapport", _lazy("Rapport d’intervention"), Need.WRITE_REPORT, ANY_STATE,
         EventKind.REPORT_WRITTEN, "write_intervention_report", ReportInput, moves=False),
)

STEPS: dict[str, Step] = {step.name: step for step in _ALL_STEPS}
"""Every action on a ticket, by its API name, in the order the ticket page shows them."""


def step(name: str) -> Step:
    return STEPS[name]
