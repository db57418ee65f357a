from __future__ import annotations

from django.urls import path

from jalon.web.reversibility import views

urlpatterns = [
    path("marches/<slug:slug>/export-reversibilite.zip", views.contract_export, name="contract-export"),
]
