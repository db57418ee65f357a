"""The ticket list: who sees which tickets, filters, and keyset pagination in a stable order.

A page is read with one query whatever its size: people and contract are joined, and the live
"at risk" / "overdue" / "breached" answers compare the clock summary stored on each ticket with
now (:mod:`jalon.tickets.queries`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.utils import timezone
from ninja import Schema
from pydantic import Field

from jalon.accounts.access import Viewer, contracts_of, get_contract_for
from jalon.api import keyset
from jalon.contracts.instants import check_offset
from jalon.contracts.models import Contract
from jalon.tickets import queries
from jalon.tickets.models import Ticket, TicketState
from jalon.tickets.queries import SortKey, TicketQuerySet

Sort = Literal["-opened_at", "opened_at", "-updated_at", "updated_at", "-priority", "priority"]
SORT_KEYS: dict[str, SortKey] = {"opened_at": "opened_at", "updated_at": "updated_at", "priority": "priority"}


class TicketFilters(Schema):
    contract: str | None = Field(None, description="Identifiant court du marché.")
    type: str | None = None
    state: TicketState | None = None
    priority: str | None = None
    group: str | None = Field(None, description="Groupe affecté.")
    at_risk: bool | None = Field(None, description="Un délai en cours a passé son seuil d’alerte, "
                                                   "sans qu’aucun ait dépassé sa cible.")
    overdue: bool | None = Field(None, description="Un délai en cours a dépassé sa cible.")
    breached: bool | None = Field(None, description="Un délai a dépassé sa cible (en cours, ou "
                                                    "arrêté après sa cible).")
    fix_owed: bool | None = Field(None, description="Résolu par un contournement, la correction "
                                                    "définitive pas encore livrée.")
    opened_after: datetime | None = Field(None, description="Ouvert à partir de cet instant "
                                                            "(inclus ; heure de Paris si absente).")
    opened_before: datetime | None = Field(None, description="Ouvert avant cet instant (exclu).")
    q: str | None = Field(None, max_length=200, description="Texte de l’objet ou de la "
                                                            "description, numéro ou référence.")
    sort: Sort = Field("-opened_at", description="Tri ; « - » pour décroissant. Les ex aequo "
                                                 "sont départagés par l’identifiant.")
    cursor: str | None = Field(None, description="« next_cursor » de la page précédente.")
    limit: int = Field(50, ge=1, le=200)


def visible_contracts(user: Viewer, contract: str | None) -> list[Contract]:
    """The contract asked for (404 if it is not ``user``'s), or all theirs."""
    return [get_contract_for(user, contract)] if contract else contracts_of(user)


def ticket_rows(tickets: TicketQuerySet) -> TicketQuerySet:
    """``tickets`` with what :class:`~jalon.api.schemas.TicketOut` shows, in the same query."""
    return tickets.select_related("contract", "requester", "assignee")


def list_rows(tickets: TicketQuerySet) -> TicketQuerySet:
    """:func:`ticket_rows` for a list, which shows no description, and whose contracts are
    already in hand (``access.with_contracts``)."""
    return tickets.select_related("requester", "assignee").defer("description")


def filtered(tickets: TicketQuerySet, f: TicketFilters,
             now: datetime | None = None) -> TicketQuerySet:
    exact = {"type": f.type, "state": f.state, "priority": f.priority, "assigned_group": f.group}
    tickets = tickets.filter(**{name: value for name, value in exact.items() if value is not None})
    now = now or timezone.now()
    for wanted, condition in ((f.at_risk, queries.at_risk(now)), (f.overdue, queries.overdue(now)),
                              (f.breached, queries.late(now))):
        if wanted is not None:
            tickets = tickets.filter(condition) if wanted else tickets.exclude(condition)
    if f.fix_owed is not None:
        tickets = tickets.filter(fix_owed_since__isnull=not f.fix_owed)
    if f.opened_after is not None:
        tickets = tickets.filter(opened_at__gte=check_offset("opened_after", f.opened_after))
    if f.opened_before is not None:
        tickets = tickets.filter(opened_at__lt=check_offset("opened_before", f.opened_before))
    return tickets.matching(f.q)


def page(tickets: TicketQuerySet, sort: Sort, cursor: str | None, limit: int
         ) -> tuple[list[Ticket], str | None]:
    """One page in ``sort`` order (ties broken by id) after ``cursor``, and the next cursor."""
    field, descending = SORT_KEYS[sort.lstrip("-")], sort.startswith("-")
    return keyset.page(tickets.ordered_by(field, descending=descending), sort, cursor, limit, ordered=True)
