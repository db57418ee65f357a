"""Request guards that answer a located 400 before a value can reach the database.

NUL cannot be stored by PostgreSQL (``A string literal cannot contain NUL``): a NUL in a query
parameter, a form field or a JSON body is refused here, naming the parameter or field, in the
API's JSON error shape under ``/api/`` and as a plain page elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _


def _nul_in_json(value: Any, path: str = "") -> Iterator[str]:
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                yield where
            yield from _nul_in_json(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_in_json(item, f"{path}.{index}" if path else str(index))


def nul_field(request: HttpRequest) -> str | None:
    """The first parameter or field of ``request`` holding a NUL character ("" for the body as
    a whole), or None."""
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return key.replace("\x00", "") or "?"
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    if content_type == "application/json":
        try:
            body = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            return None  # the API answers its own "not valid JSON"
        return next(_nul_in_json(body), None)
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            fields = request.POST
        except (MultiPartParserError, ValueError):
            return None
        for key, values in fields.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "") or "?"
    return None


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = nul_field(request)
        if field is None:
            return self.get_response(request)
        detail = _("« %(field)s » contient un caractère nul (U+0000), refusé.") % {"field": field}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": detail, "field": field}, status=400)
        return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")


class PrivateAnswersMiddleware:
    """What a shared cache or the browser's back button must never keep: every answer to a
    signed-in person (pages, exports, attachments) and every API answer is ``Cache-Control:
    no-store``, unless the view set its own caching (the translation catalogue); every answer
    says which browser features the platform never uses (``Permissions-Policy``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        private = request.path.startswith("/api/") or bool(user is not None and user.is_authenticated)
        if private and (request.path.startswith("/api/") or not response.has_header("Cache-Control")):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and not response.has_header("Permissions-Policy"):
            response["Permissions-Policy"] = policy
        return response
