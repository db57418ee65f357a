"""A part of a page's address that cannot be read (a period ``2026-Q5``, a month ``2026-13``, a
day ``hier``) is answered 400 with what was expected, never a silent fallback to another period
nor a bare "page introuvable"."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class BadAddress(Exception):
    """Raised by a view; :class:`BadAddressMiddleware` answers 400 with its message."""


class BadAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, error: Exception) -> HttpResponse | None:
        if isinstance(error, BadAddress):
            return render(request, "400.html", {"message": str(error)}, status=400)
        return None
