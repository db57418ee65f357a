"""The dashboard's figures are cached: a past period's for good, the current one's briefly, never
the live risk counts, and never shared between readers who see different tickets."""

from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from jalon.conventions.period import Period
from jalon.dashboard import figures
from jalon.dashboard.tests.scenario import NOW, MarchScenario
from jalon.tickets.models import Ticket

MARCH = Period.parse("2026-03")
APRIL = Period.parse("2026-04")
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                      "LOCATION": "jalon-dashboard-tests"}}


@override_settings(CACHES=LOCMEM)
class DashboardCacheTest(MarchScenario):
    def setUp(self) -> None:
        cache.clear()

    def dashboard(self, user: User, period: Period = MARCH, now: datetime = NOW) -> figures.Dashboard:
        return figures.dashboard(self.contract, period, now,
                                 tickets=Ticket.objects.visible_to(user, self.contract))

    def test_a_cached_dashboard_is_served_with_live_risk_counts(self) -> None:
        first = self.dashboard(self.level1)
        with CaptureQueriesContext(connection) as queries:
            again = self.dashboard(self.level1)
        # the scope (convention), the records' stamp and the risk counts only
        assert len(queries.captured_queries) == 3, [q["sql"] for q in queries.captured_queries]
        assert again == first
        with mock.patch.object(figures, "risk", wraps=figures.risk) as risk:
            self.dashboard(self.level1)
        risk.assert_called_once()

    def test_past_periods_are_kept_for_good_the_current_one_for_a_while(self) -> None:
        with mock.patch.object(figures.cache, "set") as set_:
            self.dashboard(self.level1, MARCH)
            self.dashboard(self.level1, APRIL)
        assert [c.args[2] for c in set_.call_args_list] == [None, figures.STALE_SECONDS]

    def test_the_current_period_is_computed_again_after_a_minute(self) -> None:
        later = NOW + timedelta(seconds=figures.CURRENT_PERIOD_SECONDS + 1)
        with mock.patch.object(figures, "_figures", wraps=figures._figures) as compute:
            self.dashboard(self.level1, APRIL)
            self.dashboard(self.level1, APRIL, NOW + timedelta(seconds=30))
            assert compute.call_count == 1
            self.dashboard(self.level1, APRIL, later)
            assert compute.call_count == 2
        assert cache.get(self.key(self.level1, APRIL) + ":computing") is None  # released

    def test_while_one_reader_computes_the_others_read_the_previous_figures(self) -> None:
        first = self.dashboard(self.level1, APRIL)
        later = NOW + timedelta(seconds=figures.CURRENT_PERIOD_SECONDS + 1)
        lock = self.key(self.level1, APRIL) + ":computing"
        assert cache.add(lock, True, 60)  # another process is computing
        with mock.patch.object(figures, "_figures") as compute:
            stale = self.dashboard(self.level1, APRIL, later)
        compute.assert_not_called()
        assert (stale.volumes, stale.backlog) == (first.volumes, first.backlog)
        assert stale.risk.at == later  # the risk counts are live all the same

    def test_with_nothing_cached_a_reader_waits_for_the_one_computing(self) -> None:
        lock = self.key(self.level1, APRIL) + ":computing"
        assert cache.add(lock, True, 60)
        with mock.patch.object(figures, "WAIT_SECONDS", 0.1), \
                mock.patch.object(figures.pytime, "sleep") as sleep:
            self.dashboard(self.level1, APRIL)  # the other never finishes: computed after the wait
        assert sleep.call_count == 2
        assert cache.get(lock) is True  # still the other's: not released by a reader that waited

    def test_readers_seeing_other_tickets_do_not_share_figures(self) -> None:
        scoped = Ticket.objects.visible_to(self.other_requester, self.contract)
        assert scoped.count() < Ticket.objects.visible_to(self.level1, self.contract).count()
        everything = self.dashboard(self.level1)
        mine = self.dashboard(self.other_requester)
        cache.clear()
        assert self.dashboard(self.other_requester) == mine
        assert mine.volumes != everything.volumes
        # the holder sees the same tickets as the level 1 agent: the same figures, shared
        assert self.key(self.holder_manager) == self.key(self.level1) != self.key(self.other_requester)

    def test_other_contracts_and_periods_have_their_own_figures(self) -> None:
        tickets = Ticket.objects.visible_to(self.level1, self.contract)
        march = figures.cache_key(figures.scope(self.contract, MARCH, NOW, tickets))
        april = figures.cache_key(figures.scope(self.contract, APRIL, NOW, tickets))
        other = figures.cache_key(figures.scope(self.other_contract, MARCH, NOW, tickets))
        assert len({march, april, other}) == 3

    def key(self, user: User, period: Period = MARCH) -> str:
        return figures.cache_key(figures.scope(self.contract, period, NOW,
                                               Ticket.objects.visible_to(user, self.contract)))

    def test_after_a_change_the_cached_figures_of_a_past_period_equal_a_recomputation(self) -> None:
        """A ticket reopened after the period, time logged on one of its days: the figures shown
        are those computed again from nothing, never the ones cached before the change."""
        self.dashboard(self.level1, MARCH)
        with self.at(NOW + timedelta(hours=1)):
            self.t1.reopen(self.level1, "Revient")
            self.t1.start_work(self.technician)
            self.t1.log_time(self.technician, minutes=60, spent_on=MARCH.last_day)
        later = NOW + timedelta(hours=2)
        shown = self.dashboard(self.level1, MARCH, later)
        cache.clear()
        recomputed = self.dashboard(self.level1, MARCH, later)
        assert shown == recomputed
        assert shown.forfait.minutes == recomputed.forfait.minutes
        with mock.patch.object(figures, "_figures", wraps=figures._figures) as compute:
            self.dashboard(self.level1, MARCH, later)  # nothing changed since: from the cache
        compute.assert_not_called()
