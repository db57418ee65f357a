"""Deliverables pages: the register (filters, exports, creation, planning from the convention),
a deliverable with its versions, reservations, history and the actions generated from the
workflow table, and a version's download.

Each view fetches through the access rules (``access.get_contract_for``,
``Deliverable.objects.get_for``: 404 for outsiders), validates one form, calls one domain method
and redirects with a message.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jalon.accounts import access
from jalon.accounts.access import AuthedRequest, Need
from jalon.accounts.models import Role
from jalon.contracts.models import Contract
from jalon.deliverables.models import Deliverable
from jalon.deliverables.queries import DeliverableQuerySet
from jalon.deliverables.workflow import STEPS, DeliverableState, Step
from jalon.documents.models import StructuredReport
from jalon.web.deliverables.forms import CreateForm, form_for
from jalon.web.exports import csv_response, local, xlsx_response

PLAN_AHEAD = timedelta(days=92)
"""How far ahead "Planifier" creates the register's deliverables (a quarter)."""


def _rows(request: AuthedRequest, contract: Contract) -> DeliverableQuerySet:
    rows = Deliverable.objects.visible_to(request.user, contract).select_related("contract", "convention_version")
    state = request.GET.get("state", "")
    rows = rows.matching(request.GET.get("q")).in_state([state] if state in DeliverableState.values else None)
    return rows.ordered_by("due_on")


def _types(contract: Contract) -> list[tuple[str, str]]:
    version = contract.current_convention()
    terms = version.parsed().deliverables if version else None
    return [(t.id, f"{t.id} — {t.label}" if t.annex else t.label) for t in terms.types] if terms else []


@login_required
def register(request: AuthedRequest, slug: str, create_form: CreateForm | None = None) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug, need=Need.VIEW_DELIVERABLES)
    now = timezone.now()
    rows = []
    for d in _rows(request, contract).prefetch_related("clocks"):
        running = sorted((c for c in d.clocks.all() if c.is_running and c.due_at), key=lambda c: c.pk)
        running.sort(key=lambda c: c.due_at or now)
        rows.append((d, running[0] if running else None, any((c.due_at or now) < now for c in running)))
    may_manage = access.may(request.user, contract, Need.MANAGE_DELIVERABLES)
    return render(request, "web/deliverable_list.html", {
        "contract": contract, "rows": rows, "now": now, "states": DeliverableState.choices,
        "state": request.GET.get("state", ""), "q": request.GET.get("q", ""),
        "may_manage": may_manage,
        "create_form": create_form or (CreateForm(types=_types(contract)) if may_manage else None),
    })


def _export_rows(rows: DeliverableQuerySet) -> Iterator[list[Any]]:
    for d in rows.prefetch_related("submissions"):
        versions = list(d.submissions.all())
        latest = versions[-1] if versions else None
        yield [d.reference, d.title, d.type_label(), d.due_on, d.get_state_display(), len(versions),
               local(versions[0].submitted_at) if versions else None,
               latest.sha256 if latest else "", local(d.decided_at)]


@login_required
def register_export(request: AuthedRequest, slug: str, fmt: str) -> HttpResponseBase:
    contract = access.get_contract_for(request.user, slug, need=Need.VIEW_DELIVERABLES)
    header = [_("Référence"), _("Intitulé"), _("Type"), _("Échéance"), _("État"), _("Versions"),
              _("Première remise"), _("SHA-256 de la dernière version"), _("Décidé le")]
    rows = _export_rows(_rows(request, contract))
    name = f"livrables-{contract.slug}.{fmt}"
    if fmt == "csv":
        return csv_response(name, header, rows)
    return xlsx_response(name, _("Livrables"), header, rows)


@login_required
@require_POST
def create(request: AuthedRequest, slug: str) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug, need=Need.MANAGE_DELIVERABLES)
    form = CreateForm(request.POST, types=_types(contract))
    if form.is_valid():
        try:
            d = Deliverable.expect(contract, request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_to(form, error)
        else:
            messages.success(request, _("Livrable %(ref)s ajouté au registre.") % {"ref": d.reference})
            return redirect("deliverable", contract.slug, d.pk)
    return register(request, slug, create_form=form)


@login_required
@require_POST
def plan(request: AuthedRequest, slug: str) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug, need=Need.MANAGE_DELIVERABLES)
    made = Deliverable.plan(contract, timezone.localdate() + PLAN_AHEAD, request.user)
    messages.success(request, _("%(n)s livrable(s) ajouté(s) depuis le registre de la convention.")
                     % {"n": len(made)})
    return redirect("deliverables", contract.slug)


def _offered(d: Deliverable, user: Any) -> list[Step]:
    return [step for step in STEPS.values() if d.offers(step, user)]


@login_required
def detail(request: AuthedRequest, slug: str, pk: int, failed: tuple[str, Any] | None = None) -> HttpResponse:
    d = Deliverable.objects.get_for(request.user, pk)
    if d.contract.slug != slug:
        raise Http404(_("Livrable introuvable."))
    forms = []
    for step in _offered(d, request.user):
        form = failed[1] if failed and failed[0] == step.slug else form_for(step.input, d, prefix=step.slug)
        forms.append((step, form))
    return render(request, "web/deliverable_detail.html", {
        "d": d, "contract": d.contract, "kind": d.kind, "now": timezone.now(),
        "validators": [Role(r).label for r in d.kind.validators],
        "submissions": d.submissions.select_related("submitted_by").order_by("-version"),
        "reservations": d.reservations.select_related("lifted_by"),
        "clocks": d.clocks.order_by("pk"), "history": d.history.select_related("actor"),
        "actions": forms, "open_forms": [failed[0]] if failed else [],
        "reports": (StructuredReport.objects.visible_to(request.user, d.contract)
                    if d.offers(STEPS["submit"], request.user) else []),
    }, status=400 if failed else 200)


@login_required
@require_POST
def act(request: AuthedRequest, slug: str, pk: int, action: str) -> HttpResponse:
    d = Deliverable.objects.get_for(request.user, pk)
    step = next((s for s in STEPS.values() if s.slug == action), None)
    if step is None or d.contract.slug != slug:
        raise Http404(_("Action inconnue."))
    access.require(request.user, d.contract, step.need)
    form = form_for(step.input, d, request.POST, request.FILES, prefix=step.slug)
    if form.is_valid():
        try:
            step.run(d, request.user, step.input(**form.cleaned_data))
        except ValidationError as error:
            _errors_to(form, error)
        else:
            messages.success(request, _("%(action)s : enregistré pour %(ref)s.")
                             % {"action": step.label, "ref": d.reference})
            return redirect("deliverable", slug, d.pk)
    return detail(request, slug, pk, failed=(step.slug, form))


def _errors_to(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@login_required
def download(request: AuthedRequest, slug: str, pk: int, version: int) -> FileResponse:
    d = Deliverable.objects.get_for(request.user, pk)
    submission = d.submissions.filter(version=version).first()
    if submission is None or d.contract.slug != slug:
        raise Http404(_("Version introuvable."))
    return FileResponse(submission.file.open("rb"), as_attachment=True, filename=submission.original_name,
                        content_type=submission.content_type)


def page_of(d: Deliverable) -> str:
    return reverse("deliverable", args=[d.contract.slug, d.pk])
