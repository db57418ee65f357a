"""Issue 11 §1: a holder's commitment stops on the holder's own act, on AQUAREEL's shipped
convention (seed 000): the urgent intervention delay at the effective start of the diagnosis,
not at level 1's dispatch; the qualification of an anomaly at the diagnosis delivered; a
one-off intervention's confirmation with its lead time, which then times the execution. Every
state a shipped convention's clocks name is reachable on the platform; only the holder's staff
are assigned; the level shown is the level reached."""

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
from jalon.conventions.model import EventRef
from jalon.conventions.platform import platform_states
from jalon.conventions.tests.support import CONVENTIONS
from jalon.testing.cast import JalonTestCase
from jalon.tickets import events
from jalon.tickets.export import tickets_to_ticketset
from jalon.tickets.models import EventKind, InvalidTransition, Ticket, TicketState

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600
DAY = 10 * HOUR  # AQUAREEL's business day: 8h-18h


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of the week of Monday 1 June 2026 (no public holiday)."""
    return datetime(2026, 6, day, hour, minute, tzinfo=PARIS)


def at(day: int, hour: int, minute: int = 0) -> Any:
    return time_machine.travel(paris(day, hour, minute), tick=False)


DIAGNOSIS = {"diagnosis": "Index corrompu", "impact": "Prévisions du bassin indisponibles",
             "criticality": "majeur", "estimate": "2 jours", "proposal": "definitive"}


class AquareelHolderActsTest(JalonTestCase):
    aquareel: ConventionVersion

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        text = (CONVENTIONS / "aquareel-tma.yaml").read_text(encoding="utf-8")
        cls.aquareel, _ = ConventionVersion.load(cls.contract, text, "aquareel-tma.yaml")

    def opened(self, type: str, priority: str = "majeur", *, day: int = 1, hour: int = 9) -> Ticket:
        with at(day, hour):
            ticket = Ticket.open(self.contract, actor=self.requester, type=type, title="Demande")
            ticket.qualify(self.level1, priority=priority)
            ticket.assign(self.level1, group="N2_TMA", person=self.technician)
        return ticket

    def clock(self, ticket: Ticket, kind: str) -> Any:
        return ticket.clocks.get(kind=kind)

    def test_level_1_s_dispatch_does_not_stop_the_urgent_intervention_delay(self) -> None:
        ticket = self.opened("urgente", "urgent")
        clock = self.clock(ticket, "intervention_urgente")
        assert clock.stopped_at is None  # assigned at 09:00: still running
        with at(1, 15):
            ticket.start_work(self.technician)
        clock.refresh_from_db()
        assert clock.stopped_at == paris(1, 15)
        assert clock.elapsed_seconds == 6 * HOUR

    def test_a_wait_before_taking_charge_does_not_stop_it_either(self) -> None:
        ticket = self.opened("urgente", "urgent")
        with at(1, 10):
            ticket.wait(self.technician, "requester", "Précisions demandées")
        assert self.clock(ticket, "intervention_urgente").stopped_at is None

    def test_the_qualification_delay_stops_at_the_diagnosis_delivered(self) -> None:
        ticket = self.opened("anomalie")
        with at(1, 10):
            ticket.start_work(self.technician)
        with at(2, 12):
            ticket.deliver_diagnosis(self.technician, **DIAGNOSIS)
        clock = self.clock(ticket, "qualification")
        assert clock.stopped_at == paris(2, 12)
        assert clock.elapsed_seconds == 12 * HOUR
        assert ticket.state == TicketState.DIAGNOSED
        assert ticket.latest_diagnosis() == events.Diagnosed(**DIAGNOSIS)
        assert ticket.criticality == ""  # the holder's assessment does not set the buyer's criticité
        # the scorecard reads the same stop from the history
        card = evaluate(self.aquareel.parsed(), tickets_to_ticketset(Ticket.objects.all()), [],
                        Period.parse("2026-Q2"), profile="jalon")
        assert card.clocks["qualification"].elapsed.tolist() == [12 * HOUR]

    def test_only_the_holder_delivers_a_diagnosis_and_every_part_is_required(self) -> None:
        ticket = self.opened("anomalie")
        with at(1, 10):
            ticket.start_work(self.technician)
        with pytest.raises(NotAllowed):
            ticket.deliver_diagnosis(self.level1, **DIAGNOSIS)
        with pytest.raises(ValidationError) as raised:
            ticket.deliver_diagnosis(self.technician, **{**DIAGNOSIS, "estimate": " "})
        assert "estimate" in raised.value.message_dict
        with pytest.raises(ValidationError) as raised:
            ticket.deliver_diagnosis(self.technician, **{**DIAGNOSIS, "proposal": "miracle"})
        assert "proposal" in raised.value.message_dict

    def test_a_one_off_intervention_is_confirmed_with_its_lead_time_which_then_times_it(self) -> None:
        ticket = self.opened("ponctuelle")
        with at(2, 11):
            ticket.confirm_feasibility(self.technician, lead_time_days=3, note="Faisable")
        confirmation = self.clock(ticket, "confirmation_ponctuelle")
        assert confirmation.stopped_at == paris(2, 11)
        assert confirmation.elapsed_seconds == 12 * HOUR  # Monday 09-18 + Tuesday 08-11
        assert ticket.lead_time_days == 3
        execution = self.clock(ticket, "execution_ponctuelle")
        assert execution.target_seconds == 3 * DAY
        event = ticket.events.get(kind=EventKind.CONFIRMED)
        assert event.data == events.Confirmed(lead_time_days=3, note="Faisable")

    def test_waiting_for_the_purchase_order_pauses_the_blocking_correction(self) -> None:
        ticket = self.opened("corrective", "bloquant")
        with at(1, 10):
            ticket.start_work(self.technician)
        with at(1, 11):
            ticket.wait(self.technician, "purchase_order", "Bon de commande attendu")
        with at(2, 11):
            ticket.resume(self.technician)
        with at(2, 12):
            ticket.resolve(self.technician, "definitive")
        clock = self.clock(ticket, "correction_bloquante")
        assert clock.elapsed_seconds == 3 * HOUR  # 09-11 on Monday, 11-12 on Tuesday
        assert [a for a, _b in clock.paused_intervals] == [paris(1, 11).astimezone(ZoneInfo("UTC")).isoformat()]

    def test_the_requester_cancels_their_new_request_and_level_1_any_open_one(self) -> None:
        with at(1, 9):
            mine = Ticket.open(self.contract, actor=self.requester, type="anomalie", title="Doublon")
            mine.cancel(self.requester, reason="Doublon du ticket précédent")
        assert mine.state == TicketState.CANCELLED
        assert not Ticket.objects.filter(pk=mine.pk).active().exists()
        taken = self.opened("anomalie")
        with pytest.raises(InvalidTransition):
            taken.cancel(self.requester, reason="Plus besoin")
        with pytest.raises(NotAllowed):
            taken.cancel(self.technician, reason="Plus besoin")
        taken.cancel(self.level1, reason="Retiré par le service")
        assert taken.state == TicketState.CANCELLED

    def test_a_cancelled_ticket_s_clocks_are_withdrawn_from_the_scorecard(self) -> None:
        ticket = self.opened("urgente", "urgent")
        with at(1, 10):
            ticket.cancel(self.level1, reason="Fausse alerte")
        card = evaluate(self.aquareel.parsed(), tickets_to_ticketset(Ticket.objects.all()), [],
                        Period.parse("2026-Q2"), profile="jalon")
        assert len(card.clocks["intervention_urgente"].ticket) == 0

    def test_only_the_holder_s_staff_are_assigned(self) -> None:
        ticket = self.opened("anomalie")
        for person in (self.auditor, self.requester, self.level1, self.buyer_manager):
            with pytest.raises(ValidationError) as raised:
                ticket.assign(self.level1, group="N2_TMA", person=person)
            assert "assignee" in raised.value.message_dict
        ticket.assign(self.level1, group="N2_TMA", person=self.holder_manager)

    def test_the_level_shown_is_the_level_reached(self) -> None:
        ticket = self.opened("anomalie")
        assert ticket.level == "N2"  # assigned to N2_TMA
        ticket.assign(self.level1, group="N1_ACCUEIL", person=None)
        assert ticket.level == "N2"  # a later group of a lower level does not lower it
        with at(1, 10):
            ticket.escalate(self.level1, level="N3", group="Editeur")
        assert ticket.level == "N3"


@pytest.mark.parametrize("name", ["aquareel-tma.yaml", "lade-tmes.yaml", "cd13-callipso.yaml"])
def test_every_state_a_shipped_convention_s_clocks_name_is_reachable_on_the_platform(name: str) -> None:
    convention = load(CONVENTIONS / name)
    named: set[str] = set()
    for clock in convention.clocks:
        refs: list[EventRef] = [clock.start, clock.stop]
        for ref in refs:
            named.update(ref.states)
        named.update(clock.pause_states)
    reached = {state for state in platform_states(convention).values() if state}
    assert named <= reached, f"{name}: {sorted(named - reached)} cannot be reached on the platform"


class EveryPlatformStateIsEnteredByAStepTest(JalonTestCase):
    def test_a_ticket_s_life_through_the_domain_methods_visits_every_state(self) -> None:
        seen: set[str] = set()
        ticket = Ticket.open(self.contract, actor=self.requester, type="anomaly_qualification", title="Vie")
        seen.add(ticket.state)
        ticket.qualify(self.level1, urgency="majeure", impact="site")
        seen.add(ticket.state)
        ticket.assign(self.level1, group="N2", person=self.technician)
        seen.add(ticket.state)
        ticket.start_work(self.technician)
        seen.add(ticket.state)
        ticket.deliver_diagnosis(self.technician, **DIAGNOSIS)
        seen.add(ticket.state)
        for reason in ("requester", "third_party", "purchase_order"):
            ticket.wait(self.technician, reason)
            seen.add(ticket.state)
            ticket.resume(self.technician)
        ticket.resolve(self.technician, "definitive")
        seen.add(ticket.state)
        ticket.close(self.level1)
        seen.add(ticket.state)
        ticket.reopen(self.level1, "Reprise")
        ticket.cancel(self.level1, reason="Abandon")
        seen.add(ticket.state)
        assert seen == set(TicketState.values)
