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
    # requests arrive by several channels: a mail or a call is declared by level 1 for the
    # requester, an urgent request comes with its phone call
    channels = set(tickets.values_list("channel", flat=True))
    assert {"portal", "mail", "phone"} <= channels
    assert not tickets.filter(is_urgent=True).exclude(channel="phone").exists()
    behalf = tickets.filter(channel__in=["mail", "phone"], is_urgent=False)
    assert behalf.exists()
    assert all(t.events.get(kind="opened").actor.username == "niveau1" for t in behalf)
    assert not tickets.filter(requester__username="niveau1").exists()
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
