from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from jalon.web import accessibility, views


class ExportFormat:
    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExportFormat, "fmt")

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibilite/", accessibility.statement, name="accessibility"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("tickets/", views.my_tickets, name="my-tickets"),
    path("tickets/export.<fmt:fmt>", views.my_tickets_export, name="my-tickets-export"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/rapport.pdf", views.intervention_report_pdf, name="ticket-report-pdf"),
    path("tickets/<int:pk>/<slug:action>/", views.ticket_action, name="ticket-action"),
    path("marches/<slug:slug>/tickets/", views.contract_tickets, name="contract-tickets"),
    path("marches/<slug:slug>/tickets/export.<fmt:fmt>", views.contract_tickets_export,
         name="contract-tickets-export"),
    path("marches/<slug:slug>/tickets/nouveau/", views.ticket_create, name="ticket-create"),
    path("marches/<slug:slug>/tableau-de-bord/", views.contract_dashboard, name="dashboard"),
    path("marches/<slug:slug>/tableau-de-bord/export.<fmt:fmt>", views.contract_dashboard_export,
         name="dashboard-export"),
]
