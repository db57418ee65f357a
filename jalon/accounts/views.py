"""Login (password, then an optional TOTP code), TOTP enrolment, OpenID Connect."""

from __future__ import annotations

from typing import Any

import pyotp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jalon.accounts import lockout, oidc
from jalon.accounts.access import AuthedRequest
from jalon.accounts.forms import CodeForm, ThrottledAuthenticationForm
from jalon.accounts.models import HOLDER_ROLES, OrganisationKind, accept_totp, profile_of

PENDING_KEY = "jalon_pending_login"
SETUP_KEY = "jalon_totp_setup"


def _safe_next(request: HttpRequest, candidate: str) -> str:
    allowed = url_has_allowed_host_and_scheme(candidate, {request.get_host()},
                                              require_https=request.is_secure())
    return candidate if candidate and allowed else settings.LOGIN_REDIRECT_URL


class JalonLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(oidc_enabled=oidc.configured(), oidc_label=settings.JALON_OIDC_LABEL)
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if profile_of(user).totp_enabled:
            # The password is right; the session is not logged in until the code is.
            self.request.session[PENDING_KEY] = {
                "user": user.pk, "backend": getattr(user, "backend", ""),
                "next": self.get_success_url(),
            }
            return redirect("accounts-login-code")
        return super().form_valid(form)


def login_code(request: HttpRequest) -> HttpResponse:
    """Second login step for people who turned TOTP on."""
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return redirect("login")
    user = User.objects.filter(pk=int(pending["user"]), is_active=True).first()
    if user is None:
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]

        def check() -> bool:
            if lockout.is_locked(request, user.username):
                form.add_error(None, lockout.locked_message())
                return False
            if profile_of(user).verify_totp(code, timezone.now()):
                return True
            lockout.record_failure(request, user.username)
            form.add_error("code", _("Code incorrect ou déjà utilisé."))
            return False

        if lockout.one_at_a_time(user.username, check):
            lockout.clear(request, user.username)
            del request.session[PENDING_KEY]
            login(request, user, backend=pending["backend"] or None)
            return redirect(_safe_next(request, pending["next"]))
    return render(request, "accounts/login_code.html", {"form": form})


def is_holder_staff(user: User) -> bool:
    profile = profile_of(user)
    if profile.organisation is not None and profile.organisation.kind == OrganisationKind.HOLDER:
        return True
    return bool(user.memberships.filter(role__in=list(HOLDER_ROLES)).exists())


@login_required
def totp_setup(request: AuthedRequest) -> HttpResponse:
    """Holder staff turn the TOTP second factor on or off (it is optional)."""
    if not is_holder_staff(request.user):
        raise Http404(_("Page introuvable."))
    profile = profile_of(request.user)
    form = CodeForm(request.POST or None)
    secret = request.session.get(SETUP_KEY) or pyotp.random_base32()
    request.session[SETUP_KEY] = secret
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if profile.totp_enabled and request.POST.get("action") == "disable":
            if profile.verify_totp(code):
                profile.disable_totp()
                messages.success(request, _("Double authentification désactivée."))
                return redirect("accounts-totp-setup")
        elif not profile.totp_enabled:
            counter = accept_totp(secret, code, timezone.now(), 0)
            if counter is not None:
                profile.enable_totp(secret, counter)
                del request.session[SETUP_KEY]
                messages.success(request, _("Double authentification activée."))
                return redirect("accounts-totp-setup")
        form.add_error("code", _("Code incorrect."))
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=request.user.get_username(), issuer_name="Jalon")
    return render(request, "accounts/totp_setup.html", {
        "form": form, "enabled": profile.totp_enabled, "secret": secret, "uri": uri})


def oidc_login(request: HttpRequest) -> HttpResponseBase:
    if not oidc.configured():
        raise Http404(_("Connexion OpenID Connect non configurée."))
    next_url = _safe_next(request, request.GET.get("next", ""))
    try:
        return redirect(oidc.start(request, next_url))
    except oidc.OidcError as error:
        messages.error(request, str(error))
        return redirect("login")


def oidc_callback(request: HttpRequest) -> HttpResponseBase:
    if not oidc.configured():
        raise Http404(_("Connexion OpenID Connect non configurée."))
    try:
        user, next_url = oidc.finish(request)
    except oidc.OidcError as error:
        messages.error(request, str(error))
        return redirect("login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(_safe_next(request, next_url))


@require_POST
def forget_pending_login(request: HttpRequest) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    return redirect("login")
