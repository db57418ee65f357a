from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jalon.demo import forfait as demo_forfait
from jalon.demo.data import load_demo
from jalon.forfait import ledger
from jalon.forfait.models import Alert
from jalon.tickets.models import TicketEvent, TimeEntry

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.mark.django_db
def test_the_demo_forfait_is_just_below_its_warning_threshold() -> None:
    report = load_demo(NOW, count=30)
    contract = report.contract
    assert contract is not None
    book = ledger.year_of(contract, NOW.date())
    assert book.terms is not None
    assert 0.75 <= (book.share_used or 0) < book.terms.warn_ratio
    assert not Alert.objects.exists()  # near, not over
    assert TimeEntry.objects.filter(ticket__contract=contract, kind=TimeEntry.Kind.REVERSAL).count() == 1
    assert all(line.entry.ticket.type in (book.terms.chargeable_types or ()) for line in book.lines)
    assert not TicketEvent.objects.filter(ticket__contract=contract, at__gt=NOW).exists()
    # a second pass adds nothing: the year is already there
    from django.contrib.auth.models import User

    people = {u.username: u for u in User.objects.filter(username__in=["technicien", "chefdeprojet"])}
    assert len(people) == 2
    assert demo_forfait.near_threshold(contract, people, NOW) == 0
