"""Who sees which governance records, the text search and the orders: pages, API, exports and
forms all ask here. Governance is between the buyer's and the holder's staff: requesters and
outsiders see none of it (404)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from jalon.accounts import access
from jalon.accounts.access import Need
from jalon.governance.workflow import ActionStatus

if TYPE_CHECKING:
    from jalon.accounts.access import Viewer
    from jalon.contracts.models import Contract

M = TypeVar("M", bound=Model)


class GovernanceQuerySet(QuerySet[M], Generic[M]):
    search_fields: tuple[str, ...] = ()
    not_found = "Élément introuvable."

    def visible_to(self, user: Viewer, contract: Contract) -> Any:
        rows = self.filter(contract=contract)
        return rows if access.may(user, contract, Need.GOVERN_VIEW) else rows.none()

    def matching(self, text: str | None) -> Any:
        if not text or not text.strip():
            return self
        text = text.strip()
        found = Q()
        for name in self.search_fields:
            found |= Q(**{f"{name}__icontains": text})
        digits = text.upper().split("-")[-1].lstrip("#0") or "0"
        if digits.isdigit() and "number" in {f.name for f in self.model._meta.fields}:
            found |= Q(number=int(digits))
        return self.filter(found)

    def get_for(self, user: Viewer, contract: Contract, pk: int | str, *, need: Need = Need.GOVERN_VIEW) -> M:
        """The record of ``contract``, if ``user`` may see it; 404 otherwise; 403 if their role
        does not allow ``need``."""
        key = int(pk) if str(pk).isdigit() else -1
        found = self.visible_to(user, contract).filter(pk=key).first()
        if found is None:
            raise Http404(_(self.not_found))
        access.require(user, contract, need)
        return found


class MeetingQuerySet(GovernanceQuerySet[Any]):
    search_fields = ("committee_label", "agenda", "minutes_text")
    not_found = "Réunion introuvable."

    def ordered_by(self, key: str = "starts_at", *, descending: bool = False) -> Any:
        return self.order_by(f"-{key}" if descending else key, "-pk" if descending else "pk")


class DecisionQuerySet(GovernanceQuerySet[Any]):
    search_fields = ("title", "text", "subject_ref")
    not_found = "Décision introuvable."


class ActionQuerySet(GovernanceQuerySet[Any]):
    search_fields = ("title",)
    not_found = "Action introuvable."

    def late(self, today: date) -> Any:
        """Still open past their due date (the days late counted for the scorecard, D-92)."""
        return self.filter(status=ActionStatus.OPEN, due_on__lt=today)


class RiskQuerySet(GovernanceQuerySet[Any]):
    search_fields = ("title", "mitigation")
    not_found = "Risque introuvable."


class EscalationQuerySet(GovernanceQuerySet[Any]):
    search_fields = ("subject", "outcome")
    not_found = "Escalade introuvable."
