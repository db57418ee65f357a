"""The holder's acts on the ticket page: the diagnosis form and what the page shows of it, the
confirmation of a one-off intervention, cancellation; each offered only to the roles that may."""

from __future__ import annotations

from jalon.tickets.models import Ticket, TicketState
from jalon.web.tests.helpers import WebTestCase, at, paris


class HolderActsPageTest(WebTestCase):
    def page(self, user: object, ticket: Ticket) -> str:
        self.login(user)
        return self.client.get(f"/tickets/{ticket.pk}/").content.decode()

    def test_the_holder_delivers_a_diagnosis_and_the_page_shows_it(self) -> None:
        ticket = self.worked(paris(2026, 5, 7, 9, 0))
        html = self.page(self.technician, ticket)
        assert f"/tickets/{ticket.pk}/diagnostic/" in html
        assert f"/tickets/{ticket.pk}/diagnostic/" not in self.page(self.level1, ticket)
        self.login(self.technician)
        with at(paris(2026, 5, 7, 11, 0)):
            response = self.client.post(f"/tickets/{ticket.pk}/diagnostic/", {
                "diagnostic-diagnosis": "Index corrompu", "diagnostic-impact": "Bassin sans prévision",
                "diagnostic-criticality": "majeur", "diagnostic-estimate": "2 jours",
                "diagnostic-proposal": "workaround"})
        assert response.status_code == 302
        ticket.refresh_from_db()
        assert ticket.state == TicketState.DIAGNOSED
        html = self.page(self.requester, ticket)
        assert "Diagnostic rendu par le titulaire" in html
        assert "Index corrompu" in html
        assert "Solution de contournement" in html

    def test_a_diagnosis_without_its_estimate_is_refused_next_to_the_field(self) -> None:
        ticket = self.worked(paris(2026, 5, 7, 9, 0))
        self.login(self.technician)
        response = self.client.post(f"/tickets/{ticket.pk}/diagnostic/", {
            "diagnostic-diagnosis": "Index corrompu", "diagnostic-impact": "Bassin sans prévision",
            "diagnostic-criticality": "majeur", "diagnostic-proposal": "definitive"})
        assert response.status_code == 400
        assert "Ce champ est obligatoire" in response.content.decode()
        ticket.refresh_from_db()
        assert ticket.state == TicketState.IN_PROGRESS

    def test_the_holder_confirms_feasibility_with_a_lead_time(self) -> None:
        ticket = self.worked(paris(2026, 5, 7, 9, 0))
        self.login(self.technician)
        response = self.client.post(f"/tickets/{ticket.pk}/confirmer/", {"confirmer-lead_time_days": "4"})
        assert response.status_code == 302
        ticket.refresh_from_db()
        assert ticket.lead_time_days == 4
        assert "réalisation en 4 jours ouvrés" in self.page(self.requester, ticket)

    def test_the_requester_cancels_a_new_request_but_not_one_taken_in_charge(self) -> None:
        new = self.open(paris(2026, 5, 7, 9, 0))
        assert f"/tickets/{new.pk}/annuler/" in self.page(self.requester, new)
        response = self.client.post(f"/tickets/{new.pk}/annuler/", {"annuler-reason": "Doublon"})
        assert response.status_code == 302
        new.refresh_from_db()
        assert new.state == TicketState.CANCELLED
        taken = self.worked(paris(2026, 5, 7, 10, 0))
        self.login(self.requester)
        response = self.client.post(f"/tickets/{taken.pk}/annuler/", {"annuler-reason": "Doublon"})
        assert response.status_code == 400
        assert "demandez au niveau 1" in response.content.decode()

    def test_the_assignment_form_offers_the_holder_s_staff_only(self) -> None:
        ticket = self.worked(paris(2026, 5, 7, 9, 0))
        html = self.page(self.level1, ticket)
        form = html.split(f'action="/tickets/{ticket.pk}/affecter/"')[1].split("</form>")[0]
        for person in (self.technician, self.holder_manager):
            assert f'value="{person.pk}"' in form, person
        for person in (self.auditor, self.requester, self.level1, self.buyer_manager):
            assert f'value="{person.pk}"' not in form, person
