"""``/contracts/{slug}/reports``: structured reports entered as data (list, create, read, revise)
and ``/contracts/{slug}/deliverables/{pk}/reports``: a report remitted as a deliverable's version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from jalon.accounts.access import Need, get_contract_for
from jalon.api.auth import caller
from jalon.api.deliverables.endpoints import deliverable_for, detail_of
from jalon.api.deliverables.schemas import DeliverableDetailOut
from jalon.api.errors import ERRORS
from jalon.api.schemas import WriteSchema
from jalon.documents.models import StructuredReport

router = Router(tags=["rapports"])


class ReportOut(Schema):
    id: int
    reference: str
    kind: str
    title: str
    revision: int
    updated_at: datetime
    data: dict[str, Any]
    pdf_url: str
    docx_url: str

    @classmethod
    def of(cls, r: StructuredReport) -> ReportOut:
        args = [r.contract.slug, r.pk]
        return cls(id=r.pk, reference=r.reference, kind=r.kind, title=r.title, revision=r.revision,
                   updated_at=r.updated_at, data=r.data, pdf_url=reverse("report-pdf", args=args),
                   docx_url=reverse("report-docx", args=args))


class ReportIn(WriteSchema):
    kind: str = Field(description="one_off_intervention, audit, delivery_note, test_report.")
    title: str = Field(max_length=200)
    data: dict[str, Any]


class ReportUpdateIn(WriteSchema):
    data: dict[str, Any]
    note: str = Field("", max_length=500, description="Ce qui a changé (actions réalisées…).")


class ReportSubmissionIn(WriteSchema):
    report: int = Field(description="Identifiant du rapport structuré.")
    note: str = Field("", max_length=2000)


def _report(request: HttpRequest, slug: str, pk: int, need: Need = Need.VIEW_DELIVERABLES) -> StructuredReport:
    report = StructuredReport.objects.get_for(caller(request), pk, need=need)
    if report.contract.slug != slug:
        raise Http404(_("Rapport introuvable."))
    return report


@router.get("/{slug}/reports", response={200: list[ReportOut], **ERRORS}, summary="Rapports structurés")
def list_reports(request: HttpRequest, slug: str) -> list[ReportOut]:
    contract = get_contract_for(caller(request), slug, need=Need.VIEW_DELIVERABLES)
    return [ReportOut.of(r) for r in StructuredReport.objects.visible_to(caller(request), contract)
            .select_related("contract")]


@router.post("/{slug}/reports", response={201: ReportOut, **ERRORS}, summary="Saisir un rapport structuré")
def create_report(request: HttpRequest, slug: str, payload: ReportIn) -> Status[ReportOut]:
    contract = get_contract_for(caller(request), slug, need=Need.WRITE_REPORT)
    return Status(201, ReportOut.of(StructuredReport.write(contract, caller(request), **payload.model_dump())))


@router.get("/{slug}/reports/{pk}", response={200: ReportOut, **ERRORS}, summary="Un rapport structuré")
def get_report(request: HttpRequest, slug: str, pk: int) -> ReportOut:
    return ReportOut.of(_report(request, slug, pk))


@router.put("/{slug}/reports/{pk}", response={200: ReportOut, **ERRORS},
            summary="Mettre à jour un rapport (nouvelle révision)")
def update_report(request: HttpRequest, slug: str, pk: int, payload: ReportUpdateIn) -> ReportOut:
    report = _report(request, slug, pk, need=Need.WRITE_REPORT)
    return ReportOut.of(report.update(caller(request), data=payload.data, note=payload.note))


@router.post("/{slug}/deliverables/{pk}/reports", response={201: DeliverableDetailOut, **ERRORS},
             summary="Remettre un rapport structuré comme version d’un livrable")
def submit_report(request: HttpRequest, slug: str, pk: int, payload: ReportSubmissionIn
                  ) -> Status[DeliverableDetailOut]:
    deliverable = deliverable_for(request, slug, pk, need=Need.SUBMIT_DELIVERABLE)
    report = _report(request, slug, payload.report)
    deliverable.submit_report(caller(request), report, note=payload.note)
    return Status(201, detail_of(deliverable))
