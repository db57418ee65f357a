"""Who may see and do what, on which contract.

Every view, API endpoint and domain method goes through these helpers. Someone with no role on a
contract gets a 404 (never a 403): they must not even learn that the contract or ticket exists.
Someone with a role but not the right one for the action gets :class:`NotAllowed`, a 403.

Roles per action (seed 000 §7.1, seed 002 §1.4 and ch. 8, seed 003 §1.4):

- qualifying (type, urgency × impact, *criticité*) is the buyer's call — level 1 and the buyer
  manager only; the holder can never change the criticality ("la DSIUN décide seule… le titulaire
  ne peut pas le contester");
- the holder works the ticket (start, wait, resolve, time spent, intervention report);
- the buyer side closes and reopens; the requester may too, for their own requests;
- the buyer side rewords a ticket (title, description) until it is closed; the requester may
  reword their own request while it is still new (:meth:`Ticket.reword` checks that part);
- level 1 and the buyer manager may declare on behalf of another member of the contract (a
  request taken by phone or mail by the *support de niveau 1*);
- the dashboard is for the buyer and the holder (seed 000 §7.8.5) and the auditor, not the
  requesters: its figures cover the whole contract;
- requesters see only public comments and the tickets of their own organisation;
- the auditor reads everything and changes nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from jalon.accounts.models import HOLDER_ROLES, Membership, Role

if TYPE_CHECKING:
    from jalon.contracts.models import Contract
    from jalon.tickets.models import Ticket


class Need(enum.Enum):
    VIEW = "view"
    OPEN = "open"
    QUALIFY = "qualify"
    ASSIGN = "assign"
    ESCALATE = "escalate"
    WORK = "work"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"
    COMMENT = "comment"
    COMMENT_INTERNAL = "comment_internal"
    SEE_INTERNAL = "see_internal"
    DOWNLOAD = "download"
    LOG_TIME = "log_time"
    WRITE_REPORT = "write_report"
    MANAGE_CONVENTION = "manage_convention"
    REWORD = "reword"
    OPEN_ON_BEHALF = "open_on_behalf"
    VIEW_DASHBOARD = "view_dashboard"


_ALL = frozenset(Role)
_BUYER = frozenset({Role.BUYER_MANAGER, Role.LEVEL1_AGENT})
_ACTIVE = _ALL - {Role.AUDITOR}
_STAFF = _ALL - {Role.REQUESTER}

ROLES_FOR: dict[Need, frozenset[Role]] = {
    Need.VIEW: _ALL,
    Need.OPEN: _ACTIVE,
    Need.QUALIFY: _BUYER,
    Need.ASSIGN: _BUYER | {Role.HOLDER_MANAGER},
    Need.ESCALATE: _BUYER | HOLDER_ROLES,
    Need.WORK: HOLDER_ROLES,
    Need.RESOLVE: HOLDER_ROLES | {Role.LEVEL1_AGENT},
    Need.CLOSE: _BUYER | {Role.REQUESTER},
    Need.REOPEN: _BUYER | {Role.REQUESTER},
    Need.COMMENT: _ACTIVE,
    Need.COMMENT_INTERNAL: _ACTIVE - {Role.REQUESTER},
    Need.SEE_INTERNAL: _STAFF,
    Need.DOWNLOAD: _ALL,
    Need.LOG_TIME: HOLDER_ROLES,
    Need.WRITE_REPORT: HOLDER_ROLES,
    Need.MANAGE_CONVENTION: frozenset({Role.BUYER_MANAGER}),
    Need.REWORD: _BUYER | {Role.REQUESTER},
    Need.OPEN_ON_BEHALF: _BUYER,
    Need.VIEW_DASHBOARD: _STAFF,
}


class NotAllowed(PermissionDenied):
    """The person has a role on the contract, but not one that allows this action."""


def memberships(user: Any) -> dict[int, tuple[Contract, frozenset[Role]]]:
    """Every contract ``user`` has a role on, with those roles: one query, kept on the user
    object for the rest of the request (each request loads its user afresh)."""
    if user is None or not user.is_authenticated:
        return {}
    found: dict[int, tuple[Contract, frozenset[Role]]] | None = user.__dict__.get("_jalon_roles")
    if found is None:
        roles: dict[int, set[Role]] = {}
        contracts: dict[int, Contract] = {}
        for row in Membership.objects.filter(user=user).select_related("contract"):
            contracts[row.contract_id] = row.contract
            roles.setdefault(row.contract_id, set()).add(Role(row.role))
        found = {pk: (contracts[pk], frozenset(roles[pk])) for pk in contracts}
        user.__dict__["_jalon_roles"] = found
    return found


def roles_on(user: Any, contract: Contract | int) -> frozenset[Role]:
    contract_id = contract if isinstance(contract, int) else contract.pk
    _contract, roles = memberships(user).get(contract_id, (None, frozenset()))
    return roles


def forget_roles(user: Any) -> None:
    """Drop the per-request cache of roles (after memberships change)."""
    user.__dict__.pop("_jalon_roles", None)


def allows(roles: frozenset[Role], need: Need) -> bool:
    return bool(roles & ROLES_FOR[need])


def may(user: Any, contract: Contract | int, need: Need) -> bool:
    return allows(roles_on(user, contract), need)


def require(user: Any, contract: Contract | int, need: Need) -> None:
    """Raise :class:`NotAllowed` unless one of the user's roles allows ``need``."""
    if not may(user, contract, need):
        raise NotAllowed(_("Votre rôle sur ce marché ne permet pas cette action."))


# Named predicates, for templates and readers.
def may_qualify(user: Any, contract: Contract) -> bool:
    return may(user, contract, Need.QUALIFY)


def may_set_criticality(user: Any, contract: Contract) -> bool:
    return may(user, contract, Need.QUALIFY)


def may_assign(user: Any, contract: Contract) -> bool:
    return may(user, contract, Need.ASSIGN)


def may_resolve(user: Any, contract: Contract) -> bool:
    return may(user, contract, Need.RESOLVE)


def may_close(user: Any, contract: Contract) -> bool:
    return may(user, contract, Need.CLOSE)


def may_reopen(user: Any, contract: Contract) -> bool:
    return may(user, contract, Need.REOPEN)


def may_comment_internally(user: Any, contract: Contract) -> bool:
    return may(user, contract, Need.COMMENT_INTERNAL)


def may_see_internal(user: Any, contract: Contract) -> bool:
    return may(user, contract, Need.SEE_INTERNAL)


def may_download(user: Any, contract: Contract) -> bool:
    return may(user, contract, Need.DOWNLOAD)


def may_open_on_behalf(user: Any, contract: Contract) -> bool:
    return may(user, contract, Need.OPEN_ON_BEHALF)


def may_view_dashboard(user: Any, contract: Contract) -> bool:
    return may(user, contract, Need.VIEW_DASHBOARD)


def contracts_for(user: Any) -> QuerySet[Contract]:
    from jalon.contracts.models import Contract

    if user is None or not user.is_authenticated:
        return Contract.objects.none()
    return Contract.objects.filter(memberships__user=user).distinct().order_by("reference")


def contracts_of(user: Any) -> list[Contract]:
    """:func:`contracts_for` as a list, from the roles the request has already read."""
    return sorted((contract for contract, _roles in memberships(user).values()), key=lambda c: c.reference)


def get_contract_for(user: Any, pk_or_slug: int | str, *, need: Need = Need.VIEW) -> Contract:
    """The contract, if ``user`` has a role on it; 404 otherwise; 403 if the role is too weak."""
    key = str(pk_or_slug)
    found = [contract for contract, _roles in memberships(user).values()
             if (contract.pk == int(key) if key.isdigit() else contract.slug == key)]
    if not found:
        raise Http404(_("Marché introuvable."))
    require(user, found[0], need)
    return found[0]


def tickets_for(user: Any, contract: Contract) -> QuerySet[Ticket]:
    """Tickets of ``contract`` that ``user`` may see: requesters see their organisation's only."""
    from jalon.tickets.models import Ticket

    roles = roles_on(user, contract)
    tickets = Ticket.objects.filter(contract=contract)
    if not roles:
        return tickets.none()
    if roles == {Role.REQUESTER}:
        org = getattr(getattr(user, "profile", None), "organisation_id", None)
        mine = Q(requester=user)
        return tickets.filter(mine | Q(requester__profile__organisation_id=org) if org else mine)
    return tickets


def tickets_on(user: Any, contracts: list[Contract]) -> QuerySet[Ticket]:
    """Tickets of ``contracts`` that ``user`` may see (:func:`tickets_for` each), as one query."""
    from jalon.tickets.models import Ticket

    if not contracts:
        return Ticket.objects.none()
    return reduce(or_, (tickets_for(user, c) for c in contracts))


def with_contracts(tickets: Iterable[Ticket], contracts: list[Contract]) -> list[Ticket]:
    """``tickets`` (of ``contracts``, as :func:`tickets_on` reads them) given their contract from
    ``contracts`` rather than read again with each row."""
    by_id = {c.pk: c for c in contracts}
    rows = list(tickets)
    for ticket in rows:
        ticket.contract = by_id[ticket.contract_id]
    return rows


def get_ticket_for(user: Any, pk: int | str, *, need: Need = Need.VIEW) -> Ticket:
    """The ticket, if ``user`` may see it; 404 otherwise; 403 if the role is too weak."""
    from jalon.tickets.models import Ticket

    ticket = Ticket.objects.filter(pk=int(pk) if str(pk).isdigit() else -1).select_related(
        "contract"
    ).first()
    if ticket is None or not tickets_for(user, ticket.contract).filter(pk=ticket.pk).exists():
        raise Http404(_("Ticket introuvable."))
    require(user, ticket.contract, need)
    return ticket
