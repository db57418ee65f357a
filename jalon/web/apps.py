from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _lazy


class WebConfig(AppConfig):
    name = "jalon.web"
    verbose_name = "Jalon"

    def ready(self) -> None:
        from django.contrib import admin

        # Each area's items of the home page register at import (jalon.web.todo).
        from jalon.web import records_todo  # noqa: F401
        from jalon.web.orders import todo as order_items  # noqa: F401
        from jalon.web.tickets import todo  # noqa: F401

        # The back-office is Jalon's, in the user's language (French first), not "Django".
        admin.site.site_header = _lazy("Administration de Jalon")
        admin.site.site_title = _lazy("Administration de Jalon")
        admin.site.index_title = _lazy("Réglages de la plateforme")
        admin.site.site_url = "/"
