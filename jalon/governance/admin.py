"""Governance in the Django admin (French labels): meetings, decisions, actions, risks,
escalations, findings and météo sendings are read there, never edited, because each changes
through its domain methods (which check rights, write the history and recompute the clocks);
histories and clocks are append-only or derived, read-only as well."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jalon.governance.models import (
    Action,
    ActionClock,
    ActionEvent,
    Decision,
    DecisionEvent,
    Escalation,
    Finding,
    Meeting,
    MeetingClock,
    MeetingEvent,
    MeteoSend,
    Risk,
    RiskEvent,
    RiskReview,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, searched, filtered; never added, changed nor deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MeetingEventInline(ReadOnlyInline):
    model = MeetingEvent
    fields = ("at", "kind", "actor", "payload")
    verbose_name_plural = _("Historique")


class MeetingClockInline(ReadOnlyInline):
    model = MeetingClock
    fields = ("kind", "started_at", "due_at", "stopped_at", "breached")
    verbose_name_plural = _("Délais")


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("contract", "committee_label", "starts_at", "status", "minutes_state")
    list_filter = ("contract", "committee", "status", "minutes_state")
    search_fields = ("committee_label", "agenda", "minutes_text")
    date_hierarchy = "starts_at"
    inlines = (MeetingClockInline, MeetingEventInline)


class HistoryInline(ReadOnlyInline):
    fields = ("at", "kind", "actor", "summary")
    readonly_fields = ("summary",)
    verbose_name_plural = _("Historique (ajout seul)")


class DecisionEventInline(HistoryInline):
    model = DecisionEvent


class ActionEventInline(HistoryInline):
    model = ActionEvent


class RiskEventInline(HistoryInline):
    model = RiskEvent


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("reference", "contract", "decided_on", "title", "subject_kind", "subject_ref")
    list_filter = ("contract", "subject_kind")
    search_fields = ("title", "text", "subject_ref")
    inlines = (DecisionEventInline,)


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ("reference", "contract", "title", "owner", "due_on", "status", "domain")
    list_filter = ("contract", "status", "domain")
    search_fields = ("title",)
    inlines = (ActionEventInline,)


@admin.register(Risk)
class RiskAdmin(ReadOnlyAdmin):
    list_display = ("reference", "contract", "kind", "title", "probability", "impact", "owner", "status")
    list_filter = ("contract", "kind", "status")
    search_fields = ("title", "mitigation")
    inlines = (RiskEventInline,)


@admin.register(DecisionEvent, ActionEvent, RiskEvent)
class RecordEventAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "at", "kind", "actor", "summary")
    list_filter = ("kind",)
    date_hierarchy = "at"


@admin.register(RiskReview)
class RiskReviewAdmin(ReadOnlyAdmin):
    list_display = ("risk", "meeting", "probability", "impact", "status", "reviewed_at")


@admin.register(ActionClock)
class ActionClockAdmin(ReadOnlyAdmin):
    list_display = ("action", "kind", "due_at", "stopped_at", "breached", "warned_at", "breach_notified_at")
    list_filter = ("breached",)


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ("contract", "from_committee", "to_committee", "kind", "subject", "settled_in", "created_at")
    list_filter = ("contract", "kind", "to_committee")
    search_fields = ("subject", "outcome")


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("contract", "meeting", "domain", "description", "created_at")
    list_filter = ("contract", "domain")


@admin.register(MeteoSend)
class MeteoSendAdmin(ReadOnlyAdmin):
    list_display = ("contract", "day", "sent_at", "recipients", "subject")
    list_filter = ("contract",)
    date_hierarchy = "day"
