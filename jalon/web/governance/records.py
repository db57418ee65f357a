"""A decision's, an action's and a risk's own page: what it is now, the form that changes it
(each change a line of its append-only history) and that history. Same rights as the lists:
requesters and outsiders get 404s, a role that may only read sees no form."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jalon.accounts.access import AuthedRequest, Need
from jalon.accounts.models import members_of
from jalon.governance.models import Action, Decision, Risk
from jalon.governance.workflow import ActionStatus, RiskStatus
from jalon.web.governance.views import _act, _base, _contract, _day, _member


@login_required
def decision(request: AuthedRequest, slug: str, pk: int) -> HttpResponseBase:
    contract = _contract(request, slug)
    if request.method == "POST":
        found = Decision.objects.get_for(request.user, contract, pk, need=Need.GOVERN_RECORD)
        post = request.POST
        return _act(request, reverse("governance-decision", args=[slug, pk]),
                    lambda: found.amend(request.user, title=post.get("title", ""), text=post.get("text", ""),
                                        reason=post.get("reason", "")),
                    _("Décision %(ref)s modifiée.") % {"ref": found.reference})
    found = Decision.objects.get_for(request.user, contract, pk)
    return _page(request, contract, "decision", found, here=found.reference)


@login_required
def action(request: AuthedRequest, slug: str, pk: int) -> HttpResponseBase:
    contract = _contract(request, slug)
    if request.method == "POST":
        found = Action.objects.get_for(request.user, contract, pk, need=Need.GOVERN_RECORD)
        post = request.POST
        back = reverse("governance-action", args=[slug, pk])
        if post.get("change") == "status":
            done_on = post.get("done_on", "")
            return _act(request, back, lambda: found.set_status(
                request.user, post.get("status", ""), _day(done_on, "done_on") if done_on else None),
                _("Action %(ref)s mise à jour.") % {"ref": found.reference})
        return _act(request, back, lambda: found.update(
            request.user, owner=_member(contract, post.get("owner", "")), due_on=_day(post.get("due_on", ""), "due_on"),
            reason=post.get("reason", "")), _("Action %(ref)s mise à jour.") % {"ref": found.reference})
    found = Action.objects.get_for(request.user, contract, pk)
    return _page(request, contract, "action", found, here=found.reference,
                 late=found.days_late(timezone.localdate()), statuses=ActionStatus.choices,
                 clocks=found.clocks.order_by("pk"))


@login_required
def risk(request: AuthedRequest, slug: str, pk: int) -> HttpResponseBase:
    contract = _contract(request, slug)
    if request.method == "POST":
        found = Risk.objects.get_for(request.user, contract, pk, need=Need.GOVERN_RECORD)
        post = request.POST
        return _act(request, reverse("governance-risk", args=[slug, pk]), lambda: found.update(
            request.user, probability=_scale(post.get("probability")), impact=_scale(post.get("impact")),
            owner=_member(contract, post.get("owner", "")), mitigation=post.get("mitigation", ""),
            status=post.get("status", "")), _("Risque %(ref)s mis à jour.") % {"ref": found.reference})
    found = Risk.objects.get_for(request.user, contract, pk)
    return _page(request, contract, "risk", found, here=found.reference, statuses=RiskStatus.choices,
                 scale=range(1, 5), reviews=found.reviews.select_related("meeting", "reviewed_by"))


def _scale(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() else 0


def _page(request: AuthedRequest, contract: Any, what: str, record: Any, **extra: Any) -> HttpResponse:
    return render(request, "web/governance/record.html", _base(
        request, contract, what=what, record=record, members=members_of(contract),
        history=record.events.select_related("actor").order_by("at", "pk"), **extra))
