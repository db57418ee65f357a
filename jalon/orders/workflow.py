"""The purchase order's workflow table: its states, and every action on an order said once.

Like :mod:`jalon.tickets.workflow`: each :class:`Step` names the need it requires, the states it
may start from, the event it records, the domain method of :class:`~jalon.orders.models.Order`
that performs it and the typed input that method takes. The domain method checks need and state
from this table; the order page's actions and the API's ``POST …/orders/{number}/transitions``
are generated from it.

The life of an order (issue 13; seed 002 §6–8, seed 000 §7.4–7.7)::

    requested ─► quote_requested ─► quoted ─► signed (execution) ─► delivered ─┬► admitted ─► service_done
        │                                 ▲            ▲                       ├► deferred ─► (delivered again)
        └───────────── sign ──────────────┘            └──── deliver ──────────┘
                                                                               └► rejected
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts.access import Need
from jalon.commitments.workflow import Described, StepInput, Text
from jalon.orders.events import EventKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from jalon.orders.models import Order


class OrderState(models.TextChoices):
    REQUESTED = "requested", _lazy("Demandé")
    QUOTE_REQUESTED = "quote_requested", _lazy("Devis demandé")
    QUOTED = "quoted", _lazy("Devis remis")
    SIGNED = "signed", _lazy("Signé — en exécution")
    DELIVERED = "delivered", _lazy("Livré")
    DEFERRED = "deferred", _lazy("Ajourné")
    ADMITTED = "admitted", _lazy("Admis")
    REJECTED = "rejected", _lazy("Rejeté")
    SERVICE_DONE = "service_done", _lazy("Service fait")
    CANCELLED = "cancelled", _lazy("Annulé")


S = OrderState
ANY_STATE: tuple[OrderState, ...] = tuple(OrderState)
OPEN_STATES = (S.REQUESTED, S.QUOTE_REQUESTED, S.QUOTED, S.SIGNED, S.DELIVERED, S.DEFERRED)
"""Not yet judged: ordered or on its way, counted as ordered but not accepted on the gauge."""
COMMITTED_STATES = (S.SIGNED, S.DELIVERED, S.DEFERRED, S.ADMITTED, S.SERVICE_DONE)
"""Signed orders: what counts against the framework maximum."""
ACCEPTED_STATES = (S.ADMITTED, S.SERVICE_DONE)


NOTE = Text(2000, "Note portée à l’historique.")
REASON = Text(2000, "Motif.")


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoteInput(StepInput):
    note: Annotated[str, NOTE] = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class QuoteInput(StepInput):
    """The holder's quotation in work units and its lead-time commitment (seed 002 L4909)."""

    execution_days: Annotated[int, Described("Délai d’exécution proposé, en jours ouvrés.", 1, 400)]
    note: Annotated[str, NOTE] = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class SignInput(StepInput):
    """The order signed: its legal commitment number and the execution delay written on it
    (seed 002 L7030); 0 takes the quoted delay, else the work-unit type's default."""

    commitment_number: Annotated[str, Text(60, "Numéro d’engagement juridique.")]
    execution_days: Annotated[int, Described("Délai d’exécution porté sur le bon, en jours ouvrés "
                                             "(0 : délai du devis ou du type).", 0, 400)] = 0


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeliverableInput(StepInput):
    file: UploadedFile


@dataclasses.dataclass(frozen=True, kw_only=True)
class RefactionInput(StepInput):
    """Admission with a price reduction (réfaction): its amount before tax and its reason."""

    amount: Annotated[Decimal, Described("Montant de la réfaction, HT.")]
    reason: Annotated[str, REASON]


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeferInput(StepInput):
    """Deferral (ajournement): the deliverables are to be delivered again by a new deadline."""

    new_deadline: Annotated[date, Described("Nouvelle échéance de livraison.")]
    reason: Annotated[str, REASON]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReasonInput(StepInput):
    reason: Annotated[str, REASON]


@dataclasses.dataclass(frozen=True)
class Step:
    name: str
    slug: str
    label: str | Promise
    need: Need
    states: tuple[OrderState, ...]
    event: EventKind
    method: str
    input: type[StepInput]
    moves: bool = True
    in_api: bool = True
    check: str = ""
    """An :class:`Order` method ``check(actor)`` beyond need and state (who may order what)."""

    def allows(self, state: str) -> bool:
        return state in self.states

    def run(self, order: Order, actor: User, given: StepInput) -> Any:
        return getattr(order, self.method)(actor, **given.arguments())


_ALL_STEPS = (
    Step("request_quote", "devis", _lazy("Demander un devis"), Need.ORDER, (S.REQUESTED,),
         EventKind.QUOTE_REQUESTED, "request_quote", NoteInput, check="check_orderer"),
    Step("quote", "chiffrer", _lazy("Remettre le devis et le délai"), Need.QUOTE, (S.QUOTE_REQUESTED,),
         EventKind.QUOTED, "deliver_quote", QuoteInput),
    Step("sign", "signer", _lazy("Signer le bon de commande"), Need.ORDER, (S.REQUESTED, S.QUOTED),
         EventKind.SIGNED, "sign", SignInput, check="check_orderer"),
    Step("perform", "realisee", _lazy("Déclarer la prestation réalisée"), Need.DELIVER_ORDER,
         (S.SIGNED,), EventKind.PERFORMED, "record_performed", NoteInput, check="check_reported"),
    Step("attach", "livrable", _lazy("Déposer un livrable"), Need.DELIVER_ORDER,
         (S.SIGNED, S.DEFERRED), EventKind.DELIVERABLE_ADDED, "add_deliverable", DeliverableInput,
         moves=False, in_api=False),
    Step("deliver", "livrer", _lazy("Livrer"), Need.DELIVER_ORDER, (S.SIGNED, S.DEFERRED),
         EventKind.DELIVERED, "deliver", NoteInput),
    Step("admit", "admettre", _lazy("Prononcer l’admission"), Need.ACCEPT_ORDER, (S.DELIVERED,),
         EventKind.ADMITTED, "admit", NoteInput, check="check_orderer"),
    Step("admit_with_refaction", "refaction", _lazy("Admettre avec réfaction"), Need.ACCEPT_ORDER,
         (S.DELIVERED,), EventKind.ADMITTED, "admit_with_refaction", RefactionInput,
         check="check_orderer"),
    Step("defer", "ajourner", _lazy("Ajourner"), Need.ACCEPT_ORDER, (S.DELIVERED,),
         EventKind.DEFERRED, "defer", DeferInput, check="check_orderer"),
    Step("reject", "rejeter", _lazy("Rejeter"), Need.ACCEPT_ORDER, (S.DELIVERED,),
         EventKind.REJECTED, "reject", ReasonInput, check="check_orderer"),
    Step("service_done", "service-fait", _lazy("Constater le service fait"), Need.ACCEPT_ORDER,
         (S.ADMITTED,), EventKind.SERVICE_DONE, "record_service_done", NoteInput, check="check_orderer"),
    Step("cancel", "annuler", _lazy("Annuler"), Need.ORDER, (S.REQUESTED, S.QUOTE_REQUESTED, S.QUOTED),
         EventKind.CANCELLED, "cancel", ReasonInput, check="check_orderer"),
)

STEPS: dict[str, Step] = {step.name: step for step in _ALL_STEPS}


def step(name: str) -> Step:
    return STEPS[name]
