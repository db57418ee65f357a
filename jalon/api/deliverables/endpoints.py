"""``/contracts/{slug}/deliverables``: the register (``title``, ``due_on``, ``status``), one
deliverable, its creation, a new version (multipart) and the transitions of the workflow table."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from jalon.accounts.access import Need, get_contract_for
from jalon.api import keyset
from jalon.api.auth import caller
from jalon.api.deliverables.schemas import (
    AnyTransition,
    DeliverableClockOut,
    DeliverableDetailOut,
    DeliverableIn,
    DeliverableOut,
    ReservationOut,
    SubmissionOut,
)
from jalon.api.errors import ERRORS
from jalon.deliverables.models import Deliverable
from jalon.deliverables.workflow import DeliverableState

router = Router(tags=["livrables"])


class DeliverableFilters(Schema):
    q: str | None = Field(None, description="Intitulé, type ou numéro.")
    status: list[DeliverableState] | None = Field(None, description="États retenus.")
    due_from: date | None = Field(None, description="Échéance à partir de ce jour.")
    due_to: date | None = Field(None, description="Échéance jusqu’à ce jour.")
    sort: Literal["due_on", "-due_on", "number", "-number"] = Field(
        "due_on", description="Tri ; « - » pour décroissant. Les ex aequo sont départagés par l’identifiant.")
    cursor: str | None = Field(None, description="« next_cursor » de la page précédente.")
    limit: int = Field(50, ge=1, le=200)


class DeliverablePage(Schema):
    items: list[DeliverableOut]
    next_cursor: str | None = Field(description="À passer en « cursor » pour la page suivante ; "
                                                "absent à la dernière page.")


def deliverable_for(request: HttpRequest, slug: str, pk: int, need: Need = Need.VIEW_DELIVERABLES) -> Deliverable:
    d = Deliverable.objects.get_for(caller(request), pk, need=need)
    if d.contract.slug != slug:
        raise Http404(_("Livrable introuvable."))
    return d


def detail_of(d: Deliverable) -> DeliverableDetailOut:
    d.refresh_from_db()
    slug = d.contract.slug
    return DeliverableDetailOut(
        **DeliverableOut.of(d).model_dump(),
        submissions=[SubmissionOut.of(s, reverse("deliverable-version", args=[slug, d.pk, s.version]))
                     for s in d.submissions.select_related("submitted_by").order_by("version")],
        reservations=[ReservationOut.of(r) for r in d.reservations.all()],
        clocks=[DeliverableClockOut.of(c) for c in d.clocks.order_by("pk")])


@router.get("/{slug}/deliverables", response={200: DeliverablePage, **ERRORS},
            summary="Registre des livrables d’un marché")
def list_deliverables(request: HttpRequest, slug: str, filters: Query[DeliverableFilters]) -> DeliverablePage:
    contract = get_contract_for(caller(request), slug, need=Need.VIEW_DELIVERABLES)
    status = [s.value for s in filters.status] if filters.status else None
    rows = (Deliverable.objects.visible_to(caller(request), contract).select_related("contract", "convention_version")
            .matching(filters.q).in_state(status).due_between(filters.due_from, filters.due_to))
    found, next_cursor = keyset.page(rows, filters.sort, filters.cursor, filters.limit)
    return DeliverablePage(items=[DeliverableOut.of(d) for d in found], next_cursor=next_cursor)


@router.post("/{slug}/deliverables", response={201: DeliverableDetailOut, **ERRORS},
             summary="Ajouter un livrable au registre")
def create_deliverable(request: HttpRequest, slug: str, payload: DeliverableIn) -> Status[DeliverableDetailOut]:
    contract = get_contract_for(caller(request), slug, need=Need.MANAGE_DELIVERABLES)
    d = Deliverable.expect(contract, caller(request), **payload.model_dump())
    return Status(201, detail_of(d))


@router.get("/{slug}/deliverables/{pk}", response={200: DeliverableDetailOut, **ERRORS},
            summary="Un livrable, ses versions, réserves et délais")
def get_deliverable(request: HttpRequest, slug: str, pk: int) -> DeliverableDetailOut:
    return detail_of(deliverable_for(request, slug, pk))


@router.post("/{slug}/deliverables/{pk}/submissions", response={201: DeliverableDetailOut, **ERRORS},
             summary="Remettre une version (multipart : file, note)")
def submit_version(request: HttpRequest, slug: str, pk: int, file: File[UploadedFile | None] = None,
                   note: Form[str] = "") -> Status[DeliverableDetailOut]:
    d = deliverable_for(request, slug, pk, need=Need.SUBMIT_DELIVERABLE)
    if file is None:  # after the access check: an outsider learns nothing from a bad request
        raise ValidationError({"file": [_("Joignez le fichier de la version (champ « file »).")]})
    d.submit(caller(request), file=file, note=note[:2000])
    return Status(201, detail_of(d))


@router.post("/{slug}/deliverables/{pk}/transitions", response={200: DeliverableDetailOut, **ERRORS},
             summary="Accepter, accepter avec réserves, refuser, lever une réserve")
def transition(request: HttpRequest, slug: str, pk: int, step: AnyTransition) -> DeliverableDetailOut:
    d = deliverable_for(request, slug, pk)
    step.apply(d, caller(request))
    return detail_of(d)
