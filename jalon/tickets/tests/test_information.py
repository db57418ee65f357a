"""CD13's information delays stop at the holder's follow-up shared with the buyer (issue 11 §5,
seed 003 L1801-1803, L1816, L1461; D-CD13-30): ``Ticket.inform``, exported as ``informed_at``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from jalon.accounts.access import NotAllowed
from jalon.contracts.models import ConventionVersion
from jalon.conventions import Period, evaluate, load
from jalon.conventions.platform import PLATFORM_INSTANTS
from jalon.conventions.tests.support import CONVENTIONS
from jalon.messaging.models import NoticeKind, OutboxMessage
from jalon.testing.cast import JalonTestCase
from jalon.tickets.export import tickets_to_ticketset
from jalon.tickets.models import EventKind, Ticket

PARIS = ZoneInfo("Europe/Paris")
MINUTE = 60


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of the week of Monday 1 June 2026 (no public holiday)."""
    return datetime(2026, 6, day, hour, minute, tzinfo=PARIS)


def at(day: int, hour: int, minute: int = 0) -> Any:
    return time_machine.travel(paris(day, hour, minute), tick=False)


@pytest.mark.parametrize("path", sorted(CONVENTIONS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_instant_a_shipped_clock_stops_at_is_exported_by_the_platform(path: Any) -> None:
    convention = load(path)
    columns = {ref.column for clock in convention.clocks for ref in (clock.start, clock.stop) if ref.kind == "at"}
    assert columns <= set(PLATFORM_INSTANTS)


class InformationDelayTest(JalonTestCase):
    cd13: ConventionVersion

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        text = (CONVENTIONS / "cd13-callipso.yaml").read_text(encoding="utf-8")
        cls.cd13, _ = ConventionVersion.load(cls.contract, text, "cd13-callipso.yaml")

    def incident(self, priority: str = "P1", criticality: str = "") -> Ticket:
        with at(1, 9):
            ticket = Ticket.open(self.contract, actor=self.requester, type="incident", title="Réseau coupé")
            ticket.qualify(self.level1, priority=priority, **({"criticality": criticality} if criticality else {}))
            ticket.assign(self.level1, group="GO_RESEAU", person=self.technician)
        return ticket

    def test_the_information_delay_stops_at_the_first_follow_up_shared(self) -> None:
        ticket = self.incident()
        clock = ticket.clocks.get(kind="information")
        assert clock.stopped_at is None
        with at(1, 9, 40):
            ticket.inform(self.technician, message="Lien principal coupé, bascule en cours.")
        with at(1, 11):
            ticket.inform(self.technician, message="Bascule faite.")
        clock.refresh_from_db()
        assert clock.stopped_at == paris(1, 9, 40)
        assert clock.elapsed_seconds == 40 * MINUTE
        assert not clock.breached
        assert ticket.events.filter(kind=EventKind.INFORMED).count() == 2
        # the scorecard of the platform's tickets reads the same instant
        card = evaluate(self.cd13.parsed(), tickets_to_ticketset(Ticket.objects.all()), [],
                        Period.parse("2026-06"), profile="jalon")
        assert card.clocks["information"].elapsed.tolist() == [40 * MINUTE]

    def test_a_major_incident_has_fifteen_minutes(self) -> None:
        ticket = self.incident("P2", criticality="majeur")
        with at(1, 9, 20):
            ticket.inform(self.technician, message="Incident majeur : messagerie indisponible.")
        clock = ticket.clocks.get(kind="information-majeur")
        assert clock.elapsed_seconds == 20 * MINUTE
        assert clock.breached

    def test_the_buyer_side_is_told_and_only_the_holder_informs(self) -> None:
        ticket = self.incident()
        for person in (self.requester, self.auditor):
            with pytest.raises(NotAllowed):
                ticket.inform(person, message="?")
        with pytest.raises(ValidationError) as refused:
            ticket.inform(self.technician, message="  ")
        assert "message" in refused.value.message_dict
        assert ticket.informed_at is None
        with self.captureOnCommitCallbacks(execute=False):
            ticket.inform(self.technician, message="Diagnostic en cours.")
        notices = OutboxMessage.objects.filter(kind=NoticeKind.INFORMED)
        assert {m.to for m in notices} >= {self.buyer_manager.email}
        assert "Diagnostic en cours." in notices[0].body
