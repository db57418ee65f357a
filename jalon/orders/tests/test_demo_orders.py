from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jalon.demo.data import load_demo
from jalon.orders.models import Order, OrderClock, OrderEvent, PriceRevision
from jalon.orders.workflow import OrderState

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.mark.django_db
def test_the_demo_has_orders_in_every_state(client):
    report = load_demo(NOW, count=20)
    contract = report.contract
    orders = Order.objects.filter(contract=contract)
    assert set(orders.values_list("state", flat=True)) == set(OrderState.values)
    assert not OrderEvent.objects.filter(order__contract=contract, at__gt=NOW).exists()
    assert OrderClock.objects.filter(order__contract=contract, breached=True).exists()
    assert orders.filter(template__isnull=False).count() >= 3  # one a month
    assert orders.filter(tickets__isnull=False).exists()
    assert PriceRevision.objects.filter(base__contract=contract, status="proposed").exists()
    assert load_demo(NOW, count=20).contract == contract
    assert Order.objects.filter(contract=contract).count() == orders.count()
    assert client.login(username="acheteur", password=load_demo(NOW, count=20).passwords["acheteur"])
    for path in ("commandes/", "commandes/bordereau/", f"commandes/{orders.first().number}/"):
        assert client.get(f"/marches/{contract.slug}/{path}").status_code == 200
    for other in ("lade", "cd13"):  # every demo contract, on its own work units
        theirs = Order.objects.filter(contract__slug=other)
        assert set(theirs.values_list("state", flat=True)) == set(OrderState.values), other
        assert theirs.filter(refaction__isnull=False).exists()
        assert not OrderEvent.objects.filter(order__contract__slug=other, at__gt=NOW).exists()
    assert Order.objects.filter(contract__slug="lade", template__isnull=False).count() >= 3
