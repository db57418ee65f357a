"""``GET /contracts/{slug}/calendar.ics``: the caller's deadlines on one contract, as iCalendar."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router

from jalon.accounts.access import get_contract_for
from jalon.api.auth import caller
from jalon.api.errors import ERRORS
from jalon.calendars import feed
from jalon.lib import clock

router = Router(tags=["calendrier"])


@router.get("/{slug}/calendar.ics", response={200: None, **ERRORS}, summary="Mes échéances (iCalendar)",
            description="Les délais en cours des enregistrements que vous voyez sur ce marché, et ses "
                        "réunions et actions : un événement par échéance, d’identifiant stable.")
def calendar_ics(request: HttpRequest, slug: str) -> HttpResponse:
    contract = get_contract_for(caller(request), slug)
    body = feed.ical(caller(request), contract, clock.now(), settings.SITE_URL)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
