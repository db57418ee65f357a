"""Schedules and orders are read in the admin, never edited there (a schedule is versioned, an
order changes through its domain methods). Recurring-order templates are kept here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jalon.orders.models import Order, PriceIndex, PriceRevision, PriceSchedule, RecurringOrder


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PriceSchedule)
class PriceScheduleAdmin(ReadOnlyAdmin):
    list_display = ("contract", "version", "label", "effective_from", "demo_prices", "source_name")
    list_filter = ("contract",)


@admin.register(PriceIndex)
class PriceIndexAdmin(ReadOnlyAdmin):
    list_display = ("code", "label")


@admin.register(PriceRevision)
class PriceRevisionAdmin(ReadOnlyAdmin):
    list_display = ("base", "index", "a", "b", "effective_from", "status", "approved_at")


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("reference", "title", "type", "state", "requested_at", "breached")
    list_filter = ("contract", "state")
    search_fields = ("title", "commitment_number")


@admin.register(RecurringOrder)
class RecurringOrderAdmin(admin.ModelAdmin):
    list_display = ("title", "contract", "first_month", "last_month", "active")
    list_filter = ("contract", "active")
