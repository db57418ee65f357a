"""Deliverables' clocks, as the commitments registry knows them (registered in ``apps.py``).

The scan's recomputation (:meth:`Deliverable.recompute_clocks`) is also what validates a
submission tacitly once its validation delay has run out: the scan finds the validation clock
past due, locks the deliverable and recomputes it, which records the tacit validation and stops
the clock, so no breach notice is sent for a delay that the convention turns into an approval.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.urls import reverse

from jalon.commitments import registry
from jalon.commitments.registry import Audience, Commitment, NoticeWords, Party
from jalon.contracts.models import Contract
from jalon.deliverables.models import Deliverable, DeliverableClock
from jalon.deliverables.workflow import DeliverableState


def lock(deliverable_id: int) -> Deliverable | None:
    return (Deliverable.objects.select_for_update(of=("self",))
            .select_related("contract", "convention_version").filter(pk=deliverable_id).first())


def recompute(deliverable: Deliverable, now: datetime) -> Sequence[DeliverableClock]:
    clocks = deliverable.recompute_clocks(now)
    for row in clocks:
        row.deliverable = deliverable
    return clocks


def contract(deliverable: Deliverable) -> Contract:
    return deliverable.contract


def url(deliverable: Deliverable) -> str:
    return reverse("deliverable", args=[deliverable.contract.slug, deliverable.pk])


def words(deliverable: Deliverable) -> NoticeWords:
    return NoticeWords(
        reference=deliverable.reference, title=deliverable.title, noun="Livrable",
        of_record="du livrable", the_record="le livrable",
        please="Merci de remettre ou de valider ce livrable avant l’échéance.",
        details=(("Type", deliverable.type_label()), ("Échéance", deliverable.due_on.isoformat())))


def _side(deliverable: Deliverable) -> Party:
    """Who must act now: the responsible party while a version is expected, the buyer (the
    validators) while one is under validation, the responsible party for reservations."""
    responsible = Party.HOLDER if deliverable.kind.responsible == "holder" else Party.BUYER
    return Party.BUYER if deliverable.state == DeliverableState.SUBMITTED else responsible


def warning_audience(deliverable: Deliverable) -> Audience:
    return Audience(parties=(_side(deliverable),))


def breach_audience(deliverable: Deliverable) -> Audience:
    return Audience(parties=(Party.BUYER, Party.HOLDER))


DELIVERABLES: Commitment[Deliverable, DeliverableClock] = Commitment(
    name="deliverable", clock_model=DeliverableClock, lock=lock, recompute=recompute,
    contract=contract, zone=lambda d, clock: d.zone, url=url, words=words,
    warn=warning_audience, breach=breach_audience,
    visible=lambda user, contract: Deliverable.objects.visible_to(user, contract))


def register() -> None:
    registry.register(DELIVERABLES)
