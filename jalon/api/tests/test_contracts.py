from __future__ import annotations

import io
import json
import zipfile

from jalon.accounts.models import Membership, Role
from jalon.api.tests.base import ApiTestCase


class ContractsTest(ApiTestCase):
    def test_the_list_gives_each_contract_with_my_roles(self) -> None:
        Membership.objects.create(user=self.level1, contract=self.contract, role=Role.AUDITOR)
        body = self.get("/contracts", self.level1).json()
        assert body == [{
            "slug": "aquareel", "reference": "AQR-2026", "name": "TMA AQUAREEL",
            "buyer": "Service Central Vigicrues", "holder": "Titulaire AQUAREEL",
            "starts_on": None, "ends_on": None, "roles": ["auditor", "level1_agent"]}]

    def test_the_detail_gives_the_convention_vocabulary(self) -> None:
        body = self.get("/contracts/aquareel", self.requester).json()
        assert body["roles"] == ["requester"]
        convention = body["convention"]
        assert (convention["number"], convention["version"]) == (1, "2026.1")
        assert convention["types"] == ["urgent_intervention", "anomaly_qualification",
                                       "corrective_maintenance"]
        assert [p["id"] for p in convention["priorities"]] == ["P1", "P2", "P3"]
        assert convention["urgencies"] == ["critique", "majeure", "mineure"]
        assert convention["impacts"] == ["entreprise", "site", "utilisateur"]
        assert [c["id"] for c in convention["clocks"]] == [
            "prise_en_charge", "resolution", "qualification"]

    def test_a_contract_is_found_by_its_slug_only_if_it_is_mine(self) -> None:
        assert self.get("/contracts/callipso", self.outsider).status_code == 200
        self.assert_error(self.get("/contracts/callipso", self.requester), 404)
        self.assert_error(self.get("/contracts/inexistant", self.requester), 404)

    def test_the_managers_download_the_whole_contract_and_the_others_may_not(self) -> None:
        for manager in (self.buyer_manager, self.holder_manager):
            response = self.get("/contracts/aquareel/export", manager)
            assert response.status_code == 200
            assert response["Content-Type"] == "application/zip"
            assert response["Cache-Control"] == "no-store"
            with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zf:
                assert json.loads(zf.read("manifest.json"))["contract"]["slug"] == "aquareel"
        for role in ("level1", "requester", "technician", "auditor"):
            self.assert_error(self.get("/contracts/aquareel/export", self.cast[role]), 403)
        self.assert_error(self.get("/contracts/aquareel/export", self.outsider), 404)
