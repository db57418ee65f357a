"""``POST /tickets/{id}/transitions``: one strict schema per action, told apart by ``action``.

Each schema knows the role it needs (checked before anything else, so that a role too weak gets
a 403 whatever the parameters) and the one domain method it calls.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Annotated, Any, ClassVar, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import AwareDatetime, Field

from jalon.accounts.access import Need
from jalon.api.errors import TAGGED_BODIES
from jalon.api.schemas import WriteSchema
from jalon.contracts.models import Contract
from jalon.tickets.models import (
    Criticality,
    ResolutionKind,
    SupportLevel,
    Ticket,
    TicketEvent,
    WaitReason,
)

Note = Annotated[str, Field(max_length=2000, description="Note portée à l’historique.")]
Group = Annotated[str, Field(max_length=120, description="Groupe affecté.")]
Assignee = Annotated[str | None, Field(description="Identifiant de l’intervenant ; "
                                                         "il doit avoir un rôle sur le marché.")]


class Transition(WriteSchema):
    need: ClassVar[Need]

    @abstractmethod
    def apply(self, ticket: Ticket, actor: Any) -> TicketEvent:
        """Call the one domain method of this action."""


class Qualify(Transition):
    """Type, urgency × impact (→ priority), *criticité*: the buyer side's call."""

    need = Need.QUALIFY
    action: Literal["qualify"]
    type: str = Field("", max_length=60)
    urgency: str = Field("", max_length=40)
    impact: str = Field("", max_length=40)
    priority: str = Field("", max_length=40, description="Sans matrice urgence × impact.")
    criticality: Criticality | None = None

    def apply(self, ticket: Ticket, actor: Any) -> TicketEvent:
        return ticket.qualify(actor, type=self.type, urgency=self.urgency, impact=self.impact,
                              priority=self.priority, criticality=self.criticality or "")


class Assign(Transition):
    need = Need.ASSIGN
    action: Literal["assign"]
    group: Group = ""
    assignee: Assignee = None

    def apply(self, ticket: Ticket, actor: Any) -> TicketEvent:
        return ticket.assign(actor, group=self.group,
                             person=member(ticket.contract, self.assignee, "assignee"))


class Escalate(Transition):
    need = Need.ESCALATE
    action: Literal["escalate"]
    level: SupportLevel
    group: Group = ""
    assignee: Assignee = None

    def apply(self, ticket: Ticket, actor: Any) -> TicketEvent:
        return ticket.escalate(actor, level=self.level, group=self.group,
                               person=member(ticket.contract, self.assignee, "assignee"))


class Start(Transition):
    need = Need.WORK
    action: Literal["start"]

    def apply(self, ticket: Ticket, actor: Any) -> TicketEvent:
        return ticket.start_work(actor)


class Wait(Transition):
    need = Need.WORK
    action: Literal["wait"]
    reason: WaitReason
    note: Note = ""

    def apply(self, ticket: Ticket, actor: Any) -> TicketEvent:
        return ticket.wait(actor, self.reason, self.note)


class Resume(Transition):
    need = Need.WORK
    action: Literal["resume"]
    note: Note = ""

    def apply(self, ticket: Ticket, actor: Any) -> TicketEvent:
        return ticket.resume(actor, self.note)


class Resolve(Transition):
    need = Need.RESOLVE
    action: Literal["resolve"]
    kind: ResolutionKind
    note: Note = ""

    def apply(self, ticket: Ticket, actor: Any) -> TicketEvent:
        return ticket.resolve(actor, self.kind, self.note)


class Close(Transition):
    need = Need.CLOSE
    action: Literal["close"]
    note: Note = ""

    def apply(self, ticket: Ticket, actor: Any) -> TicketEvent:
        return ticket.close(actor, self.note)


class Reopen(Transition):
    need = Need.REOPEN
    action: Literal["reopen"]
    reason: str = Field(max_length=2000, description="Pourquoi le ticket est rouvert.")

    def apply(self, ticket: Ticket, actor: Any) -> TicketEvent:
        return ticket.reopen(actor, self.reason)


class PhoneCall(Transition):
    """The urgent channel's phone call (ticket + call, both traced)."""

    need = Need.OPEN
    action: Literal["phone_call"]
    called_at: AwareDatetime
    note: Note = ""

    def apply(self, ticket: Ticket, actor: Any) -> TicketEvent:
        return ticket.log_phone_call(actor, self.called_at, self.note)


AnyTransition = Annotated[
    Qualify | Assign | Escalate | Start | Wait | Resume | Resolve | Close | Reopen | PhoneCall,
    Field(discriminator="action"),
]
ACTIONS = ("qualify", "assign", "escalate", "start", "wait", "resume", "resolve", "close",
           "reopen", "phone_call")
TAGGED_BODIES["transition"] = frozenset(ACTIONS)


def member(contract: Contract, username: str | None, field: str) -> Any:
    """The person called ``username`` if they have a role on ``contract``; None for None."""
    if username is None:
        return None
    person = get_user_model().objects.filter(
        username=username, memberships__contract=contract, is_active=True).distinct().first()
    if person is None:
        # The same answer whether the username exists or not: no probing of other contracts.
        raise ValidationError({field: [_("« %(who)s » n’a pas de rôle sur ce marché.")
                                      % {"who": username}]})
    return person
