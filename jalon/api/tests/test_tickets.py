from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jalon.api.tests.base import ApiTestCase, at, paris
from jalon.tickets.models import Ticket


class CreateAndReadTest(ApiTestCase):
    def test_a_requester_declares_an_urgent_ticket_with_its_phone_call(self) -> None:
        with at(paris(2026, 5, 7, 15, 0)):
            response = self.post("/tickets", self.requester, {
                "contract": "aquareel", "type": "urgent_intervention",
                "title": " Concentrateur arrêté ", "description": "Plus de données",
                "is_urgent": True, "phone_call_at": "2026-05-07T14:58:00+02:00"})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["reference"] == "AQR-2026-1"
        assert (body["title"], body["state"], body["requester"]) == (
            "Concentrateur arrêté", "new", "rita.spc")
        assert body["phone_call_at"].startswith("2026-05-07T12:58:00")
        ticket = Ticket.objects.get(pk=body["id"])
        assert list(ticket.events.values_list("kind", flat=True)) == ["opened", "phone_call"]

    def test_level1_declares_on_behalf_of_a_requester_by_username_or_id(self) -> None:
        for key in ("rita.spc", str(self.requester.pk)):
            with self.subTest(key=key):
                response = self.post("/tickets", self.level1, {
                    "contract": "aquareel", "type": "urgent_intervention",
                    "title": "Reçu par téléphone", "requester": key})
                assert response.status_code == 201, response.content
                assert response.json()["requester"] == "rita.spc"
                opened = Ticket.objects.get(pk=response.json()["id"]).events.get()
                assert (opened.actor, opened.payload["requester"]) == (self.level1,
                                                                       self.requester.pk)

    def test_declaring_on_behalf_of_someone_outside_the_contract_names_the_field(self) -> None:
        for key in ("oscar.ailleurs", "personne", "999999"):
            with self.subTest(key=key):
                response = self.post("/tickets", self.level1, {
                    "contract": "aquareel", "type": "urgent_intervention", "title": "Panne",
                    "requester": key})
                self.assert_error(response, 400, "requester")
        assert not Ticket.objects.exists()

    def test_only_level1_and_the_buyer_manager_declare_on_behalf(self) -> None:
        for person in (self.requester, self.technician, self.holder_manager):
            with self.subTest(person=person.username):
                response = self.post("/tickets", person, {
                    "contract": "aquareel", "type": "urgent_intervention", "title": "Panne",
                    "requester": "remi.spc"})
                self.assert_error(response, 403)
        response = self.post("/tickets", self.requester, {
            "contract": "aquareel", "type": "urgent_intervention", "title": "Panne",
            "requester": "rita.spc"})
        assert response.status_code == 201, response.content

    def test_a_list_row_is_written_as_the_detail_writes_it(self) -> None:
        ticket = self.open_urgent(when=paris(2026, 5, 7, 15, 0))
        with at(paris(2026, 5, 11, 13, 30) + timedelta(seconds=15, microseconds=123456)):
            ticket.reword(self.level1, title="Concentrateur arrêté, station A")  # updated_at to the µs
            detail = self.get(f"/tickets/{ticket.pk}", self.level1)
            listed = self.get("/tickets?contract=aquareel", self.level1)
        assert listed["Content-Type"] == detail["Content-Type"]
        row = listed.json()["items"][0]
        assert row == {key: value for key, value in detail.json().items() if key in row}
        assert set(detail.json()) - set(row) == {"description", "phone_call_at", "convention_version"}

    def test_the_detail_shows_the_live_clock_flags(self) -> None:
        ticket = self.open_urgent(when=paris(2026, 5, 7, 15, 0))
        with at(paris(2026, 5, 11, 13, 30)):  # past the 80 % warning (8 h), before due (10 h)
            body = self.get(f"/tickets/{ticket.pk}", self.level1).json()
        assert (body["at_risk"], body["overdue"], body["breached"]) == (True, False, False)
        with at(paris(2026, 5, 11, 15, 1)):  # past due: overdue, no longer merely at risk
            body = self.get(f"/tickets/{ticket.pk}", self.level1).json()
        assert (body["at_risk"], body["overdue"], body["breached"]) == (False, True, True)

    def test_clocks_are_given_as_of_now(self) -> None:
        ticket = self.open_urgent(when=paris(2026, 5, 7, 15, 0))
        with at(paris(2026, 5, 11, 9, 0)):
            clocks = self.get(f"/tickets/{ticket.pk}/clocks", self.requester).json()
        taken = next(c for c in clocks if c["kind"] == "prise_en_charge")
        # Thursday 15–18 h (3 h), Friday 8 May is a holiday, then Monday 08–09 (1 h).
        assert taken["elapsed_seconds"] == 4 * 3600
        assert taken["remaining_seconds"] == 6 * 3600
        assert taken["target_seconds"] == 10 * 3600
        assert datetime.fromisoformat(taken["due_at"]) == paris(2026, 5, 11, 15, 0)
        assert (taken["running"], taken["paused"], taken["at_risk"], taken["breached"]) == (
            True, False, False, False)
        with at(paris(2026, 5, 11, 16, 0)):
            late = self.get(f"/tickets/{ticket.pk}/clocks", self.requester).json()
        taken = next(c for c in late if c["kind"] == "prise_en_charge")
        assert taken["remaining_seconds"] == -3600
        assert taken["breached"] is True

    def test_a_waiting_clock_is_shown_paused(self) -> None:
        ticket = self.open_urgent(when=paris(2026, 5, 11, 9, 0))
        with at(paris(2026, 5, 11, 9, 30)):
            self.assigned(ticket)
        with at(paris(2026, 5, 11, 10, 0)):
            ticket.start_work(self.technician)
        with at(paris(2026, 5, 11, 11, 0)):
            ticket.wait(self.technician, "requester")
        with at(paris(2026, 5, 11, 17, 0)):
            clocks = self.get(f"/tickets/{ticket.pk}/clocks", self.technician).json()
        resolution = next(c for c in clocks if c["kind"] == "resolution")
        assert (resolution["paused"], resolution["running"]) == (True, False)
        assert resolution["elapsed_seconds"] == 3600
        assert resolution["due_at"] is None

    def test_rewording_changes_the_ticket_and_writes_the_history(self) -> None:
        ticket = self.open_urgent()
        response = self.call("PATCH", f"/tickets/{ticket.pk}", self.level1,
                             {"description": "Concentrateur de Lyon"})
        assert response.status_code == 200, response.content
        assert response.json()["description"] == "Concentrateur de Lyon"
        assert response.json()["title"] == "Concentrateur arrêté"
        event = ticket.events.order_by("-pk").first()
        assert event is not None
        assert (event.kind, event.actor) == ("edited", self.level1)
        assert event.payload == {"before": {"description": ""},
                                 "after": {"description": "Concentrateur de Lyon"}}

    def test_rewording_with_nothing_new_or_an_empty_title_is_refused(self) -> None:
        ticket = self.open_urgent()
        for body, field in (({}, None), ({"title": "Concentrateur arrêté"}, None),
                            ({"title": "  "}, "title")):
            with self.subTest(body=body):
                self.assert_error(self.call("PATCH", f"/tickets/{ticket.pk}", self.level1, body),
                                  400, field)
        assert not ticket.events.filter(kind="edited").exists()

    def test_a_closed_ticket_is_not_reworded(self) -> None:
        ticket = self.assigned(self.open_urgent())
        ticket.start_work(self.technician)
        ticket.resolve(self.technician, "definitive")
        ticket.close(self.level1)
        self.assert_error(self.call("PATCH", f"/tickets/{ticket.pk}", self.level1,
                                    {"title": "Trop tard"}), 409)


class ValidationTest(ApiTestCase):
    def setUp(self) -> None:
        self.ticket = self.open_urgent()
        self.path = f"/tickets/{self.ticket.pk}/transitions"

    def test_a_missing_field_is_named(self) -> None:
        response = self.post("/tickets", self.requester, {"contract": "aquareel",
                                                          "type": "urgent_intervention"})
        assert "title" in self.assert_error(response, 400, "title")

    def test_an_unknown_field_is_refused_and_named(self) -> None:
        response = self.post("/tickets", self.requester, {
            "contract": "aquareel", "type": "urgent_intervention", "title": "Panne",
            "priority": "P1"})
        assert "inconnu" in self.assert_error(response, 400, "priority")
        response = self.post(self.path, self.level1, {"action": "start", "note": "x"})
        self.assert_error(response, 400, "note")

    def test_a_value_out_of_the_list_names_the_field_and_the_expected_values(self) -> None:
        response = self.post(self.path, self.level1, {"action": "qualify", "criticality": "grave"})
        detail = self.assert_error(response, 400, "criticality")
        assert "'bloquant', 'majeur', 'mineur'" in detail

    def test_an_unknown_or_missing_action_names_the_action_field(self) -> None:
        detail = self.assert_error(self.post(self.path, self.level1, {"action": "fly"}),
                                   400, "action")
        assert "fly" in detail
        assert "qualify" in detail
        self.assert_error(self.post(self.path, self.level1, {"urgency": "critique"}),
                          400, "action")

    def test_a_too_long_value_is_named_without_the_action_tag(self) -> None:
        response = self.post(self.path, self.level1, {"action": "assign", "group": "x" * 121})
        assert "120" in self.assert_error(response, 400, "group")

    def test_types_are_strict_where_it_matters(self) -> None:
        response = self.post(f"/tickets/{self.ticket.pk}/comments", self.level1,
                             {"body": "Note", "internal": "yes"})
        self.assert_error(response, 400, "internal")
        response = self.post(self.path, self.level1, {"action": "phone_call",
                                                      "called_at": "2026-03-02T09:05:00"})
        assert "fuseau" in self.assert_error(response, 400, "called_at")

    def test_a_domain_refusal_names_its_field(self) -> None:
        response = self.post(self.path, self.level1, {"action": "qualify", "urgency": "extrême",
                                                      "impact": "site"})
        assert "extrême" in self.assert_error(response, 400, "urgency")
        response = self.post("/tickets", self.requester, {
            "contract": "aquareel", "type": "demande_de_cafe", "title": "Café"})
        self.assert_error(response, 400, "type")
        response = self.post("/tickets", self.requester, {
            "contract": "aquareel", "type": "urgent_intervention", "title": "   "})
        self.assert_error(response, 400, "title")

    def test_a_body_that_is_not_an_object_is_refused_in_words(self) -> None:
        response = self.client.post(f"/api/v1{self.path}", "{pas du json",
                                    content_type="application/json",
                                    headers={"Authorization": f"Bearer {self.tokens['luc.spcgd']}"})
        assert "JSON" in self.assert_error(response, 400)
        self.assert_error(self.post(self.path, self.level1, [1, 2]), 400)
        self.assert_error(self.call("PATCH", f"/tickets/{self.ticket.pk}", self.level1, {}), 400)

    def test_a_bad_query_parameter_is_named(self) -> None:
        self.assert_error(self.get("/tickets?state=perdu", self.level1), 400, "state")
        self.assert_error(self.get("/tickets?limit=0", self.level1), 400, "limit")
        self.assert_error(self.get("/tickets?opened_after=hier", self.level1), 400,
                          "opened_after")
        self.assert_error(self.get("/tickets?cursor=%%%", self.level1), 400, "cursor")
        detail = self.assert_error(self.get("/contracts/aquareel/dashboard?period=2026-13",
                                            self.level1), 400, "period")
        assert "2026-13" in detail


class CommentsAndHistoryTest(ApiTestCase):
    def setUp(self) -> None:
        self.ticket = self.open_urgent()
        self.ticket.add_comment(self.requester, "Toujours en panne")
        self.ticket.add_comment(self.technician, "Piste : disque plein", internal=True)

    def test_internal_comments_are_shown_to_staff_only(self) -> None:
        path = f"/tickets/{self.ticket.pk}/comments"
        staff = self.get(path, self.technician).json()
        assert [(c["author"], c["internal"]) for c in staff] == [
            ("rita.spc", False), ("tina.titulaire", True)]
        requester = self.get(path, self.requester).json()
        assert [c["body"] for c in requester] == ["Toujours en panne"]

    def test_internal_events_are_hidden_from_requesters(self) -> None:
        path = f"/tickets/{self.ticket.pk}/events"
        assert [e["internal"] for e in self.get(path, self.auditor).json()].count(True) == 1
        kinds = [e["kind"] for e in self.get(path, self.requester).json()]
        assert kinds == ["opened", "commented"]

    def test_a_comment_is_added_through_the_ticket(self) -> None:
        response = self.post(f"/tickets/{self.ticket.pk}/comments", self.technician,
                             {"body": "Redémarrage prévu", "internal": True})
        assert response.status_code == 201, response.content
        assert (response.json()["author"], response.json()["internal"]) == ("tina.titulaire", True)
        assert self.ticket.events.filter(kind="commented", internal=True).count() == 2
        self.assert_error(self.post(f"/tickets/{self.ticket.pk}/comments", self.technician,
                                    {"body": "  "}), 400, "body")


class ListTest(ApiTestCase):
    first: list[Ticket]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.first = []
        # Seven tickets, three opened at the very same instant: ties are broken by id.
        for day, hour, title in [(2, 9, "Alpha"), (2, 9, "Bravo"), (2, 9, "Charlie"),
                                 (3, 10, "Delta"), (4, 11, "Echo"), (5, 12, "Foxtrot"),
                                 (6, 13, "Golf")]:
            with at(paris(2026, 3, day, hour)):
                cls.first.append(Ticket.open(cls.contract, actor=cls.requester,
                                             type="urgent_intervention", title=title))
        with at(paris(2026, 3, 6, 14)):
            cls.first[4].qualify(cls.level1, urgency="critique", impact="site")
            cls.first[4].assign(cls.level1, group="Titulaire N2")
            cls.first[5].qualify(cls.level1, urgency="mineure", impact="utilisateur")
            Ticket.open(cls.other_contract, actor=cls.outsider, type="urgent_intervention",
                        title="Ailleurs")

    def titles(self, query: str, user: User | None = None) -> list[str]:
        response = self.get(f"/tickets{query}", user or self.level1)
        assert response.status_code == 200, response.content
        return [t["title"] for t in response.json()["items"]]

    def test_pages_follow_one_another_without_gaps_or_repeats(self) -> None:
        for sort in ("-opened_at", "opened_at", "priority", "-priority", "-updated_at"):
            with self.subTest(sort=sort):
                seen, cursor = [], ""
                while True:
                    response = self.get(f"/tickets?limit=3&sort={sort}{cursor}", self.level1)
                    body = response.json()
                    seen += [t["id"] for t in body["items"]]
                    if body["next_cursor"] is None:
                        break
                    cursor = f"&cursor={body['next_cursor']}"
                everything = self.get(f"/tickets?limit=200&sort={sort}", self.level1).json()
                assert seen == [t["id"] for t in everything["items"]]
                assert sorted(seen) == sorted(t.pk for t in self.first)

    def test_the_order_is_stable_among_ties(self) -> None:
        assert self.titles("?sort=opened_at&limit=3") == ["Alpha", "Bravo", "Charlie"]
        assert self.titles("?sort=-opened_at")[-3:] == ["Charlie", "Bravo", "Alpha"]

    def test_a_cursor_is_bound_to_its_sort(self) -> None:
        cursor = self.get("/tickets?limit=2", self.level1).json()["next_cursor"]
        detail = self.assert_error(self.get(f"/tickets?sort=priority&cursor={cursor}",
                                            self.level1), 400, "cursor")
        assert "-opened_at" in detail

    def test_filters(self) -> None:
        assert self.titles("?priority=P1") == ["Echo"]
        assert self.titles("?state=assigned") == ["Echo"]
        assert self.titles("?group=Titulaire%20N2") == ["Echo"]
        assert self.titles("?type=anomaly_qualification") == []
        assert self.titles("?q=olf") == ["Golf"]
        assert self.titles("?q=AQR-2026-2") == ["Bravo"]
        assert self.titles("?contract=aquareel&opened_after=2026-03-04&opened_before="
                           "2026-03-06T00:00:00%2B01:00") == ["Foxtrot", "Echo"]
        assert len(self.titles("?contract=aquareel")) == 7

    def test_the_risk_filters_are_live(self) -> None:
        # Golf: opened Friday 6 March 13:00; 10 business hours run out Monday 9 March 13:00.
        with at(paris(2026, 3, 9, 12, 0)):
            assert "Golf" in self.titles("?at_risk=true")
            assert "Golf" not in self.titles("?at_risk=false")
            assert "Golf" not in self.titles("?overdue=true")
            assert "Golf" not in self.titles("?breached=true")
        with at(paris(2026, 3, 9, 13, 1)):  # nothing recomputed since: the instants decide
            assert "Golf" in self.titles("?breached=true")
            assert "Golf" in self.titles("?overdue=true")
            assert "Golf" in self.titles("?at_risk=false")
            assert "Golf" not in self.titles("?breached=false")

    def test_a_requester_lists_their_organisation_s_tickets_only(self) -> None:
        assert len(self.titles("", self.requester)) == 7
        assert self.titles("", self.other_requester) == []
        assert self.titles("", self.outsider) == ["Ailleurs"]

    def test_the_list_reads_a_page_in_a_fixed_number_of_queries(self) -> None:
        self.get("/tickets", self.level1)  # the token's last use is now noted
        with CaptureQueriesContext(connection) as small:
            assert len(self.titles("?limit=2")) == 2
        with CaptureQueriesContext(connection) as large:
            assert len(self.titles("?limit=200&opened_after=2026-01-01&q=o")) == 4
        # token, the caller's contracts with their roles, the page itself
        assert len(small.captured_queries) == len(large.captured_queries) == 3, [
            q["sql"] for q in large.captured_queries]

    def test_the_list_for_one_contract_costs_the_same(self) -> None:
        self.get("/tickets", self.level1)
        with CaptureQueriesContext(connection) as queries:
            assert len(self.titles("?contract=aquareel&limit=200")) == 7
        # token, the caller's contracts with their roles, the page
        assert len(queries.captured_queries) == 3, [q["sql"] for q in queries.captured_queries]

    def test_updated_at_sorting_follows_changes(self) -> None:
        with at(paris(2026, 3, 10, 9)):
            self.first[0].qualify(self.level1, urgency="critique", impact="site")
        assert self.titles("?sort=-updated_at&limit=1") == ["Alpha"]


class TimestampsTest(ApiTestCase):
    def test_instants_carry_their_offset(self) -> None:
        ticket = self.open_urgent(when=paris(2026, 3, 2, 9, 0))
        body = self.get(f"/tickets/{ticket.pk}", self.level1).json()
        opened = datetime.fromisoformat(body["opened_at"].replace("Z", "+00:00"))
        assert opened.utcoffset() is not None
        assert opened == paris(2026, 3, 2, 9, 0)


class ChannelTest(ApiTestCase):
    """``channel`` (issue 11 §4): said by level 1 and the buyer manager, else the portal, or the
    phone when a call is traced at the opening (D-48); returned with every ticket."""

    def declare(self, person: User, **fields: object) -> Any:
        return self.post("/tickets", person, {"contract": "aquareel", "type": "urgent_intervention",
                                              "title": "Panne", **fields})

    def test_level1_says_the_channel_and_every_ticket_returns_it(self) -> None:
        response = self.declare(self.level1, requester="rita.spc", channel="supervision")
        assert response.status_code == 201, response.content
        assert response.json()["channel"] == "supervision"
        assert Ticket.objects.get().channel == "supervision"
        listed = self.get("/tickets?contract=aquareel", self.level1).json()["items"]
        assert [row["channel"] for row in listed] == ["supervision"]

    def test_without_a_channel_it_is_the_portal_or_the_phone_of_the_call(self) -> None:
        with at(paris(2026, 5, 7, 15, 0)):
            portal = self.declare(self.requester)
            phone = self.declare(self.requester, is_urgent=True, phone_call_at="2026-05-07T14:58:00+02:00")
            said = self.declare(self.level1, is_urgent=True, phone_call_at="2026-05-07T14:58:00+02:00",
                                channel="mail")
        assert [r.json()["channel"] for r in (portal, phone, said)] == ["portal", "phone", "mail"]

    def test_only_level1_and_the_buyer_manager_name_another_channel(self) -> None:
        detail = self.assert_error(self.declare(self.requester, channel="phone"), 400, "channel")
        assert "niveau 1" in detail
        assert self.declare(self.requester, channel="portal").status_code == 201
        assert self.declare(self.buyer_manager, channel="soc").json()["channel"] == "soc"

    def test_an_unknown_channel_names_the_field(self) -> None:
        detail = self.assert_error(self.declare(self.level1, channel="fax"), 400, "channel")
        assert "supervision" in detail
        assert not Ticket.objects.exists()
