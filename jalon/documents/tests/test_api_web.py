"""Reports through the API and the pages: entered as data with located errors, revised, remitted
as a deliverable's version; the template form shows a dry render's error; outsiders get 404."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jalon.api.tests.base import ApiTestCase
from jalon.deliverables.models import Deliverable
from jalon.deliverables.tests.support import load_terms
from jalon.documents.models import ReportTemplate, StructuredReport
from jalon.documents.tests.test_documents import audit_data, docx_template

NOTE = {"version": "2.3.0", "content": "Correctifs de la réplication", "installation": "Script fourni"}


class ReportsApiAndPagesTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_terms(cls)

    def setUp(self) -> None:
        self.base = f"/contracts/{self.contract.slug}/reports"

    def test_entered_as_data_revised_and_remitted(self) -> None:
        bad = self.post(self.base, self.technician, {"kind": "audit", "title": "Audit",
                                                     "data": audit_data(summary="")})
        self.assert_error(bad, 400, "summary")
        created = self.post(self.base, self.technician, {"kind": "delivery_note", "title": "Livraison 2.3",
                                                         "data": NOTE})
        assert created.status_code == 201, created.content
        report_id = created.json()["id"]
        revised = self.call("PUT", f"{self.base}/{report_id}", self.technician,
                            {"data": {**NOTE, "known_limits": "Aucune"}, "note": "Limites"})
        assert revised.json()["revision"] == 2
        d = Deliverable.expect(self.contract, self.buyer_manager, type="A.1", title="Note 2.3",
                               due_on=date(2099, 1, 1))
        remitted = self.post(f"/contracts/{self.contract.slug}/deliverables/{d.pk}/reports", self.technician,
                             {"report": report_id})
        assert remitted.status_code == 201, remitted.content
        assert remitted.json()["submissions"][0]["file_name"].endswith("-rev2.pdf")
        self.assert_error(self.post(self.base, self.auditor, {"kind": "delivery_note", "title": "x",
                                                              "data": NOTE}), 403)
        self.assert_error(self.get(f"{self.base}/{report_id}", self.outsider), 404)

    def test_pages(self) -> None:
        report = StructuredReport.write(self.contract, self.technician, kind="audit", title="Audit 2026",
                                        data=audit_data())
        slug = self.contract.slug
        urls = [reverse("reports", args=[slug]), reverse("report", args=[slug, report.pk]),
                reverse("report-pdf", args=[slug, report.pk]), reverse("report-docx", args=[slug, report.pk])]
        self.client.force_login(self.outsider)
        for url in urls:
            with self.subTest(url=url):
                assert self.client.get(url).status_code == 404
        assert self.client.post(reverse("report-template", args=[slug])).status_code == 404
        self.client.force_login(self.auditor)
        for url in urls:
            with self.subTest(url=url):
                assert self.client.get(url).status_code == 200
        assert self.client.get(urls[2]).content.startswith(b"%PDF")
        assert self.client.post(reverse("report-template", args=[slug])).status_code == 403
        self.client.force_login(self.buyer_manager)
        refused = self.client.post(reverse("report-template", args=[slug]), {
            "kind": "audit", "file": SimpleUploadedFile("m.docx", docx_template("{{ missing }}"))})
        assert refused.status_code == 400
        self.assertContains(refused, "missing", status_code=400)
        accepted = self.client.post(reverse("report-template", args=[slug]), {
            "kind": "audit", "file": SimpleUploadedFile("m.docx", docx_template("{{ title }}"))})
        assert accepted.status_code == 302
        assert ReportTemplate.objects.filter(contract=self.contract, kind="audit").exists()
