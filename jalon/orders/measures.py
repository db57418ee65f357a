"""The scorecard's measures that orders compute (``commitments.sources.MeasureSource``).

The shipped conventions define these indicators as measures; with orders on the platform they
are computed from the orders' clocks and history instead of typed in (D-70):

- LADE **B1** / **B2** — business days (started) late of the quote and of the execution, per
  ordered work unit (seed 002 L6993-7064: "pour chaque UO commandée au cours du trimestre");
  **B3** — deferrals (ajournements) of the order, per ordered work unit;
- AQUAREEL **A9** — share of audit reports delivered within their delay after the audit
  (seed 000 §7.5.6);
- CD13 **R27** — share of proposals (quotes) delivered within their delay in the month;
  **R34** — days from order to delivery of hardware acquisitions (type ``acquisition``).

An order counts in the period it was signed in (B1–B3, R34), or in which its clock stopped
(A9, R27). A clock still running at the end of the period counts as late as far as it went.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.urls import reverse

from jalon.commitments import sources
from jalon.commitments.sources import ComputedMeasure, Evidence, MeasureSource

if TYPE_CHECKING:
    from jalon.contracts.models import Contract
    from jalon.conventions.model import Convention
    from jalon.conventions.period import Period
    from jalon.orders.models import Order, OrderClock


@dataclass(frozen=True)
class Rule:
    label_has: str
    """A word of the indicator's label: the id alone could name another thing elsewhere."""
    compute: str


RULES: dict[str, Rule] = {
    "B1": Rule("chiffrage", "late_devis"),
    "B2": Rule("exécution", "late_execution"),
    "B3": Rule("", "deferrals"),
    "A9": Rule("audit", "share_rapport"),
    "R27": Rule("Proposition", "share_devis"),
    "R34": Rule("livraison", "delivery_days"),
}


def indicators(convention: Convention) -> set[str]:
    found = set()
    for indicator in convention.indicators:
        rule = RULES.get(indicator.id)
        if rule and indicator.kind == "measure" and rule.label_has.lower() in indicator.label.lower():
            found.add(indicator.id)
    return found


def _late_days(clock: OrderClock | None, business_day: int) -> int:
    if clock is None or clock.started_at is None:
        return 0
    over = clock.elapsed_seconds - clock.target_seconds
    return math.ceil(over / business_day) if over > 0 else 0


def _url(order: Order) -> str:
    return reverse("order", args=[order.contract.slug, order.number])


def measures(contract: Contract, wanted: set[str], period: Period, now: datetime) -> Iterable[ComputedMeasure]:
    from jalon.conventions.calendars import duration_seconds
    from jalon.orders.models import Order
    from jalon.orders.workflow import OrderState

    version = contract.current_convention()
    if version is None or not wanted:
        return []
    convention = version.parsed()
    first, last = period.datetime_bounds(next(iter(convention.calendars.values())).tz)
    end = min(last, now)
    orders = (Order.objects.filter(contract=contract).exclude(state=OrderState.CANCELLED).order_by("number")
              .select_related("contract", "type", "schedule").prefetch_related("clocks", "lines__work_unit"))
    found: list[ComputedMeasure] = []

    def clocks_of(order: Order) -> dict[str, OrderClock]:
        rows = {c.kind: c for c in order.clocks.all()}
        for row in rows.values():  # as of the period's end, never later
            if row.started_at and (row.stopped_at is None or row.stopped_at > end):
                state = next((s for s in order.clock_states(end) if s.kind == row.kind), None)
                if state is not None:
                    row.record(state, end)
        return rows

    per_unit: dict[str, Callable[[Order, dict[str, OrderClock], int], tuple[int, str]]] = {
        "B1": lambda o, c, d: (_late_days(c.get("devis"), d), "devis"),
        "B2": lambda o, c, d: (_late_days(c.get("execution"), d), "exécution"),
        "B3": lambda o, c, d: (o.deferrals_by(end), "ajournements"),
    }
    signed = [o for o in orders if o.signed_at and first <= o.signed_at < last]
    for order in signed:
        spec = convention.calendars.get(order.schedule.calendar)
        day = duration_seconds("1j", spec) if spec else 36000
        clocks = clocks_of(order)
        for indicator in sorted(wanted & per_unit.keys()):
            value, what = per_unit[indicator](order, clocks, day)
            for line in order.lines.all():
                found.append(ComputedMeasure(
                    indicator, period, float(value), item=f"{order.reference} {line.work_unit.code}",
                    evidence=(Evidence(order.reference, f"{what} : {value}", _url(order)),)))
        if "R34" in wanted and order.type.code == "acquisition" and order.delivered_at and order.signed_at:
            days = (order.delivered_at - order.signed_at).days
            found.append(ComputedMeasure("R34", period, float(days), item=order.reference, evidence=(
                Evidence(order.reference, f"livré {days} jours après la commande", _url(order)),)))
    for indicator, kind in (("A9", "rapport"), ("R27", "devis")):
        if indicator not in wanted:
            continue
        met, total, evidence = 0, 0, []
        for order in orders:
            row = clocks_of(order).get(kind)
            if row is None or row.started_at is None:
                continue
            stopped = row.stopped_at
            if stopped is not None and first <= stopped < last:
                on_time = not row.breached
            elif stopped is None and row.due_at is not None and first <= row.due_at < end:
                on_time = False  # still running, already past due within the period
            else:
                continue
            total += 1
            met += on_time
            evidence.append(Evidence(order.reference, "dans le délai" if on_time else "hors délai", _url(order)))
        if total:
            found.append(ComputedMeasure(indicator, period, 100.0 * met / total,
                                         comment=f"{met}/{total}", evidence=tuple(evidence)))
    return found


def register() -> None:
    sources.register_measures(MeasureSource(name="orders", indicators=indicators, measures=measures))
