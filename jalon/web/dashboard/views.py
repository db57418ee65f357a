"""The contract dashboard (seed 000 §7.8.5): its figures for a period, each linked to the ticket
list with the filters that select the tickets behind it, and its CSV and XLSX exports."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jalon.accounts import access
from jalon.accounts.access import AuthedRequest, Need
from jalon.contracts.models import Contract
from jalon.conventions.period import Period
from jalon.dashboard import figures
from jalon.scorecards.models import PeriodScorecard
from jalon.scorecards.workflow import Status
from jalon.tickets.models import Ticket
from jalon.web import exports
from jalon.web.dashboard import board
from jalon.web.rules import Rules
from jalon.web.tickets import listing


def validated_scorecard(contract: Contract, period: Period) -> PeriodScorecard | None:
    """The period's validated scorecard, whose frozen figures are the contract's word on it."""
    return (PeriodScorecard.objects.filter(contract=contract, period=str(period), status=Status.VALIDATED)
            .defer("archive").order_by("-version").first())


def figures_header() -> list[str]:
    return [_("Indicateur"), _("Ligne"), _("Colonne"), _("Valeur"), _("Unité")]


def _dashboard(request: AuthedRequest, slug: str) -> tuple[Contract, board.Board, list[str]]:
    contract = access.get_contract_for(request.user, slug, need=Need.VIEW_DASHBOARD)
    period, kind, errors = board.parse_period(request.GET, board.today())
    found = figures.dashboard(contract, period, timezone.now(),
                              tickets=Ticket.objects.visible_to(request.user, contract))
    if found.convention is None:
        raise Http404(_("Aucune convention de service n’est chargée pour ce marché."))
    return contract, board.board_of(found, Rules(found.convention), kind), errors


@login_required
def contract_dashboard(request: AuthedRequest, slug: str) -> HttpResponse:
    contract, shown, errors = _dashboard(request, slug)
    list_url = reverse("contract-tickets", args=[contract.slug])

    def link(filters: dict[str, Any] | None) -> str:
        return list_url + listing.query_string(filters or {})

    validated = validated_scorecard(contract, shown.period)
    return render(request, "web/dashboard.html", {
        "contract": contract, "board": shown, "errors": errors, "list_url": list_url,
        "validated_scorecard": validated, "validated_figures": validated.figures if validated else None,
        "link_title": _("Voir les tickets"),
        "charts": board.charts(shown, link), "params": request.GET,
        "query": request.GET.urlencode(),
        "may_export_contract": access.may(request.user, contract, Need.EXPORT_CONTRACT),
    }, status=400 if errors else 200)  # the figures shown are the default period's, said so


@login_required
def contract_dashboard_export(request: AuthedRequest, slug: str, fmt: str) -> HttpResponseBase:
    contract, shown, errors = _dashboard(request, slug)
    if errors:  # a file of another period than the one asked for would mislead: refuse it
        return HttpResponseBadRequest(" ".join(errors), content_type="text/plain; charset=utf-8")
    stem = (f"tableau-de-bord-{contract.slug}-{shown.period.first_day:%Y%m%d}-"
            f"{shown.period.last_day:%Y%m%d}")
    rows = board.figure_rows(shown)
    if fmt == "xlsx":
        return exports.xlsx_response(f"{stem}.xlsx", _("Tableau de bord"),
                                     figures_header(), rows)
    return exports.csv_response(f"{stem}.csv", figures_header(), rows)
