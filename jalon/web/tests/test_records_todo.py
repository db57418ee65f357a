"""The home page's items of orders, deliverables, minutes, actions and scorecards
(jalon/web/records_todo.py): each role sees what waits on it, and each count is the number of
records the linked list shows. Checked on the AQUAREEL demo, where every area has records in
every state."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jalon.demo.data import load_demo
from jalon.orders.models import Order
from jalon.orders.workflow import OrderState
from jalon.web import todo

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))
RECORD_ITEMS = {"orders-to-quote", "orders-to-deliver", "orders-to-sign", "orders-to-accept",
                "orders-service-done", "deliverables-to-validate", "deliverables-to-resubmit",
                "reservations-to-lift", "minutes-to-validate", "minutes-to-send", "minutes-with-remarks",
                "actions-late", "scorecards-to-validate", "measures-to-review", "scorecards-contested"}


def listed(response) -> int:
    """How many records the list page shows, whatever the area."""
    context = response.context
    if "count" in context and "orders" in context:
        return context["count"]
    if "upcoming" in context:  # the meetings
        return len(context["upcoming"]) + len(context["past"])
    if "actions" in context:
        return len(context["actions"])
    return len(context["rows"])  # the deliverables' register


@pytest.fixture
def demo(db):
    with time_machine.travel(NOW, tick=False):
        return load_demo(NOW, count=12, slugs=("aquareel",))


def home_items(client, login: str, password: str) -> dict[str, tuple[int, str]]:
    assert client.login(username=login, password=password)
    response = client.get("/")
    assert response.status_code == 200
    found = {}
    for _contract, sections in response.context["todos"]:
        for section in sections:
            for due in section.items:
                found[due.todo.key] = (due.count, due.url)
    return found


def test_every_record_item_is_registered():
    assert {item.key for item in todo.registered()} >= RECORD_ITEMS


def test_each_count_is_what_its_list_shows(client, demo):
    seen = set()
    with time_machine.travel(NOW, tick=False):
        for login, password in demo.passwords.items():
            items = home_items(client, login, password)
            for key, (count, url) in items.items():
                if key not in RECORD_ITEMS:
                    continue
                seen.add(key)
                response = client.get(url)
                assert response.status_code == 200, (login, key, url)
                if "/bilans/" in url and url.rstrip("/").split("/")[-1] != "bilans":
                    assert count == 1, (login, key)  # the one period concerned
                elif "/bilans/" not in url:
                    assert listed(response) == count, (login, key, url)
            client.logout()
    # the demo's orders, minutes and deliverables reach the buyer's and the holder's homes
    assert {"orders-to-accept", "minutes-to-validate", "deliverables-to-validate"} <= seen


def test_the_buyer_validates_and_the_holder_delivers(client, demo):
    with time_machine.travel(NOW, tick=False):
        buyer = home_items(client, "acheteur", demo.passwords["acheteur"])
        client.logout()
        holder = home_items(client, "chefdeprojet", demo.passwords["chefdeprojet"])
    delivered = Order.objects.filter(contract=demo.contract, state=OrderState.DELIVERED).count()
    assert buyer["orders-to-accept"][0] == delivered > 0
    assert "orders-to-accept" not in holder  # the holder delivers, the buyer admits
    assert "orders-to-deliver" in holder
    assert "orders-to-deliver" not in buyer
    assert "minutes-to-validate" in buyer
    assert "minutes-to-validate" not in holder
    assert "scorecards-contested" not in buyer


def test_areas_a_contract_does_not_use_show_nothing(client, demo):
    """A contract with no price schedule, no committee and no convention: none of these items,
    rather than a row of zeros."""
    from django.contrib.auth.models import User

    from jalon.accounts.models import Membership, Role
    from jalon.contracts.models import Contract

    bare = Contract.objects.create(reference="NU-2026", name="Marché nu", slug="nu",
                                   buyer=demo.contract.buyer, holder=demo.contract.holder)
    for login, role in (("acheteur", Role.BUYER_MANAGER), ("chefdeprojet", Role.HOLDER_MANAGER)):
        Membership.objects.create(user=User.objects.get(username=login), contract=bare, role=role)
        with time_machine.travel(NOW, tick=False):
            assert client.login(username=login, password=demo.passwords[login])
            response = client.get("/")
        [shown] = [sections for contract, sections in response.context["todos"] if contract == bare]
        keys = {due.todo.key for section in shown for due in section.items}
        assert not keys & RECORD_ITEMS
        assert all(due.count == 0 for section in shown for due in section.items)
