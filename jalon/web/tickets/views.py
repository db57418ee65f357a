"""Ticket pages: the lists and their exports, a ticket and its actions, the declaration, an
attachment, the intervention report.

Each view fetches through the access rules (``access.get_contract_for``,
``Ticket.objects.get_for``: 404 for outsiders), validates one form, calls one domain method and
redirects with a message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jalon.accounts import access
from jalon.accounts.access import AuthedRequest, Need
from jalon.accounts.models import Role, members_of
from jalon.commitments.workflow import Member, input_fields
from jalon.contracts.models import Contract
from jalon.tickets.channels import declared_channel
from jalon.tickets.models import Attachment, Criticality, Proposal, Ticket
from jalon.tickets.workflow import STEPS
from jalon.web.rules import Rules, rules_for
from jalon.web.tickets import clockview, exports, listing, pdf
from jalon.web.tickets.actions import ACTIONS, RECORDS, TRANSITIONS, Action
from jalon.web.tickets.forms import RulesForm, TicketCreateForm, report_of
from jalon.web.tickets.timeline import timeline_of

# -- lists ------------------------------------------------------------------------------------

def _render_list(request: AuthedRequest, contracts: list[Contract],
                 contract: Contract | None) -> HttpResponse:
    context = listing.list_context(request, contracts, contract)
    wanted = request.GET.get("page")
    page = listing.CappedPaginator(listing.list_page_rows(context["tickets"]), listing.PAGE_SIZE,
                                      wanted).get_page(wanted)
    filters = context["filters"]
    context.update({
        "page": page, "rows": listing.rows_of(page.object_list, contracts, context["rules"], context["now"]),
        "show_contract": contract is None,
        "query": listing.query_string(filters)[1:],
        "sort_links": {key: listing.query_string(
            filters, sort=(key if filters.get("sort") == f"-{key}" else f"-{key}"))
            for key in listing.SORTS},
        "page_links": listing.page_links(page, filters),
        "prev_link": listing.query_string(
            filters, page=page.previous_page_number() if page.has_previous() else None),
        "next_link": listing.query_string(
            filters, page=page.next_page_number() if page.has_next() else None),
        "may_open": contract is not None and access.may(request.user, contract, Need.OPEN),
        "may_view_dashboard": (contract is not None
                               and access.may(request.user, contract, Need.VIEW_DASHBOARD)),
        "sort_state": listing.sort_state(filters.get("sort", "-opened")),
    })
    return render(request, "web/ticket_list.html", context)


@login_required
def my_tickets(request: AuthedRequest) -> HttpResponse:
    return _render_list(request, access.contracts_of(request.user), None)


@login_required
def contract_tickets(request: AuthedRequest, slug: str) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug)
    return _render_list(request, [contract], contract)


# -- one ticket ------------------------------------------------------------------------------

def _members(contract: Contract, roles: Iterable[Role] | None = None) -> list[tuple[str, str]]:
    return [(str(u.pk), u.get_full_name() or u.username) for u in members_of(contract, roles=roles)]


def _form(action: Action, ticket: Ticket, rules: Rules, user: User, data: Any = None,
          files: Any = None) -> RulesForm:
    chosen = [f.meaning for f in input_fields(action.step.input) if isinstance(f.meaning, Member)]
    members = _members(ticket.contract, chosen[0].roles) if chosen else []
    form = action.form(data, files, rules=rules, ticket=ticket, members=members,
                       prefix=action.slug)
    if "internal" in form.fields and not access.may(user, ticket.contract, Need.COMMENT_INTERNAL):
        del form.fields["internal"]
    return form


def available_actions(user: User, ticket: Ticket) -> list[Action]:
    """The actions the workflow table offers ``user`` on ``ticket`` in its state."""
    return [ACTIONS[s.slug] for s in STEPS.values() if ticket.offers(s, user)]


def _load_ticket(user: User, pk: int, need: Need = Need.VIEW) -> Ticket:
    return Ticket.objects.select_related(
        "convention_version", "requester", "assignee", "intervention_report",
    ).get_for(user, pk, need=need)


def ticket_context(request: AuthedRequest, ticket: Ticket,
                   bound: dict[str, RulesForm] | None = None) -> dict[str, Any]:
    user, now = request.user, timezone.now()
    rules = rules_for(ticket.convention_version)
    see_internal = access.may(user, ticket.contract, Need.SEE_INTERNAL)
    actions = available_actions(user, ticket)
    # A refused form stays on the page with its errors, even if the state no longer offers it.
    actions += [ACTIONS[slug] for slug in (bound or {}) if ACTIONS[slug] not in actions]
    forms = {a.slug: (bound or {}).get(a.slug) or _form(a, ticket, rules, user) for a in actions}
    clocks = [clockview.view_of(c, now, rules.calendar(c.calendar_name))
              for c in ticket.clocks.all()]
    return {
        "ticket": ticket, "rules": rules, "now": now, "clocks": clocks,
        "type_label": rules.type_label(ticket.type),
        "timeline": timeline_of(ticket, internal=see_internal),
        "see_internal": see_internal,
        "transitions": [(ACTIONS[s], forms[s]) for s in TRANSITIONS if s in forms],
        "records": [(ACTIONS[s], forms[s]) for s in RECORDS if s in forms],
        "open_forms": set(bound or {}),
        "fix_action": next((a for a in actions if a.step.name == "deliver_fix"), None),
        "report": report_of(ticket),
        **diagnosis_of(ticket),
    }


def diagnosis_of(ticket: Ticket) -> dict[str, Any]:
    """The holder's last diagnosis of the ticket, with its choices in words, for the page."""
    found = ticket.latest_diagnosis()
    if found is None:
        return {"diagnosis": None}
    return {"diagnosis": found,
            "diagnosis_criticality": dict(Criticality.choices).get(found.criticality, found.criticality),
            "diagnosis_proposal": dict(Proposal.choices).get(found.proposal, found.proposal)}


@login_required
def ticket_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    ticket = _load_ticket(request.user, pk)
    return render(request, "web/ticket_detail.html", ticket_context(request, ticket))


def add_errors(form: RulesForm, error: ValidationError) -> None:
    """Put the domain's error next to its field, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_POST
def ticket_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404(_("Action inconnue."))
    ticket = _load_ticket(request.user, pk, spec.need)
    form = _form(spec, ticket, rules_for(ticket.convention_version), request.user,
                 request.POST, request.FILES)
    if form.is_valid():
        try:
            message = spec.perform(ticket, request.user, form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, message)
            return redirect(reverse("ticket", args=[ticket.pk]) + f"#{spec.slug}")
    ticket = _load_ticket(request.user, pk)
    context = ticket_context(request, ticket, bound={spec.slug: form})
    return render(request, "web/ticket_detail.html", context, status=400)


# -- creation --------------------------------------------------------------------------------

@login_required
def ticket_create(request: AuthedRequest, slug: str) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug, need=Need.OPEN)
    version = contract.current_convention()
    if version is None:
        raise Http404(_("Aucune convention de service n’est chargée pour ce marché."))
    on_behalf = access.may(request.user, contract, Need.OPEN_ON_BEHALF)
    rules = rules_for(version)
    wanted = request.GET.get("type", "")
    form = TicketCreateForm(request.POST or None, rules=rules,
                            members=_members(contract) if on_behalf else None,
                            initial={"type": wanted} if wanted in rules.convention.types else {})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            data["channel"] = declared_channel(contract, request.user, data.get("channel"),
                                               data.get("phone_call_at"))
            ticket = Ticket.open(contract, actor=request.user, **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Ticket %(ref)s créé.") % {"ref": ticket.reference})
            return redirect("ticket", ticket.pk)
    urgent_types = [(t, rules.type_label(t)) for t in rules.urgent_types]
    return render(request, "web/ticket_create.html", {"contract": contract, "form": form,
                                                      "urgent_types": urgent_types},
                  status=400 if form.errors else 200)


# -- exports ---------------------------------------------------------------------------------

def _export(request: AuthedRequest, contracts: list[Contract], contract: Contract | None,
            fmt: str) -> HttpResponseBase:
    context = listing.list_context(request, contracts, contract)
    stem = f"tickets-{contract.slug if contract else 'jalon'}-{context['now']:%Y%m%d-%H%M}"
    args = (context["tickets"], context["rules"], context["now"])
    internal = frozenset(c.pk for c in contracts if access.may(request.user, c, Need.SEE_INTERNAL))
    if fmt == "xlsx":
        return exports.tickets_xlsx(*args, filename=f"{stem}.xlsx", internal=internal)
    return exports.tickets_csv(*args, filename=f"{stem}.csv", internal=internal)


@login_required
def my_tickets_export(request: AuthedRequest, fmt: str) -> HttpResponseBase:
    return _export(request, access.contracts_of(request.user), None, fmt)


@login_required
def contract_tickets_export(request: AuthedRequest, slug: str, fmt: str) -> HttpResponseBase:
    contract = access.get_contract_for(request.user, slug)
    return _export(request, [contract], contract, fmt)


@login_required
def intervention_report_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    ticket = _load_ticket(request.user, pk, Need.DOWNLOAD)
    report = report_of(ticket)
    if report is None:
        raise Http404(_("Ce ticket n’a pas de rapport d’intervention."))
    response = HttpResponse(pdf.intervention_report_pdf(ticket, report, rules_for(ticket.convention_version)),
                            content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="rapport-intervention-{ticket.reference}.pdf"')
    return response


@login_required
def download_attachment(request: AuthedRequest, ticket_id: int, attachment_id: int) -> FileResponse:
    """Serve an attachment to whoever may see it; files are never under the web root."""
    ticket = Ticket.objects.get_for(request.user, ticket_id, need=Need.DOWNLOAD)
    attachment = get_object_or_404(Attachment, pk=attachment_id, ticket=ticket)
    if attachment.internal and not access.may(request.user, ticket.contract, Need.SEE_INTERNAL):
        raise Http404(_("Pièce jointe introuvable."))
    response = FileResponse(attachment.file.open("rb"), as_attachment=True,
                            filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
