"""The ticket page: facts, timeline (internal records only to staff), clocks, action forms."""

from __future__ import annotations

import tempfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from jalon.tickets.models import EventKind, Ticket, TicketState
from jalon.web.tests.helpers import WebTestCase, at, paris


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="jalon-web-tests-"))
class TicketPageTest(WebTestCase):
    def setUp(self) -> None:
        self.ticket = self.worked(paris(2026, 5, 7, 9, 0))
        with at(paris(2026, 5, 7, 10, 0)):
            self.ticket.add_comment(self.requester, "Toujours en panne")
            self.ticket.add_comment(self.technician, "Piste : disque plein", internal=True)
            self.ticket.add_attachment(self.technician, SimpleUploadedFile(
                "journal.log", b"erreur disque"), internal=True)
            self.ticket.add_attachment(self.requester, SimpleUploadedFile(
                "capture.png", b"\x89PNG"))
            self.ticket.log_time(self.technician, minutes=45, spent_on=paris(2026, 5, 7).date())

    def html(self, user, when=None) -> str:
        self.login(user)
        with at(when or paris(2026, 5, 7, 11, 0)):
            response = self.client.get(f"/tickets/{self.ticket.pk}/")
        assert response.status_code == 200
        return response.content.decode()

    def test_staff_see_the_whole_timeline(self) -> None:
        html = self.html(self.level1)
        assert "Toujours en panne" in html
        assert "Piste : disque plein" in html
        assert "journal.log" in html
        assert "capture.png" in html
        assert "45 min" in html

    def test_the_requester_sees_neither_internal_comments_nor_internal_files_nor_time(self) -> None:
        html = self.html(self.requester)
        assert "Toujours en panne" in html
        assert "Piste : disque plein" not in html
        assert "journal.log" not in html
        assert "capture.png" in html
        assert "Temps passé" not in html

    def test_download_links_go_through_the_access_checked_view(self) -> None:
        public = self.ticket.attachments.get(original_name="capture.png")
        internal = self.ticket.attachments.get(original_name="journal.log")
        html = self.html(self.requester)
        assert f"/tickets/{self.ticket.pk}/pieces-jointes/{public.pk}/" in html
        assert self.client.get(f"/tickets/{self.ticket.pk}/pieces-jointes/{internal.pk}/"
                               ).status_code == 404

    def test_clocks_show_business_time_left_and_a_countdown(self) -> None:
        html = self.html(self.technician, paris(2026, 5, 7, 16, 0))
        # Resolution: started 09:30, 10 h target; at 16:00 6 h 30 ran, 3 h 30 left.
        assert "3 h 30 min ouvrées restantes" in html
        assert 'class="jalon-countdown" data-due="2026-05-11T09:30:00+02:00"' in html
        assert "jalon/countdown.js" in html
        # Take-in-charge stopped at 09:30 after 30 min.
        assert "30 min ouvrées pour une cible de 10 h" in html

    def test_it_calls_a_clock_stopped_past_its_target_depasse_never_respected_late(self) -> None:
        with at(paris(2026, 5, 11, 11, 0)):  # resolution: 11 h 30 of business time for 10 h
            self.ticket.resolve(self.technician, "definitive")
        badge = '<span class="fr-badge fr-badge--sm fr-badge--error">{}</span>'
        html = self.html(self.technician, paris(2026, 5, 11, 12, 0))
        assert badge.format("Arrêté hors délai") in html  # not the running clock's "Dépassé, en cours"
        assert "retard" not in html
        self.client.cookies["django_language"] = "en"
        english = self.html(self.technician, paris(2026, 5, 11, 12, 0))
        assert badge.format("Stopped past its target") in english
        assert "Met late" not in english

    def test_an_overrun_is_shown_as_such(self) -> None:
        html = self.html(self.technician, paris(2026, 5, 11, 11, 0))
        assert "dépassé de 1 h 30 min ouvrées" in html
        assert "Dépassé" in html


class ActionsTest(WebTestCase):
    def post(self, user, ticket: Ticket, action: str, data: Any, when=None):
        self.login(user)
        with at(when or paris(2026, 5, 7, 11, 0)):
            return self.client.post(f"/tickets/{ticket.pk}/{action}/",
                                    {f"{action}-{k}": v for k, v in data.items()})

    def test_a_ticket_goes_through_its_whole_life_from_the_page(self) -> None:
        ticket = self.open(paris(2026, 5, 7, 9, 0))
        steps = [
            (self.level1, "qualifier", {"type": "urgent_intervention", "urgency": "critique",
                                        "impact": "site", "criticality": "bloquant"},
             TicketState.QUALIFYING),
            (self.level1, "affecter", {"group": "Titulaire N2", "person": self.technician.pk},
             TicketState.ASSIGNED),
            (self.technician, "demarrer", {}, TicketState.IN_PROGRESS),
            (self.technician, "attente", {"reason": "requester", "note": "Logs ?"},
             TicketState.WAITING),
            (self.technician, "reprise", {"note": ""}, TicketState.IN_PROGRESS),
            (self.technician, "escalader", {"level": "N2", "group": "Titulaire N3"},
             TicketState.ASSIGNED),
            (self.technician, "resoudre", {"kind": "workaround", "note": "Redémarré"},
             TicketState.RESOLVED),
            (self.requester, "clore", {"note": "OK"}, TicketState.CLOSED),
            (self.level1, "rouvrir", {"reason": "Panne revenue"}, TicketState.ASSIGNED),
        ]
        for user, action, data, state in steps:
            response = self.post(user, ticket, action, data)
            assert response.status_code == 302, action
            assert response["Location"] == f"/tickets/{ticket.pk}/#{action}"
            ticket.refresh_from_db()
            assert ticket.state == state, action
        assert (ticket.priority, ticket.level, ticket.reopen_count) == ("P1", "N2", 1)
        page = self.client.get(f"/tickets/{ticket.pk}/").content.decode()
        assert "Ticket rouvert." in page  # the DSFR message of the last action

    def test_records_are_added_from_the_page(self) -> None:
        ticket = self.worked(paris(2026, 5, 7, 9, 0))
        assert self.post(self.technician, ticket, "commenter",
                         {"body": "Interne", "internal": "on"}).status_code == 302
        assert self.post(self.technician, ticket, "temps",
                         {"amount": "1.5", "unit": "h", "spent_on": "2026-05-07", "note": "diag",
                          "charged_to_forfait": "on"}).status_code == 302
        assert self.post(self.level1, ticket, "appel",
                         {"called_at": "2026-05-07T08:55", "note": "SPC RAS"}).status_code == 302
        assert self.post(self.technician, ticket, "rapport", {
            "context": "Arrêt", "diagnosis": "Disque plein", "tests": "Relance",
            "solution": "Purge", "status": "definitive", "recommendations": ""}).status_code == 302
        assert ticket.comments.get().internal
        assert ticket.time_entries.get().minutes == 90
        assert ticket.intervention_report.solution == "Purge"
        kinds = set(ticket.events.values_list("kind", flat=True))
        assert {EventKind.COMMENTED, EventKind.TIME_LOGGED, EventKind.PHONE_CALL,
                EventKind.REPORT_WRITTEN} <= kinds

    @override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="jalon-web-tests-"))
    def test_a_file_is_attached_and_a_refused_type_is_reported_next_to_the_field(self) -> None:
        ticket = self.worked(paris(2026, 5, 7, 9, 0))
        self.login(self.technician)
        with at(paris(2026, 5, 7, 11, 0)):
            ok = self.client.post(f"/tickets/{ticket.pk}/joindre/", {
                "joindre-file": SimpleUploadedFile("rapport.pdf", b"%PDF-1.4")})
            refused = self.client.post(f"/tickets/{ticket.pk}/joindre/", {
                "joindre-file": SimpleUploadedFile("virus.exe", b"MZ")})
        assert ok.status_code == 302
        assert refused.status_code == 400
        html = refused.content.decode()
        assert "fr-upload-group--error" in html
        assert "Type de fichier refusé" in html
        assert list(ticket.attachments.values_list("original_name", flat=True)) == ["rapport.pdf"]

    def test_form_errors_are_shown_next_to_the_field(self) -> None:
        ticket = self.worked(paris(2026, 5, 7, 9, 0))
        response = self.post(self.technician, ticket, "temps", {"amount": "0", "unit": "h",
                                                                "spent_on": "2026-05-07"})
        assert response.status_code == 400
        html = response.content.decode()
        assert 'id="id_temps-amount-messages"' in html
        assert "fr-input-group--error" in html
        assert 'aria-invalid="true"' in html
        # The form with the error is the one left open.
        assert 'aria-expanded="true" aria-controls="action-temps"' in html

    def test_a_transition_impossible_in_the_current_state_is_explained(self) -> None:
        ticket = self.worked(paris(2026, 5, 7, 9, 0))
        response = self.post(self.level1, ticket, "clore", {"note": ""})
        assert response.status_code == 400
        assert "impossible" in response.content.decode()
        ticket.refresh_from_db()
        assert ticket.state == TicketState.IN_PROGRESS

    def test_the_domain_error_goes_to_its_field(self) -> None:
        ticket = self.worked(paris(2026, 5, 7, 9, 0))
        response = self.post(self.level1, ticket, "affecter", {"group": "", "person": ""})
        assert response.status_code == 400
        html = response.content.decode()
        messages = html.split('id="id_affecter-group-messages"')[1].split("</div>")[0]
        assert "Indiquez un groupe ou un intervenant." in messages


class CreateTest(WebTestCase):
    URL = "/marches/aquareel/tickets/nouveau/"

    def test_a_requester_declares_an_urgent_request_with_its_phone_call(self) -> None:
        self.login(self.requester)
        with at(paris(2026, 5, 7, 9, 0)):
            response = self.client.post(self.URL, {
                "type": "urgent_intervention", "title": "Concentrateur arrêté",
                "description": "Plus de données", "urgency": "critique", "impact": "site",
                "site": "SPC RAS", "lot": "tma", "is_urgent": "on",
                "phone_call_at": "2026-05-07T08:58"})
        ticket = Ticket.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/tickets/{ticket.pk}/"
        assert (ticket.priority, ticket.site, ticket.lot, ticket.is_urgent) == (
            "P1", "SPC RAS", "tma", True)
        assert ticket.phone_call_at == paris(2026, 5, 7, 8, 58)
        assert ticket.requester == self.requester

    def test_level1_declares_on_behalf_of_a_member_of_the_contract(self) -> None:
        self.login(self.level1)
        html = self.client.get(self.URL).content.decode()
        assert 'name="requester"' in html
        assert f'<option value="{self.requester.pk}">rita.spc</option>' in html
        assert "oscar.ailleurs" not in html
        response = self.client.post(self.URL, {"type": "urgent_intervention",
                                               "title": "Reçu par téléphone",
                                               "requester": str(self.requester.pk)})
        assert response.status_code == 302
        ticket = Ticket.objects.get()
        assert ticket.requester == self.requester
        assert ticket.events.get().actor == self.level1

    def test_only_level1_and_the_buyer_manager_are_offered_the_requester(self) -> None:
        for person, offered in ((self.buyer_manager, True), (self.requester, False),
                                (self.technician, False)):
            self.login(person)
            html = self.client.get(self.URL).content.decode()
            assert ('name="requester"' in html) is offered, person
        # Posted anyway, the field is ignored: the ticket is the requester's own.
        self.login(self.requester)
        self.client.post(self.URL, {"type": "urgent_intervention", "title": "x",
                                    "requester": str(self.other_requester.pk)})
        assert Ticket.objects.get().requester == self.requester

    def test_the_form_offers_the_convention_choices(self) -> None:
        self.login(self.level1)
        html = self.client.get(self.URL).content.decode()
        assert '<option value="urgent_intervention">Intervention urgente</option>' in html
        assert '<option value="critique">critique</option>' in html

    def test_missing_title_is_reported_next_to_the_field(self) -> None:
        self.login(self.level1)
        response = self.client.post(self.URL, {"type": "urgent_intervention", "title": ""})
        assert response.status_code == 400
        assert 'id="id_title-messages"' in response.content.decode()
        assert "fr-input-group--error" in response.content.decode()
        assert not Ticket.objects.exists()

    def test_a_phone_call_needs_the_urgent_channel(self) -> None:
        self.login(self.level1)
        response = self.client.post(self.URL, {"type": "urgent_intervention", "title": "x",
                                               "phone_call_at": "2026-01-07T08:58"})
        assert response.status_code == 400
        assert not Ticket.objects.exists()

    def test_the_auditor_may_not_declare(self) -> None:
        self.login(self.auditor)
        assert self.client.get(self.URL).status_code == 403
        assert self.client.post(self.URL, {"type": "urgent_intervention",
                                           "title": "x"}).status_code == 403
        assert not Ticket.objects.exists()
        html = self.client.get("/marches/aquareel/tickets/").content.decode()
        assert self.URL not in html


class ChannelTest(WebTestCase):
    """The channel a request came in by (issue 11 §4): level 1 and the buyer manager, who declare
    on behalf after a call or a mail, say it; anyone else declares on the portal; a phone call
    traced at the opening makes it a phone request unless the channel is said (D-48)."""

    URL = "/marches/aquareel/tickets/nouveau/"

    def test_level1_says_the_request_came_by_mail(self) -> None:
        self.login(self.level1)
        html = self.client.get(self.URL).content.decode()
        assert '<option value="mail">Courriel</option>' in html
        response = self.client.post(self.URL, {"type": "urgent_intervention", "title": "Reçu par courriel",
                                               "requester": str(self.requester.pk), "channel": "mail"})
        assert response.status_code == 302
        assert Ticket.objects.get().channel == "mail"

    def test_only_level1_and_the_buyer_manager_are_offered_the_channel(self) -> None:
        for person, offered in ((self.buyer_manager, True), (self.level1, True),
                                (self.requester, False), (self.technician, False)):
            self.login(person)
            html = self.client.get(self.URL).content.decode()
            assert ('name="channel"' in html) is offered, person
        self.login(self.requester)  # posted anyway, the field is ignored: the portal
        self.client.post(self.URL, {"type": "urgent_intervention", "title": "x", "channel": "soc"})
        assert Ticket.objects.get().channel == "portal"

    def test_a_phone_call_at_the_opening_makes_it_a_phone_request_unless_said(self) -> None:
        self.login(self.level1)
        with at(paris(2026, 5, 7, 9, 0)):
            for channel, expected in (("", "phone"), ("mail", "mail")):
                response = self.client.post(self.URL, {
                    "type": "urgent_intervention", "title": f"Appel {channel}", "is_urgent": "on",
                    "phone_call_at": "2026-05-07T08:58", "channel": channel})
                assert response.status_code == 302
                assert Ticket.objects.get(title=f"Appel {channel}".strip()).channel == expected
        self.login(self.requester)
        with at(paris(2026, 5, 7, 9, 0)):
            self.client.post(self.URL, {"type": "urgent_intervention", "title": "Urgence",
                                        "is_urgent": "on", "phone_call_at": "2026-05-07T08:58"})
        assert Ticket.objects.get(title="Urgence").channel == "phone"

    def test_an_unknown_channel_is_reported_next_to_the_field(self) -> None:
        self.login(self.level1)
        response = self.client.post(self.URL, {"type": "urgent_intervention", "title": "x", "channel": "fax"})
        assert response.status_code == 400
        assert 'id="id_channel-messages"' in response.content.decode()
        assert not Ticket.objects.exists()

    def test_the_ticket_page_shows_the_channel(self) -> None:
        ticket = Ticket.open(self.contract, actor=self.level1, requester=self.requester,
                             type="urgent_intervention", title="Reçu", channel="phone")
        self.login(self.requester)
        html = self.client.get(f"/tickets/{ticket.pk}/").content.decode()
        assert '<th scope="row">Canal</th><td>Téléphone</td>' in html


class NulInFormsTest(WebTestCase):
    def test_nul_in_a_form_or_query_parameter_is_a_located_400(self) -> None:
        self.login(self.level1)
        response = self.client.get("/marches/aquareel/tickets/?q=a%00b")
        assert response.status_code == 400
        assert b"q" in response.content
        response = self.client.post("/marches/aquareel/tickets/nouveau/", {"title": "a\x00b"})
        assert response.status_code == 400


class SubmitOnceTest(WebTestCase):
    def test_a_form_submitted_twice_creates_one_ticket_and_one_comment(self) -> None:
        import re

        self.login(self.level1)
        page = self.client.get("/marches/aquareel/tickets/nouveau/").content.decode()
        token = re.search(r'name="_once" value="([0-9a-f]+)"', page)
        assert token is not None
        assert "data-submit-once" in page
        form = {"_once": token[1], "type": "corrective_maintenance", "title": "Purge",
                "description": ""}
        first = self.client.post("/marches/aquareel/tickets/nouveau/", form)
        again = self.client.post("/marches/aquareel/tickets/nouveau/", form)
        assert first.status_code == again.status_code == 302
        assert again["Location"] == first["Location"]
        assert Ticket.objects.count() == 1
        ticket = Ticket.objects.get()
        comment = {"_once": "abc123", "commenter-body": "Relance"}
        for _ in range(2):
            self.client.post(f"/tickets/{ticket.pk}/commenter/", comment)
        assert ticket.comments.count() == 1
