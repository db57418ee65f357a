"""The page listing each day's head of a contract's history chain (jalon.tickets.history)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from jalon.accounts.access import AuthedRequest, get_contract_for
from jalon.tickets.models import ChainHead


@login_required
def history_heads(request: AuthedRequest, slug: str) -> HttpResponse:
    contract = get_contract_for(request.user, slug)
    heads = ChainHead.objects.filter(contract=contract).order_by("-day")[:400]
    return render(request, "web/history_heads.html", {"contract": contract, "heads": heads})
