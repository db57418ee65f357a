"""Governance under ``/contracts/{slug}``: meetings (and their transitions and minutes
documents), decisions, actions, risks and escalations. Same rights as the pages: no role on the
contract, or a role that does not see governance (a requester), is a 404; a role too weak for a
write is a 403."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from jalon.accounts import access
from jalon.accounts.access import Need, get_contract_for
from jalon.accounts.models import members_of
from jalon.api import keyset
from jalon.api.auth import caller
from jalon.api.errors import ERRORS
from jalon.api.governance.filters import ActionFilters, DecisionFilters, MeetingFilters, RiskFilters
from jalon.api.governance.schemas import (
    ActionDetailOut,
    ActionIn,
    ActionOut,
    ActionPage,
    ActionStatusIn,
    ActionUpdateIn,
    DecisionAmendIn,
    DecisionDetailOut,
    DecisionIn,
    DecisionOut,
    DecisionPage,
    EscalationIn,
    EscalationOut,
    MeetingClockOut,
    MeetingDetailOut,
    MeetingEventOut,
    MeetingIn,
    MeetingOut,
    MeetingPage,
    RecordEventOut,
    RiskDetailOut,
    RiskIn,
    RiskOut,
    RiskPage,
    RiskReviewIn,
    RiskUpdateIn,
)
from jalon.api.governance.transitions import AnyMeetingTransition
from jalon.contracts.models import Contract
from jalon.documents.render import TemplateProblem
from jalon.governance import documents
from jalon.governance.models import Action, Decision, Escalation, Meeting, Risk
from jalon.lib import clock

router = Router(tags=["gouvernance"])


def _contract(request: HttpRequest, slug: str) -> Contract:
    contract = get_contract_for(caller(request), slug)
    if not access.may(caller(request), contract, Need.GOVERN_VIEW):
        raise Http404(_("Marché introuvable."))
    return contract


def _member(contract: Contract, username: str | None, field: str) -> User | None:
    if username is None:
        return None
    person = members_of(contract).filter(username=username).first()
    if person is None:
        raise ValidationError({field: [_("« %(who)s » n’a pas de rôle sur ce marché.") % {"who": username}]})
    return person


def _meeting(request: HttpRequest, contract: Contract, meeting_id: int | None, field: str = "meeting"
             ) -> Meeting | None:
    if meeting_id is None:
        return None
    found = Meeting.objects.visible_to(caller(request), contract).filter(pk=meeting_id).first()
    if found is None:
        raise ValidationError({field: [_("Réunion introuvable sur ce marché.")]})
    return found


def _today(contract: Contract) -> date:
    return timezone.localdate(clock.now())


# -- meetings ---------------------------------------------------------------------------------

@router.get("/{slug}/meetings", response={200: MeetingPage, **ERRORS}, summary="Réunions des comités")
def list_meetings(request: HttpRequest, slug: str, filters: Query[MeetingFilters]) -> MeetingPage:
    contract = _contract(request, slug)
    rows = filters.apply(Meeting.objects.visible_to(caller(request), contract).select_related("contract"))
    found, next_cursor = keyset.page(rows, filters.sort, filters.cursor, filters.limit)
    return MeetingPage(items=[MeetingOut.of(m) for m in found], next_cursor=next_cursor)


@router.post("/{slug}/meetings", response={201: MeetingOut, **ERRORS}, summary="Planifier une réunion")
def create_meeting(request: HttpRequest, slug: str, payload: MeetingIn) -> tuple[int, MeetingOut]:
    contract = _contract(request, slug)
    access.require(caller(request), contract, Need.GOVERN_SCHEDULE)
    meeting = Meeting.schedule(caller(request), contract, payload.committee, payload.starts_at)
    return 201, MeetingOut.of(meeting)


def _detail(meeting: Meeting, user: User) -> MeetingDetailOut:
    return MeetingDetailOut(
        **MeetingOut.of(meeting).model_dump(), agenda=meeting.agenda, minutes_text=meeting.minutes_text,
        excused=list(meeting.excused), clocks=[MeetingClockOut.of(c) for c in meeting.clocks.order_by("pk")],
        events=[MeetingEventOut.of(e) for e in meeting.events.select_related("actor")],
        actions_allowed=[s.name for s in meeting.allowed_steps(user)])


@router.get("/{slug}/meetings/{int:meeting_id}", response={200: MeetingDetailOut, **ERRORS},
            summary="Une réunion")
def get_meeting(request: HttpRequest, slug: str, meeting_id: int) -> MeetingDetailOut:
    contract = _contract(request, slug)
    return _detail(Meeting.objects.get_for(caller(request), contract, meeting_id), caller(request))


@router.post("/{slug}/meetings/{int:meeting_id}/transitions", response={200: MeetingDetailOut, **ERRORS},
             summary="Faire avancer une réunion (ordre du jour, présences, relevé, validation…)")
def transition_meeting(request: HttpRequest, slug: str, meeting_id: int,
                       meeting_step: AnyMeetingTransition) -> MeetingDetailOut:
    contract = _contract(request, slug)
    meeting = Meeting.objects.get_for(caller(request), contract, meeting_id, need=meeting_step.need)
    meeting_step.apply(meeting, caller(request))
    meeting.refresh_from_db()
    return _detail(meeting, caller(request))


def _minutes(request: HttpRequest, slug: str, meeting_id: int) -> Meeting:
    contract = _contract(request, slug)
    meeting = Meeting.objects.get_for(caller(request), contract, meeting_id)
    if not meeting.minutes_state:
        raise Http404(_("Cette réunion n’a pas encore de relevé."))
    return meeting


@router.get("/{slug}/meetings/{int:meeting_id}/minutes.pdf", url_name="governance_minutes_pdf",
            response={200: None, **ERRORS}, summary="Le relevé de décisions en PDF")
def minutes_pdf(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _minutes(request, slug, meeting_id)
    response = HttpResponse(documents.minutes_pdf(meeting), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="releve-{meeting.pk}.pdf"'
    return response


@router.get("/{slug}/meetings/{int:meeting_id}/minutes.docx", url_name="governance_minutes_docx",
            response={200: None, **ERRORS}, summary="Le relevé de décisions en DOCX")
def minutes_docx(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """From the contract's Word template for the minutes when it has one (replaced on the
    reports page); a stored template that cannot render them is a 400 naming the problem."""
    meeting = _minutes(request, slug, meeting_id)
    try:
        content = documents.minutes_docx(meeting)
    except TemplateProblem as problem:
        raise ValidationError({"template": [str(problem)]}) from problem
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="releve-{meeting.pk}.docx"'
    return response


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.post("/{slug}/meetings/{int:meeting_id}/escalations", response={201: EscalationOut, **ERRORS},
             summary="Porter une alerte ou un désaccord au comité de niveau supérieur")
def escalate(request: HttpRequest, slug: str, meeting_id: int, payload: EscalationIn) -> tuple[int, EscalationOut]:
    contract = _contract(request, slug)
    meeting = Meeting.objects.get_for(caller(request), contract, meeting_id, need=Need.GOVERN_RECORD)
    return 201, EscalationOut.of(Escalation.raise_from(caller(request), meeting, kind=payload.kind,
                                                       subject=payload.subject))


@router.get("/{slug}/escalations", response={200: list[EscalationOut], **ERRORS}, summary="Escalades")
def list_escalations(request: HttpRequest, slug: str) -> list[EscalationOut]:
    contract = _contract(request, slug)
    return [EscalationOut.of(e) for e in Escalation.objects.visible_to(caller(request), contract)]


# -- decisions, actions, risks ----------------------------------------------------------------

@router.get("/{slug}/decisions", response={200: DecisionPage, **ERRORS}, summary="Registre des décisions")
def list_decisions(request: HttpRequest, slug: str, filters: Query[DecisionFilters]) -> DecisionPage:
    contract = _contract(request, slug)
    rows = filters.apply(Decision.objects.visible_to(caller(request), contract))
    found, next_cursor = keyset.page(rows, filters.sort, filters.cursor, filters.limit)
    return DecisionPage(items=[DecisionOut.of(d) for d in found], next_cursor=next_cursor)


@router.post("/{slug}/decisions", response={201: DecisionOut, **ERRORS}, summary="Enregistrer une décision")
def create_decision(request: HttpRequest, slug: str, payload: DecisionIn) -> tuple[int, DecisionOut]:
    contract = _contract(request, slug)
    access.require(caller(request), contract, Need.GOVERN_RECORD)
    decision = Decision.record(caller(request), contract, title=payload.title, decided_on=payload.decided_on,
                               text=payload.text, meeting=_meeting(request, contract, payload.meeting),
                               subject_kind=payload.subject_kind or "", subject_ref=payload.subject_ref)
    return 201, DecisionOut.of(decision)


def _history(record: Decision | Action | Risk) -> list[RecordEventOut]:
    return [RecordEventOut.of(e) for e in record.events.select_related("actor").order_by("at", "pk")]


@router.get("/{slug}/decisions/{int:decision_id}", response={200: DecisionDetailOut, **ERRORS},
            summary="Une décision et son historique")
def get_decision(request: HttpRequest, slug: str, decision_id: int) -> DecisionDetailOut:
    found = Decision.objects.get_for(caller(request), _contract(request, slug), decision_id)
    return DecisionDetailOut(**DecisionOut.of(found).model_dump(), events=_history(found))


@router.patch("/{slug}/decisions/{int:decision_id}", response={200: DecisionDetailOut, **ERRORS},
              summary="Corriger le texte d’une décision (motif obligatoire, texte précédent gardé)")
def amend_decision(request: HttpRequest, slug: str, decision_id: int, payload: DecisionAmendIn
                   ) -> DecisionDetailOut:
    contract = _contract(request, slug)
    found = Decision.objects.get_for(caller(request), contract, decision_id, need=Need.GOVERN_RECORD)
    found.amend(caller(request), title=payload.title, text=payload.text, reason=payload.reason)
    return get_decision(request, slug, decision_id)


@router.get("/{slug}/actions", response={200: ActionPage, **ERRORS}, summary="Plan d’actions")
def list_actions(request: HttpRequest, slug: str, filters: Query[ActionFilters]) -> ActionPage:
    contract = _contract(request, slug)
    today = _today(contract)
    rows = filters.apply(Action.objects.visible_to(caller(request), contract).select_related("owner"), today)
    found, next_cursor = keyset.page(rows, filters.sort, filters.cursor, filters.limit)
    return ActionPage(items=[ActionOut.of(a, today) for a in found], next_cursor=next_cursor)


@router.post("/{slug}/actions", response={201: ActionOut, **ERRORS}, summary="Créer une action")
def create_action(request: HttpRequest, slug: str, payload: ActionIn) -> tuple[int, ActionOut]:
    contract = _contract(request, slug)
    access.require(caller(request), contract, Need.GOVERN_RECORD)
    action = Action.create(caller(request), contract, title=payload.title, due_on=payload.due_on,
                           owner=_member(contract, payload.owner, "owner"),
                           meeting=_meeting(request, contract, payload.meeting), domain=payload.domain)
    return 201, ActionOut.of(action, _today(contract))


@router.get("/{slug}/actions/{int:action_id}", response={200: ActionDetailOut, **ERRORS},
            summary="Une action et son historique")
def get_action(request: HttpRequest, slug: str, action_id: int) -> ActionDetailOut:
    contract = _contract(request, slug)
    found = Action.objects.get_for(caller(request), contract, action_id)
    return ActionDetailOut(**ActionOut.of(found, _today(contract)).model_dump(), events=_history(found))


@router.patch("/{slug}/actions/{int:action_id}", response={200: ActionDetailOut, **ERRORS},
              summary="Changer le responsable ou l’échéance d’une action (motif obligatoire pour l’échéance)")
def update_action(request: HttpRequest, slug: str, action_id: int, payload: ActionUpdateIn) -> ActionDetailOut:
    contract = _contract(request, slug)
    found = Action.objects.get_for(caller(request), contract, action_id, need=Need.GOVERN_RECORD)
    found.update(caller(request), owner=_member(contract, payload.owner, "owner"), due_on=payload.due_on,
                 reason=payload.reason)
    return get_action(request, slug, action_id)


@router.post("/{slug}/actions/{int:action_id}/status", response={200: ActionOut, **ERRORS},
             summary="Changer le statut d’une action")
def set_action_status(request: HttpRequest, slug: str, action_id: int, payload: ActionStatusIn) -> ActionOut:
    contract = _contract(request, slug)
    action = Action.objects.get_for(caller(request), contract, action_id, need=Need.GOVERN_RECORD)
    action.set_status(caller(request), payload.status, payload.done_on)
    return ActionOut.of(action, _today(contract))


@router.get("/{slug}/risks", response={200: RiskPage, **ERRORS}, summary="Risques et points d’attention")
def list_risks(request: HttpRequest, slug: str, filters: Query[RiskFilters]) -> RiskPage:
    contract = _contract(request, slug)
    rows = filters.apply(Risk.objects.visible_to(caller(request), contract).select_related("owner"))
    found, next_cursor = keyset.page(rows, filters.sort, filters.cursor, filters.limit)
    return RiskPage(items=[RiskOut.of(r) for r in found], next_cursor=next_cursor)


@router.post("/{slug}/risks", response={201: RiskOut, **ERRORS}, summary="Déclarer un risque")
def create_risk(request: HttpRequest, slug: str, payload: RiskIn) -> tuple[int, RiskOut]:
    contract = _contract(request, slug)
    access.require(caller(request), contract, Need.GOVERN_RECORD)
    risk = Risk.create(caller(request), contract, title=payload.title, probability=payload.probability,
                       impact=payload.impact, owner=_member(contract, payload.owner, "owner"),
                       mitigation=payload.mitigation, kind=payload.kind)
    return 201, RiskOut.of(risk)


@router.get("/{slug}/risks/{int:risk_id}", response={200: RiskDetailOut, **ERRORS},
            summary="Un risque et son historique")
def get_risk(request: HttpRequest, slug: str, risk_id: int) -> RiskDetailOut:
    found = Risk.objects.get_for(caller(request), _contract(request, slug), risk_id)
    return RiskDetailOut(**RiskOut.of(found).model_dump(), events=_history(found))


@router.patch("/{slug}/risks/{int:risk_id}", response={200: RiskDetailOut, **ERRORS},
              summary="Coter à nouveau un risque, changer son responsable, ses mesures ou son statut")
def update_risk(request: HttpRequest, slug: str, risk_id: int, payload: RiskUpdateIn) -> RiskDetailOut:
    contract = _contract(request, slug)
    found = Risk.objects.get_for(caller(request), contract, risk_id, need=Need.GOVERN_RECORD)
    found.update(caller(request), probability=payload.probability, impact=payload.impact,
                 owner=_member(contract, payload.owner, "owner"), mitigation=payload.mitigation,
                 status=payload.status)
    return get_risk(request, slug, risk_id)


@router.post("/{slug}/risks/{int:risk_id}/reviews", response={200: RiskOut, **ERRORS},
             summary="Revoir un risque en comité")
def review_risk(request: HttpRequest, slug: str, risk_id: int, payload: RiskReviewIn) -> RiskOut:
    contract = _contract(request, slug)
    risk = Risk.objects.get_for(caller(request), contract, risk_id, need=Need.GOVERN_RECORD)
    meeting = _meeting(request, contract, payload.meeting)
    assert meeting is not None
    risk.review(caller(request), meeting, probability=payload.probability, impact=payload.impact,
                status=payload.status, note=payload.note)
    return RiskOut.of(risk)
