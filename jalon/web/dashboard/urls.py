from __future__ import annotations

from django.urls import path

from jalon.web.dashboard import views

urlpatterns = [
    path("marches/<slug:slug>/tableau-de-bord/", views.contract_dashboard, name="dashboard"),
    path("marches/<slug:slug>/tableau-de-bord/export.<fmt:fmt>", views.contract_dashboard_export,
         name="dashboard-export"),
]
