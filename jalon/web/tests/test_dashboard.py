"""The dashboard's figures on a hand-built month, their links, the period, the query count."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from jalon.contracts.models import ConventionVersion
from jalon.web import figures
from jalon.web.dashboard import parse_period
from jalon.web.figures import Cell, Period
from jalon.web.rules import rules_for
from jalon.web.tests.helpers import WebTestCase, at, paris

BOARD = "/marches/aquareel/tableau-de-bord/?period=month&month=2026-05"
NOW = paris(2026, 5, 12, 12, 0)


class MayTest(WebTestCase):
    """May 2026 (weekly buckets). T1: urgent, on time, closed 5 May. T2: urgent, resolved late
    on 11 May. T3: anomaly never qualified. T4: opened in April, never qualified, breached.
    T5: corrective, resolved 5 May and reopened 6 May."""

    def setUp(self) -> None:
        self.t4 = self.open(paris(2026, 4, 20, 9, 0), "Ancien")
        self.t1 = self.worked(paris(2026, 5, 4, 9, 0), "T1")
        self.resolved(self.t1, paris(2026, 5, 4, 11, 0))
        self.closed(self.t1, paris(2026, 5, 5, 9, 0))
        self.t3 = self.open(paris(2026, 5, 6, 10, 0), "T3", type="anomaly_qualification")
        self.t5 = self.worked(paris(2026, 5, 5, 9, 0), "T5", type="corrective_maintenance")
        self.resolved(self.t5, paris(2026, 5, 5, 15, 0))
        with at(paris(2026, 5, 6, 10, 0)):
            self.t5.reopen(self.level1, "Revenu")
        self.t2 = self.worked(paris(2026, 5, 7, 9, 0), "T2")
        self.resolved(self.t2, paris(2026, 5, 11, 11, 0))
        with at(paris(2026, 5, 11, 12, 0)):
            self.t1.__class__.objects.get(pk=self.t2.pk).log_time(
                self.technician, minutes=600, spent_on=date(2026, 5, 7))
            self.t2.log_time(self.technician, minutes=60, spent_on=date(2026, 5, 7),
                             charged_to_forfait=False)
            self.t1.log_time(self.technician, minutes=120, spent_on=date(2026, 5, 4))
        self.login(self.buyer_manager)

    def board(self):
        with at(NOW):
            response = self.client.get(BOARD)
        assert response.status_code == 200
        return response

    def test_delay_compliance_by_priority(self) -> None:
        rows = {(r.clock, r.priority): r for r in self.board().context["board"].compliance}
        taken = rows[("prise_en_charge", "P1")]
        assert (taken.total.value, taken.met.value, taken.breached.value) == (2, 2, 0)
        resolution = rows[("resolution", "P1")]
        assert (resolution.total.value, resolution.met.value, resolution.breached.value) == (2, 1, 1)
        assert resolution.share.display == "50,0 %"
        # T1: 1 h 30; T2: Thu 09:30–18:00 + Mon 08:00–11:00 = 11 h 30 → mean 6,5 h.
        assert resolution.mean_hours.value == 6.5
        assert resolution.target_hours == 10

    def test_qualification_delay(self) -> None:
        q = self.board().context["board"].qualification
        assert (q.opened.value, q.qualified.value, q.waiting.value) == (4, 3, 1)
        assert q.mean_hours.value == 0.2  # 10 business minutes each

    def test_volumes_by_week_type_and_criticality(self) -> None:
        volumes = self.board().context["board"].volumes
        total = volumes["total"]
        assert total.columns == ["01/05–03/05", "04/05–10/05", "11/05–17/05", "18/05–24/05",
                                 "25/05–31/05"]
        assert [c.value for c in total.rows[0][1]] == [0, 4, 0, 0, 0]  # opened
        assert [c.value for c in total.rows[1][1]] == [0, 1, 0, 0, 0]  # closed
        by_type = {label: [c.value for c in cells] for label, cells in volumes["opened_type"].rows}
        assert by_type == {"Intervention urgente": [0, 2, 0, 0, 0],
                           "Qualification d'anomalie": [0, 1, 0, 0, 0],
                           "Maintenance corrective": [0, 1, 0, 0, 0]}
        by_criticality = {label: [c.value for c in cells]
                          for label, cells in volumes["opened_criticality"].rows}
        assert by_criticality == {"Bloquant": [0, 3, 0, 0, 0], "Non renseignée": [0, 1, 0, 0, 0]}

    def test_backlog_size_and_age(self) -> None:
        backlog = self.board().context["board"].backlog
        assert [p.size.value for p in backlog] == [1, 4, 4, 4, 4]
        # End of 3 May: T4 only, opened 20 April 09:00 (Paris) → 13 days and 15 hours.
        assert backlog[0].mean_age_days.value == 13.6

    def test_reopen_rate(self) -> None:
        reopening = self.board().context["board"].reopening
        assert (reopening.resolved.value, reopening.reopened.value) == (3, 1)
        assert reopening.rate.display == "33,3 %"

    def test_tickets_at_risk_and_breached_now(self) -> None:
        board = self.board().context["board"]
        assert board.at_risk.value == 0
        assert board.breached.value == 1  # T4, whose take-in-charge never stopped

    def test_forfait_consumption(self) -> None:
        forfait = self.board().context["board"].forfait
        # 720 min charged (60 not charged); a day is the calendar's 10 h.
        assert forfait.used_in_period.value == 1.2
        assert forfait.used_in_year.value == 1.2
        assert forfait.allowance_days is None  # the test convention declares no forfait
        assert [c.value for _label, c in forfait.per_bucket] == [0, 1.2, 0, 0, 0]

    def test_every_count_links_to_exactly_the_tickets_behind_it(self) -> None:
        response = self.board()
        html = response.content.decode()
        links = re.findall(r'<a href="(/marches/aquareel/tickets/\?[^"]+)" title="Voir les '
                           r'tickets">(\d+)</a>', html)
        assert len(links) > 40
        for href, shown in links:
            with at(NOW):
                listed = self.client.get(href.replace("&amp;", "&"))
            assert listed.status_code == 200
            assert listed.context["page"].paginator.count == int(shown), href

    def test_specific_links(self) -> None:
        html = self.board().content.decode()
        assert ('href="/marches/aquareel/tickets/?clock=resolution&amp;clock_from=2026-05-01'
                '&amp;clock_to=2026-05-31&amp;priority=P1&amp;outcome=breached"') in html
        with at(NOW):
            listed = self.client.get("/marches/aquareel/tickets/?clock=resolution&clock_from="
                                     "2026-05-01&clock_to=2026-05-31&priority=P1&outcome=breached")
        assert [r["ticket"].pk for r in listed.context["rows"]] == [self.t2.pk]

    def test_charts_are_inline_svg_with_a_text_alternative(self) -> None:
        html = self.board().content.decode()
        assert html.count('<svg class="jalon-chart"') == 4
        assert 'role="img" aria-labelledby="chart-volumes-title"' in html
        assert "les valeurs sont reprises dans le tableau qui suit" in html
        assert "<script" not in html.split("<main")[1].split("</main>")[0]

    def test_the_requester_sees_the_figures_of_their_own_tickets(self) -> None:
        self.login(self.other_requester)
        with at(NOW):
            board = self.client.get(BOARD).context["board"]
        assert board.qualification.opened.value == 0


class DashboardQueriesTest(WebTestCase):
    # session, user, contract, roles, convention, tickets, clocks, qualification, events,
    # time entries, at risk, breached, nav contracts.
    DASHBOARD = 13

    @pytest.fixture(autouse=True)
    def _fixtures(self, django_assert_max_num_queries):
        self.max_queries = django_assert_max_num_queries

    def test_dashboard_queries_are_pinned(self) -> None:
        self.login(self.buyer_manager)
        for count in (1, 8):
            for i in range(count):
                ticket = self.worked(paris(2026, 5, 4 + i % 4, 9, 0), f"T{i}")
                self.resolved(ticket, paris(2026, 5, 4 + i % 4, 11, 0))
            with at(NOW), self.max_queries(self.DASHBOARD):
                assert self.client.get(BOARD).status_code == 200


class PeriodTest(WebTestCase):
    def test_month_quarter_custom_and_default(self) -> None:
        today = date(2026, 5, 12)
        assert parse_period({}, today) == (Period.month(2026, 5), [])
        assert parse_period({"period": "quarter", "quarter": "2026-T2"}, today)[0] == Period(
            date(2026, 4, 1), date(2026, 6, 30), "quarter")
        assert parse_period({"period": "custom", "from": "2026-01-15", "to": "2026-03-02"},
                            today)[0] == Period(date(2026, 1, 15), date(2026, 3, 2))
        period, errors = parse_period({"period": "custom", "from": "2026-03-02",
                                       "to": "2026-01-15"}, today)
        assert period == Period.month(2026, 5)
        assert errors

    def test_a_quarter_is_cut_in_months(self) -> None:
        labels = [b.label for b in Period.quarter(2026, 2).buckets()]
        assert labels == ["04/2026", "05/2026", "06/2026"]

    def test_a_bad_period_is_reported(self) -> None:
        self.login(self.level1)
        response = self.client.get("/marches/aquareel/tableau-de-bord/?period=month&month=2026-13")
        assert response.status_code == 200
        assert "Mois attendu au format AAAA-MM." in response.content.decode()


def test_the_aquareel_convention_gives_a_forfait_of_15_days_of_10_hours() -> None:
    text = (Path(settings.BASE_DIR) / "conventions" / "aquareel-tma.yaml").read_text()
    rules = rules_for(ConventionVersion(text=text, source_name="aquareel-tma.yaml"))
    assert rules.forfait_days() == 15
    assert rules.forfait_day_minutes() == 600
    assert rules.type_label("urgente") == "Intervention urgente"


def test_forfait_remaining_counts_the_contract_year() -> None:
    year = figures.contract_year(date(2026, 5, 31), date(2025, 9, 1))
    assert year == Period(date(2025, 9, 1), date(2026, 8, 31))
    entries = [(date(2025, 8, 31), 600), (date(2025, 10, 1), 1200), (date(2026, 5, 10), 300)]
    result = figures.forfait(entries, Period.month(2026, 5), year, 15, 600)
    assert result.used_in_period.value == 0.5
    assert result.used_in_year.value == 2.5
    assert result.remaining.value == 12.5
    assert result.remaining.filters == {"forfait_from": date(2025, 9, 1),
                                        "forfait_to": date(2026, 5, 31)}


def test_cells_display_in_french() -> None:
    assert Cell(33.333, unit="%").display == "33,3 %"
    assert Cell(1.25, unit="j").display == "1,2 j"
    assert Cell(None).display == "—"
    assert Cell(4).display == "4"


def test_buckets_do_not_cross_the_period() -> None:
    zone = ZoneInfo("Europe/Paris")
    rows = [figures.TicketRow(1, "a", "", "", paris(2026, 5, 31, 23, 30), None)]
    tables = figures.volumes(rows, Period.month(2026, 5), zone, {}, {})
    assert [c.value for c in tables["total"].rows[0][1]] == [0, 0, 0, 0, 1]
