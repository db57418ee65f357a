from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jalon.api.models import ApiToken
from jalon.api.tests.base import at
from jalon.dashboard.tests.scenario import NOW, MarchScenario


class DashboardEndpointTest(MarchScenario):
    token: str

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.token = ApiToken.issue(cls.level1, "tableau de bord")[1]

    def dashboard(self, query: str = "?period=2026-03") -> dict:
        with at(NOW):
            response = self.client.get(f"/api/v1/contracts/aquareel/dashboard{query}",
                                       headers={"Authorization": f"Bearer {self.token}"})
        assert response.status_code == 200, response.content
        return response.json()

    def test_it_gives_the_figures_of_the_period(self) -> None:
        body = self.dashboard()
        assert (body["period"], body["first_day"], body["last_day"]) == (
            "2026-03", "2026-03-01", "2026-03-31")
        assert [(r["clock"], r["priority"], r["stopped"], r["on_time"], r["on_time_percent"])
                for r in body["delay_compliance"]] == [
            ("prise_en_charge", "P1", 2, 1, 50.0), ("resolution", "P1", 2, 2, 100.0)]
        assert body["qualification_delay"]["mean_seconds"] == 4800.0
        assert [v["opened"] for v in body["volumes"]] == [1, 1, 1]
        assert body["backlog"]["count"] == 2
        assert body["reopen_rate"] == {"resolved": 2, "reopened": 1, "percent": 50.0}
        assert (body["risk"]["at_risk"], body["risk"]["overdue"]) == (1, 1)
        assert body["forfait"] == {
            "minutes": 90, "year_first_day": "2026-01-01", "year_last_day": "2026-12-31",
            "year_minutes": 150, "days": None, "year_days": None, "allowance_days": None,
            "remaining_days": None, "share_used": None, "warn_ratio": None, "warn": False}
        assert [(r["mean_elapsed_seconds"], r["target_seconds"])
                for r in body["delay_compliance"]] == [(25200.0, 36000), (19800.0, 36000)]

    def test_the_period_is_the_running_quarter_by_default(self) -> None:
        assert self.dashboard("")["period"] == "2026-Q2"
        assert self.dashboard("?period=2026-03-01..2026-03-02")["volumes"] == [
            {"type": "urgent_intervention", "criticality": "bloquant", "opened": 1, "closed": 0}]

    def test_it_costs_a_fixed_number_of_queries(self) -> None:
        self.dashboard()  # the token's last use is now noted
        cache.clear()  # the figures' cost, not the cache's
        with CaptureQueriesContext(connection) as queries:
            self.dashboard()
        # token, the caller's contracts with their roles, then the figures' 10 queries (with the records' stamp)
        assert len(queries.captured_queries) == 12, [q["sql"] for q in queries.captured_queries]
