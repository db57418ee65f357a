"""Tickets are read in the admin, never edited there: changes go through the domain methods,
which write the history and recompute the clocks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jalon.tickets.models import (
    Attachment,
    Clock,
    Comment,
    InterventionReport,
    Ticket,
    TicketEvent,
    TimeEntry,
)

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = TicketEvent
    fields = ("at", "kind", "actor", "state_from", "state_to", "internal", "payload")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClockInline(admin.StackedInline):
    # stacked: eight columns overflow a phone's width in a region the keyboard cannot scroll
    model = Clock
    fields = ("kind", "target_seconds", "started_at", "stopped_at", "elapsed_seconds", "due_at",
              "at_risk", "breached")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NamedValuesFilter(admin.AllValuesFieldListFilter):
    """A column's values, the empty one named: Django's leaves its link without text (a ticket
    not yet qualified has no priority)."""

    def choices(self, changelist: Any) -> Iterator[_ListFilterChoices]:
        for choice in super().choices(changelist):
            choice["display"] = choice["display"] or _("(non renseignée)")
            yield choice


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("number", "contract", "type", "title", "priority", "criticality", "state",
                    "opened_at")
    list_filter = ("contract", "state", ("priority", NamedValuesFilter), "criticality", "is_urgent")
    search_fields = ("title", "description")
    inlines = (ClockInline, EventInline)


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "at", "kind", "actor", "state_from", "state_to")
    list_filter = ("kind",)


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "author", "internal", "created_at")


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "original_name", "size", "internal", "uploaded_at")
    exclude = ("file",)


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "person", "spent_on", "minutes", "charged_to_forfait")


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "kind", "due_at", "at_risk", "breached", "stopped_at")
    list_filter = ("kind", "at_risk", "breached")


@admin.register(InterventionReport)
class InterventionReportAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "status", "author", "updated_at")
