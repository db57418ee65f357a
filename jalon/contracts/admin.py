from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jalon.accounts.models import Membership
from jalon.contracts.models import Contract, ConventionVersion


class MembershipInline(admin.StackedInline):
    # stacked: a table's cells leave each select without a label (axe-core, docs/accessibility.md)
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("reference", "name", "buyer", "holder", "starts_on", "ends_on")
    search_fields = ("reference", "name")
    prepopulated_fields = {"slug": ("reference",)}  # noqa: RUF012 (Django API)
    inlines = (MembershipInline,)


@admin.register(ConventionVersion)
class ConventionVersionAdmin(admin.ModelAdmin):
    """Versions are loaded with ``jalon load_convention``: parsed, hashed, never edited."""

    list_display = ("contract", "number", "source_name", "sha256", "loaded_at")
    readonly_fields = ("contract", "number", "source_name", "sha256", "loaded_at", "text")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
