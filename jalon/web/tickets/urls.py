from __future__ import annotations

from django.urls import include, path

from jalon.web.tickets import history, views

attachment_patterns = ([
    path("tickets/<int:ticket_id>/pieces-jointes/<int:attachment_id>/", views.download_attachment,
         name="attachment"),
], "tickets")

urlpatterns = [
    path("", include(attachment_patterns)),
    path("tickets/", views.my_tickets, name="my-tickets"),
    path("tickets/export.<fmt:fmt>", views.my_tickets_export, name="my-tickets-export"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/rapport.pdf", views.intervention_report_pdf, name="ticket-report-pdf"),
    path("tickets/<int:pk>/<slug:action>/", views.ticket_action, name="ticket-action"),
    path("marches/<slug:slug>/tickets/", views.contract_tickets, name="contract-tickets"),
    path("marches/<slug:slug>/tickets/export.<fmt:fmt>", views.contract_tickets_export,
         name="contract-tickets-export"),
    path("marches/<slug:slug>/tickets/nouveau/", views.ticket_create, name="ticket-create"),
    path("marches/<slug:slug>/historique/empreintes/", history.history_heads, name="history-heads"),
]
