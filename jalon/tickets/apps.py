from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "jalon.tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from jalon.tickets import commitments

        commitments.register()
