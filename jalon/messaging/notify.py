"""Write notices into the outbox, inside the caller's transaction; they are sent after commit.

Each notice goes to each address as its own row, so that one bad address does not hold back
(or resend to) the others, and so that the dedup key can name the address.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from jalon.commitments.models import ClockNotice
from jalon.commitments.registry import Audience, C, Commitment, NoticeWords, Owner, Party
from jalon.contracts.models import Contract
from jalon.forfait import alerts as forfait_alerts_of
from jalon.lib import clock
from jalon.messaging import recipients
from jalon.messaging.models import MailIntake, NoticeKind, OutboxMessage
from jalon.orders import commitments as order_commitments
from jalon.orders.events import EventKind as OrderEventKind
from jalon.orders.models import OrderEvent
from jalon.scorecards import commitments as scorecard_commitments
from jalon.scorecards.models import ScorecardEvent
from jalon.scorecards.workflow import EventKind as ScorecardEventKind
from jalon.scorecards.workflow import Verdict
from jalon.tickets import commitments as ticket_commitments
from jalon.tickets.models import Ticket, TicketEvent, TimeEntry

log = logging.getLogger(__name__)


def sender_domain() -> str:
    address = str(settings.DEFAULT_FROM_EMAIL).rstrip(">")
    return address.rpartition("@")[2] or "jalon.invalid"


def new_message_id() -> str:
    return f"<jalon.{uuid.uuid4().hex}@{sender_domain()}>"


def site_url(path: Callable[[], str]) -> str:
    # Pages belong to jalon.web: should a route be renamed, a notice must still go out (it is
    # written inside the domain transaction), with a link to the home page.
    try:
        found = path()
    except NoReverseMatch:
        log.error("no URL for a notice's record: it links to the home page")
        found = "/"
    return str(settings.SITE_URL).rstrip("/") + found


def ticket_url(ticket: Ticket) -> str:
    return site_url(lambda: ticket_commitments.url(ticket))


def reply_address(contract: Contract) -> str:
    """Replies should reach the contract's intake mailbox, where they become comments."""
    intake = MailIntake.objects.filter(contract_id=contract.pk, active=True)
    return intake.order_by("pk").values_list("address", flat=True).first() or ""


def render(kind: NoticeKind, context: dict[str, Any], tz: str) -> tuple[str, str, str]:
    """Subject, text and HTML, in French, with instants in the contract's or calendar's zone
    (workers have no request to take a language or a zone from)."""
    base = f"messaging/{kind.value}"
    with translation.override(settings.LANGUAGE_CODE), timezone.override(ZoneInfo(tz)):
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        return (subject[:255], render_to_string(f"{base}.txt", context),
                render_to_string(f"{base}.html", context))


@dataclass(frozen=True)
class Record:
    """The record a notice is about: its contract, the words naming it, its page."""

    contract: Contract
    words: NoticeWords
    url: str
    ticket: Ticket | None = None


def ticket_record(ticket: Ticket) -> Record:
    return Record(ticket.contract, ticket_commitments.words(ticket), ticket_url(ticket), ticket)


def queue(kind: NoticeKind, record: Record, addresses: Sequence[str], key: str,
          context: dict[str, Any], tz: str = "") -> None:
    """Queue one notice per address; a key already queued is silently skipped."""
    if not addresses:
        log.info("no recipient for %s on %s", kind.value, record.words.reference)
        return
    context = {"ticket": record.ticket, "contract": record.contract, "url": record.url,
               "words": record.words, **context}
    if not tz and record.ticket is not None:
        tz = record.ticket.convention_version.parsed().contract.tz
    subject, body, html = render(kind, context, tz or settings.TIME_ZONE)
    # clock.now(): a replayed history (the demo, a migration) dates its notices when they happened
    now, reply_to = clock.now(), reply_address(record.contract) if record.words.answerable else ""
    rows = [OutboxMessage(to=address, subject=subject, body=body, html=html, reply_to=reply_to,
                          ticket=record.ticket, kind=kind, dedup_key=f"{key}:{address.lower()}",
                          message_id=new_message_id(), created_at=now, next_attempt_at=now)
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
    queue(NoticeKind.URGENT_OPENED, ticket_record(ticket), recipients.for_urgent_opening(ticket),
          f"urgent:{ticket.pk}", {"event": event})


def resolved(event: TicketEvent) -> None:
    ticket = event.ticket
    queue(NoticeKind.RESOLVED, ticket_record(ticket), recipients.for_resolution(ticket),
          f"resolved:{event.pk}", {"event": event, "note": getattr(event.data, "note", "")})


def informed(event: TicketEvent) -> None:
    """The holder's follow-up reaches the buyer's side (CD13's information delay, D-CD13-30)."""
    ticket = event.ticket
    queue(NoticeKind.INFORMED, ticket_record(ticket), recipients.buyer_side(ticket.contract),
          f"informed:{event.pk}", {"event": event, "message": getattr(event.data, "message", "")})
def order_state_changed(event: OrderEvent) -> None:
    """An order changed state: the other side is told (the holder when the buyer side asked,
    signed or judged; the requester and the buyer side when the holder quoted or delivered)."""
    order = event.order
    holder_acted = event.kind in (OrderEventKind.QUOTED, OrderEventKind.DELIVERED)
    audience = (Audience(people=(order.requester,), parties=(Party.BUYER,)) if holder_acted
                else Audience(parties=(Party.HOLDER,), people=(order.requester,)))
    record = Record(order.contract, order_commitments.words(order),
                    site_url(lambda: order_commitments.url(order)))
    queue(NoticeKind.ORDER_STATE, record, recipients.for_audience(order.contract, audience),
          f"order:{event.pk}", {"order": order, "event": event})
def ceiling_alerts(event: OrderEvent) -> None:
    """An order was signed: tell both managers each period of the framework (a year, the term)
    that its orders took past the schedule's warning share of the maximum, then past the maximum,
    once each (the outbox's key; D-151)."""
    from jalon.orders.gauge import gauges
    from jalon.orders.models import PriceSchedule

    order = event.order
    contract = order.contract
    day = timezone.localdate(event.at)
    schedule = PriceSchedule.in_force(contract, day)
    crossed = [g for g in gauges(contract, day) if g.state in ("warning", "over")]
    if schedule is None or not crossed:
        return
    words = NoticeWords(
        reference=contract.reference, title=str(contract.name), noun="Montant maximum des bons de commande",
        of_record=f"du montant maximum des bons de commande du marché {contract.reference}",
        the_record="le montant maximum des bons de commande du marché",
        please="Merci d’anticiper la suite : avenant, nouveau marché ou report des commandes.")
    record = Record(contract, words, site_url(lambda: reverse("price-schedule", args=[contract.slug])))
    addresses = recipients.managers(contract)
    for gauge in crossed:
        queue(NoticeKind.CEILING_ALERT, record, addresses,
              f"ceiling:{contract.pk}:{schedule.pk}:{gauge.period}:{gauge.state}",
              {"gauge": gauge, "order": order, "warning": round(float(schedule.ceiling_warning) * 100),
               "left": abs(gauge.remaining or 0),
               "period_label": "toute la durée du marché" if gauge.period == "term" else f"l’année {gauge.period}"})


SCORECARD_AUDIENCES: dict[str, tuple[Party, ...]] = {
    ScorecardEventKind.PROPOSED: (Party.BUYER,),
    ScorecardEventKind.REVIEWED: (Party.HOLDER,),
    ScorecardEventKind.ANSWERED: (Party.BUYER,),
    ScorecardEventKind.VALIDATED: (Party.BUYER, Party.HOLDER),
    ScorecardEventKind.CORRECTED: (Party.BUYER, Party.HOLDER),
}
"""Who hears of each step of a scorecard's validation (issue 12): the buyer of a proposal and of
the holder's answers, the holder of a contested indicator, both of the validation that freezes
it and of a correction that reopens it as a new version (the holder proposes it again). An
accepted indicator tells no one: the validation will."""


def scorecard_step(event: ScorecardEvent) -> None:
    """A step of a period's scorecard: the party whose turn it is now is told."""
    if event.kind == ScorecardEventKind.REVIEWED and event.verdict != Verdict.CONTESTED:
        return
    parties = SCORECARD_AUDIENCES.get(event.kind)
    if not parties:
        return
    card = event.scorecard
    contract = card.contract
    record = Record(contract, scorecard_commitments.words(card),
                    site_url(lambda: scorecard_commitments.url(card)))
    version = contract.current_convention()
    queue(NoticeKind.SCORECARD_STEP, record,
          recipients.for_audience(contract, Audience(parties=parties)),
          f"scorecard:{event.pk}", {"card": card, "event": event}, version.parsed().contract.tz if version else "")


def waiting_on_requester(event: TicketEvent) -> None:
    """The holder waits on the requester: tell them what is asked."""
    ticket = event.ticket
    queue(NoticeKind.WAITING_REQUESTER, ticket_record(ticket), recipients.for_resolution(ticket),
          f"waiting:{event.pk}", {"event": event, "note": getattr(event.data, "note", "")})


CLOCK_NOTICES = {ClockNotice.WARNING: NoticeKind.AT_RISK, ClockNotice.BREACH: NoticeKind.BREACHED}


def clock_notice(commitment: Commitment[Owner, C], owner: Owner, clock: C,
                 notice: ClockNotice) -> None:
    """Queue the warning or breach notice of one of a registered record's clocks, in the words
    and to the audience its registration gives."""
    contract = commitment.contract(owner)
    ticket = owner if isinstance(owner, Ticket) else None  # the outbox row links its ticket
    record = Record(contract, commitment.words(owner), site_url(lambda: commitment.url(owner)),
                    ticket)
    warning = notice is ClockNotice.WARNING
    audience = commitment.warn(owner) if warning else commitment.breach(owner)
    key = commitment.dedup_key(notice, clock, clock.risk_at if warning else clock.due_at)
    context = {"clock": clock, "target_hours": round(clock.target_seconds / 3600, 2),
               "elapsed_hours": round(clock.elapsed_seconds / 3600, 2)}
    queue(CLOCK_NOTICES[notice], record, recipients.for_audience(contract, audience), key,
          context, commitment.zone(owner, clock))


def forfait_alerts(entry: TimeEntry) -> None:
    """E-mail the buyer and the holder each warning threshold of the support package that
    ``entry`` made its contract year cross, once per threshold and year (seed 000 §7.2.2, D-82)."""
    contract = entry.ticket.contract
    book, crossed = forfait_alerts_of.new_crossings(contract, entry.spent_on)
    if not crossed:
        return
    year = book.year
    words = NoticeWords(
        reference=contract.reference, title=str(contract.name), noun="Forfait de support",
        of_record=f"du forfait de support du marché {contract.reference}",
        the_record="le forfait de support du marché",
        please="Merci d’anticiper les besoins complémentaires.")
    url = site_url(lambda: reverse("forfait:ledger", args=[contract.slug]))
    record = Record(contract, words, url)
    addresses = recipients.managers(contract)
    tz = entry.ticket.convention_version.parsed().contract.tz
    for alert in crossed:
        queue(NoticeKind.FORFAIT_ALERT, record, addresses,
              f"forfait:{contract.pk}:{year.first_day.isoformat()}:{alert.threshold}",
              {"alert": alert, "percent": round(float(alert.threshold) * 100),
               "consumed": book.amount(book.consumed_minutes), "unit": book.unit,
               "allowance": book.allowance_days, "remaining": book.remaining_days,
               "year": year}, tz)
