"""``/contracts/{slug}/scorecards``: the contract's periods and their status, a period's figures
(the same JSON as ``jalon scorecard --contract SLUG --period P``), the workflow's transitions;
``/contracts/{slug}/measures``: the manual measures."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from jalon.accounts.access import Need, get_contract_for, require
from jalon.api.auth import caller
from jalon.api.errors import ERRORS
from jalon.api.schemas import WriteSchema
from jalon.conventions.period import Period, PeriodError
from jalon.dashboard.periods import explain
from jalon.scorecards import compute
from jalon.scorecards.models import ManualMeasure, PeriodScorecard, WrongState
from jalon.scorecards.workflow import STEP, Status

router = Router(tags=["bilans"])


class PeriodOut(Schema):
    period: str
    first_day: str
    last_day: str
    status: Literal["draft", "proposed", "contested", "validated"]
    version: int
    validated_at: str | None = None
    archive_url: str | None = None


class TransitionIn(WriteSchema):
    step: Literal["propose", "review", "answer", "validate", "correct"]
    indicator: str = ""
    verdict: Literal["", "accepted", "contested"] = ""
    comment: str = ""


class MeasureOut(Schema):
    id: int
    indicator: str
    period: str
    item: str
    value: float
    source: str
    comment: str
    status: str
    updated_at: str


class MeasureIn(WriteSchema):
    indicator: str
    period: str
    value: float
    source: str
    item: str = ""
    comment: str = ""


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError as error:
        raise ValidationError({"period": [explain(error)]}) from None


@router.get("/{slug}/scorecards", response={200: list[PeriodOut], **ERRORS}, summary="Bilans d’un marché")
def list_scorecards(request: HttpRequest, slug: str) -> list[PeriodOut]:
    contract = get_contract_for(caller(request), slug, need=Need.VIEW_SCORECARD)
    periods = compute.scoring_periods(contract, timezone.localdate())
    PeriodScorecard.open_ended(contract, periods, timezone.localdate(), timezone.now())
    stored: dict[str, PeriodScorecard] = {}
    validated: dict[str, PeriodScorecard] = {}
    for card in PeriodScorecard.objects.filter(contract=contract).defer("archive", "figures").order_by("version"):
        stored[card.period] = card
        if card.status == Status.VALIDATED:
            validated[card.period] = card
    out = []
    for period in periods:
        found, frozen = stored.get(str(period)), validated.get(str(period))
        out.append(PeriodOut(
            period=str(period), first_day=period.first_day.isoformat(), last_day=period.last_day.isoformat(),
            status=found.status if found else Status.DRAFT,  # type: ignore[arg-type]
            version=found.version if found else 1,
            validated_at=frozen.validated_at.isoformat() if frozen and frozen.validated_at else None,
            archive_url=request.build_absolute_uri(compute.archive_url(frozen)) if frozen else None))
    return out


@router.get("/{slug}/scorecards/{period}", response={200: dict[str, Any], **ERRORS},
            summary="Bilan d’une période (même JSON que « jalon scorecard --contract »)")
def get_scorecard(request: HttpRequest, slug: str, period: str) -> dict[str, Any]:
    contract = get_contract_for(caller(request), slug, need=Need.VIEW_SCORECARD)
    try:
        return compute.document(contract, _period(period), timezone.now())
    except compute.NoConvention:
        raise HttpError(404, _("Aucune convention de service n’est chargée pour ce marché.")) from None


@router.post("/{slug}/scorecards/{period}/transitions", response={200: dict[str, Any], **ERRORS},
             summary="Proposer, examiner, répondre, valider ou corriger un bilan")
def post_transition(request: HttpRequest, slug: str, period: str, transition: TransitionIn) -> dict[str, Any]:
    user = caller(request)
    contract = get_contract_for(user, slug, need=Need.VIEW_SCORECARD)
    require(user, contract, STEP[transition.step].need)
    chosen = _period(period)
    try:
        PeriodScorecard.act(user, contract, chosen, transition.step, indicator=transition.indicator,
                            verdict=transition.verdict, comment=transition.comment)
    except WrongState as error:
        raise HttpError(409, error.messages[0]) from None
    return compute.document(contract, chosen, timezone.now())


def _measure_out(m: ManualMeasure) -> MeasureOut:
    return MeasureOut(id=m.pk, indicator=m.indicator, period=m.period, item=m.item, value=m.value,
                      source=m.source, comment=m.comment, status=m.status, updated_at=m.updated_at.isoformat())


@router.get("/{slug}/measures", response={200: list[MeasureOut], **ERRORS}, summary="Mesures manuelles")
def list_measures(request: HttpRequest, slug: str) -> list[MeasureOut]:
    contract = get_contract_for(caller(request), slug, need=Need.VIEW_SCORECARD)
    return [_measure_out(m) for m in ManualMeasure.objects.filter(contract=contract)]


@router.post("/{slug}/measures", response={200: MeasureOut, **ERRORS}, summary="Saisir une mesure manuelle")
def post_measure(request: HttpRequest, slug: str, measure: MeasureIn) -> MeasureOut:
    user = caller(request)
    contract = get_contract_for(user, slug, need=Need.VIEW_SCORECARD)
    return _measure_out(ManualMeasure.enter(user, contract, **measure.model_dump()))
