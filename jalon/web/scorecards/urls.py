from __future__ import annotations

from django.urls import path

from jalon.web.scorecards import views

urlpatterns = [
    path("marches/<slug:slug>/bilans/", views.period_list, name="scorecards"),
    path("marches/<slug:slug>/bilans/audit-export/", views.audit_export, name="scorecard-audit"),
    path("marches/<slug:slug>/bilans/audit-export/<str:token>.<str:fmt>", views.audit_download,
         name="scorecard-audit-download"),
    path("marches/<slug:slug>/bilans/<str:period>/", views.period_page, name="scorecard"),
    path("marches/<slug:slug>/bilans/<str:period>/actions/<slug:step>/", views.period_action,
         name="scorecard-action"),
    path("marches/<slug:slug>/bilans/<str:period>/mesures/", views.measure_enter, name="scorecard-measure"),
    path("marches/<slug:slug>/bilans/<str:period>/mesures/import/", views.measure_import,
         name="scorecard-measure-import"),
    path("marches/<slug:slug>/bilans/<str:period>/mesures/<int:pk>/examen/", views.measure_review,
         name="scorecard-measure-review"),
    path("marches/<slug:slug>/bilans/<str:period>/mesures/<int:pk>/fichiers/<int:file_id>/",
         views.measure_file, name="scorecard-measure-file"),
    path("marches/<slug:slug>/bilans/<str:period>/bilan.<str:fmt>", views.period_document,
         name="scorecard-document"),
    path("marches/<slug:slug>/bilans/<str:period>/v<int:version>.zip", views.period_archive,
         name="scorecard-archive"),
]
