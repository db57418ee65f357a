"""The daily *météo*: a status of the contract composed from live data, e-mailed on the
business days of the convention's ``meteo.calendar`` at ``meteo.send_at`` (seed 002 L3674-3680,
L6222-6235; 003 L1716-1748).

It lives here, in the messaging layer, because it reads the tickets (yesterday's incidents and
requests, open P1/P2, changes), the governance records (open risks) and the dashboard's figures
(the forfait), and sends mail: a record app may import none of those siblings or layers above
it. The send instant is recorded as a ``governance.MeteoSend`` row, which indicator P3 reads
(``jalon/governance/measures.py``); the row's unique (contract, day) is also the claim that makes
the send happen once a day whatever the number of workers and ticks.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q

from jalon.commitments.registry import NoticeWords
from jalon.contracts.models import Contract
from jalon.conventions.calendars import build_calendar
from jalon.conventions.model import Convention
from jalon.conventions.period import Period
from jalon.dashboard import figures
from jalon.governance import deadlines
from jalon.governance.models import MeteoSend, Risk
from jalon.governance.workflow import RiskStatus
from jalon.messaging import notify, recipients
from jalon.messaging.models import NoticeKind
from jalon.tickets.models import Ticket
from jalon.tickets.workflow import DONE_STATES

log = logging.getLogger(__name__)
STORM_RISK = 12


@dataclass(frozen=True)
class Line:
    reference: str
    title: str
    detail: str = ""


@dataclass(frozen=True)
class Meteo:
    contract: Contract
    day: date
    yesterday: date
    opened: list[Line]
    resolved: list[Line]
    urgent: list[Line]
    changes: list[Line]
    risks: list[Line]
    forfait: figures.ForfaitUse | None
    overdue: int
    at_risk: int
    worst_risk: int

    @property
    def weather(self) -> str:
        """Stormy when a ticket is past its deadline or an open risk is rated 12 or more (of 16);
        cloudy with open P1/P2 tickets or tickets near their deadline; fair otherwise."""
        if self.overdue or self.worst_risk >= STORM_RISK:
            return "orage"
        if self.urgent or self.at_risk:
            return "nuageux"
        return "beau temps"


def _line(ticket: Ticket, convention: Convention) -> Line:
    """A ticket's line: its type as the convention names it (never its id), its priority."""
    kind = convention.type_label(ticket.type) if ticket.type else ""
    return Line(ticket.reference, ticket.title, " ".join(x for x in (kind, ticket.priority) if x))


def compose(contract: Contract, convention: Convention, day: date, now: datetime) -> Meteo:
    """The météo of ``day`` (local), as of ``now``: the previous business day's tickets and the
    live state."""
    assert convention.meteo is not None
    calendar = build_calendar(convention.calendars[convention.meteo.calendar])
    tz = calendar.tz
    yesterday = deadlines.shift_business_days(calendar, day, -1)
    start = deadlines.local_midnight(yesterday, tz)
    end = deadlines.local_midnight(day, tz)
    tickets = Ticket.objects.filter(contract=contract).select_related("contract")
    opened = [_line(t, convention)
              for t in tickets.filter(opened_at__gte=start, opened_at__lt=end).order_by("opened_at")]
    resolved = [_line(t, convention) for t in tickets.filter(resolved_at__gte=start, resolved_at__lt=end)
                .order_by("resolved_at")]
    top = [p.id for p in convention.priorities[:2]]
    urgent = [_line(t, convention) for t in tickets.exclude(state__in=DONE_STATES).filter(priority__in=top)
              .order_by("opened_at")]
    change_types = [t for t in convention.types if "chang" in t.lower()]
    changes = [_line(t, convention) for t in tickets.exclude(state__in=DONE_STATES).filter(type__in=change_types)
               .filter(Q(opened_at__lt=end)).order_by("opened_at")] if change_types else []
    open_risks = sorted(Risk.objects.filter(contract=contract, status=RiskStatus.OPEN), key=lambda r: -r.score)
    risks = [Line(r.reference, r.title, f"{r.score} ({r.probability}×{r.impact})") for r in open_risks]
    scope = figures.scope(contract, Period(day.replace(day=1), day), now, tickets)
    package = figures.forfait(scope) if convention.forfait is not None else None
    live = figures.risk(scope)
    return Meteo(contract, day, yesterday, opened, resolved, urgent, changes, risks, package,
                 live.overdue, live.at_risk, open_risks[0].score if open_risks else 0)


def due_contracts(now: datetime) -> list[tuple[Contract, Convention, date]]:
    """Contracts whose météo of today is due now: a business day of its calendar, past its
    send time, not sent yet."""
    found = []
    for contract in Contract.objects.select_related("current_version"):
        version = contract.current_version
        convention = version.parsed() if version is not None else None
        if convention is None or convention.meteo is None:
            continue
        calendar = build_calendar(convention.calendars[convention.meteo.calendar])
        local = now.astimezone(ZoneInfo(calendar.tz))
        hours, minutes = (int(x) for x in convention.meteo.send_at.split(":"))
        if local.time() < time(hours, minutes) or not deadlines.is_business_day(calendar, local.date()):
            continue
        if MeteoSend.objects.filter(contract=contract, day=local.date()).exists():
            continue
        found.append((contract, convention, local.date()))
    return found


def send_due(now: datetime) -> int:
    """Send each due météo once: the ``MeteoSend`` row is claimed and the mails queued in one
    transaction, so a second worker's claim fails and sends nothing."""
    sent = 0
    for contract, convention, day in due_contracts(now):
        meteo = compose(contract, convention, day, now)
        addresses = recipients.unique_addresses([*recipients.buyer_side(contract),
                                                 *recipients.holder_side(contract)])
        words = NoticeWords(reference=contract.reference, title=f"Météo du {day:%d/%m/%Y}", noun="Marché",
                            of_record="du marché", the_record="le tableau de bord", please="")
        record = notify.Record(contract, words, notify.site_url(functools.partial(_dashboard_path, contract)))
        with transaction.atomic():
            claimed = MeteoSend.claim(contract, day, now, f"[{contract.reference}] Météo du {day:%d/%m/%Y}",
                                      _summary(meteo), len(addresses))
            if claimed is None:
                continue
            notify.queue(NoticeKind.METEO, record, addresses, f"meteo:{contract.pk}:{day.isoformat()}",
                         {"meteo": meteo}, tz=convention.contract.tz)
        sent += 1
    return sent


def _dashboard_path(contract: Contract) -> str:
    from django.urls import reverse

    return reverse("dashboard", args=[contract.slug])


def _summary(meteo: Meteo) -> str:
    return (f"{meteo.weather}; ouverts {len(meteo.opened)}, résolus {len(meteo.resolved)}, "
            f"P1/P2 ouverts {len(meteo.urgent)}, changements {len(meteo.changes)}, risques {len(meteo.risks)}")
