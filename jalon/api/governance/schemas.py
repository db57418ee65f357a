"""The governance API's shapes (``/contracts/{slug}/meetings``, ``actions``, ``decisions``,
``risks``, ``escalations``)."""

from __future__ import annotations

from datetime import date, datetime

from django.urls import reverse
from ninja import Schema
from pydantic import AwareDatetime, Field

from jalon.api.schemas import WriteSchema
from jalon.governance.models import (
    Action,
    Decision,
    Escalation,
    Meeting,
    MeetingClock,
    MeetingEvent,
    RecordEvent,
    Risk,
)
from jalon.governance.workflow import ActionDomain, ActionStatus, EscalationKind, RiskKind, RiskStatus, SubjectKind


class MeetingClockOut(Schema):
    kind: str
    label: str
    started_at: datetime | None
    due_at: datetime | None
    stopped_at: datetime | None
    breached: bool

    @classmethod
    def of(cls, clock: MeetingClock) -> MeetingClockOut:
        return cls(kind=clock.kind, label=clock.label, started_at=clock.started_at, due_at=clock.due_at,
                   stopped_at=clock.stopped_at, breached=clock.breached)


class MeetingOut(Schema):
    id: int
    committee: str
    committee_label: str
    starts_at: datetime
    ends_at: datetime
    status: str
    cancel_reason: str
    agenda_sent_at: datetime | None
    present: list[str]
    minutes_status: str
    """drafted, sent, remarks, validated, tacitly_validated (never an explicit approval), archived;
    empty before any minutes."""
    minutes_sent_at: datetime | None
    minutes_validated_at: datetime | None
    minutes_validated_tacitly: bool
    minutes_docx_url: str | None = None
    minutes_pdf_url: str | None = None
    url: str

    @classmethod
    def of(cls, m: Meeting) -> MeetingOut:
        slug = m.contract.slug
        has_minutes = bool(m.minutes_state)
        return cls(
            id=m.pk, committee=m.committee, committee_label=m.committee_label, starts_at=m.starts_at,
            ends_at=m.ends_at, status=m.status, cancel_reason=m.cancel_reason, agenda_sent_at=m.agenda_sent_at,
            present=list(m.present), minutes_status=m.minutes_state, minutes_sent_at=m.minutes_first_sent_at,
            minutes_validated_at=m.minutes_validated_at,
            minutes_validated_tacitly=m.minutes_state == "tacitly_validated",
            minutes_docx_url=reverse("api-v1:governance_minutes_docx", args=[slug, m.pk]) if has_minutes else None,
            minutes_pdf_url=reverse("api-v1:governance_minutes_pdf", args=[slug, m.pk]) if has_minutes else None,
            url=reverse("governance-meeting", args=[slug, m.pk]))


class MeetingEventOut(Schema):
    kind: str
    at: datetime
    actor: str | None
    payload: dict[str, object]

    @classmethod
    def of(cls, e: MeetingEvent) -> MeetingEventOut:
        return cls(kind=e.kind, at=e.at, actor=e.actor.username if e.actor else None, payload=e.payload)


class MeetingDetailOut(MeetingOut):
    agenda: str
    minutes_text: str
    excused: list[str]
    clocks: list[MeetingClockOut]
    events: list[MeetingEventOut]
    actions_allowed: list[str] = Field(description="Les transitions que vous pouvez faire maintenant.")


class MeetingIn(WriteSchema):
    committee: str = Field(..., max_length=60)
    starts_at: AwareDatetime


class DecisionOut(Schema):
    id: int
    number: int
    reference: str
    title: str
    text: str
    decided_on: date
    meeting: int | None
    subject_kind: str
    subject_ref: str

    @classmethod
    def of(cls, d: Decision) -> DecisionOut:
        return cls(id=d.pk, number=d.number, reference=d.reference, title=d.title, text=d.text,
                   decided_on=d.decided_on, meeting=d.meeting_id, subject_kind=d.subject_kind,
                   subject_ref=d.subject_ref)


class DecisionIn(WriteSchema):
    title: str = Field(..., max_length=300)
    decided_on: date
    text: str = Field("", max_length=20000)
    meeting: int | None = None
    subject_kind: SubjectKind | None = None
    subject_ref: str = Field("", max_length=80)


class ActionOut(Schema):
    id: int
    number: int
    reference: str
    title: str
    owner: str | None
    due_on: date
    status: str
    domain: str
    done_on: date | None
    days_late: int
    meeting: int | None

    @classmethod
    def of(cls, a: Action, today: date) -> ActionOut:
        return cls(id=a.pk, number=a.number, reference=a.reference, title=a.title,
                   owner=a.owner.username if a.owner else None, due_on=a.due_on, status=a.status,
                   domain=a.domain, done_on=a.done_on, days_late=a.days_late(today), meeting=a.meeting_id)


class ActionIn(WriteSchema):
    title: str = Field(..., max_length=300)
    due_on: date
    owner: str | None = Field(None, max_length=150, description="Identifiant d’un membre du marché.")
    meeting: int | None = None
    domain: ActionDomain = ActionDomain.QUALITY


class ActionStatusIn(WriteSchema):
    status: ActionStatus
    done_on: date | None = None


class RiskOut(Schema):
    id: int
    number: int
    reference: str
    kind: str
    title: str
    probability: int
    impact: int
    score: int
    owner: str | None
    mitigation: str
    status: str
    last_review: datetime | None

    @classmethod
    def of(cls, r: Risk) -> RiskOut:
        if hasattr(r, "last_reviewed"):  # a list annotates it (one query for the page)
            last_at = r.last_reviewed
        else:
            last = r.reviews.first()
            last_at = last.reviewed_at if last else None
        return cls(id=r.pk, number=r.number, reference=r.reference, kind=r.kind, title=r.title,
                   probability=r.probability, impact=r.impact, score=r.score,
                   owner=r.owner.username if r.owner else None, mitigation=r.mitigation, status=r.status,
                   last_review=last_at)


class RiskIn(WriteSchema):
    title: str = Field(..., max_length=300)
    probability: int = Field(..., ge=1, le=4)
    impact: int = Field(..., ge=1, le=4)
    owner: str | None = Field(None, max_length=150)
    mitigation: str = Field("", max_length=20000)
    kind: RiskKind = RiskKind.RISK


class RiskReviewIn(WriteSchema):
    meeting: int
    probability: int = Field(..., ge=1, le=4)
    impact: int = Field(..., ge=1, le=4)
    status: RiskStatus
    note: str = Field("", max_length=4000)


class EscalationOut(Schema):
    id: int
    meeting: int
    from_committee: str
    to_committee: str
    kind: str
    subject: str
    settled_in: int | None
    outcome: str
    created_at: datetime

    @classmethod
    def of(cls, e: Escalation) -> EscalationOut:
        return cls(id=e.pk, meeting=e.meeting_id, from_committee=e.from_committee, to_committee=e.to_committee,
                   kind=e.kind, subject=e.subject, settled_in=e.settled_in_id, outcome=e.outcome,
                   created_at=e.created_at)


class EscalationIn(WriteSchema):
    kind: EscalationKind
    subject: str = Field(..., max_length=4000)


# -- pages, histories and changes --------------------------------------------------------------

NEXT = Field(description="À passer en « cursor » pour la page suivante ; absent à la dernière page.")


class MeetingPage(Schema):
    items: list[MeetingOut]
    next_cursor: str | None = NEXT


class DecisionPage(Schema):
    items: list[DecisionOut]
    next_cursor: str | None = NEXT


class ActionPage(Schema):
    items: list[ActionOut]
    next_cursor: str | None = NEXT


class RiskPage(Schema):
    items: list[RiskOut]
    next_cursor: str | None = NEXT


class RecordEventOut(Schema):
    """One line of a decision's, an action's or a risk's append-only history."""

    kind: str
    label: str
    at: datetime
    actor: str | None
    summary: str
    payload: dict[str, object] = Field(description="Ce qui a changé, avant et après, selon la nature.")

    @classmethod
    def of(cls, e: RecordEvent) -> RecordEventOut:
        return cls(kind=e.kind, label=str(e.get_kind_display()), at=e.at,
                   actor=e.actor.username if e.actor else None, summary=e.summary, payload=e.payload)


class DecisionDetailOut(DecisionOut):
    events: list[RecordEventOut]


class ActionDetailOut(ActionOut):
    events: list[RecordEventOut]


class RiskDetailOut(RiskOut):
    events: list[RecordEventOut]


class DecisionAmendIn(WriteSchema):
    title: str = Field(..., max_length=300)
    text: str = Field("", max_length=20000)
    reason: str = Field(..., max_length=2000, description="Motif, gardé dans l’historique.")


class ActionUpdateIn(WriteSchema):
    owner: str | None = Field(None, max_length=150, description="Identifiant d’un membre du marché ; "
                                                                "absent ou null : personne.")
    due_on: date
    reason: str = Field("", max_length=2000, description="Obligatoire quand l’échéance change.")


class RiskUpdateIn(WriteSchema):
    probability: int = Field(..., ge=1, le=4)
    impact: int = Field(..., ge=1, le=4)
    owner: str | None = Field(None, max_length=150)
    mitigation: str = Field("", max_length=20000)
    status: RiskStatus
