from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jalon.web"
    verbose_name = "Jalon"

    def ready(self) -> None:
        # Each area's items of the home page register at import (jalon.web.todo).
        from jalon.web.tickets import todo  # noqa: F401
