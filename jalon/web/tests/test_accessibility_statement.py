"""The accessibility statement (/accessibilite/, jalon/web/accessibility.py): public, in the RGAA
model's order, with the contact of JALON_ACCESSIBILITY_CONTACT or the buyer service, the means of
redress; and the compliance mention in the footer of every page, linking to it. Its markup is
checked with every other page by test_accessibility.py."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.views import defaults

from jalon.testing import a11y
from jalon.web.accessibility import contact_link
from jalon.web.tests.helpers import WebTestCase, paris

URL = "/accessibilite/"
MENTION = "Accessibilité : non conforme"
FOOTER_LINK = re.compile(
    r'<div class="fr-footer__bottom">\s*<ul class="fr-footer__bottom-list">\s*'
    r'<li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="([^"]*)"'
    r'[^>]*>([^<]*)</a></li>')


def text_of(page: str) -> str:
    """The page's text, tags removed, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def footer_link(page: str) -> tuple[str, str]:
    found = FOOTER_LINK.search(page)
    assert found is not None, "no accessibility mention in the footer"
    return found.group(1), found.group(2)


class StatementTest(WebTestCase):
    def get(self, url: str = URL, **kwargs: Any) -> str:
        response = self.client.get(url, **kwargs)
        assert response.status_code == 200, response.status_code
        return str(response.content.decode())

    def test_the_url_is_named_and_public(self) -> None:
        assert reverse("accessibility") == URL
        response = self.client.get(URL)
        assert response.status_code == 200
        assert "web/accessibility.html" in [t.name for t in response.templates]

    def test_a_signed_in_user_sees_it_too(self) -> None:
        self.login(self.requester)
        assert "Déclaration d’accessibilité" in self.get()

    def test_it_states_the_conformity_status_and_why_no_rate_is_claimed(self) -> None:
        page = self.get()
        text = text_of(page)
        assert "<title>Déclaration d’accessibilité — Jalon</title>" in page
        assert ("Jalon est non conforme avec le référentiel général d’amélioration "
                "de l’accessibilité (RGAA), version 4.1 : il n’a pas encore été audité.") in text
        assert "aucun audit manuel de l’ensemble des critères du RGAA n’a encore été réalisé" in text
        assert "aucun taux de conformité n’est donc avancé" in text
        assert "%" not in text.split("État de conformité")[1].split("Contenus non accessibles")[0]

    def test_it_follows_the_rgaa_model_statement(self) -> None:
        page = self.get()
        headings = [text_of(h) for h in re.findall(r"<h2>(.*?)</h2>", page)]
        assert headings == ["État de conformité", "Résultats des tests",
                            "Contenus non accessibles",
                            "Établissement de cette déclaration d’accessibilité",
                            "Retour d’information et contact", "Voies de recours"]
        text = text_of(page)
        assert "Établie le 23 novembre 2026." in text
        assert "article 47 de la loi n° 2005-102 du 11 février 2005" in text
        for technology in ("HTML", "CSS", "JavaScript", "SVG"):
            assert f"<li>{technology}</li>" in page

    def test_it_gives_the_figures_of_the_automated_checks(self) -> None:
        text = text_of(self.get())
        assert f"selon {len(a11y.RULES)} règles" in text
        assert f"le vérificateur statique de Jalon ({len(a11y.RULES)} règles" in text
        assert "soit 40 pages vues, n’a relevé aucune non-conformité" in text
        assert "axe-core 4.14.1 dans Chromium" in text

    def test_it_lists_what_was_not_checked_by_hand(self) -> None:
        text = text_of(self.get())
        unchecked = text.split("Ce qui n’a pas encore été vérifié")[1].split(
            "Dérogations pour charge disproportionnée")[0]
        for item in ("prise de focus", "zoom de 200 %", "320 pixels", "parcours complet au clavier",
                     "lecteurs d’écran (NVDA avec Firefox, VoiceOver avec Safari)",
                     "pertinence des textes", "couleur seule"):
            assert item in unchecked, item
        assert "PDF balisé (critère 13.3)" in text
        assert "La session se termine 8 heures après la connexion" in text

    @override_settings(SESSION_COOKIE_AGE=3600)
    def test_the_session_limit_follows_the_setting(self) -> None:
        assert "La session se termine 1 heure après la connexion" in text_of(self.get())

    def test_without_a_contact_setting_it_sends_users_to_their_buyer_service(self) -> None:
        assert settings.JALON_ACCESSIBILITY_CONTACT == ""
        text = text_of(self.get())
        assert "Contactez le service acheteur de votre marché" in text
        assert "Contact accessibilité" not in text

    @override_settings(JALON_ACCESSIBILITY_CONTACT="accessibilite@vigicrues.example.fr")
    def test_an_email_contact_is_a_mailto_link(self) -> None:
        page = self.get()
        assert ('Contact accessibilité : <a href="mailto:accessibilite@vigicrues.example.fr">'
                "accessibilite@vigicrues.example.fr</a>") in page
        assert "Contactez le service acheteur" not in page

    @override_settings(JALON_ACCESSIBILITY_CONTACT="https://support.example.fr/accessibilite")
    def test_a_web_contact_is_a_link(self) -> None:
        assert '<a href="https://support.example.fr/accessibilite">' in self.get()

    @override_settings(JALON_ACCESSIBILITY_CONTACT="Service achats <SCV>, 01 23 45 67 89")
    def test_any_other_contact_is_shown_as_text(self) -> None:
        page = self.get()
        assert "Contact accessibilité : Service achats &lt;SCV&gt;, 01 23 45 67 89</p>" in page

    def test_it_gives_the_means_of_redress(self) -> None:
        page = self.get()
        text = text_of(page)
        assert '<a href="https://formulaire.defenseurdesdroits.fr/">' in page
        assert "délégué du Défenseur des droits dans votre région" in text
        assert '<a href="tel:+33969390000">09 69 39 00 00</a>' in page
        assert "Défenseur des droits Libre réponse 71120 75342 Paris CEDEX 07" in text
        assert "gratuit, ne pas mettre de timbre" in text

    def test_it_is_translated(self) -> None:
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        page = self.get()
        text = text_of(page)
        assert '<html lang="en"' in page
        assert "<h1>Accessibility statement</h1>" in page
        assert "Jalon is not compliant" in text
        assert "Accessibilité" not in text
        assert footer_link(page) == (URL, "Accessibility: not compliant")

    def test_the_footer_mention_is_the_status_of_the_statement(self) -> None:
        page = self.get()
        href, mention = footer_link(page)
        assert (href, mention) == (URL, MENTION)
        status = mention.split(" : ")[1]  # "non conforme"
        assert f"Jalon est {status} avec le référentiel" in text_of(page)
        assert 'href="/accessibilite/" aria-current="page"' in page

    def test_the_footer_of_every_page_links_to_it(self) -> None:
        ticket = self.open(paris(2026, 5, 4, 9, 0))
        anonymous = ["/", "/connexion/", "/nulle-part/", URL]
        signed_in = ["/", "/tickets/", "/marches/aquareel/tickets/",
                     "/marches/aquareel/tickets/nouveau/", "/marches/aquareel/tableau-de-bord/",
                     f"/tickets/{ticket.pk}/", "/compte/double-authentification/", URL]
        pages: dict[str, Any] = {url: self.client.get(url) for url in anonymous}
        self.login(self.buyer_manager)
        pages |= {f"{url} (signed in)": self.client.get(url) for url in signed_in}
        pages["500"] = defaults.server_error(RequestFactory().get("/"))
        for name, response in pages.items():
            assert response.status_code in (200, 404, 500), name
            href, mention = footer_link(response.content.decode())
            assert (href, mention) == (URL, MENTION), name
            if name not in (URL, f"{URL} (signed in)"):
                assert 'aria-current="page">Accessibilité' not in response.content.decode(), name


# -- every page template has the footer ------------------------------------------------------

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("jalon/*/templates"))]
NOT_PAGES = ("messaging/",  # e-mails, with their own layout
             "admin/",  # Django's admin, its own layout (the statement names it apart)
             "billing/")  # the Factur-X invoice draft's PDF layout, not a page


def _templates() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")):
            found.setdefault(path.relative_to(folder).as_posix(), path)
    return found


TEMPLATES = _templates()
PAGE_TEMPLATES = sorted(name for name in TEMPLATES
                        if name != "base.html" and not name.startswith(NOT_PAGES)
                        and not Path(name).name.startswith("_"))


def test_there_are_page_templates() -> None:
    assert {"web/accessibility.html", "web/home.html", "404.html",
            "accounts/login.html"} <= set(PAGE_TEMPLATES)


@pytest.mark.parametrize("name", PAGE_TEMPLATES)
def test_every_page_template_extends_base_html_and_so_has_the_footer(name: str) -> None:
    """A page (any template but the partials, "_….html", and the e-mails) extends base.html,
    directly or through another template, and so carries the footer's accessibility mention."""
    chain = [name]
    while chain[-1] != "base.html":
        source = TEMPLATES[chain[-1]].read_text(encoding="utf-8")
        parent = re.match(r"\s*(?:\{%\s*load[^%]*%\}\s*)*\{%\s*extends\s+[\"']([^\"']+)[\"']",
                          source)
        assert parent is not None, f"{' → '.join(chain)} does not extend base.html"
        assert parent.group(1) in TEMPLATES, chain
        assert parent.group(1) not in chain, chain
        chain.append(parent.group(1))
    base = TEMPLATES["base.html"].read_text(encoding="utf-8")
    footer = base.split('<footer class="fr-footer"')[1].split("</footer>")[0]
    assert "{% url 'accessibility' %}" in footer
    assert '{% translate "Accessibilité : non conforme" %}' in footer


# -- the contact setting -----------------------------------------------------------------------

@pytest.mark.parametrize(("contact", "href"), [
    ("accessibilite@example.fr", "mailto:accessibilite@example.fr"),
    ("https://example.fr/contact", "https://example.fr/contact"),
    ("http://intranet.example.fr/a11y", "http://intranet.example.fr/a11y"),
    ("Service achats, 01 23 45 67 89", ""),
    ("javascript:alert(1)", ""),
    ("ftp://example.fr/", ""),
])
def test_contact_link(contact: str, href: str) -> None:
    assert contact_link(contact) == href
