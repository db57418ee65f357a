"""An order's clocks, from its history (recomputed at every change and by the clock scan).

- ``devis`` — the quote and lead-time commitment: from the quote request to the quote, within
  the work-unit type's quote delay (seed 002 L4909: 5/2/1/3 business days; AQUAREEL's 2-day
  confirmation of a one-off intervention, seed 000 §7.4.3);
- ``execution`` — from the signature to the delivery (or, for a type with a report, to the
  declared performance: an audit within 4 weeks of the order, §7.5.6), within the delay written
  on the order (seed 002 L7030);
- ``rapport`` — from the performance to the delivery of the report (an audit's report 3 weeks
  after the audit, §7.5.6);
- ``relivraison`` — after a deferral, until the next delivery, due at the end of the new
  deadline's day.

Every delay runs on the schedule's calendar (a convention calendar, ``ho`` by default), business
days counted as that calendar's business day.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from jalon.commitments.state import ClockSpec, ClockState, clock_state
from jalon.conventions.calendars import build_calendar, duration_seconds
from jalon.orders.events import EventKind

if TYPE_CHECKING:
    from jalon.orders.models import Order

WARN_RATIO = 0.8


def label(order: Order, kind: str) -> str | None:
    """The name of one of the order's clocks, in the active language (stored names are in the
    language of whoever last recomputed them: ``OrderClock.shown_label`` asks here)."""
    if kind == "devis":
        return _("Remise du devis et de l’engagement de délai (%(n)s j ouvrés)") % {"n": order.type.quote_days}
    if kind == "execution":
        return _("Exécution dans le délai du bon (%(n)s j ouvrés)") % {"n": order.execution_days}
    if kind == "rapport":
        return _("Remise du rapport après réalisation (%(n)s j ouvrés)") % {"n": order.type.report_days}
    if kind == "relivraison" and order.deferred_until is not None:
        return _("Nouvelle livraison après ajournement (au %(d)s)") % {"d": order.deferred_until.isoformat()}
    return None


def order_clocks(order: Order, now: datetime) -> list[ClockState]:
    version = order.contract.current_convention()
    if version is None:
        return []
    convention = version.parsed()
    spec = convention.calendars.get(order.schedule.calendar)
    if spec is None:
        return []
    calendar = build_calendar(spec)
    history = list(order.events.order_by("at", "pk").values_list("kind", "at", "payload"))

    def first(kind: str, after: datetime | None = None) -> datetime | None:
        return next((at for k, at, _p in history if k == kind and (after is None or at >= after)), None)

    def days(n: int) -> int:
        return duration_seconds(f"{n}j", spec)

    def make(kind: str, label: str, target: int, start: datetime | None, stop: datetime | None) -> ClockState:
        return clock_state(ClockSpec(kind, label, spec.id, target, WARN_RATIO), calendar, now,
                           started_at=start, stopped_at=stop)

    found: list[ClockState] = []
    kind = order.type
    asked = first(EventKind.QUOTE_REQUESTED)
    if kind.quote_days and asked is not None:
        found.append(make("devis", label(order, "devis") or "devis", days(kind.quote_days), asked,
                          first(EventKind.QUOTED, asked)))
    signed = first(EventKind.SIGNED)
    delivered = first(EventKind.DELIVERED, signed) if signed else None
    if signed is not None and order.execution_days:
        performed = first(EventKind.PERFORMED, signed)
        stop = performed if kind.report_days else delivered
        start = signed
        audited = audit_performed(order)
        if audited is not None and audited > signed:
            # due after the later of the order and the audit (seed 000 L499, D-AQ-33)
            start = audited
        found.append(make("execution", label(order, "execution") or "execution", days(order.execution_days),
                          start, stop))
        if kind.report_days and performed is not None:
            found.append(make("rapport", label(order, "rapport") or "rapport", days(kind.report_days), performed,
                              first(EventKind.DELIVERED, performed)))
    deferrals = [(at, payload) for k, at, payload in history if k == EventKind.DEFERRED]
    if deferrals:
        at, payload = deferrals[-1]
        from jalon.orders.models import end_of_day

        deadline = end_of_day(datetime.fromisoformat(f"{payload['new_deadline']}T00:00").date(), spec.tz)
        target = max(calendar.elapsed(at, max(deadline, at), []), 1)
        found.append(make("relivraison", label(order, "relivraison") or "relivraison", target, at,
                          first(EventKind.DELIVERED, at)))
    return found


def audit_performed(order: Order) -> datetime | None:
    """When the audit the order follows was performed, if it has one and it was."""
    from jalon.orders.models import OrderEvent

    if order.audit_id is None:
        return None
    return (OrderEvent.objects.filter(order_id=order.audit_id, kind=EventKind.PERFORMED).order_by("at")
            .values_list("at", flat=True).first())
