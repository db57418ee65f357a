"""Who is calling: a bearer token (scripts, other tools) or the browser session (same origin).

A request that presents a bearer token is judged on that token alone: a wrong, revoked or
expired one is a 401 even if a session cookie came along. A session request that writes must
pass Django's CSRF check, as a form would.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from jalon.api.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.objects.user_for(token.strip(), timezone.now())
        if user is None:
            raise AuthenticationError(401, _("Jeton d’accès inconnu, révoqué ou expiré."))
        return user


class SessionAuth(APIKeyCookie):
    """Django's login session; CSRF-checked only once the session is known to be someone's, so
    that an anonymous write gets a 401 rather than a CSRF error."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, _("Vérification CSRF échouée : envoyez l’en-tête X-CSRFToken "
                                   "avec le jeton du cookie csrftoken."))
        return user


AUTH = [TokenAuth(), SessionAuth()]


def caller(request: HttpRequest) -> User:
    """The person ``request`` is authenticated as (ninja sets ``request.auth``)."""
    person: User = request.auth  # type: ignore[attr-defined]
    return person
