"""Shared test helpers: tickets opened at fixed instants, in the AQUAREEL test convention."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from jalon.testing.cast import JalonTestCase
from jalon.tickets.models import Criticality, Ticket

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def at(instant: datetime) -> Any:
    return time_machine.travel(instant, tick=False)


class WebTestCase(JalonTestCase):
    def open(self, when: datetime, title: str = "Concentrateur arrêté", *, actor: Any = None,
             type: str = "urgent_intervention", **fields: Any) -> Ticket:
        with at(when):
            return Ticket.open(self.contract, actor=actor or self.requester, type=type,
                               title=title, **fields)

    def qualify(self, ticket: Ticket, when: datetime, urgency: str = "critique",
                impact: str = "site", criticality: str = Criticality.BLOQUANT) -> Ticket:
        with at(when):
            ticket.qualify(self.level1, urgency=urgency, impact=impact, criticality=criticality)
        return ticket

    def assigned(self, ticket: Ticket, when: datetime, group: str = "Titulaire N2") -> Ticket:
        with at(when):
            ticket.assign(self.level1, group=group, person=self.technician)
        return ticket

    def started(self, ticket: Ticket, when: datetime) -> Ticket:
        with at(when):
            ticket.start_work(self.technician)
        return ticket

    def resolved(self, ticket: Ticket, when: datetime, kind: str = "definitive") -> Ticket:
        with at(when):
            ticket.resolve(self.technician, kind)
        return ticket

    def closed(self, ticket: Ticket, when: datetime) -> Ticket:
        with at(when):
            ticket.close(self.level1)
        return ticket

    def worked(self, when: datetime, title: str = "Concentrateur arrêté", **fields: Any) -> Ticket:
        """Opened, qualified P1 bloquant, assigned, started (all on the same morning)."""
        ticket = self.open(when, title, **fields)
        self.qualify(ticket, when.replace(minute=10))
        self.assigned(ticket, when.replace(minute=20))
        return self.started(ticket, when.replace(minute=30))

    def login(self, user: Any) -> None:
        self.client.force_login(user)


def streamed(response: Any) -> bytes:
    """The body of a streamed (CSV) or file (XLSX) response."""
    return b"".join(response.streaming_content)
