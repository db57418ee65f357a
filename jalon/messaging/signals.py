"""Turn ticket events into notices, inside the transaction that writes the event.

The tickets app has no hook of its own after a domain method; every method writes exactly one
:class:`TicketEvent`, so its ``post_save`` is the hook. Clock warnings and breaches are not
events: they come from the periodic scan (:mod:`jalon.messaging.clockwatch`).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from jalon.messaging import notify
from jalon.orders.models import OrderEvent
from jalon.orders.workflow import OrderState
from jalon.scorecards.models import ScorecardEvent
from jalon.tickets.models import EventKind, TicketEvent, TimeEntry, WaitReason


@receiver(post_save, sender=TicketEvent, dispatch_uid="jalon.messaging.on_ticket_event")
def on_ticket_event(sender: type[TicketEvent], instance: TicketEvent, created: bool,
                    raw: bool = False, **kwargs: Any) -> None:
    if not created or raw:  # raw: loaded from a fixture, not a live change
        return
    if instance.kind in (EventKind.OPENED, EventKind.QUALIFIED) and instance.ticket.is_urgent:
        # qualified into an urgent type: the same alert, once (its key is the ticket's)
        notify.urgent_opened(instance)
    elif instance.kind == EventKind.RESOLVED:
        notify.resolved(instance)
    elif instance.kind == EventKind.INFORMED:
        notify.informed(instance)
    elif instance.kind == EventKind.WAITING and instance.ticket.wait_reason == WaitReason.REQUESTER:
        notify.waiting_on_requester(instance)


@receiver(post_save, sender=TimeEntry, dispatch_uid="jalon.messaging.on_time_entry")
def on_time_entry(sender: type[TimeEntry], instance: TimeEntry, created: bool,
                  raw: bool = False, **kwargs: Any) -> None:
    """Time charged to the support package may cross a warning threshold (D-82)."""
    if created and not raw and instance.charged_to_forfait and instance.minutes > 0:
        notify.forfait_alerts(instance)


@receiver(post_save, sender=OrderEvent, dispatch_uid="jalon.messaging.on_order_event")
def on_order_event(sender: type[OrderEvent], instance: OrderEvent, created: bool,
                   raw: bool = False, **kwargs: Any) -> None:
    """Every change of an order's state is told to the other side; a signature that takes the
    framework past its warning share, or its maximum, is told to both managers."""
    if created and not raw and instance.state_to and instance.state_from:
        notify.order_state_changed(instance)
        if instance.state_to == OrderState.SIGNED:
            notify.ceiling_alerts(instance)


@receiver(post_save, sender=ScorecardEvent, dispatch_uid="jalon.messaging.on_scorecard_event")
def on_scorecard_event(sender: type[ScorecardEvent], instance: ScorecardEvent, created: bool,
                       raw: bool = False, **kwargs: Any) -> None:
    """Each step of a scorecard's validation is told to the party whose turn it is."""
    if created and not raw:
        notify.scorecard_step(instance)
