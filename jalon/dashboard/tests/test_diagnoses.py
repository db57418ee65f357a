"""Issue 11 §1: the holder's diagnosis of an anomaly (seed 000 §7.2.3) on the dashboard, on
AQUAREEL's shipped convention, whose ``qualification`` clock runs from taking charge to the
diagnosis delivered (1 week = 50 business hours): the diagnoses due now, those delivered in the
period on time or late, and their proposals, each linked to the list of the tickets behind it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from jalon.contracts.models import ConventionVersion
from jalon.conventions.period import Period
from jalon.conventions.tests.support import CONVENTIONS
from jalon.dashboard import figures
from jalon.testing.cast import JalonTestCase
from jalon.tickets.models import Ticket
from jalon.web.dashboard import board
from jalon.web.tickets import listing

PARIS = ZoneInfo("Europe/Paris")
JUNE = Period.parse("2026-06")
NOW = datetime(2026, 7, 15, 10, 0, tzinfo=PARIS)


def paris(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=PARIS)


def at(month: int, day: int, hour: int) -> Any:
    return time_machine.travel(paris(month, day, hour), tick=False)


def diagnosis(proposal: str) -> dict[str, str]:
    return {"diagnosis": "Index corrompu", "impact": "Prévisions indisponibles",
            "criticality": "majeur", "estimate": "2 jours", "proposal": proposal}


class DiagnosesTest(JalonTestCase):
    on_time: Ticket
    late: Ticket
    due: Ticket
    in_july: Ticket
    reopened_after: Ticket
    urgent: Ticket

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        text = (CONVENTIONS / "aquareel-tma.yaml").read_text(encoding="utf-8")
        ConventionVersion.load(cls.contract, text, "aquareel-tma.yaml")
        # Taken in charge Monday 1 June 10:00 (no holiday in June 2026: Whit Monday is 25 May):
        # 8 business hours that day, 10 on each working day after.
        cls.on_time = cls.taken("anomalie")
        with at(6, 2, 12):  # 8 h + 4 h = 12 h of 50: on time
            cls.on_time.deliver_diagnosis(cls.technician, **diagnosis("definitive"))
        cls.late = cls.taken("anomalie")
        with at(6, 10, 10):  # 8 h + 4 days + 2 days + 2 h = 70 h of 50: late
            cls.late.deliver_diagnosis(cls.technician, **diagnosis("workaround"))
        cls.due = cls.taken("anomalie")  # never diagnosed: due now
        cls.in_july = cls.taken("anomalie")
        with at(7, 1, 9):
            cls.in_july.deliver_diagnosis(cls.technician, **diagnosis("evolution"))
        # Diagnosed on time in June, resolved, then reopened in July: judged as it stood at the
        # end of June, whatever its clock does after.
        cls.reopened_after = cls.taken("anomalie")
        with at(6, 3, 9):
            cls.reopened_after.deliver_diagnosis(cls.technician, **diagnosis("definitive"))
        with at(6, 4, 9):
            cls.reopened_after.resolve(cls.technician, "definitive")
        with at(7, 2, 9):
            cls.reopened_after.reopen(cls.level1, "Le défaut est revenu")
        # A diagnosis on a type the qualification clock does not time.
        cls.urgent = cls.taken("urgente", "urgent")
        with at(6, 2, 9):
            cls.urgent.deliver_diagnosis(cls.technician, **diagnosis("workaround"))

    @classmethod
    def taken(cls, type: str, priority: str = "majeur") -> Ticket:
        with at(6, 1, 9):
            ticket = Ticket.open(cls.contract, actor=cls.requester, type=type, title="Anomalie")
            ticket.qualify(cls.level1, priority=priority)
            ticket.assign(cls.level1, group="N2_TMA", person=cls.technician)
        with at(6, 1, 10):
            ticket.start_work(cls.technician)
        return ticket

    def dashboard(self, tickets: Any = None) -> figures.Dashboard:
        return figures.dashboard(self.contract, JUNE, NOW,
                                 tickets=Ticket.objects.all() if tickets is None else tickets)

    def test_the_diagnoses_due_delivered_on_time_or_late_and_their_proposals(self) -> None:
        d = self.dashboard().diagnoses
        assert d is not None
        assert (d.clock, d.label) == ("qualification", "Délai de qualification (diagnostic)")
        assert d.due == 1  # self.due; the reopened ticket is back to assigned, not taken in charge
        assert (d.delivered, d.on_time, d.late, d.untimed) == (4, 2, 1, 1)
        assert d.proposals == (("definitive", 2), ("workaround", 2))

    def test_a_diagnosis_reopened_after_the_period_is_judged_as_it_stood_at_its_end(self) -> None:
        only = Ticket.objects.filter(pk=self.reopened_after.pk)
        d = self.dashboard(only).diagnoses
        assert d is not None
        assert (d.delivered, d.on_time, d.late) == (1, 1, 0)

    def test_only_the_reader_s_tickets_count(self) -> None:
        d = self.dashboard(Ticket.objects.filter(pk__in=[self.late.pk, self.due.pk])).diagnoses
        assert d is not None
        assert (d.due, d.delivered, d.on_time, d.late) == (1, 1, 0, 1)
        assert d.proposals == (("workaround", 1),)

    def test_each_figure_links_to_the_tickets_behind_it(self) -> None:
        panel = board.diagnoses(self.dashboard().diagnoses, JUNE)
        assert panel is not None

        def listed(cell: board.Cell) -> set[int]:
            assert cell.filters is not None
            form = listing.TicketFilterForm(QueryDict(listing.query_string(cell.filters)[1:]), {})
            shown = listing.apply_filters(Ticket.objects.all(), form.values(), self.buyer_manager, NOW)
            return set(shown.values_list("pk", flat=True))

        assert listed(panel.due) == {self.due.pk}
        assert listed(panel.delivered) == {self.on_time.pk, self.late.pk, self.reopened_after.pk,
                                           self.urgent.pk}
        assert listed(panel.late) == {self.late.pk}
        assert len(listed(panel.on_time)) == panel.on_time.value == 2
        assert [(name, cell.value) for name, cell in panel.proposals] == [
            ("Correction définitive", 2), ("Solution de contournement", 2)]
        assert listed(panel.proposals[1][1]) == {self.late.pk, self.urgent.pk}

    def test_the_page_shows_them_with_their_links(self) -> None:
        self.client.force_login(self.buyer_manager)
        with time_machine.travel(NOW, tick=False):
            page = f"/marches/{self.contract.slug}/tableau-de-bord/?period=month&month=2026-06"
            html = self.client.get(page).content.decode()
        assert 'id="diagnostics"' in html
        assert "diagnosed_from=2026-06-01&amp;diagnosed_to=2026-06-30&amp;proposal=workaround" in html
        assert "state=in_progress&amp;clock=qualification" in html

    def test_the_api_gives_them(self) -> None:
        self.client.force_login(self.buyer_manager)
        with time_machine.travel(NOW, tick=False):
            data = self.client.get(f"/api/v1/contracts/{self.contract.slug}/dashboard?period=2026-06").json()
        assert data["diagnoses"]["delivered"] == 4
        assert data["diagnoses"]["proposals"] == [{"proposal": "definitive", "tickets": 2},
                                                  {"proposal": "workaround", "tickets": 2}]

    def test_the_dashboard_costs_one_query_more_for_the_diagnoses_however_many(self) -> None:
        with CaptureQueriesContext(connection) as queries:
            self.dashboard()
        # the ten of every dashboard, the diagnoses, and the history of the ticket reopened
        # after June (two queries, shared by the delays and the diagnoses; one more for the backlog);
        # PostgreSQL names the chosen tickets in one query more (jalon.tickets.export)
        expected = 15 if connection.vendor == "postgresql" else 14
        assert len(queries.captured_queries) == expected, [q["sql"] for q in queries.captured_queries]
        for proposal in ("definitive", "workaround", "evolution"):
            ticket = self.taken("anomalie")
            with at(6, 5, 9):
                ticket.deliver_diagnosis(self.technician, **diagnosis(proposal))
        with CaptureQueriesContext(connection) as more:
            d = self.dashboard()
        assert d.diagnoses is not None
        assert d.diagnoses.delivered == 7
        assert len(more.captured_queries) == expected

    def test_a_diagnosis_delivered_changes_the_cached_figures_at_once(self) -> None:
        running = Period.parse("2026-07")
        with at(7, 3, 9):
            before = figures.dashboard(self.contract, running, paris(7, 3, 9), tickets=Ticket.objects.all())
        with at(7, 3, 10):
            self.due.deliver_diagnosis(self.technician, **diagnosis("evolution"))
            after = figures.dashboard(self.contract, running, paris(7, 3, 10), tickets=Ticket.objects.all())
        assert before.diagnoses is not None
        assert after.diagnoses is not None
        assert after.diagnoses.delivered == before.diagnoses.delivered + 1
        assert (before.diagnoses.due, after.diagnoses.due) == (1, 0)
        assert ("evolution", 2) in after.diagnoses.proposals
