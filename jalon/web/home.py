"""The home page: what the user must do now on each of their contracts (:mod:`jalon.web.todo`), then
the contracts with their open tickets, those at risk and those late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jalon.accounts import access
from jalon.accounts.access import Need, Viewer
from jalon.contracts.models import Contract
from jalon.forfait import alerts as forfait_alerts
from jalon.lib import clock
from jalon.tickets import queries
from jalon.tickets.models import Ticket
from jalon.web import todo


def home(request: HttpRequest) -> HttpResponse:
    contracts: list[ContractCounts] = []
    warnings: list[ForfaitWarning] = []
    todos: list[tuple[Contract, list[todo.SectionDue]]] = []
    if request.user.is_authenticated:
        contracts = contracts_with_counts(request.user)
        warnings = forfait_warnings(request.user)
        now = timezone.now()
        todos = [(c.contract, todo.due_for(request.user, c.contract, now)) for c in contracts]
    return render(request, "web/home.html", {"contracts": contracts, "forfait_warnings": warnings,
                                             "todos": todos,
                                             "nothing_to_do": not any(sections for _, sections in todos)})


def today() -> date:
    return timezone.localdate(clock.now())


@dataclass(frozen=True)
class ForfaitWarning:
    """A contract whose support package has crossed a warning threshold this contract year
    (seed 000 §7.2.2, "alerte anticipée"; D-82)."""

    contract: Contract
    percent: int
    remaining: float | None
    unit: str


def forfait_warnings(user: Viewer) -> list[ForfaitWarning]:
    found = []
    for contract in access.contracts_of(user):
        if not access.may(user, contract, Need.VIEW_FORFAIT):
            continue
        book = forfait_alerts.standing(contract, today())
        if book is not None:
            found.append(ForfaitWarning(contract, round((book.share_used or 0) * 100),
                                        None if book.remaining_days is None else round(book.remaining_days, 2),
                                        book.unit))
    return found


@dataclass(frozen=True)
class ContractCounts:
    """A contract of the home page with the user's open tickets on it, those at risk and those
    late."""

    contract: Contract
    active: int
    at_risk: int
    breached: int
    may_view_dashboard: bool


def contracts_with_counts(user: Viewer) -> list[ContractCounts]:
    """The user's contracts, each with ``active``, ``at_risk`` and ``breached`` ticket counts
    (beside each contract, not on it: those Contract objects are the request's cached roles)."""
    now = timezone.now()
    found = []
    for contract in access.contracts_of(user):
        counts = Ticket.objects.visible_to(user, contract).active().aggregate(
            active=Count("pk"),
            at_risk=Count("pk", filter=queries.at_risk(now)),
            breached=Count("pk", filter=queries.late(now)),
        )
        found.append(ContractCounts(contract, counts["active"], counts["at_risk"], counts["breached"],
                                    access.may(user, contract, Need.VIEW_DASHBOARD)))
    return found
