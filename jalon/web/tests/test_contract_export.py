"""The whole-contract export (reversibility) on the dashboard: the two managers download it, the
other roles are refused, an outsider finds nothing; the archive holds only this contract."""

from __future__ import annotations

import io
import json
import zipfile

from jalon.tickets.models import Ticket
from jalon.web.tests.helpers import WebTestCase, at, paris, streamed

URL = "/marches/aquareel/export-reversibilite.zip"


class ContractExportPageTest(WebTestCase):
    def setUp(self) -> None:
        self.ticket = self.worked(paris(2026, 5, 7, 9, 0))
        with at(paris(2026, 5, 7, 11, 0)):  # the outsider manages the other contract
            Ticket.open(self.other_contract, actor=self.outsider, type="urgent_intervention",
                        title="Callipso seulement")

    def archive(self) -> zipfile.ZipFile:
        response = self.client.get(URL)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert response["Cache-Control"] == "no-store"
        assert 'filename="marche-aquareel-' in response["Content-Disposition"]
        return zipfile.ZipFile(io.BytesIO(streamed(response)))

    def test_the_managers_download_the_contract_and_only_it(self) -> None:
        for manager in (self.buyer_manager, self.holder_manager):
            self.login(manager)
            with self.archive() as zf:
                manifest = json.loads(zf.read("manifest.json"))
                assert manifest["contract"]["slug"] == "aquareel"
                contracts = [json.loads(line) for line in zf.read("data/contracts.contract.jsonl").splitlines()]
                assert [c["slug"] for c in contracts] == ["aquareel"]
                titles = {json.loads(line)["title"] for line in zf.read("data/tickets.ticket.jsonl").splitlines()}
                assert "Callipso seulement" not in titles
                assert "Concentrateur arrêté" in titles
                people = {json.loads(line)["username"] for line in zf.read("data/auth.user.jsonl").splitlines()}
                assert self.outsider.username not in people
                assert self.buyer_manager.username in people
                assert "conventions/v1-aquareel.yaml" in zf.namelist()

    def test_the_button_shows_for_the_managers_only(self) -> None:
        for user in (self.buyer_manager, self.holder_manager):
            self.login(user)
            html = self.client.get("/marches/aquareel/tableau-de-bord/").content.decode()
            assert URL in html, user
        for user in (self.level1, self.technician, self.auditor):
            self.login(user)
            html = self.client.get("/marches/aquareel/tableau-de-bord/").content.decode()
            assert URL not in html, user

    def test_the_other_roles_are_refused_and_an_outsider_finds_nothing(self) -> None:
        for user in (self.level1, self.requester, self.technician, self.auditor):
            self.login(user)
            assert self.client.get(URL).status_code == 403, user
        self.login(self.outsider)
        assert self.client.get(URL).status_code == 404
        assert self.client.get("/marches/inconnu/export-reversibilite.zip").status_code == 404
        self.client.logout()
        response = self.client.get(URL)
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/")
