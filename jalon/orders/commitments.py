"""Orders' clocks, as the commitments registry knows them (registered in ``apps.py``): the
warning and breach scan then covers them with no scanning code of its own."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.urls import reverse

from jalon.commitments import registry
from jalon.commitments.registry import Audience, Commitment, NoticeWords, Party
from jalon.contracts.models import Contract
from jalon.orders.models import Order, OrderClock


def lock(order_id: int) -> Order | None:
    return (Order.objects.select_for_update(of=("self",))
            .select_related("contract", "type", "schedule", "requester").filter(pk=order_id).first())


def recompute(order: Order, now: datetime) -> Sequence[OrderClock]:
    clocks = order.recompute_clocks(now)
    for row in clocks:
        row.order = order
    return clocks


def contract(order: Order) -> Contract:
    return order.contract


def zone(order: Order, clock: OrderClock) -> str:
    version = order.contract.current_convention()
    spec = version.parsed().calendars.get(clock.calendar_name) if version else None
    return spec.tz if spec else settings.TIME_ZONE


def url(order: Order) -> str:
    return reverse("order", args=[order.contract.slug, order.number])


def words(order: Order) -> NoticeWords:
    return NoticeWords(
        reference=order.reference, title=order.title, noun="Bon de commande",
        of_record="du bon de commande", the_record="le bon de commande",
        please="Merci de traiter ce bon de commande avant l’échéance.",
        details=(("Type", order.type.label),),
        breach_details=(("Engagement juridique", order.commitment_number or "—"),))


def warning_audience(order: Order) -> Audience:
    return Audience(parties=(Party.HOLDER,))


def breach_audience(order: Order) -> Audience:
    return Audience(parties=(Party.BUYER, Party.HOLDER), people=(order.requester,))


ORDERS: Commitment[Order, OrderClock] = Commitment(
    name="order", clock_model=OrderClock, lock=lock, recompute=recompute, contract=contract,
    zone=zone, url=url, words=words, warn=warning_audience, breach=breach_audience)


def register() -> None:
    registry.register(ORDERS)
