from __future__ import annotations

from django.urls import path

from jalon.api.endpoints import api

urlpatterns = [path("", api.urls)]
