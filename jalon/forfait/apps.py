from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForfaitConfig(AppConfig):
    name = "jalon.forfait"
    verbose_name = _("Forfait de support")
