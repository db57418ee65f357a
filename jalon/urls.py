from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog

# The JavaScript catalog (djangojs domain, from LOCALE_PATHS; jalon.web has no locale folder of its
# own) is the same for every page of a language: base.html asks for it with ?lang=<code>, so a
# browser may keep one copy per language for an hour.
javascript_catalog = cache_control(private=True, max_age=3600)(JavaScriptCatalog.as_view(packages=["jalon.web"]))

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("jalon.api.urls")),
    # set_language: the language switcher in base.html posts here.
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    # Before jalon.web.urls: its login page (same path and name) gains throttling, TOTP, OIDC.
    path("", include("jalon.accounts.urls")),
    path("", include("jalon.web.urls")),
]

# An unknown path under /api/ (a non-integer id) answers the API's JSON error shape.
handler404 = "jalon.api.errors.page_not_found"
