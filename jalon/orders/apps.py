from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "jalon.orders"
    verbose_name = _("Bons de commande")

    def ready(self) -> None:
        from jalon.commitments import chain
        from jalon.orders import commitments, measures
        from jalon.orders.models import OrderEvent

        chain.register(OrderEvent, record="order", fields=("state_from", "state_to"))
        commitments.register()
        measures.register()
