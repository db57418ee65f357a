from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from jalon.forfait.tests.base import ForfaitTestCase
from jalon.lib.clock import replaying

BASE = "/api/v1/contracts/aquareel/forfait"


class ForfaitApiTest(ForfaitTestCase):
    def setUp(self) -> None:
        self.entry = self.log(600, date(2026, 4, 2))
        self.log(360, date(2026, 4, 9))

    def get(self, user: Any, url: str) -> Any:
        self.client.force_login(user)
        return self.client.get(url)

    def post(self, user: Any, url: str, body: dict[str, Any] | None = None) -> Any:
        self.client.force_login(user)
        return self.client.post(url, body or {}, content_type="application/json")

    def test_the_year_s_consumption(self) -> None:
        data = self.get(self.buyer_manager, f"{BASE}?day=2026-05-10").json()
        assert data["year"] == "2026-03-01..2027-02-28"
        assert (data["allowance_days"], data["consumed_days"], data["remaining_days"]) == (2.0, 1.6, 0.4)
        assert data["thresholds_crossed"] == [0.8]
        assert data["chargeable_types"] == ["urgent_intervention", "anomaly_qualification"]
        assert self.get(self.buyer_manager, f"{BASE}?day=2027-05-10").json()["consumed_days"] == 0
        assert self.get(self.buyer_manager, f"{BASE}?day=2026-13-01").status_code == 400

    def test_entries_and_corrections(self) -> None:
        rows = self.get(self.auditor, f"{BASE}/entries?day=2026-04-01").json()
        assert [(r["minutes"], r["running"], r["remaining_days"]) for r in rows] == [(600, 1.0, 1.0), (360, 1.6, 0.4)]
        url = f"{BASE}/entries/{self.entry.pk}/corrections"
        body = {"minutes": 300, "spent_on": "2026-04-02", "reason": "Doublon"}
        assert self.post(self.auditor, url, body).status_code == 403
        assert self.post(self.buyer_manager, url, body).status_code == 403
        made = self.post(self.technician, url, body)
        assert made.status_code == 201, made.json()
        assert [(r["kind"], r["minutes"], r["corrects"]) for r in made.json()] == [
            ("reversal", -600, self.entry.pk), ("replacement", 300, self.entry.pk)]
        again = self.post(self.technician, url, body)
        assert again.status_code == 400
        assert again.json()["field"] == "entry"
        assert self.post(self.technician, url, {**body, "reason": ""}).status_code == 400

    def test_statements_and_acknowledgement(self) -> None:
        got = self.get(self.holder_manager, f"{BASE}/statements/2026-04").json()
        assert not got["acknowledged"]
        assert len(got["content"]["lines"]) == 2
        url = f"{BASE}/statements/2026-04/acknowledgement"
        assert self.post(self.holder_manager, url).status_code == 403
        with replaying(datetime(2026, 5, 3, 9, tzinfo=UTC)):
            done = self.post(self.buyer_manager, url)
            assert done.status_code == 201
            assert done.json()["acknowledged_by"] == "sophie.scv"
            assert self.post(self.buyer_manager, url).status_code == 400
        assert self.get(self.auditor, f"{BASE}/statements/2026-04").json()["sha256"] == done.json()["sha256"]

    def test_outsider_404_and_requester_403(self) -> None:
        urls = [BASE, f"{BASE}/entries", f"{BASE}/statements/2026-04"]
        for url in urls:
            assert self.get(self.outsider, url).status_code == 404, url
            assert self.get(self.requester, url).status_code == 403, url
        assert self.post(self.outsider, f"{BASE}/statements/2026-04/acknowledgement").status_code == 404
        assert self.post(self.outsider, f"{BASE}/entries/{self.entry.pk}/corrections",
                         {"minutes": 1, "spent_on": "2026-04-02", "reason": "x"}).status_code == 404
