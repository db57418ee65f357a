from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jalon.accounts.models import Role
from jalon.api.tests.base import ApiTestCase
from jalon.api.tests.test_auth import ENDPOINTS
from jalon.tickets.models import Ticket, TicketState


class OutsiderTest(ApiTestCase):
    """Someone with a role on another contract only: every door is a 404."""

    def setUp(self) -> None:
        self.ticket = self.open_urgent()

    def test_every_endpoint_answers_404_to_an_outsider(self) -> None:
        for method, path, body in ENDPOINTS:
            if path in {"/contracts", "/tickets"} and method == "GET":
                continue  # lists: see below
            path = path.replace("{c}", "aquareel").replace("{t}", str(self.ticket.pk)).replace("{p}", "2026-Q1")
            if isinstance(body, dict) and body.get("contract") == "{c}":
                body = {**body, "contract": "aquareel"}
            with self.subTest(method=method, path=path):
                self.assert_error(self.call(method, path, self.outsider, body), 404)

    def test_lists_do_not_show_an_outsider_what_is_not_theirs(self) -> None:
        contracts = self.get("/contracts", self.outsider).json()
        assert [c["slug"] for c in contracts] == ["callipso"]
        assert self.get("/tickets", self.outsider).json()["items"] == []
        self.assert_error(self.get("/tickets?contract=aquareel", self.outsider), 404)

    def test_a_ticket_number_that_does_not_exist_is_the_same_404(self) -> None:
        missing = self.get("/tickets/999999", self.outsider).json()
        hidden = self.get(f"/tickets/{self.ticket.pk}", self.outsider).json()
        assert missing == hidden

    def test_a_requester_of_another_organisation_gets_404_on_the_ticket(self) -> None:
        for suffix in ("", "/comments", "/events", "/clocks"):
            with self.subTest(suffix=suffix):
                self.assert_error(self.get(f"/tickets/{self.ticket.pk}{suffix}",
                                           self.other_requester), 404)
        assert self.get("/tickets", self.other_requester).json()["items"] == []
        assert self.get("/contracts/aquareel", self.other_requester).status_code == 200

    def test_assigning_to_someone_without_a_role_names_the_field(self) -> None:
        self.qualified(self.ticket)
        body = {"action": "assign", "assignee": self.outsider.username}
        response = self.post(f"/tickets/{self.ticket.pk}/transitions", self.level1, body)
        assert "oscar.ailleurs" in self.assert_error(response, 400, "assignee")
        unknown = self.post(f"/tickets/{self.ticket.pk}/transitions", self.level1,
                            {"action": "assign", "assignee": "personne"})
        self.assert_error(unknown, 400, "assignee")


def _new(case: RoleMatrixTest) -> Ticket:
    return case.open_urgent()


def _qualifying(case: RoleMatrixTest) -> Ticket:
    return case.qualified(case.open_urgent())


def _assigned(case: RoleMatrixTest) -> Ticket:
    return case.assigned(case.open_urgent())


def _in_progress(case: RoleMatrixTest) -> Ticket:
    ticket = _assigned(case)
    ticket.start_work(case.technician)
    return ticket


def _waiting(case: RoleMatrixTest) -> Ticket:
    ticket = _in_progress(case)
    ticket.wait(case.technician, "requester")
    return ticket


def _resolved(case: RoleMatrixTest) -> Ticket:
    ticket = _in_progress(case)
    ticket.resolve(case.technician, "definitive")
    return ticket


ALL = {"buyer_manager", "level1", "requester", "holder_manager", "technician", "auditor"}
BUYER = {"buyer_manager", "level1"}
HOLDER = {"holder_manager", "technician"}

# action -> (ticket in a state that allows it, body, roles allowed, state after)
MATRIX: dict[str, tuple[Callable[[Any], Ticket], dict[str, Any], set[str], TicketState]] = {
    "qualify": (_new, {"urgency": "critique", "impact": "site", "criticality": "majeur"},
                BUYER, TicketState.QUALIFYING),
    "assign": (_qualifying, {"group": "Titulaire N2"}, BUYER | {"holder_manager"},
               TicketState.ASSIGNED),
    "escalate": (_assigned, {"level": "N2", "group": "Titulaire N2"}, BUYER | HOLDER,
                 TicketState.ASSIGNED),
    "start": (_assigned, {}, HOLDER, TicketState.IN_PROGRESS),
    "wait": (_in_progress, {"reason": "requester", "note": "Accès VPN"}, HOLDER,
             TicketState.WAITING),
    "resume": (_waiting, {}, HOLDER, TicketState.IN_PROGRESS),
    "resolve": (_in_progress, {"kind": "workaround"}, HOLDER | {"level1"},
                TicketState.RESOLVED),
    "close": (_resolved, {}, BUYER | {"requester"}, TicketState.CLOSED),
    "reopen": (_resolved, {"reason": "Toujours en panne"}, BUYER | {"requester"},
               TicketState.ASSIGNED),
    "phone_call": (_new, {"called_at": "2026-03-02T09:05:00+01:00"}, ALL - {"auditor"},
                   TicketState.NEW),
}


class RoleMatrixTest(ApiTestCase):
    def test_each_role_may_do_exactly_its_transitions(self) -> None:
        for action, (prepare, params, allowed, after) in MATRIX.items():
            for role, person in self.cast.items():
                with self.subTest(action=action, role=role):
                    ticket = prepare(self)
                    history = ticket.events.count()
                    response = self.post(f"/tickets/{ticket.pk}/transitions", person,
                                         {"action": action, **params})
                    if role in allowed:
                        assert response.status_code == 200, response.content
                        assert response.json()["state"] == after
                        assert ticket.events.count() == history + 1
                    else:
                        assert "rôle" in self.assert_error(response, 403)
                        assert ticket.events.count() == history

    def test_the_role_is_checked_before_the_parameters(self) -> None:
        ticket = _qualifying(self)
        response = self.post(f"/tickets/{ticket.pk}/transitions", self.auditor,
                             {"action": "assign", "assignee": "personne"})
        self.assert_error(response, 403)

    def test_a_transition_the_state_does_not_allow_is_a_conflict(self) -> None:
        ticket = _new(self)
        response = self.post(f"/tickets/{ticket.pk}/transitions", self.technician,
                             {"action": "start"})
        assert "Nouveau" in self.assert_error(response, 409)

    def test_requesters_may_not_write_internal_comments(self) -> None:
        ticket = _new(self)
        response = self.post(f"/tickets/{ticket.pk}/comments", self.requester,
                             {"body": "Note interne", "internal": True})
        self.assert_error(response, 403)
        self.assert_error(self.post(f"/tickets/{ticket.pk}/comments", self.auditor,
                                    {"body": "Je lis seulement"}), 403)

    def test_the_auditor_reads_but_does_not_declare(self) -> None:
        ticket = _new(self)
        for suffix in ("", "/comments", "/events", "/clocks"):
            assert self.get(f"/tickets/{ticket.pk}{suffix}", self.auditor).status_code == 200
        response = self.post("/tickets", self.auditor, {
            "contract": "aquareel", "type": "urgent_intervention", "title": "Panne"})
        self.assert_error(response, 403)

    def test_the_buyer_side_and_the_requester_of_a_new_ticket_reword_it(self) -> None:
        for role, person in self.cast.items():
            with self.subTest(role=role):
                ticket = _new(self)
                response = self.call("PATCH", f"/tickets/{ticket.pk}", person,
                                     {"title": f"Reformulé par {role}"})
                if role in BUYER | {"requester"}:
                    assert response.status_code == 200, response.content
                else:
                    self.assert_error(response, 403)

    def test_the_requester_no_longer_rewords_once_level1_has_qualified(self) -> None:
        ticket = _qualifying(self)
        self.assert_error(self.call("PATCH", f"/tickets/{ticket.pk}", self.requester,
                                    {"title": "Trop tard"}), 409)
        response = self.call("PATCH", f"/tickets/{ticket.pk}", self.level1, {"title": "Précisé"})
        assert response.status_code == 200, response.content

    def test_a_requester_does_not_reword_a_colleagues_ticket(self) -> None:
        colleague = self.member("rose.spc", self.spc_ain, Role.REQUESTER)
        ticket = self.open_urgent(actor=colleague)
        self.assert_error(self.call("PATCH", f"/tickets/{ticket.pk}", self.requester,
                                    {"title": "Pas le mien"}), 403)

    def test_requesters_may_not_see_the_dashboard(self) -> None:
        self.assert_error(self.get("/contracts/aquareel/dashboard", self.requester), 403)
        for role in ALL - {"requester"}:
            with self.subTest(role=role):
                response = self.get("/contracts/aquareel/dashboard", self.cast[role])
                assert response.status_code == 200, response.content

