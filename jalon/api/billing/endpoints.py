"""``/contracts/{slug}/billing/{period}``: a period's billing elements (seed 002 L1634-1651,
seed 003 L1118) as JSON and XLSX, and the holder's Factur-X invoice draft. Same rights as the
page: the two managers and the auditor read, the holder's manager drafts the invoice."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field

from jalon.accounts.access import Need, get_contract_for
from jalon.api.auth import caller
from jalon.api.errors import ERRORS
from jalon.billing import elements, files
from jalon.billing.invoice import InvoiceError
from jalon.conventions.period import Period, PeriodError
from jalon.dashboard.periods import explain
from jalon.lib import clock

router = Router(tags=["billing"])


class BillingLineOut(Schema):
    unit: str = Field(description="Code de l’unité d’œuvre.")
    label: str
    measure: str = Field(description="Unité de mesure (jour, mois…).")
    quantity: Decimal
    ordered_price: Decimal = Field(description="Prix unitaire HT porté sur le bon.")
    unit_price: Decimal = Field(description="Prix unitaire HT facturé : bordereau en vigueur à la signature.")
    schedule_version: int
    amount: Decimal


class AcceptedOut(Schema):
    number: int
    reference: str
    title: str
    commitment_number: str
    status: str
    accepted_on: date
    lines: list[BillingLineOut]
    amount: Decimal
    refaction: Decimal
    refaction_reason: str


class ScorecardOut(Schema):
    validated: bool = Field(description="Faux : pénalités et bonus/malus non arrêtés.")
    status: str
    version: int | None
    validated_at: datetime | None
    global_note: float | None
    penalty_points: float | None
    penalty_amount: Decimal | None = Field(description="Retenues à part par l’acheteur, hors total.")
    bonus_malus: str | None
    bonus_malus_amount: Decimal


class BillingOut(Schema):
    period: str
    first_day: date
    last_day: date
    tickets_resolved: dict[str, int]
    forfait_days: Decimal | None
    delivered: list[str] = Field(description="Références des bons livrés sur la période.")
    accepted: list[AcceptedOut]
    lines_total: Decimal
    refactions: Decimal
    net_before_tax: Decimal
    vat_rate: Decimal
    scorecard: ScorecardOut


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError as error:
        raise ValidationError({"period": [explain(error)]}) from None


def _elements(request: HttpRequest, slug: str, period: str, need: Need) -> elements.Elements:
    contract = get_contract_for(caller(request), slug, need=need)
    return elements.build(contract, _period(period), clock.now())


@router.get("/{slug}/billing/{period}", response={200: BillingOut, **ERRORS},
            summary="Éléments de facturation d’une période")
def get_billing(request: HttpRequest, slug: str, period: str) -> BillingOut:
    found = _elements(request, slug, period, Need.VIEW_BILLING)
    card = found.scorecard
    return BillingOut(
        period=str(found.period), first_day=found.period.first_day, last_day=found.period.last_day,
        tickets_resolved=dict(found.tickets_resolved), forfait_days=found.forfait_days,
        delivered=[o.reference for o in found.delivered],
        accepted=[AcceptedOut(number=o.number, reference=o.reference, title=o.title,
                              commitment_number=o.commitment_number, status=o.state, accepted_on=o.accepted_on,
                              lines=[BillingLineOut(unit=line.code, label=line.label, measure=line.unit,
                                             quantity=line.quantity, ordered_price=line.ordered_price,
                                             unit_price=line.unit_price, schedule_version=line.schedule_version,
                                             amount=line.amount) for line in o.lines],
                              amount=o.amount, refaction=o.refaction, refaction_reason=o.refaction_reason)
                  for o in found.accepted],
        lines_total=found.lines_total, refactions=found.refactions, net_before_tax=found.net_before_tax,
        vat_rate=found.vat_rate,
        scorecard=ScorecardOut(validated=card.validated, status=card.status, version=card.version,
                               validated_at=card.validated_at, global_note=card.global_note,
                               penalty_points=card.penalty_points, penalty_amount=card.penalty_amount,
                               bonus_malus=card.bonus_malus, bonus_malus_amount=found.bonus_malus_amount))


def _file(found: elements.Elements, fmt: str) -> HttpResponse:
    try:
        made = files.render(found, fmt)
    except InvoiceError as error:
        raise ValidationError({"period": [str(error)]}) from None
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.name}"'
    return response


@router.get("/{slug}/billing/{period}/elements.xlsx", response={200: None, **ERRORS},
            summary="Éléments de facturation d’une période (XLSX)")
def billing_xlsx(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    return _file(_elements(request, slug, period, Need.VIEW_BILLING), "xlsx")


@router.get("/{slug}/billing/{period}/invoice.pdf", response={200: None, **ERRORS},
            summary="Projet de facture Factur-X EN 16931 (PDF/A-3 avec son XML)")
def billing_invoice(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    return _file(_elements(request, slug, period, Need.DRAFT_INVOICE), "facturx")
