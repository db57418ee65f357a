from __future__ import annotations

from django.urls import path

from jalon.web.governance import records, views

urlpatterns = [
    path("marches/<slug:slug>/gouvernance/", views.meetings, name="governance"),
    path("marches/<slug:slug>/gouvernance/reunions/<int:pk>/", views.meeting, name="governance-meeting"),
    path("marches/<slug:slug>/gouvernance/reunions/<int:pk>/action/<slug:step_slug>/", views.meeting_step,
         name="governance-meeting-step"),
    path("marches/<slug:slug>/gouvernance/reunions/<int:pk>/saisie/<slug:what>/", views.meeting_record,
         name="governance-meeting-record"),
    path("marches/<slug:slug>/gouvernance/reunions/<int:pk>/releve.<slug:doc>", views.minutes_document,
         name="governance-minutes"),
    path("marches/<slug:slug>/gouvernance/decisions/", views.decisions, name="governance-decisions"),
    path("marches/<slug:slug>/gouvernance/actions/", views.actions, name="governance-actions"),
    path("marches/<slug:slug>/gouvernance/decisions/<int:pk>/", records.decision, name="governance-decision"),
    path("marches/<slug:slug>/gouvernance/actions/<int:pk>/", records.action, name="governance-action"),
    path("marches/<slug:slug>/gouvernance/risques/<int:pk>/", records.risk, name="governance-risk"),
    path("marches/<slug:slug>/gouvernance/risques/", views.risks, name="governance-risks"),
    path("marches/<slug:slug>/gouvernance/export/<slug:what>.<fmt:fmt>", views.export, name="governance-export"),
]
