"""Tokens are listed and revoked here; a token added here is shown once, in the page's message."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jalon.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at",
                    "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    list_select_related = ("user",)
    actions = ("revoke",)
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A token is never edited: it is revoked and another one is issued.
        if obj is not None:
            return ("user", "name", "expires_at", *self.readonly_fields)
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiToken, form: ModelForm, change: bool
                   ) -> None:
        if change:
            return
        clear = obj.set_secret()
        messages.warning(request, _("Jeton « %(name)s » : %(token)s — copiez-le maintenant, il "
                                    "ne sera plus jamais affiché.") % {"name": obj.name,
                                                                      "token": clear})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked tokens stay listed: who had access, until when

    @admin.action(description=_lazy("Révoquer les jetons choisis"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("%(count)d jeton(s) révoqué(s).") % {"count": count})
