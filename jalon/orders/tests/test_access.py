"""The orders API and pages: the interface scripts use, and every role's limits."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from jalon.api.tests.base import ApiTestCase
from jalon.orders.loading import load_schedule
from jalon.orders.models import Order
from jalon.tickets.models import Ticket

SCHEDULE = Path(settings.BASE_DIR) / "schedules" / "aquareel.yaml"


class OrdersApiTest(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_schedule(SCHEDULE.read_text(), "aquareel.yaml")

    def create(self, user, lines=({"unit": "PON-J", "quantity": "2"},), **extra):
        return self.post("/contracts/aquareel/orders", user, {"title": "Paramétrage d’un flux",
                                                              "lines": list(lines), **extra})

    def test_the_interface_scripts_use(self) -> None:
        made = self.create(self.requester)
        assert made.status_code == 201, made.content
        number = made.json()["number"]
        listed = self.get("/contracts/aquareel/orders", self.buyer_manager).json()
        assert [o["number"] for o in listed] == [number]
        one = listed[0]
        assert one["status"] == "requested"
        assert one["clocks"] == []
        assert one["lines"] == [{"unit": "PON-J", "label": one["lines"][0]["label"], "quantity": "2.00",
                                 "unit_price": "720.00", "amount": "1440.00"}]
        path = f"/contracts/aquareel/orders/{number}/transitions"
        assert self.post(path, self.requester, {"action": "request_quote"}).json()["status"] == "quote_requested"
        quoted = self.post(path, self.technician, {"action": "quote", "execution_days": 4}).json()
        assert quoted["clocks"][0]["kind"] == "devis"
        assert quoted["clocks"][0]["stopped_at"]
        self.assert_error(self.post(path, self.technician, {"action": "sign", "commitment_number": "EJ-1"}), 403)
        signed = self.post(path, self.requester, {"action": "sign", "commitment_number": "EJ-1"}).json()
        assert signed["status"] == "signed"
        assert signed["execution_days"] == 4
        self.assert_error(self.post(path, self.technician, {"action": "deliver"}), 400, "file")
        upload = self.client.post(f"/api/v1/contracts/aquareel/orders/{number}/deliverables",
                                  {"file": SimpleUploadedFile("rapport.pdf", b"%PDF rapport")},
                                  headers={"Authorization": f"Bearer {self.tokens[self.technician.username]}"})
        assert upload.status_code == 201
        assert len(upload.json()["sha256"]) == 64
        assert self.post(path, self.technician, {"action": "deliver"}).json()["status"] == "delivered"
        refused = self.post(path, self.requester, {"action": "admit_with_refaction", "amount": "100"})
        self.assert_error(refused, 400, "reason")
        admitted = self.post(path, self.requester, {"action": "admit_with_refaction", "amount": "100",
                                                    "reason": "Retard"}).json()
        assert admitted["status"] == "admitted"
        assert admitted["refaction"] == "100.00"
        self.assert_error(self.post(path, self.requester, {"action": "reject", "reason": "x"}), 409)
        events = self.get(f"/contracts/aquareel/orders/{number}/events", self.auditor).json()
        assert [e["kind"] for e in events][-1] == "admitted"

    def test_roles_limits_and_outsiders(self) -> None:
        self.assert_error(self.create(self.auditor), 403)
        self.assert_error(self.create(self.technician), 403)
        self.assert_error(self.create(self.requester, lines=[{"unit": "COR-S", "quantity": 1}]), 403)
        self.assert_error(self.create(self.requester, lines=[{"unit": "ZZZ", "quantity": 1}]), 400, "lines")
        self.assert_error(self.get("/contracts/aquareel/orders", self.outsider), 404)
        number = self.create(self.requester).json()["number"]
        self.assert_error(self.get(f"/contracts/aquareel/orders/{number}", self.outsider), 404)
        self.assert_error(self.get(f"/contracts/aquareel/orders/{number}", self.other_requester), 404)
        assert self.get("/contracts/aquareel/orders", self.other_requester).json() == []
        self.assert_error(self.post(f"/contracts/aquareel/orders/{number}/transitions", self.auditor,
                                    {"action": "cancel", "reason": "non"}), 403)
        self.assert_error(self.post(f"/contracts/aquareel/orders/{number}/transitions", self.outsider,
                                    {"action": "cancel", "reason": "non"}), 404)

    def test_pages(self) -> None:
        ticket = Ticket.open(self.contract, actor=self.requester, type="urgent_intervention", title="Arrêt",
                             is_urgent=True)
        self.client.force_login(self.buyer_manager)
        page = self.client.get(f"/marches/aquareel/tickets/{ticket.pk}/commander/")
        assert page.status_code == 200
        made = self.client.post(f"/marches/aquareel/tickets/{ticket.pk}/commander/", {
            "title": "Correction après intervention urgente", "unit_1": "COR-M", "quantity_1": "1"})
        assert made.status_code == 302, made.content.decode()[-2000:]
        order = Order.objects.get()
        assert list(order.tickets.all()) == [ticket]
        assert list(ticket.orders.all()) == [order]
        detail = self.client.get(f"/marches/aquareel/commandes/{order.number}/").content.decode()
        assert "Signer le bon de commande" in detail
        assert "COR-M" in detail
        refused = self.client.post(f"/marches/aquareel/commandes/{order.number}/signer/",
                                   {"signer-commitment_number": ""})
        assert refused.status_code == 400
        done = self.client.post(f"/marches/aquareel/commandes/{order.number}/signer/",
                                {"signer-commitment_number": "EJ-9", "signer-execution_days": ""})
        assert done.status_code == 302
        order.refresh_from_db()
        assert order.state == "signed"
        assert order.execution_days == 10
        listing = self.client.get("/marches/aquareel/commandes/?state=signed").content.decode()
        assert order.reference in listing
        assert "Durée du marché" in listing
        assert self.client.get("/marches/aquareel/commandes/export.xlsx").status_code == 200
        exported = self.client.get("/marches/aquareel/commandes/export.csv")
        assert order.reference in b"".join(exported.streaming_content).decode()  # type: ignore[attr-defined]
        schedule = self.client.get("/marches/aquareel/commandes/bordereau/").content.decode()
        assert "COR-M" in schedule
        assert "Prix de démonstration" in schedule
        self.client.force_login(self.requester)  # the corrective order is the SCV's: no action for a requester
        assert self.client.get(f"/marches/aquareel/commandes/{order.number}/").status_code == 404
        self.client.force_login(self.auditor)
        seen = self.client.get(f"/marches/aquareel/commandes/{order.number}/").content.decode()
        assert "Aucune action ne vous est ouverte" in seen
        assert self.client.get("/marches/aquareel/commandes/nouveau/").status_code == 403
        self.client.force_login(self.outsider)
        for path in ("/marches/aquareel/commandes/", f"/marches/aquareel/commandes/{order.number}/",
                     "/marches/aquareel/commandes/nouveau/", "/marches/aquareel/commandes/bordereau/",
                     "/marches/aquareel/commandes/export.csv", f"/marches/aquareel/tickets/{ticket.pk}/commander/"):
            assert self.client.get(path).status_code == 404, path
        assert self.client.post(f"/marches/aquareel/commandes/{order.number}/livrer/").status_code == 404

    def test_the_api_lists_a_tickets_orders_as_the_caller_may_see_them(self) -> None:
        ticket = Ticket.open(self.contract, actor=self.requester, type="urgent_intervention", title="Arrêt",
                             is_urgent=True)
        order = Order.request(self.contract, actor=self.buyer_manager, title="Correction", lines=[("COR-S", 1)],
                              tickets=[ticket])
        Order.request(self.contract, actor=self.buyer_manager, title="Autre", lines=[("COR-S", 1)])
        path = f"/contracts/aquareel/orders?ticket={ticket.pk}"
        assert [o["number"] for o in self.get(path, self.buyer_manager).json()] == [order.number]
        assert self.get(path, self.buyer_manager).json()[0]["tickets"] == [ticket.pk]
        assert self.get(path, self.requester).json() == []  # the SCV's order, not the requester's service's
        self.assert_error(self.get(path, self.outsider), 404)

    def test_the_ticket_page_shows_its_orders(self) -> None:
        ticket = Ticket.open(self.contract, actor=self.requester, type="urgent_intervention", title="Arrêt",
                             is_urgent=True)
        order = Order.request(self.contract, actor=self.buyer_manager, title="Correction", lines=[("COR-S", 1)],
                              tickets=[ticket])
        self.client.force_login(self.buyer_manager)
        page = self.client.get(f"/tickets/{ticket.pk}/").content.decode()
        assert order.reference in page
        assert f"/marches/aquareel/tickets/{ticket.pk}/commander/" in page
        self.client.force_login(self.requester)  # sees the ticket, not the SCV's order
        page = self.client.get(f"/tickets/{ticket.pk}/").content.decode()
        assert order.reference not in page

    def test_the_buyer_manager_approves_a_revision_on_the_schedule_page(self) -> None:
        from datetime import date
        from decimal import Decimal

        from jalon.orders.models import PriceIndex, PriceRevision, PriceSchedule

        index = PriceIndex.objects.create(code="I", label="I")
        index.values.create(published_on=date(2025, 1, 1), value=Decimal("100"))
        index.values.create(published_on=date(2026, 1, 1), value=Decimal("110"))
        base = PriceSchedule.objects.get(contract=self.contract)
        revision = PriceRevision.compute(base, index, a=Decimal("0.2"), b=Decimal("0.8"), base_day=date(2025, 6, 1),
                                         new_day=date(2026, 6, 1), effective_from=date(2027, 1, 1))
        path = f"/marches/aquareel/commandes/bordereau/revisions/{revision.pk}/approuver/"
        self.client.force_login(self.holder_manager)
        assert "Approuver la révision" not in self.client.get("/marches/aquareel/commandes/bordereau/").content.decode()
        assert self.client.post(path).status_code == 403
        self.client.force_login(self.outsider)
        assert self.client.post(path).status_code == 404
        self.client.force_login(self.buyer_manager)
        assert "Approuver la révision" in self.client.get("/marches/aquareel/commandes/bordereau/").content.decode()
        assert self.client.post(path).status_code == 302
        revision.refresh_from_db()
        assert revision.result is not None
        assert revision.result.units.get(code="AUD").unit_price == Decimal("4536.00")  # 4200 × 1.08


class OrderTodoTest(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_schedule(SCHEDULE.read_text(), "aquareel.yaml")

    def items(self, user) -> dict[str, tuple[int, str]]:
        self.client.force_login(user)
        response = self.client.get("/")
        found = {d.todo.key: (d.count, d.url) for _c, sections in response.context["todos"]
                 for s in sections for d in s.items}
        return {k: v for k, v in found.items() if k.startswith("orders-")}

    def test_each_side_sees_what_waits_on_it_and_its_link_lists_exactly_that(self) -> None:
        asked = Order.request(self.contract, actor=self.requester, title="Flux", lines=[("PON-J", 2)])
        asked.request_quote(self.requester)
        big = Order.request(self.contract, actor=self.buyer_manager, title="Lot", lines=[("COR-C", 16)])
        big.sign(self.buyer_manager, commitment_number="EJ-1")  # 89 600 of 100 000: past 80 %
        holder = self.items(self.technician)
        assert holder["orders-to-quote"][0] == 1
        assert holder["orders-to-deliver"][0] == 1
        assert "orders-to-sign" not in holder
        listing = self.client.get(holder["orders-to-quote"][1]).content.decode()
        assert asked.reference in listing
        assert big.reference not in listing
        assert self.items(self.buyer_manager)["orders-ceiling"][0] == 1
        assert "orders-ceiling" not in self.items(self.requester)
        asked.deliver_quote(self.technician, execution_days=5)
        assert self.items(self.requester)["orders-to-sign"][0] == 1
        assert self.items(self.other_requester)["orders-to-sign"][0] == 0  # another service's order
        assert self.items(self.outsider) == {}  # their contract has no price schedule, ours is not theirs
