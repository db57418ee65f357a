"""Who may see and do what, on which contract.

Every view, API endpoint and domain method goes through these helpers. Someone with no role on a
contract gets a 404 (never a 403): they must not even learn that the contract or ticket exists.
Someone with a role but not the right one for the action gets :class:`NotAllowed`, a 403.

Roles per action (seed 000 §7.1, seed 002 §1.4 and ch. 8, seed 003 §1.4):

- qualifying (type, urgency × impact, *criticité*) is the buyer's call — level 1 and the buyer
  manager only; the holder can never change the criticality ("la DSIUN décide seule… le titulaire
  ne peut pas le contester");
- the holder works the ticket (start, wait, resolve, time spent, intervention report);
- the buyer side closes, reopens and cancels; the requester may too, for their own requests
  (cancelling only while the request is new);
- the holder takes charge (start), confirms a one-off intervention's feasibility and lead time,
  delivers an anomaly's diagnosis: the acts that stop the holder's commitments;
- only the holder's staff are assigned (never an auditor, a requester or the buyer side);
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
from typing import TYPE_CHECKING

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from jalon.accounts.models import HOLDER_ROLES, Membership, Role

if TYPE_CHECKING:
    from jalon.contracts.models import Contract

Viewer = AbstractBaseUser | AnonymousUser
"""Whoever a request comes from (``request.user``): the anonymous visitor has no role anywhere."""


class AuthedRequest(HttpRequest):
    """A request behind ``login_required``: its user is a person (an actor of the domain)."""

    user: User


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
    CANCEL = "cancel"
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
    EXPORT_CONTRACT = "export_contract"
    GOVERN_VIEW = "govern_view"
    GOVERN_SCHEDULE = "govern_schedule"
    GOVERN_PREPARE = "govern_prepare"
    GOVERN_REVIEW = "govern_review"
    GOVERN_RECORD = "govern_record"
    CORRECT_TIME = "correct_time"
    VIEW_FORFAIT = "view_forfait"
    ACKNOWLEDGE_STATEMENT = "acknowledge_statement"
    VIEW_DELIVERABLES = "view_deliverables"
    SUBMIT_DELIVERABLE = "submit_deliverable"
    VALIDATE_DELIVERABLE = "validate_deliverable"
    MANAGE_DELIVERABLES = "manage_deliverables"
    # purchase orders (jalon.orders): who orders what is narrowed per work-unit type by the
    # price schedule (seed 000 §7.7: user services order one-off work, the SCV corrective work)
    ORDER = "order"
    QUOTE = "quote"
    DELIVER_ORDER = "deliver_order"
    ACCEPT_ORDER = "accept_order"
    MANAGE_SCHEDULE = "manage_schedule"
    VIEW_SCORECARD = "view_scorecard"
    PROPOSE_SCORECARD = "propose_scorecard"
    REVIEW_SCORECARD = "review_scorecard"
    ENTER_MEASURE = "enter_measure"
    REVIEW_MEASURE = "review_measure"
    VIEW_BILLING = "view_billing"
    DRAFT_INVOICE = "draft_invoice"
    AUDIT_EXPORT = "audit_export"


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
    Need.CANCEL: _BUYER | {Role.REQUESTER},
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
    # the whole contract (reversibility, seed 002 L6006-6076, seed 003 L1041-1066): the two
    # managers, who organise the transfer (D-112)
    Need.EXPORT_CONTRACT: frozenset({Role.BUYER_MANAGER, Role.HOLDER_MANAGER}),
    # Governance (issue 14): committees are between the buyer's and the holder's staff. The
    # holder schedules, sends agendas and writes minutes (002 L1578, L1684, L1703, L1768); the
    # buyer's managers prepare too where the seed gives them the pen (COTECH: 002 L1874-1921); the
    # buyer side sends remarks and validates (L1588, L1706, L1769); decisions, actions, risks and
    # escalations are recorded by either side's managers.
    Need.GOVERN_VIEW: _STAFF,
    Need.GOVERN_SCHEDULE: frozenset({Role.BUYER_MANAGER, Role.HOLDER_MANAGER}),
    Need.GOVERN_PREPARE: frozenset({Role.BUYER_MANAGER, Role.HOLDER_MANAGER}),
    Need.GOVERN_REVIEW: _BUYER,
    Need.GOVERN_RECORD: frozenset({Role.BUYER_MANAGER, Role.HOLDER_MANAGER}),
    # the support package (seed 000 §7.2): the holder keeps and corrects its ledger, the SCV (the
    # buyer) follows the consumption and receives the monthly statement (§7.2.2); like the
    # dashboard it covers the whole contract, so not the requesters
    Need.CORRECT_TIME: HOLDER_ROLES,
    Need.VIEW_FORFAIT: _STAFF,
    Need.ACKNOWLEDGE_STATEMENT: frozenset({Role.BUYER_MANAGER}),
    # Deliverables (issue 14): the register is the buyer's and the holder's (and the auditor's),
    # not the requesters'; the holder remits (seed 000 §7.4.4, 001 L22-24), the buyer validates
    # ("La DSIUN valide les documents reçus", 002 L1536) — narrowed per type by the convention's
    # validators; either manager adds a deliverable to the register.
    Need.VIEW_DELIVERABLES: _STAFF,
    Need.SUBMIT_DELIVERABLE: HOLDER_ROLES | _BUYER,
    Need.VALIDATE_DELIVERABLE: _BUYER,
    Need.MANAGE_DELIVERABLES: frozenset({Role.BUYER_MANAGER, Role.HOLDER_MANAGER}),
    Need.ORDER: _BUYER | {Role.REQUESTER},
    Need.QUOTE: HOLDER_ROLES,
    Need.DELIVER_ORDER: HOLDER_ROLES,
    Need.ACCEPT_ORDER: frozenset({Role.BUYER_MANAGER, Role.REQUESTER}),
    Need.MANAGE_SCHEDULE: frozenset({Role.BUYER_MANAGER}),
    # scorecards (seed 002 ch. 8: proposed by the holder, validated by the buyer; the auditor reads)
    Need.VIEW_SCORECARD: _STAFF,
    Need.PROPOSE_SCORECARD: frozenset({Role.HOLDER_MANAGER}),
    Need.REVIEW_SCORECARD: frozenset({Role.BUYER_MANAGER}),
    Need.ENTER_MEASURE: HOLDER_ROLES,
    Need.REVIEW_MEASURE: frozenset({Role.BUYER_MANAGER}),
    # billing elements: the holder provides them and both sides rule on them before the COPIL
    # (seed 002 L1634-1640), the contract's commercial and financial follow-up (seed 003 L1118);
    # the auditor reads; the invoice draft is the holder's (D-133)
    Need.VIEW_BILLING: frozenset({Role.BUYER_MANAGER, Role.HOLDER_MANAGER, Role.AUDITOR}),
    Need.DRAFT_INVOICE: frozenset({Role.HOLDER_MANAGER}),
    # a buyer auditing the outsourcer scores an export of the holder's own tool against the
    # contract's convention (issue 12): the buyer side and the auditor, not the holder, whose
    # records the platform scores already, nor the requesters
    Need.AUDIT_EXPORT: _BUYER | {Role.AUDITOR},
}


class NotAllowed(PermissionDenied):
    """The person has a role on the contract, but not one that allows this action."""


def memberships(user: Viewer | None) -> dict[int, tuple[Contract, frozenset[Role]]]:
    """Every contract ``user`` has a role on, with those roles: one query, kept on the user
    object for the rest of the request (each request loads its user afresh)."""
    if user is None or not user.is_authenticated:
        return {}
    found: dict[int, tuple[Contract, frozenset[Role]]] | None = user.__dict__.get("_jalon_roles")
    if found is None:
        roles: dict[int, set[Role]] = {}
        contracts: dict[int, Contract] = {}
        for row in Membership.objects.filter(user_id=user.pk).select_related("contract"):
            contracts[row.contract_id] = row.contract
            roles.setdefault(row.contract_id, set()).add(Role(row.role))
        found = {pk: (contracts[pk], frozenset(roles[pk])) for pk in contracts}
        user.__dict__["_jalon_roles"] = found
    return found


def roles_on(user: Viewer | None, contract: Contract | int) -> frozenset[Role]:
    contract_id = contract if isinstance(contract, int) else contract.pk
    _contract, roles = memberships(user).get(contract_id, (None, frozenset()))
    return roles


def forget_roles(user: Viewer) -> None:
    """Drop the per-request cache of roles (after memberships change)."""
    user.__dict__.pop("_jalon_roles", None)


def allows(roles: frozenset[Role], need: Need) -> bool:
    return bool(roles & ROLES_FOR[need])


def may(user: Viewer | None, contract: Contract | int, need: Need) -> bool:
    return allows(roles_on(user, contract), need)


def require(user: Viewer | None, contract: Contract | int, need: Need) -> None:
    """Raise :class:`NotAllowed` unless one of the user's roles allows ``need``."""
    if not may(user, contract, need):
        raise NotAllowed(_("Votre rôle sur ce marché ne permet pas cette action."))


def contracts_of(user: Viewer | None) -> list[Contract]:
    """The contracts ``user`` has a role on, by reference, from the roles the request has
    already read."""
    return sorted((contract for contract, _roles in memberships(user).values()), key=lambda c: c.reference)


def get_contract_for(user: Viewer | None, pk_or_slug: int | str, *, need: Need = Need.VIEW) -> Contract:
    """The contract, if ``user`` has a role on it; 404 otherwise; 403 if the role is too weak."""
    key = str(pk_or_slug)
    found = [contract for contract, _roles in memberships(user).values()
             if (contract.pk == int(key) if key.isdigit() else contract.slug == key)]
    if not found:
        raise Http404(_("Marché introuvable."))
    require(user, found[0], need)
    return found[0]
