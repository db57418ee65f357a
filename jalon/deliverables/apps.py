from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliverablesConfig(AppConfig):
    name = "jalon.deliverables"
    verbose_name = _("Livrables")

    def ready(self) -> None:
        from jalon.deliverables import commitments, measures

        commitments.register()
        measures.register()
