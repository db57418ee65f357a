"""Calendar feeds: a person creates a secret address (shown once), revokes it; a calendar client
reads the feed at that address without logging in (the token is the credential; revoked or
unknown: 404)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jalon.accounts.access import AuthedRequest
from jalon.calendars import feed as calendar
from jalon.calendars.models import CalendarFeed
from jalon.lib import clock

CONTENT_TYPE = "text/calendar; charset=utf-8"


@login_required
def feeds(request: AuthedRequest) -> HttpResponse:
    token = None
    if request.method == "POST":
        _feed, token = CalendarFeed.issue(request.user, request.POST.get("name", ""))
    return render(request, "web/calendar_feeds.html", {
        "feeds": CalendarFeed.objects.filter(user=request.user, revoked_at__isnull=True),
        "token": token,
        "address": settings.SITE_URL + reverse("calendar-feed", args=[token]) if token else "",
    })


@login_required
@require_POST
def revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    found = CalendarFeed.objects.filter(pk=pk, user=request.user, revoked_at__isnull=True).first()
    if found is None:
        raise Http404(_("Abonnement introuvable."))
    found.revoke()
    messages.success(request, _("Adresse révoquée : les calendriers abonnés ne la liront plus."))
    return redirect("calendar-feeds")


def feed(request: HttpRequest, token: str) -> HttpResponse:
    now = clock.now()
    user = CalendarFeed.objects.user_for(token, now)
    if user is None:
        raise Http404(_("Calendrier introuvable."))
    body = calendar.ical(user, None, now, settings.SITE_URL)
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response
