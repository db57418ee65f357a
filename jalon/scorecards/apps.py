from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScorecardsConfig(AppConfig):
    name = "jalon.scorecards"
    verbose_name = _("Tableaux de bord contractuels")

    def ready(self) -> None:
        from jalon.scorecards import commitments

        commitments.register()
