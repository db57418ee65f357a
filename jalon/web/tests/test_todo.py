"""Each role's home shows what that person must do now, with counts that link to the very
tickets behind them (jalon/web/todo.py, jalon/web/tickets/todo.py)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from jalon.accounts.models import Role
from jalon.conventions import load
from jalon.conventions.platform import diagnosis_clocks
from jalon.web import todo
from jalon.web.tests.helpers import WebTestCase, at, paris

NOW = paris(2026, 5, 12, 10, 0)


class HomeTodoTest(WebTestCase):
    def setUp(self) -> None:
        self.new = self.open(paris(2026, 5, 11, 9, 0), "Nouveau")
        self.qualifying = self.qualify(self.open(paris(2026, 5, 11, 9, 5), "Qualifié"), paris(2026, 5, 11, 9, 30))
        self.assigned_one = self.assigned(self.qualify(self.open(paris(2026, 5, 11, 10, 0), "Affecté"),
                                                       paris(2026, 5, 11, 10, 5)), paris(2026, 5, 11, 10, 10))
        self.waiting = self.worked(paris(2026, 5, 11, 11, 0), "En attente")
        with at(paris(2026, 5, 11, 11, 40)):
            self.waiting.wait(self.technician, "requester", "Journaux ?")
        self.third = self.worked(paris(2026, 5, 11, 12, 0), "Chez l'opérateur")
        with at(paris(2026, 5, 11, 12, 40)):
            self.third.wait(self.technician, "third_party")
        self.done = self.resolved(self.worked(paris(2026, 5, 11, 14, 0), "Résolu"), paris(2026, 5, 11, 15, 0))
        self.other = self.open(paris(2026, 5, 11, 9, 0), "D'un autre service", actor=self.other_requester)

    def items(self, user) -> dict[str, tuple[int, str]]:
        self.login(user)
        with at(NOW):
            response = self.client.get("/")
        assert response.status_code == 200
        [(_contract, sections)] = response.context["todos"]
        found = {d.todo.key: (d.count, d.url) for s in sections for d in s.items}
        html = response.content.decode()
        for _count, url in found.values():  # each count is a link to its list
            assert f'href="{url.replace("&", "&amp;")}"' in html
        return found

    def listed(self, user, url: str) -> set[str]:
        self.login(user)
        with at(NOW):
            response = self.client.get(url)
        return {row["ticket"].title for row in response.context["rows"]}

    def test_level1_qualifies_the_new_and_closes_the_resolved(self) -> None:
        items = self.items(self.level1)
        assert items["tickets-to-qualify"][0] == 2  # the new one and the other service's
        assert self.listed(self.level1, items["tickets-to-qualify"][1]) == {"Nouveau", "D'un autre service"}
        assert items["tickets-to-close-level1"][0] == 1
        assert "tickets-to-take" not in items
        assert "tickets-waiting-on-me" not in items

    def test_the_holder_takes_assigned_tickets_in_charge_and_watches_deadlines(self) -> None:
        manager = self.items(self.holder_manager)
        assert manager["tickets-to-assign"][0] == 1
        assert manager["tickets-to-take"][0] == 1
        assert self.listed(self.holder_manager, manager["tickets-to-take"][1]) == {"Affecté"}
        assert "deadlines-at-risk" in manager
        assert "deadlines-overdue" in manager
        # the test convention has no clock that stops at the diagnosis: the item does not apply
        assert "diagnoses-due" not in manager
        technician = self.items(self.technician)
        assert "tickets-to-assign" not in technician
        assert "mine=1" in technician["tickets-to-take"][1]  # their own tickets

    def test_requesters_answer_waits_on_them_and_close_their_resolved_tickets(self) -> None:
        items = self.items(self.requester)
        assert items["tickets-waiting-on-me"][0] == 1  # not the wait on a third party
        assert self.listed(self.requester, items["tickets-waiting-on-me"][1]) == {"En attente"}
        assert items["tickets-to-close"][0] == 1
        assert self.listed(self.requester, items["tickets-to-close"][1]) == {"Résolu"}
        assert "tickets-to-qualify" not in items
        # the other requester has nothing waiting on them
        assert self.items(self.other_requester)["tickets-waiting-on-me"][0] == 0

    def test_the_buyer_has_a_validation_section_other_areas_add_to(self) -> None:
        items = self.items(self.buyer_manager)
        assert "diagnoses-to-review" in items
        added = todo.register(todo.Todo(
            key="test-orders", label="Bons de commande à valider", roles=frozenset({Role.BUYER_MANAGER}),
            section=todo.Section.VALIDATE, count=lambda user, contract, now: 3,
            url=lambda user, contract: f"/marches/{contract.slug}/commandes/?a_valider=1"))
        try:
            self.login(self.buyer_manager)
            with at(NOW):
                html = self.client.get("/").content.decode()
            assert "Bons de commande à valider" in html
            assert re.search(r">3</span> Bons de commande à valider", html)
            assert "À valider" in html
        finally:
            todo._REGISTRY.pop(added.key)

    def test_the_auditor_has_nothing_to_do(self) -> None:
        self.login(self.auditor)
        with at(NOW):
            response = self.client.get("/")
        assert response.context["nothing_to_do"]


def test_diagnoses_are_due_on_the_clocks_that_stop_at_the_diagnosis():
    conventions = Path(settings.BASE_DIR) / "conventions"
    assert diagnosis_clocks(load(conventions / "aquareel-tma.yaml")) == ["qualification"]
    assert diagnosis_clocks(load(conventions / "lade-tmes.yaml")) == []
    assert diagnosis_clocks(load(conventions / "cd13-callipso.yaml")) == []
