"""The deliverables' API and pages: the register's fields, versions, transitions, exports, and
every view and endpoint closed to outsiders (404) and to roles too weak (403)."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jalon.api.tests.base import ApiTestCase
from jalon.deliverables.models import Deliverable
from jalon.deliverables.tests.support import load_terms, pdf


class DeliverablesApiTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_terms(cls)

    def setUp(self) -> None:
        self.d = Deliverable.expect(self.contract, self.buyer_manager, type="A.4",
                                    title="Rapport d'audit de l'instance", due_on=date(2099, 3, 6))
        self.base = f"/contracts/{self.contract.slug}/deliverables"

    def test_the_register_has_title_due_on_status(self) -> None:
        response = self.get(self.base, self.holder_manager)
        assert response.status_code == 200, response.content
        row = response.json()["items"][0]
        assert (row["title"], row["due_on"], row["status"]) == \
            ("Rapport d'audit de l'instance", "2099-03-06", "expected")
        assert self.get(self.base + "?status=submitted", self.auditor).json()["items"] == []

    def test_a_version_then_reservations_through_the_api(self) -> None:
        missing = self.client.post(f"/api/v1{self.base}/{self.d.pk}/submissions", {"note": "sans fichier"},
                                   headers={"Authorization": f"Bearer {self.tokens['tina.titulaire']}"})
        self.assert_error(missing, 400, "file")
        response = self.client.post(f"/api/v1{self.base}/{self.d.pk}/submissions",
                                    {"file": SimpleUploadedFile("rapport.pdf", b"%PDF-1.4"), "note": "v1"},
                                    headers={"Authorization": f"Bearer {self.tokens['tina.titulaire']}"})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "submitted"
        assert len(body["submissions"][0]["sha256"]) == 64
        response = self.post(f"{self.base}/{self.d.pk}/transitions", self.buyer_manager,
                             {"action": "reserve", "reservations": "Annexe manquante",
                              "lift_by": "2099-04-01"})
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "accepted_with_reservations"
        assert "reservation-1" in [c["kind"] for c in response.json()["clocks"]]
        again = self.post(f"{self.base}/{self.d.pk}/transitions", self.buyer_manager,
                          {"action": "accept"})
        self.assert_error(again, 409)
        refused = self.post(f"{self.base}/{self.d.pk}/transitions", self.buyer_manager,
                            {"action": "lift", "number": 7})
        self.assert_error(refused, 400, "number")
        unknown = self.post(f"{self.base}/{self.d.pk}/transitions", self.buyer_manager,
                            {"action": "lift", "number": 1, "surprise": True})
        self.assert_error(unknown, 400, "surprise")

    def test_roles_limits_and_outsiders(self) -> None:
        self.assert_error(self.get(self.base, self.outsider), 404)
        self.assert_error(self.get(f"{self.base}/{self.d.pk}", self.outsider), 404)
        self.assert_error(self.post(f"{self.base}/{self.d.pk}/transitions", self.outsider,
                                    {"action": "accept"}), 404)
        self.assert_error(self.post(self.base, self.outsider, {"type": "A.1", "title": "x",
                                                               "due_on": "2099-01-01"}), 404)
        self.assert_error(self.get(self.base, self.requester), 403)
        self.assert_error(self.post(self.base, self.technician, {"type": "A.1", "title": "x",
                                                                 "due_on": "2099-01-01"}), 403)
        self.d.submit(self.technician, file=pdf())
        self.assert_error(self.post(f"{self.base}/{self.d.pk}/transitions", self.technician,
                                    {"action": "accept"}), 403)
        other = f"/contracts/{self.other_contract.slug}/deliverables/{self.d.pk}"
        self.assert_error(self.get(other, self.outsider), 404)

    def test_create_with_a_located_error(self) -> None:
        response = self.post(self.base, self.holder_manager, {"type": "Z", "title": "x", "due_on": "2099-01-01"})
        self.assert_error(response, 400, "type")
        response = self.post(self.base, self.holder_manager, {"type": "A.1", "title": "Note",
                                                              "due_on": "2099-01-01"})
        assert response.status_code == 201


class DeliverablesPagesTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_terms(cls)

    def setUp(self) -> None:
        self.d = Deliverable.expect(self.contract, self.buyer_manager, type="A.1",
                                    title="Note de livraison 2.3", due_on=date(2099, 3, 6))
        slug = self.contract.slug
        self.urls = [reverse("deliverables", args=[slug]),
                     reverse("deliverables-export", args=[slug, "csv"]),
                     reverse("deliverables-export", args=[slug, "xlsx"]),
                     reverse("deliverable", args=[slug, self.d.pk])]

    def test_outsider_gets_404_everywhere(self) -> None:
        self.d.submit(self.technician, file=pdf())
        self.client.force_login(self.outsider)
        slug = self.contract.slug
        for url in [*self.urls, reverse("deliverable-version", args=[slug, self.d.pk, 1])]:
            with self.subTest(url=url):
                assert self.client.get(url).status_code == 404
        for url in (reverse("deliverable-action", args=[slug, self.d.pk, "accepter"]),
                    reverse("deliverable-create", args=[slug]), reverse("deliverables-plan", args=[slug])):
            with self.subTest(url=url):
                assert self.client.post(url, {}).status_code == 404

    def test_requester_is_refused(self) -> None:
        self.client.force_login(self.requester)
        assert self.client.get(self.urls[0]).status_code == 403

    def test_holder_uploads_buyer_accepts(self) -> None:
        slug = self.contract.slug
        self.client.force_login(self.technician)
        page = self.client.get(self.urls[3])
        self.assertContains(page, "Remettre une version")
        self.assertNotContains(page, "Accepter avec réserves")
        response = self.client.post(reverse("deliverable-action", args=[slug, self.d.pk, "remettre"]),
                                    {"remettre-file": SimpleUploadedFile("note.pdf", b"%PDF-1.4 x")})
        assert response.status_code == 302
        download = self.client.get(reverse("deliverable-version", args=[slug, self.d.pk, 1]))
        assert download.getvalue() == b"%PDF-1.4 x"
        self.client.force_login(self.buyer_manager)
        bad = self.client.post(reverse("deliverable-action", args=[slug, self.d.pk, "refuser"]),
                               {"refuser-reason": ""})
        assert bad.status_code == 400
        ok = self.client.post(reverse("deliverable-action", args=[slug, self.d.pk, "accepter"]), {})
        assert ok.status_code == 302
        self.d.refresh_from_db()
        assert self.d.state == "accepted"
        export = self.client.get(self.urls[1])
        assert "Note de livraison 2.3" in export.getvalue().decode()
        assert self.client.get(self.urls[2]).status_code == 200

    def test_manager_adds_and_plans(self) -> None:
        slug = self.contract.slug
        self.client.force_login(self.holder_manager)
        response = self.client.post(reverse("deliverable-create", args=[slug]),
                                    {"type": "A.4", "title": "Rapport d'audit", "due_on": "2099-05-01"})
        assert response.status_code == 302
        assert self.client.post(reverse("deliverables-plan", args=[slug])).status_code == 302
        assert Deliverable.objects.filter(contract=self.contract, key="paq").exists()
        self.client.force_login(self.technician)
        assert self.client.post(reverse("deliverables-plan", args=[slug])).status_code == 403
