from __future__ import annotations

from django.urls import path

from jalon.web.deliverables import views

urlpatterns = [
    path("marches/<slug:slug>/livrables/", views.register, name="deliverables"),
    path("marches/<slug:slug>/livrables/export.<fmt:fmt>", views.register_export,
         name="deliverables-export"),
    path("marches/<slug:slug>/livrables/nouveau/", views.create, name="deliverable-create"),
    path("marches/<slug:slug>/livrables/planifier/", views.plan, name="deliverables-plan"),
    path("marches/<slug:slug>/livrables/<int:pk>/", views.detail, name="deliverable"),
    path("marches/<slug:slug>/livrables/<int:pk>/versions/<int:version>/", views.download,
         name="deliverable-version"),
    path("marches/<slug:slug>/livrables/<int:pk>/<slug:action>/", views.act, name="deliverable-action"),
]
