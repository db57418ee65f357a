"""Structured reports: their data checked with located errors, PDF (tagged PDF/A with language and
title) and DOCX renderings, contracts' templates checked by a dry render in a sandbox, revisions,
and a report taken as a deliverable's version."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document

from jalon.deliverables.models import Deliverable
from jalon.deliverables.tests.support import load_terms
from jalon.documents.kinds import AUDIT_DOMAINS
from jalon.documents.models import ReportRevision, ReportTemplate, StructuredReport
from jalon.testing.cast import JalonTestCase


def audit_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "summary": "Instance saine ; deux écarts majeurs sur les purges.",
        "domains": {d: f"Revue du domaine {d} : conforme." for d, _label in AUDIT_DOMAINS},
        "findings": [{"domain": "purges", "severity": "Majeur", "text": "Purge des archives inactive"},
                     {"domain": "haute_disponibilite", "severity": "Critique", "text": "Bascule non testée"}],
        "corrective_actions": [{"text": "Statistiques de la base recalculées"}],
        "recommendations": [{"text": "Réactiver la purge", "follow_up": "ticket", "reference": "AQR-2026-4",
                             "done": False}],
    }
    data.update(changes)
    return data


def docx_template(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def docx_text(content: bytes) -> str:
    return " ".join(p.text for p in Document(BytesIO(content)).paragraphs)


class StructuredReportTests(JalonTestCase):
    def write(self, **changes: Any) -> StructuredReport:
        return StructuredReport.write(self.contract, self.technician, kind="audit",
                                      title="Audit de l'instance de production", data=audit_data(**changes))

    def test_bad_data_is_refused_with_every_place(self) -> None:
        with pytest.raises(ValidationError) as caught:
            self.write(findings=[{"domain": "purges", "severity": "Grave", "text": "x"}],
                       domains={"versions": "ok"})
        places = caught.value.message_dict
        assert "findings[0].severity" in places
        assert "domains.configuration" in places
        assert not StructuredReport.objects.exists()
        with pytest.raises(PermissionDenied):
            StructuredReport.write(self.contract, self.requester, kind="audit", title="x", data=audit_data())

    def test_pdf_is_tagged_pdf_a_with_language_and_title(self) -> None:
        content = self.write().pdf(compress=False)
        assert content.startswith(b"%PDF")
        assert b"/StructTreeRoot" in content
        assert b"/MarkInfo" in content
        assert re.search(rb"/Lang \(fr\)", content)
        assert b"pdfaid:part" in content
        assert b"/Title" in content

    def test_docx_from_the_default_template(self) -> None:
        text = docx_text(self.write().docx())
        assert "Audit de l'instance de production" in text
        assert "Constats et non-conformités" in text
        assert "Critique" in text
        assert "{{" not in text
        assert "{%" not in text

    def test_update_after_follow_up_is_a_new_revision(self) -> None:
        report = self.write()
        done = audit_data(recommendations=[{"text": "Réactiver la purge", "follow_up": "ticket",
                                            "reference": "AQR-2026-4", "done": True}])
        report.update(self.technician, data=done, note="Purge réactivée (AQR-2026-4)")
        assert report.revision == 2
        revisions = list(report.revisions.all())
        assert [r.revision for r in revisions] == [1, 2]
        assert revisions[0].sha256 != revisions[1].sha256
        assert "Réalisée" in docx_text(report.docx())
        with pytest.raises(TypeError):
            ReportRevision.objects.all().update(note="x")

    def test_a_contract_template_replaces_the_default(self) -> None:
        ReportTemplate.install(self.contract, self.buyer_manager, "audit", "modele.docx",
                               docx_template("SCV — {{ title }}", "Synthèse : {{ data.summary }}"))
        text = docx_text(self.write().docx())
        assert text.startswith("SCV — Audit de l'instance de production")
        assert "Synthèse : Instance saine" in text

    def test_templates_are_checked_by_a_dry_render(self) -> None:
        cases = {
            "not a docx": (b"PK not really", "docx"),
            "syntax": (docx_template("{% for x in sections %}"), "modèle"),
            "unknown name": (docx_template("{{ nothing_here }}"), "nothing_here"),
            "sandbox": (docx_template("{{ title.__class__.__mro__ }}"), "modèle"),
        }
        for name, (content, said) in cases.items():
            with self.subTest(name=name), pytest.raises(ValidationError) as caught:
                ReportTemplate.install(self.contract, self.buyer_manager, "audit", "modele.docx", content)
            assert said in caught.value.message_dict["file"][0]
        assert not ReportTemplate.objects.exists()
        with pytest.raises(PermissionDenied):
            ReportTemplate.install(self.contract, self.technician, "audit", "m.docx", docx_template("x"))

    def test_a_report_becomes_a_deliverables_version(self) -> None:
        load_terms(self)
        d = Deliverable.expect(self.contract, self.buyer_manager, type="A.4", title="Rapport d'audit",
                               due_on=date(2099, 1, 1))
        report = self.write()
        submission = d.submit_report(self.technician, report)
        assert submission.original_name == f"{report.reference}-rev1.pdf"
        with submission.file.open("rb") as stored:
            assert stored.read().startswith(b"%PDF")
        assert len(submission.sha256) == 64
        assert zipfile.is_zipfile(BytesIO(report.docx()))
