"""The API's transitions come from the workflow table: the steps added to the table (time spent,
the intervention report) are offered with their input checked, and the API and the list page
search alike."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils import timezone

from jalon.api.tests.base import ApiTestCase
from jalon.tickets.models import EventKind, Ticket


class WorkflowApiTest(ApiTestCase):
    def setUp(self) -> None:
        self.ticket = self.open_urgent()
        self.path = f"/tickets/{self.ticket.pk}/transitions"

    def test_the_holder_logs_time_spent(self) -> None:
        # a day of the ticket's life: it was opened today (D-116)
        today = timezone.now().astimezone(ZoneInfo("Europe/Paris")).date().isoformat()
        body = {"action": "log_time", "minutes": 90, "spent_on": today, "note": "analyse"}
        response = self.post(self.path, self.technician, body)
        assert response.status_code == 200, response.content
        entry = self.ticket.time_entries.get()
        assert (entry.minutes, entry.person, entry.charged_to_forfait) == (90, self.technician, True)
        assert self.ticket.events.filter(kind=EventKind.TIME_LOGGED).exists()

    def test_time_spent_is_checked_and_its_role_enforced(self) -> None:
        self.assert_error(self.post(self.path, self.technician,
                                    {"action": "log_time", "minutes": 0, "spent_on": "2026-05-07"}),
                          400, "minutes")
        self.assert_error(self.post(self.path, self.requester,
                                    {"action": "log_time", "minutes": 30, "spent_on": "2026-05-07"}),
                          403)

    def test_the_holder_writes_the_intervention_report(self) -> None:
        body = {"action": "write_report", "context": "Crue", "diagnosis": "Disque plein",
                "tests": "Relance", "solution": "Purge", "status": "definitive"}
        assert self.post(self.path, self.technician, body).status_code == 200
        assert self.ticket.intervention_report.solution == "Purge"
        self.assert_error(self.post(self.path, self.technician, {**body, "status": "parfait"}), 400, "status")

    def test_an_assignee_must_be_an_active_member(self) -> None:
        self.ticket.qualify(self.level1, urgency="critique", impact="site")
        self.technician.is_active = False
        self.technician.save()
        self.assert_error(self.post(self.path, self.level1, {"action": "assign", "group": "N2",
                                                             "assignee": self.technician.username}),
                          400, "assignee")


class SameSearchTest(ApiTestCase):
    def test_the_api_and_the_list_page_find_the_same_tickets(self) -> None:
        by_description = Ticket.open(self.contract, actor=self.requester, type="corrective_maintenance",
                                     title="Écran figé", description="Le concentrateur de Mâcon ne répond plus")
        Ticket.open(self.contract, actor=self.requester, type="corrective_maintenance", title="Autre")
        for text in ("concentrateur", by_description.reference, f"#{by_description.number}"):
            api = {row["id"] for row in self.get(f"/tickets?q={text.replace('#', '%23')}", self.level1).json()["items"]}
            self.client.force_login(self.level1)
            page = self.client.get("/tickets/", {"q": text}).content.decode()
            assert api == {by_description.pk}, text
            assert f"/tickets/{by_description.pk}/" in page, text
            assert "Autre" not in page, text
