"""The urgent channel, foolproof: an urgent type makes the ticket urgent and alerts the holder,
the hotline is on the form and on the ticket, the call's time is pre-filled; the requester is
told when a ticket waits on them."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from jalon.contracts.models import ConventionVersion
from jalon.messaging.models import OutboxMessage
from jalon.tickets.models import Ticket
from jalon.web.tests.helpers import WebTestCase, at, paris

AQUAREEL = Path(settings.BASE_DIR) / "conventions" / "aquareel-tma.yaml"


class UrgentTest(WebTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        ConventionVersion.load(cls.contract, AQUAREEL.read_text(encoding="utf-8"), AQUAREEL.name)
        cls.contract.hotline = "04 65 71 00 42"
        cls.contract.save()

    def alerts(self, ticket: Ticket) -> int:
        return OutboxMessage.objects.filter(ticket=ticket, kind="urgent_opened").count()

    def test_the_urgent_type_alone_makes_the_ticket_urgent_and_alerts_the_holder(self) -> None:
        ticket = self.open(paris(2026, 5, 11, 9, 0), type="urgente")
        assert ticket.is_urgent
        assert self.alerts(ticket) == 2  # the holder's manager and technician
        plain = self.open(paris(2026, 5, 11, 9, 5), type="anomalie")
        assert not plain.is_urgent
        assert self.alerts(plain) == 0

    def test_qualifying_into_the_urgent_type_makes_it_urgent_and_alerts_once(self) -> None:
        ticket = self.open(paris(2026, 5, 11, 9, 0), type="anomalie")
        with at(paris(2026, 5, 11, 9, 10)):
            ticket.qualify(self.level1, type="urgente", priority="urgent")
        ticket.refresh_from_db()
        assert ticket.is_urgent
        assert self.alerts(ticket) == 2
        with at(paris(2026, 5, 11, 9, 20)):
            ticket.qualify(self.level1, criticality="bloquant")
        assert self.alerts(ticket) == 2  # the alert is the ticket's, sent once

    def test_the_form_gives_the_hotline_and_prefills_the_call_for_an_urgent_declaration(self) -> None:
        self.login(self.requester)
        with at(paris(2026, 5, 11, 9, 7)):
            page = self.client.get("/marches/aquareel/tickets/nouveau/?type=urgente")
        html = page.content.decode()
        assert 'href="tel:04 65 71 00 42"' in html
        assert 'href="?type=urgente"' in html
        # the value a datetime-local input accepts, in the contract's local time
        assert re.search(r'type="datetime-local" name="phone_call_at" value="2026-05-11T09:07"', html)
        assert re.search(r'<input type="checkbox" name="is_urgent"[^>]* checked', html)
        assert 'data-urgent-types="urgente"' in html

    def test_declaring_the_urgent_type_without_the_box_still_makes_it_urgent(self) -> None:
        self.login(self.requester)
        with at(paris(2026, 5, 11, 9, 10)):
            response = self.client.post("/marches/aquareel/tickets/nouveau/", {
                "type": "urgente", "title": "Plus de données", "phone_call_at": "2026-05-11T09:07"})
        assert response.status_code == 302, response.content.decode()
        ticket = Ticket.objects.get(title="Plus de données")
        assert ticket.is_urgent
        assert ticket.channel == "phone"
        assert ticket.phone_call_at == paris(2026, 5, 11, 9, 7)
        assert self.alerts(ticket) == 2
        page = self.client.get(f"/tickets/{ticket.pk}/").content.decode()
        assert 'href="tel:04 65 71 00 42"' in page

    def test_a_call_on_a_plain_request_is_still_refused(self) -> None:
        self.login(self.requester)
        with at(paris(2026, 5, 11, 9, 10)):
            response = self.client.post("/marches/aquareel/tickets/nouveau/", {
                "type": "anomalie", "title": "Lenteurs", "phone_call_at": "2026-05-11T09:07"})
        assert response.status_code == 400
        assert "Un appel téléphonique n’est tracé que pour une demande urgente." in response.content.decode()

    def test_the_requester_is_told_when_the_ticket_waits_on_them_not_on_a_third_party(self) -> None:
        ticket = self.open(paris(2026, 5, 11, 9, 0), type="anomalie")
        with at(paris(2026, 5, 11, 9, 30)):
            ticket.qualify(self.level1, priority="majeur")
            ticket.assign(self.holder_manager, group="TMA", person=self.technician)
            ticket.start_work(self.technician)
        with at(paris(2026, 5, 11, 10, 0)):
            ticket.wait(self.technician, "requester", "Merci d’envoyer les journaux du serveur.")
        [notice] = OutboxMessage.objects.filter(ticket=ticket, kind="waiting_requester")
        assert notice.to == self.requester.email
        assert "Merci d’envoyer les journaux du serveur." in notice.body
        assert "Votre réponse est attendue" in notice.subject
        with at(paris(2026, 5, 11, 11, 0)):
            ticket.resume(self.technician)
            ticket.wait(self.technician, "third_party", "Opérateur relancé.")
        assert OutboxMessage.objects.filter(ticket=ticket, kind="waiting_requester").count() == 1
