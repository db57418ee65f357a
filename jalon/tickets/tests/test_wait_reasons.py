"""Waiting for the requester pauses a convention's clocks, waiting for a third party may not.

LADE (D-LADE-07) and CD13 (D-CD13-06) pause for the user only: the platform's wait carries its
reason, recorded in the ``waiting`` event, to the clock rule (``waiting_requester``,
``waiting_third_party``), on the live clocks and in a scorecard of the same tickets alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import time_machine

from jalon.contracts.models import ConventionVersion
from jalon.conventions import Period, evaluate
from jalon.conventions.tests.support import CONVENTIONS
from jalon.testing.cast import JalonTestCase
from jalon.tickets.export import tickets_to_ticketset
from jalon.tickets.models import Clock, EventKind, Ticket, TicketEvent, TicketState

PARIS = ZoneInfo("Europe/Paris")


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of the week of Monday 1 June 2026 (no public holiday; 8h-18h calendar)."""
    return datetime(2026, 6, day, hour, minute, tzinfo=PARIS)


def at(day: int, hour: int, minute: int = 0) -> Any:
    return time_machine.travel(paris(day, hour, minute), tick=False)


class WaitReasonBase(JalonTestCase):
    type = "incident"

    def waiting(self, reason: str, priority: dict[str, str]) -> Ticket:
        """Opened, qualified and assigned Monday 09:00, taken in charge 09:30, waiting from 10:00."""
        with at(1, 9):
            ticket = Ticket.open(self.contract, actor=self.requester, type=self.type, title="Serveur arrêté")
            ticket.qualify(self.level1, **priority)
            ticket.assign(self.level1, group="TMS", person=self.technician)
        with at(1, 9, 30):
            ticket.start_work(self.technician)
        with at(1, 10):
            ticket.wait(self.technician, reason, "Ticket ouvert chez l’éditeur")
        return ticket

    def resolution(self, ticket: Ticket, kind: str = "resolution") -> Clock:
        return ticket.clocks.get(kind=kind)


class LadeWaitTest(WaitReasonBase):
    """LADE's resolution clock: P2 = 1 business day of 10 h (seed 002 L1439), from the opening,
    paused while waiting for the user only (D-LADE-07)."""

    P2: ClassVar[dict[str, str]] = {"urgency": "majeure", "impact": "site"}

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        text = (CONVENTIONS / "lade-tmes.yaml").read_text(encoding="utf-8")
        cls.convention, _ = ConventionVersion.load(cls.contract, text, "lade-tmes.yaml")

    def test_waiting_for_a_third_party_keeps_the_clock_running_and_it_breaches(self) -> None:
        ticket = self.waiting("third_party", self.P2)
        clock = self.resolution(ticket)
        assert not clock.is_paused
        assert clock.due_at == paris(2, 9)  # Monday 09-18 (9 h) + Tuesday 08-09: as if no wait
        # still waiting on Tuesday 10:00: 11 h of the 10
        late = next(c for c in ticket.clocks_at(paris(2, 10)) if c.kind == "resolution")
        assert (late.elapsed_seconds, late.breached, late.due_at) == (11 * 3600, True, paris(2, 9))
        with at(2, 14):
            ticket.resume(self.technician)
        with at(2, 16):
            ticket.resolve(self.technician, "definitive")
        clock = self.resolution(ticket)
        assert clock.elapsed_seconds == 17 * 3600  # Monday 09-18 + Tuesday 08-16
        assert clock.breached
        assert clock.paused_intervals == []

    def test_waiting_for_the_requester_pauses_the_clock(self) -> None:
        ticket = self.waiting("requester", self.P2)
        clock = self.resolution(ticket)
        assert clock.is_paused
        assert clock.due_at is None
        later = next(c for c in ticket.clocks_at(paris(2, 10)) if c.kind == "resolution")
        assert (later.elapsed_seconds, later.breached) == (3600, False)
        with at(2, 14):
            ticket.resume(self.technician)
        # 1 h counted before the wait, 9 h left from Tuesday 14:00: Tuesday 14-18, Wednesday 08-13
        assert self.resolution(ticket).due_at == paris(3, 13)
        with at(2, 16):
            ticket.resolve(self.technician, "definitive")
        clock = self.resolution(ticket)
        assert clock.elapsed_seconds == 3 * 3600  # Monday 09-10 + Tuesday 14-16
        assert not clock.breached

    def test_each_wait_counts_by_the_reason_its_event_recorded(self) -> None:
        ticket = self.waiting("third_party", self.P2)  # Monday 10-12: counted
        with at(1, 12):
            ticket.resume(self.technician)
        with at(1, 14):
            ticket.wait(self.technician, "requester")  # Monday 14-16: paused
        with at(1, 16):
            ticket.resume(self.technician)
        with at(1, 17):
            ticket.resolve(self.technician, "definitive")
        assert self.resolution(ticket).elapsed_seconds == 6 * 3600  # 09-14 and 16-17
        # recomputed later from the history alone (the ticket no longer says why it waited)
        ticket.refresh_from_db()
        assert ticket.wait_reason == ""
        [recomputed] = [c for c in ticket.recompute_clocks(paris(5, 12)) if c.kind == "resolution"]
        assert recomputed.elapsed_seconds == 6 * 3600
        assert [step.after for step in ticket.history()] == [
            "new", "qualifying", "assigned", "in_progress", "waiting_third_party", "in_progress",
            "waiting_requester", "in_progress", "resolved"]
        assert [step.before for step in ticket.history()][5:7] == ["waiting_third_party", "in_progress"]

    def test_the_scorecard_of_the_same_tickets_gives_the_same_figures(self) -> None:
        tickets = []
        for reason in ("third_party", "requester"):
            ticket = self.waiting(reason, self.P2)
            with at(2, 14):
                ticket.resume(self.technician)
            with at(2, 16):
                ticket.resolve(self.technician, "definitive")
            tickets.append(ticket)
        exported = tickets_to_ticketset(Ticket.objects.filter(contract=self.contract))
        waits = [state for state in exported.event_state if str(state).startswith("waiting")]
        assert waits == ["waiting_third_party", "waiting_requester"]
        card = evaluate(self.convention.parsed(), exported, [], Period.parse("2026-Q2"), profile="jalon")
        assert card.warnings == []
        table = card.clocks["resolution"]
        scored = {str(exported.ids[table.ticket[r]]): (int(table.elapsed[r]), bool(table.met()[r]))
                  for r in range(len(table))}
        stored = {t.reference: (self.resolution(t).elapsed_seconds, not self.resolution(t).breached)
                  for t in tickets}
        assert scored == stored == {tickets[0].reference: (17 * 3600, False),
                                    tickets[1].reference: (3 * 3600, True)}

    def test_a_wait_recorded_without_its_reason_is_read_as_waiting_for_the_requester(self) -> None:
        with at(1, 9):
            ticket = Ticket.open(self.contract, actor=self.requester, type="incident", title="Ancien")
            ticket.qualify(self.level1, **self.P2)
            ticket.assign(self.level1, group="TMS", person=self.technician)
        # a history written before the reason reached the clocks: the event has no reason
        TicketEvent.objects.create(ticket=ticket, kind=EventKind.WAITING, actor=self.technician,
                                   at=paris(1, 10), state_from=TicketState.ASSIGNED,
                                   state_to=TicketState.WAITING, payload={"note": ""})
        Ticket.objects.filter(pk=ticket.pk).update(state=TicketState.WAITING)
        [clock] = [c for c in ticket.recompute_clocks(paris(2, 10)) if c.kind == "resolution"]
        assert clock.is_paused
        assert clock.elapsed_seconds == 3600
        exported = tickets_to_ticketset(Ticket.objects.filter(pk=ticket.pk))
        assert list(exported.event_state)[-1] == "waiting_requester"


class CD13WaitTest(WaitReasonBase):
    """CD13's GTR pauses while waiting for the user only (D-CD13-06); P3 = 10 h."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        text = (CONVENTIONS / "cd13-callipso.yaml").read_text(encoding="utf-8")
        cls.convention, _ = ConventionVersion.load(cls.contract, text, "cd13-callipso.yaml")

    def test_the_gtr_runs_while_waiting_for_a_third_party_and_pauses_for_the_user(self) -> None:
        third = self.waiting("third_party", {"urgency": "U1", "impact": "3"})
        user = self.waiting("requester", {"urgency": "U1", "impact": "3"})
        assert third.priority == user.priority == "P3"
        with at(1, 15):
            third.resume(self.technician)
            user.resume(self.technician)
        assert self.resolution(third, "gtr").due_at == paris(2, 9)  # 10 h from Monday 09:00
        assert self.resolution(user, "gtr").due_at == paris(2, 14)  # 5 h later: the wait paused


class AquareelWaitTest(WaitReasonBase):
    """The test convention maps the single ``waiting`` key (older files): both waits pause, as
    before the reason reached the clocks."""

    type = "urgent_intervention"

    def test_both_waits_pause_the_resolution_clock(self) -> None:
        for reason in ("requester", "third_party"):
            ticket = self.waiting(reason, {"urgency": "critique", "impact": "site"})
            clock = self.resolution(ticket)
            assert clock.is_paused, reason
            assert clock.due_at is None
            with at(1, 15):
                ticket.resume(self.technician)
            # started at 09:30, 30 min counted, 9 h 30 left from 15:00: Monday 15-18, Tuesday 08-14:30
            assert self.resolution(ticket).due_at == paris(2, 14, 30), reason
