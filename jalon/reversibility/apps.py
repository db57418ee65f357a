from __future__ import annotations

from django.apps import AppConfig


class ReversibilityConfig(AppConfig):
    name = "jalon.reversibility"
    label = "reversibility"
    verbose_name = "Réversibilité"
