from __future__ import annotations

from django.urls import path

from jalon.web.orders import views

urlpatterns = [
    path("marches/<slug:slug>/commandes/", views.order_list, name="orders"),
    path("marches/<slug:slug>/commandes/export.<fmt:fmt>", views.order_export, name="orders-export"),
    path("marches/<slug:slug>/commandes/nouveau/", views.order_create, name="order-create"),
    path("marches/<slug:slug>/commandes/bordereau/", views.schedule_page, name="price-schedule"),
    path("marches/<slug:slug>/commandes/bordereau/revisions/<int:revision>/approuver/", views.approve_revision,
         name="price-revision-approve"),
    path("marches/<slug:slug>/commandes/<int:number>/", views.order_detail, name="order"),
    path("marches/<slug:slug>/commandes/<int:number>/livrables/<int:deliverable>/", views.download_deliverable,
         name="order-deliverable"),
    path("marches/<slug:slug>/commandes/<int:number>/<slug:action>/", views.order_action, name="order-action"),
    path("marches/<slug:slug>/tickets/<int:ticket>/commander/", views.order_from_ticket, name="order-from-ticket"),
]
