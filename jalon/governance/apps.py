from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "jalon.governance"
    verbose_name = _("Gouvernance")

    def ready(self) -> None:
        from jalon.commitments import chain, sources
        from jalon.documents import render
        from jalon.governance import calendar, commitments, documents, measures
        from jalon.governance.models import ActionEvent, DecisionEvent, MeetingEvent, RiskEvent

        chain.register(MeetingEvent, record="meeting")
        for history in (DecisionEvent, ActionEvent, RiskEvent):
            chain.register(history, record=history.record_field)
        commitments.register()
        sources.register_measures(measures.SOURCE)
        sources.register_calendar("governance", calendar.entries)
        render.register_docx(documents.DOCX_USE)
