from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("jalon.api.urls")),
    # Before jalon.web.urls: its login page (same path and name) gains throttling, TOTP, OIDC.
    path("", include("jalon.accounts.urls")),
    path("", include("jalon.tickets.urls")),
    path("", include("jalon.web.urls")),
]
