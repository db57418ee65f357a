"""The iCalendar feed (RFC 5545) of every deadline a person is concerned by.

Two sources, walked for each contract the person has a role on (or the one asked):

- the **running clocks** of every record type registered with :mod:`jalon.commitments.registry`
  (tickets, deliverables; orders and meetings when they register), of the records the person
  may see (the registration's ``visible``), each as the half hour ending at its due instant;
- every **calendar entry** of :func:`jalon.commitments.sources.calendar_sources` (meetings,
  actions…), between a month ago and a year ahead.

Event ids are stable (``<record type>-<record id>-<clock kind>@jalon``; entries bring their
own), so a client that reads the feed again updates each event in place rather than adding
it twice. The number of events is capped (``JALON_CALENDAR_MAX_EVENTS``), nearest first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from jalon.accounts import access
from jalon.commitments import registry, sources
from jalon.commitments.sources import CalendarEntry
from jalon.contracts.models import Contract

SLOT = timedelta(minutes=30)
PAST = timedelta(days=31)
AHEAD = timedelta(days=366)


def entries(user: User, contracts: list[Contract], now: datetime, base_url: str) -> list[CalendarEntry]:
    found: list[CalendarEntry] = []
    for contract in contracts:
        for commitment in registry.registered():
            if commitment.visible is None:
                continue
            owners = commitment.visible(user, contract)
            owner = commitment.clock_model.owner_field
            clocks = (commitment.clock_model._default_manager.filter(
                started_at__isnull=False, stopped_at__isnull=True, due_at__isnull=False,
                **{f"{owner}__in": owners.values("pk")})
                .select_related(owner).order_by("due_at")[: settings.JALON_CALENDAR_MAX_EVENTS])
            for clock in clocks:
                record = getattr(clock, owner)
                record.contract = contract  # the one read already
                words = commitment.words(record)
                due = clock.due_at
                assert due is not None
                found.append(CalendarEntry(
                    uid=f"{commitment.name}-{record.pk}-{clock.kind}@jalon",
                    title=f"[{words.reference}] {clock.label or clock.kind} — {words.title}",
                    starts_at=due - SLOT, ends_at=due, url=base_url + commitment.url(record),
                    description=_("Échéance du délai « %(label)s » %(of)s %(ref)s (%(contract)s).")
                    % {"label": clock.label or clock.kind, "of": words.of_record, "ref": words.reference,
                       "contract": contract.reference}))
        for source in sources.calendar_sources():
            found.extend(source(user, contract, now - PAST, now + AHEAD))
    found.sort(key=lambda e: e.starts_at)
    return found[: settings.JALON_CALENDAR_MAX_EVENTS]


def ical(user: User, contract: Contract | None, now: datetime, base_url: str) -> bytes:
    """The feed of ``user`` for ``contract`` (every contract of theirs when None)."""
    contracts = [contract] if contract is not None else access.contracts_of(user)
    calendar = Calendar()
    calendar.add("prodid", "-//Jalon//Plateforme de suivi//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = _("Échéances Jalon") + (f" — {contract.reference}" if contract else "")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("refresh-interval", timedelta(minutes=30), parameters={"VALUE": "DURATION"})
    for entry in entries(user, contracts, now, base_url):
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", now)
        event.add("summary", entry.title)
        event.add("dtstart", entry.starts_at)
        event.add("dtend", entry.ends_at or entry.starts_at + SLOT)
        if entry.url:
            event.add("url", entry.url)
        if entry.description:
            event.add("description", entry.description)
        calendar.add_component(event)
    return calendar.to_ical()
