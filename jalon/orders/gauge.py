"""The ceiling gauge: ordered, delivered, accepted and remaining against the framework's
maximum, for the whole term and each year the schedule gives amounts for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Sum

from jalon.contracts.models import Contract
from jalon.orders.models import FrameworkAmount, OrderLine, PriceSchedule, gauge_state
from jalon.orders.workflow import ACCEPTED_STATES, COMMITTED_STATES, OrderState

DELIVERED_STATES = (OrderState.DELIVERED, OrderState.DEFERRED, *ACCEPTED_STATES)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Gauge:
    period: str
    minimum: Decimal | None
    maximum: Decimal | None
    ordered: Decimal
    delivered: Decimal
    accepted: Decimal
    state: str
    """``ok``, ``warning`` (past the schedule's warning share), ``over`` or ``none``."""

    @property
    def remaining(self) -> Decimal | None:
        return None if self.maximum is None else self.maximum - self.ordered

    @property
    def share(self) -> int:
        return 0 if not self.maximum else min(100, round(100 * self.ordered / self.maximum))

    @property
    def below_minimum(self) -> bool:
        return self.minimum is not None and self.ordered < self.minimum


def _sum(lines: object) -> Decimal:
    amount = ExpressionWrapper(F("quantity") * F("unit_price"),
                               output_field=DecimalField(max_digits=20, decimal_places=4))
    total = lines.aggregate(s=Sum(amount))["s"]  # type: ignore[attr-defined]
    return Decimal(total or 0).quantize(Decimal("0.01"))


def gauges(contract: Contract, today: date) -> list[Gauge]:
    schedule = PriceSchedule.in_force(contract, today)
    if schedule is None:
        return []
    found = []
    for amount in FrameworkAmount.objects.filter(schedule=schedule).order_by("period"):
        lines = OrderLine.objects.filter(order__contract=contract)
        if amount.period != FrameworkAmount.TERM:
            lines = lines.filter(order__signed_at__year=int(amount.period))
        ordered = _sum(lines.filter(order__state__in=COMMITTED_STATES))
        delivered = _sum(lines.filter(order__state__in=DELIVERED_STATES))
        accepted = _sum(lines.filter(order__state__in=ACCEPTED_STATES))
        refactions = lines.filter(order__state__in=ACCEPTED_STATES).values("order").distinct()
        from jalon.orders.models import Order

        cut = Order.objects.filter(pk__in=refactions).aggregate(s=Sum("refaction"))["s"] or ZERO
        found.append(Gauge(amount.period, amount.minimum, amount.maximum, ordered, delivered,
                           accepted - cut, gauge_state(ordered, amount.maximum, schedule.ceiling_warning)))
    return found
