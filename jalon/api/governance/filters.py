"""Filters and keyset pages of the governance lists (``meetings``, ``decisions``, ``actions``,
``risks``): each list is read in a stable order (its sort key, ties by id) and cut in pages by
:mod:`jalon.api.keyset`, as the tickets are."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import F, Max, Q
from ninja import Schema
from pydantic import Field

from jalon.contracts.instants import check_offset
from jalon.governance.models import RiskReview
from jalon.governance.workflow import (
    ActionDomain,
    ActionStatus,
    MeetingState,
    MinutesState,
    RiskKind,
    RiskStatus,
    SubjectKind,
)

CURSOR = Field(None, description="« next_cursor » de la page précédente.")
LIMIT = Field(50, ge=1, le=200, description="Nombre d’éléments par page.")
SORT_HELP = "Tri ; « - » pour décroissant. Les ex aequo sont départagés par l’identifiant."


class Paged(Schema):
    cursor: str | None = CURSOR
    limit: int = LIMIT


class MeetingFilters(Paged):
    committee: str | None = Field(None, description="Identifiant du comité dans la convention.")
    status: MeetingState | None = Field(None, description="Réunion planifiée, tenue ou annulée.")
    minutes_status: MinutesState | None = Field(None, description="État du relevé de décisions.")
    starts_after: datetime | None = Field(None, description="Début à partir de cet instant (inclus).")
    starts_before: datetime | None = Field(None, description="Début avant cet instant (exclu).")
    q: str | None = Field(None, max_length=200, description="Comité, ordre du jour ou relevé.")
    sort: Literal["starts_at", "-starts_at"] = Field("starts_at", description=SORT_HELP)

    def apply(self, rows: Any) -> Any:
        if self.committee:
            rows = rows.filter(committee=self.committee)
        if self.status is not None:
            rows = rows.filter(status=self.status)
        if self.minutes_status is not None:
            rows = rows.filter(minutes_state=self.minutes_status)
        if self.starts_after is not None:
            rows = rows.filter(starts_at__gte=check_offset("starts_after", self.starts_after))
        if self.starts_before is not None:
            rows = rows.filter(starts_at__lt=check_offset("starts_before", self.starts_before))
        return rows.matching(self.q)


class DecisionFilters(Paged):
    q: str | None = Field(None, max_length=200, description="Texte de la décision, numéro (DEC-012) ou "
                                                            "référence de son objet.")
    committee: str | None = Field(None, description="Décisions prises en réunion de ce comité.")
    meeting: int | None = Field(None, description="Décisions d’une réunion.")
    subject_kind: SubjectKind | None = Field(None, description="Type de l’objet décidé.")
    subject_ref: str | None = Field(None, max_length=80, description="Référence exacte de l’objet décidé.")
    decided_after: date | None = Field(None, description="Décidée à partir de ce jour (inclus).")
    decided_before: date | None = Field(None, description="Décidée avant ce jour (exclu).")
    sort: Literal["-number", "number", "-decided_on", "decided_on"] = Field("-number", description=SORT_HELP)

    def apply(self, rows: Any) -> Any:
        exact = {"meeting__committee": self.committee, "meeting_id": self.meeting,
                 "subject_kind": self.subject_kind, "subject_ref": self.subject_ref}
        rows = rows.filter(**{k: v for k, v in exact.items() if v is not None and v != ""})
        if self.decided_after is not None:
            rows = rows.filter(decided_on__gte=self.decided_after)
        if self.decided_before is not None:
            rows = rows.filter(decided_on__lt=self.decided_before)
        return rows.matching(self.q)


class ActionFilters(Paged):
    status: ActionStatus | None = None
    committee: str | None = Field(None, description="Actions décidées en réunion de ce comité.")
    meeting: int | None = Field(None, description="Actions d’une réunion.")
    owner: str | None = Field(None, max_length=150, description="Identifiant du responsable.")
    domain: ActionDomain | None = None
    due_after: date | None = Field(None, description="Échéance à partir de ce jour (inclus).")
    due_before: date | None = Field(None, description="Échéance avant ce jour (exclu).")
    late: bool | None = Field(None, description="En cours et échéance passée (vrai), ou non (faux).")
    q: str | None = Field(None, max_length=200, description="Intitulé ou numéro (ACT-007).")
    sort: Literal["due_on", "-due_on", "number", "-number"] = Field("due_on", description=SORT_HELP)

    def apply(self, rows: Any, today: date) -> Any:
        exact = {"status": self.status, "meeting__committee": self.committee, "meeting_id": self.meeting,
                 "owner__username": self.owner, "domain": self.domain}
        rows = rows.filter(**{k: v for k, v in exact.items() if v is not None and v != ""})
        if self.due_after is not None:
            rows = rows.filter(due_on__gte=self.due_after)
        if self.due_before is not None:
            rows = rows.filter(due_on__lt=self.due_before)
        if self.late is not None:
            late = Q(status=ActionStatus.OPEN, due_on__lt=today)
            rows = rows.filter(late) if self.late else rows.exclude(late)
        return rows.matching(self.q)


class RiskFilters(Paged):
    status: RiskStatus | None = None
    kind: RiskKind | None = None
    committee: str | None = Field(None, description="Risques revus en réunion de ce comité.")
    owner: str | None = Field(None, max_length=150, description="Identifiant du responsable.")
    min_score: int | None = Field(None, ge=1, le=16, description="Criticité (probabilité × impact) minimale.")
    q: str | None = Field(None, max_length=200, description="Intitulé, mesures de maîtrise ou numéro (RSQ-003).")
    sort: Literal["-updated_at", "updated_at", "number", "-number"] = Field("-updated_at", description=SORT_HELP)

    def apply(self, rows: Any) -> Any:
        exact = {"status": self.status, "kind": self.kind, "owner__username": self.owner}
        rows = rows.filter(**{k: v for k, v in exact.items() if v is not None and v != ""})
        if self.committee:
            rows = rows.filter(pk__in=RiskReview.objects.filter(meeting__committee=self.committee)
                               .values("risk_id"))
        if self.min_score is not None:
            rows = rows.alias(rating=F("probability") * F("impact")).filter(rating__gte=self.min_score)
        return rows.matching(self.q).annotate(last_reviewed=Max("reviews__reviewed_at"))
