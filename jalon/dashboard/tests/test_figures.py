from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext

from jalon.contracts.models import ConventionVersion
from jalon.conventions.period import Period, PeriodError
from jalon.dashboard import figures, periods
from jalon.dashboard.tests.scenario import NOW, MarchScenario, paris
from jalon.testing.cast import AQUAREEL_CONVENTION
from jalon.tickets.models import Ticket

MARCH = Period.parse("2026-03")
FORFAIT = """
forfait:
  days_per_year: 2
  day: 1h
  warn_ratio: 0.8
"""


class FiguresTest(MarchScenario):
    def scope(self, period: Period = MARCH) -> figures.Scope:
        return figures.scope(self.contract, period, NOW, Ticket.objects.all())

    def test_delay_compliance_by_clock_and_priority(self) -> None:
        rows = figures.delay_compliance(self.scope())
        assert [(r.clock, r.priority, r.stopped, r.on_time, r.late) for r in rows] == [
            ("prise_en_charge", "P1", 2, 1, 1),  # T1 on time, T2 late
            ("resolution", "P1", 2, 2, 0),  # T2 counted once, stopped after its reopening
        ]
        assert rows[0].label == "Début du diagnostic effectif"
        assert rows[0].on_time_percent == 50.0
        # Taken in charge after 1 h (T1) and 13 h (T2); resolved in 2 h (T1) and 9 h (T2).
        assert [(r.mean_elapsed_seconds, r.target_seconds) for r in rows] == [
            (7 * 3600, 10 * 3600), (5.5 * 3600, 10 * 3600)]

    def test_clock_totals_add_up_the_priorities(self) -> None:
        rows = [figures.DelayCompliance("c", "C", "P1", 2, 1, 7200, 3600),
                figures.DelayCompliance("c", "C", "P2", 2, 2, 3600, 7200)]
        total, = figures.clock_totals(rows)
        assert (total.priority, total.stopped, total.on_time, total.target_seconds) == (
            None, 4, 3, None)
        assert total.mean_elapsed_seconds == 2700

    def test_qualification_delay_in_business_time(self) -> None:
        q = figures.qualification_delay(self.scope())
        # T1 30 min, T2 2 h, T4 1 h 30 (Friday 17–18 + Monday 08:00–08:30).
        assert (q.count, q.mean_seconds, q.median_seconds, q.max_seconds) == (
            3, 4800.0, 5400.0, 7200)
        assert q.calendar == "ho"

    def test_volumes_opened_and_closed_by_type_and_criticality(self) -> None:
        rows, _reopenings = figures.volumes_and_reopenings(self.scope())
        assert [(v.type, v.criticality, v.opened, v.closed) for v in rows] == [
            ("urgent_intervention", "bloquant", 1, 1),
            ("urgent_intervention", "majeur", 1, 0),
            ("anomaly_qualification", "", 1, 0),
        ]
        # March 2026 in weeks: 1 March (a Sunday), 2–8, 9–15, 16–22, 23–29, 30–31.
        assert [v.opened_by_bucket for v in rows] == [
            (0, 1, 0, 0, 0, 0), (0, 1, 0, 0, 0, 0), (0, 1, 0, 0, 0, 0)]
        assert rows[0].closed_by_bucket == (0, 1, 0, 0, 0, 0)

    def test_a_ticket_closed_twice_counts_once_in_the_period_and_once_per_bucket(self) -> None:
        with self.at(paris(3, 10, 9, 0)):
            self.t1.reopen(self.level1, "Revenu")
        with self.at(paris(3, 10, 10, 0)):
            self.t1.resolve(self.technician, "definitive")
        with self.at(paris(3, 10, 11, 0)):
            self.t1.close(self.level1)
        rows, _reopenings = figures.volumes_and_reopenings(self.scope())
        assert (rows[0].closed, rows[0].closed_by_bucket) == (1, (0, 1, 1, 0, 0, 0))

    def test_opened_counts_the_local_day_across_the_dst_change(self) -> None:
        with self.at(paris(3, 30, 0, 30)):  # Monday 30 March in Paris, Sunday 22:30 in UTC
            Ticket.open(self.contract, actor=self.requester, type="urgent_intervention",
                        title="Tôt")
        rows, _reopenings = figures.volumes_and_reopenings(self.scope())
        assert [sum(v.opened_by_bucket[i] for v in rows) for i in (4, 5)] == [0, 1]

    def test_backlog_at_the_end_of_the_period_across_the_dst_change(self) -> None:
        b = figures.backlog(self.scope())
        assert b.at == paris(4, 1, 0, 0)
        assert b.count == 2  # T3, T4
        # Real time, across the change to summer time (one hour shorter on 29 March):
        # T3 from 4 March 14:00 = 27 d 9 h; T4 from 27 February 17:00 = 32 d 6 h.
        assert b.mean_age_days == pytest.approx((27 + 9 / 24 + 32 + 6 / 24) / 2)
        # Business time: T3 4 h + 19 days of 10 h; T4 1 h + 22 days of 10 h.
        assert b.mean_age_business_seconds == (194 + 221) * 3600 / 2
        assert b.oldest_opened_at == paris(2, 27, 17, 0)
        # At the end of each week: T4 alone on 1 March; T2 joins on 3 March, T3 on 4 March,
        # T2 is resolved on 5 March, reopened and resolved again on 6 March.
        assert [(p.last_day.day, p.count) for p in b.series] == [
            (1, 1), (8, 2), (15, 2), (22, 2), (29, 2), (31, 2)]

    def test_backlog_of_the_running_period_is_taken_now(self) -> None:
        b = figures.backlog(self.scope(Period.parse("2026-Q2")))
        assert b.at == NOW
        assert b.count == 3  # T3, T4, T6

    def test_reopen_rate(self) -> None:
        _volumes, r = figures.volumes_and_reopenings(self.scope())
        assert (r.resolved, r.reopened, r.percent) == (2, 1, 50.0)

    def test_the_reopen_rate_counts_reopenings_of_the_period_only(self) -> None:
        with self.at(paris(4, 1, 12, 0)):  # T1, resolved in March, reopened in April
            self.t1.reopen(self.level1, "Revenu")
        _volumes, r = figures.volumes_and_reopenings(self.scope())
        assert (r.resolved, r.reopened) == (2, 1)

    def test_risk_is_counted_now_from_the_stored_instants(self) -> None:
        r = figures.risk(self.scope())
        # T6's take-in-charge passed its 8 h warning at 09:00 today; T4's is past due.
        assert (r.at_risk, r.overdue) == (1, 1)

    def test_forfait_in_the_period_and_in_the_contract_year(self) -> None:
        f = figures.forfait(self.scope())
        assert (f.minutes, f.year_first_day, f.year_minutes) == (90, date(2026, 1, 1), 150)
        assert f.year_last_day == date(2026, 12, 31)
        assert f.minutes_by_bucket == (0, 90, 0, 0, 0, 0)
        # The test convention has no forfait section: minutes only.
        assert (f.days, f.allowance_days, f.remaining_days, f.share_used, f.warn) == (
            None, None, None, None, False)

    def test_forfait_in_days_of_the_convention_with_its_warning(self) -> None:
        ConventionVersion.load(self.contract, AQUAREEL_CONVENTION + FORFAIT, "forfait.yaml")
        f = figures.forfait(self.scope())
        # 150 min in the year of 2 days of 60 min: 2.5 days, past the 80 % warning.
        assert (f.days, f.year_days, f.allowance_days) == (1.5, 2.5, 2.0)
        assert (f.remaining_days, f.share_used, f.warn_ratio, f.warn) == (-0.5, 1.25, 0.8, True)
        ConventionVersion.load(self.contract, AQUAREEL_CONVENTION + FORFAIT.replace(
            "days_per_year: 2", "days_per_year: 15"), "forfait.yaml")
        f = figures.forfait(self.scope())
        assert (f.share_used, f.warn) == (2.5 / 15, False)

    def test_the_contract_year_follows_the_start_date(self) -> None:
        self.contract.starts_on = date(2025, 3, 15)
        self.contract.save()
        f = figures.forfait(self.scope())
        assert (f.year_first_day, f.year_minutes) == (date(2026, 3, 15), 0)
        f = figures.forfait(self.scope(Period.parse("2026-02")))
        assert (f.year_first_day, f.year_minutes) == (date(2025, 3, 15), 60)

    def test_without_a_start_date_the_contract_year_ends_with_the_conventions_month(self) -> None:
        ConventionVersion.load(self.contract, AQUAREEL_CONVENTION.replace(
            "  lots: [tma]\n", "  lots: [tma]\n  year_end_month: 2\n"), "fevrier.yaml")
        f = figures.forfait(self.scope())
        assert (f.year_first_day, f.year_last_day, f.year_minutes) == (
            date(2026, 3, 1), date(2027, 2, 28), 90)
        # the platform's start date, when known, wins over the convention's month (D-50)
        self.contract.refresh_from_db()
        self.contract.starts_on = date(2025, 3, 15)
        self.contract.save()
        f = figures.forfait(self.scope())
        assert (f.year_first_day, f.year_minutes) == (date(2026, 3, 15), 0)

    def test_only_the_given_tickets_count(self) -> None:
        d = figures.dashboard(self.contract, MARCH, NOW,
                              tickets=Ticket.objects.filter(pk__in=[self.t1.pk, self.t3.pk]))
        assert [(v.type, v.opened, v.closed) for v in d.volumes] == [
            ("urgent_intervention", 1, 1), ("anomaly_qualification", 1, 0)]
        assert [(r.clock, r.stopped) for r in d.delay_compliance] == [
            ("prise_en_charge", 1), ("resolution", 1)]
        assert (d.qualification_delay.count, d.backlog.count) == (1, 1)  # T1; T3
        assert (d.reopen_rate.resolved, d.reopen_rate.reopened) == (1, 0)
        assert (d.risk.at_risk, d.risk.overdue) == (0, 0)
        assert (d.forfait.minutes, d.forfait.year_minutes) == (90, 90)

    def test_an_empty_period_gives_zeros_and_no_averages(self) -> None:
        d = figures.dashboard(self.contract, Period.parse("2025-06"), NOW,
                              tickets=Ticket.objects.all())
        assert d.delay_compliance == []
        assert d.volumes == []
        assert d.qualification_delay.mean_seconds is None
        assert (d.backlog.count, d.backlog.mean_age_days) == (0, None)
        assert d.reopen_rate.percent is None

    def test_the_whole_dashboard_costs_a_fixed_number_of_queries(self) -> None:
        with CaptureQueriesContext(connection) as queries:
            figures.dashboard(self.contract, MARCH, NOW, tickets=Ticket.objects.all())
        assert len(queries.captured_queries) == 10, [q["sql"] for q in queries.captured_queries]


class PeriodWordsTest(SimpleTestCase):
    def test_a_bad_period_is_explained_in_french(self) -> None:
        for text, words in [("2026-13", "n’est pas une période"), ("mars", "2026-Q1"),
                            ("2026-02-30..2026-03-01", "n’existe pas"),
                            ("2026-03-02..2026-03-01", "précède")]:
            with self.subTest(text=text), pytest.raises(PeriodError) as caught:
                Period.parse(text)
            assert words in periods.explain(caught.value)
            assert f"« {text} »" in periods.explain(caught.value)
