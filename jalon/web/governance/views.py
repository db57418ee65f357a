"""Governance pages (issue 14): the committees' meetings as a calendar list, a meeting's page
(agenda, attendance, minutes, with the actions of the workflow table), the decisions register
with its search, the action plan and the risks matrix; CSV and XLSX exports of each list, and
the minutes as PDF and DOCX. Requesters and outsiders get 404s, as in the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jalon.accounts import access
from jalon.accounts.access import AuthedRequest, Need
from jalon.accounts.models import members_of
from jalon.commitments.workflow import input_fields
from jalon.contracts.models import Contract
from jalon.conventions.period import Period
from jalon.documents.render import TemplateProblem
from jalon.governance import documents
from jalon.governance.models import Action, Decision, Escalation, Finding, Meeting, Risk
from jalon.governance.workflow import (
    STEPS,
    ActionDomain,
    ActionStatus,
    EscalationKind,
    MinutesState,
    RiskKind,
    RiskStatus,
    SubjectKind,
)
from jalon.web import exports


def _contract(request: AuthedRequest, slug: str) -> Contract:
    contract = access.get_contract_for(request.user, slug)
    if not access.may(request.user, contract, Need.GOVERN_VIEW):
        raise Http404(_("Marché introuvable."))
    return contract


def _base(request: AuthedRequest, contract: Contract, **extra: Any) -> dict[str, Any]:
    may = {need.name.lower(): access.may(request.user, contract, need)
           for need in (Need.GOVERN_SCHEDULE, Need.GOVERN_PREPARE, Need.GOVERN_REVIEW, Need.GOVERN_RECORD)}
    return {"contract": contract, "may": may, **extra}


def _errors(request: AuthedRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _act(request: AuthedRequest, back: str, work: Callable[[], Any], done: str) -> HttpResponseRedirect:
    """Run a domain method from a form: its refusals become messages on the page."""
    try:
        work()
    except ValidationError as error:
        _errors(request, error)
    except access.NotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return HttpResponseRedirect(back)


def _aware(text: str, tz: str, field: str) -> datetime:
    found = parse_datetime(text or "")
    if found is None:
        raise ValidationError({field: [_("Date et heure attendues (AAAA-MM-JJ HH:MM).")]})
    return found if found.tzinfo else found.replace(tzinfo=ZoneInfo(tz))


def _day(text: str, field: str) -> date:
    found = parse_date(text or "")
    if found is None:
        raise ValidationError({field: [_("Date attendue (AAAA-MM-JJ).")]})
    return found


def _tz(contract: Contract) -> str:
    version = contract.current_convention()
    return version.parsed().contract.tz if version else "Europe/Paris"


def _member(contract: Contract, username: str) -> User | None:
    if not username:
        return None
    person = members_of(contract).filter(username=username).first()
    if person is None:
        raise ValidationError({"owner": [_("« %(who)s » n’a pas de rôle sur ce marché.") % {"who": username}]})
    return person


# -- meetings ---------------------------------------------------------------------------------

def _meetings(request: AuthedRequest, contract: Contract) -> Any:
    rows = Meeting.objects.visible_to(request.user, contract).matching(request.GET.get("q"))
    if request.GET.get("committee"):
        rows = rows.filter(committee=request.GET["committee"])
    if request.GET.get("releve") in MinutesState.values:
        rows = rows.filter(minutes_state=request.GET["releve"])
    return rows.select_related("contract", "convention_version").ordered_by("starts_at")


@login_required
def meetings(request: AuthedRequest, slug: str) -> HttpResponse:
    contract = _contract(request, slug)
    if request.method == "POST":
        access.require(request.user, contract, Need.GOVERN_SCHEDULE)
        back = reverse("governance", args=[slug])

        def schedule() -> Meeting:
            return Meeting.schedule(request.user, contract, request.POST.get("committee", ""),
                                    _aware(request.POST.get("starts_at", ""), _tz(contract), "starts_at"))
        return _act(request, back, schedule, _("Réunion planifiée."))
    version = contract.current_convention()
    committees = version.parsed().committees if version else ()
    now = timezone.now()
    rows = list(_meetings(request, contract))
    return render(request, "web/governance/meetings.html", _base(
        request, contract, committees=committees, upcoming=[m for m in rows if m.ends_at >= now],
        past=[m for m in rows if m.ends_at < now][::-1], params=request.GET, query=request.GET.urlencode()))


def review_period(meeting: Meeting) -> tuple[Period, str]:
    """The period a meeting reviews, and the dashboard's query for it: the quarter before a
    quarterly or rarer committee's meeting, else the month before it (its dashboard and
    scorecard pack)."""
    committee = meeting.committee_def()
    held = timezone.localtime(meeting.starts_at, meeting.zone()).date()
    if committee is not None and committee.frequency in ("quarterly", "half_yearly", "yearly"):
        period = Period.quarter_of(Period.quarter_of(held).first_day - timedelta(days=1))
        quarter = (period.first_day.month - 1) // 3 + 1
        return period, f"?period=quarter&quarter={period.first_day.year}-T{quarter}"
    before = held.replace(day=1) - timedelta(days=1)
    return Period.parse(f"{before:%Y-%m}"), f"?period=month&month={before:%Y-%m}"


@login_required
def meeting(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    contract = _contract(request, slug)
    found = Meeting.objects.get_for(request.user, contract, pk)
    period, pack = review_period(found)
    steps = [(s, [{"name": f.name, "label": getattr(f.meaning, "description", "") or f.name,
                   "required": f.required, "when": f.type is datetime} for f in input_fields(s.input)])
             for s in found.allowed_steps(request.user)]
    risks = Risk.objects.visible_to(request.user, contract).exclude(status=RiskStatus.CLOSED)
    reviewed = {r.risk_id: r for r in found.risk_reviews.all()}
    return render(request, "web/governance/meeting.html", _base(
        request, contract, meeting=found, steps=steps, clocks=found.clocks.order_by("pk"),
        events=found.events.select_related("actor"), decisions=found.decisions.order_by("number"),
        actions=found.actions.select_related("owner"), risks=[(r, reviewed.get(r.pk)) for r in risks],
        escalations_raised=found.escalations_raised.all(), findings=found.findings.all(),
        escalations_open=Escalation.objects.visible_to(request.user, contract).filter(
            to_committee=found.committee, settled_in__isnull=True),
        dashboard_url=reverse("dashboard", args=[slug]) + pack, period=period, today=timezone.localdate(),
        members=members_of(contract), subject_kinds=SubjectKind.choices[1:], domains=ActionDomain.choices,
        risk_statuses=RiskStatus.choices, escalation_kinds=EscalationKind.choices, scale=range(1, 5)))


@login_required
@require_POST
def meeting_step(request: AuthedRequest, slug: str, pk: int, step_slug: str) -> HttpResponseRedirect:
    contract = _contract(request, slug)
    taken = next((s for s in STEPS.values() if s.slug == step_slug), None)
    if taken is None:
        raise Http404(_("Action inconnue."))
    found = Meeting.objects.get_for(request.user, contract, pk, need=taken.need)
    back = reverse("governance-meeting", args=[slug, pk])

    def run() -> Any:
        values: dict[str, Any] = {}
        for field in input_fields(taken.input):
            raw = request.POST.get(field.name, "")
            values[field.name] = _aware(raw, _tz(contract), field.name) if field.type is datetime else raw
        return taken.run(found, request.user, taken.input(**values))
    return _act(request, back, run, _("« %(a)s » : fait.") % {"a": taken.label})


@login_required
@require_POST
def meeting_record(request: AuthedRequest, slug: str, pk: int, what: str) -> HttpResponseRedirect:
    """A decision, an action, a risk review or an escalation recorded at a meeting."""
    contract = _contract(request, slug)
    found = Meeting.objects.get_for(request.user, contract, pk, need=Need.GOVERN_RECORD)
    back = reverse("governance-meeting", args=[slug, pk])
    post = request.POST
    held_on = timezone.localtime(found.starts_at, found.zone()).date()
    work: dict[str, tuple[Callable[[], Any], str]] = {
        "decision": (lambda: Decision.record(
            request.user, contract, title=post.get("title", ""), decided_on=held_on, meeting=found,
            text=post.get("text", ""), subject_kind=post.get("subject_kind", ""),
            subject_ref=post.get("subject_ref", "")), _("Décision enregistrée.")),
        "action": (lambda: Action.create(
            request.user, contract, title=post.get("title", ""), due_on=_day(post.get("due_on", ""), "due_on"),
            owner=_member(contract, post.get("owner", "")), meeting=found,
            domain=post.get("domain", ActionDomain.QUALITY)), _("Action créée.")),
        "risk-review": (lambda: Risk.objects.get_for(request.user, contract, post.get("risk", ""),
                                                     need=Need.GOVERN_RECORD).review(
            request.user, found, probability=int(post.get("probability") or 0),
            impact=int(post.get("impact") or 0), status=post.get("status", ""), note=post.get("note", "")),
            _("Revue du risque enregistrée.")),
        "escalation": (lambda: Escalation.raise_from(request.user, found, kind=post.get("kind", ""),
                                                     subject=post.get("subject", "")),
                       _("Escalade portée au comité supérieur.")),
        "finding": (lambda: Finding.record(request.user, found, domain=post.get("domain", ""),
                                           description=post.get("description", "")),
                    _("Manquement enregistré.")),
        "settle": (lambda: Escalation.objects.get_for(request.user, contract, post.get("escalation", ""),
                                                      need=Need.GOVERN_RECORD).settle(
            request.user, found, post.get("outcome", "")), _("Escalade traitée.")),
    }
    if what not in work:
        raise Http404(_("Action inconnue."))
    return _act(request, back, work[what][0], work[what][1])


@login_required
def minutes_document(request: AuthedRequest, slug: str, pk: int, doc: str) -> HttpResponse:
    contract = _contract(request, slug)
    found = Meeting.objects.get_for(request.user, contract, pk)
    if not found.minutes_state or doc not in ("pdf", "docx"):
        raise Http404(_("Cette réunion n’a pas encore de relevé."))
    try:
        body, kind = ((documents.minutes_pdf(found), "application/pdf") if doc == "pdf" else
                      (documents.minutes_docx(found), "application/vnd.openxmlformats-officedocument."
                                                      "wordprocessingml.document"))
    except TemplateProblem as problem:  # the contract's template, stored before a change of the data
        messages.error(request, str(problem))
        return HttpResponseRedirect(reverse("governance-meeting", args=[slug, pk]))
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="releve-{found.pk}.{doc}"'
    return response


# -- registers --------------------------------------------------------------------------------

@login_required
def decisions(request: AuthedRequest, slug: str) -> HttpResponse:
    contract = _contract(request, slug)
    rows = Decision.objects.visible_to(request.user, contract).matching(request.GET.get("q")) \
        .select_related("meeting")
    return render(request, "web/governance/decisions.html", _base(
        request, contract, decisions=rows, params=request.GET, query=request.GET.urlencode()))


@login_required
def actions(request: AuthedRequest, slug: str) -> HttpResponse:
    contract = _contract(request, slug)
    back = reverse("governance-actions", args=[slug])
    if request.method == "POST":
        action = Action.objects.get_for(request.user, contract, request.POST.get("action", ""),
                                        need=Need.GOVERN_RECORD)
        return _act(request, back, lambda: action.set_status(request.user, request.POST.get("status", "")),
                    _("Action %(ref)s mise à jour.") % {"ref": action.reference})
    rows = _actions(request, contract)
    today = timezone.localdate()
    return render(request, "web/governance/actions.html", _base(
        request, contract, actions=[(a, a.days_late(today)) for a in rows], statuses=ActionStatus.choices,
        params=request.GET, query=request.GET.urlencode()))


def _actions(request: AuthedRequest, contract: Contract) -> Any:
    rows = Action.objects.visible_to(request.user, contract).matching(request.GET.get("q")) \
        .select_related("owner", "meeting")
    if request.GET.get("status"):
        rows = rows.filter(status=request.GET["status"])
    if request.GET.get("mine"):
        rows = rows.filter(owner=request.user)
    if request.GET.get("late"):
        rows = rows.late(timezone.localdate())
    return rows


@login_required
def risks(request: AuthedRequest, slug: str) -> HttpResponse:
    contract = _contract(request, slug)
    back = reverse("governance-risks", args=[slug])
    if request.method == "POST":
        post = request.POST
        return _act(request, back, lambda: Risk.create(
            request.user, contract, title=post.get("title", ""), probability=int(post.get("probability") or 0),
            impact=int(post.get("impact") or 0), owner=_member(contract, post.get("owner", "")),
            mitigation=post.get("mitigation", ""), kind=post.get("kind", RiskKind.RISK)), _("Risque enregistré."))
    rows = list(Risk.objects.visible_to(request.user, contract).select_related("owner").prefetch_related("reviews"))
    open_rows = [r for r in rows if r.status != RiskStatus.CLOSED]
    matrix = [(p, [(i, [r for r in open_rows if r.probability == p and r.impact == i]) for i in range(1, 5)])
              for p in range(4, 0, -1)]
    return render(request, "web/governance/risks.html", _base(
        request, contract, risks=rows, matrix=matrix, members=members_of(contract), kinds=RiskKind.choices,
        scale=range(1, 5)))


# -- exports ----------------------------------------------------------------------------------

def _local(instant: datetime | None) -> Any:
    return exports.local(instant)


@login_required
def export(request: AuthedRequest, slug: str, what: str, fmt: str) -> HttpResponseBase:
    contract = _contract(request, slug)
    today = timezone.localdate()
    tables: dict[str, tuple[str, list[str], Callable[[], Any]]] = {
        "reunions": (_("Réunions"), [_("Comité"), _("Début"), _("Statut"), _("Ordre du jour envoyé le"),
                                     _("Relevé"), _("Relevé envoyé le"), _("Relevé validé le"), _("Présents")],
                     lambda: ([m.committee_label, _local(m.starts_at), m.get_status_display(),
                               _local(m.agenda_sent_at), m.get_minutes_state_display(),
                               _local(m.minutes_first_sent_at), _local(m.minutes_validated_at), ", ".join(m.present)]
                              for m in _meetings(request, contract))),
        "decisions": (_("Décisions"), [_("Numéro"), _("Date"), _("Décision"), _("Objet"), _("Référence"),
                                       _("Réunion")],
                      lambda: ([d.reference, d.decided_on, d.title, d.get_subject_kind_display(), d.subject_ref,
                                str(d.meeting) if d.meeting else ""]
                               for d in Decision.objects.visible_to(request.user, contract)
                               .matching(request.GET.get("q")).select_related("meeting"))),
        "actions": (_("Actions"), [_("Numéro"), _("Action"), _("Responsable"), _("Échéance"), _("Statut"),
                                   _("Domaine"), _("Réalisée le"), _("Jours de retard")],
                    lambda: ([a.reference, a.title, a.owner.username if a.owner else "", a.due_on,
                              a.get_status_display(), a.get_domain_display(), a.done_on, a.days_late(today)]
                             for a in _actions(request, contract))),
        "risques": (_("Risques"), [_("Numéro"), _("Nature"), _("Intitulé"), _("Probabilité"), _("Impact"),
                                   _("Criticité"), _("Responsable"), _("Mesures"), _("Statut")],
                    lambda: ([r.reference, r.get_kind_display(), r.title, r.probability, r.impact, r.score,
                              r.owner.username if r.owner else "", r.mitigation, r.get_status_display()]
                             for r in Risk.objects.visible_to(request.user, contract).select_related("owner"))),
    }
    if what not in tables:
        raise Http404(_("Export inconnu."))
    title, header, rows = tables[what]
    name = f"{what}-{contract.slug}.{fmt}"
    if fmt == "csv":
        return exports.csv_response(name, header, rows())
    return exports.xlsx_response(name, title, header, rows())
