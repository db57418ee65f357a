from __future__ import annotations

from django.urls import path

from jalon.api.site import api

urlpatterns = [path("", api.urls)]
