"""The pages the DSFR footer links to on every page: legal notice, personal data, cookies, site
map (the accessibility statement is jalon.web.accessibility). Public, in French first. What only
the operator of an installation knows (publisher, host, data protection contact) comes from the
settings ``JALON_LEGAL_*`` and ``JALON_PRIVACY_CONTACT``; the pages say so when it is missing."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jalon.accounts import access
from jalon.accounts.access import Need


def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "web/legal_notice.html", {
        "publisher": settings.JALON_LEGAL_PUBLISHER, "host": settings.JALON_LEGAL_HOST})


def personal_data(request: HttpRequest) -> HttpResponse:
    return render(request, "web/personal_data.html", {
        "contact": settings.JALON_PRIVACY_CONTACT, "session_hours": settings.SESSION_COOKIE_AGE // 3600})


def cookies(request: HttpRequest) -> HttpResponse:
    return render(request, "web/cookies.html", {
        "session_cookie": settings.SESSION_COOKIE_NAME, "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "language_cookie": settings.LANGUAGE_COOKIE_NAME, "session_hours": settings.SESSION_COOKIE_AGE // 3600})


def site_map(request: HttpRequest) -> HttpResponse:
    contracts = []
    if request.user.is_authenticated:
        contracts = [(c, access.may(request.user, c, Need.VIEW_DASHBOARD)) for c in access.contracts_of(request.user)]
    return render(request, "web/site_map.html", {"contracts": contracts})
