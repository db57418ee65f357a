"""The ticket list: who sees which tickets, filters, and keyset pagination in a stable order.

A page is read with one query whatever its size: people and contract are joined, and the live
"at risk" / "overdue" / "breached" answers compare the clock summary stored on each ticket with
now (:mod:`jalon.tickets.queries`).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from jalon.accounts.access import Viewer, contracts_of, get_contract_for
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
    tickets = tickets.ordered_by(field, descending=descending)
    if cursor:
        value, pk = _read_cursor(cursor, sort)
        after = "lt" if descending else "gt"
        tickets = tickets.filter(Q(**{f"{field}__{after}": value})
                                 | Q(**{field: value, f"pk__{after}": pk}))
    rows = list(tickets[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], _write_cursor(sort, getattr(last, field), last.pk)


def _write_cursor(sort: str, value: Any, pk: int) -> str:
    shown = value.isoformat() if isinstance(value, datetime) else value
    raw = json.dumps([sort, shown, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, value, pk = json.loads(raw)
        if not isinstance(pk, int) or not isinstance(value, str):
            raise ValueError(cursor)
        if sort.lstrip("-").endswith("_at"):
            value = datetime.fromisoformat(value)
    except (ValueError, TypeError, binascii.Error):
        raise ValidationError({"cursor": [_("Curseur illisible : reprenez la liste depuis le "
                                            "début.")]}) from None
    if cursor_sort != sort:
        raise ValidationError({"cursor": [_("Ce curseur a été obtenu avec un autre tri "
                                            "(« %(sort)s ») : reprenez la liste depuis le début.")
                                          % {"sort": cursor_sort}]})
    return value, pk
