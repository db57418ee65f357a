"""The scorecard's and the manual measure's states and the table of their steps.

A period's scorecard is a *draft* (computed live from the records) until the holder proposes it;
the buyer then accepts or contests it indicator by indicator, with comments, and the holder
answers; the buyer validates a proposed scorecard, which freezes it. A correction of a validated
scorecard is a new version, with its reason (seed 002 ch. 8: "validé par les deux parties").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jalon.accounts.access import Need


class Status(models.TextChoices):
    DRAFT = "draft", _("Brouillon (calcul en direct)")
    PROPOSED = "proposed", _("Proposé par le titulaire")
    CONTESTED = "contested", _("Contesté par l’acheteur")
    VALIDATED = "validated", _("Validé")


class Verdict(models.TextChoices):
    ACCEPTED = "accepted", _("Accepté")
    CONTESTED = "contested", _("Contesté")


class MeasureStatus(models.TextChoices):
    ENTERED = "entered", _("Saisie par le titulaire")
    ACCEPTED = "accepted", _("Acceptée par l’acheteur")
    CONTESTED = "contested", _("Contestée par l’acheteur")


class EventKind(models.TextChoices):
    PROPOSED = "proposed", _("Proposé")
    REVIEWED = "reviewed", _("Indicateur examiné")
    ANSWERED = "answered", _("Réponse du titulaire")
    VALIDATED = "validated", _("Validé et figé")
    CORRECTED = "corrected", _("Correction ouverte")


StrOrPromise = str | Promise


@dataclass(frozen=True)
class Step:
    name: str
    label: StrOrPromise
    need: Need
    sources: tuple[str, ...]
    target: str | None
    """The state after the step (``None``: unchanged)."""
    event: str
    needs_indicator: bool = False
    needs_comment: bool = False


STEPS: tuple[Step, ...] = (
    Step("propose", _("Proposer le tableau de bord"), Need.PROPOSE_SCORECARD,
         (Status.DRAFT, Status.CONTESTED), Status.PROPOSED, EventKind.PROPOSED),
    Step("review", _("Accepter ou contester un indicateur"), Need.REVIEW_SCORECARD,
         (Status.PROPOSED, Status.CONTESTED), None, EventKind.REVIEWED, needs_indicator=True),
    Step("answer", _("Répondre à une contestation"), Need.PROPOSE_SCORECARD,
         (Status.CONTESTED,), None, EventKind.ANSWERED, needs_indicator=True, needs_comment=True),
    Step("validate", _("Valider et figer"), Need.REVIEW_SCORECARD,
         (Status.PROPOSED,), Status.VALIDATED, EventKind.VALIDATED),
    Step("correct", _("Ouvrir une correction"), Need.REVIEW_SCORECARD,
         (Status.VALIDATED,), None, EventKind.CORRECTED, needs_comment=True),
)
STEP = {step.name: step for step in STEPS}
