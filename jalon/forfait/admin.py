"""Read-only admin: acknowledgements and alerts are written once, by the domain."""

from __future__ import annotations

from django.contrib import admin

from jalon.forfait.models import Acknowledgement, Alert
from jalon.tickets.admin import ReadOnlyAdmin


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ("contract", "month", "acknowledged_by", "acknowledged_at", "sha256")


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("contract", "year_first_day", "threshold", "crossed_at", "consumed_minutes")
