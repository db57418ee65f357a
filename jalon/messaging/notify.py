"""Write notices into the outbox, inside the caller's transaction; they are sent after commit.

Each notice goes to each address as its own row, so that one bad address does not hold back
(or resend to) the others, and so that the dedup key can name the address.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from jalon.messaging import recipients
from jalon.messaging.models import MailIntake, NoticeKind, OutboxMessage
from jalon.tickets.models import Clock, Ticket, TicketEvent

log = logging.getLogger(__name__)


def sender_domain() -> str:
    address = str(settings.DEFAULT_FROM_EMAIL).rstrip(">")
    return address.rpartition("@")[2] or "jalon.invalid"


def new_message_id() -> str:
    return f"<jalon.{uuid.uuid4().hex}@{sender_domain()}>"


def ticket_url(ticket: Ticket) -> str:
    # The page belongs to jalon.web: should its route be renamed, a notice must still go out
    # (it is written inside the domain transaction), with a link to the home page.
    try:
        path = reverse("ticket", args=[ticket.pk])
    except NoReverseMatch:
        log.error("no URL named 'ticket': notices link to the home page")
        path = "/"
    return str(settings.SITE_URL).rstrip("/") + path


def reply_address(ticket: Ticket) -> str:
    """Replies should reach the contract's intake mailbox, where they become comments."""
    intake = MailIntake.objects.filter(contract_id=ticket.contract_id, active=True)
    return intake.order_by("pk").values_list("address", flat=True).first() or ""


def render(kind: NoticeKind, context: dict[str, Any], tz: str) -> tuple[str, str, str]:
    """Subject, text and HTML, in French, with instants in the contract's or calendar's zone
    (workers have no request to take a language or a zone from)."""
    base = f"messaging/{kind.value}"
    with translation.override(settings.LANGUAGE_CODE), timezone.override(ZoneInfo(tz)):
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        return (subject[:255], render_to_string(f"{base}.txt", context),
                render_to_string(f"{base}.html", context))


def queue(kind: NoticeKind, ticket: Ticket, addresses: Sequence[str], key: str,
          context: dict[str, Any], tz: str = "") -> None:
    """Queue one notice per address; a key already queued is silently skipped."""
    if not addresses:
        log.info("no recipient for %s on ticket %s", kind.value, ticket.pk)
        return
    context = {"ticket": ticket, "contract": ticket.contract, "url": ticket_url(ticket),
               **context}
    tz = tz or ticket.convention_version.parsed().contract.tz
    subject, body, html = render(kind, context, tz)
    now, reply_to = timezone.now(), reply_address(ticket)
    rows = [OutboxMessage(to=address, subject=subject, body=body, html=html, reply_to=reply_to,
                          ticket=ticket, kind=kind, dedup_key=f"{key}:{address.lower()}",
                          message_id=new_message_id(), next_attempt_at=now)
            for address in addresses]
    # ON CONFLICT DO NOTHING: a second attempt to queue the same notice leaves no trace.
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(send_soon)


def send_soon() -> None:
    """Ask a worker to flush the outbox; if the queue is down, the periodic flush will do it."""
    from jalon.messaging.tasks import tasks

    try:
        tasks.flush_outbox()
    except Exception:  # the web request has committed: never fail it for a queue hiccup
        log.exception("could not enqueue the outbox flush")


def urgent_opened(event: TicketEvent) -> None:
    ticket = event.ticket
    queue(NoticeKind.URGENT_OPENED, ticket, recipients.for_urgent_opening(ticket),
          f"urgent:{ticket.pk}", {"event": event})


def resolved(event: TicketEvent) -> None:
    ticket = event.ticket
    queue(NoticeKind.RESOLVED, ticket, recipients.for_resolution(ticket),
          f"resolved:{event.pk}", {"event": event, "note": event.payload.get("note", "")})


def clock_context(clock: Clock) -> dict[str, Any]:
    return {"clock": clock, "target_hours": round(clock.target_seconds / 3600, 2),
            "elapsed_hours": round(clock.elapsed_seconds / 3600, 2)}


def calendar_zone(clock: Clock) -> str:
    return clock.ticket.convention_version.parsed().calendars[clock.calendar_name].tz


def at_risk(clock: Clock) -> None:
    # The warning instant is in the key: a clock that leaves danger and comes back warns again.
    ticket = clock.ticket
    stamp = clock.risk_at.isoformat() if clock.risk_at else ""
    queue(NoticeKind.AT_RISK, ticket, recipients.for_warning(ticket),
          f"at_risk:{clock.pk}:{stamp}", clock_context(clock), calendar_zone(clock))


def breached(clock: Clock) -> None:
    ticket = clock.ticket
    stamp = clock.due_at.isoformat() if clock.due_at else ""
    queue(NoticeKind.BREACHED, ticket, recipients.for_breach(ticket),
          f"breached:{clock.pk}:{stamp}", clock_context(clock), calendar_zone(clock))
