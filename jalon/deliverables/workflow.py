"""The deliverable's workflow table: its states, and every action on a deliverable said once.

expected → submitted → accepted | accepted with reservations | rejected (→ submitted again, a
new version) | validated tacitly (the validation delay ran out with no decision, where the
deliverable's type allows it: a state of its own, never shown as an explicit acceptance).
Reservations are lifted one by one, each before its own deadline (a clock); once all are lifted
the deliverable is accepted.

Each :class:`Step` names the need it requires, the states it starts from, the event it records,
the domain method of :class:`~jalon.deliverables.models.Deliverable` and its typed input. The
pages (``jalon.web.deliverables``) and the API (``jalon.api.deliverables``) are generated from it.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts.access import Need
from jalon.commitments.workflow import Described, StepInput, Text
from jalon.deliverables.events import EventKind

if TYPE_CHECKING:
    from jalon.deliverables.models import Deliverable


class DeliverableState(models.TextChoices):
    EXPECTED = "expected", _lazy("Attendu")
    SUBMITTED = "submitted", _lazy("Remis, en validation")
    ACCEPTED = "accepted", _lazy("Accepté")
    RESERVED = "accepted_with_reservations", _lazy("Accepté avec réserves")
    REJECTED = "rejected", _lazy("Refusé, à remettre")
    TACIT = "validated_tacitly", _lazy("Validé tacitement")


S = DeliverableState
DONE_STATES = (S.ACCEPTED, S.TACIT)
"""Nothing more is expected of the responsible party."""
PENDING_STATES = (S.EXPECTED, S.REJECTED)
"""A (new) version is expected."""


NOTE = Text(2000, "Note portée à l’historique.")


@dataclasses.dataclass(frozen=True, kw_only=True)
class SubmitInput(StepInput):
    """A version of the deliverable: a file, kept with its SHA-256."""

    file: UploadedFile
    note: Annotated[str, NOTE] = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class AcceptInput(StepInput):
    note: Annotated[str, NOTE] = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReserveInput(StepInput):
    """Accepted with reservations: one per line, each to be lifted by ``lift_by`` (the type's
    lifting delay when not given)."""

    reservations: Annotated[str, Text(5000, "Les réserves, une par ligne.")]
    lift_by: Annotated[date | None, Described("Date limite de levée des réserves.")] = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class RejectInput(StepInput):
    reason: Annotated[str, Text(2000, "Pourquoi la version est refusée.")]


@dataclasses.dataclass(frozen=True, kw_only=True)
class LiftInput(StepInput):
    number: Annotated[int, Described("Numéro de la réserve levée.", minimum=1, maximum=999)]
    note: Annotated[str, NOTE] = ""


@dataclasses.dataclass(frozen=True)
class Step:
    name: str
    slug: str
    label: str | Promise
    need: Need
    states: tuple[DeliverableState, ...]
    event: EventKind
    method: str
    input: type[StepInput]
    check: str
    """A :class:`Deliverable` method ``check(actor)`` refusing people beyond the need: the
    convention's validators of the type, the type's responsible side."""
    in_api: bool = True

    def allows(self, state: str) -> bool:
        return state in self.states

    def run(self, deliverable: Deliverable, actor: User, given: StepInput) -> Any:
        return getattr(deliverable, self.method)(actor, **given.arguments())


_ALL_STEPS = (
    Step("submit", "remettre", _lazy("Remettre une version"), Need.SUBMIT_DELIVERABLE,
         (S.EXPECTED, S.REJECTED), EventKind.SUBMITTED, "submit", SubmitInput,
         check="_check_responsible", in_api=False),
    Step("accept", "accepter", _lazy("Accepter"), Need.VALIDATE_DELIVERABLE, (S.SUBMITTED,),
         EventKind.ACCEPTED, "accept", AcceptInput, check="_check_validator"),
    Step("reserve", "reserves", _lazy("Accepter avec réserves"), Need.VALIDATE_DELIVERABLE,
         (S.SUBMITTED,), EventKind.RESERVED, "accept_with_reservations", ReserveInput,
         check="_check_validator"),
    Step("reject", "refuser", _lazy("Refuser"), Need.VALIDATE_DELIVERABLE, (S.SUBMITTED,),
         EventKind.REJECTED, "reject", RejectInput, check="_check_validator"),
    Step("lift", "lever", _lazy("Lever une réserve"), Need.VALIDATE_DELIVERABLE, (S.RESERVED,),
         EventKind.RESERVATION_LIFTED, "lift_reservation", LiftInput, check="_check_validator"),
)

STEPS: dict[str, Step] = {step.name: step for step in _ALL_STEPS}
