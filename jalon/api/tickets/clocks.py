"""A ticket's clocks as of now, computed from its history without writing anything.

The stored ``Clock`` rows are as of the ticket's last change; a reader wants the elapsed time at
this instant. This is ``Ticket.recompute_clocks`` without the store (``Ticket.clocks_at``).
"""

from __future__ import annotations

from datetime import datetime

from jalon.tickets import clocks as clockwork
from jalon.tickets.models import Ticket


def clocks_now(ticket: Ticket, now: datetime) -> list[clockwork.ClockState]:
    return ticket.clocks_at(now)
