"""The DSFR footer's mandatory links, each with its page, public; the favicon; the admin is
Jalon's, in French (issue 16, DSFR)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from jalon.web.tests.helpers import WebTestCase

PAGES = {"/plan-du-site/": "Plan du site", "/accessibilite/": "Déclaration d’accessibilité",
         "/mentions-legales/": "Mentions légales", "/donnees-personnelles/": "Données personnelles",
         "/cookies/": "Gestion des cookies"}


@pytest.mark.django_db
def test_every_page_links_the_footer_pages_and_the_favicon(client):
    html = client.get("/").content.decode()
    footer = html[html.index('<footer'):]
    for path in PAGES:
        assert f'href="{path}"' in footer, path
    assert 'rel="icon" href="/static/dsfr/favicon/favicon.svg"' in html
    assert 'favicon.ico' in html
    for path, title in PAGES.items():
        page = client.get(path)
        assert page.status_code == 200, path
        assert f"<h1>{title}" in page.content.decode(), path


@pytest.mark.django_db
def test_the_legal_pages_say_what_the_operator_has_not_filled_in(client):
    assert "JALON_LEGAL_PUBLISHER" in client.get("/mentions-legales/").content.decode()
    with override_settings(JALON_LEGAL_PUBLISHER="Service Central Vigicrues", JALON_PRIVACY_CONTACT="dpd@example.fr"):
        assert "Service Central Vigicrues" in client.get("/mentions-legales/").content.decode()
        assert "dpd@example.fr" in client.get("/donnees-personnelles/").content.decode()
    cookies = client.get("/cookies/").content.decode()
    assert "sessionid" in cookies
    assert "csrftoken" in cookies


class SiteMapTest(WebTestCase):
    def test_the_site_map_lists_the_user_s_contracts(self) -> None:
        self.login(self.level1)
        html = self.client.get("/plan-du-site/").content.decode()
        assert 'href="/marches/aquareel/tickets/"' in html
        assert 'href="/notifications/"' in html
        assert 'href="/marches/callipso/tickets/"' not in html

    def test_the_admin_is_titled_jalon_in_french(self) -> None:
        self.buyer_manager.is_staff = self.buyer_manager.is_superuser = True
        self.buyer_manager.save()
        self.login(self.buyer_manager)
        html = self.client.get("/admin/").content.decode()
        assert "Administration de Jalon" in html
        assert "Django" not in html.split("<body")[1].split("</header>")[0]
