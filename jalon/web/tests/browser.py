"""What the browser tests share: a live server, Chromium driven by Playwright, the cast signed in
as a page, axe-core run inside the page. Screenshots go to ``var/screenshots/``.

Each test module has one class, so one live server and one browser (started in ``setUpClass``).

Needs Debian's chromium (``/usr/bin/chromium``, or ``CHROMIUM=…``); ``.ci/run`` installs it and
sets ``JALON_BROWSER_REQUIRED=1``, so that a missing browser fails there instead of skipping. The
axe-core check also needs ``npm install --prefix tools/axe`` (done by ``.ci/run``).
"""

from __future__ import annotations

import json
import os
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
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from jalon.testing.cast import Cast
from jalon.tickets.models import Criticality, Ticket

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
AXE = Path(settings.BASE_DIR) / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
"""The axe-core rules run: WCAG 2.0 and 2.1, levels A and AA."""
REQUIRED = os.environ.get("JALON_BROWSER_REQUIRED") == "1"

pytestmark = pytest.mark.skipif(not CHROMIUM and not REQUIRED,
                                reason="Chromium is not installed (apt install chromium)")


# The live server wraps its handler in a media handler, which needs a URL: attachments are never
# served from it (MEDIA_URL is None in production), only through the access-checked view.
@override_settings(STATIC_URL="/static/", MEDIA_URL="/media-never-served/")
class BrowserCase(Cast, StaticLiveServerTestCase):
    """A browser on a live server, the cast, and a ticket the holder is working on."""

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
    def page_as(self, user: Any, width: int = 1280, *, bypass_csp: bool = True) -> Iterator[Any]:
        """A page signed in as ``user``; axe-core is injected as an inline script, which the
        Content-Security-Policy refuses: only the test of that policy keeps it."""
        client = Client()
        client.force_login(user)
        context = self.browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR",
                                           bypass_csp=bypass_csp)
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

    def open_action(self, page: Any, slug: str) -> None:
        """Open the accordion of the action ``slug`` (``action-<slug>``). A click that lands
        before DSFR's script has started does nothing (a slow machine): it is made again."""
        toggle = page.locator(f"button[aria-controls='action-{slug}']").first
        for _attempt in range(4):
            toggle.click()
            try:
                page.wait_for_function("(b) => b.getAttribute('aria-expanded') === 'true'",
                                       arg=toggle.element_handle(), timeout=5000)
            except PlaywrightTimeout:
                continue
            page.locator(f"#action-{slug}").wait_for(state="visible")
            return
        raise AssertionError(f"the action {slug} does not open")

    def assert_accessible(self, page: Any) -> None:
        """axe-core's WCAG 2.x A/AA rules find nothing on the page as it stands."""
        violations = self.axe_violations(page)
        assert violations == [], page.url + json.dumps(violations, ensure_ascii=False, indent=1)

    def axe_violations(self, page: Any) -> list[dict[str, Any]]:
        if not AXE.exists():
            if REQUIRED:
                pytest.fail(f"{AXE} is missing: npm install --prefix tools/axe")
            return []
        page.add_script_tag(path=str(AXE))
        found = page.evaluate("""async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}));
        }""", list(AXE_TAGS))
        return list(found)
