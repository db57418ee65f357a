"""The scorecard's deadlines in the clock scan: warnings and breach notices with no code of
their own in messaging (``jalon.commitments.registry``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.urls import reverse

from jalon.commitments import registry
from jalon.commitments.registry import Audience, Commitment, NoticeWords, Party
from jalon.contracts.models import Contract
from jalon.scorecards.models import PeriodScorecard, ScorecardClock
from jalon.scorecards.workflow import Status


def lock(scorecard_id: int) -> PeriodScorecard | None:
    return (PeriodScorecard.objects.select_for_update(of=("self",)).select_related("contract")
            .defer("archive").filter(pk=scorecard_id).first())


def recompute(card: PeriodScorecard, now: datetime) -> Sequence[ScorecardClock]:
    return card.recompute_clocks(now)


def contract(card: PeriodScorecard) -> Contract:
    return card.contract


def zone(card: PeriodScorecard, clock: ScorecardClock) -> str:
    version = card.contract.current_convention()
    return version.parsed().contract.tz if version else "Europe/Paris"


def url(card: PeriodScorecard) -> str:
    return reverse("scorecard", args=[card.contract.slug, card.period])


def words(card: PeriodScorecard) -> NoticeWords:
    reference = f"{card.contract.reference} {card.period}"
    return NoticeWords(reference=reference, title=f"Tableau de bord {card.period}", noun="Tableau de bord",
                       of_record=f"du tableau de bord {card.period}", the_record=f"le tableau de bord {card.period}",
                       please=("Merci de proposer le tableau de bord avant l’échéance."
                               if card.status in (Status.DRAFT, Status.CONTESTED)
                               else "Merci de valider ou de contester le tableau de bord avant l’échéance."))


def warn(card: PeriodScorecard) -> Audience:
    side = Party.HOLDER if card.status in (Status.DRAFT, Status.CONTESTED) else Party.BUYER
    return Audience(parties=(side,))


SCORECARDS: Commitment[PeriodScorecard, ScorecardClock] = Commitment(
    name="scorecard", clock_model=ScorecardClock, lock=lock, recompute=recompute, contract=contract,
    zone=zone, url=url, words=words, warn=warn,
    breach=lambda card: Audience(parties=(Party.BUYER, Party.HOLDER)))


def register() -> None:
    registry.register(SCORECARDS)
