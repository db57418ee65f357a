"""Reports entered on the page: a form per kind, blank rows ignored, each problem of the check
shown under its field (rows renumbered), revised as a new revision, rendered to PDF and DOCX;
only the holder writes, outsiders get 404."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from jalon.documents.kinds import AUDIT_DOMAINS
from jalon.documents.models import StructuredReport
from jalon.testing.cast import JalonTestCase


def audit_post(**changes: Any) -> dict[str, Any]:
    post = {"title": "Audit annuel 2026", "summary": "Instance saine ; un écart majeur sur les purges."}
    post |= {f"domains-{d}": f"Domaine {d} revu : conforme." for d, _label in AUDIT_DOMAINS}
    # row 0 left blank on purpose: only filled rows count
    post |= {"findings-1-domain": "purges", "findings-1-severity": "Majeur",
             "findings-1-text": "Purge des archives inactive",
             "corrective_actions-0-text": "Statistiques recalculées",
             "recommendations-0-text": "Réactiver la purge", "recommendations-0-follow_up": "ticket",
             "recommendations-0-reference": "AQR-2026-4"}
    post.update(changes)
    return post


class ReportFormTests(JalonTestCase):
    def url(self, kind: str) -> str:
        return reverse("report-new", args=[self.contract.slug, kind])

    def test_the_holder_enters_an_audit_report_field_by_field(self):
        self.client.force_login(self.technician)
        page = self.client.get(self.url("audit")).content.decode()
        assert "Base de données" in page  # the seven domains
        assert "Critique" in page
        assert "Mineur" in page
        response = self.client.post(self.url("audit"), audit_post())
        assert response.status_code == 302, response.content.decode()[:2000]
        report = StructuredReport.objects.get()
        assert report.kind == "audit"
        assert report.data["findings"] == [{"domain": "purges", "severity": "Majeur",
                                            "text": "Purge des archives inactive"}]
        assert report.data["recommendations"][0] == {"text": "Réactiver la purge", "follow_up": "ticket",
                                                     "reference": "AQR-2026-4", "done": False}
        assert self.client.get(reverse("report-pdf", args=[self.contract.slug, report.pk])).content[:4] == b"%PDF"
        assert self.client.get(reverse("report-docx", args=[self.contract.slug, report.pk])).status_code == 200

    def test_problems_are_shown_under_their_fields_and_nothing_is_written(self):
        self.client.force_login(self.technician)
        response = self.client.post(self.url("audit"), audit_post(**{
            "domains-journaux": "", "findings-1-severity": "", "findings-2-text": "Comptes non revus"}))
        assert response.status_code == 400
        page = response.content.decode()
        assert "Le rapport n’est pas enregistré" in page
        assert "Résultat du domaine obligatoire" in page
        # the second filled row (form row 2) lacks domain and severity; row 1 lacks its severity
        assert 'href="#id_findings-1-severity"' in page
        assert 'href="#id_findings-2-domain"' in page
        assert not StructuredReport.objects.exists()

    def test_a_report_is_revised_with_a_note(self):
        self.client.force_login(self.technician)
        self.client.post(self.url("delivery_note"), {"title": "Livraison 2.3", "version": "2.3.0",
                                                     "content": "Correctifs", "installation": "Script"})
        report = StructuredReport.objects.get()
        edit = reverse("report-edit", args=[self.contract.slug, report.pk])
        page = self.client.get(edit).content.decode()
        assert "2.3.0" in page
        response = self.client.post(edit, {"title": "Livraison 2.3", "version": "2.3.1", "content": "Correctifs",
                                           "installation": "Script", "note": "Version corrigée"})
        assert response.status_code == 302
        report.refresh_from_db()
        assert (report.revision, report.data["version"]) == (2, "2.3.1")
        assert report.revisions.count() == 2

    def test_test_report_rows_and_verdict(self):
        self.client.force_login(self.holder_manager)
        response = self.client.post(self.url("test_report"), {
            "title": "Recette 2.3", "campaign": "Non-régression", "verdict": "conforme_avec_reserves",
            "tests-0-name": "Connexion", "tests-0-result": "ok", "tests-1-name": "Export", "tests-1-result": "ko",
            "tests-1-detail": "Export CSV tronqué"})
        assert response.status_code == 302
        report = StructuredReport.objects.get()
        assert [t["result"] for t in report.data["tests"]] == ["ok", "ko"]

    def test_only_the_holder_writes_and_outsiders_get_404(self):
        self.client.force_login(self.buyer_manager)
        assert self.client.get(self.url("audit")).status_code == 403
        listing = self.client.get(reverse("reports", args=[self.contract.slug])).content.decode()
        assert "Saisir un rapport" not in listing
        self.client.force_login(self.outsider)
        assert self.client.get(self.url("audit")).status_code == 404
        self.client.force_login(self.technician)
        assert self.client.get(self.url("nope")).status_code == 404
