"""Accounts pages. ``connexion/`` replaces the skeleton's plain login view (same path and name):
jalon/urls.py includes this module before jalon.web.urls."""

from __future__ import annotations

from django.urls import path

from jalon.accounts import views

urlpatterns = [
    path("connexion/", views.JalonLoginView.as_view(), name="login"),
    path("connexion/code/", views.login_code, name="accounts-login-code"),
    path("connexion/code/annuler/", views.forget_pending_login, name="accounts-login-cancel"),
    path("connexion/oidc/", views.oidc_login, name="accounts-oidc-login"),
    path("connexion/oidc/retour/", views.oidc_callback, name="accounts-oidc-callback"),
    path("compte/double-authentification/", views.totp_setup, name="accounts-totp-setup"),
]
