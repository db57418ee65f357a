"""Send once: the same creation request sent twice makes one record.

- API: a ``POST`` under ``/api/`` with an ``Idempotency-Key`` header (at most 200 printable
  characters, for instance a UUID) is performed once per caller and key; sent again with the
  same body, it gets the first answer back (header ``Idempotent-Replayed: true``); with another
  body, a 409; while the first is still running, a 409 too. Kept ``JALON_IDEMPOTENCY_HOURS``.
- Pages: a form carrying a ``_once`` field (the ``{% submit_once %}`` tag of
  ``jalon_web``) is performed once per person and token: a second submission (a double click,
  the back button) is redirected where the first went.

Any record app gets it for its creation endpoints and forms without code of its own: the
middleware reads the request, not the view. A 5xx answer is not kept: the key may be retried.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from jalon.api.models import IdempotentRequest

HEADER = "HTTP_IDEMPOTENCY_KEY"
FORM_FIELD = "_once"


def _scope(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if request.META.get("HTTP_AUTHORIZATION"):
        who = "token:" + str(request.META["HTTP_AUTHORIZATION"])
    elif request.META.get("HTTP_X_API_KEY"):
        who = "key:" + str(request.META["HTTP_X_API_KEY"])
    elif user is not None and user.is_authenticated:
        who = f"user:{user.pk}"
    else:
        return None
    return hashlib.sha256(who.encode()).hexdigest()


def _key(request: HttpRequest) -> tuple[str, bool] | None:
    """The request's key and whether it came from the API, if it has one."""
    if request.method != "POST":
        return None
    if request.path.startswith("/api/"):
        key = str(request.META.get(HEADER, "")).strip()
        return (key, True) if key else None
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        key = request.POST.get(FORM_FIELD, "").strip()
        return ("form:" + key, False) if key else None
    return None


def _error(api: bool, status: int, detail: str) -> HttpResponse:
    if api:
        return JsonResponse({"detail": detail, "field": "Idempotency-Key"}, status=status)
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = _key(request)
        scope = _scope(request) if found else None
        if found is None or scope is None:
            return self.get_response(request)
        key, api = found
        if len(key) > 200 or not key.isprintable():
            return _error(api, 400, _("Clé d’idempotence invalide : au plus 200 caractères imprimables."))
        body = request.body if api else b"".join(
            f"{k}={v}\n".encode() for k, values in sorted(request.POST.lists()) for v in values)
        fingerprint = hashlib.sha256(str(request.method).encode() + request.path.encode() + b"\n" + body).hexdigest()
        IdempotentRequest.objects.filter(
            created_at__lt=timezone.now() - timedelta(hours=int(settings.JALON_IDEMPOTENCY_HOURS))).delete()
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(scope=scope, key=key, fingerprint=fingerprint)
        except IntegrityError:
            return self._replay(scope, key, fingerprint, api)
        response = self.get_response(request)
        keep = response.status_code < 500 if api else 300 <= response.status_code < 400
        if not keep:
            row.delete()
            return response
        row.status = response.status_code
        row.content_type = str(response.get("Content-Type", ""))[:120]
        row.location = str(response.get("Location", ""))[:500]
        row.body = b"" if response.streaming or not api else response.content
        row.save(update_fields=["status", "content_type", "location", "body"])
        return response

    def _replay(self, scope: str, key: str, fingerprint: str, api: bool) -> HttpResponse:
        row = IdempotentRequest.objects.filter(scope=scope, key=key).first()
        if row is None or row.status is None:
            return _error(api, 409, _("Une requête avec cette clé d’idempotence est déjà en cours."))
        if row.fingerprint != fingerprint and api:
            return _error(api, 409, _("Cette clé d’idempotence a déjà servi pour une autre requête."))
        if not api:
            return HttpResponseRedirect(row.location or "/")
        response = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type or None)
        if row.location:
            response["Location"] = row.location
        response["Idempotent-Replayed"] = "true"
        return response
