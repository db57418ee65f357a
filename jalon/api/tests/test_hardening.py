"""What an attacker or a careless client tried (issue 15), answered with a located 400."""

from __future__ import annotations

from typing import Any

from jalon.api.tests.base import ApiTestCase, at, paris
from jalon.tickets.models import Ticket


class InstantsTest(ApiTestCase):
    """Every instant is range-checked by the one validator (jalon.contracts.instants), before
    anything is written."""

    def setUp(self) -> None:
        with at(paris(2026, 5, 7, 10, 0)):
            self.ticket = Ticket.open(self.contract, actor=self.requester,
                                      type="urgent_intervention", title="Concentrateur arrêté")
        self.path = f"/tickets/{self.ticket.pk}/transitions"

    def test_a_year_one_phone_call_is_refused_and_nothing_written(self) -> None:
        for stamp in ("0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00Z", "1999-12-31T21:00:00Z",
                      "2026-05-08T09:00:00+02:00"):
            with self.subTest(stamp=stamp), at(paris(2026, 5, 7, 15, 0)):
                response = self.post("/tickets", self.requester, {
                    "contract": "aquareel", "type": "urgent_intervention", "title": "Panne",
                    "is_urgent": True, "phone_call_at": stamp})
                self.assert_error(response, 400, "phone_call_at")
                response = self.post(self.path, self.requester, {"action": "phone_call",
                                                                 "called_at": stamp})
                self.assert_error(response, 400, "called_at")
        assert Ticket.objects.count() == 1
        assert list(self.ticket.events.values_list("kind", flat=True)) == ["opened"]
        with at(paris(2026, 5, 7, 15, 0)):
            assert self.get("/tickets?contract=aquareel", self.level1).status_code == 200

    def test_an_offset_beyond_15_59_is_refused(self) -> None:
        with at(paris(2026, 5, 7, 15, 0)):
            response = self.post(self.path, self.requester, {
                "action": "phone_call", "called_at": "2026-05-07T09:00:00+18:00"})
            assert "15:59" in self.assert_error(response, 400, "called_at")
            response = self.get("/tickets?contract=aquareel&opened_after=2026-05-07T09:00:00%2B18:00",
                                self.level1)
            self.assert_error(response, 400, "opened_after")
            response = self.get("/tickets?contract=aquareel&opened_after=0001-01-01T00:00:00%2B01:00",
                                self.level1)
            self.assert_error(response, 400, "opened_after")

    def test_time_spent_in_the_future_or_before_the_contract_is_refused(self) -> None:
        self.contract.starts_on = paris(2026, 1, 1).date()
        self.contract.save(update_fields=["starts_on"])
        for day in ("2026-05-09", "2025-12-31", "0001-01-01"):
            with self.subTest(day=day), at(paris(2026, 5, 7, 15, 0)):
                response = self.post(self.path, self.technician, {
                    "action": "log_time", "minutes": 30, "spent_on": day})
                self.assert_error(response, 400, "spent_on")
        assert not self.ticket.time_entries.exists()
        with at(paris(2026, 5, 7, 15, 0)):
            response = self.post(self.path, self.technician, {
                "action": "log_time", "minutes": 30, "spent_on": "2026-05-07"})
        assert response.status_code == 200, response.content


class BadCharactersTest(ApiTestCase):
    """NUL and control characters: a located 400 or a cleaned text, never a 500."""

    def setUp(self) -> None:
        self.ticket = Ticket.open(self.contract, actor=self.requester,
                                  type="urgent_intervention", title="Concentrateur arrêté")

    def test_nul_in_a_text_field_or_query_parameter_is_a_located_400(self) -> None:
        response = self.post("/tickets", self.requester, {
            "contract": "aquareel", "type": "urgent_intervention", "title": "Pan\x00ne"})
        self.assert_error(response, 400, "title")
        response = self.post(f"/tickets/{self.ticket.pk}/comments", self.requester,
                             {"body": "a\x00b"})
        self.assert_error(response, 400, "body")
        self.assert_error(self.get("/tickets?contract=aquareel&q=x%00y", self.level1), 400, "q")
        assert Ticket.objects.count() == 1
        assert not self.ticket.comments.exists()

    def test_control_characters_are_taken_out_of_a_title(self) -> None:
        response = self.post("/tickets", self.requester, {
            "contract": "aquareel", "type": "urgent_intervention",
            "title": "Bip\x07 \x1b[31mrouge\tsuite"})
        assert response.status_code == 201, response.content
        assert response.json()["title"] == "Bip [31mrouge suite"

    def test_a_non_integer_id_answers_the_json_error_shape(self) -> None:
        for path in ("/tickets/abc", "/tickets/1e3/transitions", "/nowhere"):
            with self.subTest(path=path):
                response = self.get(path, self.level1)
                assert response.status_code in (400, 404)
                assert response["Content-Type"].startswith("application/json")
                assert set(response.json()) == {"detail", "field"}


class IdempotencyTest(ApiTestCase):
    """The same creation sent twice with one Idempotency-Key makes one record."""

    def setUp(self) -> None:
        self.ticket = Ticket.open(self.contract, actor=self.requester,
                                  type="urgent_intervention", title="Concentrateur arrêté")

    def send(self, path: str, body: dict[str, Any], key: str) -> Any:
        from django.test import Client

        return self.call("POST", path, self.requester, body, client=Client(HTTP_IDEMPOTENCY_KEY=key))

    def test_a_ticket_or_comment_sent_twice_is_created_once(self) -> None:
        body = {"contract": "aquareel", "type": "urgent_intervention", "title": "Panne"}
        first = self.send("/tickets", body, "k-1")
        again = self.send("/tickets", body, "k-1")
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
        assert Ticket.objects.count() == 2
        path = f"/tickets/{self.ticket.pk}/comments"
        for _ in range(3):
            assert self.send(path, {"body": "Relance"}, "k-2").status_code == 201
        assert self.ticket.comments.count() == 1
        assert self.send("/tickets", {**body, "title": "Autre"}, "k-1").status_code == 409
        assert self.send("/tickets", {**body, "title": "Autre"}, "k-3").status_code == 201
        assert Ticket.objects.count() == 3
