"""The intervention report as a PDF (seed 000 §7.3.3, annex A.3): what it says (the report, the
parties, each delay met or not, the pauses, the time spent, the signature blocks) and how it is
built for screen readers (a tagged PDF: structure tree, language, title), read back with pypdf.
``JALON_KEEP_PDF=1`` keeps the rendered file in ``var/`` to look at (``pdftoppm -png``)."""

from __future__ import annotations

import os
from io import BytesIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import translation
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from jalon.web.rules import rules_for
from jalon.web.tests.helpers import WebTestCase, at, paris
from jalon.web.tickets import pdf


def structure_roles(node: Any, found: set[str] | None = None) -> set[str]:
    """The roles (``/S``) of a structure tree's elements: H1, H2, Table, TH, TD, P…"""
    found = set() if found is None else found
    node = node.get_object()
    if isinstance(node, DictionaryObject):
        if "/S" in node:
            found.add(str(node["/S"]))
        kids = node.get("/K")
        if kids is not None:
            kids = kids.get_object()
            for kid in kids if isinstance(kids, list) else [kids]:
                if hasattr(kid, "get_object"):
                    structure_roles(kid, found)
    return found


class ReportPdfTest(WebTestCase):
    def setUp(self) -> None:
        self.ticket = self.worked(paris(2026, 5, 7, 9, 0), "Concentrateur arrêté", site="SPC RAS")
        with at(paris(2026, 5, 7, 9, 45)):
            self.ticket.wait(self.technician, "requester", "Journaux du concentrateur demandés.")
        with at(paris(2026, 5, 7, 10, 15)):
            self.ticket.resume(self.technician)
        with at(paris(2026, 5, 7, 12, 0)):
            self.ticket.log_time(self.technician, minutes=150, spent_on=paris(2026, 5, 7).date(),
                                 note="Purge et relance")
            self.ticket.write_intervention_report(
                self.technician, context="Arrêt du concentrateur à 8 h 40.",
                diagnosis="Disque plein : la purge nocturne n’a pas tourné.",
                tests="Relance du service, contrôle des flux « hydrométrie ».",
                solution="Purge manuelle et réactivation de la tâche planifiée.",
                status="workaround", recommendations="Surveiller l’espace disque ; cœur.")
            self.ticket.resolve(self.technician, "workaround", "Service rétabli.")
        self.ticket.refresh_from_db()

    def render(self) -> bytes:
        with at(paris(2026, 5, 7, 14, 0)), translation.override("fr"):
            data = pdf.intervention_report_pdf(self.ticket, self.ticket.intervention_report,
                                               rules_for(self.ticket.convention_version))
        if os.environ.get("JALON_KEEP_PDF") == "1":
            kept = Path(settings.BASE_DIR) / "var" / "rapport-intervention.pdf"
            kept.parent.mkdir(exist_ok=True)
            kept.write_bytes(data)
        return data

    def text(self, data: bytes) -> str:
        """The pages' text, each run of white space (a table cell's line breaks) as one space."""
        return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages).split())

    def test_it_gives_the_report_the_parties_the_delays_the_pauses_the_time_and_signatures(self) -> None:
        text = self.text(self.render())
        for expected in (
            "Rapport d’intervention AQR-2026-1", "Concentrateur arrêté",
            # what the holder wrote
            "Contexte", "Diagnostic et cause racine", "Tests réalisés", "Solution mise en œuvre",
            "Disque plein : la purge nocturne n’a pas tourné.", "« hydrométrie »", "Contournement",
            "Surveiller l’espace disque ; cœur.",
            # the parties
            "Acheteur", "Service Central Vigicrues", "Titulaire", "Titulaire AQUAREEL",
            "Demandeur", "Intervenant", "(Titulaire N2)",
            # the delays, the pauses, the time, the signatures
            "Délais contractuels", "Cible", "Écoulé", "Résultat", "Respecté",
            "Pauses", "En attente du demandeur — Journaux du concentrateur demandés.", "30 min",
            "Temps passé", "Purge et relance", "2 h 30 min", "Total",
            "Signatures", "Pour le titulaire — Titulaire AQUAREEL",
            "Pour le service utilisateur — rita.spc",
            "Pour l’acheteur — Service Central Vigicrues", "Nom et qualité du signataire",
        ):
            assert expected in text, expected
        assert "{{" not in text

    def test_a_delay_stopped_past_its_target_is_not_said_met(self) -> None:
        late = self.worked(paris(2026, 4, 6, 9, 0), "Ancien arrêt")
        with at(paris(2026, 4, 20, 9, 0)):
            late.write_intervention_report(self.technician, context="c", diagnosis="d", tests="t",
                                           solution="s", status="definitive")
            late.resolve(self.technician, "definitive")
        late.refresh_from_db()
        with at(paris(2026, 4, 20, 10, 0)), translation.override("fr"):
            text = self.text(pdf.intervention_report_pdf(late, late.intervention_report,
                                                         rules_for(late.convention_version)))
        assert "Arrêté hors délai" in text
        assert "Aucune mise en attente." in text
        assert "Aucun temps passé saisi." in text

    def test_it_is_a_tagged_pdf_in_french_with_its_title(self) -> None:
        reader = PdfReader(BytesIO(self.render()))
        root = reader.root_object
        assert root["/Lang"] == "fr"
        mark_info = root["/MarkInfo"].get_object()
        preferences = root["/ViewerPreferences"].get_object()
        assert isinstance(mark_info, DictionaryObject)
        assert isinstance(preferences, DictionaryObject)
        assert bool(mark_info["/Marked"])
        assert bool(preferences["/DisplayDocTitle"])  # the title, not the file name
        assert reader.metadata is not None
        assert reader.metadata.title == "Rapport d’intervention AQR-2026-1"
        roles = structure_roles(root["/StructTreeRoot"])
        assert {"/H1", "/H2", "/P", "/Table", "/TH", "/TD", "/Caption"} <= roles, roles

    def test_the_pdf_is_downloaded_by_whoever_sees_the_ticket_and_no_one_else(self) -> None:
        self.login(self.requester)
        response = self.client.get(f"/tickets/{self.ticket.pk}/rapport.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            'attachment; filename="rapport-intervention-AQR-2026-1.pdf"')
        assert "Surveiller l’espace disque" in self.text(response.content)
        page = self.client.get(f"/tickets/{self.ticket.pk}/").content.decode()
        assert f"/tickets/{self.ticket.pk}/rapport.pdf" in page
        self.login(self.outsider)
        assert self.client.get(f"/tickets/{self.ticket.pk}/rapport.pdf").status_code == 404

    def test_a_ticket_without_a_report_has_no_pdf(self) -> None:
        other = self.worked(paris(2026, 5, 7, 9, 0), "Sans rapport")
        self.login(self.technician)
        assert self.client.get(f"/tickets/{other.pk}/rapport.pdf").status_code == 404

    def test_in_english_the_document_says_so(self) -> None:
        self.login(self.requester)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = self.client.get(f"/tickets/{self.ticket.pk}/rapport.pdf")
        root = PdfReader(BytesIO(response.content)).root_object
        assert root["/Lang"] == "en"

    def test_the_signatories_are_a_setting(self) -> None:
        with self.settings(JALON_REPORT_SIGNATORIES=["buyer", "holder"]):
            text = self.text(self.render())
        signatures = text[text.index("Signatures"):]
        assert signatures.index("Pour l’acheteur") < signatures.index("Pour le titulaire")
        assert "Pour le service utilisateur" not in signatures
