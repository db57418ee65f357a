"""The pages of a day's work in a real browser (Chromium driven by Playwright), as people use
them, with axe-core on each page visited: a diagnosis the requester then reads, the pages under
the Content-Security-Policy, the contract export, a committee's minutes, the support package's
ledger, a deliverable, an order, a scorecard contested then validated, a time entry, the
requester's home and the footer pages. The role-by-role workflows: test_browser_workflows.py.

Needs Debian's chromium (``/usr/bin/chromium``, or ``CHROMIUM=…``); ``.ci/run`` installs it and
sets ``JALON_BROWSER_REQUIRED=1``, so that a missing browser fails there instead of skipping. The
axe-core check also needs ``npm install --prefix tools/axe`` (done by ``.ci/run``).
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings

from jalon.tickets.models import Ticket, TicketState
from jalon.web.tests import browser
from jalon.web.tests.browser import SHOTS, BrowserCase

pytestmark = browser.pytestmark


class BrowserTest(BrowserCase):
    def test_the_holder_delivers_a_diagnosis_that_the_requester_then_reads(self) -> None:
        with self.page_as(self.technician) as page:
            page.goto(f"{self.live_server_url}/tickets/{self.ticket.pk}/")
            self.open_action(page, "diagnostic")
            form = page.locator(f"form[action='/tickets/{self.ticket.pk}/diagnostic/']")
            form.get_by_label("Diagnostic et cause").fill("Index de la base hydrométrique corrompu")
            form.get_by_label("Impact constaté").fill("Le bassin n’a plus de prévision")
            form.get_by_label("Criticité évaluée par le titulaire").select_option("majeur")
            form.get_by_label("Charge estimée").fill("2 jours")
            form.locator("label", has_text="Solution de contournement").click()  # DSFR draws the radio on its label
            self.shot(page, "diagnosis-form")
            form.get_by_role("button").last.click()
            page.wait_for_url(f"**/tickets/{self.ticket.pk}/**")
            assert "Diagnostic rendu." in page.content()
        self.ticket.refresh_from_db()
        assert self.ticket.state == TicketState.DIAGNOSED
        with self.page_as(self.requester, width=375) as page:
            page.goto(f"{self.live_server_url}/tickets/{self.ticket.pk}/")
            assert page.get_by_role("heading", name="Diagnostic rendu par le titulaire").is_visible()
            assert page.get_by_text("Solution de contournement").is_visible()
            self.shot(page, "diagnosis-read-375")
            self.assert_accessible(page)

    def test_the_ticket_page_of_the_holder_has_no_axe_violation(self) -> None:
        with self.page_as(self.technician) as page:
            page.goto(f"{self.live_server_url}/tickets/{self.ticket.pk}/")
            self.shot(page, "ticket-holder")
            self.assert_accessible(page)

    def test_the_pages_run_under_the_content_security_policy_without_a_violation(self) -> None:
        """DSFR's scripts, styles and icons load under the policy: no violation on the pages of a
        day's work, and the menu (DSFR's JavaScript) still opens."""
        with self.page_as(self.level1, bypass_csp=False) as page:
            page.add_init_script("""window.__violations = [];
                document.addEventListener('securitypolicyviolation', e =>
                    window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));""")
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
            for path in ("/", "/marches/aquareel/tickets/", f"/tickets/{self.ticket.pk}/",
                         "/marches/aquareel/tickets/nouveau/", "/marches/aquareel/tableau-de-bord/",
                         "/marches/aquareel/historique/empreintes/"):
                response = page.goto(self.live_server_url + path)
                assert response is not None
                assert response.status == 200, path
                assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
                page.wait_for_load_state("networkidle")
                assert page.evaluate("window.__violations") == [], path
                assert page.evaluate("typeof window.dsfr") != "undefined", path
            self.shot(page, "csp-history-heads")
        assert errors == []
    def test_the_buyer_manager_downloads_the_whole_contract_from_the_dashboard(self) -> None:
        import zipfile

        with self.page_as(self.buyer_manager) as page:
            page.goto(f"{self.live_server_url}/marches/{self.contract.slug}/tableau-de-bord/")
            button = page.get_by_role("link", name="Exporter le marché entier (réversibilité, ZIP)")
            assert button.is_visible()
            button.scroll_into_view_if_needed()
            self.shot(page, "dashboard-contract-export")
            with page.expect_download() as download:
                button.click()
            saved = SHOTS.parent / "contract-export.zip"
            download.value.save_as(str(saved))
            assert download.value.suggested_filename.startswith(f"marche-{self.contract.slug}-")
            with zipfile.ZipFile(saved) as zf:
                manifest = json.loads(zf.read("manifest.json"))
            saved.unlink()
            assert manifest["contract"]["slug"] == self.contract.slug
            assert "data/tickets.ticket.jsonl" in manifest["members"]
            self.assert_accessible(page)

    # -- governance: the holder sends the minutes of a committee meeting, the buyer validates them

    def test_minutes_sent_then_validated_from_the_meeting_page(self) -> None:
        from datetime import datetime
        from zoneinfo import ZoneInfo

        import time_machine

        from jalon.contracts.models import ConventionVersion
        from jalon.governance.models import Meeting
        from jalon.governance.tests.support import GOVERNED_CONVENTION

        ConventionVersion.load(self.contract, GOVERNED_CONVENTION, "aquareel.yaml")
        held = datetime(2026, 3, 16, 10, tzinfo=ZoneInfo("Europe/Paris"))
        with time_machine.travel(held, tick=False):
            meeting = Meeting.schedule(self.holder_manager, self.contract, "copil", held)
        with time_machine.travel(meeting.ends_at, tick=False):
            meeting.record_attendance(self.holder_manager, "Sophie\nHugo")
        url = f"{self.live_server_url}/marches/{self.contract.slug}/gouvernance/reunions/{meeting.pk}/"
        with self.page_as(self.holder_manager) as page:
            page.goto(url)
            form = page.locator("form[action$='/action/rediger/']")
            form.get_by_label("Relevé de décisions.").fill("Le COPIL valide le plan de progrès.")
            form.get_by_role("button").click()
            page.wait_for_url(url)
            page.locator("form[action$='/action/envoyer/']").get_by_role("button").click()
            page.wait_for_url(url)
            assert "Relevé : Envoyé" in page.content()
            self.shot(page, "governance-meeting-holder")
            self.assert_accessible(page)
        with self.page_as(self.buyer_manager, width=375) as page:
            page.goto(url)
            page.locator("form[action$='/action/valider/']").get_by_role("button").click()
            page.wait_for_url(url)
            assert "Relevé : Validé" in page.content()
            self.shot(page, "governance-meeting-validated-375")
            page.goto(f"{self.live_server_url}/marches/{self.contract.slug}/gouvernance/")
            self.assert_accessible(page)
        meeting.refresh_from_db()
        assert meeting.minutes_state == "validated"

    # -- the support package's ledger (seed 000 §7.2)

    def forfait_month(self) -> None:
        """Last month, an urgent ticket with two time entries charged to the package."""
        from datetime import datetime, time, timedelta

        from django.utils import timezone

        from jalon.contracts.models import ConventionVersion
        from jalon.forfait.tests.base import FORFAIT
        from jalon.lib.clock import replaying
        from jalon.testing.cast import AQUAREEL_CONVENTION

        ConventionVersion.load(self.contract, AQUAREEL_CONVENTION + FORFAIT, "forfait.yaml")
        last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=10)
        self.month = f"{last_month:%Y-%m}"
        zone = timezone.get_current_timezone()
        with replaying(datetime.combine(last_month, time(9), zone)):  # time is logged within its life
            self.urgent = Ticket.open(self.contract, actor=self.requester, type="urgent_intervention",
                                      title="Concentrateur arrêté")
        with replaying(datetime.combine(last_month, time(19), zone)):
            self.entry = self.urgent.log_time(self.technician, minutes=480, spent_on=last_month,
                                              note="Diagnostic")
            self.urgent.log_time(self.technician, minutes=120, spent_on=last_month, note="Remise en service")
        self.ledger = f"{self.live_server_url}/marches/{self.contract.slug}/forfait/?jour={last_month.isoformat()}"

    def test_the_holder_corrects_and_the_buyer_acknowledges(self) -> None:
        from jalon.forfait.models import Acknowledgement

        self.forfait_month()
        with self.page_as(self.holder_manager) as page:
            page.goto(self.ledger)
            page.get_by_role("link", name=f"Corriger la saisie n° {self.entry.pk}").click()
            page.get_by_label("Temps corrigé (minutes)").fill("300")
            page.get_by_label("Motif de la correction").fill("Durée surestimée")
            page.get_by_role("button", name="Enregistrer la correction").click()
            page.wait_for_url("**/forfait/?jour=*")
            assert "Saisie corrigée" in page.content()
            assert page.get_by_role("cell", name="Annulation (de la saisie n°").count() == 1
            self.shot(page, "forfait-holder")
            self.assert_accessible(page)
        with self.page_as(self.buyer_manager) as page:
            page.goto(self.ledger)
            page.get_by_role("button", name=f"Prendre en compte le relevé {self.month}").click()
            page.wait_for_url("**/forfait/?jour=*")
            ack = Acknowledgement.objects.get()
            assert ack.acknowledged_by == self.buyer_manager
            assert page.get_by_text("Pris en compte par").count() == 1
            self.shot(page, "forfait-buyer")
            self.assert_accessible(page)


    # -- the records around the tickets and a role's day, each from its pages: a deliverable, an
    # order, a time entry, the requester's home, axe on the new pages

    def test_the_holder_submits_a_deliverable_that_the_buyer_accepts_with_reservations(self) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from jalon.deliverables.models import Deliverable
        from jalon.deliverables.tests.support import load_terms

        load_terms(self)
        deliverable = Deliverable.expect(self.contract, self.buyer_manager, type="A.4",
                                         title="Rapport d'audit de l'instance", due_on=date(2099, 3, 6))
        deliverable.submit(self.technician, file=SimpleUploadedFile("audit.pdf", b"%PDF-1.4 audit"))
        page_url = f"{self.live_server_url}/marches/{self.contract.slug}/livrables/{deliverable.pk}/"
        with self.page_as(self.buyer_manager) as page:
            page.goto(page_url)
            self.open_action(page, "reserves")
            form = page.locator(f"form[action$='/livrables/{deliverable.pk}/reserves/']")
            form.locator("textarea[name=reserves-reservations]").fill("Annexe B absente\nSynthèse à compléter")
            form.get_by_label("À lever avant le").fill("2099-04-01")
            self.shot(page, "deliverable-reserve-form")
            form.get_by_role("button").last.click()
            page.wait_for_url(f"**/livrables/{deliverable.pk}/")
            assert "Accepté avec réserves" in page.content()
            assert page.locator("li", has_text="R2 — Synthèse à compléter").is_visible()
            self.shot(page, "deliverable-reserved")
            self.assert_accessible(page)
        with self.page_as(self.technician, width=375) as page:
            page.goto(f"{self.live_server_url}/marches/{self.contract.slug}/livrables/")
            assert page.get_by_role("link", name=deliverable.reference).is_visible()
            self.shot(page, "deliverables-register-375")
            self.assert_accessible(page)

    def test_a_requester_orders_and_signs_and_the_order_pages_pass_axe(self) -> None:
        from jalon.orders.loading import load_schedule
        from jalon.orders.models import Order

        schedule = Path(settings.BASE_DIR) / "schedules" / "aquareel.yaml"
        load_schedule(schedule.read_text(encoding="utf-8"), "aquareel.yaml")
        with self.page_as(self.requester) as page:
            page.goto(f"{self.live_server_url}/marches/aquareel/commandes/nouveau/")
            page.get_by_label("Objet").fill("Audit de l’instance de production")
            page.get_by_label("Unité d’œuvre, ligne 1").select_option("AUD")
            page.get_by_label("Quantité, ligne 1").fill("1")
            self.shot(page, "order-create")
            self.assert_accessible(page)
            page.get_by_role("button", name="Enregistrer la demande").click()
            page.wait_for_url("**/marches/aquareel/commandes/1/")
            self.open_action(page, "signer")
            form = page.locator("form[action='/marches/aquareel/commandes/1/signer/']")
            form.get_by_label("Numéro d’engagement juridique").fill("EJ-2026-0042")
            form.get_by_role("button").last.click()
            page.wait_for_url("**/marches/aquareel/commandes/1/")
            assert "Signé — en exécution" in page.content()
            self.shot(page, "order-signed")
            self.assert_accessible(page)
        order = Order.objects.get()
        assert order.commitment_number == "EJ-2026-0042"
        assert order.clocks.get(kind="execution").target_seconds == 20 * 36000
        with self.page_as(self.buyer_manager, width=375) as page:
            page.goto(f"{self.live_server_url}/marches/aquareel/commandes/")
            assert page.get_by_role("link", name=order.reference).is_visible()
            self.shot(page, "order-list-375")
            self.assert_accessible(page)
            page.goto(f"{self.live_server_url}/marches/aquareel/commandes/bordereau/")
            self.assert_accessible(page)
    def test_a_scorecard_proposed_contested_answered_then_validated_and_archived(self) -> None:
        """The holder proposes the last quarter's scorecard; the buyer contests one indicator;
        the holder answers and proposes again; the buyer validates; the archive downloads."""
        import zipfile

        from django.utils import timezone

        from jalon.conventions.period import Period
        from jalon.scorecards.models import PeriodScorecard

        current = Period.quarter_of(timezone.localdate())
        quarter = Period.quarter_of(current.first_day - timedelta(days=1))  # the last one over
        url = f"{self.live_server_url}/marches/{self.contract.slug}/bilans/{quarter}/"
        row = "#indicateur-urgent_on_time"
        with self.page_as(self.holder_manager) as page:
            page.goto(url)
            self.assert_accessible(page)
            page.get_by_role("button", name="Proposer le tableau de bord").click()
            page.wait_for_url(url)
            assert "Tableau de bord proposé à l’acheteur." in page.content()
            assert page.get_by_role("button", name="Valider et figer").count() == 0  # the buyer's
        with self.page_as(self.buyer_manager) as page:
            page.goto(url)
            assert page.get_by_text("Proposé par le titulaire").first.is_visible()
            assert page.get_by_role("button", name="Proposer le tableau de bord").count() == 0
            page.locator(row).get_by_label("Avis").select_option("contested")
            page.locator(row).get_by_label("Commentaire").fill("Deux interventions comptées à tort.")
            page.locator(row).get_by_role("button", name="Accepter ou contester un indicateur").click()
            page.wait_for_url(url + "**")
            assert page.get_by_text("Contesté par l’acheteur").first.is_visible()
            assert page.get_by_role("button", name="Valider et figer").count() == 0  # contested
            self.shot(page, "scorecard-contested-buyer")
            self.assert_accessible(page)
        with self.page_as(self.holder_manager) as page:
            page.goto(url)
            page.locator(row).get_by_label("Commentaire").fill("Ces deux tickets sont hors périmètre.")
            page.locator(row).get_by_role("button", name="Répondre à une contestation").click()
            page.wait_for_url(url + "**")
            assert page.locator(row).get_by_text("Réponse du titulaire").is_visible()
            page.get_by_role("button", name="Proposer le tableau de bord").click()
            page.wait_for_url(url + "**")
            self.assert_accessible(page)
        with self.page_as(self.buyer_manager) as page:
            page.goto(url)
            page.get_by_role("button", name="Valider et figer").click()
            page.wait_for_url(url + "**")
            archive = page.get_by_role("link", name="Archive validée (ZIP, empreintes SHA-256)")
            assert archive.is_visible()
            self.shot(page, "scorecard-validated-buyer")
            self.assert_accessible(page)
            with page.expect_download() as download:
                archive.click()
            saved = SHOTS.parent / "scorecard-archive.zip"
            download.value.save_as(str(saved))
            with zipfile.ZipFile(saved) as zf:
                names = set(zf.namelist())
            saved.unlink()
            assert {"manifest.json", "scorecard.pdf"} <= names, names
        card = PeriodScorecard.objects.get(contract=self.contract, period=str(quarter))
        assert card.status == "validated"

    def test_a_time_entry_from_the_page_with_its_date_prefilled(self) -> None:
        with self.page_as(self.technician) as page:
            page.goto(f"{self.live_server_url}/tickets/{self.ticket.pk}/")
            self.open_action(page, "temps")
            form = page.locator(f"form[action='/tickets/{self.ticket.pk}/temps/']")
            date_field = form.get_by_label("Date", exact=True)
            # the browser accepts the pre-filled day (an ISO value): nothing to type
            assert date_field.input_value() == date_field.get_attribute("max")
            form.get_by_label("Temps passé", exact=True).fill("1.5")
            form.get_by_label("Unité").select_option("h")
            form.get_by_role("button").last.click()
            page.wait_for_url(f"**/tickets/{self.ticket.pk}/**")
            assert "Temps passé enregistré : 90 min." in page.content()
            assert page.get_by_text(re.compile(r"^Temps passé : 90 min")).is_visible()  # the total
            self.assert_accessible(page)
        assert self.ticket.time_entries.get().minutes == 90

    def test_the_requester_finds_from_home_the_ticket_waiting_on_them(self) -> None:
        self.ticket.wait(self.technician, "requester", "Merci de joindre la capture d’écran.")
        with self.page_as(self.requester) as page:
            page.goto(f"{self.live_server_url}/")
            self.assert_accessible(page)
            self.shot(page, "home-requester")
            page.get_by_role("link", name="1 En attente de votre réponse").click()
            page.wait_for_url("**/tickets/?*waiting=requester*")
            assert page.get_by_text("Prévisions absentes du bassin").first.is_visible()
            page.goto(f"{self.live_server_url}/notifications/")
            page.get_by_role("link", name=re.compile("Votre réponse est attendue")).click()
            assert page.get_by_text("Merci de joindre la capture d’écran.").is_visible()
            self.assert_accessible(page)

    def test_the_new_pages_have_no_axe_violation(self) -> None:
        with self.page_as(self.requester) as page:
            for path in ("/notifications/", "/plan-du-site/", "/mentions-legales/", "/donnees-personnelles/",
                         "/cookies/", f"/marches/{self.contract.slug}/tickets/nouveau/"):
                page.goto(f"{self.live_server_url}{path}")
                self.assert_accessible(page)
