"""The platform's side of the clock definitions of issue 11 §5: a calendar chosen by the
ticket's team, rows scoped by role, the LADE change delays, AQUAREEL's backup staff and remarks,
and what the platform cannot record yet (CD13's information instant: no clock rather than a
false breach). Live clocks (``Ticket.recompute_clocks``) and a scorecard of the same tickets
(``tickets_to_ticketset`` + ``evaluate(profile="jalon")``) give the same figures.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import time_machine

from jalon.contracts.models import ConventionVersion
from jalon.conventions import Period, evaluate, load
from jalon.conventions.tests.support import CONVENTIONS
from jalon.testing.cast import JalonTestCase
from jalon.tickets.clocks import ClockState, TicketFacts, clocks_for, transitions
from jalon.tickets.export import tickets_to_ticketset
from jalon.tickets.models import Ticket

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600
P1 = {"urgency": "critique", "impact": "site"}  # LADE's matrix (seed 002 L6137-6149)
P2 = {"urgency": "majeure", "impact": "site"}


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of the week of Monday 1 June 2026 (no public holiday)."""
    return datetime(2026, 6, day, hour, minute, tzinfo=PARIS)


def at(day: int, hour: int, minute: int = 0) -> Any:
    return time_machine.travel(paris(day, hour, minute), tick=False)


class ShippedConventionTest(JalonTestCase):
    shipped = ""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        text = (CONVENTIONS / cls.shipped).read_text(encoding="utf-8")
        cls.convention, _ = ConventionVersion.load(cls.contract, text, cls.shipped)

    def ticket(self, type: str, priority: dict[str, str], group: str, *, opened: tuple[int, ...],
               resolved: tuple[int, ...] | None = None) -> Ticket:
        with at(*opened):
            ticket = Ticket.open(self.contract, actor=self.requester, type=type, title="Demande")
            ticket.qualify(self.level1, **priority)
            ticket.assign(self.level1, group=group, person=self.technician)
        if resolved is not None:
            with at(*resolved):
                ticket.start_work(self.technician)
                ticket.resolve(self.technician, "definitive")
        return ticket

    def scorecard(self, period: str = "2026-Q2") -> Any:
        tickets = tickets_to_ticketset(Ticket.objects.filter(contract=self.contract))
        return evaluate(self.convention.parsed(), tickets, [], Period.parse(period), profile="jalon")


def indicator(card: Any, indicator_id: str) -> Any:
    return next(i for f in card.families for i in f.indicators if i.id == indicator_id)


class LadePlatformTest(ShippedConventionTest):
    shipped = "lade-tmes.yaml"

    def test_a_ticket_assigned_to_a_tme_role_runs_on_the_tme_hours(self) -> None:
        # TME 7h30-18h (seed 002 L3789), the desk 8h-18h (L2322): 07:30-08:30 is 1 h, 30 min
        tme = self.ticket("incident", P1, "N2_TME_AG", opened=(1, 7, 30), resolved=(1, 8, 30))
        desk = self.ticket("incident", P1, "N1_TMS_SD", opened=(1, 7, 30), resolved=(1, 8, 30))
        tme_clock, desk_clock = (t.clocks.get(kind="resolution") for t in (tme, desk))
        assert (tme_clock.calendar_name, tme_clock.elapsed_seconds) == ("tme", HOUR)
        assert (desk_clock.calendar_name, desk_clock.elapsed_seconds) == ("ho", HOUR // 2)
        table = self.scorecard().clocks["resolution"]
        assert sorted(zip(table.elapsed.tolist(), map(table.calendar_id, range(len(table))), strict=True)) == [
            (HOUR // 2, "ho"), (HOUR, "tme")]

    def test_a_running_tme_clock_falls_due_on_the_tme_hours(self) -> None:
        ticket = self.ticket("incident", P1, "N2_TME_RX", opened=(1, 16))
        clock = ticket.clocks.get(kind="resolution")
        assert clock.due_at == paris(2, 9, 30)  # 16:00-18:00, then Tuesday 07:30-09:30

    def test_a_change_has_one_business_day_for_p2_and_no_clock_for_p1(self) -> None:
        # "Changement  Non applicable  1j ouvré  5j ouvrés" (seed 002 L6159)
        p2 = self.ticket("changement", P2, "N2_TME_LADE", opened=(1, 9))
        p1 = self.ticket("changement", P1, "N2_TME_LADE", opened=(1, 9))
        clock = p2.clocks.get(kind="resolution_changement")
        assert (clock.target_seconds, clock.calendar_name) == (10 * HOUR, "tme")
        assert not p1.clocks.filter(kind="resolution_changement").exists()

    def test_s3_counts_the_tickets_pending_at_the_desk_and_proximity_only(self) -> None:
        # "Backlog TMS (SD et proximité)", "en attente N1_TMS" (seed 002 L6409-6422)
        for group in ("N1_TMS_SD", "N1_TMS_PROXIMITE_LB", "N2_TMS_O365", "N2_TME_AG"):
            self.ticket("incident", P2, group, opened=(1, 9))
        card = self.scorecard()
        assert (indicator(card, "S3").value, indicator(card, "T1").value) == (2, 1)


class AquareelPlatformTest(ShippedConventionTest):
    shipped = "aquareel-tma.yaml"
    ANY: ClassVar[dict[str, str]] = {"urgency": "", "impact": "", "priority": "majeur"}

    def test_backup_staff_is_due_within_48_business_hours(self) -> None:
        # "mobilisable sous 48h ouvrées" (seed 001 L36, L46-47)
        ticket = self.ticket("renfort", self.ANY, "Titulaire", opened=(1, 9))
        clock = ticket.clocks.get(kind="mobilisation_renfort")
        assert (clock.target_seconds, clock.due_at) == (48 * HOUR, paris(5, 17))  # 9 + 10 × 3 + 9 h

    def test_remarks_on_minutes_are_due_24_wall_clock_hours_after_they_come(self) -> None:
        # "consolidées et intégrées sous 24 heures" (seed 001 L104): Friday 17:00 → Saturday 17:00
        ticket = self.ticket("remarques_releve", self.ANY, "Titulaire", opened=(5, 17))
        clock = ticket.clocks.get(kind="integration_remarques")
        assert (clock.calendar_name, clock.due_at) == ("continu", paris(6, 17))

    def test_without_an_audit_on_record_the_ha_installation_is_due_four_weeks_after_the_order(self) -> None:
        # "4 semaines après audit (si réalisé) + 4 semaines après bon de commande" (seed 000 L499):
        # the platform records no audit instant yet, so the order's leg alone counts
        ticket = self.ticket("installation_ha", self.ANY, "Titulaire", opened=(1, 8))
        clock = ticket.clocks.get(kind="installation_ha")
        assert (clock.target_seconds, clock.due_at) == (200 * HOUR, datetime(2026, 6, 26, 18, tzinfo=PARIS))

    def test_a_one_off_intervention_has_no_execution_clock_until_its_order_delay_is_recorded(self) -> None:
        # the delay is written on the purchase order (seed 000 L184); the platform has no field
        # for it yet: no clock rather than one with an invented target
        ticket = self.ticket("ponctuelle", self.ANY, "Titulaire", opened=(1, 9))
        assert not ticket.clocks.filter(kind="execution_ponctuelle").exists()
        assert ticket.clocks.filter(kind="confirmation_ponctuelle").exists()


class Cd13PlatformTest(ShippedConventionTest):
    shipped = "cd13-callipso.yaml"

    def test_the_information_clock_runs_until_the_holder_shares_the_follow_up(self) -> None:
        # P1 "Délai d'information 1 heure" (seed 003 L1802): it stops at Ticket.inform
        # (test_information.py), so until then it runs
        ticket = self.ticket("incident", {"urgency": "U1", "impact": "1"}, "GO", opened=(1, 9))
        clocks = {clock.kind: clock for clock in ticket.clocks.all()}
        assert "gtr" in clocks
        assert clocks["information"].stopped_at is None
        assert clocks["information"].target_seconds == 3600


def test_the_platform_engine_reads_an_order_delay_and_an_audit_instant_from_the_ticket_facts() -> None:
    """What the platform will pass once it records them (seed 000 L184, L499): the same engine
    entry as the live clocks, ``clocks_for``."""
    convention = load(CONVENTIONS / "aquareel-tma.yaml")
    history = transitions([(paris(1, 8), "", "new", None)])

    def clocks(type: str, **facts: Any) -> dict[str, ClockState]:
        ticket = TicketFacts(reference="1", opened_at=paris(1, 8), resolved_at=None, closed_at=None,
                             attributes={"type": type, "priority": "majeur", **facts.pop("attributes", {})},
                             **facts)
        return {c.kind: c for c in clocks_for(convention, ticket, history, paris(16, 8), 0.8)}

    one_off = clocks("ponctuelle", attributes={"delai_execution": "3j"})["execution_ponctuelle"]
    assert (one_off.target_seconds, one_off.due_at) == (30 * HOUR, paris(3, 18))
    audited = clocks("installation_ha", instants={"audit_at": paris(15, 8)})["installation_ha"]
    assert audited.target_seconds == 300 * HOUR  # six weeks: four after the audit, two weeks in
