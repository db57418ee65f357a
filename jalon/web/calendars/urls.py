from __future__ import annotations

from django.urls import path

from jalon.web.calendars import views

urlpatterns = [
    path("calendrier/", views.feeds, name="calendar-feeds"),
    path("calendrier/<int:pk>/revoquer/", views.revoke, name="calendar-feed-revoke"),
    path("calendrier/<str:token>.ics", views.feed, name="calendar-feed"),
]
