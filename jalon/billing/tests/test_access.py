"""The billing page, its files and the API: who sees what (outsiders get 404)."""

from __future__ import annotations

from facturx import get_xml_from_pdf

from jalon.api.tests.base import ApiTestCase
from jalon.billing.tests.test_billing import AFTER, AcceptedInQ1
from jalon.lib.clock import replaying


class BillingAccessTest(AcceptedInQ1, ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.accept_in_q1()

    def test_the_api_gives_the_elements_and_the_holder_its_draft(self) -> None:
        with replaying(AFTER):
            found = self.get("/contracts/aquareel/billing/2026-Q1", self.buyer_manager)
            assert found.status_code == 200, found.content
            data = found.json()
            assert [o["reference"] for o in data["accepted"]] == [self.revised.reference, self.cut.reference]
            assert data["accepted"][0]["lines"][0]["unit_price"] == "864.45"
            assert data["refactions"] == "100.00"
            assert data["scorecard"]["validated"] is False
            assert self.get("/contracts/aquareel/billing/2026-Q1/elements.xlsx", self.auditor).status_code == 200
            draft = self.get("/contracts/aquareel/billing/2026-Q1/invoice.pdf", self.holder_manager)
            assert draft.status_code == 200
            assert get_xml_from_pdf(draft.content, check_xsd=True)[0] == "factur-x.xml"
            self.assert_error(self.get("/contracts/aquareel/billing/2026-Q1/invoice.pdf", self.buyer_manager), 403)
            self.assert_error(self.get("/contracts/aquareel/billing/2025-Q1/invoice.pdf", self.holder_manager),
                              400, "period")
            self.assert_error(self.get("/contracts/aquareel/billing/2026-Q9", self.buyer_manager), 400, "period")
            for weak in (self.requester, self.technician, self.level1):
                self.assert_error(self.get("/contracts/aquareel/billing/2026-Q1", weak), 403)
            for path in ("/contracts/aquareel/billing/2026-Q1", "/contracts/aquareel/billing/2026-Q1/elements.xlsx",
                         "/contracts/aquareel/billing/2026-Q1/invoice.pdf"):
                self.assert_error(self.get(path, self.outsider), 404)

    def test_the_page_says_the_scorecard_is_not_validated_and_offers_the_draft_to_the_holder(self) -> None:
        with replaying(AFTER):
            self.client.force_login(self.holder_manager)
            page = self.client.get("/marches/aquareel/facturation/?periode=2026-Q1").content.decode()
            assert "Bilan de la période non validé" in page
            assert self.revised.reference in page
            assert "864.45" in page.replace(",", ".")
            assert "/marches/aquareel/facturation/2026-Q1.facturx" in page
            assert self.client.get("/marches/aquareel/facturation/2026-Q1.facturx").status_code == 200
            self.client.force_login(self.buyer_manager)
            page = self.client.get("/marches/aquareel/facturation/?periode=2026-Q1").content.decode()
            assert "/marches/aquareel/facturation/2026-Q1.facturx" not in page
            assert self.client.get("/marches/aquareel/facturation/2026-Q1.facturx").status_code == 403
            assert self.client.get("/marches/aquareel/facturation/2026-Q1.xlsx").status_code == 200
            self.client.force_login(self.technician)
            assert self.client.get("/marches/aquareel/facturation/").status_code == 403
            self.client.force_login(self.outsider)
            for path in ("/marches/aquareel/facturation/", "/marches/aquareel/facturation/2026-Q1.xlsx",
                         "/marches/aquareel/facturation/2026-Q1.facturx"):
                assert self.client.get(path).status_code == 404, path
