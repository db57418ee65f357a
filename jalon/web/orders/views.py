"""Purchase-order pages: the list and its exports, an order and its actions (generated from the
workflow table), the creation form with lines, an order made from a ticket, the price schedule
and the ceiling gauge.

Each view fetches through the access rules (``access.get_contract_for``,
``Order.objects.get_for``: 404 for outsiders), validates one form, calls one domain method and
redirects with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jalon.accounts import access
from jalon.accounts.access import AuthedRequest, Need
from jalon.commitments.workflow import input_fields
from jalon.contracts.models import Contract
from jalon.orders.gauge import gauges
from jalon.orders.models import Order, PriceRevision, PriceSchedule
from jalon.orders.queries import SORT_KEYS
from jalon.orders.workflow import STEPS, OrderState, Step
from jalon.web.exports import csv_response, local, xlsx_response
from jalon.web.orders.forms import OrderCreateForm, step_form

BY_SLUG: dict[str, Step] = {s.slug: s for s in STEPS.values()}
PAGE = 100


def _orders(request: AuthedRequest, contract: Contract) -> tuple[Any, dict[str, str]]:
    found = Order.objects.visible_to(request.user, contract).select_related("contract", "type", "requester", "service")
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "state", "type", "sort")}
    found = found.matching(filters["q"])
    if filters["state"] in OrderState.values:
        found = found.filter(state=filters["state"])
    if filters["type"]:
        found = found.filter(type__code=filters["type"])
    key = filters["sort"].lstrip("-")
    found = found.ordered_by(key if key in SORT_KEYS else "number",  # type: ignore[arg-type]
                             descending=filters["sort"].startswith("-") or not filters["sort"])
    return found, filters


@login_required
def order_list(request: AuthedRequest, slug: str) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug)
    found, filters = _orders(request, contract)
    schedule = PriceSchedule.in_force(contract, timezone.localdate())
    types = sorted({(t.code, t.label) for t in schedule.types.all()}) if schedule else []
    return render(request, "web/order_list.html", {
        "contract": contract, "orders": found.prefetch_related("lines")[:PAGE], "count": found.count(),
        "filters": filters, "states": OrderState.choices, "types": types, "now": timezone.now(),
        "may_order": access.may(request.user, contract, Need.ORDER) and schedule is not None,
        "gauges": (gauges(contract, timezone.localdate())
                   if access.may(request.user, contract, Need.VIEW_DASHBOARD) else []),
    })


def export_header() -> list[str]:
    return [_("Numéro"), _("Référence"), _("Objet"), _("Type"), _("État"), _("Demandeur"), _("Service"),
            _("Engagement juridique"), _("Montant HT (€)"), _("Réfaction HT (€)"), _("Ajournements"),
            _("Demandé le"), _("Signé le"), _("Livré le"), _("Échéance")]


@login_required
def order_export(request: AuthedRequest, slug: str, fmt: str) -> HttpResponseBase:
    contract = access.get_contract_for(request.user, slug, need=Need.DOWNLOAD)
    found, _filters = _orders(request, contract)
    rows = ([o.number, o.reference, o.title, o.type.label, o.get_state_display(),
             o.requester.get_full_name() or o.requester.username,
             o.service.name if o.service else "", o.commitment_number, o.amount, o.refaction,
             o.deferrals, local(o.requested_at), local(o.signed_at), local(o.delivered_at), local(o.due_at)]
            for o in found.prefetch_related("lines").iterator(chunk_size=500))
    name = f"commandes-{contract.slug}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(name, _("Bons de commande"), export_header(), rows)
    return csv_response(name, export_header(), rows)


def _actions(request: AuthedRequest, order: Order, bound: dict[str, Any] | None = None) -> list[tuple[Step, Any]]:
    offered = [s for s in STEPS.values() if order.may_take(request.user, s)]
    offered += [BY_SLUG[slug] for slug in (bound or {}) if BY_SLUG[slug] not in offered]
    return [(s, (bound or {}).get(s.slug) or step_form(s)(prefix=s.slug)) for s in offered]


def _detail(request: AuthedRequest, order: Order, bound: dict[str, Any] | None = None,
            status: int = 200) -> HttpResponse:
    from jalon.tickets.models import Ticket

    tickets = Ticket.objects.visible_to(request.user, order.contract).filter(orders=order)
    return render(request, "web/order_detail.html", {
        "contract": order.contract, "order": order, "lines": order.lines.select_related("work_unit"),
        "clocks": order.clocks.all(), "events": order.events.select_related("actor"),
        "deliverables": order.deliverables.all(), "tickets": tickets, "now": timezone.now(),
        "actions": _actions(request, order, bound), "open_forms": set(bound or {}),
    }, status=status)


@login_required
def order_detail(request: AuthedRequest, slug: str, number: int) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug)
    return _detail(request, Order.objects.get_for(request.user, contract, number))


@login_required
@require_POST
def order_action(request: AuthedRequest, slug: str, number: int, action: str) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug)
    order = Order.objects.get_for(request.user, contract, number)
    taken = BY_SLUG.get(action)
    if taken is None:
        raise Http404(_("Action inconnue."))
    access.require(request.user, contract, taken.need)
    form = step_form(taken)(request.POST, request.FILES, prefix=taken.slug)
    if form.is_valid():
        try:
            if taken.moves:
                given = {f.name: form.cleaned_data[f.name] if form.cleaned_data.get(f.name) not in (None, "")
                         else f.default for f in input_fields(taken.input) if not f.required}
                given |= {f.name: form.cleaned_data[f.name] for f in input_fields(taken.input) if f.required}
                taken.run(order, request.user, taken.input(**given))
            else:
                order.add_deliverable(request.user, form.cleaned_data["file"])
        except ValidationError as error:
            for field, problems in (error.message_dict.items() if hasattr(error, "error_dict") else
                                    [(None, error.messages)]):
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, _("%(action)s : enregistré.") % {"action": taken.label})
            return redirect("order", slug, number)
    return _detail(request, order, {taken.slug: form}, status=400)


@login_required
def download_deliverable(request: AuthedRequest, slug: str, number: int, deliverable: int) -> FileResponse:
    contract = access.get_contract_for(request.user, slug, need=Need.DOWNLOAD)
    order = Order.objects.get_for(request.user, contract, number)
    found = order.deliverables.filter(pk=deliverable).first()
    if found is None:
        raise Http404(_("Livrable introuvable."))
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.original_name)


def _create(request: AuthedRequest, contract: Contract, ticket: Any = None) -> HttpResponse:
    access.require(request.user, contract, Need.ORDER)
    schedule = PriceSchedule.in_force(contract, timezone.localdate())
    if schedule is None:
        raise Http404(_("Aucun bordereau de prix en vigueur."))
    roles = access.roles_on(request.user, contract)
    units = [u for u in schedule.units.select_related("type") if u.type.ordered_by(roles)]
    initial = {"title": _("Maintenance corrective — %(t)s") % {"t": ticket}} if ticket else None
    visible = Order.objects.visible_to(request.user, contract)
    audits = [(str(o.number), f"{o.reference} — {o.title}")
              for o in visible.filter(type__report_days__isnull=False).exclude(state=OrderState.CANCELLED)]
    form = OrderCreateForm(request.POST or None, units=units, audits=audits, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            lines = form.lines()
            if not form.errors:
                chosen = form.cleaned_data.get("audit")
                audit = visible.filter(number=int(chosen)).first() if chosen else None
                try:
                    order = Order.request(contract, actor=request.user, title=form.cleaned_data["title"],
                                          description=form.cleaned_data["description"], lines=lines,
                                          tickets=[ticket] if ticket else [], audit=audit)
                except ValidationError as error:
                    for problem in error.messages:
                        form.add_error(None, problem)
                else:
                    messages.success(request, _("Bon de commande %(ref)s enregistré.") % {"ref": order.reference})
                    return redirect("order", contract.slug, order.number)
    return render(request, "web/order_create.html", {"contract": contract, "form": form, "schedule": schedule,
                                                     "ticket": ticket}, status=status)


@login_required
def order_create(request: AuthedRequest, slug: str) -> HttpResponse:
    return _create(request, access.get_contract_for(request.user, slug))


@login_required
def order_from_ticket(request: AuthedRequest, slug: str, ticket: int) -> HttpResponse:
    """An urgent intervention beyond a day, or a qualified anomaly, becomes corrective work
    under an order (seed 000 L146): the order is made linked to its ticket."""
    contract = access.get_contract_for(request.user, slug)
    found = contract.tickets.filter(pk=ticket).first()
    from jalon.tickets.models import Ticket

    if found is None or not Ticket.objects.visible_to(request.user, contract).filter(pk=found.pk).exists():
        raise Http404(_("Ticket introuvable."))
    return _create(request, contract, found)


@login_required
@require_POST
def approve_revision(request: AuthedRequest, slug: str, revision: int) -> HttpResponse:
    """The buyer manager approves a computed revision: a new schedule version takes effect on its
    date (past prices untouched)."""
    contract = access.get_contract_for(request.user, slug, need=Need.MANAGE_SCHEDULE)
    found = PriceRevision.objects.filter(pk=revision, base__contract=contract).first()
    if found is None:
        raise Http404(_("Révision introuvable."))
    try:
        made = found.approve(request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Révision approuvée : bordereau v%(v)s en vigueur le %(d)s.")
                         % {"v": made.version, "d": made.effective_from})
    return redirect("price-schedule", slug)


@login_required
def schedule_page(request: AuthedRequest, slug: str) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug)
    schedules = list(contract.price_schedules.order_by("-version"))
    current = PriceSchedule.in_force(contract, timezone.localdate())
    return render(request, "web/price_schedule.html", {
        "contract": contract, "schedules": schedules, "current": current,
        "units": current.units.select_related("type") if current else [],
        "types": current.types.all() if current else [],
        "revisions": [(r, r.prices()) for r in PriceRevision.objects.filter(base__contract=contract)
                      .select_related("index", "base_value", "new_value", "base")],
        "gauges": gauges(contract, timezone.localdate()),
        "may_approve": access.may(request.user, contract, Need.MANAGE_SCHEDULE),
    })
