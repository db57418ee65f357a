"""The tickets' items on each person's home (:mod:`jalon.web.todo`).

Each item is a set of the list's own filters (:func:`listing.apply_filters`): its count is the
list's count with those filters, its link the list with them, so the two never disagree. A
technician's items are their own tickets (assigned to them); a manager's, the team's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts import access
from jalon.accounts.access import Viewer
from jalon.accounts.models import HOLDER_ROLES, Role
from jalon.contracts.models import Contract
from jalon.conventions.platform import diagnosis_clocks
from jalon.tickets.models import Ticket, TicketState, WaitReason
from jalon.web import todo
from jalon.web.rules import current_rules
from jalon.web.tickets import listing

Filters = dict[str, Any]


def _own_for_technicians(filters: Filters) -> Callable[[Viewer, Contract], Filters]:
    """``filters``, narrowed to the person's own tickets when they are only a technician."""
    def given(user: Viewer, contract: Contract) -> Filters:
        if access.roles_on(user, contract) == {Role.HOLDER_TECHNICIAN}:
            return {**filters, "mine": True}
        return dict(filters)
    return given


def _fixed(filters: Filters) -> Callable[[Viewer, Contract], Filters]:
    return lambda user, contract: dict(filters)


def ticket_item(key: str, label: Any, roles: frozenset[Role],
                filters: Callable[[Viewer, Contract], Filters | None], **options: Any) -> todo.Todo:
    """An item counting the tickets the list shows with ``filters`` (None: not applicable)."""
    def count(user: Viewer, contract: Contract, now: datetime) -> int | None:
        given = filters(user, contract)
        if given is None:
            return None
        tickets = Ticket.objects.visible_to(user, contract)
        return listing.apply_filters(tickets, given, user, now).count()

    def url(user: Viewer, contract: Contract) -> str:
        given = filters(user, contract) or {}
        return reverse("contract-tickets", args=[contract.slug]) + listing.query_string(given)

    return todo.register(todo.Todo(key=key, label=label, roles=roles, count=count, url=url, **options))


def _diagnoses_due(user: Viewer, contract: Contract) -> Filters | None:
    rules = current_rules([contract]).get(contract.pk)
    clocks = diagnosis_clocks(rules.convention) if rules else []
    if not clocks:
        return None
    return _own_for_technicians({"state": TicketState.IN_PROGRESS.value, "clock": clocks[0]})(user, contract)


LEVEL1 = frozenset({Role.LEVEL1_AGENT})
HOLDER = frozenset(HOLDER_ROLES)
REQUESTER = frozenset({Role.REQUESTER})
BUYER = frozenset({Role.BUYER_MANAGER})

ticket_item("tickets-to-qualify", _lazy("Tickets à qualifier"), LEVEL1,
            _fixed({"state": TicketState.NEW.value}), order=10,
            hint=_lazy("Nouvelles demandes : type, priorité, criticité."))
ticket_item("tickets-to-close-level1", _lazy("Résolus à vérifier et clore"), LEVEL1,
            _fixed({"state": TicketState.RESOLVED.value}), order=20,
            hint=_lazy("Vérifiez la résolution avec le demandeur, puis clore ou rouvrir."))
ticket_item("tickets-to-assign", _lazy("Tickets à affecter"), frozenset({Role.HOLDER_MANAGER}),
            _fixed({"state": TicketState.QUALIFYING.value}), order=30,
            hint=_lazy("Qualifiés par le niveau 1, sans groupe ni intervenant."))
ticket_item("tickets-to-take", _lazy("À prendre en charge"), HOLDER,
            _own_for_technicians({"state": TicketState.ASSIGNED.value}), order=40,
            hint=_lazy("Affectés, traitement pas encore commencé."))
ticket_item("diagnoses-due", _lazy("Diagnostics dus"), HOLDER, _diagnoses_due, order=50,
            hint=_lazy("Pris en charge, diagnostic pas encore rendu."))
ticket_item("fixes-owed", _lazy("Corrections définitives dues"), HOLDER,
            _own_for_technicians({"fix_owed": True}), order=60,
            hint=_lazy("Résolus par un contournement : la correction définitive reste à livrer."))
ticket_item("tickets-waiting-on-me", _lazy("En attente de votre réponse"), REQUESTER,
            _fixed({"waiting": WaitReason.REQUESTER.value, "mine": True}), section=todo.Section.ANSWER,
            tone="warning", order=10, hint=_lazy("Le titulaire attend une information de votre part."))
ticket_item("tickets-to-close", _lazy("À clore"), REQUESTER,
            _fixed({"state": TicketState.RESOLVED.value, "mine": True}), section=todo.Section.ANSWER,
            order=20, hint=_lazy("Résolus : confirmez la résolution en les closant, ou rouvrez-les."))
ticket_item("deadlines-at-risk", _lazy("Délais à risque"), HOLDER | LEVEL1 | BUYER,
            _own_for_technicians({"state": "active", "at_risk": True}), section=todo.Section.DEADLINES,
            tone="warning", order=10, hint=_lazy("Seuil d’alerte passé, échéance pas encore atteinte."))
ticket_item("deadlines-overdue", _lazy("Délais en cours dépassés"), HOLDER | LEVEL1 | BUYER,
            _own_for_technicians({"state": "active", "overdue": True}), section=todo.Section.DEADLINES,
            tone="error", order=20, hint=_lazy("Échéance passée, ticket toujours ouvert."))
ticket_item("diagnoses-to-review", _lazy("Diagnostics rendus à examiner"), BUYER,
            _fixed({"state": TicketState.DIAGNOSED.value}), section=todo.Section.VALIDATE, order=10,
            hint=_lazy("Le titulaire propose une correction, un contournement ou une évolution."))
