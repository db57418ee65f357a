"""The one query layer of deliverables: who sees which, the search, the orders, the lookups.

The register is the buyer's and the holder's (and the auditor's): a requester sees none
(``Need.VIEW_DELIVERABLES``); someone without a role on the contract, none, and a 404.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from jalon.accounts import access
from jalon.accounts.access import Need

if TYPE_CHECKING:
    from jalon.accounts.access import Viewer
    from jalon.contracts.models import Contract
    from jalon.deliverables.models import Deliverable

SortKey = Literal["due_on", "number", "state", "type"]
SORT_KEYS: tuple[SortKey, ...] = ("due_on", "number", "state", "type")


class DeliverableQuerySet(QuerySet["Deliverable"]):
    def visible_to(self, user: Viewer, contract: Contract) -> DeliverableQuerySet:
        if not access.may(user, contract, Need.VIEW_DELIVERABLES):
            return self.none()
        return self.filter(contract=contract)

    def matching(self, text: str | None) -> DeliverableQuerySet:
        """Title, type or number (``12``, ``L12``, ``AQR-L12``) containing ``text``."""
        if not text or not text.strip():
            return self
        text = text.strip()
        found = Q(title__icontains=text) | Q(type__iexact=text)
        number = text.rsplit("-", 1)[-1].lstrip("Ll#")
        if number.isdigit():
            found |= Q(number=int(number))
        return self.filter(found)

    def in_state(self, states: list[str] | None) -> DeliverableQuerySet:
        return self.filter(state__in=states) if states else self

    def due_between(self, first: date | None, last: date | None) -> DeliverableQuerySet:
        rows = self
        if first is not None:
            rows = rows.filter(due_on__gte=first)
        if last is not None:
            rows = rows.filter(due_on__lte=last)
        return rows

    def ordered_by(self, key: SortKey, *, descending: bool = False) -> DeliverableQuerySet:
        field = f"-{key}" if descending else key
        return self.order_by(field, "-pk" if descending else "pk")

    def get_for(self, user: Viewer, pk: int | str, *, need: Need = Need.VIEW_DELIVERABLES) -> Deliverable:
        """The deliverable, if ``user`` may see it; 404 otherwise (whether it exists or not);
        403 if their role does not allow ``need``."""
        found = (self.filter(pk=int(pk) if str(pk).isdigit() else -1)
                 .select_related("contract", "convention_version").first())
        if found is None or not access.roles_on(user, found.contract) \
                or not self.visible_to(user, found.contract).filter(pk=found.pk).exists():
            raise Http404(_("Livrable introuvable."))
        access.require(user, found.contract, need)
        return found
