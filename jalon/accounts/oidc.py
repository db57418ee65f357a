"""OpenID Connect login, compatible with ProConnect (the French State's identity federation).

Authorization code flow with PKCE (S256), ``state`` and ``nonce``. The ID token is verified with
PyJWT against the provider's JWKS (signature, issuer, audience, expiry, nonce). The email comes
from the ID token or, as with ProConnect, from the userinfo endpoint (JSON or a signed JWT). It
is matched to an *existing* active account: nobody gets an account by logging in.

Settings: ``JALON_OIDC_DISCOVERY_URL``, ``JALON_OIDC_CLIENT_ID``, ``JALON_OIDC_CLIENT_SECRET``,
``JALON_OIDC_SCOPES``. All network access goes through :func:`http`, which tests replace.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

SESSION_KEY = "jalon_oidc"
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
_DISCOVERY_TTL = 3600
_discovery_cache: dict[str, tuple[float, Provider]] = {}


class OidcError(Exception):
    """The login cannot be completed; the message is shown to the person (in French)."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str


def configured() -> bool:
    return all((settings.JALON_OIDC_DISCOVERY_URL, settings.JALON_OIDC_CLIENT_ID,
                settings.JALON_OIDC_CLIENT_SECRET))


def http(url: str, form: dict[str, str] | None = None,
         headers: dict[str, str] | None = None) -> tuple[str, bytes]:
    """GET (or POST ``form``) ``url``; returns the content type and the body."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:  # URLs come from settings and discovery
        return response.headers.get_content_type(), response.read()


def _json(url: str, form: dict[str, str] | None = None) -> dict[str, Any]:
    try:
        _type, body = http(url, form, {"Accept": "application/json"})
        value = json.loads(body)
    except (OSError, ValueError) as error:
        raise OidcError(_("Le fournisseur d’identité ne répond pas correctement.")) from error
    if not isinstance(value, dict):
        raise OidcError(_("Le fournisseur d’identité ne répond pas correctement."))
    return value


def discover() -> Provider:
    url = settings.JALON_OIDC_DISCOVERY_URL
    cached = _discovery_cache.get(url)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    doc = _json(url)
    try:
        provider = Provider(doc["issuer"], doc["authorization_endpoint"], doc["token_endpoint"],
                            doc["jwks_uri"], doc.get("userinfo_endpoint", ""))
    except KeyError as error:
        raise OidcError(_("Document de découverte OpenID incomplet : %(field)s.")
                        % {"field": error.args[0]}) from error
    _discovery_cache[url] = (time.monotonic() + _DISCOVERY_TTL, provider)
    return provider


def redirect_uri() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("accounts-oidc-callback")


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def start(request: HttpRequest, next_url: str) -> str:
    """Remember state, nonce and PKCE verifier in the session; return the provider's URL."""
    provider = discover()
    flow = {"state": secrets.token_urlsafe(32), "nonce": secrets.token_urlsafe(32),
            "verifier": secrets.token_urlsafe(64), "next": next_url}
    request.session[SESSION_KEY] = flow
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": settings.JALON_OIDC_CLIENT_ID,
        "redirect_uri": redirect_uri(), "scope": settings.JALON_OIDC_SCOPES,
        "state": flow["state"], "nonce": flow["nonce"],
        "code_challenge": _challenge(flow["verifier"]), "code_challenge_method": "S256",
    })
    return f"{provider.authorization_endpoint}?{query}"


def finish(request: HttpRequest) -> tuple[User, str]:
    """Check the provider's answer and return the matching account and where to go next."""
    flow = request.session.pop(SESSION_KEY, None)
    if not flow or not secrets.compare_digest(request.GET.get("state", ""), flow["state"]):
        raise OidcError(_("Session de connexion expirée ou invalide ; recommencez."))
    if "error" in request.GET:
        raise OidcError(_("Connexion refusée par le fournisseur d’identité."))
    provider = discover()
    tokens = _json(provider.token_endpoint, {
        "grant_type": "authorization_code", "code": request.GET.get("code", ""),
        "redirect_uri": redirect_uri(), "client_id": settings.JALON_OIDC_CLIENT_ID,
        "client_secret": settings.JALON_OIDC_CLIENT_SECRET, "code_verifier": flow["verifier"],
    })
    claims = verify(provider, str(tokens.get("id_token", "")))
    if not secrets.compare_digest(str(claims.get("nonce", "")), flow["nonce"]):
        raise OidcError(_("Jeton d’identité rejoué ou invalide (nonce)."))
    email = claims.get("email") or _userinfo(provider, str(tokens.get("access_token", "")))
    return _account_for(str(email or "")), flow["next"]


def verify(provider: Provider, token: str) -> dict[str, Any]:
    """Signature, issuer, audience and expiry of a JWT signed by the provider."""
    try:
        header = jwt.get_unverified_header(token)
        keys = jwt.PyJWKSet.from_dict(_json(provider.jwks_uri))
        key = next(k for k in keys.keys if k.key_id == header.get("kid") or not header.get("kid"))
        claims: dict[str, Any] = jwt.decode(
            token, key=key, algorithms=SIGNING_ALGORITHMS, audience=settings.JALON_OIDC_CLIENT_ID,
            issuer=provider.issuer, options={"require": ["exp", "iat", "iss", "aud"]}, leeway=60,
        )
    except (jwt.PyJWTError, StopIteration) as error:
        raise OidcError(_("Jeton d’identité invalide.")) from error
    return claims


def _userinfo(provider: Provider, access_token: str) -> str:
    if not provider.userinfo_endpoint or not access_token:
        return ""
    try:
        kind, body = http(provider.userinfo_endpoint,
                          headers={"Authorization": f"Bearer {access_token}"})
    except OSError as error:
        raise OidcError(_("Le fournisseur d’identité ne répond pas correctement.")) from error
    # ProConnect signs its userinfo answer (application/jwt); others answer JSON.
    info = verify(provider, body.decode()) if kind == "application/jwt" else json.loads(body)
    return str(info.get("email", ""))


def _account_for(email: str) -> User:
    if not email:
        raise OidcError(_("Le fournisseur d’identité n’a pas transmis d’adresse électronique."))
    users = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
    if len(users) != 1:
        raise OidcError(_("Aucun compte Jalon unique ne correspond à l’adresse %(email)s ; "
                          "demandez à l’administrateur du marché de vous inscrire.")
                        % {"email": email})
    return users[0]
