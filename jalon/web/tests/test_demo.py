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
    report = load_demo(NOW, count=30, slugs=("aquareel",))
    contract = report.contract
    assert contract is not None
    assert contract.slug == "aquareel"
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
    first = load_demo(NOW, count=5, slugs=("aquareel",))
    second = load_demo(NOW, count=5, slugs=("aquareel",))
    assert second.tickets == 5
    assert Ticket.objects.count() == 5
    assert first.passwords["acheteur"] != second.passwords["acheteur"]


@pytest.mark.django_db
def test_the_demo_loads_three_contracts_with_what_their_conventions_select_on(monkeypatch):
    from jalon.conventions import Period, evaluate
    from jalon.demo import data
    from jalon.messaging.models import OutboxMessage
    from jalon.tickets.export import tickets_to_ticketset

    seen: list[tuple[str, int]] = []
    monkeypatch.setattr(data, "LOADERS", [lambda contract, people, now, rng: seen.append(
        (contract.slug, len(people)))])
    report = load_demo(NOW, count=40)
    assert list(report.contracts) == ["aquareel", "lade", "cd13"]
    assert report.tickets == 120
    # the pluggable loaders run once per contract, with its people (printed logins and its own)
    assert [slug for slug, _ in seen] == ["aquareel", "lade", "cd13"]
    assert dict(seen)["lade"] > dict(seen)["aquareel"]
    # one login per role, the buyer manager on all three
    for contract in report.contracts.values():
        assert Membership.objects.filter(contract=contract, user__username="acheteur",
                                         role=Role.BUYER_MANAGER).exists()
    lade = Ticket.objects.filter(contract=report.contracts["lade"])
    sites = {site.id for site in report.contracts["lade"].current_convention().parsed().sites}
    assert set(lade.values_list("site", flat=True)) <= sites
    assert {"P1", "P2", "P3"} >= set(lade.values_list("priority", flat=True)) >= {"P2", "P3"}
    groups = set(lade.exclude(assigned_group="").values_list("assigned_group", flat=True))
    assert any(g.startswith("N1_TMS_SD") for g in groups)
    assert any(g.startswith("N2_TME") for g in groups)
    assert set(lade.exclude(lot="").values_list("lot", flat=True)) <= {"TME", "TMS"}
    cd13 = Ticket.objects.filter(contract=report.contracts["cd13"])
    assert set(cd13.values_list("site", flat=True)) <= {"HD13", "ARENC"}
    assert set(cd13.values_list("priority", flat=True)) <= {"P1", "P2", "P3", "P4"}
    # the LADE convention scores the demo quarter through its jalon profile: the TMS family has
    # tickets behind its indicators
    version = report.contracts["lade"].current_convention()
    card = evaluate(version.parsed(), tickets_to_ticketset(lade), [], Period.parse("2026-09-01..2026-11-20"),
                    profile="jalon")
    tms = next(f for f in card.families if f.id == "tms")
    assert sum(i.evidence for i in tms.indicators) > 0
    # the replayed notices are in the outbox for each person to read, none waits to be sent
    assert OutboxMessage.objects.exists()
    assert not OutboxMessage.objects.filter(next_attempt_at__isnull=False).exists()
    assert not OutboxMessage.objects.filter(sent_at__isnull=False).exists()
