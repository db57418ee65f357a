from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from jalon.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
]
