from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from jalon.accounts.access import NotAllowed
from jalon.testing.cast import JalonTestCase
from jalon.tickets.models import (
    Clock,
    Criticality,
    EventKind,
    InvalidTransition,
    Ticket,
    TicketState,
)

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


class UrgentInterventionTest(JalonTestCase):
    """An urgent intervention declared on Thursday 7 May 2026, 15:00, before the 8 May holiday
    (Victoire 1945, a Friday) and a weekend. Calendar: Mon–Fri 08:00–18:00, 1 day = 10 h."""

    def open_urgent(self) -> Ticket:
        with time_machine.travel(paris(2026, 5, 7, 15, 0), tick=False):
            return Ticket.open(
                self.contract, actor=self.requester, type="urgent_intervention",
                title="Concentrateur arrêté", description="Plus aucune donnée reçue",
                site="SPC RAS", is_urgent=True, phone_call_at=paris(2026, 5, 7, 14, 58),
            )

    def at(self, year: int, month: int, day: int, hour: int, minute: int) -> time_machine.travel:
        return time_machine.travel(paris(year, month, day, hour, minute), tick=False)

    def clock(self, ticket: Ticket, kind: str) -> Clock:
        return ticket.clocks.get(kind=kind)

    def qualified_and_assigned(self) -> Ticket:
        ticket = self.open_urgent()
        with self.at(2026, 5, 7, 15, 30):
            ticket.qualify(self.level1, urgency="critique", impact="site",
                           criticality=Criticality.BLOQUANT)
            ticket.assign(self.level1, group="Titulaire N2", person=self.technician)
        return ticket

    def test_it_numbers_tickets_per_contract_and_logs_the_phone_call(self) -> None:
        ticket = self.open_urgent()
        assert ticket.number == 1
        assert ticket.reference == "AQR-2026-1"
        assert ticket.phone_call_at == paris(2026, 5, 7, 14, 58)
        kinds = list(ticket.events.values_list("kind", flat=True))
        assert kinds == [EventKind.OPENED, EventKind.PHONE_CALL]

    def test_take_in_charge_runs_over_the_holiday_and_the_weekend(self) -> None:
        ticket = self.open_urgent()
        clock = self.clock(ticket, "prise_en_charge")
        # Thu 15–18 (3 h) + Fri 8 May holiday + weekend + Mon 08–15 (7 h) = 10 h.
        assert clock.due_at == paris(2026, 5, 11, 15, 0)
        # 80 % = 8 h: Thu 3 h + Mon 08–13.
        assert clock.risk_at == paris(2026, 5, 11, 13, 0)
        assert not clock.at_risk
        assert not clock.breached
        assert list(Clock.objects.to_warn_before(paris(2026, 5, 11, 12, 59))) == []
        assert list(Clock.objects.to_warn_before(paris(2026, 5, 11, 13, 0))) == [clock]

    def test_full_life_of_an_urgent_intervention(self) -> None:
        ticket = self.qualified_and_assigned()
        assert ticket.priority == "P1"
        with self.at(2026, 5, 11, 10, 0):
            ticket.start_work(self.technician)
        taken = self.clock(ticket, "prise_en_charge")
        assert taken.stopped_at == paris(2026, 5, 11, 10, 0)
        assert taken.elapsed_seconds == 5 * 3600  # Thu 3 h + Mon 2 h
        assert not taken.breached
        resolution = self.clock(ticket, "resolution")
        assert resolution.due_at == paris(2026, 5, 12, 10, 0)  # Mon 8 h + Tue 2 h

        with self.at(2026, 5, 11, 11, 0):
            ticket.wait(self.technician, "requester", "Journaux demandés")
        paused = self.clock(ticket, "resolution")
        assert paused.due_at is None
        assert paused.is_paused
        with self.at(2026, 5, 11, 14, 0):
            ticket.resume(self.technician)
        # The 3 h pause pushes the deadline back by 3 business hours.
        assert self.clock(ticket, "resolution").due_at == paris(2026, 5, 12, 13, 0)

        with self.at(2026, 5, 12, 17, 0):
            ticket.resolve(self.technician, "workaround")
        resolution = self.clock(ticket, "resolution")
        # Mon 10–11 (1 h) + Mon 14–18 (4 h) + Tue 08–17 (9 h) = 14 h > 10 h.
        assert resolution.elapsed_seconds == 14 * 3600
        assert resolution.breached
        assert resolution.stopped_at == paris(2026, 5, 12, 17, 0)

        with self.at(2026, 5, 13, 9, 0):
            ticket.close(self.requester)
        ticket.refresh_from_db()
        assert ticket.state == TicketState.CLOSED
        assert ticket.resolution_kind == "workaround"
        assert ticket.closed_at == paris(2026, 5, 13, 9, 0)

    def test_resolving_exactly_at_the_deadline_is_on_time(self) -> None:
        ticket = self.qualified_and_assigned()
        with self.at(2026, 5, 11, 10, 0):
            ticket.start_work(self.technician)
        with self.at(2026, 5, 12, 10, 0):
            ticket.resolve(self.technician, "definitive")
        resolution = self.clock(ticket, "resolution")
        assert resolution.elapsed_seconds == 10 * 3600
        assert not resolution.breached

    def test_reopen_is_counted_and_the_gap_does_not_count(self) -> None:
        ticket = self.qualified_and_assigned()
        with self.at(2026, 5, 11, 10, 0):
            ticket.start_work(self.technician)
        with self.at(2026, 5, 11, 12, 0):
            ticket.resolve(self.technician, "definitive")
        with self.at(2026, 5, 11, 16, 0):
            ticket.reopen(self.requester, "Le concentrateur s'est de nouveau arrêté")
        ticket.refresh_from_db()
        assert ticket.reopen_count == 1
        assert ticket.state == TicketState.ASSIGNED
        assert ticket.resolved_at is None
        with self.at(2026, 5, 11, 17, 0):
            ticket.start_work(self.technician)
            ticket.resolve(self.technician, "definitive")
        # 10–12 (2 h) + 16–17 (1 h): the 12–16 gap between resolution and reopening is a pause.
        assert self.clock(ticket, "resolution").elapsed_seconds == 3 * 3600
        assert ticket.events.filter(kind=EventKind.REOPENED).count() == 1

    def test_requalification_recomputes_clocks_from_history(self) -> None:
        ticket = self.qualified_and_assigned()
        with self.at(2026, 5, 11, 10, 0):
            ticket.qualify(self.level1, type="anomaly_qualification")
        kinds = set(ticket.clocks.values_list("kind", flat=True))
        assert kinds == {"qualification"}


class TransitionRulesTest(JalonTestCase):
    def open(self, **extra: object) -> Ticket:
        return Ticket.open(self.contract, actor=self.requester, type="corrective_maintenance",
                           title="Purge en échec", **extra)  # type: ignore[arg-type]

    def test_an_invalid_transition_says_why(self) -> None:
        ticket = self.open()
        with pytest.raises(InvalidTransition) as raised:
            ticket.close(self.level1)
        assert "Nouveau" in raised.value.messages[0]
        assert "AQR-2026-1" in raised.value.messages[0]

    def test_assigning_needs_a_qualified_ticket(self) -> None:
        ticket = self.open()
        ticket.qualify(self.level1)
        with pytest.raises(ValidationError) as raised:
            ticket.assign(self.level1, group="N2")
        assert "priority" in raised.value.message_dict

    def test_the_holder_can_never_change_criticality(self) -> None:
        ticket = self.open()
        ticket.qualify(self.level1, urgency="mineure", impact="site",
                      criticality=Criticality.MINEUR)
        for holder in (self.holder_manager, self.technician):
            with pytest.raises(NotAllowed):
                ticket.qualify(holder, criticality=Criticality.BLOQUANT)
        ticket.refresh_from_db()
        assert ticket.criticality == Criticality.MINEUR
        assert ticket.events.filter(kind=EventKind.QUALIFIED).count() == 1

    def test_buyer_manager_may_set_criticality(self) -> None:
        ticket = self.open()
        ticket.qualify(self.buyer_manager, urgency="majeure", impact="entreprise",
                      criticality=Criticality.MAJEUR)
        assert (ticket.priority, ticket.criticality) == ("P1", "majeur")

    def test_bad_input_names_the_field(self) -> None:
        ticket = self.open()
        cases = [
            ({"urgency": "extreme", "impact": "site"}, "urgency"),
            ({"urgency": "majeure", "impact": "pays"}, "impact"),
            ({"criticality": "grave"}, "criticality"),
            ({"type": "cafe"}, "type"),
        ]
        for kwargs, field in cases:
            with self.subTest(field=field), pytest.raises(ValidationError) as raised:
                ticket.qualify(self.level1, **kwargs)
            assert field in raised.value.message_dict

    def test_open_refuses_an_unknown_type_and_an_empty_title(self) -> None:
        with pytest.raises(ValidationError) as raised:
            Ticket.open(self.contract, actor=self.requester, type="cafe", title="x")
        assert "type" in raised.value.message_dict
        with pytest.raises(ValidationError) as raised:
            Ticket.open(self.contract, actor=self.requester, type="corrective_maintenance",
                        title="  ")
        assert "title" in raised.value.message_dict

    def test_the_auditor_changes_nothing(self) -> None:
        with pytest.raises(NotAllowed):
            self.open(requester=None).add_comment(self.auditor, "Vu")
        with pytest.raises(NotAllowed):
            Ticket.open(self.contract, actor=self.auditor, type="corrective_maintenance",
                        title="x")

    def test_the_outsider_cannot_act(self) -> None:
        ticket = self.open()
        with pytest.raises(NotAllowed):
            ticket.qualify(self.outsider, urgency="mineure", impact="site")
        with pytest.raises(NotAllowed):
            Ticket.open(self.contract, actor=self.outsider, type="corrective_maintenance",
                        title="x")

    def test_another_user_service_cannot_close_the_ticket(self) -> None:
        ticket = self.open()
        with pytest.raises(NotAllowed):
            ticket.add_comment(self.other_requester, "Chez nous aussi")

    def test_numbers_are_per_contract(self) -> None:
        self.open()
        self.open()
        other = Ticket.open(self.other_contract, actor=self.outsider,
                            type="corrective_maintenance", title="Autre marché")
        assert other.number == 1
        assert list(Ticket.objects.filter(contract=self.contract).values_list("number", flat=True)) == [2, 1]
