"""Shared cast and helpers for the messaging tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from huey import Huey

from jalon.messaging.models import MailIntake
from jalon.testing.cast import JalonTestCase
from jalon.tickets.models import Criticality, Ticket

PARIS = ZoneInfo("Europe/Paris")
MAIL_DIR = Path(__file__).parent / "mail"


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def eml(name: str) -> bytes:
    return (MAIL_DIR / name).read_bytes()


def delete_tick_keys(machine: Huey) -> None:
    """Remove a Redis queue's periodic tick claims (they would expire on their own)."""
    conn = machine.storage.conn
    for key in conn.scan_iter(match=f"huey.tick.{machine.storage.name}.*"):
        conn.delete(key)


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


class MessagingTestCase(JalonTestCase):
    """The AQUAREEL cast, plus an intake address for its mail."""

    intake: MailIntake

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.intake = MailIntake.objects.create(
            contract=cls.contract, address="support-aquareel@jalon.example",
            default_type="corrective_maintenance")

    def open_urgent(self) -> Ticket:
        """Thursday 7 May 2026, 15:00 Paris, before the 8 May holiday and a weekend: the
        take-in-charge clock (1 business day = 10 h) warns Mon 11 May 13:00, is due 15:00."""
        with at(paris(2026, 5, 7, 15, 0)), self.captureOnCommitCallbacks(execute=True):
            return Ticket.open(self.contract, actor=self.requester, type="urgent_intervention",
                               title="Concentrateur arrêté", description="Plus aucune donnée",
                               site="SPC RAS", is_urgent=True)

    def assign_to_technician(self, ticket: Ticket) -> None:
        with at(paris(2026, 5, 7, 15, 30)):
            ticket.qualify(self.level1, urgency="critique", impact="site",
                           criticality=Criticality.BLOQUANT)
            ticket.assign(self.level1, group="Titulaire N2", person=self.technician)
