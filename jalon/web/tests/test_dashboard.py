"""The dashboard's figures on a hand-built month, their links, the period, the query count."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from jalon.contracts.models import ConventionVersion
from jalon.conventions.model import Forfait
from jalon.conventions.period import Period
from jalon.testing.cast import AQUAREEL_CONVENTION
from jalon.web.dashboard.board import Cell, bucket_label, parse_period
from jalon.web.rules import rules_for
from jalon.web.tests.helpers import WebTestCase, at, paris

BOARD = "/marches/aquareel/tableau-de-bord/?period=month&month=2026-05"
NOW = paris(2026, 5, 12, 12, 0)


class MayTest(WebTestCase):
    """May 2026 (weekly buckets). T1: urgent, on time, closed 5 May. T2: urgent, resolved late
    on 11 May. T3: anomaly never qualified. T4: opened in April, never qualified, breached.
    T5: corrective, resolved 5 May and reopened 6 May. T1, T5 and T2 are qualified 10 min
    after their opening."""

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
            # the next day: 10 hours already fill 7 May (a person's day is capped, D-116)
            self.t2.log_time(self.technician, minutes=60, spent_on=date(2026, 5, 8),
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

    def test_qualification_delay_of_the_tickets_first_qualified_in_the_period(self) -> None:
        q = self.board().context["board"].qualification
        assert q.qualified.value == 3  # T1, T5, T2; never T3 nor T4
        assert (q.mean_hours.value, q.median_hours.value) == (0.2, 0.2)  # 10 minutes each

    def test_a_qualification_in_the_period_of_an_older_ticket_counts(self) -> None:
        self.qualify(self.t4, paris(2026, 5, 4, 8, 0))  # April's T4, qualified in May
        q = self.board().context["board"].qualification
        assert q.qualified.value == 4
        # T4: Monday 20 April 09:00–18:00 (9 h), eight business days to Thursday 30 April
        # (80 h), Friday 1 May a holiday, then Monday 4 May at 08:00: 89 h.
        assert q.max_hours.value == 89

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
        # Not resolved: T4 alone on 3 May; T3, T5 (reopened), T2 (resolved 11 May) on 10 May;
        # then, taken now (12 May), T4, T3 and T5.
        assert [p.size.value for p in backlog] == [1, 4, 3, 3, 3]
        # End of 3 May: T4 only, opened 20 April 09:00 (Paris) → 13 days and 15 hours.
        assert backlog[0].mean_age_days.value == 13.6

    def test_reopen_rate(self) -> None:
        reopening = self.board().context["board"].reopening
        assert (reopening.resolved.value, reopening.reopened.value) == (3, 1)
        assert reopening.rate.display == "33,3 %"

    def test_tickets_at_risk_and_overdue_now(self) -> None:
        board = self.board().context["board"]
        assert board.at_risk.value == 0
        assert board.overdue.value == 1  # T4, whose take-in-charge never stopped

    def test_forfait_in_hours_without_a_forfait_section(self) -> None:
        forfait = self.board().context["board"].forfait
        # 720 min charged (60 not charged).
        assert (forfait.unit, forfait.used_in_period.value, forfait.used_in_year.value) == (
            "h", 12, 12)
        assert forfait.use.allowance_days is None
        assert [c.value for _label, c in forfait.per_bucket] == [0, 12, 0, 0, 0]

    def test_forfait_in_days_of_the_convention_with_its_warning(self) -> None:
        ConventionVersion.load(self.contract, AQUAREEL_CONVENTION + (
            "forfait: {days_per_year: 1.5, day: 10h, warn_ratio: 0.75}\n"), "forfait.yaml")
        response = self.board()
        forfait = response.context["board"].forfait
        # 720 min = 1.2 days of 10 h: 80 % of 1.5 days, past the 75 % warning.
        assert (forfait.unit, forfait.used_in_year.value, forfait.remaining.value) == (
            "j", 1.2, 0.3)
        assert forfait.share_percent == pytest.approx(80)
        html = response.content.decode()
        assert "1,2 j consommés sur 1,5 j pour l’année (80 %)." in html
        assert "a atteint 75 % du forfait annuel, le seuil d’alerte" in html

    def test_every_count_links_to_exactly_the_tickets_behind_it(self) -> None:
        with at(paris(2026, 5, 12, 9, 0)):
            self.t1.reopen(self.level1, "Revenu")  # closed on 5 May, no longer closed_at
        self.qualify(self.t4, paris(2026, 5, 4, 8, 0))  # first qualified in the period
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
        # drawn for the eye; the figcaption is the text alternative, the table gives the values
        assert html.count('aria-hidden="true" focusable="false"') == 4
        assert '<figure class="fr-mb-2w" aria-labelledby="chart-volumes-caption">' in html
        assert "les valeurs sont reprises dans le tableau qui suit" in html
        assert "<script" not in html.split("<main")[1].split("</main>")[0]

    def test_requesters_are_neither_shown_nor_offered_the_dashboard(self) -> None:
        self.login(self.requester)
        with at(NOW):
            assert self.client.get(BOARD).status_code == 403
        link = BOARD.split("?")[0]
        for page in ("/", "/marches/aquareel/tickets/"):
            assert link not in self.client.get(page).content.decode(), page
        self.login(self.auditor)
        for page in ("/", "/marches/aquareel/tickets/"):
            assert link in self.client.get(page).content.decode(), page


class DashboardQueriesTest(WebTestCase):
    # session, user, contract, roles, convention, clocks stopped, qualification, openings,
    # events, backlog, clocks now, time entries, nav contracts, the records' stamp, the header's
    # unread notifications.
    DASHBOARD = 15

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
        assert parse_period({}, today) == (Period.parse("2026-05"), "month", [])
        assert parse_period({"period": "quarter", "quarter": "2026-T2"}, today) == (
            Period.parse("2026-Q2"), "quarter", [])
        assert parse_period({"period": "custom", "from": "2026-01-15", "to": "2026-03-02"},
                            today) == (Period(date(2026, 1, 15), date(2026, 3, 2)), "custom", [])
        period, kind, errors = parse_period({"period": "custom", "from": "2026-03-02",
                                             "to": "2026-01-15"}, today)
        assert (period, kind) == (Period.parse("2026-05"), "month")
        assert errors

    def test_weeks_and_months_are_labelled(self) -> None:
        quarter = Period.parse("2026-Q2")
        assert [bucket_label(quarter, b) for b in quarter.buckets()] == [
            "04/2026", "05/2026", "06/2026"]
        may = Period.parse("2026-05")
        assert bucket_label(may, may.buckets()[1]) == "04/05–10/05"

    def test_a_bad_period_is_reported(self) -> None:
        self.login(self.level1)
        response = self.client.get("/marches/aquareel/tableau-de-bord/?period=month&month=2026-13")
        assert response.status_code == 400  # not a silent fallback: the error is the answer
        assert "Mois attendu au format AAAA-MM." in response.content.decode()


def test_the_aquareel_convention_gives_its_forfait_and_type_labels() -> None:
    text = (Path(settings.BASE_DIR) / "conventions" / "aquareel-tma.yaml").read_text()
    rules = rules_for(ConventionVersion(text=text, source_name="aquareel-tma.yaml"))
    assert rules.forfait == Forfait(days_per_year=15, day_minutes=600, warn_ratio=0.8,
                                    chargeable_types=("urgente", "anomalie"), thresholds=(0.8, 1.0))
    assert rules.type_label("urgente") == "Intervention urgente"
    assert ("anomalie", "Qualification d'anomalie") in rules.types


def test_cells_display_in_french() -> None:
    assert Cell(33.333, unit="%").display == "33,3 %"
    assert Cell(1.25, unit="j").display == "1,2 j"
    assert Cell(None).display == "—"
    assert Cell(4).display == "4"


def test_chart_coordinates_are_valid_svg_numbers_in_french():
    """French formatting writes 106,0: SVG needs 106.0 whatever the language."""
    import re

    from django.template.loader import render_to_string
    from django.utils import translation

    chart = {"width": 300, "height": 120, "ticks": [(106.0, "0")], "labels": [(50.5, "S1")], "legend": [],
             "bars": [{"x": 40.25, "y": 10.5, "width": 12.75, "height": 95.5, "css": "a", "title": "t", "href": ""}]}
    with translation.override("fr"):
        html = render_to_string("web/_chart.html", {"chart": chart, "chart_id": "c", "chart_title": "T"})
    coordinates = re.findall(r'\b(?:x|y|x1|x2|y1|y2|width|height)="([^"]*)"', html)
    assert coordinates
    assert all(re.fullmatch(r"-?\d+(\.\d+)?", value) for value in coordinates), coordinates


class InvalidPeriodTest(WebTestCase):
    """An invalid period in a URL is a clear error, never a silent fallback (issue 16)."""

    def test_the_page_says_what_is_wrong_and_the_export_is_refused(self) -> None:
        self.login(self.buyer_manager)
        for query, message in (("?period=trimestre", "Période inconnue : « trimestre »"),
                               ("?period=quarter&quarter=2026-T5", "Trimestre attendu au format"),
                               ("?month=2026-13", "Mois attendu au format AAAA-MM.")):
            page = self.client.get(f"/marches/aquareel/tableau-de-bord/{query}")
            assert page.status_code == 400, query
            assert message in page.content.decode(), query
            export = self.client.get(f"/marches/aquareel/tableau-de-bord/export.csv{query}")
            assert export.status_code == 400, query
            assert message in export.content.decode(), query
        assert self.client.get("/marches/aquareel/tableau-de-bord/?period=quarter&quarter=2026-T2").status_code == 200
