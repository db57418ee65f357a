from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "jalon.messaging"
    verbose_name = _("Courriels et tâches")

    def ready(self) -> None:
        # The tickets app has no "after an event" hook of its own: listen to TicketEvent rows.
        from jalon.messaging import signals  # noqa: F401
