"""Pages: home, ticket lists, ticket page, its actions, the creation form.

Each view fetches through :mod:`jalon.accounts.access` (404 for outsiders), validates one form,
calls one domain method and redirects with a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jalon.accounts import access
from jalon.accounts.access import Need
from jalon.accounts.models import Role
from jalon.contracts.models import Contract, ConventionVersion
from jalon.dashboard import clocks, figures
from jalon.tickets.models import Ticket, TicketState
from jalon.web import clockview, dashboard, exports, pdf, ticketlist
from jalon.web.actions import ACTIONS, RECORDS, TRANSITIONS, Action
from jalon.web.forms import RulesForm, TicketCreateForm, report_of
from jalon.web.rules import Rules, rules_for
from jalon.web.timeline import timeline_of


def home(request: HttpRequest) -> HttpResponse:
    contracts: list[ContractCounts] = []
    if request.user.is_authenticated:
        contracts = contracts_with_counts(request.user)
    return render(request, "web/home.html", {"contracts": contracts})


@dataclass(frozen=True)
class ContractCounts:
    """A contract of the home page with the user's open tickets on it, those at risk and those
    late."""

    contract: Contract
    active: int
    at_risk: int
    breached: int
    may_view_dashboard: bool


def contracts_with_counts(user: Any) -> list[ContractCounts]:
    """The user's contracts, each with ``active``, ``at_risk`` and ``breached`` ticket counts
    (beside each contract, not on it: those Contract objects are the request's cached roles)."""
    now = timezone.now()
    found = []
    for contract in access.contracts_of(user):
        active = access.tickets_for(user, contract).exclude(
            state__in=(TicketState.RESOLVED, TicketState.CLOSED))
        counts = active.aggregate(
            active=Count("pk"),
            at_risk=Count("pk", filter=clocks.at_risk(now)),
            breached=Count("pk", filter=clocks.late(now)),
        )
        found.append(ContractCounts(contract, counts["active"], counts["at_risk"], counts["breached"],
                                    access.may_view_dashboard(user, contract)))
    return found


# -- lists ------------------------------------------------------------------------------------

def current_rules(contracts: list[Contract]) -> dict[int, Rules]:
    """Each contract's current convention (``Contract.current_version``, which
    ``ConventionVersion.load`` sets), its rules kept per process; none for a contract without
    one."""
    return {c.pk: _version_rules(c.current_version_id) for c in contracts if c.current_version_id is not None}


@lru_cache(maxsize=64)
def _version_rules(version_id: int) -> Rules:
    """A convention version's rules: versions are never edited (``ConventionVersion.load`` adds
    a new one), so an id says it all."""
    return rules_for(ConventionVersion.objects.defer("text").get(pk=version_id))


def _union(pairs: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for choices in pairs:
        for value, label in choices:
            seen.setdefault(value, label)
    return list(seen.items())


def assigned_groups(user: Any, contracts: list[Contract]) -> list[str]:
    """The groups of the tickets ``user`` sees on ``contracts``, for the group filter: those the
    contract keeps (``Contract.assigned_groups``, read with it); a requester sees their
    organisation's tickets only, and their groups are taken from those."""
    found: set[str] = set()
    for contract in contracts:
        if access.roles_on(user, contract) == {Role.REQUESTER}:
            found.update(access.tickets_for(user, contract).exclude(assigned_group="")
                         .order_by().values_list("assigned_group", flat=True).distinct())
        else:
            found.update(contract.assigned_groups)
    return sorted(found)


def list_context(request: HttpRequest, contracts: list[Contract],
                 contract: Contract | None) -> dict[str, Any]:
    """Filters, sort and the page of tickets, for the list page and its exports."""
    now = timezone.now()
    rules = current_rules(contracts)
    priorities = _union([r.priorities for r in rules.values()])
    tickets = access.tickets_on(request.user, contracts)
    groups = assigned_groups(request.user, contracts)
    options = {
        "type": _union([r.types for r in rules.values()]), "priority": priorities,
        "clock": _union([r.clocks for r in rules.values()]), "group": [(g, g) for g in groups],
    }
    if contract is None:
        options["contract"] = [(c.slug, f"{c.reference} — {c.name}") for c in contracts]
    chosen = list_filters(request, options)
    filters = dict(chosen.values)
    days = ticketlist.Days.of({pk: r.convention.contract.tz for pk, r in rules.items()})
    shown = ticketlist.apply_filters(tickets, filters, request.user, now, days)
    shown = ticketlist.apply_sort(shown, filters.get("sort", "-opened"), [p for p, _l in priorities])
    return {"form": chosen.form, "filters_html": chosen.html, "filters": filters, "now": now,
            "contract": contract, "contracts": contracts, "rules": rules, "tickets": shown}


def filter_form(data: Any, options: dict[str, list[tuple[str, str]]]) -> ticketlist.TicketFilterForm:
    """The list's filters bound to ``data``; the contract filter only where ``options`` offer
    contracts (the list of all the user's tickets)."""
    form = ticketlist.TicketFilterForm(data, options)
    if "contract" not in options:
        del form.fields["contract"]
    return form


@dataclass(frozen=True)
class ListFilters:
    """The list's filters as asked: the bound form (its errors), the valid values and the form's
    HTML. Shared between requests: read, never changed."""

    form: ticketlist.TicketFilterForm
    values: dict[str, Any]
    html: SafeString


def list_filters(request: HttpRequest, options: dict[str, list[tuple[str, str]]]) -> ListFilters:
    """The filters of ``request`` (its query but the page number) among ``options``."""
    data = urlencode(sorted((k, v) for k, values in request.GET.lists() if k != "page" for v in values))
    return _list_filters(get_language(), data, tuple((name, tuple(choices)) for name, choices in options.items()))


@lru_cache(maxsize=256)
def _list_filters(language: str, data: str,
                  options: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]) -> ListFilters:
    """The filters are a function of the language, the query and the choices offered: their
    form (thirty fields, a fifth of the page's time when rendered, and copied field by field
    when built) is built, checked and rendered once per process for each, then reused by every
    list asking the same."""
    with translation.override(language):
        form = filter_form(QueryDict(data), {name: list(choices) for name, choices in options})
        values = form.values()
        html = render_to_string("web/_list_filters.html", {
            "form": form,
            "main_fields": [form[n] for n in MAIN_FILTERS if n in form.fields],
            "advanced_fields": [form[n] for n in form.fields if n not in MAIN_FILTERS],
            "advanced_open": any(k not in MAIN_FILTERS for k in values),
        })
    return ListFilters(form, values, mark_safe(html))  # rendered escaped


LIST_COLUMNS = ("contract", "number", "type", "title", "priority", "criticality", "state", "assigned_group",
                "is_urgent", "opened_at")
"""What a list row shows (``ticket_rows``): the page reads these, not the description and the
dozen dates it does not show."""
LIST_CLOCK_COLUMNS = ("kind", "label", "target_seconds", "started_at", "paused_intervals", "stopped_at",
                      "elapsed_seconds", "due_at", "risk_at", "at_risk", "breached")
"""What :func:`jalon.web.clockview.status_of` judges the row's clock by."""


def list_page_rows(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """A page's tickets with the columns a row shows and the clock it shows, in one query; their
    contracts come from :func:`rows_of`."""
    return tickets.select_related("list_clock").only(
        *LIST_COLUMNS, *(f"list_clock__{name}" for name in LIST_CLOCK_COLUMNS))


def rows_of(tickets: Any, contracts: list[Contract], rules: dict[int, Rules], now: Any) -> list[dict[str, Any]]:
    """The list's rows; each ticket is given its contract from ``contracts`` (those of the list)."""
    rows = []
    for ticket in access.with_contracts(tickets, contracts):
        rule = rules.get(ticket.contract_id)
        rows.append({"ticket": ticket, "clock": clockview.shown(ticket, now),
                     "type_label": rule.type_label(ticket.type) if rule else ticket.type})
    return rows


def _render_list(request: HttpRequest, contracts: list[Contract],
                 contract: Contract | None) -> HttpResponse:
    context = list_context(request, contracts, contract)
    wanted = request.GET.get("page")
    page = ticketlist.CappedPaginator(list_page_rows(context["tickets"]), ticketlist.PAGE_SIZE,
                                      wanted).get_page(wanted)
    filters = context["filters"]
    context.update({
        "page": page, "rows": rows_of(page.object_list, contracts, context["rules"], context["now"]),
        "show_contract": contract is None,
        "query": ticketlist.query_string(filters)[1:],
        "sort_links": {key: ticketlist.query_string(
            filters, sort=(key if filters.get("sort") == f"-{key}" else f"-{key}"))
            for key in ticketlist.SORTS},
        "page_links": _page_links(page, filters),
        "prev_link": ticketlist.query_string(
            filters, page=page.previous_page_number() if page.has_previous() else None),
        "next_link": ticketlist.query_string(
            filters, page=page.next_page_number() if page.has_next() else None),
        "may_open": contract is not None and access.may(request.user, contract, Need.OPEN),
        "may_view_dashboard": (contract is not None
                               and access.may_view_dashboard(request.user, contract)),
        "sort_state": _sort_state(filters.get("sort", "-opened")),
    })
    return render(request, "web/ticket_list.html", context)


MAIN_FILTERS = ("q", "contract", "type", "state", "priority", "criticality", "group", "at_risk",
                "breached", "mine", "sort")


def _sort_state(sort: str) -> dict[str, str]:
    key = sort.lstrip("-")
    return {key: "descending" if sort.startswith("-") else "ascending"}


def _page_links(page: Any, filters: dict[str, Any]) -> list[tuple[int | None, str]]:
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    links: list[tuple[int | None, str]] = [
        (n, ticketlist.query_string(filters, page=n)) if isinstance(n, int) else (None, "")
        for n in numbers]
    if getattr(page.paginator, "more", False):
        links.append((None, ""))  # more pages than counted
    return links


@login_required
def my_tickets(request: HttpRequest) -> HttpResponse:
    return _render_list(request, access.contracts_of(request.user), None)


@login_required
def contract_tickets(request: HttpRequest, slug: str) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug)
    return _render_list(request, [contract], contract)


# -- one ticket ------------------------------------------------------------------------------

def _members(contract: Contract) -> list[tuple[str, str]]:
    people = get_user_model().objects.filter(memberships__contract=contract).distinct()
    return [(str(u.pk), u.get_full_name() or u.username) for u in people.order_by("username")]


def _form(action: Action, ticket: Ticket, rules: Rules, user: Any, data: Any = None,
          files: Any = None) -> RulesForm:
    members = _members(ticket.contract) if action.slug in ("affecter", "escalader") else []
    form = action.form(data, files, rules=rules, ticket=ticket, members=members,
                       prefix=action.slug)
    if action.slug in ("commenter", "joindre") and not access.may(user, ticket.contract,
                                                                   Need.COMMENT_INTERNAL):
        del form.fields["internal"]
    return form


def available_actions(user: Any, ticket: Ticket) -> list[Action]:
    return [a for a in ACTIONS.values()
            if ticket.state in a.states and access.may(user, ticket.contract, a.need)]


def _load_ticket(user: Any, pk: int, need: Need = Need.VIEW) -> Ticket:
    ticket = access.get_ticket_for(user, pk, need=need)
    return Ticket.objects.select_related(
        "contract", "convention_version", "requester", "assignee", "intervention_report",
    ).get(pk=ticket.pk)


def ticket_context(request: HttpRequest, ticket: Ticket,
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
        "report": report_of(ticket),
    }


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
def ticket_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
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
def ticket_create(request: HttpRequest, slug: str) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug, need=Need.OPEN)
    version = contract.current_convention()
    if version is None:
        raise Http404(_("Aucune convention de service n’est chargée pour ce marché."))
    on_behalf = access.may_open_on_behalf(request.user, contract)
    form = TicketCreateForm(request.POST or None, rules=rules_for(version),
                            members=_members(contract) if on_behalf else None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            ticket = Ticket.open(contract, actor=request.user, **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Ticket %(ref)s créé.") % {"ref": ticket.reference})
            return redirect("ticket", ticket.pk)
    return render(request, "web/ticket_create.html", {"contract": contract, "form": form},
                  status=400 if form.errors else 200)


# -- exports ---------------------------------------------------------------------------------

def _export(request: HttpRequest, contracts: list[Contract], contract: Contract | None,
            fmt: str) -> HttpResponseBase:
    context = list_context(request, contracts, contract)
    stem = f"tickets-{contract.slug if contract else 'jalon'}-{context['now']:%Y%m%d-%H%M}"
    args = (context["tickets"], context["rules"], context["now"])
    if fmt == "xlsx":
        return exports.tickets_xlsx(*args, filename=f"{stem}.xlsx")
    return exports.tickets_csv(*args, filename=f"{stem}.csv")


@login_required
def my_tickets_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    return _export(request, access.contracts_of(request.user), None, fmt)


@login_required
def contract_tickets_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    contract = access.get_contract_for(request.user, slug)
    return _export(request, [contract], contract, fmt)


@login_required
def intervention_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _load_ticket(request.user, pk, Need.DOWNLOAD)
    report = report_of(ticket)
    if report is None:
        raise Http404(_("Ce ticket n’a pas de rapport d’intervention."))
    type_label = rules_for(ticket.convention_version).type_label(ticket.type)
    response = HttpResponse(pdf.intervention_report_pdf(ticket, report, type_label),
                            content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="rapport-intervention-{ticket.reference}.pdf"')
    return response


# -- dashboard -------------------------------------------------------------------------------

def _dashboard(request: HttpRequest, slug: str) -> tuple[Contract, dashboard.Board, list[str]]:
    contract = access.get_contract_for(request.user, slug, need=Need.VIEW_DASHBOARD)
    period, kind, errors = dashboard.parse_period(request.GET, dashboard.today())
    found = figures.dashboard(contract, period, timezone.now(),
                              tickets=access.tickets_for(request.user, contract))
    if found.convention is None:
        raise Http404(_("Aucune convention de service n’est chargée pour ce marché."))
    return contract, dashboard.board_of(found, Rules(found.convention), kind), errors


@login_required
def contract_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    contract, board, errors = _dashboard(request, slug)
    list_url = reverse("contract-tickets", args=[contract.slug])

    def link(filters: dict[str, Any] | None) -> str:
        return list_url + ticketlist.query_string(filters or {})

    return render(request, "web/dashboard.html", {
        "contract": contract, "board": board, "errors": errors, "list_url": list_url,
        "link_title": _("Voir les tickets"),
        "charts": dashboard.charts(board, link), "params": request.GET,
        "query": request.GET.urlencode(),
    })


@login_required
def contract_dashboard_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    contract, board, _errors = _dashboard(request, slug)
    stem = (f"tableau-de-bord-{contract.slug}-{board.period.first_day:%Y%m%d}-"
            f"{board.period.last_day:%Y%m%d}")
    rows = dashboard.figure_rows(board)
    if fmt == "xlsx":
        return exports.xlsx_response(f"{stem}.xlsx", _("Tableau de bord"),
                                     exports.figures_header(), rows)
    return exports.csv_response(f"{stem}.csv", exports.figures_header(), rows)
