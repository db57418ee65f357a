"""CSV and XLSX exports of the filtered list and of the dashboard; the intervention report PDF."""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import re
import zlib

from openpyxl import load_workbook

from jalon.web.tests.helpers import WebTestCase, at, paris, streamed
from jalon.web.tickets import pdf


class ExportTest(WebTestCase):
    def setUp(self) -> None:
        self.a = self.worked(paris(2026, 5, 7, 9, 0), "Concentrateur arrêté")
        self.b = self.open(paris(2026, 5, 6, 10, 0), "=HYPERLINK(\"x\")",
                           type="anomaly_qualification")
        self.login(self.level1)

    def csv_rows(self, url: str) -> list[list[str]]:
        with at(paris(2026, 5, 7, 11, 0)):
            response = self.client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        text = streamed(response).decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))

    def test_csv_has_the_filtered_rows(self) -> None:
        rows = self.csv_rows("/marches/aquareel/tickets/export.csv?type=urgent_intervention")
        assert rows[0][:3] == ["Référence", "Marché", "Objet"]
        assert [r[0] for r in rows[1:]] == [self.a.reference]
        assert rows[1][2] == "Concentrateur arrêté"
        assert rows[1][4] == "En cours"
        assert rows[1][14:17] == ["Objectif de résolution", "2026-05-11 09:30", "En cours"]

    def test_the_list_export_says_who_where_how_resolved_and_the_time_spent(self) -> None:
        from datetime import date

        with at(paris(2026, 5, 7, 10, 0)):
            self.a.log_time(self.technician, minutes=90, spent_on=date(2026, 5, 7))
            entry = self.a.log_time(self.technician, minutes=30, spent_on=date(2026, 5, 7))
            self.a.correct_time(self.technician, entry, minutes=15, spent_on=date(2026, 5, 7),
                                reason="erreur de saisie")
        self.resolved(self.a, paris(2026, 5, 7, 10, 30), kind="workaround")
        rows = self.csv_rows("/marches/aquareel/tickets/export.csv?type=urgent_intervention&state=")
        assert rows[0][17:] == ["Demandeur", "Intervenant", "Site", "Nature de la résolution",
                                "Temps passé (h)"]
        requester = self.requester.get_full_name() or self.requester.username
        technician = self.technician.get_full_name() or self.technician.username
        assert rows[1][17:] == [requester, technician, "", "Contournement", "1,75"]  # 90 + 15 min
        with at(paris(2026, 5, 7, 11, 0)):
            book = load_workbook(io.BytesIO(streamed(self.client.get(
                "/marches/aquareel/tickets/export.xlsx?type=urgent_intervention&state="))))
        sheet = book.active
        assert sheet["V1"].value == "Temps passé (h)"
        assert sheet["V2"].value == 1.75
        assert sheet["V2"].data_type == "n"
        assert sheet["K2"].is_date
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == "A1:V2"
        assert sheet.column_dimensions["C"].width >= len("Concentrateur arrêté")

    def test_a_requester_s_export_leaves_the_holder_s_time_out(self) -> None:
        from datetime import date

        with at(paris(2026, 5, 7, 10, 0)):
            self.a.log_time(self.technician, minutes=90, spent_on=date(2026, 5, 7))
        self.login(self.requester)
        rows = self.csv_rows("/marches/aquareel/tickets/export.csv?type=urgent_intervention")
        assert [r[0] for r in rows[1:]] == [self.a.reference]
        assert rows[1][21] == ""

    def test_the_list_export_says_each_request_s_channel(self) -> None:
        rows = self.csv_rows("/marches/aquareel/tickets/export.csv?sort=opened")
        assert rows[0][7] == "Canal"
        assert [r[7] for r in rows[1:]] == ["Portail", "Portail"]
        self.b.channel = "mail"
        self.b.save(update_fields=["channel"])
        rows = self.csv_rows("/marches/aquareel/tickets/export.csv?sort=opened")
        assert [r[7] for r in rows[1:]] == ["Courriel", "Portail"]

    def test_csv_cells_never_run_as_formulas(self) -> None:
        rows = self.csv_rows("/marches/aquareel/tickets/export.csv?type=anomaly_qualification")
        assert rows[1][2] == "'=HYPERLINK(\"x\")"

    def test_the_cross_contract_export_keeps_the_sort(self) -> None:
        rows = self.csv_rows("/tickets/export.csv?sort=opened")
        assert [r[0] for r in rows[1:]] == [self.b.reference, self.a.reference]

    def test_xlsx_has_the_filtered_rows(self) -> None:
        with at(paris(2026, 5, 7, 11, 0)):
            response = self.client.get("/marches/aquareel/tickets/export.xlsx?q=arrêté")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith('attachment; filename="tickets-aquareel-')
        book = load_workbook(io.BytesIO(streamed(response)))
        rows = list(book.active.iter_rows(values_only=True))
        assert rows[0][0] == "Référence"
        assert [r[0] for r in rows[1:]] == [self.a.reference]
        assert rows[1][10].isoformat() == "2026-05-07T09:00:00"  # Paris wall time

    def test_dashboard_figures_export(self) -> None:
        rows = self.csv_rows("/marches/aquareel/tableau-de-bord/export.csv?period=month"
                             "&month=2026-05")
        assert rows[0] == ["Indicateur", "Ligne", "Colonne", "Valeur", "Unité"]
        assert ["Qualification", "niveau 1", "qualifiés", "1", ""] in rows  # a, 10 min after
        assert ["Qualification", "niveau 1", "délai moyen", "0,2", "h"] in rows
        with at(paris(2026, 5, 7, 11, 0)):
            response = self.client.get("/marches/aquareel/tableau-de-bord/export.xlsx?period="
                                       "month&month=2026-05")
        book = load_workbook(io.BytesIO(streamed(response)))
        figures = list(book.active.iter_rows(values_only=True))
        assert figures[0] == ("Indicateur", "Ligne", "Colonne", "Valeur", "Unité")
        assert ("Qualification", "niveau 1", "qualifiés", 1, None) in figures  # a number
        assert ("Qualification", "niveau 1", "délai moyen", 0.2, "h") in figures


def pdf_text(data: bytes) -> str:
    """The text drawn by a PDF's content streams (literal strings, WinAnsi); compressed
    streams are ASCII85 then Flate, as reportlab writes them."""
    chunks = []
    for raw in re.findall(rb"stream\r?\n(.*?)\s*endstream", data, re.S):
        if raw.rstrip().endswith(b"~>"):
            raw = base64.a85decode(raw.rstrip()[:-2])
        with contextlib.suppress(zlib.error):  # uncompressed streams stay as they are
            raw = zlib.decompress(raw)
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", raw):
            chunks.append(_unescape(literal).decode("cp1252"))
    return " ".join(chunks)


def _unescape(literal: bytes) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8)])
        return {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.S)


class ReportPdfTest(WebTestCase):
    def setUp(self) -> None:
        self.ticket = self.worked(paris(2026, 5, 7, 9, 0), "Concentrateur arrêté")
        with at(paris(2026, 5, 7, 12, 0)):
            self.ticket.write_intervention_report(
                self.technician, context="Arrêt du concentrateur à 8 h 40.",
                diagnosis="Disque plein : la purge nocturne n’a pas tourné.",
                tests="Relance du service, contrôle des flux « hydrométrie ».",
                solution="Purge manuelle et réactivation de la tâche planifiée.",
                status="workaround", recommendations="Surveiller l’espace disque ; cœur.")

    def test_the_pdf_holds_the_report_in_french(self) -> None:
        report = self.ticket.intervention_report
        data = pdf.intervention_report_pdf(self.ticket, report, "Intervention urgente",
                                           compress=False)
        assert data.startswith(b"%PDF")
        text = pdf_text(data)
        for expected in ("Rapport d’intervention", "Contexte", "Diagnostic et cause racine",
                         "Tests réalisés", "Solution mise en œuvre", "Recommandations",
                         "Disque plein : la purge nocturne n’a pas tourné.",
                         "« hydrométrie »", "Contournement", "AQR-2026-1", "cœur"):
            assert expected in text, expected

    def test_the_pdf_is_downloaded_by_whoever_sees_the_ticket(self) -> None:
        self.login(self.requester)
        response = self.client.get(f"/tickets/{self.ticket.pk}/rapport.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert "Surveiller l’espace disque" in pdf_text(response.content)
        page = self.client.get(f"/tickets/{self.ticket.pk}/").content.decode()
        assert f"/tickets/{self.ticket.pk}/rapport.pdf" in page

    def test_no_report_no_pdf(self) -> None:
        other = self.worked(paris(2026, 5, 7, 10, 0), "Autre")
        self.login(self.level1)
        assert self.client.get(f"/tickets/{other.pk}/rapport.pdf").status_code == 404


class HostileCellsTest(WebTestCase):
    """Control characters and formula triggers in what people type never break an export nor
    run in a spreadsheet (issue 15, items 2 and 7)."""

    TRIGGERS = ("\t=1+1", "\r=1+1", " =1+1", "\uff1d1+1", "\uff0bcmd", "@SUM(A1)", "\n-2+3")

    def setUp(self) -> None:
        from jalon.tickets.models import Ticket

        self.tickets = [self.open(paris(2026, 5, 6, 10, i), f"Titre {i}") for i in range(len(self.TRIGGERS))]
        for ticket, title in zip(self.tickets, self.TRIGGERS, strict=True):
            Ticket.objects.filter(pk=ticket.pk).update(title=title)
        self.control = self.open(paris(2026, 5, 6, 11, 0), "Titre")
        Ticket.objects.filter(pk=self.control.pk).update(title="Bip\x07 \x1b[31m rouge\x0b\x01fin")
        self.login(self.level1)

    def test_csv_neutralises_every_formula_trigger(self) -> None:
        with at(paris(2026, 5, 7, 11, 0)):
            text = streamed(self.client.get("/marches/aquareel/tickets/export.csv")).decode()
        rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
        titles = {row[2] for row in rows[1:]}
        for title in self.TRIGGERS:
            assert "'" + title in titles, (title, titles)

    def test_xlsx_survives_control_characters(self) -> None:
        with at(paris(2026, 5, 7, 11, 0)):
            response = self.client.get("/marches/aquareel/tickets/export.xlsx")
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(streamed(response)))
        titles = [row[2] for row in book.active.iter_rows(values_only=True)]
        assert any(str(t).startswith("Bip") and str(t).endswith("fin") for t in titles), titles
        assert all(not isinstance(t, str) or not t.startswith("=") for t in titles)
