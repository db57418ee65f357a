"""The orders' items on each person's home (:mod:`jalon.web.todo`): what waits on the holder (a
quote to give, an order to deliver or deliver again) and on those who order (a quote to sign, a
delivery to accept, the service done to declare), each the order list with one state, and the
ceiling gauge past its warning.

Counts go through ``Order.objects.visible_to``, like the list: a requester counts their own
service's orders only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts.access import Viewer
from jalon.accounts.models import HOLDER_ROLES, Role
from jalon.contracts.models import Contract
from jalon.orders.gauge import gauges
from jalon.orders.models import Order, PriceSchedule
from jalon.orders.workflow import OrderState
from jalon.web import todo
from jalon.web.records_todo import listed

ORDERERS = frozenset({Role.BUYER_MANAGER, Role.LEVEL1_AGENT, Role.REQUESTER})
ACCEPTERS = frozenset({Role.BUYER_MANAGER, Role.REQUESTER})


def order_item(key: str, label: Any, roles: frozenset[Role], state: OrderState, **options: Any) -> todo.Todo:
    def rows(user: Viewer, contract: Contract) -> QuerySet[Any] | None:
        if not PriceSchedule.objects.filter(contract=contract).exists():
            return None  # no price schedule: nothing is ordered on this contract
        return Order.objects.visible_to(user, contract).filter(state=state)

    return listed(key, label, roles, rows, "orders", lambda user: {"state": state.value}, **options)


order_item("orders-to-quote", _lazy("Devis à remettre (bons de commande)"), HOLDER_ROLES,
           OrderState.QUOTE_REQUESTED, section=todo.Section.HANDLE, order=60)
order_item("orders-to-deliver", _lazy("Bons de commande signés à livrer"), HOLDER_ROLES,
           OrderState.SIGNED, section=todo.Section.HANDLE, order=61)
order_item("orders-deferred", _lazy("Bons ajournés à livrer de nouveau"), HOLDER_ROLES,
           OrderState.DEFERRED, section=todo.Section.DEADLINES, tone="warning", order=62)
order_item("orders-to-sign", _lazy("Devis remis : bons de commande à signer"), ORDERERS,
           OrderState.QUOTED, section=todo.Section.VALIDATE, order=60)
order_item("orders-to-accept", _lazy("Bons livrés : admission à prononcer"), ACCEPTERS,
           OrderState.DELIVERED, section=todo.Section.VALIDATE, order=61)
order_item("orders-service-done", _lazy("Bons admis : service fait à constater"), ACCEPTERS,
           OrderState.ADMITTED, section=todo.Section.VALIDATE, order=62)


def _ceilings_reached(user: Viewer, contract: Contract, now: datetime) -> int | None:
    found = gauges(contract, timezone.localdate(now))
    if not found:
        return None  # no framework amounts on this contract's schedule
    return sum(1 for g in found if g.state in ("warning", "over"))


todo.register(todo.Todo(
    key="orders-ceiling", label=_lazy("Montants du marché proches du maximum"),
    roles=frozenset({Role.BUYER_MANAGER, Role.HOLDER_MANAGER}), count=_ceilings_reached,
    url=lambda user, contract: reverse("price-schedule", args=[contract.slug]),
    section=todo.Section.DEADLINES, tone="warning", order=63,
    hint=_lazy("Périodes où le commandé dépasse le seuil d’alerte du bordereau.")))
