from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jalon.deliverables.models import Deliverable, Reservation
from jalon.deliverables.workflow import DeliverableState as S
from jalon.demo.data import load_demo

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.mark.django_db
def test_the_demo_lives_its_deliverables_through_the_domain() -> None:
    report = load_demo(NOW, count=3)
    rows = Deliverable.objects.filter(contract=report.contract)
    states = set(rows.values_list("state", flat=True))
    assert {S.EXPECTED, S.ACCEPTED, S.RESERVED, S.TACIT} <= states, states
    assert Reservation.objects.filter(deliverable__contract=report.contract, lifted_at__isnull=True).count() == 1
    assert rows.filter(history__kind="rejected").exists()
    assert all(s.sha256 for d in rows for s in d.submissions.all())
    again = load_demo(NOW, count=3)  # a second run adds nothing
    assert Deliverable.objects.filter(contract=again.contract).count() == rows.count()
