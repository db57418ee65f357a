from __future__ import annotations

from django.urls import path

from jalon.web.documents import views

urlpatterns = [
    path("marches/<slug:slug>/rapports/", views.reports, name="reports"),
    path("marches/<slug:slug>/rapports/modeles/", views.upload_template, name="report-template"),
    path("marches/<slug:slug>/rapports/nouveau/<slug:kind>/", views.report_new, name="report-new"),
    path("marches/<slug:slug>/rapports/<int:pk>/", views.report, name="report"),
    path("marches/<slug:slug>/rapports/<int:pk>/reviser/", views.report_edit, name="report-edit"),
    path("marches/<slug:slug>/rapports/<int:pk>/rapport.pdf", views.report_pdf, name="report-pdf"),
    path("marches/<slug:slug>/rapports/<int:pk>/rapport.docx", views.report_docx, name="report-docx"),
    path("marches/<slug:slug>/livrables/<int:pk>/rapport/", views.submit_to_deliverable,
         name="deliverable-report"),
]
