from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from jalon.accounts.models import Membership, Organisation, Profile


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ("organisation", "phone")


class MembershipInline(admin.StackedInline):
    # stacked: a table's cells leave each select without a label (axe-core, docs/accessibility.md)
    model = Membership
    extra = 1


admin.site.unregister(User)


@admin.register(User)
class JalonUserAdmin(UserAdmin):
    inlines = (ProfileInline, MembershipInline)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "contract", "role")
    list_filter = ("contract", "role")
    search_fields = ("user__username", "user__email")

