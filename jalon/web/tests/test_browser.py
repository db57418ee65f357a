"""The ticket page in a real browser (Chromium driven by Playwright), as people use it: the holder
opens the diagnosis form, fills it and sends it; the requester reads the diagnosis; the page has
no accessibility violation that axe-core finds. Screenshots go to ``var/screenshots/``.

Needs Debian's chromium (``/usr/bin/chromium``, or ``CHROMIUM=…``); ``.ci/run`` installs it and
sets ``JALON_BROWSER_REQUIRED=1``, so that a missing browser fails there instead of skipping. The
axe-core check also needs ``npm install --prefix tools/axe`` (done by ``.ci/run``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import Client, override_settings
from playwright.sync_api import Browser, Playwright, sync_playwright

from jalon.testing.cast import Cast
from jalon.tickets.models import Criticality, Ticket, TicketState

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
AXE = Path(settings.BASE_DIR) / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
REQUIRED = os.environ.get("JALON_BROWSER_REQUIRED") == "1"

pytestmark = pytest.mark.skipif(not CHROMIUM and not REQUIRED,
                                reason="Chromium is not installed (apt install chromium)")


# The live server wraps its handler in a media handler, which needs a URL: attachments are never
# served from it (MEDIA_URL is None in production), only through the access-checked view.
@override_settings(STATIC_URL="/static/", MEDIA_URL="/media-never-served/")
class BrowserTest(Cast, StaticLiveServerTestCase):
    playwright: Playwright
    browser: Browser

    @classmethod
    def setUpClass(cls) -> None:
        # Playwright's sync API runs an event loop in this thread; the ORM calls below are plain
        # synchronous test code, not request handling.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        assert CHROMIUM, "JALON_BROWSER_REQUIRED=1 but no Chromium: apt install chromium"
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])

    @classmethod
    def tearDownClass(cls) -> None:
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def setUp(self) -> None:
        type(self).create_cast()
        self.ticket = Ticket.open(self.contract, actor=self.requester, type="anomaly_qualification",
                                  title="Prévisions absentes du bassin")
        self.ticket.qualify(self.level1, urgency="majeure", impact="site", criticality=Criticality.MAJEUR)
        self.ticket.assign(self.level1, group="N2_TMA", person=self.technician)
        self.ticket.start_work(self.technician)

    @contextmanager
    def page_as(self, user: Any, width: int = 1280) -> Iterator[Any]:
        client = Client()
        client.force_login(user)
        context = self.browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
        host = self.live_server_url.split("//")[1].split(":")[0]
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                              "domain": host, "path": "/"}])
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()

    def shot(self, page: Any, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def axe_violations(self, page: Any) -> list[dict[str, Any]]:
        if not AXE.exists():
            if REQUIRED:
                pytest.fail(f"{AXE} is missing: npm install --prefix tools/axe")
            return []
        page.add_script_tag(path=str(AXE))
        found = page.evaluate("""async () => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values:
                ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return result.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}));
        }""")
        return list(found)

    def test_the_holder_delivers_a_diagnosis_that_the_requester_then_reads(self) -> None:
        with self.page_as(self.technician) as page:
            page.goto(f"{self.live_server_url}/tickets/{self.ticket.pk}/")
            page.get_by_text("Rendre le diagnostic", exact=True).first.click()
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
            violations = self.axe_violations(page)
            assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)

    def test_the_ticket_page_of_the_holder_has_no_axe_violation(self) -> None:
        with self.page_as(self.technician) as page:
            page.goto(f"{self.live_server_url}/tickets/{self.ticket.pk}/")
            self.shot(page, "ticket-holder")
            violations = self.axe_violations(page)
            assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)

    def test_a_time_entry_from_the_page_with_its_date_prefilled(self) -> None:
        with self.page_as(self.technician) as page:
            page.goto(f"{self.live_server_url}/tickets/{self.ticket.pk}/")
            page.get_by_text("Saisir du temps passé", exact=True).first.click()
            form = page.locator(f"form[action='/tickets/{self.ticket.pk}/temps/']")
            date_field = form.get_by_label("Date", exact=True)
            # the browser accepts the pre-filled day (an ISO value): nothing to type
            assert date_field.input_value() == date_field.get_attribute("max")
            form.get_by_label("Temps passé", exact=True).fill("1.5")
            form.get_by_label("Unité").select_option("h")
            form.get_by_role("button").last.click()
            page.wait_for_url(f"**/tickets/{self.ticket.pk}/**")
            assert "Temps passé enregistré : 90 min." in page.content()
        assert self.ticket.time_entries.get().minutes == 90

    def test_the_requester_finds_from_home_the_ticket_waiting_on_them(self) -> None:
        self.ticket.wait(self.technician, "requester", "Merci de joindre la capture d’écran.")
        with self.page_as(self.requester) as page:
            page.goto(f"{self.live_server_url}/")
            assert self.axe_violations(page) == []
            self.shot(page, "home-requester")
            page.get_by_role("link", name="1 En attente de votre réponse").click()
            page.wait_for_url("**/tickets/?*waiting=requester*")
            assert page.get_by_text("Prévisions absentes du bassin").first.is_visible()
            page.goto(f"{self.live_server_url}/notifications/")
            page.get_by_role("link", name=re.compile("Votre réponse est attendue")).click()
            assert page.get_by_text("Merci de joindre la capture d’écran.").is_visible()
            violations = self.axe_violations(page)
            assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)

    def test_the_new_pages_have_no_axe_violation(self) -> None:
        with self.page_as(self.requester) as page:
            for path in ("/notifications/", "/plan-du-site/", "/mentions-legales/", "/donnees-personnelles/",
                         "/cookies/", f"/marches/{self.contract.slug}/tickets/nouveau/"):
                page.goto(f"{self.live_server_url}{path}")
                violations = self.axe_violations(page)
                assert violations == [], path + json.dumps(violations, ensure_ascii=False, indent=1)
