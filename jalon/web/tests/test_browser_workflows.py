"""Each role's part of a day's work in a real browser (Chromium driven by Playwright), with axe-core
on every page visited: an urgent intervention from its declaration to its closure, each role
seeing what it must and offered only what it may do, and the dashboard's drill-down from a figure
to the tickets behind it. One class: one live server and one browser for the module.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Locator, Page

from jalon.contracts.models import ConventionVersion
from jalon.lib.clock import replaying
from jalon.testing import a11y
from jalon.testing.cast import AQUAREEL_CONVENTION
from jalon.tickets.models import Ticket, TicketState
from jalon.web.tests import browser
from jalon.web.tests.browser import BrowserCase

pytestmark = browser.pytestmark

# The contract's urgent channel: the type "Intervention urgente" is urgent by itself.
URGENT_CONVENTION = AQUAREEL_CONVENTION.replace(
    "{id: urgent_intervention, label: Intervention urgente}",
    "{id: urgent_intervention, label: Intervention urgente, urgent: true}")
HOTLINE = "01 40 00 00 00"


class RoleWorkflowsTest(BrowserCase):
    def test_each_role_s_home_says_what_to_do_now(self) -> None:
        """Each role's home, its first item linked to its list (the ticket the holder works on
        counts for the technician's diagnoses due); and the axe-core rules the static checks
        leave to the browser on the pages it opens (a11y.AXE_COVERS) are among those it runs."""
        homes = {"buyer_manager": "Délais à risque", "level1": "Tickets à qualifier",
                 "requester": "En attente de votre réponse", "holder_manager": "Tickets à affecter",
                 "technician": "À prendre en charge", "auditor": None}
        for person, first_item in homes.items():
            with self.page_as(getattr(self, person)) as page:
                page.goto(f"{self.live_server_url}/")
                if first_item is None:
                    assert page.get_by_text("Rien ne vous attend").is_visible(), person
                else:
                    assert page.get_by_role("link", name=re.compile(rf"^\d+ {first_item}$")).is_visible(), person
                self.shot(page, f"home-{person}")
                self.assert_accessible(page)
        with self.page_as(self.requester) as page:
            page.goto(f"{self.live_server_url}/")
            page.add_script_tag(path=str(browser.AXE))
            run = set(page.evaluate(f"axe.getRules({json.dumps(list(browser.AXE_TAGS))}).map(r => r.ruleId)"))
        assert {rule for rules in a11y.AXE_COVERS.values() for rule in rules} <= run

    def offered(self, page: Page, *labels: str) -> list[str]:
        """Which of the ticket page's actions (by their button's text) the page offers."""
        return [label for label in labels
                if page.get_by_text(label, exact=True).count() > 0]

    def act(self, page: Page, ticket: Ticket, label: str, slug: str) -> Locator:
        """Open the action ``label`` of the ticket page; its form."""
        assert page.get_by_text(label, exact=True).count() > 0, label
        self.open_action(page, slug)
        return page.locator(f"form[action='/tickets/{ticket.pk}/{slug}/']")

    def send(self, page: Page, form: Locator, ticket: Ticket, message: str) -> None:
        form.get_by_role("button").last.click()
        page.wait_for_url(f"**/tickets/{ticket.pk}/**")
        assert message in page.content(), message

    def test_an_urgent_intervention_from_declaration_to_closure_with_each_role(self) -> None:
        ConventionVersion.load(self.contract, URGENT_CONVENTION, "aquareel.yaml")
        self.contract.hotline = HOTLINE
        self.contract.save(update_fields=["hotline"])
        base = self.live_server_url
        holder_actions = ("Commencer le traitement", "Rendre le diagnostic", "Résoudre")
        buyer_actions = ("Qualifier", "Affecter")

        # The requester declares by choosing the urgent type alone, with the hotline in view.
        with self.page_as(self.requester) as page:
            page.goto(f"{base}/marches/{self.contract.slug}/tickets/nouveau/")
            assert page.get_by_role("link", name=HOTLINE).first.is_visible()
            page.get_by_label("Type de demande").select_option("urgent_intervention")
            page.get_by_label("Objet").fill("Station de Sisteron muette")
            page.get_by_label("Description").fill("Plus aucune mesure depuis 6 h.")
            page.get_by_label("Site").fill("SPC Alpes-Durance")
            self.assert_accessible(page)
            page.get_by_role("button", name="Déclarer").click()
            page.wait_for_url(re.compile(r"/tickets/\d+/$"))
            ticket = Ticket.objects.get(title="Station de Sisteron muette")
            assert ticket.is_urgent
            assert ticket.requester == self.requester
            assert self.offered(page, *buyer_actions, *holder_actions, "Clore") == []
            self.shot(page, "urgent-declared-requester")
            self.assert_accessible(page)

        # The alert: the holder's side is told at once, in the application as by e-mail.
        with self.page_as(self.holder_manager) as page:
            page.goto(f"{base}/notifications/")
            page.get_by_role("link", name=f"[{ticket.reference}] Demande urgente : Station de Sisteron muette").click()
            page.wait_for_url("**/notifications/*/")
            assert page.get_by_text("Plus aucune mesure depuis 6 h.").first.is_visible()
            self.assert_accessible(page)

        # Level 1 qualifies and assigns to the holder; the holder's work is not theirs.
        with self.page_as(self.level1) as page:
            page.goto(f"{base}/tickets/{ticket.pk}/")
            assert self.offered(page, "Commencer le traitement", "Rendre le diagnostic") == []
            form = self.act(page, ticket, "Qualifier", "qualifier")
            form.get_by_label("Urgence").select_option("critique")
            form.get_by_label("Impact").select_option("site")
            form.get_by_label("Criticité").select_option("bloquant")
            self.send(page, form, ticket, "Ticket qualifié : priorité P1.")
            form = self.act(page, ticket, "Affecter", "affecter")
            form.get_by_label("Groupe").fill("Titulaire N2")
            form.get_by_label("Intervenant").select_option(str(self.technician.pk))
            self.send(page, form, ticket, "Ticket affecté.")
            self.assert_accessible(page)

        # The holder takes charge, diagnoses, resolves; closing is not theirs.
        ticket.add_comment(self.technician, "Piste interne : carte SIM expirée.", internal=True)
        with self.page_as(self.technician) as page:
            page.goto(f"{base}/tickets/{ticket.pk}/")
            assert self.offered(page, "Qualifier", "Clore") == []
            self.send(page, self.act(page, ticket, "Commencer le traitement", "demarrer"), ticket,
                      "Traitement commencé.")
            form = self.act(page, ticket, "Rendre le diagnostic", "diagnostic")
            form.get_by_label("Diagnostic et cause").fill("Carte SIM du modem expirée")
            form.get_by_label("Impact constaté").fill("Aucune mesure transmise")
            form.get_by_label("Criticité évaluée par le titulaire").select_option("bloquant")
            form.get_by_label("Charge estimée").fill("2 heures")
            form.locator("label", has_text="Correction définitive").click()
            self.send(page, form, ticket, "Diagnostic rendu.")
            form = self.act(page, ticket, "Résoudre", "resoudre")
            form.locator("label", has_text="Définitive").click()
            form.get_by_label("Note").fill("Carte SIM remplacée, mesures reçues.")
            self.send(page, form, ticket, "Ticket résolu.")
            assert self.offered(page, "Clore") == []
            assert page.get_by_text("Piste interne : carte SIM expirée.").is_visible()
            self.shot(page, "urgent-resolved-holder")
            self.assert_accessible(page)

        # The requester reads the resolution, not the holder's internal note, and closes.
        with self.page_as(self.requester, width=375) as page:
            page.goto(f"{base}/tickets/{ticket.pk}/")
            assert page.get_by_text("Carte SIM remplacée, mesures reçues.").first.is_visible()
            assert "Piste interne" not in page.content()
            assert self.offered(page, *buyer_actions, *holder_actions) == []
            form = self.act(page, ticket, "Clore", "clore")
            form.get_by_label("Note").fill("Mesures revenues, merci.")
            self.send(page, form, ticket, "Ticket clos.")
            self.shot(page, "urgent-closed-requester-375")
            self.assert_accessible(page)
        ticket.refresh_from_db()
        assert ticket.state == TicketState.CLOSED
        assert [c.kind for c in ticket.clocks.order_by("kind")] == ["prise_en_charge", "resolution"]
        assert all(c.stopped_at is not None for c in ticket.clocks.all())

    def test_the_dashboard_drills_down_from_a_figure_to_the_tickets_behind_it(self) -> None:
        with replaying(timezone.now() - timedelta(days=10)):  # never taken in charge since
            late = Ticket.open(self.contract, actor=self.requester, type="urgent_intervention",
                               title="Pluviomètre de Digne muet")
        base = self.live_server_url
        with self.page_as(self.buyer_manager) as page:
            page.goto(f"{base}/marches/{self.contract.slug}/tableau-de-bord/")
            self.assert_accessible(page)
            callout = page.locator(".fr-callout", has=page.get_by_role("heading", name="Tickets en dépassement"))
            callout.get_by_role("link", name="1").click()
            page.wait_for_url(f"**/marches/{self.contract.slug}/tickets/?*")
            assert page.get_by_role("link", name=late.reference).is_visible()
            assert page.get_by_role("link", name=self.ticket.reference).count() == 0  # on time
            self.shot(page, "dashboard-drilldown-list")
            self.assert_accessible(page)
            page.get_by_role("link", name=late.reference).click()
            page.wait_for_url(f"**/tickets/{late.pk}/")
            assert page.get_by_role("heading", name=re.compile("Pluviomètre de Digne muet")).is_visible()
            self.assert_accessible(page)
        with self.page_as(self.requester) as page:  # the figures are the staff's
            response = page.goto(f"{base}/marches/{self.contract.slug}/tableau-de-bord/")
            assert response is not None
            assert response.status in (403, 404)
            self.assert_accessible(page)
