"""The one query layer of orders: who sees which, the search, the sort orders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from jalon.accounts import access
from jalon.accounts.access import Need
from jalon.accounts.models import Role

if TYPE_CHECKING:
    from jalon.accounts.access import Viewer
    from jalon.contracts.models import Contract
    from jalon.orders.models import Order

SortKey = Literal["number", "requested_at", "updated_at", "due_at", "state"]
SORT_KEYS: tuple[SortKey, ...] = ("number", "requested_at", "updated_at", "due_at", "state")


class OrderQuerySet(QuerySet["Order"]):
    def visible_to(self, user: Viewer, contract: Contract) -> OrderQuerySet:
        """The orders of ``contract`` that ``user`` may see: a requester (user service) sees its
        own service's orders only; someone without a role, none."""
        roles = access.roles_on(user, contract)
        orders = self.filter(contract=contract)
        if not roles:
            return orders.none()
        if roles == {Role.REQUESTER}:
            org = getattr(getattr(user, "profile", None), "organisation_id", None)
            mine = Q(requester=user)
            return orders.filter(mine | Q(service_id=org) if org else mine)
        return orders

    def matching(self, text: str | None) -> OrderQuerySet:
        """Title, description, legal commitment number, number (``12``) or reference (``BC-AQR-12``)."""
        if not text or not text.strip():
            return self
        text = text.strip()
        found = (Q(title__icontains=text) | Q(description__icontains=text)
                 | Q(commitment_number__icontains=text))
        tail = text.rsplit("-", 1)[-1].lstrip("#")
        if tail.isdigit():
            found |= Q(number=int(tail))
        return self.filter(found)

    def ordered_by(self, key: SortKey, *, descending: bool) -> OrderQuerySet:
        expression = F(key)
        if key == "due_at":
            ordered = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        else:
            ordered = expression.desc() if descending else expression.asc()
        return self.order_by(ordered, "-pk" if descending else "pk")

    def get_for(self, user: Viewer, contract: Contract, number: int | str, *, need: Need = Need.VIEW) -> Order:
        """The order ``number`` of ``contract`` if ``user`` may see it; 404 otherwise; 403 if
        their role does not allow ``need``."""
        key = int(number) if str(number).isdigit() else -1
        order = (self.visible_to(user, contract).filter(number=key)
                 .select_related("contract", "type", "schedule", "requester", "service").first())
        if order is None:
            raise Http404(_("Bon de commande introuvable."))
        access.require(user, contract, need)
        return order
