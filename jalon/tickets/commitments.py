"""Tickets' clocks, as the commitments registry knows them (registered in ``apps.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.urls import reverse

from jalon.commitments import registry
from jalon.commitments.registry import Audience, Commitment, NoticeWords, Party
from jalon.contracts.models import Contract
from jalon.tickets.models import Clock, Ticket


def lock(ticket_id: int) -> Ticket | None:
    """The ticket row locked as every domain method locks it: recomputing saves whole clock
    rows, which could otherwise write back an empty ``warned_at`` read just before another
    worker's claim."""
    return (Ticket.objects.select_for_update(of=("self",))
            .select_related("contract", "convention_version", "assignee", "requester")
            .filter(pk=ticket_id).first())


def recompute(ticket: Ticket, now: datetime) -> Sequence[Clock]:
    clocks = ticket.recompute_clocks(now)
    for clock in clocks:
        clock.ticket = ticket  # the locked row, with its relations already loaded
    return clocks


def contract(ticket: Ticket) -> Contract:
    return ticket.contract


def calendar_zone(ticket: Ticket, clock: Clock) -> str:
    return ticket.convention_version.parsed().calendars[clock.calendar_name].tz


def url(ticket: Ticket) -> str:
    return reverse("ticket", args=[ticket.pk])  # a page of jalon.web, found by its name


def words(ticket: Ticket) -> NoticeWords:
    assignee = ticket.assignee
    return NoticeWords(
        reference=ticket.reference, title=ticket.title, noun="Ticket", of_record="du ticket",
        the_record="le ticket", please="Merci de traiter ce ticket avant l’échéance.",
        details=(("Priorité", ticket.priority),) if ticket.priority else (),
        breach_details=(("Intervenant",
                         (assignee.get_full_name() or assignee.username) if assignee else "aucun"),),
        answerable=True,  # replies to the intake address become comments
    )


def warning_audience(ticket: Ticket) -> Audience:
    """The assignee; before anyone is assigned, the holder side, who must dispatch it."""
    return Audience(people=(ticket.assignee,), parties_if_nobody=(Party.HOLDER,))


def breach_audience(ticket: Ticket) -> Audience:
    return Audience(parties=(Party.BUYER, Party.HOLDER), people=(ticket.assignee,))


TICKETS: Commitment[Ticket, Clock] = Commitment(
    name="ticket", clock_model=Clock, lock=lock, recompute=recompute, contract=contract,
    zone=calendar_zone, url=url, words=words, warn=warning_audience, breach=breach_audience,
    visible=lambda user, contract: Ticket.objects.visible_to(user, contract), dedup_scope="")


def register() -> None:
    registry.register(TICKETS)
