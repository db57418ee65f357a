"""``/tickets``: list, create, read, reword, act on a ticket; its comments, history, clocks."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.responses import Response

from jalon.accounts.access import Need, get_contract_for, may
from jalon.accounts.models import members_of
from jalon.api.auth import caller
from jalon.api.errors import ERRORS
from jalon.api.tickets.clocks import clocks_now
from jalon.api.tickets.filters import (
    TicketFilters,
    filtered,
    list_rows,
    page,
    ticket_rows,
    visible_contracts,
)
from jalon.api.tickets.schemas import (
    ClockOut,
    CommentIn,
    CommentOut,
    EventOut,
    TicketCreateIn,
    TicketDetailOut,
    TicketOut,
    TicketPage,
    TicketPatchIn,
)
from jalon.api.tickets.transitions import AnyTransition
from jalon.contracts.models import Contract
from jalon.conventions.calendars import build_calendar
from jalon.tickets.channels import declared_channel
from jalon.tickets.models import Ticket
from jalon.tickets.queries import with_contracts

router = Router(tags=["tickets"])


def _detail(ticket: Ticket) -> TicketDetailOut:
    row = ticket_rows(Ticket.objects.filter(pk=ticket.pk))
    return TicketDetailOut.of(row.select_related("convention_version").get(), timezone.now())


@router.get("", response={200: TicketPage, **ERRORS}, summary="Tickets visibles")
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]) -> HttpResponse:
    now = timezone.now()
    contracts = visible_contracts(caller(request), filters.contract)
    tickets = list_rows(Ticket.objects.visible_on(caller(request), contracts))
    rows, next_cursor = page(filtered(tickets, filters, now), filters.sort, filters.cursor,
                             filters.limit)
    body = TicketPage.model_construct(items=[TicketOut.of(t, now) for t in with_contracts(rows, contracts)],
                                      next_cursor=next_cursor)
    # The rows come typed from the database: written out as the declared TicketPage with ninja's
    # own encoder (the same JSON as every other answer) but not validated again, which was a
    # fifth of a list request (benchmarks/platform_bench.py).
    return Response(body.model_dump(), content_type="application/json; charset=utf-8")


@router.post("", response={201: TicketDetailOut, **ERRORS}, summary="Déclarer un ticket")
def create_ticket(request: HttpRequest, payload: TicketCreateIn
                  ) -> Status[TicketDetailOut]:
    contract = get_contract_for(caller(request), payload.contract, need=Need.OPEN)
    requester = _member(contract, payload.requester) if payload.requester else None
    channel = declared_channel(contract, caller(request), payload.channel, payload.phone_call_at)
    ticket = Ticket.open(contract, actor=caller(request), requester=requester, channel=channel,
                         **payload.model_dump(exclude={"contract", "requester", "channel"}))
    return Status(201, _detail(ticket))


def _member(contract: Contract, key: str) -> User:
    """The active member of ``contract`` named by id or username; anyone else is "not a
    member", whether they exist or not."""
    lookup = Q(pk=int(key)) if key.isdigit() else Q(username=key)
    person = members_of(contract).filter(lookup).first()
    if person is None:
        raise ValidationError({"requester": [_("%(who)s n’a pas de rôle sur le marché %(ref)s.")
                                             % {"who": key, "ref": contract.reference}]})
    return person


@router.get("/{int:ticket_id}", response={200: TicketDetailOut, **ERRORS}, summary="Un ticket")
def get_ticket(request: HttpRequest, ticket_id: int) -> TicketDetailOut:
    return _detail(Ticket.objects.get_for(caller(request), ticket_id))


@router.patch("/{int:ticket_id}", response={200: TicketDetailOut, **ERRORS},
              summary="Reformuler l’objet ou la description")
def patch_ticket(request: HttpRequest, ticket_id: int, payload: TicketPatchIn
                 ) -> TicketDetailOut:
    ticket = Ticket.objects.get_for(caller(request), ticket_id, need=Need.REWORD)
    ticket.reword(caller(request), title=payload.title, description=payload.description)
    return _detail(ticket)


@router.post("/{int:ticket_id}/transitions", response={200: TicketDetailOut, **ERRORS},
             summary="Faire avancer un ticket (qualifier, affecter, résoudre…)")
def transition_ticket(request: HttpRequest, ticket_id: int, transition: AnyTransition
                      ) -> TicketDetailOut:
    ticket = Ticket.objects.get_for(caller(request), ticket_id, need=transition.need)
    transition.apply(ticket, caller(request))
    return _detail(ticket)


@router.get("/{int:ticket_id}/comments", response={200: list[CommentOut], **ERRORS},
            summary="Commentaires")
def list_comments(request: HttpRequest, ticket_id: int) -> list[CommentOut]:
    ticket = Ticket.objects.get_for(caller(request), ticket_id)
    comments = ticket.comments.select_related("author")
    if not may(caller(request), ticket.contract, Need.SEE_INTERNAL):
        comments = comments.filter(internal=False)
    return [CommentOut.of(c) for c in comments]


@router.post("/{int:ticket_id}/comments", response={201: CommentOut, **ERRORS},
             summary="Commenter")
def add_comment(request: HttpRequest, ticket_id: int, payload: CommentIn
                ) -> Status[CommentOut]:
    need = Need.COMMENT_INTERNAL if payload.internal else Need.COMMENT
    ticket = Ticket.objects.get_for(caller(request), ticket_id, need=need)
    comment = ticket.add_comment(caller(request), payload.body, internal=payload.internal)
    return Status(201, CommentOut.of(comment))


@router.get("/{int:ticket_id}/events", response={200: list[EventOut], **ERRORS},
            summary="Historique")
def list_events(request: HttpRequest, ticket_id: int) -> list[EventOut]:
    ticket = Ticket.objects.get_for(caller(request), ticket_id)
    events = ticket.events.select_related("actor").order_by("at", "pk")
    if not may(caller(request), ticket.contract, Need.SEE_INTERNAL):
        events = events.filter(~Q(internal=True))
    return [EventOut.of(e) for e in events]


@router.get("/{int:ticket_id}/clocks", response={200: list[ClockOut], **ERRORS},
            summary="Délais contractuels, à cet instant")
def list_clocks(request: HttpRequest, ticket_id: int) -> list[ClockOut]:
    ticket = Ticket.objects.get_for(caller(request), ticket_id)
    calendars = ticket.convention_version.parsed().calendars
    return [ClockOut.of(state, build_calendar(calendars[state.calendar])
                        if state.calendar in calendars else None)
            for state in clocks_now(ticket, timezone.now())]
