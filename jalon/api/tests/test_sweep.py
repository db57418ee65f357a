"""The access sweep of the API (issue 15): every operation of the OpenAPI document — discovered
there, not listed by hand — with its path parameters naming real records of a demo-like
contract, as every identity: anonymous (401), someone with no role (404), an outsider with a role
on another contract only (404), and each role of the contract, whose answer follows the
permission rules: 403 where ``accounts.access.ROLES_FOR`` denies the operation's need, never
401/403/404 where it allows it, never a server error. The table :data:`NEEDS` names the need of
each operation; an operation added to the API without a row fails the sweep.

Each request runs in a savepoint rolled back after it, so that the answers do not depend on the
order of the sweep. The figures (operations, requests, identities) are printed."""

from __future__ import annotations

import json
import time
from typing import Any

from django.db import transaction
from django.test import Client

from jalon.accounts import access
from jalon.accounts.access import Need
from jalon.accounts.models import Role
from jalon.demo.tests import contract as demo_contract
from jalon.testing.cast import JalonTestCase

ROLE_OF = {"buyer_manager": Role.BUYER_MANAGER, "level1": Role.LEVEL1_AGENT, "requester": Role.REQUESTER,
           "other_requester": Role.REQUESTER, "holder_manager": Role.HOLDER_MANAGER,
           "technician": Role.HOLDER_TECHNICIAN, "auditor": Role.AUDITOR}

# (method, OpenAPI path) -> (the need the rules give it, a body). ``None``: any member (VIEW).
NEEDS: dict[tuple[str, str], tuple[Need, Any]] = {
    ("GET", "/contracts/{slug}"): (Need.VIEW, None),
    ("GET", "/contracts/{slug}/dashboard"): (Need.VIEW_DASHBOARD, None),
    ("GET", "/contracts/{slug}/history-heads"): (Need.VIEW, None),
    ("GET", "/contracts/{slug}/export"): (Need.EXPORT_CONTRACT, None),
    ("GET", "/contracts/{slug}/scorecards"): (Need.VIEW_SCORECARD, None),
    ("GET", "/contracts/{slug}/scorecards/{period}"): (Need.VIEW_SCORECARD, None),
    ("POST", "/contracts/{slug}/scorecards/{period}/transitions"): (Need.PROPOSE_SCORECARD, {"step": "propose"}),
    ("GET", "/contracts/{slug}/measures"): (Need.VIEW_SCORECARD, None),
    ("POST", "/contracts/{slug}/measures"): (Need.ENTER_MEASURE, {"indicator": "x", "period": "2026-Q3", "value": 1,
                                                                  "source": "export"}),
    ("POST", "/tickets"): (Need.OPEN, {"contract": "{slug}", "type": "x", "title": "Panne"}),
    ("GET", "/tickets/{ticket_id}"): (Need.VIEW, None),
    ("PATCH", "/tickets/{ticket_id}"): (Need.REWORD, {"title": "Reformulé"}),
    ("POST", "/tickets/{ticket_id}/transitions"): (Need.CLOSE, {"action": "close"}),
    ("GET", "/tickets/{ticket_id}/comments"): (Need.VIEW, None),
    ("POST", "/tickets/{ticket_id}/comments"): (Need.COMMENT, {"body": "Bonjour"}),
    ("GET", "/tickets/{ticket_id}/events"): (Need.VIEW, None),
    ("GET", "/tickets/{ticket_id}/clocks"): (Need.VIEW, None),
    ("GET", "/contracts/{slug}/meetings"): (Need.GOVERN_VIEW, None),
    ("POST", "/contracts/{slug}/meetings"): (Need.GOVERN_SCHEDULE, {"committee": "x",
                                                                   "starts_at": "2026-12-01T10:00:00+01:00"}),
    ("GET", "/contracts/{slug}/meetings/{meeting_id}"): (Need.GOVERN_VIEW, None),
    ("POST", "/contracts/{slug}/meetings/{meeting_id}/transitions"): (Need.GOVERN_PREPARE,
                                                                      {"action": "send_agenda", "agenda": "ODJ"}),
    ("GET", "/contracts/{slug}/meetings/{meeting_id}/minutes.pdf"): (Need.GOVERN_VIEW, None),
    ("GET", "/contracts/{slug}/meetings/{meeting_id}/minutes.docx"): (Need.GOVERN_VIEW, None),
    ("POST", "/contracts/{slug}/meetings/{meeting_id}/escalations"): (Need.GOVERN_RECORD,
                                                                      {"kind": "alert", "subject": "Retards"}),
    ("GET", "/contracts/{slug}/escalations"): (Need.GOVERN_VIEW, None),
    ("GET", "/contracts/{slug}/decisions"): (Need.GOVERN_VIEW, None),
    ("POST", "/contracts/{slug}/decisions"): (Need.GOVERN_RECORD, {"title": "D", "decided_on": "2026-11-02"}),
    ("GET", "/contracts/{slug}/actions"): (Need.GOVERN_VIEW, None),
    ("POST", "/contracts/{slug}/actions"): (Need.GOVERN_RECORD, {"title": "A", "due_on": "2026-12-02"}),
    ("POST", "/contracts/{slug}/actions/{action_id}/status"): (Need.GOVERN_RECORD, {"status": "done"}),
    ("GET", "/contracts/{slug}/risks"): (Need.GOVERN_VIEW, None),
    ("POST", "/contracts/{slug}/risks"): (Need.GOVERN_RECORD, {"title": "R", "probability": 2, "impact": 3}),
    ("GET", "/contracts/{slug}/decisions/{decision_id}"): (Need.GOVERN_VIEW, None),
    ("PATCH", "/contracts/{slug}/decisions/{decision_id}"): (
        Need.GOVERN_RECORD, {"title": "D", "text": "Reformulée", "reason": "Coquille"}),
    ("GET", "/contracts/{slug}/actions/{action_id}"): (Need.GOVERN_VIEW, None),
    ("PATCH", "/contracts/{slug}/actions/{action_id}"): (
        Need.GOVERN_RECORD, {"owner": None, "due_on": "2026-12-20", "reason": "Report décidé en comité"}),
    ("GET", "/contracts/{slug}/risks/{risk_id}"): (Need.GOVERN_VIEW, None),
    ("PATCH", "/contracts/{slug}/risks/{risk_id}"): (
        Need.GOVERN_RECORD, {"probability": 3, "impact": 3, "owner": None, "mitigation": "Suivi", "status": "open"}),
    ("GET", "/contracts/{slug}/billing/{period}"): (Need.VIEW_BILLING, None),
    ("GET", "/contracts/{slug}/billing/{period}/elements.xlsx"): (Need.VIEW_BILLING, None),
    ("GET", "/contracts/{slug}/billing/{period}/invoice.pdf"): (Need.DRAFT_INVOICE, None),
    ("POST", "/contracts/{slug}/risks/{risk_id}/reviews"): (
        Need.GOVERN_RECORD, {"meeting": "{meeting_id}", "probability": 2, "impact": 3, "status": "open"}),
    ("GET", "/contracts/{slug}/forfait"): (Need.VIEW_FORFAIT, None),
    ("GET", "/contracts/{slug}/forfait/entries"): (Need.VIEW_FORFAIT, None),
    ("POST", "/contracts/{slug}/forfait/entries/{entry_id}/corrections"): (
        Need.CORRECT_TIME, {"minutes": 0, "spent_on": "2026-11-02", "reason": "Doublon"}),
    ("GET", "/contracts/{slug}/forfait/statements/{month}"): (Need.VIEW_FORFAIT, None),
    ("POST", "/contracts/{slug}/forfait/statements/{month}/acknowledgement"): (Need.ACKNOWLEDGE_STATEMENT, None),
    ("GET", "/contracts/{slug}/deliverables"): (Need.VIEW_DELIVERABLES, None),
    ("POST", "/contracts/{slug}/deliverables"): (Need.MANAGE_DELIVERABLES, {"type": "x", "title": "N",
                                                                           "due_on": "2099-01-01"}),
    ("GET", "/contracts/{slug}/deliverables/{pk}"): (Need.VIEW_DELIVERABLES, None),
    ("POST", "/contracts/{slug}/deliverables/{pk}/submissions"): (Need.SUBMIT_DELIVERABLE, None),
    ("POST", "/contracts/{slug}/deliverables/{pk}/transitions"): (Need.VALIDATE_DELIVERABLE, {"action": "accept"}),
    ("GET", "/contracts/{slug}/reports"): (Need.VIEW_DELIVERABLES, None),
    ("POST", "/contracts/{slug}/reports"): (Need.WRITE_REPORT, {"kind": "delivery_note", "title": "N", "data": {}}),
    ("GET", "/contracts/{slug}/reports/{pk}"): (Need.VIEW_DELIVERABLES, None),
    ("PUT", "/contracts/{slug}/reports/{pk}"): (Need.WRITE_REPORT, {"data": {}}),
    ("POST", "/contracts/{slug}/deliverables/{pk}/reports"): (Need.SUBMIT_DELIVERABLE, {"report": "{report}"}),
    ("GET", "/contracts/{slug}/calendar.ics"): (Need.VIEW, None),
    ("GET", "/contracts/{slug}/orders"): (Need.VIEW, None),
    ("POST", "/contracts/{slug}/orders"): (Need.ORDER, {"title": "Flux", "lines": [{"unit": "x", "quantity": 1}]}),
    ("GET", "/contracts/{slug}/orders/{number}"): (Need.VIEW, None),
    ("POST", "/contracts/{slug}/orders/{number}/transitions"): (Need.QUOTE, {"action": "quote",
                                                                            "execution_days": 4}),
    ("POST", "/contracts/{slug}/orders/{number}/deliverables"): (Need.DELIVER_ORDER, None),
    ("GET", "/contracts/{slug}/orders/{number}/events"): (Need.VIEW, None),
}
LISTS = {("GET", "/contracts"), ("GET", "/tickets")}
"""The lists of everything a person may see: a 200 for anyone signed in, checked by content."""

# Where the rules narrow a role to its own records (accounts.access: requesters see the tickets
# and orders of their own organisation), another organisation's requester gets the 404 of a
# record that does not exist for them.
OWN_RECORDS = ("/tickets/{ticket_id}", "/orders/{number}")

# A record of an area a role may not see at all is a record that does not exist for it (404):
# governance as a whole (its lists too: committees are between the buyer's and the holder's
# staff), and each deliverable or report (their lists answer 403).
HIDDEN_AREAS = (("/meetings", Need.GOVERN_VIEW), ("/escalations", Need.GOVERN_VIEW),
                ("/decisions", Need.GOVERN_VIEW), ("/actions", Need.GOVERN_VIEW), ("/risks", Need.GOVERN_VIEW),
                ("/deliverables/{pk}", Need.VIEW_DELIVERABLES), ("/reports/{pk}", Need.VIEW_DELIVERABLES))


class ApiSweepTest(JalonTestCase):
    demo: demo_contract.DemoContract
    objects: dict[str, str]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.demo = demo_contract.build()
        cls.objects = demo_contract.objects_of(cls.demo.contract)

    def operations(self) -> list[tuple[str, str]]:
        doc = Client().get("/api/v1/openapi.json").json()
        return sorted((method.upper(), path.removeprefix("/api/v1"))
                      for path, item in doc["paths"].items() for method in item)

    def call(self, method: str, path: str, who: str | None, body: Any) -> int:
        values = demo_contract.path_values(path, self.objects)
        url = "/api/v1" + path.format(**values)
        if isinstance(body, dict):  # placeholders: the records of the contract, numbers as numbers
            text = json.dumps(body)
            for name, value in self.objects.items():
                text = text.replace(f'"{{{name}}}"', value if value.isdigit() else f'"{value}"')
            body = json.loads(text)
        headers = {"Authorization": f"Bearer {self.demo.tokens[who]}"} if who else {}
        with transaction.atomic():
            response = self.client.generic(method, url, json.dumps(body) if body is not None else "",
                                           content_type="application/json", headers=headers)
            transaction.set_rollback(True)
        return response.status_code

    def expected(self, who: str, method: str, path: str, need: Need) -> str:
        if who in ("nobody", "outsider"):
            return "404"
        roles = frozenset({ROLE_OF[who]})
        if who == "other_requester" and any(part in path for part in OWN_RECORDS):
            return "404"
        area = next((view for part, view in HIDDEN_AREAS if part in path), None)
        if area is not None and not access.allows(roles, area):
            return "404"
        return "allowed" if access.allows(roles, need) else "403"

    def test_every_operation_is_in_the_table(self) -> None:
        found = set(self.operations())
        assert found - LISTS - set(NEEDS) == set(), "operations with no row in NEEDS"
        assert set(NEEDS) - found == set(), "rows of NEEDS for operations that no longer exist"

    def test_every_identity_meets_the_rules_on_every_operation(self) -> None:
        started, requests, wrong = time.monotonic(), 0, []
        identities = [None, "nobody", "outsider", *ROLE_OF]
        for method, path in self.operations():
            if (method, path) in LISTS:
                continue
            need, body = NEEDS[(method, path)]
            for who in identities:
                status = self.call(method, path, who, body)
                requests += 1
                expected = "401" if who is None else self.expected(who, method, path, need)
                ok = (status < 500 and status not in (401, 403, 404) if expected == "allowed"
                      else status == int(expected))
                if not ok:
                    wrong.append(f"{method} {path} as {who}: {status}, expected {expected} ({need.name})")
        print(f"\nAPI sweep: {len(NEEDS) + len(LISTS)} operations, {len(identities)} identities, "
              f"{requests} requests, {time.monotonic() - started:.0f} s")
        assert not wrong, "\n".join(wrong)

    def test_the_lists_show_nothing_of_a_contract_one_is_not_on(self) -> None:
        for who in ("nobody", "outsider"):
            headers = {"Authorization": f"Bearer {self.demo.tokens[who]}"}
            contracts = self.client.get("/api/v1/contracts", headers=headers).json()
            assert self.objects["slug"] not in {c["slug"] for c in contracts}, who
            assert self.client.get("/api/v1/tickets", headers=headers).json()["items"] == [], who
        assert self.client.get("/api/v1/contracts").status_code == 401
