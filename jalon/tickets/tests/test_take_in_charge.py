"""Issue 11 §1: "The same holds for LADE's take-in-charge and CD13's GTI" — on the platform,
with the shipped conventions, the take-in-charge delay (LADE ``prise_en_charge``, seed 002
L6151-6159; CD13 ``gti-p1``/``gti``, seed 003 L1802, L1814 "jusqu'à la prise en charge par un
groupe GO") runs until the holder's own act, not level 1's dispatch (D-40): assigning a ticket
to the holder leaves it running; the holder taking charge stops it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from jalon.contracts.models import ConventionVersion
from jalon.conventions.tests.support import CONVENTIONS
from jalon.testing.cast import JalonTestCase
from jalon.tickets.models import Ticket

PARIS = ZoneInfo("Europe/Paris")


def paris(hour: int, minute: int = 0) -> datetime:
    """Tuesday 2 June 2026, a working day."""
    return datetime(2026, 6, 2, hour, minute, tzinfo=PARIS)


def at(hour: int, minute: int = 0) -> Any:
    return time_machine.travel(paris(hour, minute), tick=False)


class TakeInChargeTest(JalonTestCase):
    def dispatched(self, convention: str, priority: str) -> Ticket:
        text = (CONVENTIONS / convention).read_text(encoding="utf-8")
        ConventionVersion.load(self.contract, text, convention)
        with at(9):
            ticket = Ticket.open(self.contract, actor=self.requester, type="incident", title="Panne")
        with at(9, 5):
            ticket.qualify(self.level1, priority=priority)
            ticket.assign(self.level1, group="N2_TME_LB", person=self.technician)
        return ticket

    def check(self, convention: str, priority: str, clock: str, elapsed: int) -> None:
        ticket = self.dispatched(convention, priority)
        taken = ticket.clocks.get(kind=clock)
        assert taken.started_at == paris(9)
        assert taken.stopped_at is None, f"{clock} stopped by level 1's assignment"
        with at(9, 50):
            ticket.start_work(self.technician)
        taken.refresh_from_db()
        assert (taken.stopped_at, taken.elapsed_seconds) == (paris(9, 50), elapsed)

    def test_lade_take_in_charge_stops_when_the_holder_takes_charge(self) -> None:
        # P2: 40 min; taken in charge after 50: late, however early level 1 dispatched it
        self.check("lade-tmes.yaml", "P2", "prise_en_charge", 50 * 60)
        assert Ticket.objects.get().clocks.get(kind="prise_en_charge").breached

    def test_cd13_gti_stops_when_the_holder_takes_charge(self) -> None:
        self.check("cd13-callipso.yaml", "P1", "gti-p1", 50 * 60)  # 24/7 calendar, 30 min
        assert Ticket.objects.get().clocks.get(kind="gti-p1").breached

    def test_cd13_p2_gti_likewise(self) -> None:
        self.check("cd13-callipso.yaml", "P2", "gti", 50 * 60)
