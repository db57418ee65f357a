from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jalon.accounts.models import Membership, Role
from jalon.demo.data import load_demo
from jalon.tickets.models import Clock, Ticket, TicketEvent

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.mark.django_db
def test_the_demo_replays_a_quarter_of_tickets_through_the_domain(client):
    report = load_demo(NOW, count=30)
    contract = report.contract
    assert report.tickets == 30
    assert set(Membership.objects.filter(contract=contract).values_list("role", flat=True)) == set(Role.values)
    tickets = Ticket.objects.filter(contract=contract)
    assert tickets.count() == 30
    # every history happened in the past quarter, in the order the domain allows
    first = TicketEvent.objects.filter(ticket__contract=contract).order_by("at").first()
    assert first is not None
    assert (NOW - first.at).days <= 92
    assert not TicketEvent.objects.filter(ticket__contract=contract, at__gt=NOW).exists()
    assert tickets.filter(state="closed").exists()
    assert Clock.objects.filter(ticket__contract=contract).exists()
    # each printed login works
    assert client.login(username="niveau1", password=report.passwords["niveau1"])
    assert client.get(f"/marches/{contract.slug}/tickets/").status_code == 200


@pytest.mark.django_db
def test_running_the_demo_again_keeps_the_history_and_renews_passwords():
    first = load_demo(NOW, count=5)
    second = load_demo(NOW, count=5)
    assert second.tickets == 5
    assert Ticket.objects.count() == 5
    assert first.passwords["acheteur"] != second.passwords["acheteur"]
