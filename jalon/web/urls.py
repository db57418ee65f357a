"""The pages, by area: home and accessibility here, then tickets and the dashboard (each area's
``urls``); the next areas (scorecards, orders, governance, documents, inventory) add theirs."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from jalon.web import accessibility, home, legal, notices


class ExportFormat:
    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExportFormat, "fmt")

urlpatterns = [
    path("", home.home, name="home"),
    path("accessibilite/", accessibility.statement, name="accessibility"),
    path("mentions-legales/", legal.legal_notice, name="legal-notice"),
    path("donnees-personnelles/", legal.personal_data, name="personal-data"),
    path("cookies/", legal.cookies, name="cookies"),
    path("plan-du-site/", legal.site_map, name="site-map"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", notices.notices, name="notices"),
    path("notifications/<int:pk>/", notices.notice, name="notice"),
    path("notifications/tout-lu/", notices.mark_all_read, name="notices-read"),
    path("", include("jalon.web.tickets.urls")),
    path("", include("jalon.web.dashboard.urls")),
    path("", include("jalon.web.reversibility.urls")),
    path("", include("jalon.web.governance.urls")),
    path("", include("jalon.web.forfait.urls")),
    path("", include("jalon.web.deliverables.urls")),
    path("", include("jalon.web.documents.urls")),
    path("", include("jalon.web.calendars.urls")),
    path("", include("jalon.web.orders.urls")),
    path("", include("jalon.web.scorecards.urls")),
    path("", include("jalon.web.billing.urls")),
]
