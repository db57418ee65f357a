"""A buyer or an auditor scores an uploaded export of the holder's tool with the contract's
convention and an import profile (issue 12): the file command's engine and figures, located
errors for bad files, nothing stored on the contract, and who may do it."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from jalon.contracts.models import ConventionVersion
from jalon.conventions import report
from jalon.conventions.evaluate import evaluate
from jalon.conventions.loader import load
from jalon.conventions.period import Period
from jalon.imports import read_export
from jalon.scorecards.models import PeriodScorecard
from jalon.testing.cast import JalonTestCase

CONVENTION = Path(__file__).resolve().parents[3] / "conventions" / "aquareel-tma.yaml"
HEADER = "ID;Titre;Statut;Date d'ouverture;Dernière modification;Date de résolution;Priorité;Catégorie"
ROWS = [
    "1;Arrêt du concentrateur;Résolu;2026-02-02 09:00;2026-02-02 11:00;2026-02-02 11:00;Très haute;"
    "Intervention urgente",
    "2;Purge non exécutée;Clos;2026-02-03 10:00;2026-02-10 10:00;2026-02-09 16:00;Moyenne;Anomalie",
    "3;Réplication interrompue;En cours (Attribué);2026-03-30 14:00;2026-03-30 15:00;;Haute;Maintenance corrective",
]


def export(rows: list[str] = ROWS) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


class AuditTest(JalonTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        ConventionVersion.load(cls.contract, CONVENTION.read_text("utf-8"), CONVENTION.name)

    def url(self) -> str:
        return reverse("scorecard-audit", args=[self.contract.slug])

    def post(self, content: bytes, name: str = "glpi.csv", period: str = "2026-Q1", profile: str = "glpi",
             **extra: str) -> Any:
        return self.client.post(self.url(), {"file": SimpleUploadedFile(name, content), "period": period,
                                             "profile": profile, **extra})

    def test_the_buyer_scores_an_export_with_the_file_commands_engine_and_downloads_it(self) -> None:
        self.client.force_login(self.buyer_manager)
        form = self.client.get(self.url())
        assert form.status_code == 200
        assert 'value="glpi"' in form.content.decode()
        page = self.post(export())
        assert page.status_code == 200, page.content.decode()[:2000]
        text = page.content.decode()
        assert "Résultat : glpi.csv, période 2026-Q1" in text
        assert "intervention_urgente" in text or "Intervention" in text
        token = page.context["token"]
        downloaded = self.client.get(reverse("scorecard-audit-download", args=[self.contract.slug, token, "json"]))
        assert downloaded.status_code == 200
        data = json.loads(downloaded.content)
        # the file command's figures, from the same file, profile and period
        path = Path(self.tmp()) / "glpi.csv"
        path.write_bytes(export())
        direct = evaluate(load(CONVENTION), read_export(path, "glpi", tz="Europe/Paris").tickets, [],
                          Period.parse("2026-Q1"), "glpi", "fail")
        expected = json.loads(json.dumps(report.scorecard_dict(direct)))
        assert data["families"] == expected["families"]
        assert data["tickets"]["count"] == 3
        assert data["status"] == "audit"
        xlsx = self.client.get(reverse("scorecard-audit-download", args=[self.contract.slug, token, "xlsx"]))
        assert xlsx.status_code == 200
        assert zipfile.is_zipfile(io.BytesIO(xlsx.content))
        pdf = self.client.get(reverse("scorecard-audit-download", args=[self.contract.slug, token, "pdf"]))
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")
        # an audit is not the period's scorecard
        assert not PeriodScorecard.objects.filter(contract=self.contract).exists()

    def tmp(self) -> str:
        import tempfile

        folder = tempfile.mkdtemp()
        self.addCleanup(__import__("shutil").rmtree, folder)
        return folder

    def test_a_compressed_export_and_the_auditor(self) -> None:
        self.client.force_login(self.auditor)
        page = self.post(gzip.compress(export()), name="glpi.csv.gz")
        assert page.status_code == 200, page.content.decode()[:2000]
        assert page.context["result"]["tickets"]["count"] == 3

    def test_bad_files_are_refused_with_the_file_the_line_and_the_column_never_a_500(self) -> None:
        self.client.force_login(self.buyer_manager)
        bad_date = [ROWS[0], "2;Purge;Clos;le 3 février;2026-02-10 10:00;;Moyenne;Anomalie"]
        page = self.post(export(bad_date))
        assert page.status_code == 400
        errors = page.context["errors"]
        assert any(e.startswith("glpi.csv: row 3, column Date d'ouverture") for e in errors), errors
        assert "row 3" in page.content.decode()
        missing = self.post(b"ID;Titre\n1;x\n")
        assert missing.status_code == 400
        assert any("glpi.csv" in e for e in missing.context["errors"])
        for content, name in ((b"\x00\x01garbage", "export.xlsx"), (b"", "empty.csv"), (b"x", "notes.pdf"),
                              (b"\x1f\x8b\x08\x00broken", "glpi.csv.gz")):
            refused = self.post(content, name=name)
            assert refused.status_code == 400, (name, refused.status_code)
            assert refused.context["errors"], name
            assert any(name in e for e in refused.context["errors"]), (name, refused.context["errors"])
        period = self.post(export(), period="2026-Q5")
        assert period.status_code == 400
        assert period.context["errors"][0].startswith("period:")
        profile = self.post(export(), profile="ocean")
        assert profile.status_code == 400
        assert profile.context["errors"][0].startswith("profile:")
        # with "skip", a bad row is set aside and listed, the others are scored
        skipped = self.post(export([*bad_date, *ROWS[2:]]), skip="1")
        assert skipped.status_code == 200
        assert skipped.context["result"]["tickets"]["count"] == 2
        assert any("row 3" in w for w in skipped.context["warnings"])
        assert not PeriodScorecard.objects.exists()

    @override_settings(JALON_AUDIT_UPLOAD_MAX_MB=0)
    def test_the_upload_size_is_bounded(self) -> None:
        self.client.force_login(self.buyer_manager)
        page = self.post(export())
        assert page.status_code == 400
        assert "more than the 0 MiB" in page.context["errors"][0]

    def test_who_may_audit(self) -> None:
        slug = self.contract.slug
        self.client.force_login(self.buyer_manager)
        token = self.post(export()).context["token"]
        download = reverse("scorecard-audit-download", args=[slug, token, "json"])
        for person, status in ((self.outsider, 404), (self.holder_manager, 403), (self.technician, 403),
                               (self.requester, 403), (self.level1, 200), (self.auditor, 200)):
            self.client.force_login(person)
            assert self.client.get(self.url()).status_code == status, person
            assert self.post(export()).status_code == status, person
        # a result is its author's: another buyer-side person, or someone from another contract, gets 404
        for person, status in ((self.level1, 404), (self.auditor, 404), (self.outsider, 404),
                               (self.holder_manager, 403)):
            self.client.force_login(person)
            assert self.client.get(download).status_code == status, person
        self.client.force_login(self.buyer_manager)
        assert self.client.get(download).status_code == 200
        assert self.client.get(download.replace(".json", ".html")).status_code == 404
        # the list of periods offers the audit to those who may
        assert reverse("scorecard-audit", args=[slug]) in self.client.get(
            reverse("scorecards", args=[slug])).content.decode()
        self.client.force_login(self.holder_manager)
        assert reverse("scorecard-audit", args=[slug]) not in self.client.get(
            reverse("scorecards", args=[slug])).content.decode()
