from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliverablesConfig(AppConfig):
    name = "jalon.deliverables"
    verbose_name = _("Livrables")

    def ready(self) -> None:
        from jalon.commitments import chain
        from jalon.deliverables import commitments, measures
        from jalon.deliverables.models import DeliverableEvent

        chain.register(DeliverableEvent, record="deliverable", fields=("state_from", "state_to"))
        commitments.register()
        measures.register()
