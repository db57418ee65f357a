from __future__ import annotations

import pytest
from django.core.management import call_command

from jalon.web.tests.helpers import WebTestCase, at, paris


@pytest.mark.django_db
def test_the_home_page_is_french_and_uses_the_dsfr(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="fr"' in html
    assert "dsfr/dsfr.min.css" in html
    assert "Se connecter" in html


@pytest.mark.django_db
def test_demo_prints_an_admin_login_that_works(client, capsys):
    call_command("demo")
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "admin /" in line)
    password = line.split("admin / ")[1].split()[0]
    assert client.login(username="admin", password=password)
    assert client.get("/admin/").status_code == 200


class HomeTest(WebTestCase):
    def test_it_lists_my_contracts_with_their_tickets_at_risk_and_breached(self) -> None:
        self.worked(paris(2026, 5, 7, 9, 0))  # resolution due Mon 11 May 09:30, risk Thu 17:30
        self.open(paris(2026, 4, 20, 9, 0), "Ancien")  # never taken in charge: breached
        self.login(self.level1)
        with at(paris(2026, 5, 11, 9, 0)):
            response = self.client.get("/")
        [contract] = response.context["contracts"]
        assert (contract.active, contract.at_risk, contract.breached) == (2, 1, 1)
        html = response.content.decode()
        assert 'href="/marches/aquareel/tickets/?at_risk=1&amp;state=active"' in html
        assert 'href="/marches/aquareel/tableau-de-bord/"' in html

    def test_the_navigation_offers_my_tickets_and_my_contracts_only(self) -> None:
        self.login(self.outsider)
        html = self.client.get("/").content.decode()
        assert 'href="/tickets/"' in html
        assert 'href="/marches/callipso/tableau-de-bord/"' in html
        assert "/marches/aquareel/" not in html
