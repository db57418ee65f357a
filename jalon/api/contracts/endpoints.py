"""``/contracts``: the contracts the caller has a role on, and each one's dashboard."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from jalon.accounts.access import Need, get_contract_for, roles_on
from jalon.accounts.models import Membership, Role
from jalon.api.auth import caller
from jalon.api.contracts.dashboard import DashboardOut
from jalon.api.contracts.schemas import ContractDetailOut, ContractOut, ConventionOut, NamedValue
from jalon.api.errors import ERRORS
from jalon.contracts.models import Contract
from jalon.conventions.period import Period, PeriodError
from jalon.dashboard import figures
from jalon.dashboard.periods import explain
from jalon.lib import clock
from jalon.reversibility.archive import archive_name, export_to_spool
from jalon.tickets.models import ChainHead, Ticket

router = Router(tags=["marchés"])

@router.get("", response={200: list[ContractOut], **ERRORS}, summary="Mes marchés")
def list_contracts(request: HttpRequest) -> list[ContractOut]:
    mine = Membership.objects.filter(user=caller(request))
    contracts = Contract.objects.visible_to(caller(request)).select_related("buyer", "holder").prefetch_related(
        Prefetch("memberships", queryset=mine, to_attr="my_memberships"))
    return [ContractOut.of(c, [Role(m.role) for m in getattr(c, "my_memberships")]) for c in contracts]  # noqa: B009


@router.get("/{slug}", response={200: ContractDetailOut, **ERRORS}, summary="Un marché")
def get_contract(request: HttpRequest, slug: str) -> ContractDetailOut:
    contract = get_contract_for(caller(request), slug)
    return ContractDetailOut(**ContractOut.of(contract, roles_on(caller(request), contract)).model_dump(),
                             convention=_convention(contract))


def _convention(contract: Contract) -> ConventionOut | None:
    version = contract.current_convention()
    if version is None:
        return None
    c = version.parsed()
    return ConventionOut(
        number=version.number, version=c.version, loaded_at=version.loaded_at,
        types=list(c.types), priorities=[NamedValue(id=p.id, label=p.label) for p in c.priorities],
        urgencies=list(c.matrix.urgencies) if c.matrix else [],
        impacts=list(c.matrix.impacts) if c.matrix else [], lots=list(c.contract.lots),
        clocks=[NamedValue(id=k.id, label=k.label) for k in c.clocks],
    )


@router.get("/{slug}/dashboard", response={200: DashboardOut, **ERRORS},
            summary="Tableau de bord d’un marché sur une période")
def get_dashboard(
    request: HttpRequest, slug: str,
    period: str | None = Query(None, description="2026, 2026-Q1, 2026-03 ou "
                                                 "2026-01-15..2026-02-14 ; le trimestre en cours "
                                                 "par défaut."),
) -> DashboardOut:
    user = caller(request)
    contract = get_contract_for(user, slug, need=Need.VIEW_DASHBOARD)
    now = timezone.now()
    try:
        chosen = (Period.parse(period) if period
                  else Period.quarter_of(timezone.localdate(now)))
    except PeriodError as error:
        raise ValidationError({"period": [explain(error)]}) from None
    return DashboardOut.of(figures.dashboard(contract, chosen, now,
                                             tickets=Ticket.objects.visible_to(user, contract)))


class ChainHeadOut(Schema):
    day: date = Field(description="Jour (Europe/Paris) à la fin duquel l’empreinte a été relevée.")
    seq: int = Field(description="Rang du dernier événement de la chaîne ce jour-là (0 : aucun).")
    digest: str = Field(description="Empreinte SHA-256 de cet événement, qui enchaîne toutes les "
                                    "précédentes.")
    published_at: datetime


@router.get("/{slug}/history-heads", response={200: list[ChainHeadOut], **ERRORS},
            summary="Empreintes quotidiennes de l’historique")
def list_history_heads(request: HttpRequest, slug: str) -> list[ChainHeadOut]:
    """Chaque jour, la tête de la chaîne d’empreintes de l’historique du marché : les deux parties
    en gardent copie ; ``jalon history verify --contract SLUG`` vérifie que la chaîne les contient
    toujours."""
    contract = get_contract_for(caller(request), slug)
    heads = ChainHead.objects.filter(contract=contract).order_by("-day")[:400]
    return [ChainHeadOut(day=h.day, seq=h.seq, digest=h.digest, published_at=h.published_at) for h in heads]
@router.get("/{slug}/export", response={200: None, **ERRORS}, summary="Le marché entier (réversibilité)",
            description="L’archive ZIP de « jalon contract export » : un fichier JSON Lines et un CSV par "
                        "type d’enregistrement, les pièces jointes, les conventions, un README du format "
                        "et le manifeste des empreintes SHA-256. Responsables acheteur et titulaire.",
            openapi_extra={"responses": {"200": {"description": "L’archive ZIP", "content": {
                "application/zip": {"schema": {"type": "string", "format": "binary"}}}}}})
def export_contract(request: HttpRequest, slug: str) -> FileResponse:
    contract = get_contract_for(caller(request), slug, need=Need.EXPORT_CONTRACT)
    now = clock.now()
    response = FileResponse(export_to_spool(contract, now), as_attachment=True,
                            content_type="application/zip", filename=archive_name(contract, now))
    response["Cache-Control"] = "no-store"
    return response
