"""Every page and export, from the outsider's side (404) and anonymously (login), and the
permission-dependent forms: hidden, and refused when posted anyway."""

from __future__ import annotations

from jalon.tickets.models import InterventionReport, Ticket, TicketState
from jalon.web.tests.helpers import WebTestCase, paris, streamed

ACTIONS = ("qualifier", "affecter", "escalader", "demarrer", "confirmer", "diagnostic", "attente",
           "reprise", "resoudre", "clore", "rouvrir", "annuler", "commenter", "joindre", "temps", "appel",
           "rapport", "informer", "correction-definitive")


class AccessTest(WebTestCase):
    def setUp(self) -> None:
        self.ticket = self.worked(paris(2026, 5, 7, 9, 0))
        InterventionReport.objects.create(
            ticket=self.ticket, context="c", diagnosis="d", tests="t", solution="s",
            status="definitive", author=self.technician)

    def pages(self) -> list[str]:
        t = self.ticket.pk
        return [
            "/marches/aquareel/tickets/", "/marches/aquareel/tickets/export.csv",
            "/marches/aquareel/tickets/export.xlsx", "/marches/aquareel/tickets/nouveau/",
            "/marches/aquareel/tableau-de-bord/", "/marches/aquareel/tableau-de-bord/export.csv",
            "/marches/aquareel/tableau-de-bord/export.xlsx", f"/tickets/{t}/",
            f"/tickets/{t}/rapport.pdf",
        ]

    def test_anonymous_visitors_are_sent_to_the_login_page(self) -> None:
        for url in [*self.pages(), "/tickets/", "/tickets/export.csv", "/tickets/export.xlsx"]:
            response = self.client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/connexion/?next="), url
        for action in ACTIONS:
            response = self.client.post(f"/tickets/{self.ticket.pk}/{action}/")
            assert response.status_code == 302, action

    def test_an_outsider_gets_404_everywhere(self) -> None:
        self.login(self.outsider)
        for url in self.pages():
            assert self.client.get(url).status_code == 404, url
        for action in ACTIONS:
            response = self.client.post(f"/tickets/{self.ticket.pk}/{action}/",
                                        {f"{action}-body": "x", f"{action}-reason": "x"})
            assert response.status_code == 404, action
        self.ticket.refresh_from_db()
        assert self.ticket.state == TicketState.IN_PROGRESS
        assert not self.ticket.comments.exists()

    def test_an_outsider_sees_nothing_of_the_contract_in_the_cross_list(self) -> None:
        self.login(self.outsider)
        html = self.client.get("/tickets/").content.decode()
        assert "Concentrateur arrêté" not in html
        assert "AQR-2026" not in html
        csv = streamed(self.client.get("/tickets/export.csv")).decode()
        assert "AQR-2026" not in csv

    def test_a_requester_of_another_organisation_gets_404_for_the_ticket(self) -> None:
        self.login(self.other_requester)
        assert self.client.get(f"/tickets/{self.ticket.pk}/").status_code == 404
        assert self.client.get(f"/tickets/{self.ticket.pk}/rapport.pdf").status_code == 404
        html = self.client.get("/marches/aquareel/tickets/").content.decode()
        assert "Concentrateur arrêté" not in html

    def test_every_member_can_read_the_pages(self) -> None:
        for name, user in self.cast.items():
            self.client.force_login(user)
            for url in self.pages():
                refused = ((url.endswith("nouveau/") and name == "auditor")
                           or ("tableau-de-bord" in url and name == "requester"))
                expected = 403 if refused else 200
                assert self.client.get(url).status_code == expected, (name, url)


class PermissionFormsTest(WebTestCase):
    """Forms appear only for the roles that may use them; a POST by another role is refused."""

    def page(self, user, ticket: Ticket) -> str:
        self.login(user)
        return self.client.get(f"/tickets/{ticket.pk}/").content.decode()

    def test_the_holder_sees_work_forms_but_never_qualification(self) -> None:
        ticket = self.worked(paris(2026, 5, 7, 9, 0))
        html = self.page(self.technician, ticket)
        for slug in ("attente", "resoudre", "temps", "rapport", "commenter", "joindre"):
            assert f"/tickets/{ticket.pk}/{slug}/" in html, slug
        for slug in ("qualifier", "clore", "rouvrir", "affecter"):
            assert f"/tickets/{ticket.pk}/{slug}/" not in html, slug

    def test_level1_qualifies_but_cannot_log_time_or_write_the_report(self) -> None:
        ticket = self.open(paris(2026, 5, 7, 9, 0))
        html = self.page(self.level1, ticket)
        assert f"/tickets/{ticket.pk}/qualifier/" in html
        assert f"/tickets/{ticket.pk}/temps/" not in html
        assert f"/tickets/{ticket.pk}/rapport/" not in html

    def test_the_requester_sees_no_internal_checkbox_and_the_auditor_no_form(self) -> None:
        ticket = self.worked(paris(2026, 5, 7, 9, 0))
        html = self.page(self.requester, ticket)
        assert f"/tickets/{ticket.pk}/commenter/" in html
        assert 'name="commenter-internal"' not in html
        assert f"/tickets/{ticket.pk}/qualifier/" not in html
        html = self.page(self.auditor, ticket)
        assert "<form method=\"post\" action=\"/tickets/" not in html

    def test_posting_a_form_the_role_may_not_use_is_refused(self) -> None:
        ticket = self.worked(paris(2026, 5, 7, 9, 0))
        refused = [
            (self.technician, "qualifier", {"qualifier-type": "urgent_intervention",
                                            "qualifier-urgency": "mineure",
                                            "qualifier-impact": "site",
                                            "qualifier-criticality": "mineur"}),
            (self.requester, "temps", {"temps-amount": "30", "temps-unit": "min", "temps-spent_on": "2026-05-07"}),
            (self.requester, "resoudre", {"resoudre-kind": "definitive"}),
            (self.auditor, "commenter", {"commenter-body": "Lecture seule ?"}),
            (self.level1, "rapport", {"rapport-context": "c", "rapport-diagnosis": "d",
                                      "rapport-tests": "t", "rapport-solution": "s",
                                      "rapport-status": "definitive"}),
            (self.level1, "diagnostic", {"diagnostic-diagnosis": "d", "diagnostic-impact": "i",
                                         "diagnostic-criticality": "mineur", "diagnostic-estimate": "1 j",
                                         "diagnostic-proposal": "definitive"}),
            (self.requester, "confirmer", {"confirmer-lead_time_days": "5"}),
            (self.requester, "informer", {"informer-message": "Tout va bien"}),
            (self.level1, "informer", {"informer-message": "Tout va bien"}),
            (self.auditor, "annuler", {"annuler-reason": "doublon"}),
            (self.technician, "annuler", {"annuler-reason": "doublon"}),
            (self.requester, "correction-definitive", {"correction-definitive-note": "v2"}),
            (self.auditor, "correction-definitive", {"correction-definitive-note": "v2"}),
        ]
        for user, action, data in refused:
            self.login(user)
            response = self.client.post(f"/tickets/{ticket.pk}/{action}/", data)
            assert response.status_code == 403, (user, action)
        ticket.refresh_from_db()
        assert ticket.priority == "P1"
        assert not ticket.time_entries.exists()
        assert not ticket.comments.exists()
        assert ticket.state == TicketState.IN_PROGRESS

    def test_a_requester_cannot_post_an_internal_comment(self) -> None:
        ticket = self.worked(paris(2026, 5, 7, 9, 0))
        self.login(self.requester)
        response = self.client.post(f"/tickets/{ticket.pk}/commenter/",
                                    {"commenter-body": "Secret", "commenter-internal": "on"})
        # The field is not offered to requesters: the comment is stored as public.
        assert response.status_code == 302
        assert list(ticket.comments.values_list("internal", flat=True)) == [False]

    def test_an_unknown_action_is_404(self) -> None:
        ticket = self.open(paris(2026, 5, 7, 9, 0))
        self.login(self.level1)
        assert self.client.post(f"/tickets/{ticket.pk}/supprimer/").status_code == 404

    def test_actions_are_post_only(self) -> None:
        ticket = self.open(paris(2026, 5, 7, 9, 0))
        self.login(self.level1)
        assert self.client.get(f"/tickets/{ticket.pk}/qualifier/").status_code == 405


def test_these_tests_cover_every_action_of_the_ticket_page() -> None:
    from jalon.web.tickets.actions import ACTIONS as REGISTRY

    assert set(REGISTRY) == set(ACTIONS)
