from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "jalon.tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from jalon.commitments import chain
        from jalon.tickets import commitments
        from jalon.tickets.models import TicketEvent

        commitments.register()
        # the first table of each contract's hash chain (its digests unchanged since it was alone)
        chain.register(TicketEvent, record="ticket", fields=("state_from", "state_to", "internal"))
