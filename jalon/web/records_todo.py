"""The home page's items of the records around the tickets (:mod:`jalon.web.todo`):
deliverables, committees' minutes and actions, scorecards and measures.

Each item counts the records its list shows with the same filter, and links to that list (or,
for a scorecard, to the one period concerned when there is only one), so the count and the
link never disagree. Who sees an item is who may act on those records
(:data:`jalon.accounts.access.ROLES_FOR`); an area the contract does not use (no
committee, an empty register, no convention) shows nothing rather than a row of zeros.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts.access import ROLES_FOR, Need, Viewer
from jalon.accounts.models import HOLDER_ROLES, Role
from jalon.contracts.models import Contract
from jalon.deliverables.models import Deliverable
from jalon.deliverables.workflow import DeliverableState
from jalon.governance.models import Action, Meeting
from jalon.governance.workflow import MinutesState
from jalon.scorecards.models import ManualMeasure, PeriodScorecard
from jalon.scorecards.workflow import MeasureStatus, Status
from jalon.web import todo
from jalon.web.rules import current_rules

Rows = Callable[[Viewer, Contract], "QuerySet[Any] | None"]


def listed(key: str, label: Any, roles: frozenset[Role], rows: Rows, page: str,
           query: Callable[[Viewer], dict[str, Any]], **options: Any) -> todo.Todo:
    """An item counting ``rows`` (None: the area does not apply), linking to the list ``page``
    filtered by ``query`` — the filter that list applies to select the same rows."""
    def count(user: Viewer, contract: Contract, now: datetime) -> int | None:
        found = rows(user, contract)
        return None if found is None else found.count()

    def url(user: Viewer, contract: Contract) -> str:
        return reverse(page, args=[contract.slug]) + "?" + urlencode(query(user))

    return todo.register(todo.Todo(key=key, label=label, roles=roles, count=count, url=url, **options))


def _fixed(**params: Any) -> Callable[[Viewer], dict[str, Any]]:
    return lambda user: params


# -- deliverables (jalon.deliverables) ------------------------------------------------------------

def _deliverables(state: DeliverableState) -> Rows:
    def rows(user: Viewer, contract: Contract) -> QuerySet[Any] | None:
        if not Deliverable.objects.filter(contract=contract).exists():
            return None
        return Deliverable.objects.visible_to(user, contract).in_state([state.value])
    return rows


def deliverable_item(key: str, label: Any, roles: frozenset[Role], state: DeliverableState,
                     **options: Any) -> todo.Todo:
    return listed(key, label, roles, _deliverables(state), "deliverables", _fixed(state=state.value), **options)


deliverable_item("deliverables-to-validate", _lazy("Livrables à valider"), ROLES_FOR[Need.VALIDATE_DELIVERABLE],
                 DeliverableState.SUBMITTED, section=todo.Section.VALIDATE, order=30,
                 hint=_lazy("Remis par le titulaire : accepter, avec réserves, ou refuser."))
deliverable_item("deliverables-to-resubmit", _lazy("Livrables refusés à remettre"), frozenset(HOLDER_ROLES),
                 DeliverableState.REJECTED, order=80)
deliverable_item("reservations-to-lift", _lazy("Réserves à lever"), frozenset(HOLDER_ROLES),
                 DeliverableState.RESERVED, section=todo.Section.DEADLINES, tone="warning", order=40,
                 hint=_lazy("Livrables acceptés avec réserves : chaque réserve a son délai de levée."))


# -- committees (jalon.governance) ----------------------------------------------------------------

def _governed(contract: Contract) -> bool:
    rules = current_rules([contract]).get(contract.pk)
    return bool(rules and rules.convention.committees)


def _minutes(state: MinutesState) -> Rows:
    def rows(user: Viewer, contract: Contract) -> QuerySet[Any] | None:
        if not _governed(contract):
            return None
        return Meeting.objects.visible_to(user, contract).filter(minutes_state=state)
    return rows


def minutes_item(key: str, label: Any, roles: frozenset[Role], state: MinutesState, **options: Any) -> todo.Todo:
    return listed(key, label, roles, _minutes(state), "governance", _fixed(releve=state.value), **options)


minutes_item("minutes-to-validate", _lazy("Relevés de décisions à valider"), ROLES_FOR[Need.GOVERN_REVIEW],
             MinutesState.SENT, section=todo.Section.VALIDATE, order=20,
             hint=_lazy("Sans remarque ni validation au délai, le relevé est validé tacitement."))
minutes_item("minutes-to-send", _lazy("Relevés de décisions à envoyer"), frozenset({Role.HOLDER_MANAGER}),
             MinutesState.DRAFTED, order=90)
minutes_item("minutes-with-remarks", _lazy("Relevés à reprendre (remarques reçues)"),
             frozenset({Role.HOLDER_MANAGER}), MinutesState.REMARKS, section=todo.Section.ANSWER, order=30)


def _my_late_actions(user: Viewer, contract: Contract) -> QuerySet[Any] | None:
    if not _governed(contract):
        return None
    return Action.objects.visible_to(user, contract).filter(owner=user).late(timezone.localdate())


listed("actions-late", _lazy("Vos actions en retard"), ROLES_FOR[Need.GOVERN_VIEW], _my_late_actions,
       "governance-actions", _fixed(mine=1, late=1), section=todo.Section.DEADLINES, tone="error", order=30,
       hint=_lazy("Actions de comité dont vous êtes responsable, échéance passée."))


# -- scorecards (jalon.scorecards) ----------------------------------------------------------------

def period_item(key: str, label: Any, roles: frozenset[Role],
                periods: Callable[[Contract], QuerySet[Any]], **options: Any) -> todo.Todo:
    """An item counting the periods ``periods`` lists (their ``period`` values), linking to the
    period's page when there is one, else to the list of periods, where each shows its status."""
    def count(user: Viewer, contract: Contract, now: datetime) -> int | None:
        if contract.pk not in current_rules([contract]):
            return None
        return len(set(periods(contract).values_list("period", flat=True)))

    def url(user: Viewer, contract: Contract) -> str:
        found = sorted(set(periods(contract).values_list("period", flat=True)))
        if len(found) == 1:
            return reverse("scorecard", args=[contract.slug, found[0]])
        return reverse("scorecards", args=[contract.slug])

    return todo.register(todo.Todo(key=key, label=label, roles=roles, count=count, url=url, **options))


period_item("scorecards-to-validate", _lazy("Bilans proposés à valider"), ROLES_FOR[Need.REVIEW_SCORECARD],
            lambda contract: PeriodScorecard.objects.filter(contract=contract, status=Status.PROPOSED),
            section=todo.Section.VALIDATE, order=5,
            hint=_lazy("Accepter ou contester chaque indicateur, puis valider."))
period_item("measures-to-review", _lazy("Périodes avec des mesures à examiner"), ROLES_FOR[Need.REVIEW_MEASURE],
            lambda contract: ManualMeasure.objects.filter(contract=contract, status=MeasureStatus.ENTERED),
            section=todo.Section.VALIDATE, order=6,
            hint=_lazy("Mesures saisies par le titulaire, à accepter ou contester."))
period_item("scorecards-contested", _lazy("Bilans contestés à reprendre"), ROLES_FOR[Need.PROPOSE_SCORECARD],
            lambda contract: PeriodScorecard.objects.filter(contract=contract, status=Status.CONTESTED),
            section=todo.Section.ANSWER, order=40,
            hint=_lazy("L’acheteur conteste des indicateurs : répondez, puis proposez à nouveau."))
