from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext

from jalon.dashboard import figures
from jalon.dashboard.periods import Period, PeriodError
from jalon.dashboard.tests.scenario import NOW, MarchScenario, paris

MARCH = Period.parse("2026-03")


class FiguresTest(MarchScenario):
    def scope(self, period: Period = MARCH) -> figures.Scope:
        return figures.scope(self.contract, period, NOW)

    def test_delay_compliance_by_clock_and_priority(self) -> None:
        rows = figures.delay_compliance(self.scope())
        assert [(r.clock, r.priority, r.stopped, r.on_time, r.late) for r in rows] == [
            ("prise_en_charge", "P1", 2, 1, 1),  # T1 on time, T2 late
            ("resolution", "P1", 2, 2, 0),  # T2 counted once, stopped after its reopening
        ]
        assert rows[0].label == "Début du diagnostic effectif"
        assert rows[0].on_time_percent == 50.0

    def test_qualification_delay_in_business_time(self) -> None:
        q = figures.qualification_delay(self.scope())
        # T1 30 min, T2 2 h, T4 1 h 30 (Friday 17–18 + Monday 08:00–08:30).
        assert (q.count, q.mean_seconds, q.median_seconds, q.max_seconds) == (
            3, 4800.0, 5400.0, 7200)
        assert q.calendar == "ho"

    def test_volumes_opened_and_closed_by_type_and_criticality(self) -> None:
        rows = figures.volumes(self.scope())
        assert [(v.type, v.criticality, v.opened, v.closed) for v in rows] == [
            ("urgent_intervention", "bloquant", 1, 1),
            ("urgent_intervention", "majeur", 1, 0),
            ("anomaly_qualification", "", 1, 0),
        ]

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

    def test_backlog_of_the_running_period_is_taken_now(self) -> None:
        b = figures.backlog(self.scope(Period.parse("2026-Q2")))
        assert b.at == NOW
        assert b.count == 3  # T3, T4, T6

    def test_reopen_rate(self) -> None:
        r = figures.reopen_rate(self.scope())
        assert (r.resolved, r.reopened, r.percent) == (2, 1, 50.0)

    def test_risk_is_counted_now_from_the_stored_instants(self) -> None:
        r = figures.risk(self.scope())
        # T6's take-in-charge passed its 8 h warning at 09:00 today; T4's is past due.
        assert (r.at_risk, r.overdue) == (1, 1)

    def test_forfait_in_the_period_and_in_the_contract_year(self) -> None:
        f = figures.forfait(self.scope())
        assert (f.minutes, f.year_first_day, f.year_minutes) == (90, date(2026, 1, 1), 150)

    def test_the_contract_year_follows_the_start_date(self) -> None:
        self.contract.starts_on = date(2025, 3, 15)
        self.contract.save()
        f = figures.forfait(self.scope())
        assert (f.year_first_day, f.year_minutes) == (date(2026, 3, 15), 0)
        f = figures.forfait(self.scope(Period.parse("2026-02")))
        assert (f.year_first_day, f.year_minutes) == (date(2025, 3, 15), 60)

    def test_an_empty_period_gives_zeros_and_no_averages(self) -> None:
        d = figures.dashboard(self.contract, Period.parse("2025-06"), NOW)
        assert d.delay_compliance == []
        assert d.volumes == []
        assert d.qualification_delay.mean_seconds is None
        assert (d.backlog.count, d.backlog.mean_age_days) == (0, None)
        assert d.reopen_rate.percent is None

    def test_the_whole_dashboard_costs_a_fixed_number_of_queries(self) -> None:
        with CaptureQueriesContext(connection) as queries:
            figures.dashboard(self.contract, MARCH, NOW)
        assert len(queries.captured_queries) == 10, [q["sql"] for q in queries.captured_queries]


class PeriodTest(SimpleTestCase):
    def test_it_reads_years_quarters_months_and_day_ranges(self) -> None:
        assert Period.parse("2026") == Period(date(2026, 1, 1), date(2026, 12, 31))
        assert Period.parse("2026-Q1") == Period(date(2026, 1, 1), date(2026, 3, 31))
        assert Period.parse("2026-02") == Period(date(2026, 2, 1), date(2026, 2, 28))
        assert Period.parse("2026-01-15..2026-02-14") == Period(date(2026, 1, 15),
                                                                date(2026, 2, 14))

    def test_it_names_itself_as_shortly_as_possible(self) -> None:
        for text in ("2026", "2026-Q4", "2026-12", "2026-01-15..2026-02-14"):
            assert str(Period.parse(text)) == text
        assert str(Period.parse("2026-04-01..2026-06-30")) == "2026-Q2"

    def test_its_bounds_are_local_midnights(self) -> None:
        start, end = Period.parse("2026-03").bounds("Europe/Paris")
        assert (start, end) == (paris(3, 1, 0), paris(4, 1, 0))
        # Summer time from 29 March: the month lasts one hour less than 31 days. (Python
        # subtracts wall clocks when both ends share a zone, hence the conversion to UTC.)
        assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(days=31, hours=-1)

    def test_it_explains_what_it_expects(self) -> None:
        for text, words in [("2026-13", "n’est pas une période"), ("mars", "2026-Q1"),
                            ("2026-02-30..2026-03-01", "n’existe pas"),
                            ("2026-03-02..2026-03-01", "précède")]:
            with self.subTest(text=text), pytest.raises(PeriodError, match=words):
                Period.parse(text)

    def test_the_quarter_of_a_day(self) -> None:
        assert str(Period.quarter_of(date(2026, 8, 15))) == "2026-Q3"
