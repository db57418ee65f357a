"""The orders' part of other pages: a ticket's linked orders and its "order from this ticket"
action (the ticket page includes ``web/_ticket_orders.html``)."""

from __future__ import annotations

from typing import Any

from django import template

from jalon.accounts import access
from jalon.accounts.access import Need, Viewer
from jalon.orders.models import Order, PriceSchedule

register = template.Library()


@register.inclusion_tag("web/_ticket_orders.html")
def ticket_orders(user: Viewer, ticket: Any) -> dict[str, Any]:
    """The orders linked to ``ticket`` that ``user`` sees, and whether they may order from it
    (an urgent intervention beyond a day becomes corrective work under an order, seed 000 L146)."""
    contract = ticket.contract
    orders = list(Order.objects.visible_to(user, contract).filter(tickets=ticket).select_related("contract"))
    may_order = (access.may(user, contract, Need.ORDER)
                 and PriceSchedule.objects.filter(contract=contract).exists())
    return {"orders": orders, "may_order": may_order, "ticket": ticket}
