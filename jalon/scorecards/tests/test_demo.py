"""The demo gives every contract a validated past quarter and a current one in progress."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jalon.demo.data import load_demo
from jalon.scorecards import archive
from jalon.scorecards.models import ManualMeasure, PeriodScorecard, ScorecardEvent

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.mark.django_db
def test_the_demo_validates_the_last_quarter_and_leaves_the_current_one_in_progress(client):
    report = load_demo(NOW, count=30)
    contract = report.contract
    q3 = PeriodScorecard.objects.get(contract=contract, period="2026-Q3")
    assert q3.status == "validated"
    assert q3.archive is not None
    assert archive.verify(bytes(q3.archive)) is None
    assert list(ScorecardEvent.objects.filter(scorecard=q3).values_list("kind", flat=True)) == [
        "proposed", "reviewed", "answered", "proposed", "reviewed", "validated"]
    assert not PeriodScorecard.objects.filter(contract=contract, period="2026-Q4").exists()  # a live draft
    # V6 (yearly: Q4); A9 and V7 are computed from the deliverables and the meetings
    assert ManualMeasure.objects.filter(contract=contract, period="2026-Q4").count() == 1
    assert ManualMeasure.objects.filter(contract=contract, period="2026-Q4", status="contested").count() == 1
    # the buyer reads both on the pages, the API lists them
    assert client.login(username="acheteur", password=report.passwords["acheteur"])
    page = client.get(f"/marches/{contract.slug}/bilans/2026-Q3/")
    assert page.status_code == 200
    assert "Validé" in page.content.decode()
    assert client.get(f"/marches/{contract.slug}/bilans/2026-Q4/").status_code == 200
    listed = client.get(f"/api/v1/contracts/{contract.slug}/scorecards").json()
    statuses = {p["period"]: p["status"] for p in listed}
    assert statuses["2026-Q3"] == "validated"
    assert statuses["2026-Q4"] == "draft"
    load_demo(NOW, count=30)  # again: nothing doubled
    assert PeriodScorecard.objects.filter(contract=contract, status="validated").count() == 1
    assert ManualMeasure.objects.filter(contract=contract, period="2026-Q4").count() == 1
