"""The one query layer of tickets: who sees which, the text search, the sort orders, and where
clocks stand now. The list page, the API, the exports, the dashboard and the forms all ask here,
so the same search gives the same tickets everywhere.

Where clocks stand *now* comes from the instants stored when they were last computed. Each
recomputation sums a ticket's clocks up on its row (``due_at`` and ``risk_at``: the nearest due
and warning instants of its running clocks; ``breached``: one of them was over its target), so
comparing those instants with ``now`` answers the live questions on the ticket row and its
indexes alone, on a million tickets. The categories are exclusive by severity:

* **overdue**: its nearest deadline has passed (some running clock is past due);
* **at risk**: the warning of its nearest running clocks has passed, its nearest deadline not
  yet (a ticket overdue on one clock and past the warning of another is overdue only);
* **late**: overdue now, or some clock was over its target when last computed (stopped late):
  the list's "délai dépassé".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, Literal

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from jalon.accounts import access
from jalon.accounts.access import Need
from jalon.accounts.models import Role
from jalon.tickets.workflow import DONE_STATES, TicketState

if TYPE_CHECKING:
    from jalon.accounts.access import Viewer
    from jalon.contracts.models import Contract
    from jalon.tickets.models import Ticket

SortKey = Literal["opened_at", "updated_at", "due_at", "priority", "state"]
SORT_KEYS: tuple[SortKey, ...] = ("opened_at", "updated_at", "due_at", "priority", "state")
_REFERENCE = re.compile(r"^(.+)-(\d+)$")


def overdue(now: datetime) -> Q:
    """Some running clock is over its target now (running out exactly at ``due_at`` is on
    time)."""
    return Q(due_at__lt=now)


def at_risk(now: datetime) -> Q:
    """Past the warning of a running clock, and not overdue."""
    return Q(risk_at__lte=now, due_at__gte=now)


def late(now: datetime) -> Q:
    """Overdue now, or a clock over its target at the last computation."""
    return Q(breached=True) | overdue(now)


def matching_text(text: str) -> Q:
    """Tickets whose title or description contains ``text``, or whose number (``12``, ``#12``)
    or reference (``AQR-2026-12``) it is."""
    text = text.strip()
    found = Q(title__icontains=text) | Q(description__icontains=text)
    number = text.lstrip("#")
    if number.isdigit():
        found |= Q(number=int(number))
    reference = _REFERENCE.match(text)
    if reference:
        found |= Q(contract__reference__iexact=reference[1], number=int(reference[2]))
    return found


class TicketQuerySet(QuerySet["Ticket"]):
    def visible_to(self, user: Viewer, contract: Contract) -> TicketQuerySet:
        """The tickets of ``contract`` that ``user`` may see: a requester sees their own and
        their organisation's only; someone without a role, none."""
        roles = access.roles_on(user, contract)
        tickets = self.filter(contract=contract)
        if not roles:
            return tickets.none()
        if roles == {Role.REQUESTER}:
            org = getattr(getattr(user, "profile", None), "organisation_id", None)
            mine = Q(requester=user)
            return tickets.filter(mine | Q(requester__profile__organisation_id=org) if org else mine)
        return tickets

    def visible_on(self, user: Viewer, contracts: list[Contract]) -> TicketQuerySet:
        """:meth:`visible_to` on each of ``contracts``, as one query."""
        if not contracts:
            return self.none()
        return reduce(or_, (self.visible_to(user, c) for c in contracts))

    def matching(self, text: str | None) -> TicketQuerySet:
        """The search of the list page and of the API (:func:`matching_text`); all for no text."""
        return self.filter(matching_text(text)) if text and text.strip() else self

    def active(self) -> TicketQuerySet:
        """Not resolved nor closed."""
        return self.exclude(state__in=DONE_STATES)

    def at_risk(self, now: datetime) -> TicketQuerySet:
        return self.filter(at_risk(now))

    def overdue(self, now: datetime) -> TicketQuerySet:
        return self.filter(overdue(now))

    def late(self, now: datetime) -> TicketQuerySet:
        return self.filter(late(now))

    def fix_owed(self) -> TicketQuerySet:
        """Resolved by a workaround, the definitive fix not yet delivered (D-120)."""
        return self.filter(fix_owed_since__isnull=False)

    def ordered_by(self, key: SortKey, *, descending: bool, priorities: Iterable[str] = ()
                   ) -> TicketQuerySet:
        """In ``key`` order, equals by id in the same direction: a stable order, which the API's
        cursors need (they resume after a (value, id) pair). ``priorities``: the convention's
        order of priorities (alphabetical without it)."""
        expression: Any = F(key)
        order = list(priorities)
        if key == "priority" and order:
            expression = Case(*(When(priority=p, then=Value(i)) for i, p in enumerate(order)),
                              default=Value(len(order)), output_field=IntegerField())
        elif key == "state":
            expression = Case(*(When(state=s, then=Value(i)) for i, s in enumerate(TicketState.values)),
                              default=Value(99), output_field=IntegerField())
        if key == "due_at":
            # No running clock, no next due date: last whichever the direction (ascending, the
            # ticket_due index serves it: PostgreSQL puts NULLs last by default).
            ordered = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        else:
            # Never null: a plain ORDER BY, which the (contract, opened_at) index serves read
            # backwards on PostgreSQL (NULLS LAST would not match it).
            ordered = expression.desc() if descending else expression.asc()
        return self.order_by(ordered, "-pk" if descending else "pk")

    def get_for(self, user: Viewer, pk: int | str, *, need: Need = Need.VIEW) -> Ticket:
        """The ticket, if ``user`` may see it; 404 otherwise (whether it exists or not); 403 if
        their role does not allow ``need``."""
        ticket = self.filter(pk=int(pk) if str(pk).isdigit() else -1).select_related("contract").first()
        if ticket is None or not self.visible_to(user, ticket.contract).filter(pk=ticket.pk).exists():
            raise Http404(_("Ticket introuvable."))
        access.require(user, ticket.contract, need)
        return ticket


def with_contracts(tickets: Iterable[Ticket], contracts: list[Contract]) -> list[Ticket]:
    """``tickets`` (of ``contracts``) given their contract from ``contracts`` rather than read
    again with each row."""
    by_id = {c.pk: c for c in contracts}
    rows = list(tickets)
    for ticket in rows:
        ticket.contract = by_id[ticket.contract_id]
    return rows
