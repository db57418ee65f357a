from __future__ import annotations

from django.urls import path

from jalon.tickets import views

app_name = "tickets"
urlpatterns = [
    path("tickets/<int:ticket_id>/pieces-jointes/<int:attachment_id>/",
         views.download_attachment, name="attachment"),
]
