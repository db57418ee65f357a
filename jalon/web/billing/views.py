"""A period's billing elements (seed 002 L1634-1651, seed 003 L1118): the page the buyer and the
holder read before the steering committee, its XLSX, and the holder's Factur-X invoice draft."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from jalon.accounts import access
from jalon.accounts.access import AuthedRequest, Need
from jalon.billing import elements, files
from jalon.billing.invoice import InvoiceError, invoice_problem
from jalon.billing.spreadsheet import scorecard_sentence
from jalon.conventions.period import Period, PeriodError
from jalon.lib import clock
from jalon.scorecards.compute import scoring_periods


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except (PeriodError, ValueError):
        raise Http404(_("Période inconnue.")) from None


@login_required
def billing_page(request: AuthedRequest, slug: str) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug, need=Need.VIEW_BILLING)
    periods = scoring_periods(contract, timezone.localdate(clock.now()))
    chosen = _period(request.GET["periode"]) if request.GET.get("periode") else (
        periods[1] if len(periods) > 1 else periods[0])
    found = elements.build(contract, chosen, clock.now())
    return render(request, "web/billing.html", {
        "contract": contract, "e": found, "periods": periods, "scorecard_sentence": scorecard_sentence(found),
        "may_draft": access.may(request.user, contract, Need.DRAFT_INVOICE),
        "invoice_problem": invoice_problem(found),
    })


@login_required
def billing_file(request: AuthedRequest, slug: str, period: str, fmt: str) -> HttpResponse:
    need = Need.DRAFT_INVOICE if fmt == "facturx" else Need.VIEW_BILLING
    contract = access.get_contract_for(request.user, slug, need=need)
    try:
        made = files.render(elements.build(contract, _period(period), clock.now()), fmt)
    except InvoiceError as error:
        raise Http404(str(error)) from None
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.name}"'
    return response
